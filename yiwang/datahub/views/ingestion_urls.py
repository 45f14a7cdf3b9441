"""Console URLs of the data hub's ingestion pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
