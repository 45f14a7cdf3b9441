"""Reading quality scores: the latest per resource and source, history, the ranking of departments, who sees what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _

from yiwang.core.errors import NotFound
from yiwang.datahub.models import Batch, BatchStatus, QualityScore, Record, Resource, ResourceStatus
from yiwang.datahub.quality.rules import DIMENSIONS
from yiwang.identity.roles import Role

HISTORY_LIMIT = 60


@dataclass(frozen=True)
class QualityScoreView:
    """One stored score; a dimension is None where it does not apply (nothing to judge it on)."""

    id: int
    resource_id: int
    resource_slug: str
    resource_name: str
    source_department_id: int | None
    source_department: str
    batch_id: int | None
    computed_at: datetime
    records: int
    completeness: float | None
    validity: float | None
    uniqueness: float | None
    consistency: float | None
    timeliness: float | None
    overall: float
    details: dict[str, Any]

    @property
    def last_delivery(self) -> datetime | None:
        """When the source last delivered (stored in UTC; templates show it in the city's time)."""
        stored = (self.details.get("timeliness") or {}).get("last_delivery")
        return datetime.fromisoformat(stored) if stored else None

    def as_json(self) -> dict[str, Any]:
        """The `yiwang quality --json` form."""
        return {
            "resource": self.resource_slug,
            "source_department": self.source_department or None,
            "completeness": self.completeness,
            "validity": self.validity,
            "uniqueness": self.uniqueness,
            "consistency": self.consistency,
            "timeliness": self.timeliness,
            "overall": self.overall,
            "records": self.records,
        }


def score_view(score: QualityScore) -> QualityScoreView:
    """The typed form of a stored score (its resource and department loaded with it)."""
    applicable: dict[str, bool] = dict(score.details.get("applicable") or {})

    def value(name: str) -> float | None:
        return float(getattr(score, name)) if applicable.get(name, True) else None

    department = score.source_department
    return QualityScoreView(
        id=score.pk,
        resource_id=score.resource_id,
        resource_slug=score.resource.slug,
        resource_name=score.resource.name,
        source_department_id=score.source_department_id,
        source_department=department.name if department is not None else "",
        batch_id=score.batch_id,
        computed_at=score.computed_at,
        records=score.records,
        completeness=value("completeness"),
        validity=value("validity"),
        uniqueness=value("uniqueness"),
        consistency=value("consistency"),
        timeliness=value("timeliness"),
        overall=float(score.overall),
        details=dict(score.details),
    )


def _scores() -> Any:
    return QualityScore.objects.select_related("resource", "source_department")


def _latest_ids(**filters: Any) -> list[int]:
    # Scores are only ever added, so the highest id of a (resource, source) pair is its latest.
    return list(
        QualityScore.objects.filter(**filters)
        .values("resource_id", "source_department_id")
        .annotate(latest=Max("id"))
        .values_list("latest", flat=True)
    )


@dataclass(frozen=True)
class ResourceQuality:
    """A resource's quality page: the latest score of all sources together and of each source department."""

    resource_id: int
    slug: str
    code: str
    name: str
    update_cycle: str
    source_department_id: int | None
    source_department: str
    scores: list[QualityScoreView]


def quality_resource(*, slug: str) -> ResourceQuality:
    """The latest scores of one resource: all sources first, then each source department by name."""
    resource = Resource.objects.select_related("source_department").filter(slug=slug).first()
    if resource is None:
        raise NotFound(_("No resource has slug %(slug)s.") % {"slug": slug}, field="resource")
    latest = _scores().filter(pk__in=_latest_ids(resource_id=resource.pk))
    views = [score_view(score) for score in latest]
    views.sort(key=lambda item: (item.source_department_id is not None, item.source_department))
    return ResourceQuality(
        resource_id=resource.pk,
        slug=resource.slug,
        code=resource.code,
        name=resource.name,
        update_cycle=resource.update_cycle,
        source_department_id=resource.source_department_id,
        source_department=resource.source_department.name if resource.source_department else "",
        scores=views,
    )


def quality_latest(*, resource_id: int | None = None) -> list[QualityScoreView]:
    """The latest score of all sources together for each resource (or one), ordered by resource code."""
    filters: dict[str, Any] = {"source_department__isnull": True}
    if resource_id is not None:
        filters["resource_id"] = resource_id
    latest = _scores().filter(pk__in=_latest_ids(**filters)).order_by("resource__code")
    return [score_view(score) for score in latest]


def quality_history(
    *, resource_id: int, source_department_id: int | None = None, limit: int = HISTORY_LIMIT
) -> list[QualityScoreView]:
    """Scores of a resource over time, newest first: all sources together, or one source department."""
    queryset = _scores().filter(resource_id=resource_id)
    if source_department_id is None:
        queryset = queryset.filter(source_department__isnull=True)
    else:
        queryset = queryset.filter(source_department_id=source_department_id)
    return [score_view(score) for score in queryset.order_by("-computed_at", "-id")[:limit]]


@dataclass(frozen=True)
class DepartmentRank:
    """A department in the ranking: the mean of the latest overall scores of the resources it sends."""

    rank: int | None
    department_id: int
    department: str
    resources: int
    overall: float | None


def department_ranking() -> list[DepartmentRank]:
    """Departments by the mean latest overall score of the resources they send; those with no data last.

    "No data" are the source departments of published resources for which no department-level score exists.
    """
    latest = (
        QualityScore.objects.filter(pk__in=_latest_ids(source_department__isnull=False))
        .exclude(resource__status=ResourceStatus.RETIRED)
        .select_related("source_department")
    )
    totals: dict[int, list[float]] = {}
    names: dict[int, str] = {}
    for score in latest:
        department = score.source_department
        if department is None:
            continue  # excluded by the query; this tells the type checker
        totals.setdefault(department.pk, []).append(score.overall)
        names[department.pk] = department.name
    scored = sorted(
        (
            (round(sum(values) / len(values), 2), len(values), names[department_id], department_id)
            for department_id, values in totals.items()
        ),
        key=lambda item: (-item[0], -item[1], item[2]),
    )
    ranking: list[DepartmentRank] = []
    previous: tuple[float, int] | None = None
    for position, (mean, count, name, department_id) in enumerate(scored, start=1):
        # Equal means share a rank (1, 2, 2, 4), so a tie never looks like a difference.
        rank = ranking[-1].rank if previous is not None and previous[0] == mean else position
        ranking.append(
            DepartmentRank(rank=rank, department_id=department_id, department=name, resources=count, overall=mean)
        )
        previous = (mean, count)
    silent = (
        Resource.objects.filter(status=ResourceStatus.PUBLISHED, source_department__isnull=False)
        .exclude(source_department_id__in=list(totals))
        .values_list("source_department_id", "source_department__name")
        .distinct()
        .order_by("source_department__name")
    )
    for department_id, name in silent:
        ranking.append(
            DepartmentRank(rank=None, department_id=department_id, department=name, resources=0, overall=None)
        )
    return ranking


def quality_resources(*, slug: str | None = None) -> list[int]:
    """Resources to score: the one named, or every published resource that holds records."""
    if slug is not None:
        resource = Resource.objects.filter(slug=slug).first()
        if resource is None or resource.version == 0 or resource.status == ResourceStatus.RETIRED:
            raise NotFound(_("Resource %(slug)s is not published.") % {"slug": slug}, field="resource")
        return [resource.pk]
    published = Resource.objects.filter(version__gt=0).exclude(status=ResourceStatus.RETIRED)
    with_records = Record.objects.filter(resource_id__in=published.values("pk")).values("resource_id").distinct()
    return list(published.filter(pk__in=with_records).order_by("code").values_list("pk", flat=True))


def _resource_source(resource_id: int) -> int | None:
    return Resource.objects.filter(pk=resource_id).values_list("source_department_id", flat=True).first()


def quality_may_recompute(*, viewer: Any, resource_id: int) -> bool:
    """Platform administrators, and data administrators of the resource's source department."""
    if viewer is None or viewer.has_role(Role.PLATFORM_ADMIN):
        return True
    source = _resource_source(resource_id)
    return bool(viewer.has_role(Role.DATA_ADMIN) and source is not None and viewer.department_id == source)


def quality_may_read_examples(*, viewer: Any, resource_id: int, source_department_id: int | None) -> bool:
    """Whether the viewer may read one score's failing examples (masked personal data).

    Platform administrators and data administrators of the resource's source department read every score's;
    data administrators of another sending department read their own department's score, to correct their data.
    """
    if viewer.has_role(Role.PLATFORM_ADMIN):
        return True
    if not viewer.has_role(Role.DATA_ADMIN) or viewer.department_id is None:
        return False
    if viewer.department_id == _resource_source(resource_id):
        return True
    return source_department_id is not None and source_department_id == viewer.department_id


def quality_examples(*, viewer: Any, slug: str) -> list[QualityScoreView]:
    """The latest scores of a resource whose failing examples the viewer may read (empty: none)."""
    overview = quality_resource(slug=slug)
    return [
        score
        for score in overview.scores
        if quality_may_read_examples(
            viewer=viewer, resource_id=overview.resource_id, source_department_id=score.source_department_id
        )
    ]


def dimension_values(score: QualityScoreView) -> dict[str, float | None]:
    """A score's dimensions by name (those that do not apply are None)."""
    return {name: getattr(score, name) for name in DIMENSIONS}


def batch_superseded(*, resource_id: int, batch_id: int) -> bool:
    """True when another batch of the resource committed after this one.

    Scoring after that batch covers this one's data too, so scoring after this one can be skipped: a department
    sending ten files in a row costs one full pass over the registry, not ten.
    """
    finished = Batch.objects.filter(pk=batch_id).values_list("finished_at", flat=True).first()
    if finished is None:
        return False
    return Batch.objects.filter(
        resource_id=resource_id, status=BatchStatus.COMMITTED, finished_at__gt=finished
    ).exists()
