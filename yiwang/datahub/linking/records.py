"""What the linking engine reads: one record per department extract row, as dataclasses or Arrow tables.

Records travel as Arrow tables (columnar: a million people from three sources is about three million rows),
with the columns of `PERSON_SCHEMA` or `ENTITY_SCHEMA`. The generator adds a `truth_id` column (the real
person or enterprise) that the engine ignores and the evaluation reads. Small callers may pass dataclasses.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields

import pyarrow as pa

PERSON_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("record_id", pa.string()),
        ("name", pa.string()),
        ("id_number", pa.string()),
        ("birth_date", pa.date32()),
        ("sex", pa.string()),
        ("address", pa.string()),
        ("phone", pa.string()),
    ]
)
ENTITY_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("record_id", pa.string()),
        ("name", pa.string()),
        ("credit_code", pa.string()),
        ("legal_representative", pa.string()),
        ("address", pa.string()),
        ("phone", pa.string()),
    ]
)
TRUTH_FIELD = pa.field("truth_id", pa.string())


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person as one department holds them; any field but source and record_id may be missing."""

    source: str
    record_id: str
    name: str | None = None
    id_number: str | None = None
    birth_date: datetime.date | None = None
    sex: str | None = None  # "male"/"female", 男/女 or the GB/T 2261.1 codes 1/2
    address: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class EntityRecord:
    """An enterprise or other legal entity as one department holds it."""

    source: str
    record_id: str
    name: str | None = None
    credit_code: str | None = None
    legal_representative: str | None = None
    address: str | None = None
    phone: str | None = None


def person_table(records: Iterable[PersonRecord]) -> pa.Table:
    """Arrow table of person records, in `PERSON_SCHEMA`."""
    return _table(records, PERSON_SCHEMA, [field.name for field in fields(PersonRecord)])


def entity_table(records: Iterable[EntityRecord]) -> pa.Table:
    """Arrow table of entity records, in `ENTITY_SCHEMA`."""
    return _table(records, ENTITY_SCHEMA, [field.name for field in fields(EntityRecord)])


def _table(records: Iterable[PersonRecord] | Iterable[EntityRecord], schema: pa.Schema, names: list[str]) -> pa.Table:
    rows = [astuple(record) for record in records]
    columns = [pa.array([row[index] for row in rows], type=schema.field(name).type) for index, name in enumerate(names)]
    return pa.Table.from_arrays(columns, schema=schema)
