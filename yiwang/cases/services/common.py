"""What every step of a case does: lock the case, append its event and its audit record."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.cases.models import Case, CaseEvent
from yiwang.core.audit.services import record_event
from yiwang.core.errors import Conflict, NotFound


def locked_case(case_id: int) -> Case:
    """The case, locked for this transaction (PostgreSQL; SQLite's write lock serialises anyway)."""
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("There is no such case."), field="case_id")
    return case


def require_status(case: Case, *statuses: str) -> None:
    """Refuse a step the case's current status does not allow (typically a concurrent step got there first)."""
    if case.status not in statuses:
        raise Conflict(
            _("Case %(number)s is %(status)s: this step is not possible now.")
            % {"number": case.number, "status": case.get_status_display()},
            field="status",
        )


def acting_department_id(actor: Any) -> int | None:
    return getattr(actor, "department_id", None) if actor is not None else None


def step(
    case: Case,
    *,
    kind: str,
    actor: Any,
    text: str = "",
    data: dict[str, Any] | None = None,
    public: bool = False,
    department_id: int | None = None,
    audit: dict[str, Any] | None = None,
) -> CaseEvent:
    """Append the event of a step and its audit record, in the caller's transaction."""
    now = timezone.now()
    event = CaseEvent.objects.create(
        case=case,
        kind=kind,
        at=now,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        department_id=department_id if department_id is not None else acting_department_id(actor),
        text=text,
        data=data or {},
        public=public,
    )
    record_event(
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        action=f"cases.case.{kind}",
        object_type="cases.case",
        object_id=case.number,
        changes=audit if audit is not None else dict(data or {}),
    )
    Case.objects.filter(pk=case.pk).update(updated_at=now)
    return event


def required_text(value: str, *, field: str, label: Any, maximum: int = 4000) -> str:
    """A stripped text that must not be empty nor too long."""
    from yiwang.core.errors import ValidationFailed

    text = (value or "").strip()
    if not text:
        raise ValidationFailed(_("%(label)s is required.") % {"label": label}, field=field)
    if len(text) > maximum:
        raise ValidationFailed(
            _("%(label)s is too long: at most %(maximum)d characters.") % {"label": label, "maximum": maximum},
            field=field,
        )
    return text
