"""The application pages: who may open and do what, an application from draft to decision through the pages, two
clerks acting at once, and the inbox's order and warnings on the working-day calendar.

Roles: the applicant (钱七) and another citizen, an agent of an enterprise (not the applicant's), the clerk (孙八),
reviewer and approver of 公安局, which handles the item, a clerk of 民政局, and a platform administrator. Dates
are those of yiwang/services/tests/test_applications.py: National Day 2025 (1–8 October off, Sunday 28 September
and Saturday 11 October worked).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from freezegun import freeze_time

from yiwang.conftest import url_routes
from yiwang.identity.roles import Role
from yiwang.services.applications import services
from yiwang.services.catalog.services import HandlingItemInput
from yiwang.services.models import Application, ApplicationProcess, ApplicationStatus, ItemVersion
from yiwang.services.tests.factories import draft_item, published_item

S = ApplicationStatus
OK, REDIRECT, BAD, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, CONFLICT = 200, 302, 400, 403, 404, 405, 409
TASK_CODE = "11419800-SHOP-001"
MINE = "/my/applications"
INBOX = "/console/services/applications"

FORM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "shop_name": {"type": "string", "title": "店铺名称", "minLength": 2, "maxLength": 50},
        "area": {"type": "number", "title": "经营面积（平方米）", "minimum": 1},
        "staff_count": {"type": "integer", "title": "从业人数"},
        "opening": {"type": "string", "title": "开业日期", "format": "date"},
        "email": {"type": "string", "title": "联系邮箱", "format": "email"},
        "trade": {"type": "string", "title": "经营类别", "enum": ["餐饮", "零售"]},
        "chain": {"type": "boolean", "title": "连锁经营"},
    },
    "required": ["shop_name", "area", "trade"],
}
ANSWERS = {"shop_name": "明湖小吃店", "area": 45, "trade": "餐饮"}
VALID_POST = {"answers-shop_name": "明湖小吃店", "answers-area": "45", "answers-trade": "餐饮"}

ROLES = ["anonymous", "applicant", "other_citizen", "agent", "clerk", "reviewer", "approver", "clerk_other", "admin"]


def row(*codes: int) -> dict[str, int]:
    """The expected status code per role, in the order of ROLES."""
    return dict(zip(ROLES, codes, strict=True))


@contextmanager
def on(day: str, hour: int = 10) -> Iterator[None]:
    """That hour in the city (UTC+8) on that day."""
    with freeze_time(f"{day}T{hour - 8:02d}:00:00Z"):
        yield


@pytest.fixture
def people(accounts: Any, make_citizen: Any, make_staff: Any, city: Any) -> dict[str, Any]:
    """The accounts of the matrix but anonymous (`clients(role)` signs a test client in as one)."""
    police = city.public_security
    return {
        "applicant": accounts.citizen,
        "other_citizen": make_citizen("李四"),
        "agent": accounts.agent,
        "clerk": accounts.staff,
        "clerk_b": make_staff(police, (Role.CLERK,), real_name="窗口乙"),
        "reviewer": make_staff(police, (Role.REVIEWER,), real_name="审查丙"),
        "approver": make_staff(police, (Role.APPROVER,), real_name="审批丁"),
        "clerk_other": accounts.staff_other,
        "admin": accounts.admin,
    }


@pytest.fixture
def item(city: Any) -> ItemVersion:
    """公安局's published 开办店铺登记 with its form and two handling items (no materials: uploads are not these
    pages' concern)."""
    return published_item(
        department_id=city.public_security,
        task_code=TASK_CODE,
        name="开办店铺登记",
        form_schema=FORM,
        materials=(),
        handling_items=(HandlingItemInput(code="01", name="首次申请"), HandlingItemInput(code="02", name="变更登记")),
    )


def _draft(people: dict[str, Any], answers: dict[str, Any] | None = None) -> Application:
    return services.application_draft_save(
        actor=people["applicant"], task_code=TASK_CODE, form_data=answers or {}, handling_item_code="01"
    )


def _submitted(people: dict[str, Any]) -> Application:
    return services.application_submit(actor=people["applicant"], application_id=_draft(people, ANSWERS).pk)


