"""Staging checked rows and merging them into the registry, under 一数一源 (one authoritative source).

Both steps run inside the batch's transaction. New keys are inserted by one INSERT … SELECT in the database;
only rows whose key already has a record come back to Python, where each element is merged: the same value
changes nothing; a value from the element's authoritative source, or for an element whose current value no
authoritative source has set, replaces the old one; a different value from another source, where the
authoritative source has spoken, becomes a conflict and leaves the record as it is. An empty cell never
erases a value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from django.db import connection

from yiwang.core.crypto import encrypt_field
from yiwang.datahub.catalog.schema import ResourceSchema
from yiwang.datahub.ingestion.progress import PhaseClock
from yiwang.datahub.ingestion.validation import CheckedRow
from yiwang.datahub.models import Conflict, LookupIndex, Record
from yiwang.datahub.registry.records import RecordCipher, RecordKeys, json_object

MERGE_CHUNK = 5000
# Staged rows live in a temporary table of the batch's transaction: not logged, never shared, gone after it.
STAGE = "yiwang_stage"
_STAGED_COLUMNS = "row_number, key, data, protected, provenance, lookups"


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def stage_create() -> None:
    """Create the batch's staging table (inside the batch's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        suffix = " ON COMMIT DROP" if _is_postgresql() else ""
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE} (row_number integer NOT NULL, key varchar(128) NOT NULL, "
            f"data text NOT NULL, protected text NOT NULL, provenance text NOT NULL, lookups text NOT NULL){suffix}"
        )


def stage_index() -> None:
    """Index the staged keys once they are all in (cheaper than keeping the index up while loading)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX {STAGE}_key ON {STAGE} (key)")


def stage_drop() -> None:
    """Remove the staging table (PostgreSQL drops it at commit anyway)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")


def refresh_statistics() -> None:
    """Let the query planner learn the registry's new size after a large batch (outside any transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(Record._meta.db_table)}")


class Stager:
    """Turns checked rows into staged rows (keyed, sensitive values sealed) and writes them in bulk."""

    def __init__(self, *, batch_id: int, schema: ResourceSchema, source_department_id: int) -> None:
        self.batch_id = batch_id
        self.schema = schema
        self.sensitive = {element.code for element in schema.elements if element.sensitive}
        self.lookups = [element.code for element in schema.elements if element.lookup]
        self.source = source_department_id
        self.keys = RecordKeys(schema)
        self.cipher = RecordCipher(schema.resource_id)
        self.count = 0
        # Rows of one file mostly fill the same elements: their provenance is the same text.
        self._provenance: dict[tuple[str, ...], str] = {}

    def _provenance_of(self, codes: tuple[str, ...]) -> str:
        text = self._provenance.get(codes)
        if text is None:
            text = _json({code: [self.source, self.batch_id] for code in codes})
            self._provenance[codes] = text
        return text

    def staged(self, row: CheckedRow) -> tuple[Any, ...]:
        """The staged form of one checked row."""
        key = self.keys.key(row.values)
        plain = {code: value for code, value in row.values.items() if code not in self.sensitive}
        secret = {code: value for code, value in row.values.items() if code in self.sensitive}
        lookups = {code: self.keys.lookup(code, row.values[code]) for code in self.lookups if code in row.values}
        return (
            row.row,
            key,
            _json(plain),
            self.cipher.seal(key, secret),
            self._provenance_of(tuple(row.values)),
            _json(lookups) if lookups else "",
        )

    def add(self, rows: Sequence[CheckedRow]) -> None:
        """Stage a chunk of checked rows."""
        staged = [self.staged(row) for row in rows]
        if not staged:
            return
        with connection.cursor() as cursor:
            if _is_postgresql():
                with cursor.cursor.copy(f"COPY {STAGE} ({_STAGED_COLUMNS}) FROM STDIN") as copy:
                    for item in staged:
                        copy.write_row(item)
            else:
                cursor.executemany(f"INSERT INTO {STAGE} ({_STAGED_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)", staged)
        self.count += len(staged)


_REPEATED_KEYS = f"SELECT key FROM {STAGE} GROUP BY key HAVING COUNT(*) > 1"


def duplicate_keys() -> Iterator[list[int]]:
    """Row numbers that share a key inside the batch, one list per key, streamed (a file may repeat millions)."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(
            f"SELECT s.key, s.row_number FROM {STAGE} s WHERE s.key IN ({_REPEATED_KEYS}) ORDER BY s.key, s.row_number"
        )
        current: str | None = None
        group: list[int] = []
        while rows := cursor.fetchmany(MERGE_CHUNK):
            for key, row_number in rows:
                if key != current and group:
                    yield group
                    group = []
                current = key
                group.append(row_number)
        if group:
            yield group


