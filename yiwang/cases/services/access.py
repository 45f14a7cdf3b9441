"""Who may do what to a case: the hotline's roles, the units' handlers, grid workers, oversight."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from yiwang.cases.models import AssignmentRole, AssignmentStatus, Case, CaseAssignment
from yiwang.core.errors import Conflict, PermissionDenied
from yiwang.identity.roles import Role, UserKind
from yiwang.identity.selectors import visible_department_ids

HOTLINE_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.PLATFORM_ADMIN})
DISPATCH_ROLES = frozenset({Role.DISPATCHER, Role.PLATFORM_ADMIN})
OVERSIGHT_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})


def is_staff(actor: Any) -> bool:
    """A signed-in, active staff account."""
    return bool(actor is not None and actor.is_authenticated and actor.is_active and actor.kind == UserKind.STAFF)


def is_hotline(actor: Any) -> bool:
    """An operator, dispatcher or platform administrator: sees every case and the reporters."""
    return is_staff(actor) and bool(actor.role_set & HOTLINE_ROLES)


def is_dispatcher(actor: Any) -> bool:
    """A dispatcher (or platform administrator): reviews returns and extensions, merges, escalates."""
    return is_staff(actor) and bool(actor.role_set & DISPATCH_ROLES)


def require_hotline(actor: Any) -> None:
    if not is_hotline(actor):
        raise PermissionDenied(_("Only the hotline's operators and dispatchers may do this."))


def require_dispatcher(actor: Any) -> None:
    if not is_dispatcher(actor):
        raise PermissionDenied(_("Only the hotline's dispatchers may do this."))


def acting_assignment(
    actor: Any, case: Case, *, role: str | None = None, statuses: tuple[str, ...] = ()
) -> CaseAssignment:
    """The current assignment of `case` the actor handles for their unit (or a sub-unit's), or PermissionDenied."""
    if not (is_staff(actor) and actor.has_role(Role.HANDLER)):
        raise PermissionDenied(_("Only a handling unit's case handlers may do this."))
    visible = visible_department_ids(actor)
    assignments = [
        assignment
        for assignment in case.assignments.filter(active=True).select_related("department")
        if (visible is None or assignment.department_id in visible) and (role is None or assignment.role == role)
    ]
    # The lead part first: a unit that is both lead and co (not allowed by dispatch) would act as lead.
    assignments.sort(key=lambda assignment: assignment.role != AssignmentRole.LEAD)
    if statuses:
        matching = [assignment for assignment in assignments if assignment.status in statuses]
        if matching:
            return matching[0]
        if assignments:  # typically a colleague of the same unit took the step first
            raise Conflict(
                _("Your unit's part in this case is %(status)s: this step is not open to it.")
                % {"status": AssignmentStatus(assignments[0].status).label}
            )
    elif assignments:
        return assignments[0]
    if role == AssignmentRole.LEAD:
        raise PermissionDenied(_("Only the lead unit may do this."))
    raise PermissionDenied(_("This case is not assigned to your unit."))
