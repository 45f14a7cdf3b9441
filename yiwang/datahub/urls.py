"""URLs of the data hub's console pages: /console/datahub/…, gathered from the subject modules."""

from yiwang.datahub.views import authority_urls, catalog_urls, ingestion_urls, linking_urls, quality_urls

app_name = "datahub"

urlpatterns = [
    *catalog_urls.urlpatterns,
    *ingestion_urls.urlpatterns,
    *authority_urls.urlpatterns,
    *quality_urls.urlpatterns,
    *linking_urls.urlpatterns,
]
