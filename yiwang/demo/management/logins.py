"""The demo logins as the `demo` and `bootstrap` commands print them: a table that lines up in a terminal."""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext as _

from yiwang.demo.city import DEMO_PASSWORD
from yiwang.demo.selectors import DemoCity, DemoLogin


def _width(text: str) -> int:
    """Columns a text takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(character) in "WF" else 1 for character in text)


def _pad(text: str, width: int) -> str:
    """The text padded with spaces to `width` terminal columns."""
    return text + " " * max(width - _width(text), 0)


def render_logins(city: DemoCity | None, logins: list[DemoLogin]) -> list[str]:
    """Lines describing the demo city, its shared password, the second factor and every demo account."""
    lines = []
    if city is not None:
        line = _("Demo city 明湖市: scale %(scale)s, seed %(seed)d, %(count)s generated citizens") % {
            "scale": city.scale,
            "seed": city.seed,
            "count": f"{city.people:,}",
        }
        if not city.complete:
            line += " — " + _("INCOMPLETE: run `yiwang demo --resume` to finish loading it")
        lines.append(line)
    lines += [
        _("Password of every demo account: %(password)s") % {"password": DEMO_PASSWORD},
        _("Staff set up an authenticator app (TOTP) at their first login: scan the QR code, then type its code."),
        "",
    ]
    header = (_("username"), _("name"), _("roles"), _("department / note"))
    rows = [
        (
            login.username,
            login.real_name,
            ", ".join(login.roles),
            " — ".join(filter(None, [login.department, login.note])),
        )
        for login in logins
    ]
    widths = [max(_width(row[column]) for row in [header, *rows]) for column in range(3)]
    for row in [header, *rows]:
        cells = "  ".join(_pad(value, widths[column]) for column, value in enumerate(row[:3]))
        lines.append(f"{cells}  {row[3]}".rstrip())
    return lines
