"""三率 per unit: response, resolution and satisfaction rates, returns and overdue cases, each counted by one
GROUP BY in the database, over the cases received in a period. Definitions and their reasons: ADR 0022."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from yiwang.cases.analytics.period import Period
from yiwang.cases.analytics.scope import analytics_scope
from yiwang.cases.models import (
    OPEN_STATUSES,
    AssignmentRole,
    Case,
    CaseAssignment,
    CaseFollowUp,
    CaseReturn,
    CaseStatus,
    Decision,
    Satisfaction,
)
from yiwang.org.selectors import department_get, department_list

DEFAULT_MINIMUM_VOLUME = 30
SORT_KEYS = ("rank", "name", "volume", "response", "resolution", "satisfaction", "returns", "overdue")


@dataclass(frozen=True)
class Rate:
    """A share with what it was counted from; no value when nothing was counted."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return None if self.denominator == 0 else self.numerator / self.denominator

    @property
    def percent(self) -> float | None:
        """Rounded to one decimal, for display."""
        return None if self.denominator == 0 else round(100 * self.numerator / self.denominator, 1)

    def fraction(self) -> Fraction | None:
        return None if self.denominator == 0 else Fraction(self.numerator, self.denominator)


@dataclass(frozen=True)
class UnitFigures:
    """One lead unit's figures for the period (department_id None: the total of every unit in view)."""

    department_id: int | None
    name: str
    volume: int  # lead assignments dispatched to the unit (cases it was asked to lead)
    response: Rate  # signed for, or returned, within the sign limit / assignments due
    awaiting_signature: int  # unsigned assignments whose sign limit has not passed: not counted yet
    resolution: Rate  # latest follow-ups saying resolved / latest follow-ups
    satisfaction: Rate  # satisfied + basically satisfied / latest follow-ups
    satisfied: int
    basically_satisfied: int
    unsatisfied: int
    returns: Rate  # 退单 requested by the unit's lead assignments / lead assignments
    returns_approved: int  # of which the dispatcher reassigned the case (改派)
    overdue: int  # cases it leads concluded after, or still open past, their due time
    composite: float | None  # mean of the three rates, 0–100, one decimal; None unless all three are known
    ranked: bool
    rank: int | None


@dataclass(frozen=True)
class UnitsReport:
    period: Period
    minimum_volume: int
    units: list[UnitFigures]  # ranked units by rank, then the others (样本不足) by volume
    total: UnitFigures
    computed_at: datetime.datetime = field(default_factory=timezone.now)


def minimum_volume() -> int:
    return int(getattr(settings, "YIWANG_CASES_RANKING_MIN_VOLUME", DEFAULT_MINIMUM_VOLUME))


@dataclass(frozen=True)
class ReceivedCases:
    """The cases received in a period, with the range of their ids.

    The tables that point to cases (assignments, follow-ups, returns) would be filtered by the case's `received_at`
    through a join, which the database can only do by reading them whole. The id range is a condition on their own
    `case_id` column, which reads just that slice of their case_id index. Cases get their ids as they are received,
    so the range usually holds the period's cases and no other (`exact`): then it is the whole condition. When a
    case was entered out of order the range also holds others, and the join on `received_at` stays as well."""

    period: Period
    first_id: int
    last_id: int
    exact: bool

    def of(self, prefix: str = "") -> Q:
        """Rows whose case (through `prefix`, e.g. "case__") was received in the period."""
        ids = "pk" if not prefix else f"{prefix.removesuffix('__')}_id"
        in_range = Q(**{f"{ids}__gte": self.first_id, f"{ids}__lte": self.last_id})
        if self.exact:
            return in_range
        start, end = self.period.bounds()
        return in_range & Q(**{f"{prefix}received_at__gte": start, f"{prefix}received_at__lt": end})


def received_cases(period: Period) -> ReceivedCases | None:
    """The period's cases and their id range; None when no case was received in it."""
    start, end = period.bounds()
    # The count also keeps PostgreSQL from answering MIN and MAX by walking the primary key from one end until a
    # case of the period turns up (millions of rows for a recent month) instead of reading the period's slice.
    bounds = Case.objects.filter(received_at__gte=start, received_at__lt=end).aggregate(
        first=Min("pk"), last=Max("pk"), cases=Count("pk")
    )
    if bounds["first"] is None:
        return None
    first, last = bounds["first"], bounds["last"]
    exact = Case.objects.filter(pk__gte=first, pk__lte=last).count() == bounds["cases"]
    return ReceivedCases(period, first, last, exact)


def _scoped(queryset: QuerySet[Any], scope: frozenset[int] | None, field_name: str) -> QuerySet[Any]:
    if scope is None:
        return queryset.filter(**{f"{field_name}__isnull": False})
    return queryset.filter(**{f"{field_name}__in": scope})


