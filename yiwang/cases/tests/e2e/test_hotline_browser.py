"""The 12345 hotline end to end in headless Chromium.

An operator takes a call (the caller's earlier case appears as the phone is typed, the routing model's top three
as the request is typed) and dispatches it with the model's first suggestion; the lead unit's handler finds it in
the box to sign for, signs for it and concludes with a reply, by keyboard; the operator records the follow-up and
the case is closed, every step in its timeline. On the portal, a signed-in citizen makes a request, follows it in
"my requests" and, once the unit has concluded, answers the follow-up online as not satisfied: the case is reopened.

The browser reads the pages in Simplified Chinese, as the city's staff do. The interface's source strings are
English and its Chinese catalogue may lag behind, so the words these tests look for (labels, headings, statuses)
are translated here by the same catalogue the server uses (`zh`), never written out. The operator and the handler
each sit at their own browser (a context of their own) and sign in once, with the password and their authenticator
app's code. No page may log an error to the console, a violation of the content security policy among them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from yiwang.cases import services
from yiwang.cases.forms import ConcludeForm, FollowUpForm, IntakeForm, LookupForm, PortalCaseForm
from yiwang.cases.models import (
    Case,
    CaseCategory,
    CaseEvent,
    CaseFollowUp,
    CaseStatus,
    CaseType,
    Channel,
    DispatchRule,
    EventKind,
    Satisfaction,
)
from yiwang.cases.routing import forget_loaded_model, router_train
from yiwang.cases.services import CaseIntake
from yiwang.cases.tests.test_routing import load_demo_catalogue
from yiwang.conftest import PASSWORD, City, focus_by_tab, next_credit_code
from yiwang.datahub.tests.e2e.conftest import authenticator_code
from yiwang.identity import services as identity_services
from yiwang.identity.roles import Role
from yiwang.org import services as org_services

COMMUNITY = "419802001001"  # 柳园社区, 滨河街道, 清河区
PLACE = "清河区 › 滨河街道 › 柳园社区"  # as the place's select box names it
CALLER = "13900001111"
CONTENT = "柳园社区3号楼门口的路灯坏了一个星期了，晚上出门很黑"
REPLY = "经现场核查，3号楼门口路灯灯泡损坏，已于今日更换，恢复照明。"
CASE_PAGE = re.compile(r"/console/cases/(\d{14,})/$")


def htmx_idle(page: Any, *, debounce: bool = False) -> None:
    """Wait until htmx has no request in flight and nothing left to swap or settle; with `debounce`, first let the
    intake form's 800 ms typing delay run out, so that no refresh is still to come."""
    if debounce:
        page.wait_for_timeout(900)
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def answer_satisfied_by_keyboard(page: Any, form: Any, note: str) -> None:
    """Tab to "resolved" and "satisfied", tick each with Space, type the note and send, as a keyboard user does."""
    for choice in (zh("Resolved"), zh(Satisfaction.SATISFIED.label)):
        option = form.get_by_label(choice, exact=True)
        focus_by_tab(page, option, presses=200)
        page.keyboard.press("Space")
        expect(option).to_be_checked()
    page.keyboard.press("Tab")
    expect(form.get_by_label(label(FollowUpForm, "note"))).to_be_focused()
    page.keyboard.type(note)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")


def zh(text: Any) -> str:
    """What the pages show for an interface string (a source string, or a lazy label) in Simplified Chinese."""
    with translation.override("zh-hans"):
        return gettext(text) if isinstance(text, str) else str(text)


def label(form: Any, name: str) -> re.Pattern[str]:
    """A form field's label as its field's accessible name starts (a required field's label goes on)."""
    return re.compile("^" + re.escape(zh(form.base_fields[name].label)) + r"(\s|$)")


