"""Who may open and do what on every route of the case pages (console under /console/cases/, portal under /hotline/):
each route × anonymous, citizen, enterprise agent, staff of the handling department (a window clerk), staff of another
department, the platform administrator, the operator, the dispatcher, the handling unit's case handler and the grid
worker. A guard rail fails when a route of `urls_cases` is not in the matrix.

Case A was taken by phone and dispatched to 城市管理局 (the handler's unit), with a photo; case G is the grid worker's
event; case P is the citizen's own request on the portal.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from PIL import Image

from yiwang.cases import services, sms, urls_analytics, urls_cases, urls_catalogue, urls_knowledge
from yiwang.cases.routing import forget_loaded_model
from yiwang.cases.tests.conftest import Hotline
from yiwang.cases.tracking import tracking_token
from yiwang.conftest import Accounts, sign_in, url_routes
from yiwang.identity.roles import Role

pytestmark = pytest.mark.django_db
OK, REDIRECT, BAD, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, CONFLICT, TOO_MANY = 200, 302, 400, 403, 404, 405, 409, 429

ROLES = [
    "anonymous",
    "citizen",
    "agent",
    "staff",
    "staff_other",
    "admin",
    "operator",
    "dispatcher",
    "handler",
    "grid",
]
PHOTO = object()  # in a body: a real PNG, uploaded
CALLER = "13900001111"


def row(*codes: int) -> dict[str, int]:
    """The expected status code per role, in the order of ROLES."""
    return dict(zip(ROLES, codes, strict=True))


def only(roles: dict[str, int], code: int, *names: str) -> dict[str, int]:
    """`roles` with `code` for the roles named."""
    return roles | dict.fromkeys(names, code)


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 90, 0)).save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def setting(
    hotline: Hotline, accounts: Accounts, make_staff: Any, settings: Any, tmp_path: Path
) -> Iterator[dict[str, Any]]:
    settings.MEDIA_ROOT = tmp_path
    forget_loaded_model()  # the routing model the pages train is this test's
    settings.YIWANG_SMS_BACKEND = sms.LOCMEM_BACKEND
    cache.clear()  # the look-up limits
    a = services.case_intake(
        actor=hotline.operator,
        intake=services.CaseIntake(
            case_type="complaint",
            channel="phone",
            content="柳园社区3号楼门口的路灯坏了",
            division_code=hotline.community,
            contact_phone=CALLER,
        ),
    )
    services.case_dispatch(
        actor=hotline.dispatcher, case_id=a.pk, category_code=hotline.lamp, lead_department_id=hotline.urban
    )
    photo = services.case_attach(actor=hotline.operator, case_id=a.pk, upload=png())
    g = services.case_intake(
        actor=hotline.grid_worker,
        intake=services.CaseIntake(case_type="report", channel="grid", content="井盖移位", grid_cell_code=hotline.cell),
    )
    p = services.case_intake(
        actor=hotline.citizen,
        intake=services.CaseIntake(
            case_type="help", channel="portal", content="候车亭坏了", reporter_id=hotline.citizen.pk
        ),
    )
    yield {
        "A": a.number,
        "G": g.number,
        "P": p.number,
        "file": photo.pk,
        "token": tracking_token(a.number),
        "lamp": hotline.lamp,
        "cell": hotline.cell,
        "urban": hotline.urban,
        "community": hotline.community,
        "people": {
            "citizen": hotline.citizen,
            "agent": accounts.agent,
            "staff": make_staff(hotline.urban, (Role.CLERK,), real_name="窗口人员"),
            "staff_other": accounts.staff_other,
            "admin": accounts.admin,
            "operator": hotline.operator,
            "dispatcher": hotline.dispatcher,
            "handler": hotline.urban_handler,
            "grid": hotline.grid_worker,
        },
    }
    forget_loaded_model()


@pytest.fixture
def clients(setting: dict[str, Any]) -> Callable[[str], Client]:
    def make(role: str) -> Client:
        client = Client()
        client.cookies["yiwang_language"] = "en"
        return client if role == "anonymous" else sign_in(client, setting["people"][role])

    return make


# --- the expectations ---------------------------------------------------------------------------------------------

EVERYONE = row(*[OK] * 10)
CONSOLE = row(REDIRECT, *[FORBIDDEN] * 4, OK, OK, OK, OK, OK)
HOTLINE = row(REDIRECT, *[FORBIDDEN] * 4, OK, OK, OK, FORBIDDEN, FORBIDDEN)
OVERDUE = row(REDIRECT, *[FORBIDDEN] * 4, OK, OK, OK, OK, FORBIDDEN)
GRID = row(REDIRECT, *[FORBIDDEN] * 8, OK)
CASE_A = row(REDIRECT, *[FORBIDDEN] * 4, OK, OK, OK, OK, NOT_FOUND)  # the grid worker did not report it
CASE_G = row(REDIRECT, *[FORBIDDEN] * 4, OK, OK, OK, NOT_FOUND, OK)  # not the handler's unit's
CITIZENS = row(REDIRECT, OK, OK, *[FORBIDDEN] * 7)
OWN = row(REDIRECT, OK, NOT_FOUND, *[FORBIDDEN] * 7)  # the citizen's own request
PORTAL_FORM = row(REDIRECT, OK, OK, *[FORBIDDEN] * 7)  # anyone else must prove a phone first
PHONE_STEP = row(OK, REDIRECT, REDIRECT, *[FORBIDDEN] * 7)
CALL = {
    "contact_phone": CALLER,
    "case_type": "complaint",
    "content": "柳园社区5号楼路灯不亮",
    "division_code": "{community}",
    "action": "save",
}
REPORT = {"category_code": "{lamp}", "content": "路灯杆倾斜", "grid_cell_code": "{cell}", "photo": PHOTO}
REQUEST = {"case_type": "help", "content": "候车亭顶棚破了"}

HOTLINE_DO = only(HOTLINE, REDIRECT, "admin", "operator", "dispatcher")
HOTLINE_BAD = only(HOTLINE, BAD, "admin", "operator", "dispatcher")
CONSOLE_405 = only(CONSOLE, NOT_ALLOWED, "admin", "operator", "dispatcher", "handler", "grid")
CONSOLE_404 = only(CONSOLE, NOT_FOUND, "admin", "operator", "dispatcher", "handler", "grid")
A_404 = only(CASE_A, NOT_FOUND, "admin", "operator", "dispatcher", "handler")
G_404 = only(CASE_G, NOT_FOUND, "admin", "operator", "dispatcher", "grid")
# Steps: each role's answer (the unit signs; dispatchers and administrators escalate and dispatch; the grid worker
# resolves their event; a role without the step gets 403, a case not theirs 404).
SIGN = only(CASE_A, FORBIDDEN, "admin", "operator", "dispatcher") | {"handler": REDIRECT}
ESCALATE = only(CASE_A, FORBIDDEN, "operator", "handler") | {"admin": REDIRECT, "dispatcher": REDIRECT}
ESCALATE_BAD = only(CASE_A, FORBIDDEN, "operator", "handler") | {"admin": BAD, "dispatcher": BAD}
DISPATCH = only(CASE_A, REDIRECT, "admin", "operator", "dispatcher") | {"handler": FORBIDDEN}
RESOLVE = only(CASE_G, FORBIDDEN, "admin", "operator", "dispatcher") | {"grid": REDIRECT}
ESCALATION = {"escalate-reason": "群众反映强烈"}
DISPATCHED = {"dispatch-category_code": "{lamp}", "dispatch-lead_department_id": "{urban}"}
RESOLVED = {"resolve_on_spot-reply": "已复位", "resolve_on_spot-upload": PHOTO}
SATISFIED = {"follow_up-resolved": "yes", "follow_up-satisfaction": "satisfied"}
SEND = {"action": "send", "phone": "13700001234"}

PAGES: dict[str, list[tuple[Any, ...]]] = {
    "console/cases/": [
        ("get", "/console/cases/", None, CONSOLE),
        ("get", "/console/cases/?box=returns", None, only(CONSOLE, NOT_FOUND, "operator", "handler", "grid")),
        ("get", "/console/cases/?box=mine&q={A}", None, only(CONSOLE, NOT_FOUND, "handler")),
        ("post", "/console/cases/", {}, CONSOLE_405),
    ],
    "console/cases/intake/": [
        ("get", "/console/cases/intake/", None, HOTLINE),
        ("get", "/console/cases/intake/?contact_phone=" + CALLER, None, HOTLINE),
        ("post", "/console/cases/intake/", CALL, HOTLINE_DO),
        ("post", "/console/cases/intake/", {}, HOTLINE_BAD),
        ("post", "/console/cases/intake/", CALL | {"action": "check"}, HOTLINE),
    ],
    "console/cases/intake/caller/": [
        ("get", "/console/cases/intake/caller/?contact_phone=" + CALLER, None, HOTLINE),
    ],
    "console/cases/intake/suggestions/": [
        ("get", "/console/cases/intake/suggestions/?content=路灯不亮&category_code={lamp}", None, HOTLINE),
    ],
    "console/cases/overdue/": [("get", "/console/cases/overdue/", None, OVERDUE)],
    "console/cases/grid/": [("get", "/console/cases/grid/", None, GRID)],
    "console/cases/grid/report/": [
        ("get", "/console/cases/grid/report/", None, GRID),
        ("post", "/console/cases/grid/report/", REPORT, only(GRID, REDIRECT, "grid")),
        ("post", "/console/cases/grid/report/", {}, only(GRID, BAD, "grid")),
    ],
    "console/cases/<case_number:number>/": [
        ("get", "/console/cases/{A}/", None, CASE_A),
        ("get", "/console/cases/{G}/", None, CASE_G),
        ("get", "/console/cases/{P}/", None, only(CASE_G, NOT_FOUND, "grid")),
        ("get", "/console/cases/20990101000001/", None, CONSOLE_404),
        ("post", "/console/cases/{A}/", {}, CONSOLE_405),
    ],
    "console/cases/<case_number:number>/files/<int:attachment_id>/": [
        ("get", "/console/cases/{A}/files/{file}/", None, CASE_A),
        ("get", "/console/cases/{G}/files/{file}/", None, G_404),
        ("get", "/console/cases/{A}/files/999999/", None, A_404),
    ],
    "console/cases/<case_number:number>/<slug:step>/": [
        ("post", "/console/cases/{A}/sign/", {}, SIGN),
        ("post", "/console/cases/{A}/escalate/", ESCALATION, ESCALATE),
        ("post", "/console/cases/{A}/escalate/", {}, ESCALATE_BAD),
        ("post", "/console/cases/{A}/dispatch/", DISPATCHED, DISPATCH),
        ("post", "/console/cases/{G}/resolve_on_spot/", RESOLVED, RESOLVE),
        ("post", "/console/cases/{A}/no-such-step/", {}, A_404),
        ("get", "/console/cases/{A}/sign/", None, CONSOLE_405),
    ],
    "hotline/": [("get", "/hotline/", None, EVERYONE)],
    "hotline/new/": [
        ("get", "/hotline/new/", None, PORTAL_FORM),
        ("post", "/hotline/new/", REQUEST, only(PORTAL_FORM, REDIRECT, "citizen", "agent")),
        ("post", "/hotline/new/", {}, only(PORTAL_FORM, BAD, "citizen", "agent")),
    ],
    "hotline/new/phone/": [
        ("get", "/hotline/new/phone/", None, PHONE_STEP),
        ("post", "/hotline/new/phone/", SEND, only(PHONE_STEP, REDIRECT, "anonymous")),
        ("post", "/hotline/new/phone/", {"action": "send", "phone": "1234"}, only(PHONE_STEP, BAD, "anonymous")),
        ("post", "/hotline/new/phone/", {"action": "verify", "code": "123456"}, only(PHONE_STEP, BAD, "anonymous")),
    ],
    "hotline/mine/": [("get", "/hotline/mine/", None, CITIZENS)],
    "hotline/mine/<case_number:number>/": [
        ("get", "/hotline/mine/{P}/", None, OWN),
        ("get", "/hotline/mine/{A}/", None, only(OWN, NOT_FOUND, "citizen")),
    ],
    "hotline/mine/<case_number:number>/follow-up/": [
        ("post", "/hotline/mine/{P}/follow-up/", SATISFIED, only(OWN, CONFLICT, "citizen")),
        ("post", "/hotline/mine/{P}/follow-up/", {}, only(OWN, BAD, "citizen")),
        ("get", "/hotline/mine/{P}/follow-up/", None, only(OWN, NOT_ALLOWED, "citizen", "agent")),
    ],
    "hotline/track/": [
        ("get", "/hotline/track/", None, EVERYONE),
        ("post", "/hotline/track/", {"number": "{A}", "phone": CALLER}, row(*[REDIRECT] * 10)),
        ("post", "/hotline/track/", {"number": "{A}", "phone": "13700009999"}, row(*[BAD] * 10)),
    ],
    "hotline/track/<case_number:number>/<str:token>/": [
        ("get", "/hotline/track/{A}/{token}/", None, EVERYONE),
        ("get", "/hotline/track/{A}/" + "0" * 32 + "/", None, row(*[NOT_FOUND] * 10)),
        ("get", "/hotline/track/{G}/{token}/", None, row(*[NOT_FOUND] * 10)),
    ],
    "hotline/track/<case_number:number>/<str:token>/follow-up/": [
        ("post", "/hotline/track/{A}/{token}/follow-up/", SATISFIED, row(*[CONFLICT] * 10)),
        ("post", "/hotline/track/{A}/{token}/follow-up/", {}, row(*[BAD] * 10)),
        ("post", "/hotline/track/{A}/" + "0" * 32 + "/follow-up/", SATISFIED, row(*[NOT_FOUND] * 10)),
        ("post", "/hotline/track/{G}/{token}/follow-up/", SATISFIED, row(*[NOT_FOUND] * 10)),
        ("get", "/hotline/track/{A}/{token}/follow-up/", None, row(*[NOT_ALLOWED] * 10)),
    ],
}  # fmt: skip
CASES = [(route, index) for route, cases in sorted(PAGES.items()) for index in range(len(cases))]
OWN_PREFIXES = ("console/cases/", "hotline/")


def _patterns(module: Any) -> set[str]:
    return {str(pattern.pattern) for pattern in module.urlpatterns}


def test_every_route_of_the_case_pages_is_in_the_matrix() -> None:
    assert set(PAGES) == _patterns(urls_cases)
    # Every route under the two prefixes is this matrix's or another area's (catalogue, knowledge, analytics),
    # which has its own matrix.
    others = _patterns(urls_catalogue) | _patterns(urls_knowledge) | _patterns(urls_analytics)
    assert {route for route in url_routes() if route.startswith(OWN_PREFIXES)} - others == set(PAGES)


def _fill(value: str, setting: dict[str, Any]) -> str:
    return value.format(**{key: item for key, item in setting.items() if key != "people"})


@pytest.mark.parametrize(("route", "index"), CASES)
def test_matrix(clients, setting, route, index) -> None:
    """Each role in turn, each in a savepoint rolled back after its request: every role meets the same state."""
    method, path, body, expected = PAGES[route][index]
    path = _fill(path, setting)
    answered = {}
    for role in ROLES:
        with transaction.atomic():
            client = clients(role)
            if method == "get":
                response = client.get(path)
            else:
                data = {
                    name: png() if value is PHOTO else _fill(value, setting) for name, value in (body or {}).items()
                }
                response = client.post(path, data)
            answered[role] = response.status_code
            transaction.set_rollback(True)
    assert answered == expected, (method, path)