def discard_repeated_keys() -> int:
    """Remove every staged row whose key repeats within the batch, in one statement; return how many."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {STAGE} WHERE key IN ({_REPEATED_KEYS})")
        return int(max(cursor.rowcount, 0))


@dataclass(frozen=True)
class MergeCounts:
    """What merging a batch did to the registry."""

    inserted: int
    changed: int
    unchanged: int
    conflicts: int
    compared: dict[str, int]  # per element: incoming values that met the authoritative source's value


@dataclass
class _Pending:
    updates: list[tuple[Any, ...]]
    conflicts: list[Conflict]
    lookups: list[tuple[int, str, str]]


class Merger:
    """Merges a batch's staged rows into the resource's records."""

    def __init__(
        self,
        *,
        schema: ResourceSchema,
        batch_id: int,
        source_department_id: int,
        authorities: dict[str, int | None],
        now: datetime,
    ) -> None:
        self.schema = schema
        self.resource_id = schema.resource_id
        self.batch_id = batch_id
        self.source = source_department_id
        self.authorities = authorities
        # The stored form of the timestamp, so that raw SQL compares it with what the ORM wrote.
        self.now = connection.ops.adapt_datetimefield_value(now)
        self.sensitive = {element.code for element in schema.elements if element.sensitive}
        self.lookups = {element.code for element in schema.elements if element.lookup}
        self.cipher = RecordCipher(schema.resource_id)
        self.compared: Counter[str] = Counter()
        self.key_codes = {element.code for element in schema.key_elements}  # found by it: always agree

    def merge(self, clock: PhaseClock | None = None) -> MergeCounts:
        """Insert new keys in the database, merge existing ones here; return what happened."""
        clock = clock or PhaseClock()
        with clock("insert"):
            inserted = self._insert_new()
        with clock("lookups"):
            self._index_new_lookups()
        with clock("merge"):
            return self._merge_existing(inserted)

    def _merge_existing(self, inserted: int) -> MergeCounts:
        changed = unchanged = conflicts = 0
        last_row = -1
        while True:
            rows = self._existing_chunk(after=last_row)
            if not rows:
                break
            last_row = rows[-1][0]
            pending = _Pending(updates=[], conflicts=[], lookups=[])
            for row in rows:
                outcome = self._merge_row(row, pending)
                changed += outcome == "changed"
                unchanged += outcome == "unchanged"
            self._write(pending)
            conflicts += len(pending.conflicts)
        stage_drop()
        return MergeCounts(
            inserted=inserted, changed=changed, unchanged=unchanged, conflicts=conflicts, compared=dict(self.compared)
        )

    def _insert_new(self) -> int:
        cast = "::jsonb" if _is_postgresql() else ""
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO datahub_record (resource_id, key, data, protected, provenance, created_at, updated_at) "
                f"SELECT %s, s.key, s.data{cast}, s.protected, s.provenance{cast}, %s, %s "
                f"FROM {STAGE} s WHERE NOT EXISTS ("
                "SELECT 1 FROM datahub_record r WHERE r.resource_id = %s AND r.key = s.key)",
                [self.resource_id, self.now, self.now, self.resource_id],
            )
            return int(max(cursor.rowcount, 0))

    def _index_new_lookups(self) -> None:
        if not self.lookups:
            return
        if _is_postgresql():
            expand = "CROSS JOIN LATERAL jsonb_each_text(s.lookups::jsonb) j"
        else:
            expand = "JOIN json_each(s.lookups) j"
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO datahub_lookupindex (resource_id, element_code, digest, record_id) "
                f"SELECT %s, j.key, j.value, r.id FROM {STAGE} s "
                "JOIN datahub_record r ON r.resource_id = %s AND r.key = s.key "
                f"{expand} WHERE s.lookups <> '' AND r.created_at = %s",
                [self.resource_id, self.resource_id, self.now],
            )

    def _existing_chunk(self, *, after: int) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.row_number, s.key, s.data, s.protected, s.provenance, s.lookups, "
                f"r.id, r.data, r.protected, r.provenance FROM {STAGE} s "
                "JOIN datahub_record r ON r.resource_id = %s AND r.key = s.key "
                "WHERE r.created_at <> %s AND s.row_number > %s "
                "ORDER BY s.row_number LIMIT %s",
                [self.resource_id, self.now, after, MERGE_CHUNK],
            )
            return list(cursor.fetchall())

    def _merge_row(self, row: tuple[Any, ...], pending: _Pending) -> str:
        (_number, key, staged_data, staged_protected, _staged_provenance, staged_lookups,
         record_id, record_data, record_protected, record_provenance) = row  # fmt: skip
        incoming = json_object(staged_data) | self.cipher.unseal(key, staged_protected)
        current_plain = json_object(record_data)
        current_secret = self.cipher.unseal(key, record_protected)
        current = current_plain | current_secret
        provenance = json_object(record_provenance)
        changed_codes: list[str] = []
        for code, value in incoming.items():
            old = current.get(code)
            authority = self.authorities.get(code)
            setter = provenance.get(code, [None, None])[0]
            checked = authority is not None and self.source != authority and setter == authority and bool(old)
            if checked and code not in self.key_codes:
                self.compared[code] += 1  # agreeing or not, the value met the authoritative one
            if old == value:
                continue
            if not checked:
                current[code] = value
                provenance[code] = [self.source, self.batch_id]
                changed_codes.append(code)
            else:
                pending.conflicts.append(self._conflict(record_id, key, code, str(old), value, provenance[code][1]))
        if not changed_codes:
            return "unchanged"
        plain = {code: value for code, value in current.items() if code not in self.sensitive}
        secret = {code: value for code, value in current.items() if code in self.sensitive}
        pending.updates.append((_dump(plain), self.cipher.seal(key, secret), _dump(provenance), self.now, record_id))
        lookups = json_object(staged_lookups)
        for code in changed_codes:
            if code in self.lookups and code in lookups:
                pending.lookups.append((record_id, code, lookups[code]))
        return "changed"

    def _conflict(
        self, record_id: int, key: str, code: str, authoritative: str, other: str, authoritative_batch: int | None
    ) -> Conflict:
        protected = code in self.sensitive
        context = f"datahub.conflict/{self.resource_id}/{key}/{code}"
        return Conflict(
            resource_id=self.resource_id,
            record_id=record_id,
            element_code=code,
            authoritative_value=encrypt_field(authoritative, context=context) if protected else authoritative,
            other_value=encrypt_field(other, context=context) if protected else other,
            values_protected=protected,
            authoritative_department_id=self.authorities.get(code) or self.source,
            other_department_id=self.source,
            authoritative_batch_id=authoritative_batch,
            other_batch_id=self.batch_id,
        )

    def _write(self, pending: _Pending) -> None:
        if pending.updates:
            cast = "::jsonb" if _is_postgresql() else ""
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE datahub_record SET data = %s{cast}, protected = %s, provenance = %s{cast}, "
                    "updated_at = %s WHERE id = %s",
                    pending.updates,
                )
        if pending.conflicts:
            Conflict.objects.bulk_create(pending.conflicts, batch_size=1000)
        for record_id, code, digest in pending.lookups:
            LookupIndex.objects.update_or_create(
                record_id=record_id,
                element_code=code,
                defaults={"resource_id": self.resource_id, "digest": digest},
            )


def _dump(value: dict[str, Any]) -> str:
    return _json(value)