@pytest.fixture
def applications(people: dict[str, Any], item: ItemVersion) -> dict[str, int]:
    """One application of the applicant in each state the pages act on, by id."""
    received = _submitted(people)
    accepted = _submitted(people)
    services.application_accept(actor=people["clerk"], application_id=accepted.pk)
    special = _submitted(people)
    services.application_accept(actor=people["clerk"], application_id=special.pk)
    services.application_special_start(
        actor=people["reviewer"], application_id=special.pk, kind="hearing", reason="需举行听证"
    )
    supplementing = _submitted(people)
    services.application_request_supplement(
        actor=people["clerk"], application_id=supplementing.pk, missing=["营业场所平面图"]
    )
    reviewed = _submitted(people)
    services.application_accept(actor=people["clerk"], application_id=reviewed.pk)
    services.application_review(actor=people["reviewer"], application_id=reviewed.pk, verdict="agree")
    approved = _submitted(people)
    services.application_accept(actor=people["clerk"], application_id=approved.pk)
    services.application_review(actor=people["reviewer"], application_id=approved.pk, verdict="agree")
    services.application_decide(actor=people["approver"], application_id=approved.pk, outcome="approved")
    return {
        "draft": _draft(people).pk,
        "received": received.pk,
        "accepted": accepted.pk,
        "special": special.pk,
        "supplementing": supplementing.pk,
        "approved": approved.pk,
        "reviewed": reviewed.pk,
    }


def main(response: Any) -> str:
    page = response.content.decode()
    return page[page.index("<main") :]


# --- who may open and do what ---------------------------------------------------------------------------------

CITIZENS = row(REDIRECT, OK, OK, OK, *[FORBIDDEN] * 5)
APPLICANT = row(REDIRECT, OK, NOT_FOUND, NOT_FOUND, *[FORBIDDEN] * 5)
APPLICANT_ACTS = row(REDIRECT, REDIRECT, NOT_FOUND, NOT_FOUND, *[FORBIDDEN] * 5)
STAFF = row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK, OK, OK)
DEPARTMENT = row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK, NOT_FOUND, OK)  # and the platform
NO_CITIZEN = row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)


# A step of the department: done (302) by the roles in `who`, refused (403) to its other staff and the platform.
def step(*who: str, done: int = REDIRECT) -> dict[str, int]:
    expected = row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN)
    return expected | dict.fromkeys(who, done)


def citizens(code: int) -> dict[str, int]:
    """Every citizen gets `code`; staff 403, anonymous visitors the login page."""
    return CITIZENS | dict.fromkeys(("applicant", "other_citizen", "agent"), code)


