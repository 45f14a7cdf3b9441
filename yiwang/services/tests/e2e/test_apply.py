"""A citizen applies online with the keyboard alone and uploads a material, the department accepts and approves in
the console, and the citizen reads the result and rates the service (好差评); the application page in large text.

As in test_guide.py, these tests look at structure (ids, test ids, data attributes, URLs) and at the data typed
in, not at UI wording: the interface's source strings are English and its Chinese catalogue may lag behind. The
`browser` and `page` fixtures come from yiwang/conftest.py, the item from test_application_pages.py, and `sign_in`
(staff, with the authenticator code) from the data hub's browser tests.
"""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from yiwang.conftest import PASSWORD, focus_by_tab
from yiwang.datahub.tests.e2e.conftest import sign_in  # noqa: F401 - the fixture, signing staff in
from yiwang.identity.roles import Role
from yiwang.services.applications import services
from yiwang.services.catalog.services import HandlingItemInput, MaterialInput
from yiwang.services.models import Application, ApplicationMaterial, ItemVersion, Rating
from yiwang.services.tests import factories
from yiwang.services.tests.e2e.test_guide import LARGE_TEXT
from yiwang.services.tests.factories import published_item
from yiwang.services.tests.test_application_pages import FORM, TASK_CODE, item  # noqa: F401 - the item, a fixture

APPROVED = re.compile(r"办结[（(]?通过")  # the source label 办结通过, or the catalogue's 办结（通过）


def png() -> bytes:
    """A 1×1 white PNG (as yiwang/services/tests/test_materials.py builds it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff")) + chunk(b"IEND", b"")
    )


@pytest.fixture
def item_with_material(city: Any, settings: Any, tmp_path: Path) -> ItemVersion:
    """The item of test_application_pages.py asking for a floor plan (uploaded) and the identity card (免提交);
    uploads go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    plan = MaterialInput(name="营业场所平面图", required=True, form="either", copies=1, source="applicant")
    return published_item(
        department_id=city.public_security,
        task_code=TASK_CODE,
        name="开办店铺登记",
        form_schema=FORM,
        materials=(plan, factories.MATERIALS[1]),
        handling_items=(HandlingItemInput(code="01", name="首次申请"), HandlingItemInput(code="02", name="变更登记")),
    )


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


def test_a_citizen_applies_with_an_upload_sees_the_approval_and_rates(
    live_server,
    page,
    item_with_material,
    accounts,
    tmp_path,
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
    # the materials: the floor plan to upload, the identity card fetched by the department (免提交)
    expect(page.locator("[data-testid=material][data-fetched=true] [data-testid=fetched]")).to_have_count(1)
    expect(page.locator("[data-testid=materials-missing]")).to_contain_text("营业场所平面图")
    scan = tmp_path / "平面图.png"
    scan.write_bytes(png())
    upload = page.locator("[data-testid=material][data-fetched=false] [data-testid=upload-form]")
    upload.locator("input[type=file]").set_input_files(str(scan))
    focus_by_tab(page, upload.locator("button[type=submit]"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}{path}#materials")
    expect(page.locator("[data-testid=material] [data-testid=download]")).to_have_text("平面图.png")
    expect(page.locator("[data-testid=materials-missing]")).to_have_count(0)
    page.goto(f"{live_server.url}{path}")  # the form from the top again
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
    assert ApplicationMaterial.objects.get(application=application).original_name == "平面图.png"
    expect(page.locator("[data-testid=materials]")).to_have_attribute("data-editable", "false")
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

    # and rates the conclusion: the level, one indicator, a comment
    rating = page.locator("[data-testid=rating-form][data-event=conclusion]")
    focus_by_tab(page, rating.locator("input[name=level][value='1']"))
    page.keyboard.press("Space")
    rating.locator("select[name=indicator_efficiency]").select_option("2")
    rating.locator("textarea[name=comment]").fill("办理很快")
    rating.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}{path}#rating")
    expect(page.locator("[data-testid=rating-given][data-event=conclusion]")).to_have_attribute("data-level", "1")
    expect(page.locator("[data-testid=rating-form][data-event=conclusion]")).to_have_count(0)
    rated = Rating.objects.get(application=application, event="conclusion")
    assert (rated.level, rated.channel, rated.indicators, rated.comment) == (1, "online", {"efficiency": 2}, "办理很快")


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
    fields = page.locator("main form :is(input, select, textarea):not([type=hidden])")
    expect(page.locator("main form[action$='/form/'] :is(input, select):not([type=hidden])")).to_have_count(7)
    expect(fields).to_have_count(9)  # and the other document's name and file
    for index in range(9):  # every field has its label
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
