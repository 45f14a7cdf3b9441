"""Pages of the cases app: analytics (the console's 三率, hot topics, heat table and trend)."""

from __future__ import annotations

from django.urls import URLPattern, path

from yiwang.cases.views import analytics

urlpatterns: list[URLPattern] = [
    path("console/cases/analytics/", analytics.analytics_page, name="analytics"),
]
