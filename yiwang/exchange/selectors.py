"""Reading the exchange: systems, requests, grants, demands, the access log for each party, statistics."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.errors import NotFound, ValidationFailed
from yiwang.datahub.catalog.selectors import shared_resource
from yiwang.datahub.registry.selectors import RegistryReader
from yiwang.exchange.models import (
    AccessLogEntry,
    AccessLogSubject,
    AccessRequest,
    Consumer,
    DataDemand,
    DemandStatus,
    RequestStatus,
)
from yiwang.identity.roles import Role
from yiwang.identity.selectors import enterprises_for, visible_department_ids
from yiwang.org.selectors import department_list

LOG_PAGE = 100
STATISTICS_SAMPLE = 100_000


def _department_names() -> dict[int, str]:
    return {department.id: department.name for department in department_list()}


def _visible(user: Any) -> frozenset[int] | None:
    """Departments whose exchange business the user sees (None: all, for platform administrators)."""
    if user.has_role(Role.PLATFORM_ADMIN):
        return None
    return visible_department_ids(user)


@dataclass(frozen=True)
class ConsumerSummary:
    id: int
    name: str
    department_id: int
    department: str
    app_key: str
    status: str
    rate_limit: int
    secret_rotated_at: datetime.datetime
    grants: int


def consumer_list(*, viewer: Any) -> list[ConsumerSummary]:
    queryset = Consumer.objects.annotate(
        active_grants=Count("grants", filter=Q(grants__revoked_at__isnull=True))
    ).order_by("department_id", "name")
    visible = _visible(viewer)
    if visible is not None:
        queryset = queryset.filter(department_id__in=visible)
    names = _department_names()
    return [
        ConsumerSummary(
            id=item.pk,
            name=item.name,
            department_id=item.department_id,
            department=names.get(item.department_id, ""),
            app_key=item.app_key,
            status=item.status,
            rate_limit=item.rate_limit,
            secret_rotated_at=item.secret_rotated_at,
            grants=item.active_grants,
        )
        for item in queryset
    ]


def consumer_get(*, viewer: Any, consumer_id: int) -> ConsumerSummary:
    for item in consumer_list(viewer=viewer):
        if item.id == consumer_id:
            return item
    raise NotFound(_("No such system."))


@dataclass(frozen=True)
class RequestSummary:
    id: int
    consumer: str
    consumer_department: str
    consumer_department_id: int
    resource_slug: str
    resource: str
    source_department_id: int | None
    elements: list[str]
    clear_elements: dict[str, str]
    purpose: str
    legal_basis: str
    valid_from: datetime.date
    valid_until: datetime.date
    expected_volume: int
    status: str
    status_label: str
    stage_due: datetime.date | None
    overdue: bool
    escalation_level: int
    refusal_reason: str
    compliance_note: str
    submitted_at: datetime.datetime
    grant_id: int | None
    grant_revoked: bool


def _request_summaries(queryset: QuerySet[AccessRequest]) -> list[RequestSummary]:
    names = _department_names()
    today = timezone.localdate()
    rows = queryset.select_related("consumer", "resource").prefetch_related("grant")
    result = []
    for item in rows:
        grant = getattr(item, "grant", None) if item.status == RequestStatus.GRANTED else None
        result.append(
            RequestSummary(
                id=item.pk,
                consumer=item.consumer.name,
                consumer_department=names.get(item.consumer.department_id, ""),
                consumer_department_id=item.consumer.department_id,
                resource_slug=item.resource.slug,
                resource=item.resource.name,
                source_department_id=item.resource.source_department_id,
                elements=list(item.elements),
                clear_elements=dict(item.clear_elements),
                purpose=item.purpose,
                legal_basis=item.legal_basis,
                valid_from=item.valid_from,
                valid_until=item.valid_until,
                expected_volume=item.expected_volume,
                status=item.status,
                status_label=str(RequestStatus(item.status).label),
                stage_due=item.stage_due,
                overdue=item.stage_due is not None and item.stage_due < today,
                escalation_level=item.escalation_level,
                refusal_reason=item.refusal_reason,
                compliance_note=item.compliance_note,
                submitted_at=item.submitted_at,
                grant_id=grant.pk if grant else None,
                grant_revoked=bool(grant and grant.revoked_at),
            )
        )
    return result


def request_list(*, viewer: Any, status: str = "") -> list[RequestSummary]:
    """Requests the viewer's departments made or must decide (all for platform administrators)."""
    queryset = AccessRequest.objects.all()
    visible = _visible(viewer)
    if visible is not None:
        queryset = queryset.filter(
            Q(consumer__department_id__in=visible) | Q(resource__source_department_id__in=visible)
        )
    if status:
        queryset = queryset.filter(status=status)
    return _request_summaries(queryset[:500])


def request_get(*, viewer: Any, request_id: int) -> RequestSummary:
    queryset = AccessRequest.objects.filter(pk=request_id)
    visible = _visible(viewer)
    if visible is not None:
        queryset = queryset.filter(
            Q(consumer__department_id__in=visible) | Q(resource__source_department_id__in=visible)
        )
    found = _request_summaries(queryset)
    if not found:
        raise NotFound(_("No such access request."))
    return found[0]


