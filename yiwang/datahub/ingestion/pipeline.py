"""One pipeline for the three doors (command, console upload, API push): read, check, stage, merge, report.

A batch is atomic: staging and merging happen in one transaction, so a crash or a kill leaves the registry
exactly as it was (the batch's own row stays `running` until the next ingest of that resource marks it
failed). It is idempotent: a file whose SM3 digest matches a committed batch of the same resource and source
changes nothing. Memory stays bounded: rows stream through in chunks; only duplicate-key detection and the
merge of existing keys touch the database in bulk.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.core.audit.services import Actor, record_model_event
from yiwang.core.crypto import sm3_hex
from yiwang.core.db import bulk_load_cache
from yiwang.core.errors import NotFound, PermissionDenied, ValidationFailed
from yiwang.datahub.catalog.schema import ElementSpec, ResourceSchema
from yiwang.datahub.catalog.selectors import element_authorities, resource_schema
from yiwang.datahub.ingestion.errors import UnreadableFile
from yiwang.datahub.ingestion.loader import (
    Merger,
    Stager,
    discard_repeated_keys,
    duplicate_keys,
    refresh_statistics,
    stage_create,
    stage_index,
)
from yiwang.datahub.ingestion.progress import PhaseClock
from yiwang.datahub.ingestion.readers import SourceRow, TabularSource, open_tabular
from yiwang.datahub.ingestion.reports import ErrorReport
from yiwang.datahub.ingestion.validation import RowChecker, RowError
from yiwang.datahub.models import Batch, BatchStatus
from yiwang.datahub.quality.tasks import compute_quality_after_batch
from yiwang.identity.roles import Role
from yiwang.org.selectors import department_get

CHUNK_ROWS = 10_000
logger = logging.getLogger(__name__)
Progress = Callable[[int, int], None]  # rows read so far, rows rejected so far


@dataclass(frozen=True)
class IngestResult:
    """What an ingestion did; `as_json()` is the `--json` output of `yiwang ingest`."""

    batch: int | None
    rows: int
    accepted: int
    rejected: int
    unchanged: int
    conflicts: int
    report: str | None
    status: str
    unknown_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase (read, check, stage, merge…)

    def as_json(self) -> dict[str, Any]:
        return {
            "batch": self.batch,
            "rows": self.rows,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "unchanged": self.unchanged,
            "conflicts": self.conflicts,
            "report": self.report,
        }


class _DryRun(Exception):
    """Raised inside the batch transaction to roll a dry run back after counting."""


def reports_directory() -> Path:
    """Where error reports are written (under var/, served only through the console)."""
    path = Path(settings.MEDIA_ROOT) / "datahub" / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def may_ingest(actor: Any, department_id: int) -> bool:
    """Data administrators send their own department's data; platform administrators any department's."""
    if actor is None:
        return True  # the command line: whoever runs it has the server in hand
    if actor.has_role(Role.PLATFORM_ADMIN):
        return True
    return bool(actor.has_role(Role.DATA_ADMIN) and actor.department_id == department_id)


def _map_columns(schema: ResourceSchema, header: list[str]) -> tuple[dict[int, ElementSpec], list[str]]:
    columns: dict[int, ElementSpec] = {}
    unknown: list[str] = []
    seen: dict[str, int] = {}
    for index, cell in enumerate(header):
        element = schema.element_for_header(cell)
        if element is None:
            if cell.strip():
                unknown.append(cell.strip())
            continue
        if element.code in seen:
            raise ValidationFailed(
                _("Columns %(first)d and %(second)d both hold %(name)s.")
                % {"first": seen[element.code] + 1, "second": index + 1, "name": element.name},
                field="header",
            )
        seen[element.code] = index
        columns[index] = element
    if not columns:
        names = "、".join(element.name for element in schema.elements)
        raise ValidationFailed(
            _("No column of the file matches an element of %(resource)s. Expected headers such as: %(names)s.")
            % {"resource": schema.name, "names": names},
            field="header",
        )
    missing = [element.name for element in schema.elements if element.required and element.code not in seen]
    if missing:
        raise ValidationFailed(
            _("The file has no column for the required element(s): %(names)s.") % {"names": "、".join(missing)},
            field="header",
        )
    return columns, unknown


ANALYZE_AFTER_ROWS = 50_000
# Advisory lock classes (PostgreSQL): one lock per resource serialises merges; one per batch says it is alive.
_RESOURCE_LOCK = 7301
_BATCH_LOCK = 7302


def _lock_resource(resource_id: int, batch_id: int) -> None:
    """Inside the batch's transaction: claim the batch as alive, then wait for the resource's merge lock.

    SQLite needs neither: a transaction there holds the database's write lock from its first statement.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_BATCH_LOCK, batch_id])
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_RESOURCE_LOCK, resource_id])


