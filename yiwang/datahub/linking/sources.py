"""The records entity resolution reads: every published resource whose elements carry person or entity concepts.

An element's `concept` (person.name, person.id_number, entity.credit_code, …) says what it holds, whatever
a department called its column. A resource takes part when it names the person or entity (name) and has at
least one more attribute to compare. Records are read in id order, chunk by chunk, sealed values opened per
record; they go to the engine as Arrow record batches, so memory holds one chunk of Python objects at a time.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pyarrow as pa

from yiwang.datahub.catalog.schema import ResourceSchema
from yiwang.datahub.catalog.selectors import resource_list, resource_schema
from yiwang.datahub.linking.records import ENTITY_SCHEMA, PERSON_SCHEMA
from yiwang.datahub.models import LinkKind, Record
from yiwang.datahub.registry.records import RecordCipher

CHUNK_RECORDS = 5000
# Record attribute → the concept of the element that holds it. The first element with the concept is read.
CONCEPTS = {
    LinkKind.PERSONS: {
        "name": "person.name",
        "id_number": "person.id_number",
        "birth_date": "person.birth_date",
        "sex": "person.sex",
        "address": "person.address",
        "phone": "person.phone",
    },
    LinkKind.ENTITIES: {
        "name": "entity.name",
        "credit_code": "entity.credit_code",
        "legal_representative": "entity.legal_representative",
        "address": "entity.address",
        "phone": "entity.phone",
    },
}
SCHEMAS = {LinkKind.PERSONS: PERSON_SCHEMA, LinkKind.ENTITIES: ENTITY_SCHEMA}


@dataclass(frozen=True)
class LinkSource:
    """A resource that takes part in linking, and which of its elements feeds each attribute."""

    schema: ResourceSchema
    columns: dict[str, str]  # attribute → element code

    @property
    def slug(self) -> str:
        return self.schema.slug


def link_sources(kind: str, *, slugs: Sequence[str] = ()) -> list[LinkSource]:
    """The published resources holding persons (or entities), or those of `slugs` (each must qualify)."""
    wanted = list(slugs) or [item.slug for item in resource_list(published_only=True)]
    found = []
    for slug in wanted:
        schema = resource_schema(slug=slug)  # NotFound for an unknown or unpublished slug
        columns: dict[str, str] = {}
        for attribute, concept in CONCEPTS[LinkKind(kind)].items():
            element = next((item for item in schema.elements if item.concept == concept), None)
            if element is not None:
                columns[attribute] = element.code
        if "name" in columns and len(columns) >= 2:
            found.append(LinkSource(schema=schema, columns=columns))
        elif slugs:
            found.append(LinkSource(schema=schema, columns={}))
    return found


def _date(value: str | None) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return None


def source_batches(kind: str, sources: Sequence[LinkSource]) -> Iterator[pa.RecordBatch]:
    """Every record of the sources as rows of the engine's schema, one Arrow batch per chunk of records."""
    arrow_schema = SCHEMAS[LinkKind(kind)]
    attributes = [field.name for field in arrow_schema if field.name not in {"source", "record_id"}]
    for source in sources:
        last = 0
        sensitive = any(element.sensitive for element in source.schema.elements)
        cipher = RecordCipher(source.schema.resource_id)
        while True:
            chunk = list(
                Record.objects.filter(resource_id=source.schema.resource_id, pk__gt=last)
                .order_by("pk")
                .values_list("pk", "key", "data", "protected")[:CHUNK_RECORDS]
            )
            if not chunk:
                break
            last = chunk[-1][0]
            columns: dict[str, list[object]] = {name: [] for name in arrow_schema.names}
            for _pk, key, data, protected in chunk:
                values = dict(data or {})
                if sensitive and protected:
                    values |= cipher.unseal(key, protected)
                columns["source"].append(source.slug)
                columns["record_id"].append(key)
                for attribute in attributes:
                    code = source.columns.get(attribute)
                    value = str(values.get(code) or "") if code else ""
                    columns[attribute].append(_date(value) if attribute == "birth_date" else (value or None))
            yield pa.RecordBatch.from_pydict(columns, schema=arrow_schema)


def source_table(kind: str, sources: Sequence[LinkSource]) -> pa.Table:
    """All records of the sources as one Arrow table (columnar: about 100 bytes a person)."""
    return pa.Table.from_batches(list(source_batches(kind, sources)), schema=SCHEMAS[LinkKind(kind)])
