"""Accessibility basics on the exchange's console pages: the page language, one heading, every field labelled."""

from __future__ import annotations

from playwright.sync_api import expect

from yiwang.exchange import services

CONSOLE = "/console/exchange"
FORM_CONTROLS = """
main => {
    const controls = [...main.querySelectorAll("input, select, textarea")].filter(control => control.type !== "hidden");
    const named = control => control.labels.length > 0 || control.getAttribute("aria-label")
        || (control.getAttribute("aria-labelledby") || "").split(" ").some(id => document.getElementById(id));
    return {count: controls.length, unlabelled: controls.filter(control => !named(control)).map(c => c.outerHTML)};
}
"""


def test_the_exchange_pages_name_their_language_and_label_every_field(live_server, page, exchange, sign_in):
    registries = exchange.registries
    demand = services.data_demand_submit(
        actor=registries["civil_data_admin"],
        department_id=registries["civil"],
        title="人口户籍家庭成员信息",
        description="户籍人口的家庭成员关系",
        purpose="核定低保家庭人口",
    )
    sign_in(registries["police_data_admin"], f"{CONSOLE}/requests/")
    paths = [
        f"{CONSOLE}/consumers/",
        f"{CONSOLE}/requests/",
        f"{CONSOLE}/requests/?tab=decide",
        f"{CONSOLE}/requests/new/?resource=population",
        f"{CONSOLE}/requests/{exchange.grant_request_id}/",
        f"{CONSOLE}/demands/",
        f"{CONSOLE}/demands/{demand.pk}/",
        f"{CONSOLE}/log/",
        f"{CONSOLE}/log/?side=consumer",
        f"{CONSOLE}/statistics/",
    ]
    problems, controls = {}, 0
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
        expect(page.locator("main h1")).to_have_count(1)
        expect(page.locator("main table:not(:has(> caption))")).to_have_count(0)  # every table says what it holds
        found = page.locator("main").evaluate(FORM_CONTROLS)
        controls += found["count"]
        if found["unlabelled"]:
            problems[path] = found["unlabelled"]
    assert problems == {}
    assert controls > 30  # registration, the request form with its elements, decisions, answers, filters
