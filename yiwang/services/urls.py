"""The public service guide under /services/, the applicant's applications under /my/applications/, and the
console's item and application pages under /console/services/."""

from django.urls import path

from yiwang.services import urls_applicant, urls_bundles, urls_console_process, urls_supervision
from yiwang.services.views import console, guide
from yiwang.services.views.applications import applicant
from yiwang.services.views.applications import console as handling

app_name = "services"

CONSOLE = "console/services/"
MINE = "my/applications/"

urlpatterns = [
    path("services/", guide.search, name="search"),
    path("services/items/<slug:task_code>/", guide.guide, name="guide"),
    path("services/items/<slug:task_code>/apply/", applicant.apply, name="apply"),
    path(MINE, applicant.my_applications, name="my_applications"),
    path(f"{MINE}<int:application_id>/", applicant.my_application, name="my_application"),
    path(f"{MINE}<int:application_id>/form/", applicant.my_application_form, name="my_application_form"),
    path(f"{MINE}<int:application_id>/supplement/", applicant.my_application_supplement, name="my_supplement"),
    path(f"{MINE}<int:application_id>/withdraw/", applicant.my_application_withdraw, name="my_withdraw"),
    path(f"{CONSOLE}items/", console.items, name="console_items"),
    path(f"{CONSOLE}items/<slug:task_code>/", console.item, name="console_item"),
    path(f"{CONSOLE}items/<slug:task_code>/new-draft/", console.item_new_draft, name="console_new_draft"),
    path(
        f"{CONSOLE}items/<slug:task_code>/versions/<int:version_id>/publish/",
        console.version_publish,
        name="console_publish",
    ),
    path(f"{CONSOLE}items/<slug:task_code>/retire/", console.item_retire, name="console_retire"),
    path(f"{CONSOLE}applications/", handling.inbox, name="console_applications"),
    path(f"{CONSOLE}applications/<int:application_id>/", handling.application, name="console_application"),
    path(
        f"{CONSOLE}applications/<int:application_id>/<slug:step>/",
        handling.application_step,
        name="console_application_step",
    ),
]
# Each area's pages in a module of its own (built in parallel): mounted here, under this app's namespace.
urlpatterns += (
    urls_applicant.urlpatterns
    + urls_bundles.urlpatterns
    + urls_console_process.urlpatterns
    + urls_supervision.urlpatterns
)
