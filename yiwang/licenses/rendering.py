"""A license as its holder sees it: the PDF with its data, the seal picture and the QR code of its verification
link (ADR 0020 says how OFD would be added)."""

from __future__ import annotations

import json

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from yiwang.licenses.documents import read_license_file
from yiwang.licenses.models import HolderKind, License
from yiwang.licenses.pdf import LicenseSheet, render_license_pdf


def verify_url(identifier: str) -> str:
    """The public verification link (what the QR code holds)."""
    return settings.YIWANG_PUBLIC_URL + reverse("licenses:verify", args=[identifier])


def license_rows(data: dict[str, object]) -> list[tuple[str, str]]:
    """The license's data as (label, value) rows, in the type's order of elements."""
    holder = data.get("holder") if isinstance(data.get("holder"), dict) else {}
    assert isinstance(holder, dict)
    person = holder.get("kind") == HolderKind.PERSON
    rows = [
        (_("Holder") if person else _("Name"), str(holder.get("name", ""))),
        (_("ID number") if person else _("Unified social credit code"), str(holder.get("code", ""))),
    ]
    elements = data.get("elements") if isinstance(data.get("elements"), dict) else {}
    names = data.get("element_names") if isinstance(data.get("element_names"), dict) else {}
    assert isinstance(elements, dict) and isinstance(names, dict)
    for code, value in elements.items():
        rows.append(
            (str(names.get(code, code)), value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
        )
    return rows


def license_pdf(license: License, *, watermark_for: str = "") -> bytes:
    """The license as PDF. With `watermark_for` (a material's name), the copy is marked as given for government
    services only, as trust-level-A materials are (国办函〔2016〕108号)."""
    data = read_license_file(license.document).data
    validity = (
        _("%(start)s to %(end)s") % {"start": data["valid_from"], "end": data["valid_until"]}
        if data.get("valid_until")
        else _("%(start)s, without time limit") % {"start": data["valid_from"]}
    )
    watermark = ""
    if watermark_for:
        watermark = _("Provided by %(issuer)s for government services only (%(material)s)") % {
            "issuer": license.issuer.name,
            "material": watermark_for,
        }
    sheet = LicenseSheet(
        title=license.license_type.name,
        identifier=license.identifier,
        rows=license_rows(data),
        issuer=license.issuer.name,
        issued_on=str(data["issued_on"]),
        validity=validity,
        seal_png=bytes(license.seal.picture),
        verify_url=verify_url(license.identifier),
        labels={
            "identifier": _("License identifier"),
            "issuer": _("Issued by"),
            "issued_on": _("Issued on"),
            "validity": _("Valid"),
            "verify": _("Scan to verify this license"),
        },
        watermark=watermark,
    )
    return render_license_pdf(sheet)
