"""Pages of the cases app: catalogue."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
