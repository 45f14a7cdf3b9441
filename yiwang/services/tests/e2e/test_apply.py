"""A citizen applies online with the keyboard alone, the department accepts and approves in the console, and the
citizen reads the result; the application page in large text.

As in test_guide.py, these tests look at structure (ids, test ids, data attributes, URLs) and at the data typed
in, not at UI wording: the interface's source strings are English and its Chinese catalogue may lag behind. The
`browser` and `page` fixtures come from yiwang/conftest.py, the item from test_application_pages.py, and `sign_in`
(staff, with the authenticator code) from the data hub's browser tests.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from yiwang.conftest import PASSWORD
from yiwang.datahub.tests.e2e.conftest import sign_in  # noqa: F401 - the fixture, signing staff in
from yiwang.identity.roles import Role
from yiwang.services.applications import services
from yiwang.services.models import Application
from yiwang.services.tests.e2e.test_guide import LARGE_TEXT, focus_by_tab
from yiwang.services.tests.test_application_pages import TASK_CODE, item  # noqa: F401 - the item, a fixture

APPROVED = re.compile(r"办结[（(]?通过")  # the source label 办结通过, or the catalogue's 办结（通过）


def citizen_signs_in(page: Any, base_url: str, user: Any, path: str) -> None:
    """Sign in with the password on the sign-in page and come back to the page."""
    page.goto(f"{base_url}/login/?next={path}")
    page.fill("#id_login", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url(f"{base_url}{path}")


def sign_out(page: Any) -> None:
    page.click("header form[action='/logout/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def test_a_citizen_applies_by_keyboard_and_sees_the_approval(
    live_server,
    page,
    item,  # noqa: F811
    accounts,
    make_staff,
    city,
    sign_in,  # noqa: F811
):
    guide = f"/services/items/{TASK_CODE}/"
    citizen_signs_in(page, live_server.url, accounts.citizen, guide)
    focus_by_tab(page, page.locator("main [data-testid=apply]"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}{guide}apply/")
    focus_by_tab(page, page.locator("#id_handling_item_0"))
    page.keyboard.press("ArrowDown")  # the radio group: the arrow keys choose 变更登记
    expect(page.locator("#id_handling_item_1")).to_be_checked()
    focus_by_tab(page, page.locator("main form button[type=submit]"))
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/my/applications/\d+/$"))
    path = page.url.removeprefix(live_server.url)
    expect(page.locator("[data-testid=status]")).to_have_attribute("data-status", "0")
    focus_by_tab(page, page.locator("#id_answers-shop_name"))
    page.keyboard.type("明湖小吃店")
    page.keyboard.press("Tab")
    expect(page.locator("#id_answers-area")).to_be_focused()
    page.keyboard.type("45")
    focus_by_tab(page, page.locator("#id_answers-trade"))
    page.keyboard.press("ArrowDown")  # a closed select: the arrow keys step through the options
    expect(page.locator("#id_answers-trade")).to_have_value("餐饮")
    focus_by_tab(page, page.locator("#id_answers-chain"))
    page.keyboard.press("Space")
    focus_by_tab(page, page.locator("main button[name=action][value=submit]"))
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}{path}")
    expect(page.locator("[data-testid=status]")).to_have_attribute("data-status", "1")
    application = Application.objects.get(applicant=accounts.citizen)
    assert application.form_data == {"shop_name": "明湖小吃店", "area": 45, "trade": "餐饮", "chain": True}
    assert application.handling_item is not None and application.handling_item.code == "02"
    expect(page.locator("[data-testid=number]")).to_have_text(application.number)
    sign_out(page)

    console = f"/console/services/applications/{application.pk}/"
    sign_in(accounts.staff, console)  # 公安局's window clerk
    page.click("[data-testid=step-accept] button[type=submit]")
    page.wait_for_url(f"{live_server.url}{console}")
    expect(page.locator("[data-testid=status]")).to_have_attribute("data-status", "3")
    sign_out(page)

    sign_in(make_staff(city.public_security, (Role.APPROVER,), real_name="审批丁"), console)
    # The item's process (承诺件: 受理 → 审查 → 决定) asks for the review first; an approver may take it.
    expect(page.locator("[data-testid=step-decide]")).to_have_count(0)
    page.check("[data-testid=step-review] input[name=review-verdict][value=agree]")
    page.click("[data-testid=step-review] button[type=submit]")
    page.wait_for_url(f"{live_server.url}{console}")
    expect(page.locator("[data-testid=status]")).to_have_attribute("data-status", "8")
    page.check("[data-testid=step-decide] input[name=decide-outcome][value=approved]")
    page.click("[data-testid=step-decide] button[type=submit]")
    page.wait_for_url(f"{live_server.url}{console}")
    expect(page.locator("[data-testid=status]")).to_have_attribute("data-status", "11")
    sign_out(page)

    citizen_signs_in(page, live_server.url, accounts.citizen, path)
    status = page.locator("[data-testid=status]")
    expect(status).to_have_attribute("data-status", "11")
    expect(status).to_have_text(APPROVED)
    expect(page.locator("[data-testid=decision]")).to_be_visible()
    expect(page.locator("[data-testid=timeline] tbody tr")).to_have_count(4)  # received, accepted, handling, approved


def test_the_application_page_in_large_text(live_server, page, item, accounts):  # noqa: F811
    draft = services.application_draft_save(
        actor=accounts.citizen, task_code=TASK_CODE, form_data={"shop_name": "明"}, handling_item_code="01"
    )
    path = f"/my/applications/{draft.pk}/"
    citizen_signs_in(page, live_server.url, accounts.citizen, path)
    html = page.locator("html")
    expect(html).to_have_css("font-size", "16px")
    focus_by_tab(page, page.locator("header button[name=large_text]"))

    page.keyboard.press("Enter")

    expect(html).to_have_class(LARGE_TEXT)
    expect(html).to_have_css("font-size", "21px")
    expect(page).to_have_url(f"{live_server.url}{path}")
    # the larger text wraps instead of pushing the page sideways
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    expect(page.locator("main h1")).to_have_count(1)
    fields = page.locator("main form :is(input, select):not([type=hidden])")
    expect(fields).to_have_count(7)
    for index in range(7):  # every field has its label
        field_id = fields.nth(index).get_attribute("id")
        expect(page.locator(f"main label[for='{field_id}']")).to_have_count(1)
    expect(page.locator("#id_answers-shop_name")).to_have_value("明")

    # a submission with problems: the error summary, in large text too
    focus_by_tab(page, page.locator("main button[name=action][value=submit]"))
    page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a")).to_have_count(3)  # 店铺名称 too short, 经营面积 and 经营类别 missing
    expect(html).to_have_class(LARGE_TEXT)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
