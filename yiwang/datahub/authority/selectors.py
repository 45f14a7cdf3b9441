"""Reading conflicts: the queue of the authoritative department, and the feedback to the other sources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from yiwang.core.crypto import decrypt_field
from yiwang.core.identifiers import mask_id_number, mask_name, mask_phone
from yiwang.datahub.catalog.selectors import resource_schema
from yiwang.datahub.models import Conflict, ConflictStatus
from yiwang.datahub.registry.selectors import record_view
from yiwang.identity.roles import Role
from yiwang.identity.selectors import scope_to_departments


@dataclass(frozen=True)
class ConflictSummary:
    """A conflict in a list; values of sensitive elements are masked here."""

    id: int
    resource: str
    resource_slug: str
    element_code: str
    authoritative_value: str
    other_value: str
    authoritative_department: str
    other_department: str
    status: str
    created_at: Any
    resolved_at: Any
    resolution_note: str


def conflict_values(conflict: Conflict) -> tuple[str, str]:
    """The two values in clear (for the authoritative department deciding, and for correcting)."""
    if not conflict.values_protected:
        return conflict.authoritative_value, conflict.other_value
    context = f"datahub.conflict/{conflict.resource_id}/{conflict.record.key}/{conflict.element_code}"
    return (
        decrypt_field(conflict.authoritative_value, context=context),
        decrypt_field(conflict.other_value, context=context),
    )


def conflict_record_label(conflict: Conflict) -> tuple[str, str]:
    """The element's name and the record's key values in clear (part of the audited read of the conflict)."""
    schema = resource_schema(slug=conflict.resource.slug)
    try:
        element_name = schema.element(conflict.element_code).name
    except KeyError:
        element_name = conflict.element_code
    values = record_view(schema, conflict.record).values
    key = " / ".join(f"{element.name} {values.get(element.code, '')}" for element in schema.key_elements)
    return element_name, key


def _masked(code: str, value: str) -> str:
    if "id_number" in code:
        return mask_id_number(value)
    if "phone" in code:
        return mask_phone(value)
    if len(value) > 6:
        return value[:2] + "*" * (len(value) - 4) + value[-2:]
    return mask_name(value)


def _summary(conflict: Conflict) -> ConflictSummary:
    authoritative, other = conflict_values(conflict)
    if conflict.values_protected:
        authoritative, other = _masked(conflict.element_code, authoritative), _masked(conflict.element_code, other)
    return ConflictSummary(
        id=conflict.pk,
        resource=conflict.resource.name,
        resource_slug=conflict.resource.slug,
        element_code=conflict.element_code,
        authoritative_value=authoritative,
        other_value=other,
        authoritative_department=conflict.authoritative_department.name,
        other_department=conflict.other_department.name,
        status=conflict.status,
        created_at=conflict.created_at,
        resolved_at=conflict.resolved_at,
        resolution_note=conflict.resolution_note,
    )


def _base() -> QuerySet[Conflict]:
    return Conflict.objects.select_related("resource", "record", "authoritative_department", "other_department")


def conflict_queue(
    *,
    viewer: Any,
    status: str = ConflictStatus.OPEN,
    resource_slug: str = "",
    element_code: str = "",
    limit: int = 200,
) -> list[ConflictSummary]:
    """Conflicts the viewer's department decides (all of them for platform administrators), newest first."""
    queryset = scope_to_departments(_base().filter(status=status), viewer, field="authoritative_department")
    if resource_slug:
        queryset = queryset.filter(resource__slug=resource_slug)
    if element_code:
        queryset = queryset.filter(element_code=element_code)
    return [_summary(item) for item in queryset.order_by("-id")[:limit]]


def conflict_feedback(*, viewer: Any, limit: int = 200) -> list[ConflictSummary]:
    """Decided conflicts about values the viewer's department sent: what to correct at the source (纠错)."""
    queryset = scope_to_departments(_base().exclude(status=ConflictStatus.OPEN), viewer, field="other_department")
    return [_summary(item) for item in queryset.order_by("-resolved_at")[:limit]]


def conflict_for(*, viewer: Any, conflict_id: int) -> Conflict | None:
    """One conflict, if the viewer's department is one of its two sides (or the viewer administers the platform)."""
    conflict = _base().filter(pk=conflict_id).first()
    if conflict is None:
        return None
    if viewer.has_role(Role.PLATFORM_ADMIN):
        return conflict
    departments = {conflict.authoritative_department_id, conflict.other_department_id}
    visible = scope_to_departments(
        _base().filter(pk=conflict_id), viewer, field="authoritative_department"
    ) | scope_to_departments(_base().filter(pk=conflict_id), viewer, field="other_department")
    return conflict if departments and visible.exists() else None


def open_conflict_count(*, department_id: int) -> int:
    """How many conflicts wait for a department's decision."""
    return Conflict.objects.filter(Q(authoritative_department_id=department_id) & Q(status=ConflictStatus.OPEN)).count()
