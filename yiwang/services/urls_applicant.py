"""The applicant's pages beyond the form: pre-fill from the registries, uploading materials and rating the service
(好差评)."""

from __future__ import annotations

from django.urls import URLPattern, path

from yiwang.services.views.applications import applicant_extra

MINE = "my/applications/<int:application_id>/"

urlpatterns: list[URLPattern] = [
    path(f"{MINE}materials/", applicant_extra.material_upload_page, name="my_material_upload"),
    path(f"{MINE}materials/<int:upload_id>/remove/", applicant_extra.material_remove_page, name="my_material_remove"),
    path(f"{MINE}materials/<int:upload_id>/file/", applicant_extra.material_file_page, name="my_material_file"),
    path(f"{MINE}ratings/<slug:event>/", applicant_extra.rating_page, name="my_rating"),
    path(f"{MINE}prefill/", applicant_extra.prefill_page, name="my_prefill"),
]
