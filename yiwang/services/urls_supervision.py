"""The console's supervision board (电子监察): warnings by department, item and level."""

from __future__ import annotations

from django.urls import URLPattern, path

from yiwang.services.views import supervision

urlpatterns: list[URLPattern] = [
    path("console/services/supervision/", supervision.board, name="console_supervision"),
]
