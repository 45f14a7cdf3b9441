"""Reading linking runs and the review queue; who may see and decide a pair."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from yiwang.core.errors import NotFound
from yiwang.datahub.catalog.selectors import resource_schema
from yiwang.datahub.models import LinkReview, LinkRun, Resource, ReviewDecision
from yiwang.datahub.registry.selectors import record_by_stored_key
from yiwang.identity.roles import Role
from yiwang.identity.selectors import visible_department_ids


@dataclass(frozen=True)
class LinkRunSummary:
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    sources: tuple[str, ...]
    statistics: dict[str, Any]
    members_path: str
    started_at: Any
    finished_at: Any
    error: str


@dataclass(frozen=True)
class ReviewSummary:
    id: int
    run_id: int
    kind: str
    left_source: str
    right_source: str
    match_probability: float
    match_weight: float
    reason: str
    comparison: dict[str, str]
    decision: str
    decision_label: str


@dataclass(frozen=True)
class ReviewRecord:
    """One side of a pair: the resource and the record's values in clear (None when the record is gone)."""

    source: str
    resource_name: str
    values: tuple[tuple[str, str], ...] | None


def _run_summary(run: LinkRun) -> LinkRunSummary:
    return LinkRunSummary(
        id=run.pk,
        kind=run.kind,
        kind_label=run.get_kind_display(),
        status=run.status,
        status_label=run.get_status_display(),
        sources=tuple(run.sources),
        statistics=dict(run.statistics),
        members_path=run.members_path,
        started_at=run.started_at,
        finished_at=run.finished_at,
        error=run.error,
    )


def _review_summary(review: LinkReview) -> ReviewSummary:
    return ReviewSummary(
        id=review.pk,
        run_id=review.run_id,
        kind=review.kind,
        left_source=review.left_source,
        right_source=review.right_source,
        match_probability=review.match_probability,
        match_weight=review.match_weight,
        reason=review.reason,
        comparison=dict(review.comparison),
        decision=review.decision,
        decision_label=review.get_decision_display(),
    )


def link_run_list(*, limit: int = 20) -> list[LinkRunSummary]:
    """The latest runs, newest first."""
    return [_run_summary(run) for run in LinkRun.objects.order_by("-id")[:limit]]


def _viewer_sources(viewer: Any) -> set[str] | None:
    """Slugs of the resources whose source department the viewer administers data for; None: all of them."""
    if viewer.has_role(Role.PLATFORM_ADMIN):
        return None
    if not viewer.has_role(Role.DATA_ADMIN):
        return set()
    visible = visible_department_ids(viewer)
    queryset = Resource.objects.all() if visible is None else Resource.objects.filter(source_department_id__in=visible)
    return set(queryset.values_list("slug", flat=True))


def may_decide_review(viewer: Any, review: LinkReview) -> bool:
    """Platform administrators, and data administrators of either record's source department."""
    sources = _viewer_sources(viewer)
    return sources is None or bool({review.left_source, review.right_source} & sources)


def review_queue(
    *, viewer: Any, kind: str = "", decision: str = ReviewDecision.OPEN, limit: int = 200
) -> list[ReviewSummary]:
    """Pairs the viewer may decide, the most probable matches first."""
    queryset = LinkReview.objects.filter(decision=decision)
    if kind:
        queryset = queryset.filter(kind=kind)
    sources = _viewer_sources(viewer)
    if sources is not None:
        queryset = queryset.filter(Q(left_source__in=sources) | Q(right_source__in=sources))
    return [_review_summary(review) for review in queryset.order_by("-match_probability", "id")[:limit]]


def review_for(*, viewer: Any, review_id: int) -> LinkReview | None:
    """One pair, if the viewer may see it."""
    review = LinkReview.objects.filter(pk=review_id).first()
    if review is None or not may_decide_review(viewer, review):
        return None
    return review


def review_records(review: LinkReview) -> tuple[ReviewRecord, ReviewRecord]:
    """Both records of a pair with their values in clear, labelled by element name (the caller audits the read)."""
    return _side(review.left_source, review.left_record), _side(review.right_source, review.right_record)


def _side(slug: str, key: str) -> ReviewRecord:
    try:
        schema = resource_schema(slug=slug)
    except NotFound:
        return ReviewRecord(source=slug, resource_name=slug, values=None)
    record = record_by_stored_key(schema=schema, key=key)
    if record is None:
        return ReviewRecord(source=slug, resource_name=schema.name, values=None)
    values = tuple((element.name, record.values.get(element.code, "")) for element in schema.elements)
    return ReviewRecord(source=slug, resource_name=schema.name, values=values)
