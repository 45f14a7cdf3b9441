"""The cases app's pages, one URL module per area: the hotline's and units' case pages, the dispatch catalogue and
grid, the knowledge base, analytics. Open311 lives under /open311/v2/ (`open311/urls.py`)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from yiwang.cases import urls_analytics, urls_cases, urls_catalogue, urls_knowledge

app_name = "cases"

urlpatterns: list[URLPattern | URLResolver] = [
    *urls_cases.urlpatterns,
    *urls_catalogue.urlpatterns,
    *urls_knowledge.urlpatterns,
    *urls_analytics.urlpatterns,
]
