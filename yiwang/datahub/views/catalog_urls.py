"""Console URLs of the data hub's catalog pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