class Console:
    """What a browser page logs as errors (console errors, CSP violations among them, and uncaught exceptions)."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} ({message.location.get('url', '')})")


def staff_signs_in(page: Any, base_url: str, user: Any, path: str) -> None:
    """Open a console page signed out, sign in with the password and the authenticator app's current code (the
    staff member enrolled it before: a confirmed TOTP device), and land on the page."""
    device = TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    page.goto(f"{base_url}{path}")
    page.wait_for_url(f"{base_url}/login/?next={path}")
    page.fill("#id_login", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url(f"{base_url}/login/code/")
    page.fill("#id_token", authenticator_code(device))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base_url}{path}")


def citizen_signs_in(page: Any, base_url: str, user: Any, path: str) -> None:
    page.goto(f"{base_url}/login/?next={path}")
    page.fill("#id_login", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url(f"{base_url}{path}")


@pytest.fixture
def desk(browser: Any) -> Iterator[Any]:
    """Another person's browser: a page in a context of its own (its own cookies), as the `page` fixture makes."""
    from yiwang.conftest import TIMEOUT_MS

    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    context.route("**/favicon.ico", lambda route: route.abort())
    try:
        yield context.new_page()
    finally:
        context.close()


# --- the call, the unit, the follow-up ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoHotline:
    units: dict[str, int]  # the demo city's units by name
    operator: Any  # 话务员 of 12345热线中心
    handler: Any  # 承办人 of 城市管理局
    earlier: Case  # the caller's earlier case


@pytest.fixture
def demo_hotline(transactional_db: Any) -> Iterator[DemoHotline]:
    """The demo city's units, taxonomy, dispatch catalogue and responsibility lists, a routing model trained on
    them (cold start), the 12345 centre's operator, a handler of 城市管理局 and the caller's earlier case."""
    forget_loaded_model()
    units = load_demo_catalogue()
    router_train()

    def staff(username: str, unit: str, role: str, real_name: str) -> Any:
        details = identity_services.StaffDetails(
            username=username, real_name=real_name, department_id=units[unit], roles=(role,), password=PASSWORD
        )
        return identity_services.staff_create(actor=None, details=details)

    operator = staff("operator", "12345热线中心", Role.OPERATOR, "话务员甲")
    earlier = services.case_intake(
        actor=operator,
        intake=CaseIntake(
            case_type=CaseType.HELP,
            channel=Channel.PHONE,
            content="小区东门外的垃圾桶满了三天没人清运，气味很大",
            division_code=COMMUNITY,
            contact_name="刘女士",
            contact_phone=CALLER,
        ),
    )
    yield DemoHotline(
        units=units,
        operator=operator,
        handler=staff("handler.urban", "城市管理局", Role.HANDLER, "承办人甲"),
        earlier=earlier,
    )
    forget_loaded_model()  # the next test's database has other models