def _fail_interrupted(resource_id: int, batch_id: int) -> None:
    """Batches of the resource left `running` by a crash or a kill never changed anything: say so.

    Run while holding the resource's lock. A batch is dead when nobody holds its liveness lock (PostgreSQL);
    on SQLite, when it started before this one (one writer at a time: it cannot still be merging).
    """
    running = Batch.objects.filter(resource_id=resource_id, status=BatchStatus.RUNNING).exclude(pk=batch_id)
    candidates = list(running.filter(pk__lt=batch_id).values_list("pk", flat=True))
    if connection.vendor == "postgresql":
        candidates = []
        with connection.cursor() as cursor:
            for other in running.values_list("pk", flat=True):
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [_BATCH_LOCK, other])
                if cursor.fetchone()[0]:
                    candidates.append(other)
    if candidates:
        Batch.objects.filter(pk__in=candidates, status=BatchStatus.RUNNING).update(
            status=BatchStatus.FAILED,
            error=_("Interrupted before it finished; nothing was changed."),
            finished_at=timezone.now(),
        )


def ingest_file(
    *,
    actor: Actor | None,
    resource_slug: str,
    source_department_id: int,
    path: Path,
    file_name: str | None = None,
    channel: str = "command",
    dry_run: bool = False,
    max_bytes: int | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    """Ingest one file into a resource on behalf of a source department (see the module docstring)."""
    schema = _authorised_schema(actor, resource_slug, source_department_id)
    try:
        source = open_tabular(path, max_bytes=max_bytes, declared_name=file_name or path.name)
    except UnreadableFile as error:
        raise ValidationFailed(error.message, field="file") from None
    return _ingest(actor, schema, source_department_id, source, channel=channel, dry_run=dry_run, progress=progress)


def ingest_rows(
    *,
    actor: Actor | None,
    resource_slug: str,
    source_department_id: int,
    rows: Sequence[Mapping[str, Any]],
    label: str = "api",
    channel: str = "api",
    dry_run: bool = False,
) -> IngestResult:
    """Ingest records pushed as objects (by element name or code), through the same checks as a file."""
    schema = _authorised_schema(actor, resource_slug, source_department_id)
    return _ingest(actor, schema, source_department_id, rows_source(rows, name=label), channel=channel, dry_run=dry_run)


def rows_source(rows: Sequence[Mapping[str, Any]], *, name: str) -> TabularSource:
    """A pushed list of objects as a table: header = keys in first-seen order; digest over the canonical rows."""
    header: list[str] = []
    for row in rows:
        for key in row:
            if key not in header:
                header.append(str(key))
    canonical = "\n".join(json.dumps(row, ensure_ascii=False, sort_keys=True, default=str) for row in rows)

    def cell(value: Any) -> tuple[str, bool]:
        if value is None:
            return "", True
        if isinstance(value, bool):
            return ("true" if value else "false"), True
        if isinstance(value, (dict, list)):
            return "", False
        return str(value), True

    def read() -> Iterator[SourceRow]:
        for number, row in enumerate(rows, start=1):
            cells: list[str] = []
            nested: list[str] = []
            for key in header:
                text, ok = cell(row.get(key))
                cells.append(text)
                if not ok:
                    nested.append(key)
            problem = (
                _("%(keys)s holds a list or an object; give a single value.") % {"keys": "、".join(nested)}
                if nested
                else None
            )
            yield SourceRow(number, cells, problem)

    return TabularSource(
        name=name,
        format="json",
        encoding="",
        digest=sm3_hex(canonical.encode("utf-8")),
        size=len(canonical),
        header=header,
        header_row=0,
        warnings=[],
        row_reader=read,
    )


def _authorised_schema(actor: Actor | None, resource_slug: str, source_department_id: int) -> ResourceSchema:
    schema = resource_schema(slug=resource_slug)
    if department_get(department_id=source_department_id) is None:
        raise NotFound(_("No department has id %(id)s.") % {"id": source_department_id}, field="source")
    if not may_ingest(actor, source_department_id):
        raise PermissionDenied(_("Only the department's data administrators send its data."))
    return schema


def _ingest(
    actor: Actor | None,
    schema: ResourceSchema,
    source_department_id: int,
    source: TabularSource,
    *,
    channel: str,
    dry_run: bool,
    progress: Progress | None = None,
) -> IngestResult:
    columns, unknown = _map_columns(schema, source.header)
    if not dry_run:
        duplicate = _committed_twin(schema, source_department_id, source.digest)
        if duplicate is not None:
            return _record_duplicate(actor, schema, source_department_id, source, duplicate, channel, source.name)
    batch = Batch.objects.create(
        resource_id=schema.resource_id,
        source_department_id=source_department_id,
        submitted_by_id=getattr(actor, "pk", None),
        channel=channel,
        file_name=source.name[:255],
        file_digest=source.digest,
        file_format=source.format,
        encoding=source.encoding,
        unknown_columns=unknown,
    )
    report = ErrorReport(reports_directory(), f"batch-{batch.pk}")
    try:
        result = _run(actor, schema, source, columns, batch, report, dry_run=dry_run, progress=progress)
    except _DryRun as finished:
        report_files = report.close()
        Batch.objects.filter(pk=batch.pk).delete()
        counts: IngestResult = finished.args[0]
        return IngestResult(
            **{
                **counts.__dict__,
                "report": str(report_files.csv) if report_files else None,
                "unknown_columns": unknown,
                "warnings": list(source.warnings),
            }
        )
    except UnreadableFile as error:
        report.discard()
        _mark_failed(batch.pk, error.message)
        raise ValidationFailed(error.message, field="file") from None
    except Exception as error:
        report.discard()
        _mark_failed(batch.pk, str(error) or error.__class__.__name__)
        raise
    return IngestResult(**{**result.__dict__, "unknown_columns": unknown, "warnings": list(source.warnings)})


def _committed_twin(schema: ResourceSchema, source_department_id: int, digest: str) -> Batch | None:
    return (
        Batch.objects.filter(
            resource_id=schema.resource_id,
            source_department_id=source_department_id,
            file_digest=digest,
            status=BatchStatus.COMMITTED,
        )
        .order_by("-id")
        .first()
    )


def _record_duplicate(
    actor: Actor | None,
    schema: ResourceSchema,
    source_department_id: int,
    source: TabularSource,
    original: Batch,
    channel: str,
    file_name: str,
) -> IngestResult:
    with transaction.atomic():
        batch = Batch.objects.create(
            resource_id=schema.resource_id,
            source_department_id=source_department_id,
            submitted_by_id=getattr(actor, "pk", None),
            channel=channel,
            file_name=file_name[:255],
            file_digest=source.digest,
            file_format=source.format,
            encoding=source.encoding,
            status=BatchStatus.DUPLICATE,
            duplicate_of=original,
            rows=original.rows,
            rejected=original.rejected,
            unchanged=original.rows - original.rejected,
            report_path=original.report_path,
            finished_at=timezone.now(),
        )
        record_model_event(
            actor=actor, action="datahub.batch.duplicate", instance=batch, changes={"duplicate_of": original.pk}
        )
    return IngestResult(
        batch=batch.pk,
        rows=batch.rows,
        accepted=0,
        rejected=batch.rejected,
        unchanged=batch.unchanged,
        conflicts=0,
        report=batch.report_path or None,
        status=batch.status,
    )


def _mark_failed(batch_id: int, message: str) -> None:
    Batch.objects.filter(pk=batch_id).update(
        status=BatchStatus.FAILED, error=message[:2000], finished_at=timezone.now()
    )


def _add_errors(report: ErrorReport, errors: list[RowError]) -> None:
    for error in errors:
        report.add(error.row, error.column, error.value, error.reason)


LISTED_ROWS = 10  # rows named in a repeated key's message; a key on thousands of rows is said in numbers


def _refuse_repeated_keys(schema: ResourceSchema, report: ErrorReport) -> int:
    """Report every row whose key repeats within the file, then drop them all from the stage; return how many."""
    key_names = "、".join(element.name for element in schema.key_elements)
    refused = 0
    for numbers in duplicate_keys():
        listed = ", ".join(str(number) for number in numbers[:LISTED_ROWS])
        if len(numbers) > LISTED_ROWS:
            listed = _("%(rows)s and %(count)d more") % {"rows": listed, "count": len(numbers) - LISTED_ROWS}
        reason = _("the same key is on rows %(rows)s of this file") % {"rows": listed}
        for number in numbers:
            report.add(number, key_names, "", reason)
        refused += len(numbers)
    if refused:
        discard_repeated_keys()
    return refused


def _run(
    actor: Actor | None,
    schema: ResourceSchema,
    source: TabularSource,
    columns: dict[int, ElementSpec],
    batch: Batch,
    report: ErrorReport,
    *,
    dry_run: bool,
    progress: Progress | None,
) -> IngestResult:
    checker = RowChecker(schema, columns)
    clock = PhaseClock()
    started = time.perf_counter()
    rows = 0
    rejected = 0
    with bulk_load_cache(), transaction.atomic():
        _lock_resource(schema.resource_id, batch.pk)
        if not dry_run:
            _fail_interrupted(schema.resource_id, batch.pk)
        stage_create()
        stager = Stager(batch_id=batch.pk, schema=schema, source_department_id=batch.source_department_id)
        chunk: list[tuple[int, list[str]]] = []

        def flush() -> None:
            nonlocal rejected
            with clock("check"):
                accepted, errors = checker.check(chunk)
                _add_errors(report, errors)
            rejected += len({error.row for error in errors})
            with clock("stage"):
                stager.add(accepted)
            chunk.clear()

        for row in source.rows():
            rows += 1
            if row.problem is not None:
                report.add(row.number, "", "", row.problem)
                rejected += 1
                continue
            chunk.append((row.number, row.cells))
            if len(chunk) >= CHUNK_ROWS:
                flush()
                if progress is not None:
                    progress(rows, rejected)
        flush()
        clock.seconds["read"] = time.perf_counter() - started - sum(clock.seconds.values())
        with clock("index"):
            stage_index()
            duplicate_key_rows = _refuse_repeated_keys(schema, report)
            rejected += duplicate_key_rows
        now = timezone.now()
        counts = Merger(
            schema=schema,
            batch_id=batch.pk,
            source_department_id=batch.source_department_id,
            authorities=element_authorities(resource_id=schema.resource_id),
            now=now,
        ).merge(clock)
        accepted = counts.inserted + counts.changed
        if dry_run:
            raise _DryRun(
                IngestResult(
                    batch=None,
                    rows=rows,
                    accepted=accepted,
                    rejected=rejected,
                    unchanged=counts.unchanged,
                    conflicts=counts.conflicts,
                    report=None,
                    status="dry-run",
                    phases=clock.seconds,
                )
            )
        with clock("report"):
            files = report.close()
        Batch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.COMMITTED,
            rows=rows,
            accepted=accepted,
            rejected=rejected,
            unchanged=counts.unchanged,
            conflicts=counts.conflicts,
            duplicate_key_rows=duplicate_key_rows,
            compared=counts.compared,
            report_path=str(files.csv) if files else "",
            finished_at=now,
        )
        batch.refresh_from_db()
        record_model_event(
            actor=actor,
            action="datahub.batch.commit",
            instance=batch,
            changes={
                "resource": schema.slug,
                "rows": rows,
                "accepted": accepted,
                "rejected": rejected,
                "unchanged": counts.unchanged,
                "conflicts": counts.conflicts,
                "digest": source.digest,
            },
        )
        resource_id = schema.resource_id
        batch_id = batch.pk
        if counts.inserted >= ANALYZE_AFTER_ROWS:
            # Fresh statistics, or the planner keeps the registry's old size and picks plans for it.
            transaction.on_commit(refresh_statistics)
        transaction.on_commit(lambda: compute_quality_after_batch.enqueue(resource_id=resource_id, batch_id=batch_id))
        commit_started = time.perf_counter()
    clock.seconds["commit"] = time.perf_counter() - commit_started
    logger.info("batch %s: %s rows in %s", batch.pk, rows, clock.summary())
    return IngestResult(
        batch=batch.pk,
        rows=rows,
        accepted=accepted,
        rejected=rejected,
        unchanged=counts.unchanged,
        conflicts=counts.conflicts,
        report=str(files.csv) if files else None,
        status=BatchStatus.COMMITTED,
        phases=clock.seconds,
    )
