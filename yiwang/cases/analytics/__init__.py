"""Case analytics (issue 7): 三率 per unit, hot topics, the heat table by division and the daily trend.

Selectors only (reads): each figure is counted by GROUP BY queries in the database, never row by row, on SQLite
and PostgreSQL alike. Definitions: docs/adr/0022-case-analytics.md."""

from __future__ import annotations

from yiwang.cases.analytics.heat import HeatCell, HeatColumn, HeatRow, HeatTable, heat_for_scope, heat_table
from yiwang.cases.analytics.overview import Overview, analytics_overview, topics_end
from yiwang.cases.analytics.period import Period, PeriodKind, day_start, parse_day, period_resolve
from yiwang.cases.analytics.scope import ANALYTICS_ROLES, CITY_WIDE_ROLES, analytics_scope
from yiwang.cases.analytics.topics import (
    HotTopics,
    TopicTrend,
    hot_topics,
    hot_topics_for_scope,
    is_rising,
    terms_of,
)
from yiwang.cases.analytics.trend import Trend, TrendSeries, daily_trend, trend_for_scope
from yiwang.cases.analytics.units import (
    SORT_KEYS,
    Rate,
    ReceivedCases,
    UnitFigures,
    UnitsReport,
    latest_follow_ups,
    received_cases,
    units_for_scope,
    units_report,
    units_sorted,
)

__all__ = [
    "ANALYTICS_ROLES",
    "CITY_WIDE_ROLES",
    "SORT_KEYS",
    "HeatCell",
    "HeatColumn",
    "HeatRow",
    "HeatTable",
    "HotTopics",
    "Overview",
    "Period",
    "PeriodKind",
    "Rate",
    "ReceivedCases",
    "TopicTrend",
    "Trend",
    "TrendSeries",
    "UnitFigures",
    "UnitsReport",
    "analytics_overview",
    "analytics_scope",
    "daily_trend",
    "day_start",
    "heat_for_scope",
    "heat_table",
    "hot_topics",
    "hot_topics_for_scope",
    "is_rising",
    "latest_follow_ups",
    "parse_day",
    "period_resolve",
    "received_cases",
    "terms_of",
    "topics_end",
    "trend_for_scope",
    "units_for_scope",
    "units_report",
    "units_sorted",
]