def _signed_in_time(prefix: str = "") -> Q:
    signed, due = f"{prefix}signed_at", f"{prefix}sign_due_at"
    return Q(**{f"{signed}__isnull": False}) & (Q(**{f"{due}__isnull": True}) | Q(**{f"{signed}__lte": F(due)}))


def _not_yet_due(now: datetime.datetime, prefix: str = "") -> Q:
    due = f"{prefix}sign_due_at"
    return Q(**{f"{prefix}signed_at__isnull": True}) & (Q(**{f"{due}__isnull": True}) | Q(**{f"{due}__gte": now}))


def _assignment_counts(
    cases: ReceivedCases, scope: frozenset[int] | None, now: datetime.datetime
) -> dict[int, dict[str, int]]:
    """Per unit: lead assignments, those signed in time, and those unsigned whose sign limit is still ahead."""
    queryset = _scoped(CaseAssignment.objects.filter(role=AssignmentRole.LEAD), scope, "department_id").filter(
        cases.of("case__")
    )
    rows = queryset.values("department_id").annotate(
        volume=Count("pk"),
        signed_in_time=Count("pk", filter=_signed_in_time()),
        not_yet_due=Count("pk", filter=_not_yet_due(now)),
    )
    return {row.pop("department_id"): row for row in rows.order_by()}


def _return_counts(
    cases: ReceivedCases, scope: frozenset[int] | None, now: datetime.datetime
) -> dict[int, dict[str, int]]:
    """Per unit: returns asked through its lead assignments, those approved, and — counted once per assignment —
    the assignments not signed in time that were returned within their sign limit (a response), of which those
    whose limit is still ahead (no longer awaiting). Counted here, from the few returns, rather than by probing the
    returns for every assignment."""
    queryset = _scoped(
        CaseReturn.objects.filter(assignment__role=AssignmentRole.LEAD), scope, "assignment__department_id"
    ).filter(cases.of("case__"))
    in_time = Q(requested_at__lte=F("assignment__sign_due_at")) & ~_signed_in_time("assignment__")
    rows = queryset.values("assignment__department_id").annotate(
        returns=Count("pk"),
        approved=Count("pk", filter=Q(decision=Decision.APPROVED)),
        returned_in_time=Count("assignment_id", distinct=True, filter=in_time),
        returned_before_due=Count("assignment_id", distinct=True, filter=in_time & _not_yet_due(now, "assignment__")),
    )
    return {row.pop("assignment__department_id"): row for row in rows.order_by()}


def latest_follow_ups(cases: ReceivedCases | None = None) -> QuerySet[CaseFollowUp]:
    """Each case's latest follow-up (by time, then id): the one that stands after a reopened case's new answer;
    of the cases received in a period when given."""
    later = CaseFollowUp.objects.filter(case_id=OuterRef("case_id")).filter(
        Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), pk__gt=OuterRef("pk"))
    )
    queryset = CaseFollowUp.objects.all()
    if cases is not None:
        queryset = queryset.filter(cases.of("case__"))
        # The same case, so the same range: redundant, but it lets the database hash just the period's follow-ups.
        later = later.filter(case_id__gte=cases.first_id, case_id__lte=cases.last_id)
    return queryset.filter(~Exists(later))


def _follow_up_counts(cases: ReceivedCases, scope: frozenset[int] | None) -> dict[int, dict[str, int]]:
    queryset = _scoped(latest_follow_ups(cases), scope, "lead_department_id")
    rows = queryset.values("lead_department_id").annotate(
        follow_ups=Count("pk"),
        resolved=Count("pk", filter=Q(resolved=True)),
        satisfied=Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        basically=Count("pk", filter=Q(satisfaction=Satisfaction.BASICALLY)),
        unsatisfied=Count("pk", filter=Q(satisfaction=Satisfaction.UNSATISFIED)),
    )
    return {row.pop("lead_department_id"): row for row in rows.order_by()}


def overdue_cases(now: datetime.datetime) -> Q:
    """Concluded after the due time, or still open past it (a merged case is the main case's business)."""
    return (Q(concluded_at__gt=F("due_at")) | Q(status__in=OPEN_STATUSES, due_at__lt=now)) & ~Q(
        status=CaseStatus.MERGED
    )


def _overdue_counts(cases: ReceivedCases, scope: frozenset[int] | None, now: datetime.datetime) -> dict[int, int]:
    queryset = _scoped(Case.objects.filter(cases.of()), scope, "lead_department_id").filter(overdue_cases(now))
    rows = queryset.values("lead_department_id").annotate(overdue=Count("pk"))
    return {row["lead_department_id"]: row["overdue"] for row in rows.order_by()}


def _composite(rates: Iterable[Rate]) -> float | None:
    """The plain mean of the three rates, in percent to one decimal: each weighs the same, anyone can redo it."""
    fractions = [rate.fraction() for rate in rates]
    if any(value is None for value in fractions):
        return None
    mean = sum(value for value in fractions if value is not None) / len(fractions)
    return round(float(100 * mean), 1)


