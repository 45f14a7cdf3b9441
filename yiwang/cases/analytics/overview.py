"""Everything the analytics page shows, read by one call: the units, the hot topics of the period's last seven
days, the heat table and the trend, for the units the actor may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from yiwang.cases.analytics.heat import HeatTable, heat_for_scope
from yiwang.cases.analytics.period import Period
from yiwang.cases.analytics.scope import analytics_scope
from yiwang.cases.analytics.topics import HotTopics, hot_topics_for_scope
from yiwang.cases.analytics.trend import Trend, trend_for_scope
from yiwang.cases.analytics.units import UnitsReport, units_for_scope


@dataclass(frozen=True)
class Overview:
    period: Period
    city_wide: bool  # the actor sees every unit (the hotline, platform administrators)
    units: UnitsReport
    topics: HotTopics
    heat: HeatTable
    trend: Trend


def topics_end(period: Period, today: datetime.date) -> datetime.date:
    """The hot topics of a period: its last seven whole days, or the seven days before today while it runs."""
    return min(period.end, today)


def analytics_overview(*, actor: Any, period: Period, today: datetime.date | None = None) -> Overview:
    """The analytics page's figures for the period, scoped to the units the actor may see."""
    scope = analytics_scope(actor)
    today = today or timezone.localdate()
    return Overview(
        period=period,
        city_wide=scope is None,
        units=units_for_scope(scope=scope, period=period),
        topics=hot_topics_for_scope(scope=scope, end=topics_end(period, today)),
        heat=heat_for_scope(scope=scope, period=period),
        trend=trend_for_scope(scope=scope, period=period),
    )