@dataclass(frozen=True)
class DemandSummary:
    id: int
    title: str
    description: str
    purpose: str
    legal_basis: str
    department_id: int
    department: str
    routed_to_id: int | None
    routed_to: str
    routing_note: str
    due: datetime.date | None
    overdue: bool
    status: str
    status_label: str
    answer: str
    resource_slug: str
    created_at: datetime.datetime


ROUTING_LABELS = {
    "catalog": _("publishes related resources in the catalog"),
    "name": _("its name matches the demand"),
    "platform": _("routed by the platform administrator"),
}


def _demands(viewer: Any) -> QuerySet[DataDemand]:
    queryset = DataDemand.objects.select_related("resource")
    visible = _visible(viewer)
    if visible is not None:
        queryset = queryset.filter(Q(department_id__in=visible) | Q(routed_to_id__in=visible))
    return queryset


def demand_list(*, viewer: Any) -> list[DemandSummary]:
    """The newest 500 demands the viewer's departments raised or must answer (all for platform administrators)."""
    return _demand_summaries(_demands(viewer)[:500])


def demand_get(*, viewer: Any, demand_id: int) -> DemandSummary:
    found = _demand_summaries(_demands(viewer).filter(pk=demand_id))
    if not found:
        raise NotFound(_("No such data demand."))
    return found[0]


def _demand_summaries(queryset: QuerySet[DataDemand]) -> list[DemandSummary]:
    names = _department_names()
    today = timezone.localdate()
    return [
        DemandSummary(
            id=item.pk,
            title=item.title,
            description=item.description,
            purpose=item.purpose,
            legal_basis=item.legal_basis,
            department_id=item.department_id,
            department=names.get(item.department_id, ""),
            routed_to_id=item.routed_to_id,
            routed_to=names.get(item.routed_to_id, "") if item.routed_to_id else "",
            routing_note=str(ROUTING_LABELS.get(item.routing_note, item.routing_note)),
            due=item.due,
            overdue=item.status == DemandStatus.ROUTED and item.due is not None and item.due < today,
            status=item.status,
            status_label=str(DemandStatus(item.status).label),
            answer=item.answer,
            resource_slug=item.resource.slug if item.resource else "",
            created_at=item.created_at,
        )
        for item in queryset
    ]


# --- the access log as each party sees it ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LogLine:
    id: int
    at: datetime.datetime
    consumer_department: str
    consumer_id: int | None
    resource_slug: str
    operation: str
    elements: list[str]
    purpose: str
    user_id: str
    case_ref: str
    result_count: int
    status: int
    reason: str
    latency_ms: float


def _lines(entries: QuerySet[AccessLogEntry]) -> list[LogLine]:
    names = _department_names()
    return [
        LogLine(
            id=entry.pk,
            at=entry.at,
            consumer_department=names.get(entry.consumer_department_id, "") if entry.consumer_department_id else "",
            consumer_id=entry.consumer_id,
            resource_slug=entry.resource_slug,
            operation=entry.operation,
            elements=list(entry.elements),
            purpose=entry.purpose,
            user_id=entry.user_id,
            case_ref=entry.case_ref,
            result_count=entry.result_count,
            status=entry.status,
            reason=entry.reason,
            latency_ms=entry.latency_ms,
        )
        for entry in entries
    ]


@dataclass(frozen=True)
class LogFilter:
    side: str = "provider"  # "provider": use of our resources; "consumer": our systems' calls
    resource: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None
    before: int | None = None  # keyset: entries with a smaller id


def _log_queryset(viewer: Any, log_filter: LogFilter) -> QuerySet[AccessLogEntry]:
    queryset = AccessLogEntry.objects.all()
    visible = _visible(viewer)
    if visible is not None:
        field = "provider_department_id" if log_filter.side == "provider" else "consumer_department_id"
        queryset = queryset.filter(**{f"{field}__in": visible})
    if log_filter.resource:
        queryset = queryset.filter(resource_slug=log_filter.resource)
    if log_filter.since:
        queryset = queryset.filter(at__date__gte=log_filter.since)
    if log_filter.until:
        queryset = queryset.filter(at__date__lte=log_filter.until)
    return queryset


def log_page(*, viewer: Any, log_filter: LogFilter, limit: int = LOG_PAGE) -> list[LogLine]:
    """The newest entries first, `limit` at a time (keyset on id)."""
    queryset = _log_queryset(viewer, log_filter)
    if log_filter.before:
        queryset = queryset.filter(pk__lt=log_filter.before)
    return _lines(queryset.order_by("-pk")[:limit])


def log_export_rows(*, viewer: Any, log_filter: LogFilter, chunk: int = 2_000) -> Any:
    """Every entry the filter selects, oldest first, for a CSV export (streamed)."""
    queryset = _log_queryset(viewer, log_filter).order_by("pk")
    after = 0
    while True:
        lines = _lines(queryset.filter(pk__gt=after)[:chunk])
        if not lines:
            return
        yield from lines
        after = lines[-1].id


