"""Who reaches the data hub in the browser: staff without the data-administrator role see no sending entries.

That data administrators do see them, test_upload_progress.py shows: it reaches the upload from the menu.
"""

from __future__ import annotations

from playwright.sync_api import expect

from yiwang.identity.roles import Role

DATA_ADMIN_PAGES = [
    "/console/datahub/ingest/",
    "/console/datahub/conflicts/",
    "/console/datahub/conflicts/feedback/",
    "/console/datahub/linking/",
]
EVERY_STAFF_PAGES = ["/console/datahub/catalog/", "/console/datahub/batches/", "/console/datahub/quality/"]


def _menu_paths(page) -> list[str]:
    return page.locator("nav.console-nav a").evaluate_all("links => links.map(link => link.getAttribute('href'))")


def test_a_clerk_of_another_department_sees_no_data_administrator_entries_and_is_refused_the_upload(
    live_server, page, registries, make_staff, sign_in
):
    clerk = make_staff(registries["civil"], (Role.CLERK,), real_name="周九")
    sign_in(clerk, "/console/")
    expect(page.locator("nav.console-nav .console-nav__title")).to_have_text("民政局")

    menu = _menu_paths(page)
    assert [path for path in EVERY_STAFF_PAGES if path not in menu] == []
    assert [path for path in DATA_ADMIN_PAGES if path in menu] == []

    response = page.goto(f"{live_server.url}/console/datahub/ingest/")

    assert response is not None and response.status == 403
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("input[type=file], #id_resource")).to_have_count(0)
    expect(page.locator("nav.console-nav")).to_have_count(0)  # the refusal page is not the console
    assert page.url == f"{live_server.url}/console/datahub/ingest/"  # refused, not sent to sign in again
