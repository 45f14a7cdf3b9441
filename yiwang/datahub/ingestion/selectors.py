"""Reading batches: what each department sent, and the error reports it may open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db.models import Q, QuerySet

from yiwang.datahub.models import Batch
from yiwang.identity.roles import Role
from yiwang.identity.selectors import visible_department_ids


@dataclass(frozen=True)
class BatchView:
    """A batch as the console shows it."""

    id: int
    resource_slug: str
    resource_name: str
    source_department: str
    channel: str
    file_name: str
    status: str
    status_label: str
    rows: int
    accepted: int
    rejected: int
    unchanged: int
    conflicts: int
    unknown_columns: list[str]
    has_report: bool
    error: str
    started_at: datetime
    finished_at: datetime | None


def _view(batch: Batch) -> BatchView:
    return BatchView(
        id=batch.pk,
        resource_slug=batch.resource.slug,
        resource_name=batch.resource.name,
        source_department=batch.source_department.name,
        channel=batch.get_channel_display(),
        file_name=batch.file_name,
        status=batch.status,
        status_label=str(batch.get_status_display()),
        rows=batch.rows,
        accepted=batch.accepted,
        rejected=batch.rejected,
        unchanged=batch.unchanged,
        conflicts=batch.conflicts,
        unknown_columns=list(batch.unknown_columns),
        has_report=bool(batch.report_path) and Path(batch.report_path).exists(),
        error=batch.error,
        started_at=batch.started_at,
        finished_at=batch.finished_at,
    )


def _visible(viewer: Any) -> QuerySet[Batch]:
    queryset = Batch.objects.select_related("resource", "source_department")
    departments = visible_department_ids(viewer)
    if departments is None:
        return queryset
    # A department sees what it sent, and what others sent into the resources it is the source of.
    return queryset.filter(Q(source_department_id__in=departments) | Q(resource__source_department_id__in=departments))


def batch_list(*, viewer: Any, resource_slug: str = "", limit: int = 100) -> list[BatchView]:
    """Recent batches the viewer may see, newest first."""
    queryset = _visible(viewer)
    if resource_slug:
        queryset = queryset.filter(resource__slug=resource_slug)
    return [_view(batch) for batch in queryset.order_by("-id")[:limit]]


def batch_for(*, viewer: Any, batch_id: int) -> BatchView | None:
    """One batch, if the viewer may see it."""
    batch = _visible(viewer).filter(pk=batch_id).first()
    return _view(batch) if batch else None


def batch_report_path(*, viewer: Any, batch_id: int, kind: str) -> Path | None:
    """The CSV or XLSX error report of a batch, for the department that sent it or the platform administrator.

    Reports hold the rejected rows' values (personal data), so only the sending department's data
    administrators and platform administrators open them.
    """
    if not (viewer.has_role(Role.PLATFORM_ADMIN) or viewer.has_role(Role.DATA_ADMIN)):
        return None
    batch = _visible(viewer).filter(pk=batch_id).first()
    if batch is None or not batch.report_path:
        return None
    if not viewer.has_role(Role.PLATFORM_ADMIN) and batch.source_department_id != viewer.department_id:
        return None
    path = Path(batch.report_path)
    if kind == "xlsx":
        path = path.with_suffix(".xlsx")
    return path if path.exists() else None


def batch_errors(*, batch_id: int, limit: int = 100) -> list[dict[str, str]]:
    """The first error-report entries of a batch (for API answers)."""
    import csv

    batch = Batch.objects.filter(pk=batch_id).first()
    if batch is None or not batch.report_path or not Path(batch.report_path).exists():
        return []
    entries: list[dict[str, str]] = []
    with Path(batch.report_path).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for row in reader:
            if len(entries) >= limit:
                break
            if len(row) >= 4:
                entries.append({"row": row[0], "column": row[1], "value": row[2], "reason": row[3]})
    return entries
