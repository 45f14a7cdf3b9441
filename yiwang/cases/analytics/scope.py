"""Who may read the case analytics, and which units' figures they see."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from yiwang.core.errors import PermissionDenied
from yiwang.identity.roles import Role, UserKind
from yiwang.identity.selectors import visible_department_ids

# The hotline centre works on every unit's cases, so it reads every unit's figures.
CITY_WIDE_ROLES = (Role.DISPATCHER, Role.OPERATOR, Role.PLATFORM_ADMIN)
ANALYTICS_ROLES = (Role.SUPERVISOR, Role.LEADER, Role.HANDLER, *CITY_WIDE_ROLES)


def analytics_scope(actor: Any) -> frozenset[int] | None:
    """The departments whose figures `actor` reads (None: all of them); refuses those without an analytics role.

    Supervisors and leaders see the units of their division (`visible_department_ids`), a handler their own unit
    and its sub-units, the hotline's operators and dispatchers and the platform's administrators every unit."""
    if not getattr(actor, "is_authenticated", False) or getattr(actor, "kind", None) != UserKind.STAFF:
        raise PermissionDenied(_("Case analytics are for the hotline, the handling units and their supervisors."))
    if not actor.is_active or not actor.has_role(*ANALYTICS_ROLES):
        raise PermissionDenied(_("Your roles do not include reading case analytics."))
    if actor.has_role(*CITY_WIDE_ROLES):
        return None
    return visible_department_ids(actor)
