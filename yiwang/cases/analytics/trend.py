"""Cases per day (in the city's time zone) by channel and by type: one GROUP BY (day, channel, type)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from yiwang.cases.analytics.period import Period
from yiwang.cases.analytics.scope import analytics_scope
from yiwang.cases.models import Case, CaseType, Channel


@dataclass(frozen=True)
class TrendSeries:
    key: str
    name: str
    counts: list[int]  # one per day of the period

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Trend:
    period: Period
    days: list[datetime.date]
    by_channel: list[TrendSeries]
    by_type: list[TrendSeries]
    totals: list[int]  # cases per day


def trend_for_scope(*, scope: frozenset[int] | None, period: Period) -> Trend:
    """Cases received each day of the period, by channel and by type; days without cases are zeros."""
    start, end = period.bounds()
    cases = Case.objects.filter(received_at__gte=start, received_at__lt=end)
    if scope is not None:
        cases = cases.filter(lead_department_id__in=scope)
    rows = (
        cases.annotate(day=TruncDate("received_at", tzinfo=timezone.get_default_timezone()))
        .values("day", "channel", "case_type")
        .annotate(count=Count("pk"))
        .order_by()
    )
    days = [period.start + datetime.timedelta(days=offset) for offset in range(period.days)]
    position = {day: index for index, day in enumerate(days)}
    channels = {key: [0] * len(days) for key in Channel.values}
    types = {key: [0] * len(days) for key in CaseType.values}
    totals = [0] * len(days)
    for row in rows:
        index = position.get(row["day"])
        if index is None:
            continue
        channels.setdefault(row["channel"], [0] * len(days))[index] += row["count"]
        types.setdefault(row["case_type"], [0] * len(days))[index] += row["count"]
        totals[index] += row["count"]
    channel_names, type_names = dict(Channel.choices), dict(CaseType.choices)
    return Trend(
        period=period,
        days=days,
        by_channel=[TrendSeries(key, str(channel_names.get(key, key)), counts) for key, counts in channels.items()],
        by_type=[TrendSeries(key, str(type_names.get(key, key)), counts) for key, counts in types.items()],
        totals=totals,
    )


def daily_trend(*, actor: Any, period: Period) -> Trend:
    """The trend of the cases the actor may see."""
    return trend_for_scope(scope=analytics_scope(actor), period=period)