def test_an_operator_takes_a_call_dispatches_by_the_model_and_the_unit_concludes(live_server, page, desk, demo_hotline):
    base, urban = live_server.url, demo_hotline.units["城市管理局"]
    operator_console = Console(page)

    # The call: from the work boxes to "take a call".
    staff_signs_in(page, base, demo_hotline.operator, "/console/cases/")
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Cases"))
    page.click("[data-testid=take-call]")
    page.wait_for_url(f"{base}/console/cases/intake/")
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Take a call"))
    for name in ("contact_phone", "case_type", "content", "division_code", "category_code", "lead_department_id"):
        expect(page.get_by_label(label(IntakeForm, name))).to_have_count(1)

    # The phone first: the caller's earlier case appears.
    page.get_by_label(label(IntakeForm, "contact_phone")).press_sequentially(CALLER)
    history = page.locator("[data-testid=caller-history]")
    expect(history).to_have_attribute("aria-live", "polite")
    expect(history.locator("[data-testid=case-row]")).to_have_count(1)
    expect(history.locator("[data-testid=case-row]")).to_have_attribute("data-number", demo_hotline.earlier.number)
    page.get_by_label(label(IntakeForm, "contact_name")).fill("刘女士")

    # Then the request, its type and place: the routing model's top three appear, each with its confidence.
    page.get_by_label(label(IntakeForm, "case_type")).select_option(label=zh(CaseType.COMPLAINT.label))
    page.get_by_label(label(IntakeForm, "content")).fill(CONTENT)
    page.get_by_label(label(IntakeForm, "division_code")).select_option(label=PLACE)
    page.get_by_label(label(IntakeForm, "address")).fill("柳园社区3号楼")
    suggestions = page.locator("[data-testid=suggestions]")
    expect(suggestions).to_have_attribute("aria-live", "polite")
    expect(suggestions.get_by_role("heading", name=zh("Routing suggestion"), exact=True)).to_be_visible()
    units = suggestions.locator("[data-testid=routing-units] > li")
    expect(units).to_have_count(3)
    expect(units.first).to_have_attribute("data-value", str(urban))
    expect(units.first).to_contain_text("城市管理局")
    for index in range(3):
        expect(units.nth(index)).to_contain_text(re.compile(r"\d{1,3}\s*%"))
    categories = suggestions.locator("[data-testid=routing-categories] > li")
    expect(categories).to_have_count(3)
    expect(categories.first).to_have_attribute("data-value", "0102")
    expect(categories.first).to_contain_text("路灯照明")
    # The dispatch fields are filled in from the catalogue and the model.
    category_field = page.get_by_label(label(IntakeForm, "category_code"))
    lead_field = page.get_by_label(label(IntakeForm, "lead_department_id"))
    expect(category_field).to_have_value("0102")
    expect(lead_field).to_have_value(str(urban))

    # The operator takes the model's first category and first unit (each a click on its suggestion). Each click
    # waits until htmx is idle: a button swapped in but not yet processed would submit the form without it.
    htmx_idle(page, debounce=True)
    with page.expect_response(lambda response: "use_category=0102" in response.url) as taken:
        categories.first.get_by_role("button").click()
    assert taken.value.status == 200
    htmx_idle(page)
    with page.expect_response(lambda response: f"use_lead={urban}" in response.url) as taken:
        units.first.get_by_role("button").click()
    assert taken.value.status == 200
    expect(category_field).to_have_value("0102")
    expect(lead_field).to_have_value(str(urban))
    focus_by_tab(page, page.locator("[data-testid=save-and-dispatch]"), presses=200)
    page.keyboard.press("Enter")

    page.wait_for_url(CASE_PAGE)
    number = CASE_PAGE.search(page.url).group(1)
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    expect(page.locator("[data-testid=status]")).to_have_attribute("data-status", CaseStatus.DISPATCHED)
    expect(page.locator("[data-testid=status]")).to_have_text(zh(CaseStatus.DISPATCHED.label))
    expect(page.locator("[data-testid=lead-unit]")).to_have_text("城市管理局")
    case = Case.objects.get(number=number)
    assert (case.channel, case.case_type, case.contact_phone, case.content) == ("phone", "complaint", CALLER, CONTENT)
    assert (case.category.code, case.lead_department_id, case.division.code) == ("0102", urban, COMMUNITY)

    # The unit: 城市管理局's handler finds it in the box to sign for, signs for it and concludes, by keyboard.
    unit_console = Console(desk)
    staff_signs_in(desk, base, demo_hotline.handler, "/console/cases/")
    expect(desk.locator("[data-testid=tabs] [aria-current=page]")).to_have_attribute("data-box", "to_sign")
    row = desk.locator(f"#box-results [data-testid=case-row][data-number='{number}']")
    expect(row).to_have_count(1)
    expect(desk.locator("#box-results [data-testid=case-row]")).to_have_count(1)  # the earlier case is not theirs
    row.get_by_role("link", name=number).click()
    desk.wait_for_url(f"{base}/console/cases/{number}/")
    status = desk.locator("[data-testid=status]")
    expect(status).to_have_attribute("data-status", CaseStatus.DISPATCHED)
    expect(desk.get_by_role("heading", name=zh("Sign for the case (签收)"))).to_be_visible()
    focus_by_tab(desk, desk.locator("[data-testid=do-sign]"), presses=200)
    desk.keyboard.press("Enter")
    expect(status).to_have_attribute("data-status", CaseStatus.IN_PROGRESS)
    expect(status).to_have_text(zh(CaseStatus.IN_PROGRESS.label))
    reply = desk.get_by_label(label(ConcludeForm, "reply"))
    focus_by_tab(desk, reply, presses=200)
    desk.keyboard.type(REPLY)
    desk.keyboard.press("Tab")
    expect(desk.locator("[data-testid=do-conclude]")).to_be_focused()
    desk.keyboard.press("Enter")
    expect(status).to_have_attribute("data-status", CaseStatus.CONCLUDED)
    expect(desk.locator("[data-testid=reply]")).to_have_text(REPLY)
    expect(desk.locator("[data-testid=no-steps]")).to_be_visible()  # nothing left for the unit

    # The follow-up: the operator finds it in the follow-up box and records it (resolved, satisfied).
    page.goto(f"{base}/console/cases/?box=follow_up")
    page.locator(f"[data-testid=case-row][data-number='{number}']").get_by_role("link", name=number).click()
    page.wait_for_url(f"{base}/console/cases/{number}/")
    follow_up = page.locator("[data-testid=step-follow_up]")
    expect(follow_up.get_by_role("heading", name=zh("Follow-up (回访)"))).to_be_visible()
    expect(follow_up.get_by_role("group", name=label(FollowUpForm, "resolved"))).to_be_visible()
    answer_satisfied_by_keyboard(page, follow_up, "路灯已修好，晚上亮了")

    status = page.locator("[data-testid=status]")
    expect(status).to_have_attribute("data-status", CaseStatus.CLOSED)
    expect(status).to_have_text(zh(CaseStatus.CLOSED.label))
    expect(page.locator("[data-testid=step-follow_up]")).to_have_count(0)
    expect(page.locator("[data-testid=follow-ups] li")).to_have_count(1)
    # The timeline shows every step, in order, each with who took it.
    kinds = [EventKind.RECEIVED, EventKind.DISPATCHED, EventKind.SIGNED, EventKind.CONCLUDED, EventKind.FOLLOWED_UP]
    events = page.locator("[data-testid=events] > li")
    expect(events).to_have_count(len(kinds))
    assert [events.nth(index).get_attribute("data-kind") for index in range(len(kinds))] == kinds
    expect(events.nth(2)).to_contain_text("承办人甲")
    expect(events.nth(3)).to_contain_text(REPLY)
    expect(events.nth(4)).to_contain_text("路灯已修好，晚上亮了")
    stored = list(CaseEvent.objects.filter(case__number=number).order_by("at", "id").values_list("kind", flat=True))
    assert stored == kinds
    answer = CaseFollowUp.objects.get(case__number=number)
    assert (answer.resolved, answer.satisfaction, answer.lead_department_id) == (True, "satisfied", urban)
    assert Case.objects.get(number=number).closed_at is not None

    assert operator_console.errors == []
    assert unit_console.errors == []


