"""The console's pages for an item draft's BPMN process: upload, check, reset, download."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
