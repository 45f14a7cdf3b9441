"""The public service guide under /services/, and the console's item pages under /console/services/."""

from django.urls import path

from yiwang.services.views import console, guide

app_name = "services"

CONSOLE = "console/services/"

urlpatterns = [
    path("services/", guide.search, name="search"),
    path("services/items/<slug:task_code>/", guide.guide, name="guide"),
    path(f"{CONSOLE}items/", console.items, name="console_items"),
    path(f"{CONSOLE}items/<slug:task_code>/", console.item, name="console_item"),
    path(f"{CONSOLE}items/<slug:task_code>/new-draft/", console.item_new_draft, name="console_new_draft"),
    path(
        f"{CONSOLE}items/<slug:task_code>/versions/<int:version_id>/publish/",
        console.version_publish,
        name="console_publish",
    ),
    path(f"{CONSOLE}items/<slug:task_code>/retire/", console.item_retire, name="console_retire"),
]
