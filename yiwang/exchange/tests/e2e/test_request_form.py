"""Requesting access in the browser: the resource's elements load in place (htmx), and the keyboard is enough."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from yiwang.exchange.models import AccessRequest, RequestStatus

NEW = "/console/exchange/requests/new/"


def _focused(page: Any, selector: str) -> bool:
    return bool(page.evaluate("selector => document.activeElement === document.querySelector(selector)", selector))


def tab_to(page: Any, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the element has the focus, as a keyboard user moves through the page."""
    for _step in range(limit):
        if _focused(page, selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} was not reached with Tab")


def test_the_elements_of_the_chosen_resource_load_in_place(live_server, page, exchange, sign_in):
    sign_in(exchange.registries["civil_data_admin"], NEW)
    region = page.locator("#request-elements")
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region.locator("input[name=elements]")).to_have_count(0)
    expect(page.locator("main noscript")).to_have_count(1)  # the fallback button is for browsers without script

    page.select_option("#id_resource", "population")

    expect(region.locator("input[name=elements]")).to_have_count(9)
    expect(region.locator("fieldset legend")).to_contain_text("信息项")
    # a justification box for each element masked by default, labelled with the element's name
    for code in ("id_number", "name", "registered_address", "current_address", "phone"):
        expect(region.locator(f"#id_clear_{code}")).to_have_count(1)
        expect(region.locator(f"label[for=id_clear_{code}]")).to_have_count(1)
    for code in ("sex", "birth_date", "ethnicity", "division"):
        expect(region.locator(f"#id_clear_{code}")).to_have_count(0)
    expect(page).to_have_url(f"{live_server.url}{NEW}")  # swapped in place, no navigation

    page.select_option("#id_resource", "indicators")
    expect(region.locator("input[name=elements][value=indicator_code]")).to_have_count(1)
    expect(region.locator("input[name=elements][value=birth_date]")).to_have_count(0)
    expect(region.locator("input[name^=clear_]")).to_have_count(0)


def test_a_request_is_submitted_with_the_keyboard_alone(live_server, page, exchange, sign_in):
    sign_in(exchange.registries["civil_data_admin"], NEW)

    page.keyboard.press("Tab")
    expect(page.locator("a.skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    tab_to(page, "#id_consumer")
    expect(page.locator("#id_consumer")).to_have_value(str(exchange.consumer_id))  # the department's one system
    page.keyboard.press("Tab")
    expect(page.locator("#id_resource")).to_be_focused()
    page.keyboard.press("ArrowDown")  # the first resource in the catalog's order: 1-01-001 人口基础信息
    expect(page.locator("#id_resource")).to_have_value("population")
    expect(page.locator("#request-elements input[name=elements][value=name]")).to_have_count(1)

    tab_to(page, "#request-elements input[value=name]")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.locator("#id_clear_name")).to_be_focused()
    page.keyboard.type("核对申请人姓名与户籍是否一致")
    tab_to(page, "#request-elements input[value=birth_date]")
    page.keyboard.press("Space")
    tab_to(page, "#id_purpose")
    page.keyboard.type("临时救助对象身份核查")
    page.keyboard.press("Tab")
    expect(page.locator("#id_legal_basis")).to_be_focused()
    page.keyboard.type("《社会救助暂行办法》第四十七条")
    tab_to(page, "#id_expected_volume")
    page.keyboard.type("300")
    tab_to(page, "main form button[value=submit]")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(rf"{re.escape(live_server.url)}/console/exchange/requests/\d+/$"))
    request = AccessRequest.objects.exclude(pk=exchange.grant_request_id).get()
    assert page.url == f"{live_server.url}/console/exchange/requests/{request.pk}/"
    assert request.status == RequestStatus.COMPLIANCE
    assert request.elements == ["name", "birth_date"]
    assert request.clear_elements == {"name": "核对申请人姓名与户籍是否一致"}
    assert (request.purpose, request.expected_volume) == ("临时救助对象身份核查", 300)
    expect(page.locator("main .message--success")).to_be_visible()
    expect(page.locator("[data-testid=request-status]")).to_contain_text("待平台合规审查")


def test_a_missing_choice_is_reported_and_the_form_keeps_what_was_typed(live_server, page, exchange, sign_in):
    sign_in(exchange.registries["civil_data_admin"], NEW)
    page.select_option("#id_resource", "population")
    expect(page.locator("#request-elements input[name=elements]")).to_have_count(9)
    page.fill("#id_purpose", "临时救助对象身份核查")
    page.fill("#id_legal_basis", "《社会救助暂行办法》")
    page.fill("#id_expected_volume", "10")
    page.click("main form button[value=submit]")

    summary = page.get_by_role("alert")
    expect(summary.locator("a[href='#id_elements']")).to_have_count(1)
    expect(page.locator("#id_elements")).to_have_attribute("aria-describedby", "id_elements_hint id_elements_error")
    expect(page.locator("#id_purpose")).to_have_value("临时救助对象身份核查")
    expect(page.locator("#request-elements input[name=elements]")).to_have_count(9)  # still there, no script needed
    assert AccessRequest.objects.count() == 1
