"""The console menu: each app declares its entries on its AppConfig; the shell shows those a user may use."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from yiwang.core.menu import MenuEntry


@dataclass(frozen=True)
class MenuLink:
    """A menu entry resolved for one request."""

    label: str
    url: str
    current: bool


def console_menu(*, roles: frozenset[str], current_path: str) -> list[MenuLink]:
    """The entries of every installed app that the given roles may use, in order."""
    entries: list[MenuEntry] = []
    for config in apps.get_app_configs():
        entries.extend(getattr(config, "console_menu", ()))
    links = []
    for entry in sorted(entries, key=lambda item: (item.order, str(item.label))):
        if entry.roles and not entry.roles & roles:
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        current = current_path == url or (url != "/console/" and current_path.startswith(url))
        links.append(MenuLink(label=str(entry.label), url=url, current=current))
    return links
