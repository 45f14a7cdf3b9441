"""Console URLs of the data hub's quality pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