def _figures(
    department_id: int | None,
    name: str,
    counts: dict[str, int],
    minimum: int,
) -> UnitFigures:
    volume = counts.get("volume", 0)
    # Responded: signed in time, or (not signed in time but) returned in time; awaiting: unsigned, limit ahead,
    # not returned.
    responded = counts.get("signed_in_time", 0) + counts.get("returned_in_time", 0)
    awaiting = counts.get("not_yet_due", 0) - counts.get("returned_before_due", 0)
    follow_ups = counts.get("follow_ups", 0)
    satisfied, basically = counts.get("satisfied", 0), counts.get("basically", 0)
    response = Rate(responded, volume - awaiting)
    resolution = Rate(counts.get("resolved", 0), follow_ups)
    satisfaction = Rate(satisfied + basically, follow_ups)
    composite = _composite((response, resolution, satisfaction))
    return UnitFigures(
        department_id=department_id,
        name=name,
        volume=volume,
        response=response,
        awaiting_signature=awaiting,
        resolution=resolution,
        satisfaction=satisfaction,
        satisfied=satisfied,
        basically_satisfied=basically,
        unsatisfied=counts.get("unsatisfied", 0),
        returns=Rate(counts.get("returns", 0), volume),
        returns_approved=counts.get("approved", 0),
        overdue=counts.get("overdue", 0),
        composite=composite,
        ranked=department_id is not None and volume >= minimum and composite is not None,
        rank=None,
    )


def _department_names(ids: Iterable[int]) -> dict[int, str]:
    names = {department.id: department.name for department in department_list()}
    for missing in set(ids) - set(names):  # inactive units that still had cases in the period
        info = department_get(department_id=missing)
        names[missing] = info.name if info else str(missing)
    return names


def units_for_scope(
    *, scope: frozenset[int] | None, period: Period, now: datetime.datetime | None = None
) -> UnitsReport:
    """The figures of every unit in `scope` (None: all) that led a case received in the period, ranked."""
    now = now or timezone.now()
    minimum = minimum_volume()
    cases = received_cases(period) if scope is None or scope else None
    if cases is None:
        return UnitsReport(period, minimum, [], _figures(None, "", {}, minimum))
    per_unit: dict[int, dict[str, int]] = {}
    for source in (
        _assignment_counts(cases, scope, now),
        _return_counts(cases, scope, now),
        _follow_up_counts(cases, scope),
    ):
        for department_id, counts in source.items():
            per_unit.setdefault(department_id, {}).update(counts)
    for department_id, overdue in _overdue_counts(cases, scope, now).items():
        per_unit.setdefault(department_id, {})["overdue"] = overdue
    names = _department_names(per_unit)
    figures = [_figures(pk, names[pk], counts, minimum) for pk, counts in per_unit.items()]
    ranked = sorted((unit for unit in figures if unit.ranked), key=lambda unit: (-(unit.composite or 0), unit.name))
    ranks: list[UnitFigures] = []
    for position, unit in enumerate(ranked, start=1):
        # Equal scores share a rank (1, 2, 2, 4): the order between them would say more than the figures do.
        same = ranks and ranks[-1].composite == unit.composite
        rank = ranks[-1].rank if same else position
        ranks.append(dataclasses.replace(unit, rank=rank))
    unranked = sorted((unit for unit in figures if not unit.ranked), key=lambda unit: (-unit.volume, unit.name))
    totals: dict[str, int] = {}
    for counts in per_unit.values():
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
    return UnitsReport(period, minimum, [*ranks, *unranked], _figures(None, "", totals, minimum))


def units_report(*, actor: Any, period: Period, now: datetime.datetime | None = None) -> UnitsReport:
    """三率 per lead unit the actor may see, for cases received in the period."""
    return units_for_scope(scope=analytics_scope(actor), period=period, now=now)


def units_sorted(units: list[UnitFigures], *, key: str, descending: bool) -> list[UnitFigures]:
    """The units ordered by one column; units without a value for it come last, whatever the direction."""
    if key not in SORT_KEYS or key == "rank":
        ordered = sorted(units, key=lambda unit: (unit.rank is None, unit.rank or 0, -unit.volume, unit.name))
        return list(reversed(ordered)) if descending else ordered

    def value(unit: UnitFigures) -> Any:
        if key == "name":
            return unit.name
        if key in ("volume", "overdue"):
            return getattr(unit, key)
        return getattr(unit, key).value

    known = [unit for unit in units if value(unit) is not None]
    unknown = [unit for unit in units if value(unit) is None]
    known.sort(key=lambda unit: unit.name)
    known.sort(key=value, reverse=descending)
    return [*known, *sorted(unknown, key=lambda unit: unit.name)]