STEP = f"{INBOX}/{{received}}"
EXTEND = {"extend-reason": "需征求意见"}
PAGES: dict[str, list[tuple[Any, ...]]] = {
    "services/items/<slug:task_code>/apply/": [
        ("get", f"/services/items/{TASK_CODE}/apply/", None, CITIZENS),
        ("get", "/services/items/{unpublished}/apply/", None, citizens(NOT_FOUND)),
        ("post", f"/services/items/{TASK_CODE}/apply/", {}, citizens(BAD)),
        ("post", f"/services/items/{TASK_CODE}/apply/", {"handling_item": "02"}, citizens(REDIRECT)),
    ],
    "my/applications/": [("get", f"{MINE}/", None, CITIZENS)],
    "my/applications/<int:application_id>/": [
        ("get", f"{MINE}/{{draft}}/", None, APPLICANT),
        ("get", f"{MINE}/{{received}}/", None, APPLICANT),
        ("get", f"{MINE}/{{supplementing}}/", None, APPLICANT),
        ("get", f"{MINE}/{{approved}}/", None, APPLICANT),
        ("get", f"{MINE}/999999/", None, APPLICANT | {"applicant": NOT_FOUND}),
        ("post", f"{MINE}/{{draft}}/", {}, citizens(NOT_ALLOWED)),
    ],
    "my/applications/<int:application_id>/form/": [
        ("post", f"{MINE}/{{draft}}/form/", {"action": "save", "answers-shop_name": "小店"}, APPLICANT_ACTS),
        ("post", f"{MINE}/{{draft}}/form/", {"action": "submit", **VALID_POST}, APPLICANT_ACTS),
        ("post", f"{MINE}/{{draft}}/form/", {"action": "submit"}, APPLICANT | {"applicant": BAD}),
        ("post", f"{MINE}/{{received}}/form/", {"action": "save", **VALID_POST}, APPLICANT | {"applicant": CONFLICT}),
        ("get", f"{MINE}/{{draft}}/form/", None, citizens(NOT_ALLOWED)),
    ],
    "my/applications/<int:application_id>/prefill/": [
        # this item's form asks nothing the registries hold (tests/test_prefill.py fills one that does)
        ("post", f"{MINE}/{{draft}}/prefill/", {}, APPLICANT | {"applicant": BAD}),
        ("post", f"{MINE}/{{received}}/prefill/", {}, APPLICANT | {"applicant": CONFLICT}),
        ("get", f"{MINE}/{{draft}}/prefill/", None, citizens(NOT_ALLOWED)),
    ],
    "my/applications/<int:application_id>/supplement/": [
        ("post", f"{MINE}/{{supplementing}}/supplement/", {"note": "已补充", **VALID_POST}, APPLICANT_ACTS),
        ("post", f"{MINE}/{{supplementing}}/supplement/", {"note": "已补充"}, APPLICANT | {"applicant": BAD}),
        ("post", f"{MINE}/{{received}}/supplement/", VALID_POST, APPLICANT | {"applicant": CONFLICT}),
    ],
    "my/applications/<int:application_id>/withdraw/": [
        ("get", f"{MINE}/{{received}}/withdraw/", None, APPLICANT),
        ("get", f"{MINE}/{{approved}}/withdraw/", None, APPLICANT | {"applicant": REDIRECT}),
        ("post", f"{MINE}/{{received}}/withdraw/", {"reason": "不再需要"}, APPLICANT_ACTS),
        ("post", f"{MINE}/{{special}}/withdraw/", {}, APPLICANT_ACTS),
        ("post", f"{MINE}/{{approved}}/withdraw/", {}, APPLICANT | {"applicant": CONFLICT}),
    ],
    "console/services/applications/": [
        ("get", f"{INBOX}/", None, STAFF),
        ("get", f"{INBOX}/?status=1", None, STAFF),
        ("get", f"{INBOX}/?status=99", None, STAFF | dict.fromkeys(ROLES[4:], BAD)),
    ],
    "console/services/applications/<int:application_id>/": [
        ("get", f"{INBOX}/{{received}}/", None, DEPARTMENT),
        ("get", f"{INBOX}/{{approved}}/", None, DEPARTMENT),
        ("get", f"{INBOX}/{{draft}}/", None, NO_CITIZEN),  # a draft is the applicant's own until submitted
        ("get", f"{INBOX}/999999/", None, NO_CITIZEN),
        ("post", f"{INBOX}/{{received}}/", {}, row(REDIRECT, *[FORBIDDEN] * 3, *[NOT_ALLOWED] * 5)),
    ],
    "console/services/applications/<int:application_id>/<slug:step>/": [
        ("post", f"{STEP}/accept/", {}, step("clerk")),
        ("post", f"{STEP}/refuse/", {"refuse-reasons": "不属于许可范围"}, step("clerk")),
        ("post", f"{STEP}/refuse/", {"refuse-reasons": " "}, step("clerk", done=BAD)),
        ("post", f"{STEP}/not-ours/", {"not-ours-reasons": "请向市场监管局申请"}, step("clerk")),
        # a reviewer may request supplements, but after acceptance only: the service says no (403)
        ("post", f"{STEP}/supplement/", {"supplement-missing": "营业场所平面图"}, step("clerk")),
        ("post", f"{INBOX}/{{accepted}}/supplement/", {"supplement-missing": "消防意见"}, step("reviewer", "approver")),
        ("post", f"{INBOX}/{{accepted}}/start-handling/", {}, step("reviewer", "approver")),
        (
            "post",
            f"{INBOX}/{{accepted}}/special-start/",
            {"special-start-kind": "hearing", "special-start-reason": "需举行听证"},
            step("reviewer", "approver"),
        ),
        ("post", f"{INBOX}/{{special}}/special-end/", {"special-end-result": "听证完毕"}, step("reviewer", "approver")),
        ("post", f"{INBOX}/{{accepted}}/extend/", {"extend-days": "5", **EXTEND}, step("approver")),
        ("post", f"{INBOX}/{{accepted}}/extend/", {"extend-days": "31", **EXTEND}, step("approver", done=BAD)),
        ("post", f"{INBOX}/{{accepted}}/review/", {"review-verdict": "agree"}, step("reviewer", "approver")),
        (
            "post",
            f"{INBOX}/{{accepted}}/review/",
            {"review-verdict": "disagree"},  # without its reasons
            step("reviewer", "approver", done=BAD),
        ),
        # the process asks the decision of an approver, and only once the review is done (else 409)
        ("post", f"{INBOX}/{{reviewed}}/decide/", {"decide-outcome": "approved"}, step("approver")),
        ("post", f"{INBOX}/{{accepted}}/decide/", {"decide-outcome": "approved"}, step("approver", done=CONFLICT)),
        ("post", f"{INBOX}/{{approved}}/revoke/", {"revoke-reasons": "以欺骗手段取得许可"}, step("approver")),
        ("post", f"{INBOX}/{{approved}}/accept/", {}, step("clerk", done=CONFLICT)),
        ("post", f"{STEP}/no-such-step/", {}, NO_CITIZEN),
        ("get", f"{STEP}/accept/", None, row(REDIRECT, *[FORBIDDEN] * 3, *[NOT_ALLOWED] * 5)),
    ],
}  # fmt: skip
CASES = [(route, index) for route, cases in sorted(PAGES.items()) for index in range(len(cases))]
OWN_ROUTES = ("services/items/<slug:task_code>/apply/", "my/applications/", "console/services/applications/")


