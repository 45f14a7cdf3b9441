"""Resolving conflicts (一数一源、多元校核): the authoritative department decides, every outcome is fed back."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.core.audit.services import Actor, record_model_event
from yiwang.core.crypto import encrypt_field
from yiwang.core.errors import Conflict as ConflictError
from yiwang.core.errors import NotFound, PermissionDenied, ValidationFailed
from yiwang.datahub.authority.selectors import conflict_values
from yiwang.datahub.catalog.selectors import resource_schema
from yiwang.datahub.ingestion.validation import RowChecker
from yiwang.datahub.models import Conflict, ConflictStatus, Record
from yiwang.datahub.registry.records import seal, unseal
from yiwang.identity.roles import Role


def may_resolve(actor: Any, conflict: Conflict) -> bool:
    """Data administrators of the authoritative department, and platform administrators."""
    if actor is None or actor.has_role(Role.PLATFORM_ADMIN):
        return True
    return bool(actor.has_role(Role.DATA_ADMIN) and actor.department_id == conflict.authoritative_department_id)


def _checked_value(conflict: Conflict, value: str) -> str:
    """A corrected value passes the same checks as a value in a file."""
    schema = resource_schema(slug=conflict.resource.slug)
    element = schema.element(conflict.element_code)
    checker = RowChecker(schema, {0: element})
    checker.required = [element] if element.required else []  # one value is checked, not a whole row
    accepted, errors = checker.check([(1, [value])])
    element_errors = [error for error in errors if error.column == element.name]
    if element_errors:
        raise ValidationFailed(element_errors[0].reason, field="value")
    if not accepted or element.code not in accepted[0].values:
        raise ValidationFailed(_("Enter the corrected value."), field="value")
    return accepted[0].values[element.code]


def conflict_resolve(
    *, actor: Actor | None, conflict_id: int, outcome: str, note: str = "", corrected_value: str | None = None
) -> Conflict:
    """Close a conflict: confirm the authoritative value, correct it, or mark the other source wrong.

    Correcting writes the new value into the record with the authoritative department as its source.
    """
    if outcome not in {ConflictStatus.CONFIRMED, ConflictStatus.CORRECTED, ConflictStatus.OTHER_WRONG}:
        raise ValidationFailed(_("Choose confirm, correct, or other source wrong."), field="outcome")
    with transaction.atomic():
        conflict = (
            Conflict.objects.select_for_update().select_related("resource", "record").filter(pk=conflict_id).first()
        )
        if conflict is None:
            raise NotFound(_("No such conflict."))
        if not may_resolve(actor, conflict):
            raise PermissionDenied(_("Only the authoritative department resolves this conflict."))
        if conflict.status != ConflictStatus.OPEN:
            raise ConflictError(_("This conflict was already resolved."))
        changes: dict[str, Any] = {"outcome": outcome, "element": conflict.element_code}
        if outcome == ConflictStatus.CORRECTED:
            if corrected_value is None or not corrected_value.strip():
                corrected_value = conflict_values(conflict)[1]
            value = _checked_value(conflict, corrected_value)
            _write_value(conflict, value)
            context = f"datahub.conflict/{conflict.resource_id}/{conflict.record.key}/{conflict.element_code}"
            conflict.authoritative_value = encrypt_field(value, context=context) if conflict.values_protected else value
            changes["corrected"] = True
        conflict.status = outcome
        conflict.resolution_note = note.strip()
        conflict.resolved_by_id = getattr(actor, "pk", None)
        conflict.resolved_at = timezone.now()
        conflict.save()
        # The audit event is also the feedback (纠错) both departments see in their lists.
        record_model_event(actor=actor, action="datahub.conflict.resolve", instance=conflict, changes=changes)
    return conflict


def _write_value(conflict: Conflict, value: str) -> None:
    record = Record.objects.select_for_update().get(pk=conflict.record_id)
    code = conflict.element_code
    if conflict.values_protected:
        secret = unseal(record.resource_id, record.key, record.protected)
        secret[code] = value
        record.protected = seal(record.resource_id, record.key, secret)
    else:
        data = dict(record.data)
        data[code] = value
        record.data = data
    provenance = dict(record.provenance)
    provenance[code] = [conflict.authoritative_department_id, None]
    record.provenance = provenance
    record.updated_at = timezone.now()
    record.save(update_fields=["data", "protected", "provenance", "updated_at"])
