"""Console URLs of the data hub's authority pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