def test_the_catalogue_follows_a_category_corrected_by_hand(live_server, page, demo_hotline):
    staff_signs_in(page, live_server.url, demo_hotline.operator, "/console/cases/intake/")
    page.get_by_label(label(IntakeForm, "contact_phone")).fill(CALLER)
    page.get_by_label(label(IntakeForm, "content")).fill(CONTENT)
    category_field = page.get_by_label(label(IntakeForm, "category_code"))
    expect(category_field).to_have_value("0102")  # filled in by the first suggestions (an out-of-band swap)
    proposal = page.locator("[data-testid=catalogue] [data-testid=proposal]")
    expect(proposal).to_have_attribute("data-lead", str(demo_hotline.units["城市管理局"]))

    category_field.select_option("1201")  # 供水: the catalogue sends it to 供水公司

    expect(proposal).to_have_attribute("data-lead", str(demo_hotline.units["供水公司"]), timeout=3000)


# --- the citizen's portal -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmallHotline:
    urban: int
    operator: Any
    handler: Any
    citizen: Any


@pytest.fixture
def small_hotline(city: City, make_staff: Any, make_citizen: Any) -> SmallHotline:
    """The 12345 centre's operator, 城市管理局 with a handler, street lamps in its catalogue, and a citizen."""

    def unit(name: str, kind: str = "government_department") -> int:
        return org_services.department_create(
            actor=None, name=name, credit_code=next_credit_code("11419800"), kind=kind, division_code="419800"
        ).id

    centre, urban = unit("12345热线中心", "public_institution"), unit("城市管理局")
    heading = CaseCategory.objects.create(code="01", name="城乡建设")
    lamp = CaseCategory.objects.create(code="0102", name="路灯照明", parent=heading, keywords="路灯\n不亮")
    DispatchRule.objects.create(category=lamp, lead_department_id=urban, basis="城市管理局权责清单第12项")
    return SmallHotline(
        urban=urban,
        operator=make_staff(centre, (Role.OPERATOR,), real_name="话务员甲"),
        handler=make_staff(urban, (Role.HANDLER,), real_name="承办人甲"),
        citizen=make_citizen("陈小明", phone="13812345678"),
    )


