"""Who may read and change the dispatch catalogue, the taxonomy, the time limits, the responsibility lists and the
grid: dispatchers (派单员) and platform administrators change them; the hotline, the units and oversight read them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from yiwang.core.errors import PermissionDenied
from yiwang.identity.roles import Role, UserKind

EDIT_ROLES = (Role.DISPATCHER, Role.PLATFORM_ADMIN)
READ_ROLES = (
    Role.OPERATOR,
    Role.DISPATCHER,
    Role.HANDLER,
    Role.SUPERVISOR,
    Role.LEADER,
    Role.PLATFORM_ADMIN,
)
# Grid workers also read the grid (their own cells first).
GRID_READ_ROLES = (*READ_ROLES, Role.GRID_WORKER)


def _is_staff_with(user: Any, roles: tuple[str, ...]) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "kind", None) == UserKind.STAFF
        and user.has_role(*roles)
    )


def may_edit_catalogue(user: Any) -> bool:
    """Whether `user` may change the catalogue, taxonomy, time limits, responsibility lists and grid."""
    return _is_staff_with(user, EDIT_ROLES)


def may_read_catalogue(user: Any) -> bool:
    """Whether `user` may read the catalogue, time limits and responsibility lists."""
    return _is_staff_with(user, READ_ROLES)


def may_read_grid(user: Any) -> bool:
    """Whether `user` may read the grid cells."""
    return _is_staff_with(user, GRID_READ_ROLES)


def require_editor(actor: Any) -> None:
    """Refuse anyone but a dispatcher or a platform administrator; `None` is the platform itself (the demo)."""
    if actor is None:
        return
    if not may_edit_catalogue(actor):
        raise PermissionDenied(_("Only dispatchers and platform administrators change the dispatch catalogue."))
