"""Reading registry records: by key, by a looked-up sensitive value, and the real-name check for identity."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiwang.core.errors import NotFound, ValidationFailed, lazy_format
from yiwang.core.identifiers import InvalidIdentifier, validate_credit_code, validate_id_number
from yiwang.datahub.catalog.schema import ResourceSchema
from yiwang.datahub.catalog.selectors import resource_schema
from yiwang.datahub.models import LookupIndex, Record
from yiwang.datahub.registries import POPULATION
from yiwang.datahub.registry.records import RecordCipher, RecordKeys, json_object, lookup_digest, record_key
from yiwang.identity.realname import MatchOutcome, RealNameMatch

_RECORD_TABLE = Record._meta.db_table


@dataclass(frozen=True)
class RecordView:
    """A record with its values in clear (for services that are entitled to them) and where each came from."""

    record_id: int
    key: str
    values: dict[str, str]
    provenance: dict[str, list[int]]


def record_view(schema: ResourceSchema, record: Record) -> RecordView:
    """A stored record with its sealed values opened."""
    return RegistryReader(schema).view(record)


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


def canonical_value(schema: ResourceSchema, element_code: str, value: str) -> str:
    """A value as the registry stores it: identifiers in their canonical form, text NFKC-folded and trimmed."""
    element = schema.element(element_code)
    text = unicodedata.normalize("NFKC", value).strip()
    try:
        if element.data_type == "id_number":
            return validate_id_number(text, strict=False)
        if element.data_type == "credit_code":
            return validate_credit_code(text, strict=False)
    except InvalidIdentifier:
        return text.upper()
    return text


def key_values_from_text(schema: ResourceSchema, key: str) -> dict[str, str]:
    """The key elements' values from a key as callers write it: the values joined by '|' in element order."""
    parts = key.split("|") if len(schema.key_elements) > 1 else [key]
    if len(parts) != len(schema.key_elements):
        names = "|".join(element.name for element in schema.key_elements)
        raise ValidationFailed(
            lazy_format(_("A key of %(resource)s has the form %(names)s."), {"resource": schema.name, "names": names}),
            field="key",
        )
    return {
        element.code: canonical_value(schema, element.code, part)
        for element, part in zip(schema.key_elements, parts, strict=True)
    }


class RegistryReader:
    """Reads one resource's records by key and by filter, with its keys and cipher derived once.

    For callers that read often (the exchange gateway): build one per published schema and keep it.
    """

    def __init__(self, schema: ResourceSchema) -> None:
        self.schema = schema
        self.keys = RecordKeys(schema)
        self.cipher = RecordCipher(schema.resource_id)

    def stored_key(self, key: str) -> str:
        """The stored key (a blind index for sensitive keys) of a key as callers write it."""
        return self.keys.key(key_values_from_text(self.schema, key))

    def view(self, record: Record) -> RecordView:
        values = dict(record.data) | self.cipher.unseal(record.key, record.protected)
        return RecordView(record_id=record.pk, key=record.key, values=values, provenance=dict(record.provenance))

    def by_stored_keys(self, stored_keys: Sequence[str]) -> dict[str, RecordView]:
        """The records with these stored keys, by stored key (missing ones are absent), without provenance.

        The exchange gateway's read, on its hottest path: one SQL statement reading only the values, parsed by
        orjson — a third of the ORM's cost for one record (docs/benchmarks.md, exchange gateway).
        """
        wanted = list(dict.fromkeys(stored_keys))
        if not wanted:
            return {}
        placeholders = ", ".join(["%s"] * len(wanted))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, key, data, protected FROM {_RECORD_TABLE} "  # noqa: S608 - fixed names, values bound
                f"WHERE resource_id = %s AND key IN ({placeholders})",
                [self.schema.resource_id, *wanted],
            )
            rows = cursor.fetchall()
        unseal = self.cipher.unseal
        return {
            key: RecordView(
                record_id=record_id,
                key=key,
                values=json_object(values) | unseal(key, protected),
                provenance={},
            )
            for record_id, key, values, protected in rows
        }

    def query(self, filters: Sequence[tuple[str, str, list[str]]], *, after: int, limit: int) -> list[RecordView]:
        """Records passing every (element code, operator, values) filter, in id order after record `after`.

        Operators: `eq` and `in` on any element that can be compared (a plain value, the key, or a sensitive
        element that has a blind index), `prefix` on plain text. Other sensitive elements cannot be searched.
        """
        condition = Q(resource_id=self.schema.resource_id, pk__gt=after)
        for code, operator, values in filters:
            condition &= self._condition(code, operator, values)
        records = Record.objects.filter(condition).order_by("pk")[:limit]
        return [self.view(record) for record in records]

    def _condition(self, code: str, operator: str, values: list[str]) -> Q:
        element = self.schema.element(code)
        canonical = [canonical_value(self.schema, code, value) for value in values]
        if element.is_key and len(self.schema.key_elements) == 1:
            if operator not in {"eq", "in"}:
                raise ValidationFailed(_("The key can only be compared for equality."), field=code)
            return Q(key__in=[self.keys.key({code: value}) for value in canonical])
        if element.sensitive:
            if not element.lookup or operator not in {"eq", "in"}:
                raise ValidationFailed(
                    lazy_format(
                        _("%(element)s is protected and can only be compared for equality when it is indexed."),
                        {"element": element.name},
                    ),
                    field=code,
                )
            digests = [self.keys.lookup(code, value) for value in canonical]
            return Q(
                pk__in=LookupIndex.objects.filter(
                    resource_id=self.schema.resource_id, element_code=code, digest__in=digests
                ).values("record_id")
            )
        if operator == "prefix":
            return Q(**{f"data__{code}__startswith": canonical[0]})
        return Q(**{f"data__{code}__in": canonical})


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
