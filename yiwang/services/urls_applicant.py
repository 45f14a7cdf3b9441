"""The applicant's pages beyond the form: uploading materials and rating the service (好差评)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
