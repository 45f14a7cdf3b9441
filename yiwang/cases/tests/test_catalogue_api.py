"""The catalogue API (/api/v1/cases/catalogue/…): who may call each endpoint, and what each answers — the public
taxonomy, the rules, the proposal with its reason, the time limits, the workbook out and in."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yiwang.cases import catalogue
from yiwang.cases.catalogue_excel import catalogue_workbook
from yiwang.cases.models import DispatchRule, TimeLimitRule
from yiwang.cases.tests.conftest import Hotline
from yiwang.conftest import Accounts, sign_in
from yiwang.identity.roles import Role

pytestmark = pytest.mark.django_db
API = "/api/v1/cases/catalogue"
OK, CREATED, NO_CONTENT, UNAUTHORIZED, FORBIDDEN = 200, 201, 204, 401, 403

# anonymous; a citizen; an enterprise's agent; a clerk of 公安局 (staff without a hotline role); a handler of 公安局
# ("unit") and of 城市管理局 ("other_unit"); the hotline's operator and dispatcher; a supervisor; the administrator.
ROLES = [
    "anonymous",
    "citizen",
    "agent",
    "clerk",
    "unit",
    "other_unit",
    "operator",
    "supervisor",
    "dispatcher",
    "admin",
]


def row(*codes: int) -> dict[str, int]:
    return dict(zip(ROLES, codes, strict=True))


PUBLIC = row(*[OK] * 10)
READERS = row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK, OK, OK, OK)


def editors(success: int) -> dict[str, int]:
    return row(UNAUTHORIZED, *[FORBIDDEN] * 7, success, success)


@pytest.fixture
def setting(hotline: Hotline, accounts: Accounts) -> dict[str, Any]:
    rule = catalogue.dispatch_rule_save(
        actor=None,
        category_code="0102",
        division_code="",
        lead_kind="department",
        lead_department_id=hotline.urban,
        basis="《明湖市城市管理局权责清单》第2项",
    )
    catalogue.dispatch_rule_save(
        actor=None, category_code="01", division_code="419802001", lead_kind="street", lead_department_id=None
    )
    return {
        "rule": rule.id,
        "praise": TimeLimitRule.objects.get(case_type="praise").pk,
        "people": {
            "citizen": accounts.citizen,
            "agent": accounts.agent,
            "clerk": accounts.staff,
            "unit": hotline.police_handler,
            "other_unit": hotline.urban_handler,
            "operator": hotline.operator,
            "supervisor": hotline.supervisor,
            "dispatcher": hotline.dispatcher,
            "admin": accounts.admin,
        },
    }


@pytest.fixture
def clients(setting: dict[str, Any]) -> Callable[[str], Client]:
    def make(role: str) -> Client:
        client = Client()
        client.cookies["yiwang_language"] = "en"
        return client if role == "anonymous" else sign_in(client, setting["people"][role])

    return make


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "派单目录"
    sheet.append(["分类代码", "主办方式", "主办单位"])
    sheet.append(["0201", "承办单位", "住房和城乡建设局"])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


# (method, path pattern) → (path, JSON body or None, expected status per role)
ENDPOINTS: dict[tuple[str, str], tuple[str, Any, dict[str, int]]] = {
    ("get", "/categories"): ("/categories", None, PUBLIC),
    ("get", "/rules"): ("/rules?category=01", None, READERS),
    ("post", "/rules"): (
        "/rules",
        {"category_code": "0201", "division_code": "419802", "lead_kind": "district"},
        editors(CREATED),
    ),
    ("put", "/rules/{rule_id}"): (
        "/rules/{rule}",
        {"category_code": "0102", "lead_kind": "street", "basis": "《明湖市街道履职事项清单》第1项"},
        editors(OK),
    ),
    ("delete", "/rules/{rule_id}"): ("/rules/{rule}", None, editors(NO_CONTENT)),
    ("get", "/proposal"): ("/proposal?category=0102&division=419802001001", None, READERS),
    ("get", "/time-limits"): ("/time-limits", None, READERS),
    ("put", "/time-limits"): (
        "/time-limits",
        {"case_type": "help", "category_code": "01", "sign_days": 1, "handle_days": 4},
        editors(OK),
    ),
    ("delete", "/time-limits/{rule_id}"): ("/time-limits/{praise}", None, editors(NO_CONTENT)),
    ("get", "/export"): ("/export", None, READERS),
    ("post", "/import"): ("/import", "workbook", editors(OK)),
}


def test_every_catalogue_endpoint_is_in_the_matrix(db: Any) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operations = {
        (method, path.removeprefix(f"{API}"))
        for path, item in schema["paths"].items()
        if path.startswith(f"{API}/")
        for method in item
    }
    assert operations == set(ENDPOINTS)


def _call(client: Client, method: str, path: str, body: Any) -> Any:
    if body == "workbook":
        upload = SimpleUploadedFile("派单目录.xlsx", _workbook())
        return client.post(path, {"file": upload})
    if method == "get":
        return client.get(path)
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", sorted(ENDPOINTS))
def test_who_may_call_what(
    clients: Callable[[str], Client], setting: dict[str, Any], operation: tuple[str, str], role: str
) -> None:
    method, _pattern = operation
    path, body, expected = ENDPOINTS[operation]
    response = _call(clients(role), method, API + path.format(**setting), body)
    assert response.status_code == expected[role], (path, role, response.content[:300])
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"


def test_the_taxonomy_is_public(clients: Callable[[str], Client]) -> None:
    body = clients("anonymous").get(f"{API}/categories").json()
    assert [(item["code"], item["name"], item["leaf"]) for item in body] == [
        ("01", "城乡建设", False),
        ("0102", "路灯照明", True),
        ("02", "生态环境", False),
        ("0201", "噪声污染", True),
    ]
    assert body[1]["keywords"] == ["路灯", "不亮"]


def test_the_proposal_names_the_unit_or_says_why_not(
    clients: Callable[[str], Client], hotline: Hotline, setting: dict[str, Any]
) -> None:
    operator = clients("operator")
    found = operator.get(f"{API}/proposal?category=0102&division=419802001001").json()
    assert found == {
        "proposal": {
            "lead_department_id": hotline.urban,
            "lead_name": "城市管理局",
            "co_departments": [],
            "rule_id": setting["rule"],
            "basis": "《明湖市城市管理局权责清单》第2项",
            "locality": False,
            "category_code": "0102",
            "division_code": "",
        },
        "code": "found",
        "reason": "",
    }
    catalogue.category_save(actor=None, code="0103", name="违法建设")
    local = operator.get(f"{API}/proposal?category=0103&division=419802001001").json()
    assert (local["proposal"]["lead_name"], local["proposal"]["locality"]) == ("滨河街道办事处", True)
    placeless = operator.get(f"{API}/proposal?category=0103").json()
    assert (placeless["proposal"], placeless["code"]) == (None, "no_rule")
    none = operator.get(f"{API}/proposal?category=0201&division=419802001001").json()
    assert (none["proposal"], none["code"]) == (None, "no_rule")


def test_a_bad_rule_names_the_field(clients: Callable[[str], Client], hotline: Hotline) -> None:
    response = clients("dispatcher").post(
        f"{API}/rules",
        data=json.dumps({"category_code": "0201", "lead_kind": "department"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "lead_department_id", "message": "Choose the lead unit."}]
    twice = clients("dispatcher").post(
        f"{API}/rules",
        data=json.dumps({"category_code": "0102", "lead_department_id": hotline.housing}),
        content_type="application/json",
    )
    assert twice.status_code == 409
    missing = clients("dispatcher").delete(f"{API}/rules/999999")
    assert missing.status_code == 404


def test_rules_are_listed_and_changed(
    clients: Callable[[str], Client], hotline: Hotline, setting: dict[str, Any]
) -> None:
    dispatcher = clients("dispatcher")
    listed = dispatcher.get(f"{API}/rules?department_id={hotline.urban}").json()
    assert [(item["category_code"], item["lead_name"]) for item in listed] == [("0102", "城市管理局")]
    changed = dispatcher.put(
        f"{API}/rules/{setting['rule']}",
        data=json.dumps(
            {
                "category_code": "0102",
                "lead_department_id": hotline.housing,
                "co_department_ids": [hotline.urban],
                "basis": "新依据",
            }
        ),
        content_type="application/json",
    ).json()
    assert (changed["lead_name"], changed["co_departments"], changed["division_name"]) == (
        "住房和城乡建设局",
        [{"id": hotline.urban, "name": "城市管理局"}],
        "the whole city",
    )
    assert dispatcher.delete(f"{API}/rules/{setting['rule']}").status_code == 204
    assert DispatchRule.objects.filter(pk=setting["rule"]).count() == 0


def test_time_limits_through_the_api(clients: Callable[[str], Client]) -> None:
    dispatcher = clients("dispatcher")
    saved = dispatcher.put(
        f"{API}/time-limits",
        data=json.dumps({"case_type": "help", "category_code": "01", "sign_days": 1, "handle_days": 4}),
        content_type="application/json",
    ).json()
    assert {key: saved[key] for key in ("case_type", "category_code", "handle_days", "default")} == {
        "case_type": "help",
        "category_code": "01",
        "handle_days": 4,
        "default": False,
    }
    table = dispatcher.get(f"{API}/time-limits").json()
    assert table[0]["default"] and table[0]["handle_days"] == 13
    default = table[0]["id"]
    refused = dispatcher.delete(f"{API}/time-limits/{default}")
    assert refused.status_code == 409
    bad = dispatcher.put(
        f"{API}/time-limits",
        data=json.dumps({"sign_days": 5, "handle_days": 3}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "sign_days"


def test_the_workbook_out_and_in(clients: Callable[[str], Client], hotline: Hotline) -> None:
    supervisor = clients("supervisor")
    exported = supervisor.get(f"{API}/export")
    assert exported["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert exported.content == catalogue_workbook()
    dispatcher = clients("dispatcher")
    upload = SimpleUploadedFile("派单目录.xlsx", exported.content)
    assert dispatcher.post(f"{API}/import", {"file": upload}).json() == {"created": 0, "updated": 0, "unchanged": 2}
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["分类代码", "主办方式", "主办单位", "协办单位"])
    sheet.append(["0201", "承办单位", "不存在的局", "城市管理局"])
    sheet.append(["7777", "承办单位", "城市管理局", ""])
    output = io.BytesIO()
    book.save(output)
    refused = dispatcher.post(f"{API}/import", {"file": SimpleUploadedFile("bad.xlsx", output.getvalue())})
    assert refused.status_code == 422
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["errors"] == [
        {
            "field": "file",
            "row": 2,
            "column": "主办单位",
            "value": "不存在的局",
            "message": "No active unit has this name or short name.",
        },
        {"field": "file", "row": 3, "column": "分类代码", "value": "7777", "message": "No category has code 7777."},
    ]
    garbage = dispatcher.post(f"{API}/import", {"file": SimpleUploadedFile("x.xlsx", b"hello")})
    assert garbage.status_code == 422 and garbage.json()["errors"][0]["field"] == "file"
    assert DispatchRule.objects.count() == 2


def test_a_staff_member_without_a_hotline_role_reads_nothing(
    clients: Callable[[str], Client], make_staff: Callable[..., Any], hotline: Hotline
) -> None:
    reviewer = make_staff(hotline.urban, (Role.REVIEWER,))
    client = sign_in(Client(), reviewer)
    assert client.get(f"{API}/rules").status_code == FORBIDDEN