def test_every_application_route_is_in_the_matrix():
    """The materials and rating routes under my/applications/ have matrices of their own."""
    from yiwang.services.tests import test_applicant_materials_pages, test_applicant_rating_pages

    elsewhere = {*test_applicant_materials_pages.PAGES, *test_applicant_rating_pages.PAGES}
    assert {route for route in url_routes() if route.startswith(OWN_ROUTES)} - elsewhere == set(PAGES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("route", "index"), CASES)
def test_matrix(clients, applications, city, route, index, role):
    method, path, body, expected = PAGES[route][index]
    values = {name: str(pk) for name, pk in applications.items()}
    if "{unpublished}" in path:
        values["unpublished"] = draft_item(department_id=city.public_security, form_schema=FORM).item.task_code
    path = path.format(**values)
    client = clients(role)
    response = client.get(path) if method == "get" else client.post(path, body)
    assert response.status_code == expected[role], (method, path, role)


def test_the_ways_in(clients, item):
    guide = main(clients("applicant").get(f"/services/items/{TASK_CODE}/"))
    assert f'<a class="button" href="/services/items/{TASK_CODE}/apply/" data-testid="apply">Apply online</a>' in guide
    assert 'data-testid="apply"' not in main(clients("clerk").get(f"/services/items/{TASK_CODE}/"))
    assert f'href="{MINE}/"' in main(clients("applicant").get("/account/"))
    assert f'href="{MINE}/"' not in main(clients("clerk").get("/account/"))
    for role in ("clerk", "reviewer", "approver"):
        assert f'href="{INBOX}/"' in clients(role).get("/console/").content.decode(), role
    assert f'href="{INBOX}/"' not in clients("admin").get("/console/").content.decode()


# --- from draft to decision -------------------------------------------------------------------------------------


def _field(html: str, name: str) -> str:
    """The markup of one form field (its wrapping div)."""
    start = html.index(f'for="id_answers-{name}"')
    start = html.rindex('<div class="field', 0, start)
    return html[start : html.index("</div>", start)]


