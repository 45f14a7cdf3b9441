"""Console URLs of the data hub's catalog pages (/console/datahub/catalog/…), in the `datahub` namespace."""

from django.urls import URLPattern, path

from yiwang.datahub.views import catalog

# fixed paths before <slug:slug>/, so that "new", "import" and "export.xlsx" are never read as a slug
urlpatterns: list[URLPattern] = [
    path("catalog/", catalog.catalog_list_view, name="catalog"),
    path("catalog/new/", catalog.catalog_create_view, name="catalog_create"),
    path("catalog/import/", catalog.catalog_import_view, name="catalog_import"),
    path("catalog/export.xlsx", catalog.catalog_export_view, name="catalog_export"),
    path("catalog/<slug:slug>/", catalog.catalog_detail_view, name="catalog_detail"),
    path("catalog/<slug:slug>/edit/", catalog.catalog_edit_view, name="catalog_edit"),
    path("catalog/<slug:slug>/submit/", catalog.catalog_submit_view, name="catalog_submit"),
    path("catalog/<slug:slug>/publish/", catalog.catalog_publish_view, name="catalog_publish"),
    path("catalog/<slug:slug>/return/", catalog.catalog_return_view, name="catalog_return"),
    path("catalog/<slug:slug>/authority/", catalog.catalog_authority_view, name="catalog_authority"),
]
