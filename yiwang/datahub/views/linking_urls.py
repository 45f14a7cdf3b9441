"""Console URLs of the data hub's linking pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
