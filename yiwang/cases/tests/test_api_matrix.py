"""Who may call each endpoint of the cases API, role by role, on a case in the state the endpoint needs; with a
guard rail that fails when an endpoint under /api/v1/cases is missing here.

Roles: anonymous; citizen (the reporter of the case); agent (an enterprise's agent, another citizen); staff (a
handler of the lead unit, 市城市管理局); staff_other (a handler of another unit, 市生态环境局); admin (platform
administrator); operator and dispatcher (12345热线中心); grid (a grid worker, who reports the grid events); supervisor
(公安局, a city department: oversees every unit of the city).

Every role gets a fresh case, so each answer is the one the role gets from the state, not from a neighbour's step.
404 means the role may not know the case exists; 403 that it may see the case but not take this step.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from yiwang.cases import services
from yiwang.cases.models import CaseType
from yiwang.cases.tests.test_api_cases import (
    API,
    COLLECTION,
    INTAKE,
    CasesWorld,
    build_world,
    concluded,
    dispatched,
    grid_event,
    in_progress,
    png_upload,
    received,
)
from yiwang.conftest import Accounts, City

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous", "citizen", "agent", "staff", "staff_other", "admin", "operator", "dispatcher", "grid", "supervisor",
)  # fmt: skip
OK, CREATED, UNAUTHORIZED, FORBIDDEN, NOT_FOUND = 200, 201, 401, 403, 404
# Routers of other areas mounted under /api/v1/cases, with matrices of their own.
OWNED_ELSEWHERE = (f"{API}/knowledge", f"{API}/catalogue", f"{API}/analytics")


def row(*codes: int) -> dict[str, int]:
    return dict(zip(ROLES, codes, strict=True))


Prepared = dict[str, Any]


@dataclass(frozen=True)
class Call:
    """How to call one endpoint: the state to prepare (fresh for each role), the body, and who gets what."""

    prepare: Callable[[CasesWorld], Prepared]
    body: Callable[[CasesWorld, Prepared], Any]
    expected: dict[str, int]
    multipart: bool = False
    query: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def nothing(world: CasesWorld) -> Prepared:
    return {}


def number_of(make: Callable[[CasesWorld], Any]) -> Callable[[CasesWorld], Prepared]:
    return lambda world: {"number": make(world).number}


def no_body(world: CasesWorld, prepared: Prepared) -> None:
    return None


def co_signed(world: CasesWorld) -> Prepared:
    """Dispatched with 市生态环境局 as co-unit, which has signed for its part."""
    case = dispatched(world, co=(world.ecology,))
    services.case_sign(actor=world.other_handler, case_id=case.pk)
    return {"number": case.number}


def pending_return(world: CasesWorld) -> Prepared:
    case = dispatched(world)
    returned = services.case_return_request(actor=world.handler, case_id=case.pk, reason="不属于本单位职责。")
    return {"number": case.number, "return_id": returned.pk}


def pending_extension(world: CasesWorld) -> Prepared:
    case = in_progress(world)
    extension = services.case_extension_request(actor=world.handler, case_id=case.pk, days=3, reason="需协调环卫车辆。")
    return {"number": case.number, "extension_id": extension.pk}


def consultation(world: CasesWorld) -> Prepared:
    return {"number": received(world, case_type=CaseType.CONSULTATION, content="养老保险怎么转移？").number}


def two_received(world: CasesWorld) -> Prepared:
    main = received(world)
    return {"number": received(world).number, "into": main.number}


def with_photo(world: CasesWorld) -> Prepared:
    """Dispatched, with a photo the operator attached."""
    case = dispatched(world)
    photo = services.case_attach(actor=world.users["operator"], case_id=case.pk, upload=png_upload())
    return {"number": case.number, "attachment_id": photo.pk}


def a_photo(world: CasesWorld, prepared: Prepared) -> dict[str, Any]:
    return {"upload": png_upload()}


def evidence(world: CasesWorld, prepared: Prepared) -> dict[str, Any]:
    return {"reply": "已现场将井盖复位并加固。", "upload": png_upload("处置后.png")}


# Columns: anonymous, citizen, agent, staff, staff_other, admin, operator, dispatcher, grid, supervisor.
ANYONE_SIGNED_IN = row(UNAUTHORIZED, OK, OK, OK, OK, OK, OK, OK, OK, OK)
HOTLINE_ONLY = row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK, FORBIDDEN, FORBIDDEN)
DISPATCHERS_ONLY = row(
    UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN
)
# A step of the lead unit on a case dispatched to it: the others who see the case may not take it.
LEAD_UNIT_STEP = row(
    UNAUTHORIZED, FORBIDDEN, NOT_FOUND, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN
)


def lead_unit_step(status: int) -> dict[str, int]:
    return {**LEAD_UNIT_STEP, "staff": status}


CALLS: dict[tuple[str, str], Call] = {
    ("post", COLLECTION): Call(
        nothing, lambda w, p: INTAKE,
        row(UNAUTHORIZED, CREATED, CREATED, CREATED, CREATED, CREATED, CREATED, CREATED, CREATED, CREATED),
    ),
    ("get", COLLECTION): Call(number_of(dispatched), no_body, ANYONE_SIGNED_IN),
    ("get", f"{API}/caller-history"): Call(nothing, no_body, HOTLINE_ONLY, query="?phone=13912345678"),
    ("get", f"{API}/overdue"): Call(
        number_of(dispatched), no_body, row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, OK, OK, OK, OK, OK, OK, OK)
    ),
    ("post", f"{API}/duplicates"): Call(
        number_of(received), lambda w, p: {"content": INTAKE["content"], "phone": "13912345678"}, HOTLINE_ONLY
    ),
    ("post", f"{API}/route"): Call(
        nothing, lambda w, p: {"text": "夜市占道经营噪声扰民", "division_code": "419802001001"}, HOTLINE_ONLY
    ),
    ("get", f"{API}/{{number}}"): Call(
        number_of(dispatched), no_body, row(UNAUTHORIZED, OK, NOT_FOUND, OK, NOT_FOUND, OK, OK, OK, NOT_FOUND, OK)
    ),
    ("post", f"{API}/{{number}}/dispatch"): Call(
        number_of(received),
        lambda w, p: {"category_code": "0101", "lead_department_id": w.urban, "co_department_ids": [w.ecology]},
        row(UNAUTHORIZED, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, NOT_FOUND, NOT_FOUND),
    ),
    ("post", f"{API}/{{number}}/sign"): Call(number_of(dispatched), no_body, lead_unit_step(OK)),
    ("post", f"{API}/{{number}}/notes"): Call(
        number_of(in_progress), lambda w, p: {"text": "已到现场查看。"}, lead_unit_step(CREATED)
    ),
    ("post", f"{API}/{{number}}/co-reply"): Call(
        co_signed,
        lambda w, p: {"text": "协办意见：已排查排放口。"},
        row(UNAUTHORIZED, FORBIDDEN, NOT_FOUND, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN),
    ),
    ("post", f"{API}/{{number}}/returns"): Call(
        number_of(dispatched),
        lambda w, p: {"reason": "占道经营属街道管辖。", "basis": "三定方案", "suggested_department_id": w.street},
        lead_unit_step(CREATED),
    ),
    ("post", f"{API}/returns/{{return_id}}/review"): Call(
        pending_return, lambda w, p: {"reassign_to_id": w.ecology, "note": "改派生态环境局"}, DISPATCHERS_ONLY
    ),
    ("post", f"{API}/{{number}}/extensions"): Call(
        number_of(in_progress), lambda w, p: {"days": 3, "reason": "需协调多部门。"}, lead_unit_step(CREATED)
    ),
    ("post", f"{API}/extensions/{{extension_id}}/decision"): Call(
        pending_extension, lambda w, p: {"approve": True}, DISPATCHERS_ONLY
    ),
    ("post", f"{API}/{{number}}/conclude"): Call(
        number_of(in_progress), lambda w, p: {"reply": "已清运完毕。"}, lead_unit_step(OK)
    ),
    ("post", f"{API}/{{number}}/conclude-directly"): Call(
        consultation,
        lambda w, p: {"reply": "可在社保经办窗口办理转移接续。"},
        row(UNAUTHORIZED, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, NOT_FOUND, NOT_FOUND),
    ),
    ("post", f"{API}/{{number}}/follow-ups"): Call(
        number_of(concluded),
        lambda w, p: {"resolved": True, "satisfaction": "satisfied"},
        row(
            UNAUTHORIZED, CREATED, NOT_FOUND, FORBIDDEN, NOT_FOUND, CREATED, CREATED, CREATED, NOT_FOUND, FORBIDDEN
        ),
    ),
    ("post", f"{API}/{{number}}/merge"): Call(
        two_received,
        lambda w, p: {"into_number": p["into"], "note": "同一诉求"},
        row(UNAUTHORIZED, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, NOT_FOUND, NOT_FOUND),
    ),
    ("post", f"{API}/{{number}}/escalations"): Call(
        number_of(dispatched),
        lambda w, p: {"reason": "群众反复来电。"},
        row(
            UNAUTHORIZED, FORBIDDEN, NOT_FOUND, FORBIDDEN, NOT_FOUND, CREATED, FORBIDDEN, CREATED, NOT_FOUND, CREATED
        ),
    ),
    ("post", f"{API}/{{number}}/attachments"): Call(
        number_of(dispatched),
        a_photo,
        row(UNAUTHORIZED, CREATED, NOT_FOUND, CREATED, NOT_FOUND, CREATED, CREATED, CREATED, NOT_FOUND, CREATED),
        multipart=True,
    ),
    ("get", f"{API}/{{number}}/attachments/{{attachment_id}}"): Call(
        with_photo, no_body, row(UNAUTHORIZED, OK, NOT_FOUND, OK, NOT_FOUND, OK, OK, OK, NOT_FOUND, OK)
    ),
    ("post", f"{API}/{{number}}/resolve-on-spot"): Call(
        number_of(grid_event),
        evidence,
        row(UNAUTHORIZED, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND),
        multipart=True,
    ),
}  # fmt: skip


def _operations() -> set[tuple[str, str]]:
    schema = Client().get("/api/v1/openapi.json").json()
    return {
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if (path == API or path.startswith(f"{API}/")) and not path.startswith(OWNED_ELSEWHERE)
    }


def test_every_endpoint_is_in_the_matrix() -> None:
    assert _operations() == set(CALLS)


@pytest.fixture
def world(city: City, accounts: Accounts, make_staff: Callable[..., Any]) -> CasesWorld:
    return build_world(city, accounts, make_staff)


def _call(client: Client, method: str, path: str, body: Any, multipart: bool) -> Any:
    if method == "get":
        return client.get(path)
    if multipart:
        return client.post(path, body)
    return client.post(path, json.dumps(body if body is not None else {}), content_type="application/json")


@pytest.mark.parametrize("operation", list(CALLS), ids=lambda operation: f"{operation[0]} {operation[1]}")
def test_who_may_call_each_endpoint(world: CasesWorld, operation: tuple[str, str]) -> None:
    method, template = operation
    call = CALLS[operation]
    answers = {}
    for role in ROLES:
        prepared = call.prepare(world)
        path = template.format(**prepared) + call.query
        response = _call(world.client(role), method, path, call.body(world, prepared), call.multipart)
        answers[role] = response.status_code
        if response.status_code >= 400:
            assert response["Content-Type"] == "application/problem+json", (role, response.content[:200])
    assert answers == call.expected
