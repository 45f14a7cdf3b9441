"""Forms pre-filled from the base registries (一数一源), with the applicant's consent recorded.

A form field says which registry element answers it with the JSON Schema extension keyword `x-registry`, written
like a material's source and checked when the item is saved (`form_schema.check_form_schema`):
`"x-registry": "population:registered_address"` (the applicant's own record, by their ID number) or
`"legal-entities:name"` (the enterprise applied for, by its credit code). The applicant asks for the pre-fill;
that request is the consent, recorded as an event of the application naming every element read. Only empty
answers are filled (what the applicant typed stays), and only with values the field accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from jsonschema import Draft202012Validator

from yiwang.core.errors import NotFound, ValidationFailed
from yiwang.datahub.catalog.selectors import resource_schema
from yiwang.datahub.registries import LEGAL_ENTITIES, POPULATION
from yiwang.datahub.registry.selectors import record_get
from yiwang.identity.selectors import enterprises_for
from yiwang.services.applications.form_schema import PREFILL_REGISTRIES
from yiwang.services.applications.services import _locked, _require_applicant, _require_status, _step
from yiwang.services.models import Application, ApplicationStatus

KEYWORD = "x-registry"
# Whose record each registry holds for an application: the applicant's (by ID number) or the enterprise's.
KEYS = {POPULATION: "id_number", LEGAL_ENTITIES: "credit_code"}


@dataclass(frozen=True)
class PrefillField:
    """A field of the form that a registry can answer."""

    field: str
    title: str
    resource: str  # slug
    element: str  # element code


def prefill_fields(schema: dict[str, Any]) -> list[PrefillField]:
    """The form's fields a registry answers, in the form's order (what the consent names)."""
    found = []
    for name, definition in (schema.get("properties") or {}).items():
        reference = definition.get(KEYWORD) if isinstance(definition, dict) else None
        if not isinstance(reference, str) or ":" not in reference:
            continue
        resource, _colon, element = reference.partition(":")
        if element in PREFILL_REGISTRIES.get(resource, ()):
            found.append(PrefillField(name, str(definition.get("title", name)), resource, element))
    return found


def _subject_key(actor: Any, application: Application, resource: str) -> str | None:
    """The key of the applicant's own record in the registry (None when there is none to read)."""
    if resource == POPULATION:
        return str(getattr(application.applicant, "id_number", "") or "") or None
    if application.enterprise_id is None:
        return None
    link = next((link for link in enterprises_for(actor) if link.enterprise_id == application.enterprise_id), None)
    return link.credit_code if link else None


def _typed(value: str, definition: dict[str, Any]) -> Any:
    """The registry's text as the field's JSON type, or None when the field would not accept it."""
    kind = definition.get("type")
    converters: dict[Any, Any] = {"integer": int, "number": float, "string": str}
    if kind not in converters:
        return None
    try:
        typed = converters[kind](value)
    except ValueError:
        return None
    field_schema = {key: item for key, item in definition.items() if key != KEYWORD}
    return typed if Draft202012Validator(field_schema).is_valid(typed) else None


@transaction.atomic
def application_prefill(*, actor: Any, application_id: int) -> Application:
    """Fill the draft's empty answers from the registries, with the applicant's consent (this request) recorded as
    an event naming every element read. ValidationFailed when the form asks nothing a registry holds."""
    application = _locked(application_id)
    _require_applicant(actor, application)
    _require_status(application, {ApplicationStatus.DRAFT})
    schema = application.item_version.form_schema
    fields = prefill_fields(schema)
    if not fields:
        raise ValidationFailed(_("This item's form asks nothing the base registries hold."), field="form_data")
    records: dict[str, dict[str, str] | None] = {}
    for resource in {field.resource for field in fields}:
        key = _subject_key(actor, application, resource)
        try:
            found = record_get(schema=resource_schema(slug=resource), key_values={KEYS[resource]: key}) if key else None
        except NotFound:  # the registry is not published yet
            found = None
        records[resource] = found.values if found else None
    answers = dict(application.form_data or {})
    filled, unavailable = [], []
    for field in fields:
        values = records.get(field.resource)
        value = _typed(values.get(field.element, ""), schema["properties"][field.field]) if values else None
        if value is None or value == "":
            unavailable.append(field.field)
        elif answers.get(field.field) in (None, ""):
            answers[field.field] = value
            filled.append(field.field)
    application.form_data = answers
    read = sorted({f"{field.resource}:{field.element}" for field in fields})
    return _step(  # the event and its audit event are the record of the consent
        application,
        actor=actor,
        action="prefill",
        status=None,
        opinion=str(_("The applicant agreed that the platform reads their data from the base registries.")),
        details={"consent": True, "read": read, "filled": filled, "unavailable": unavailable},
        fields=["form_data"],
    )