@dataclass(frozen=True)
class SubjectUse:
    """One look-up of a citizen's (or their enterprise's) record, as the citizen sees it."""

    at: datetime.datetime
    department: str
    resource: str
    operation: str
    purpose: str
    case_ref: str
    on_behalf_of: str  # "self" or the enterprise's name


def _readers() -> dict[str, RegistryReader]:
    readers = {}
    for slug in ("population", "legal-entities"):
        try:
            readers[slug] = RegistryReader(shared_resource(slug=slug).schema)
        except NotFound:  # not published yet
            continue
    return readers


def uses_of_my_data(*, user: Any, limit: int = 200) -> list[SubjectUse]:
    """谁用了我的数据: look-ups (refused ones too) that named this citizen's or their enterprises' records."""
    readers = _readers()
    wanted: list[tuple[str, str, str]] = []
    if getattr(user, "id_number", ""):
        wanted.append(("population", user.id_number, "self"))
    wanted += [("legal-entities", link.credit_code, link.name) for link in enterprises_for(user)]
    targets: list[tuple[int, str, str]] = []
    for slug, key, who in wanted:
        reader = readers.get(slug)
        if reader is None:
            continue
        try:
            targets.append((reader.schema.resource_id, reader.stored_key(key), who))
        except ValidationFailed:  # a number the registry cannot hold
            continue
    return uses_of(targets, limit=limit)


def uses_of(targets: list[tuple[int, str, str]], *, limit: int) -> list[SubjectUse]:
    """Uses of the records (resource id, stored key, whose) the targets name, newest first."""
    if not targets:
        return []
    condition = Q()
    for resource_id, key, _who in targets:
        condition |= Q(resource_id=resource_id, subject_key=key)
    whose = {(resource_id, key): who for resource_id, key, who in targets}
    subjects = list(AccessLogSubject.objects.filter(condition).order_by("-entry_id")[:limit])
    entry_ids = [item.entry_id for item in subjects]
    entries = {entry.pk: entry for entry in AccessLogEntry.objects.filter(pk__in=entry_ids)}
    names = _department_names()
    uses = []
    for subject in subjects:
        entry = entries.get(subject.entry_id)
        if entry is None:
            continue
        uses.append(
            SubjectUse(
                at=entry.at,
                department=names.get(entry.consumer_department_id, "") if entry.consumer_department_id else "",
                resource=entry.resource_slug,
                operation=entry.operation,
                purpose=entry.purpose,
                case_ref=entry.case_ref,
                on_behalf_of=whose.get((subject.resource_id, subject.subject_key), "self"),
            )
        )
    return uses


# --- statistics ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExchangeStatistics:
    since: datetime.date
    until: datetime.date
    calls: int
    refused: int
    by_resource: list[tuple[str, int]]
    by_consumer: list[tuple[str, int]]
    by_department: list[tuple[str, int]]
    by_day: list[tuple[datetime.date, int]]
    refusals: list[tuple[str, int]]
    latency_p50: float | None
    latency_p95: float | None
    latency_p99: float | None
    latency_sampled: int


def _percentile(ordered: list[float], share: float) -> float | None:
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def exchange_statistics(*, viewer: Any, since: datetime.date, until: datetime.date) -> ExchangeStatistics:
    """Calls per resource, consumer, department and day, refusals by reason and latency percentiles.

    Latency percentiles are computed over the newest 100,000 calls of the period.
    """
    queryset = AccessLogEntry.objects.filter(at__date__gte=since, at__date__lte=until)
    visible = _visible(viewer)
    if visible is not None:
        queryset = queryset.filter(Q(provider_department_id__in=visible) | Q(consumer_department_id__in=visible))
    names = _department_names()
    consumers = dict(Consumer.objects.values_list("pk", "name"))

    def grouped(field: str) -> list[tuple[Any, int]]:
        rows = queryset.values(field).annotate(n=Count("id")).order_by("-n")
        return [(row[field], row["n"]) for row in rows]

    days = (
        queryset.annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    latencies = sorted(queryset.order_by("-pk").values_list("latency_ms", flat=True)[:STATISTICS_SAMPLE])
    refusals = [(reason or "", count) for reason, count in grouped("reason") if reason]
    department_calls: dict[str, int] = defaultdict(int)
    for department_id, count in grouped("consumer_department_id"):
        department_calls[names.get(department_id, "—") if department_id else "—"] += count
    return ExchangeStatistics(
        since=since,
        until=until,
        calls=queryset.count(),
        refused=queryset.filter(status__gte=400).count(),
        by_resource=[(slug or "—", count) for slug, count in grouped("resource_slug")],
        by_consumer=[(consumers.get(pk, "—") if pk else "—", count) for pk, count in grouped("consumer_id")],
        by_department=sorted(department_calls.items(), key=lambda item: -item[1]),
        by_day=[(row["day"], row["n"]) for row in days],
        refusals=refusals,
        latency_p50=_percentile(latencies, 0.50),
        latency_p95=_percentile(latencies, 0.95),
        latency_p99=_percentile(latencies, 0.99),
        latency_sampled=len(latencies),
    )