def test_an_application_from_draft_to_decision(clients, people, item):
    applicant, clerk, approver = clients("applicant"), clients("clerk"), clients("approver")

    start = main(applicant.get(f"/services/items/{TASK_CODE}/apply/"))
    assert "<legend>What do you apply for? <span" in start
    assert 'type="radio" name="handling_item" value="02"' in start and "变更登记" in start
    started = applicant.post(f"/services/items/{TASK_CODE}/apply/", {"handling_item": "02"})
    draft = Application.objects.get(applicant=people["applicant"])
    assert started["Location"] == f"{MINE}/{draft.pk}/"
    assert (draft.status, draft.handling_item.code, draft.form_data) == (S.DRAFT, "02", {})

    page = main(applicant.get(f"{MINE}/{draft.pk}/"))
    form = page[page.index('action="/my/applications/') : page.index("</form>")]
    labels = [(name, label.strip()) for name, label in re.findall(r'<label for="id_answers-(\w+)">([^<]+)', form)]
    assert labels == [(name, field["title"]) for name, field in FORM["properties"].items()]
    for name in ("shop_name", "area", "trade"):
        assert '<span class="required">(required)</span>' in _field(form, name), name
    for name in ("staff_count", "opening", "email", "chain"):
        assert "(required)" not in _field(form, name), name
    assert 'type="text" name="answers-shop_name" maxlength="50"' in _field(form, "shop_name")
    assert 'type="number" name="answers-area" step="any" inputmode="decimal" min="1"' in _field(form, "area")
    assert 'type="number" name="answers-staff_count" step="1" inputmode="numeric"' in _field(form, "staff_count")
    assert 'type="date" name="answers-opening"' in _field(form, "opening")
    assert 'type="email" name="answers-email"' in _field(form, "email")
    trade = _field(form, "trade")
    assert '<select name="answers-trade"' in trade and '<option value="餐饮">餐饮</option>' in trade
    assert 'type="checkbox" name="answers-chain"' in _field(form, "chain")
    assert 'name="action" value="save"' in form and 'name="action" value="submit"' in form
    assert "RESERVED: MATERIALS UPLOAD" not in page  # a template comment, not shown

    wrong = {"action": "submit", "answers-shop_name": "店", "answers-staff_count": "2.5", "answers-email": "x"}
    invalid = applicant.post(f"{MINE}/{draft.pk}/form/", wrong)
    assert invalid.status_code == BAD
    html = main(invalid)
    summary = html[html.index('class="error-summary"') : html.index("</div>")]
    assert re.findall(r'<a href="#id_answers-(\w+)">', summary) == [
        "shop_name",
        "area",
        "staff_count",
        "email",
        "trade",
    ]
    for message in (
        "店铺名称: at least 2 characters.",
        "Fill in 经营面积（平方米）.",
        "从业人数 has the wrong kind of value.",
        "联系邮箱 is not a valid email.",
        "Fill in 经营类别.",
    ):
        assert message in summary, message
    shop = _field(html, "shop_name")
    assert 'id="id_answers-shop_name_error"' in shop and 'value="店"' in shop and 'aria-invalid="true"' in shop
    assert 'value="2.5"' in _field(html, "staff_count") and 'value="x"' in _field(html, "email")
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and draft.form_data == {
        "shop_name": "店",
        "staff_count": 2.5,
        "email": "x",
        "chain": False,
    }

    saved = applicant.post(f"{MINE}/{draft.pk}/form/", {"action": "save", **VALID_POST, "answers-chain": "on"})
    assert saved.status_code == REDIRECT
    draft.refresh_from_db()
    assert draft.form_data == {**ANSWERS, "chain": True}
    assert 'value="明湖小吃店"' in main(applicant.get(f"{MINE}/{draft.pk}/"))

    submitted = applicant.post(f"{MINE}/{draft.pk}/form/", {"action": "submit", **VALID_POST}, follow=True)
    draft.refresh_from_db()
    assert draft.status == S.RECEIVED and draft.number
    page = main(submitted)
    assert f"Your application is submitted. Its number is {draft.number}." in page
    assert f'<dd data-testid="number">{draft.number}</dd>' in page
    assert 'data-status="1"><strong>Received (已接件)</strong>' in page
    assert "The time limit runs from the working day after the department accepts the application." in page
    assert '<th scope="row">Received (已接件)</th>' in page and "Withdraw the application" in page
    assert "<dt>经营类别</dt><dd>餐饮</dd>" in page and "<dt>连锁经营</dt><dd>No</dd>" in page

    inbox = main(clerk.get(f"{INBOX}/"))
    assert f'href="{INBOX}/{draft.pk}/">{draft.number}</a>' in inbox
    console = main(clerk.get(f"{INBOX}/{draft.pk}/"))
    assert '<dd data-testid="applicant">钱七</dd>' in console
    assert people["applicant"].id_number not in clerk.get(f"{INBOX}/{draft.pk}/").content.decode()
    assert "开办店铺登记" in console and TASK_CODE in console and "version 1" in console and "变更登记" in console
    assert 'data-testid="supplement-deadline"' in console
    for slug in ("accept", "supplement", "refuse", "not-ours"):
        assert f'data-testid="step-{slug}"' in console, slug
    assert 'data-testid="step-decide"' not in console and 'name="csrfmiddlewaretoken"' in console
    requested = clerk.post(
        f"{INBOX}/{draft.pk}/supplement/",
        {"supplement-missing": "营业场所平面图\n\n 食品安全管理制度 ", "supplement-notice": "请一次性补齐"},
        follow=True,
    )
    assert requested.redirect_chain == [(f"{INBOX}/{draft.pk}/", REDIRECT)]
    assert "The supplement notice is sent to the applicant." in main(requested)
    assert 'data-testid="step-supplement"' not in main(requested)  # one notice only

    page = main(applicant.get(f"{MINE}/{draft.pk}/"))
    notice = page[page.index('data-testid="supplement-notice"') : page.index("</section>")]
    assert '<ul data-testid="missing"><li>营业场所平面图</li><li>食品安全管理制度</li></ul>' in notice
    assert "请一次性补齐" in notice
    assert f'action="{MINE}/{draft.pk}/supplement/"' in page and 'value="明湖小吃店"' in page
    answered = applicant.post(
        f"{MINE}/{draft.pk}/supplement/", {"note": "已补充平面图", **VALID_POST, "answers-area": "50"}
    )
    assert answered.status_code == REDIRECT
    draft.refresh_from_db()
    assert draft.status == S.SUPPLEMENT_ENDED and draft.form_data["area"] == 50

    assert clerk.post(f"{INBOX}/{draft.pk}/accept/", {"accept-opinion": "材料齐全"}).status_code == REDIRECT
    page = main(approver.get(f"{INBOX}/{draft.pk}/"))
    assert 'data-testid="step-review"' in page and 'data-testid="step-decide"' not in page
    assert 'data-testid="step-accept"' not in page
    assert 'data-testid="process-step" data-kind="review" data-status="open"' in page
    reviewed = approver.post(f"{INBOX}/{draft.pk}/review/", {"review-verdict": "agree", "review-opinion": "符合条件"})
    assert reviewed.status_code == REDIRECT
    page = main(approver.get(f"{INBOX}/{draft.pk}/"))
    assert 'data-testid="step-decide"' in page and 'data-testid="step-review"' not in page
    assert 'data-testid="countdown" data-state="running"' in page
    without_reasons = approver.post(f"{INBOX}/{draft.pk}/decide/", {"decide-outcome": "not_approved"})
    assert without_reasons.status_code == BAD
    assert 'id="id_decide-opinion_error"' in main(without_reasons)
    assert "A decision not to approve needs its written reasons." in main(without_reasons)
    decided = approver.post(f"{INBOX}/{draft.pk}/decide/", {"decide-outcome": "approved", "decide-opinion": "准予许可"})
    assert decided.status_code == REDIRECT

    page = main(applicant.get(f"{MINE}/{draft.pk}/"))
    assert 'data-status="11"><strong>Approved (办结通过)</strong>' in page
    assert 'data-testid="decision"' in page and "准予许可" in page and 'data-testid="withdraw"' not in page
    timeline = page[page.index('data-testid="timeline"') : page.index("</table>", page.index('data-testid="timeline"'))]
    assert re.findall(r'<th scope="row">([^<]+)</th>', timeline) == [
        "Received (已接件)",
        "Supplement requested (补正开始)",
        "Supplement answered (补正结束)",
        "Accepted (已受理)",
        "Department handling (部门开始办理)",
        "Approved (办结通过)",
    ]
    assert "孙八" not in timeline  # the applicant sees steps and opinions, not the staff's names
    mine = main(applicant.get(f"{MINE}/"))
    assert f">{draft.number}</a>" in mine and 'data-status="11"' in mine and "开办店铺登记" in mine


