"""The cases API: analytics (/api/v1/cases/analytics/…), for staff with an analytics role (sessions or bearer tokens).

Every endpoint reads the units the caller may see: a handler its own unit and sub-units, supervisors and leaders the
units of their division, the hotline and platform administrators every unit. Periods are whole days in the city's
time zone, `start` included and `end` not (a named `period` instead: this_week, last_week, this_month, last_month).
Definitions: docs/adr/0022-case-analytics.md."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from yiwang.cases import analytics
from yiwang.cases.analytics import HeatTable, HotTopics, Period, Rate, TopicTrend, Trend, UnitFigures, UnitsReport
from yiwang.identity.api_auth import session_or_bearer

router = Router(tags=["case analytics"])


# --- schemas -----------------------------------------------------------------------------------------------------


class PeriodQuery(Schema):
    period: str = Field(
        "this_month", description="this_week, last_week, this_month or last_month; ignored when start or end is given"
    )
    start: str = Field("", description="first day, YYYY-MM-DD (with end: a period of your own)")
    end: str = Field("", description="the day after the last day, YYYY-MM-DD (not included)")


class UnitsQuery(PeriodQuery):
    sort: str = Field("rank", description="rank, name, volume, response, resolution, satisfaction, returns, overdue")
    descending: bool = False


class TopicsQuery(Schema):
    end: str = Field("", description="the day after the last day, YYYY-MM-DD; default today (seven whole days)")


class PeriodOut(Schema):
    start: datetime.date
    end: datetime.date = Field(description="not included")
    days: int


class RateOut(Schema):
    numerator: int
    denominator: int
    value: float | None = Field(description="numerator / denominator; null when nothing was counted")


class UnitOut(Schema):
    department_id: int | None = Field(description="null in the total")
    name: str
    volume: int = Field(description="lead assignments dispatched to the unit for cases received in the period")
    response: RateOut = Field(description="响应率: signed for (or returned) within the sign limit / assignments due")
    awaiting_signature: int = Field(description="unsigned assignments whose sign limit has not passed: not counted")
    resolution: RateOut = Field(description="解决率: latest follow-ups saying resolved / latest follow-ups")
    satisfaction: RateOut = Field(description="满意率: satisfied or basically satisfied / latest follow-ups")
    satisfied: int
    basically_satisfied: int
    unsatisfied: int
    returns: RateOut = Field(description="退单率: returns requested by the unit's lead assignments / volume")
    returns_approved: int = Field(description="returns the dispatcher approved (改派)")
    overdue: int = Field(description="cases it leads concluded after, or open past, their due time")
    composite: float | None = Field(description="mean of the three rates, percent, one decimal")
    ranked: bool = Field(description="false: below the minimum volume or a rate unknown (样本不足)")
    rank: int | None


class UnitsOut(Schema):
    period: PeriodOut
    minimum_volume: int
    units: list[UnitOut]
    total: UnitOut


class TopicOut(Schema):
    key: str = Field(description="the category's code, or the term")
    name: str
    this_week: int
    last_week: int
    growth: float | None = Field(description="(this - last) / last; null when last week had none")
    rising: bool


class TopicsOut(Schema):
    this_week: PeriodOut
    last_week: PeriodOut
    minimum_count: int
    cases_this_week: int
    cases_last_week: int
    categories: list[TopicOut]
    terms: list[TopicOut] = Field(description="rising terms only, largest increase first")
    sample_step: int = Field(description="1: every case's text read; k: one case in k, counts multiplied by k")


class HeatColumnOut(Schema):
    code: str = Field(description="the category heading's two-digit code; empty: not yet categorised")
    name: str


class HeatRowOut(Schema):
    code: str
    name: str
    kind: str = Field(description="district, street (inside the district before it), city_wide or unlocated")
    counts: list[int]
    levels: list[int] = Field(description="0 for none, else the quartile (1–4) among rows of the same kind")
    total: int


class HeatOut(Schema):
    period: PeriodOut
    columns: list[HeatColumnOut]
    rows: list[HeatRowOut]
    column_totals: list[int]
    total: int


class SeriesOut(Schema):
    key: str
    name: str
    counts: list[int]


class TrendOut(Schema):
    period: PeriodOut
    days: list[datetime.date]
    totals: list[int]
    by_channel: list[SeriesOut]
    by_type: list[SeriesOut]


# --- conversions -------------------------------------------------------------------------------------------------


def _period(query: PeriodQuery) -> Period:
    if query.start or query.end:
        return analytics.period_resolve(kind=analytics.PeriodKind.CUSTOM, start=query.start, end=query.end)
    return analytics.period_resolve(kind=query.period)


def _period_out(period: Period) -> dict[str, Any]:
    return {"start": period.start, "end": period.end, "days": period.days}


def _rate(rate: Rate) -> dict[str, Any]:
    return {"numerator": rate.numerator, "denominator": rate.denominator, "value": rate.value}


PLAIN_FIELDS = (
    "department_id", "name", "volume", "awaiting_signature", "satisfied", "basically_satisfied", "unsatisfied",
    "returns_approved", "overdue", "composite", "ranked", "rank",
)  # fmt: skip
RATE_FIELDS = ("response", "resolution", "satisfaction", "returns")


def _unit(unit: UnitFigures) -> dict[str, Any]:
    return {
        **{name: getattr(unit, name) for name in PLAIN_FIELDS},
        **{name: _rate(getattr(unit, name)) for name in RATE_FIELDS},
    }


def _topic(trend: TopicTrend) -> dict[str, Any]:
    return {
        "key": trend.key,
        "name": trend.name,
        "this_week": trend.this_week,
        "last_week": trend.last_week,
        "growth": trend.growth,
        "rising": trend.rising,
    }


# --- endpoints ---------------------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> Any:
    return request.user


@router.get("/units", response=UnitsOut, auth=session_or_bearer, summary="三率, returns and overdue cases per unit")
def units(request: HttpRequest, query: Query[UnitsQuery]) -> Any:
    report: UnitsReport = analytics.units_report(actor=_user(request), period=_period(query))
    ordered = analytics.units_sorted(report.units, key=query.sort, descending=query.descending)
    return {
        "period": _period_out(report.period),
        "minimum_volume": report.minimum_volume,
        "units": [_unit(unit) for unit in ordered],
        "total": _unit(report.total),
    }


@router.get(
    "/hot-topics", response=TopicsOut, auth=session_or_bearer, summary="Categories and terms rising week over week"
)
def hot_topics(request: HttpRequest, query: Query[TopicsQuery]) -> Any:
    hot: HotTopics = analytics.hot_topics(actor=_user(request), end=query.end or None)
    return {
        "this_week": _period_out(hot.this_week),
        "last_week": _period_out(hot.last_week),
        "minimum_count": hot.minimum_count,
        "cases_this_week": hot.cases_this_week,
        "cases_last_week": hot.cases_last_week,
        "categories": [_topic(trend) for trend in hot.categories],
        "terms": [_topic(trend) for trend in hot.terms],
        "sample_step": hot.sample_step,
    }


@router.get(
    "/heat", response=HeatOut, auth=session_or_bearer, summary="Cases by district and street × category heading"
)
def heat(request: HttpRequest, query: Query[PeriodQuery]) -> Any:
    table: HeatTable = analytics.heat_table(actor=_user(request), period=_period(query))
    return {
        "period": _period_out(table.period),
        "columns": [{"code": column.code, "name": column.name} for column in table.columns],
        "rows": [
            {
                "code": row.code,
                "name": row.name,
                "kind": row.kind,
                "counts": [cell.count for cell in row.cells],
                "levels": [cell.level for cell in row.cells],
                "total": row.total,
            }
            for row in table.rows
        ],
        "column_totals": table.column_totals,
        "total": table.total,
    }


@router.get("/trend", response=TrendOut, auth=session_or_bearer, summary="Cases per day by channel and by type")
def trend(request: HttpRequest, query: Query[PeriodQuery]) -> Any:
    daily: Trend = analytics.daily_trend(actor=_user(request), period=_period(query))
    return {
        "period": _period_out(daily.period),
        "days": daily.days,
        "totals": daily.totals,
        "by_channel": [{"key": s.key, "name": s.name, "counts": s.counts} for s in daily.by_channel],
        "by_type": [{"key": s.key, "name": s.name, "counts": s.counts} for s in daily.by_type],
    }
