"""Accessibility basics on the data hub's pages: keyboard use, the page language, labelled fields, large text."""

from __future__ import annotations

import re

from playwright.sync_api import expect

CATALOG = "/console/datahub/catalog/"
LARGE_TEXT = re.compile(r"\blarge-text\b")
# What a data administrator of 公安局 opens in the data hub: each page's form controls need a label.
PAGES = [
    CATALOG,
    f"{CATALOG}new/",
    f"{CATALOG}import/",
    f"{CATALOG}population/",
    "/console/datahub/ingest/",
    "/console/datahub/batches/",
    "/console/datahub/quality/",
    "/console/datahub/quality/population/",
    "/console/datahub/conflicts/",
    "/console/datahub/conflicts/feedback/",
    "/console/datahub/linking/",
]
FORM_CONTROLS = """
main => {
    const controls = [...main.querySelectorAll("input, select, textarea")].filter(control => control.type !== "hidden");
    const named = control => control.labels.length > 0 || control.getAttribute("aria-label")
        || (control.getAttribute("aria-labelledby") || "").split(" ").some(id => document.getElementById(id));
    return {count: controls.length, unlabelled: controls.filter(control => !named(control)).map(c => c.outerHTML)};
}
"""


def _focused_href(page) -> str | None:
    return page.evaluate("document.activeElement && document.activeElement.getAttribute('href')")


def test_the_catalog_is_searched_and_an_entry_opened_with_the_keyboard_alone(live_server, page, registries, sign_in):
    sign_in(registries["police_data_admin"], CATALOG)

    page.keyboard.press("Tab")
    expect(page.locator("a.skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#catalog-q")).to_be_focused()  # the search field is the first stop in the content
    page.keyboard.type("人口")
    page.keyboard.press("Enter")

    expect(page.locator("main table tbody tr")).to_have_count(1)
    expect(page.locator("#catalog-q")).to_have_value("人口")
    detail = f"{CATALOG}population/"
    for _step in range(40):  # Tab through the page until the entry's link, as a keyboard user does
        page.keyboard.press("Tab")
        if _focused_href(page) == detail:
            break
    expect(page.locator(f"main table a[href='{detail}']")).to_be_focused()
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}{detail}")
    expect(page.locator("main h1")).to_contain_text("人口基础信息")


def test_the_data_hub_pages_name_their_language_and_label_every_field(live_server, page, registries, sign_in):
    sign_in(registries["police_data_admin"], CATALOG)
    problems, controls = {}, 0
    for path in PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
        expect(page.locator("main h1")).to_have_count(1)
        found = page.locator("main").evaluate(FORM_CONTROLS)
        controls += found["count"]
        if found["unlabelled"]:
            problems[path] = found["unlabelled"]
    assert problems == {}
    assert controls > 40  # the search forms, the entry editor, the upload form, the filters


def test_large_text_enlarges_a_data_hub_page_and_stays_on(live_server, page, registries, sign_in):
    user = registries["police_data_admin"]
    sign_in(user, "/console/datahub/quality/")
    html = page.locator("html")
    heading = page.locator("main h1")
    toggle = page.locator("header button[name=large_text]")
    expect(html).not_to_have_class(LARGE_TEXT)
    expect(toggle).to_have_attribute("aria-pressed", "false")
    text = page.locator("main p").first
    expect(text).to_have_css("font-size", "16px")
    standard = heading.evaluate("element => parseFloat(getComputedStyle(element).fontSize)")

    toggle.click()

    expect(html).to_have_class(LARGE_TEXT)
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(text).to_have_css("font-size", "21px")  # running text: 131.25 % of 16 px, once the new page is styled
    assert heading.evaluate("element => parseFloat(getComputedStyle(element).fontSize)") > standard
    assert page.url == f"{live_server.url}/console/datahub/quality/"  # back on the same page
    page.click(f"nav.console-nav a[href='{CATALOG}']")
    page.wait_for_url(f"{live_server.url}{CATALOG}")
    expect(html).to_have_class(LARGE_TEXT)
    user.refresh_from_db()
    assert user.large_text is True  # remembered on the account, not only in this browser