def test_a_citizen_reports_on_the_portal_and_an_unsatisfied_answer_reopens_the_case(live_server, page, small_hotline):
    base = live_server.url
    console = Console(page)
    citizen_signs_in(page, base, small_hotline.citizen, "/hotline/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Make a request"))
    page.get_by_label(label(PortalCaseForm, "case_type")).select_option(label=zh(CaseType.COMPLAINT.label))
    page.get_by_label(label(PortalCaseForm, "content")).fill(CONTENT)
    page.get_by_label(label(PortalCaseForm, "division_code")).select_option(label=PLACE)
    page.get_by_label(label(PortalCaseForm, "address")).fill("柳园社区3号楼")
    expect(page.get_by_label(label(PortalCaseForm, "contact_name"))).to_have_value("陈小明")
    page.click("[data-testid=submit]")

    page.wait_for_url(re.compile(r"/hotline/mine/(\d{14,})/$"))
    number = page.url.rstrip("/").rsplit("/", 1)[1]
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    status = page.locator("[data-testid=status]")
    expect(status).to_have_text(zh(CaseStatus.RECEIVED.label))
    case = Case.objects.get(number=number)
    assert (case.channel, case.reporter_id, case.contact_phone) == ("portal", small_hotline.citizen.pk, "13812345678")

    # "My requests": the request, its status in words.
    page.click("main a[href='/hotline/mine/']")
    page.wait_for_url(f"{base}/hotline/mine/")
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("My requests"))
    row = page.locator(f"[data-testid=case-row][data-number='{number}']")
    expect(row.locator("[data-status]")).to_have_text(zh(CaseStatus.RECEIVED.label))

    # The hotline dispatches it, the unit signs for it and concludes (through the services, to save time).
    services.case_dispatch(
        actor=small_hotline.operator, case_id=case.pk, category_code="0102", lead_department_id=small_hotline.urban
    )
    services.case_sign(actor=small_hotline.handler, case_id=case.pk)
    services.case_conclude(actor=small_hotline.handler, case_id=case.pk, reply=REPLY)

    page.reload()
    expect(row.locator("[data-status]")).to_have_text(zh(CaseStatus.CONCLUDED.label))
    row.get_by_role("link", name=number).click()
    page.wait_for_url(f"{base}/hotline/mine/{number}/")
    expect(page.locator("[data-testid=reply]")).to_have_text(REPLY)
    form = page.locator("[data-testid=follow-up-form]")
    expect(page.get_by_role("heading", name=zh("Are you satisfied? (回访)"))).to_be_visible()
    form.get_by_label(zh("Not resolved"), exact=True).check()
    form.get_by_label(zh(Satisfaction.UNSATISFIED.label), exact=True).check()
    form.get_by_label(label(FollowUpForm, "note")).fill("灯只亮了一天又坏了")
    form.locator("[data-testid=send-follow-up]").click()

    # Not satisfied: the case goes back to the same unit (重办), and the page says so in words.
    expect(status).to_have_attribute("data-status", CaseStatus.DISPATCHED)
    expect(status).to_have_text(zh(CaseStatus.DISPATCHED.label))
    expect(page.locator("[data-testid=follow-up]")).to_have_count(0)
    expect(page.locator(f"[data-testid=events] > li[data-kind='{EventKind.REOPENED}']")).to_have_count(1)
    reopened = Case.objects.get(number=number)
    assert (reopened.status, reopened.reopen_count, reopened.lead_department_id) == (
        CaseStatus.DISPATCHED,
        1,
        small_hotline.urban,
    )
    answer = CaseFollowUp.objects.get(case=reopened)
    assert (answer.resolved, answer.satisfaction, answer.note) == (False, "unsatisfied", "灯只亮了一天又坏了")
    page.goto(f"{base}/hotline/mine/")
    expect(row.locator("[data-status]")).to_have_text(zh(CaseStatus.DISPATCHED.label))

    assert console.errors == []


