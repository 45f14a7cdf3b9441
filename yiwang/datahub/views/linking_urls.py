"""Console URLs of the data hub's entity-resolution pages."""

from django.urls import URLPattern, path

from yiwang.datahub.views import linking

urlpatterns: list[URLPattern] = [
    path("linking/", linking.linking_view, name="linking"),
    path("linking/reviews/<int:review_id>/", linking.link_review_view, name="link_review"),
]