def test_the_applicant_withdraws_before_acceptance_and_recalls_after(clients, applications):
    applicant = clients("applicant")
    confirm = main(applicant.get(f"{MINE}/{applications['received']}/withdraw/"))
    assert "Withdraw application" in confirm and "Yes, withdraw it" in confirm and "No, keep it" in confirm
    done = applicant.post(f"{MINE}/{applications['received']}/withdraw/", {"reason": "不再需要"}, follow=True)
    assert "Your application is withdrawn." in main(done) and 'data-status="2"' in main(done)
    assert "Yes, recall it" in main(applicant.get(f"{MINE}/{applications['special']}/withdraw/"))
    recalled = applicant.post(f"{MINE}/{applications['special']}/withdraw/", {}, follow=True)
    assert "Your application is recalled" in main(recalled) and 'data-status="14"' in main(recalled)
    page = main(applicant.get(f"{MINE}/{applications['special']}/"))
    assert 'data-testid="withdraw"' not in page


def test_the_paused_clock_is_shown_to_the_applicant(clients, applications):
    page = main(clients("applicant").get(f"{MINE}/{applications['special']}/"))
    assert 'data-testid="countdown" data-state="paused"' in page and 'data-testid="paused"' in page


# --- two clerks at once ----------------------------------------------------------------------------------------


