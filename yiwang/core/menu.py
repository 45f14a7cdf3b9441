"""Console menu entries: each app lists its own on its AppConfig (`console_menu`); the web shell shows them."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise


@dataclass(frozen=True)
class MenuEntry:
    """One link in the console menu. `roles` empty means every staff member; otherwise any of them."""

    label: str | Promise
    url_name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    order: int = 100
