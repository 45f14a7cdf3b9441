"""Console URLs of the data hub's ingestion pages."""

from django.urls import URLPattern, path

from yiwang.datahub.views import ingestion

urlpatterns: list[URLPattern] = [
    path("ingest/", ingestion.upload_view, name="upload"),
    path("ingest/uploads/<str:token>/", ingestion.upload_status_view, name="upload_status"),
    path("batches/", ingestion.batches_view, name="batches"),
    path("batches/<int:batch_id>/", ingestion.batch_view, name="batch"),
    path("batches/<int:batch_id>/report.<str:kind>", ingestion.batch_report_view, name="batch_report"),
]
