"""Console URLs of the data hub's quality pages."""

from django.urls import URLPattern, path

from yiwang.datahub.views import quality

urlpatterns: list[URLPattern] = [
    path("quality/", quality.quality_view, name="quality"),
    path("quality/<slug:slug>/", quality.quality_resource_view, name="quality_resource"),
    path("quality/<slug:slug>/examples/", quality.quality_examples_view, name="quality_examples"),
    path("quality/<slug:slug>/recompute/", quality.quality_recompute_view, name="quality_recompute"),
]
