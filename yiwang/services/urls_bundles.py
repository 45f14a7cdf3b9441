"""The bundles' pages (一件事一次办): the list, the merged form, submission and the one status."""

from __future__ import annotations

from django.urls import URLPattern, path

from yiwang.services.views import bundles

MINE = "my/bundles/"

urlpatterns: list[URLPattern] = [
    path("services/bundles/", bundles.bundle_list, name="bundles"),
    path("services/bundles/<slug:code>/", bundles.bundle_guide, name="bundle"),
    path("services/bundles/<slug:code>/start/", bundles.bundle_start, name="bundle_start"),
    path(MINE, bundles.my_bundles, name="my_bundles"),
    path(f"{MINE}<int:bundle_application_id>/", bundles.my_bundle, name="my_bundle"),
    path(f"{MINE}<int:bundle_application_id>/form/", bundles.my_bundle_form, name="my_bundle_form"),
    path(f"{MINE}<int:bundle_application_id>/materials/", bundles.my_bundle_material, name="my_bundle_material"),
]
