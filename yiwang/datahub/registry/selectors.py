"""Reading registry records: by key, by a looked-up sensitive value, and the real-name check for identity."""

from __future__ import annotations

from dataclasses import dataclass

from yiwang.core.errors import NotFound
from yiwang.core.identifiers import InvalidIdentifier, validate_id_number
from yiwang.datahub.catalog.schema import ResourceSchema
from yiwang.datahub.catalog.selectors import resource_schema
from yiwang.datahub.models import LookupIndex, Record
from yiwang.datahub.registries import POPULATION
from yiwang.datahub.registry.records import lookup_digest, record_key, unseal
from yiwang.identity.realname import MatchOutcome, RealNameMatch


@dataclass(frozen=True)
class RecordView:
    """A record with its values in clear (for services that are entitled to them) and where each came from."""

    record_id: int
    key: str
    values: dict[str, str]
    provenance: dict[str, list[int]]


def record_view(schema: ResourceSchema, record: Record) -> RecordView:
    """A stored record with its sealed values opened."""
    values = dict(record.data) | unseal(schema.resource_id, record.key, record.protected)
    return RecordView(record_id=record.pk, key=record.key, values=values, provenance=dict(record.provenance))


def record_get(*, schema: ResourceSchema, key_values: dict[str, str]) -> RecordView | None:
    """The record whose key elements have these (canonical) values."""
    record = Record.objects.filter(resource_id=schema.resource_id, key=record_key(schema, key_values)).first()
    return record_view(schema, record) if record else None


def record_by_stored_key(*, schema: ResourceSchema, key: str) -> RecordView | None:
    """The record with this stored key (as linking and conflicts name records: a blind index for sensitive keys)."""
    record = Record.objects.filter(resource_id=schema.resource_id, key=key).first()
    return record_view(schema, record) if record else None


def records_by_lookup(*, schema: ResourceSchema, element_code: str, value: str) -> list[RecordView]:
    """Records whose looked-up sensitive element has this value (e.g. enterprises of one legal representative)."""
    digest = lookup_digest(schema, element_code, value)
    records = Record.objects.filter(
        pk__in=LookupIndex.objects.filter(
            resource_id=schema.resource_id, element_code=element_code, digest=digest
        ).values("record_id")
    )
    return [record_view(schema, record) for record in records]


def record_count(*, resource_id: int) -> int:
    """How many records a resource holds."""
    return Record.objects.filter(resource_id=resource_id).count()


def population_real_name_match(real_name: str, id_number: str) -> RealNameMatch:
    """Identity's real-name check (可信等级 3): does the population registry hold this name for this number?"""
    source = "datahub:population"
    try:
        number = validate_id_number(id_number, strict=False)
        schema = resource_schema(slug=POPULATION)
    except (InvalidIdentifier, NotFound):  # a number the registry cannot hold, or no registry published yet
        return RealNameMatch(outcome=MatchOutcome.NOT_FOUND, source=source)
    record = record_get(schema=schema, key_values={"id_number": number})
    if record is None:
        return RealNameMatch(outcome=MatchOutcome.NOT_FOUND, source=source)
    if record.values.get("name", "").strip() != real_name.strip():
        return RealNameMatch(outcome=MatchOutcome.NAME_MISMATCH, source=source)
    return RealNameMatch(outcome=MatchOutcome.MATCHED, source=source)
