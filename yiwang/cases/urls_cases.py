"""Pages of the cases app: the hotline's and units' case pages and the grid worker's under /console/cases/, the
portal's 12345 pages under /hotline/."""

from __future__ import annotations

from django.urls import URLPattern, path, register_converter

from yiwang.cases.views import cases, grid, portal, steps


class CaseNumberConverter:
    """A case number (YYYYMMDD and six digits, longer for imported history): digits only, so that the other
    areas' pages under console/cases/ (catalogue/, knowledge/, analytics/…) never read as a case."""

    regex = "[0-9]{8,20}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(CaseNumberConverter, "case_number")

CONSOLE = "console/cases/"
PORTAL = "hotline/"

urlpatterns: list[URLPattern] = [
    path(CONSOLE, cases.boxes, name="boxes"),
    path(f"{CONSOLE}intake/", cases.intake, name="intake"),
    path(f"{CONSOLE}intake/caller/", cases.intake_caller, name="intake_caller"),
    path(f"{CONSOLE}intake/suggestions/", cases.intake_suggestions, name="intake_suggestions"),
    path(f"{CONSOLE}overdue/", cases.overdue, name="overdue"),
    path(f"{CONSOLE}grid/", grid.mine, name="grid_mine"),
    path(f"{CONSOLE}grid/report/", grid.report, name="grid_report"),
    path(f"{CONSOLE}<case_number:number>/", steps.case_page, name="case"),
    path(f"{CONSOLE}<case_number:number>/files/<int:attachment_id>/", cases.attachment, name="attachment"),
    path(f"{CONSOLE}<case_number:number>/<slug:step>/", steps.case_step, name="case_step"),
    path(PORTAL, portal.home, name="portal_home"),
    path(f"{PORTAL}new/", portal.new, name="portal_new"),
    path(f"{PORTAL}new/phone/", portal.phone, name="portal_phone"),
    path(f"{PORTAL}mine/", portal.mine, name="portal_mine"),
    path(f"{PORTAL}mine/<case_number:number>/", portal.case, name="portal_case"),
    path(f"{PORTAL}mine/<case_number:number>/follow-up/", portal.follow_up, name="portal_follow_up"),
    path(f"{PORTAL}track/", portal.lookup, name="portal_lookup"),
    path(f"{PORTAL}track/<case_number:number>/<str:token>/", portal.track, name="portal_track"),
    path(
        f"{PORTAL}track/<case_number:number>/<str:token>/follow-up/",
        portal.track_follow_up,
        name="portal_track_follow_up",
    ),
]
