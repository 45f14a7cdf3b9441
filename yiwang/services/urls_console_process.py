"""The console's pages for an item draft's BPMN process: upload, check, reset, download."""

from __future__ import annotations

from django.urls import URLPattern, path

from yiwang.services.views import console_process

VERSION = "console/services/items/<slug:task_code>/versions/<int:version_id>/"

urlpatterns: list[URLPattern] = [
    path(f"{VERSION}process/", console_process.process, name="console_process"),
    path(f"{VERSION}process/check/", console_process.process_check, name="console_process_check"),
    path(f"{VERSION}process/reset/", console_process.process_reset, name="console_process_reset"),
    path(f"{VERSION}process.bpmn", console_process.process_download, name="console_process_download"),
]
