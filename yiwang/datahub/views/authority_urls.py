"""Console URLs of the data hub's authority pages."""

from django.urls import URLPattern, path

from yiwang.datahub.views import authority

urlpatterns: list[URLPattern] = [
    path("conflicts/", authority.conflict_queue_view, name="conflicts"),
    path("conflicts/feedback/", authority.conflict_feedback_view, name="conflict_feedback"),
    path("conflicts/<int:conflict_id>/", authority.conflict_view, name="conflict"),
]
