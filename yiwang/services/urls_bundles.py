"""The bundles' pages (一件事一次办): the list, the merged form, submission and the one status."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