def test_a_reporter_without_an_account_finds_the_case_and_answers_the_follow_up_by_keyboard(
    live_server, page, small_hotline
):
    """Reported by phone, no account: the look-up by number and phone leads to the private link, where the
    reporter answers the follow-up with the keyboard alone; satisfied, the case is closed."""
    base = live_server.url
    case = services.case_intake(
        actor=small_hotline.operator,
        intake=CaseIntake(case_type="complaint", channel="phone", content=CONTENT, contact_phone=CALLER),
    )
    services.case_dispatch(
        actor=small_hotline.operator, case_id=case.pk, category_code="0102", lead_department_id=small_hotline.urban
    )
    services.case_sign(actor=small_hotline.handler, case_id=case.pk)
    services.case_conclude(actor=small_hotline.handler, case_id=case.pk, reply=REPLY)

    page.goto(f"{base}/hotline/track/")
    number_field = page.get_by_label(label(LookupForm, "number"))
    focus_by_tab(page, number_field)
    page.keyboard.type(case.number)
    page.keyboard.press("Tab")
    expect(page.get_by_label(label(LookupForm, "phone"))).to_be_focused()
    page.keyboard.type("139-0000-1111")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/hotline/track/{case.number}/[0-9a-f]{{32}}/$"))
    link = page.url
    expect(page.locator("[data-testid=reply]")).to_have_text(REPLY)
    assert CALLER not in page.content() and small_hotline.handler.real_name not in page.content()

    form = page.locator("[data-testid=follow-up-form]")
    expect(page.get_by_role("heading", name=zh("Are you satisfied? (回访)"))).to_be_visible()
    answer_satisfied_by_keyboard(page, form, "路灯修好了，谢谢")

    page.wait_for_url(link)
    status = page.locator("[data-testid=status]")
    expect(status).to_have_attribute("data-status", CaseStatus.CLOSED)
    expect(status).to_have_text(zh(CaseStatus.CLOSED.label))
    expect(page.locator("[data-testid=follow-up]")).to_have_count(0)
    closed = Case.objects.get(pk=case.pk)
    answer = CaseFollowUp.objects.get(case=closed)
    assert (closed.status, answer.by_id, answer.satisfaction, answer.note) == (
        CaseStatus.CLOSED,
        None,
        "satisfied",
        "路灯修好了，谢谢",
    )