def test_the_second_clerk_to_accept_is_told_someone_acted_first(clients, people, applications):
    first, second = clients("clerk"), clients("clerk_b")
    received = applications["received"]
    assert 'data-testid="step-accept"' in main(second.get(f"{INBOX}/{received}/"))  # both open the page
    assert first.post(f"{INBOX}/{received}/accept/", {}).status_code == REDIRECT
    late = second.post(f"{INBOX}/{received}/accept/", {"accept-opinion": "同意受理"})
    assert late.status_code == CONFLICT
    html = main(late)
    conflict = html[html.index('data-testid="conflict"') : html.index("</div>", html.index('data-testid="conflict"'))]
    number = Application.objects.get(pk=received).number
    assert '<div class="error-summary" role="alert" tabindex="-1" id="conflict" data-testid="conflict">' in html
    assert (
        f"Application {number} is Accepted (已受理) now: this step is not possible (someone acted on it)." in conflict
    )
    assert 'data-testid="step-accept"' not in html and 'data-status="3"' in html  # the page as it is now
    assert Application.objects.get(pk=received).events.filter(action="accept").count() == 1
    refused = second.post(f"{INBOX}/{received}/refuse/", {"refuse-reasons": "不符合"})
    assert refused.status_code == CONFLICT


# --- the inbox: most urgent first, with warnings ----------------------------------------------------------------


@pytest.fixture
def inbox(people: dict[str, Any], item: ItemVersion) -> dict[str, Application]:
    """Five open applications of 公安局 (a promised limit of 10 working days), as of Tuesday 21 October 2025."""
    made: dict[str, Application] = {}
    with on("2025-09-26"):
        made["late"] = _submitted(people)
        made["due_soon"] = _submitted(people)
    with on("2025-09-29"):
        services.application_accept(actor=people["clerk"], application_id=made["late"].pk)  # due 20 October
    with on("2025-10-09"):
        made["paused"] = _submitted(people)
        services.application_accept(actor=people["clerk"], application_id=made["paused"].pk)  # due 22 October
    with on("2025-10-10"):
        services.application_accept(actor=people["clerk"], application_id=made["due_soon"].pk)  # due 23 October
    with on("2025-10-15"):
        services.application_request_supplement(
            actor=people["reviewer"], application_id=made["paused"].pk, missing=["消防意见书"]
        )
    with on("2025-10-20"):
        made["received"] = _submitted(people)  # supplement notice by 27 October
        made["running"] = _submitted(people)
        services.application_accept(actor=people["clerk"], application_id=made["running"].pk)  # due 3 November
    return made


def _rows(html: str) -> list[str]:
    return html.split('<tr data-testid="inbox-row">')[1:]


def test_the_inbox_puts_the_most_urgent_first_and_warns(clients, inbox):
    with on("2025-10-21"):
        services.applications_recompute_urgency()  # the daily pass: a paused deadline moves every working day
        html = main(clients("clerk").get(f"{INBOX}/"))
    rows = _rows(html)
    # overdue (20 Oct), due soon (23 Oct), the art. 32 window (27 Oct), paused (22 Oct + 4 working days paused:
    # 16, 17, 20, 21 October → 28 Oct), running (3 Nov)
    order = ["late", "due_soon", "received", "paused", "running"]
    assert [re.search(r">(\d{20})</a>", line).group(1) for line in rows] == [inbox[name].number for name in order]
    late, due_soon, received, paused, running = rows
    assert "Promised by 2025-10-20:" in late and '<strong class="overdue">overdue by 1 working day</strong>' in late
    assert "Promised by 2025-10-23:" in due_soon
    assert (
        '<strong data-testid="due-soon"><span aria-hidden="true">⚠ </span>due soon: 2 working days left</strong>'
        in due_soon
    )
    assert "Supplement notice by 2025-10-27 at the latest (art. 32)" in received and "Received (已接件)" in received
    assert "Promised by 2025-10-28:" in paused and 'data-testid="paused"' in paused and "overdue" not in paused
    assert "Promised by 2025-11-03:" in running and "9 working days left" in running
    assert "due soon" not in running and "overdue" not in running
    assert "5 open applications" in html


def test_the_inbox_on_the_due_day_and_filtered_by_status(clients, inbox):
    with on("2025-10-23"):
        services.applications_recompute_urgency()
        client = clients("clerk")
        html = main(client.get(f"{INBOX}/"))
        filtered = main(client.get(f"{INBOX}/", {"status": S.RECEIVED}))
    due_soon = _rows(html)[1]
    assert '<strong data-testid="due-soon"><span aria-hidden="true">⚠ </span>due soon: due today</strong>' in due_soon
    assert "overdue by 3 working days" in _rows(html)[0]
    assert [re.search(r">(\d{20})</a>", line).group(1) for line in _rows(filtered)] == [inbox["received"].number]
    assert '<option value="1" selected>' in filtered
    assert "No open application: the inbox is empty." in main(clients("clerk_other").get(f"{INBOX}/"))


def test_the_console_page_shows_the_clock(clients, inbox):
    with on("2025-10-21"):
        html = main(clients("approver").get(f"{INBOX}/{inbox['due_soon'].pk}/"))
    assert "<dt>Accepted on</dt><dd>2025-10-10</dd>" in html
    assert "<dt>Statutory deadline</dt><dd>2025-11-06" in html
    assert 'data-testid="due-soon"' in html
    for slug in ("start-handling", "supplement", "special-start", "extend", "review"):
        assert f'data-testid="step-{slug}"' in html, slug


def test_an_application_submitted_before_processes_is_decided_by_the_approvers(clients, applications):
    """Applications submitted before items ran processes have none: no review is offered, the approver decides."""
    application = Application.objects.get(pk=applications["accepted"])
    application.steps.all().delete()
    ApplicationProcess.objects.filter(application=application).delete()
    page = main(clients("approver").get(f"{INBOX}/{application.pk}/"))
    assert 'data-testid="step-decide"' in page and 'data-testid="step-review"' not in page
    assert 'data-testid="process-steps"' not in page
    assert 'data-testid="step-decide"' not in main(clients("reviewer").get(f"{INBOX}/{application.pk}/"))
    decided = clients("approver").post(f"{INBOX}/{application.pk}/decide/", {"decide-outcome": "approved"})
    assert decided.status_code == REDIRECT
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.APPROVED
