"""The cases API (/api/v1/cases): intake by each kind of account and its channel, refused input naming the field,
the lists and a case's page as each viewer may see them (a unit only its own cases; hidden reporters stay hidden;
citizens only public events; 404 and never 403 for a case one may not see), and the operators' helpers.

`cases_world` (also used by the matrix and lifecycle tests) builds the units, the accounts of every role, the
taxonomy and a grid cell with the ORM and the org and identity services; cases are prepared through the lifecycle
services and then driven through the API.
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_args

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from yiwang.cases import services
from yiwang.cases.models import (
    Case,
    CaseCategory,
    CaseStatus,
    CaseType,
    Channel,
    DispatchRule,
    GridCell,
    KnowledgeArticle,
    Responsibility,
)
from yiwang.cases.schemas import BoxName, CaseTypeName
from yiwang.cases.selectors import BOXES
from yiwang.conftest import Accounts, City, bearer_client, next_credit_code, next_phone, sign_in
from yiwang.identity.roles import Role
from yiwang.org import services as org_services

pytestmark = pytest.mark.django_db

API = "/api/v1/cases"
# The collection's URL as django-ninja mounts it: `yiwang.cases.api` adds this router with the prefix "", which
# gives the collection a trailing slash (see docs/api/cases.md).
COLLECTION = f"{API}/"
JSON = "application/json"
PROBLEM = "application/problem+json"

LEAF = "0101"  # 城乡建设 › 市容环境
OTHER_LEAF = "0201"  # 生态环境 › 噪声污染
CONSULTING_LEAF = "0501"  # 劳动社保 › 社会保险
COMMUNITY = "419802001001"
CELL = "41980200100101"


@dataclass
class CasesWorld:
    """Units (department ids), one account per role of the matrix, the taxonomy's leaves and a grid cell."""

    city: City
    hotline: int  # 12345热线中心
    urban: int  # 市城市管理局: the lead unit of the tests
    ecology: int  # 市生态环境局: another unit
    street: int  # 滨河街道办事处: the grid workers' street office
    users: dict[str, Any]

    def client(self, role: str) -> Client:
        return Client() if role == "anonymous" else sign_in(Client(), self.users[role])

    @property
    def citizen(self) -> Any:
        return self.users["citizen"]

    @property
    def dispatcher(self) -> Any:
        return self.users["dispatcher"]

    @property
    def handler(self) -> Any:
        return self.users["staff"]

    @property
    def other_handler(self) -> Any:
        return self.users["staff_other"]


def build_world(city: City, accounts: Accounts, make_staff: Callable[..., Any]) -> CasesWorld:
    """The hotline, two units and a street office; the taxonomy and a grid cell (ORM); an account per role."""

    def unit(name: str, kind: str, division: str) -> int:
        return org_services.department_create(
            actor=None, name=name, credit_code=next_credit_code("11419800"), kind=kind, division_code=division
        ).id

    hotline = unit("12345热线中心", "public_institution", city.city_code)
    urban = unit("市城市管理局", "government_department", city.city_code)
    ecology = unit("市生态环境局", "government_department", city.city_code)
    street = unit("滨河街道办事处", "street_office", city.street_code)
    for code, name in {"01": "城乡建设", "02": "生态环境", "05": "劳动社保"}.items():
        CaseCategory.objects.create(code=code, name=name)
    for code, name in {
        LEAF: "市容环境",
        "0102": "占道经营",
        OTHER_LEAF: "噪声污染",
        CONSULTING_LEAF: "社会保险",
    }.items():
        CaseCategory.objects.create(code=code, name=name, parent=CaseCategory.objects.get(code=code[:2]))
    users = {
        "citizen": accounts.citizen,
        "agent": accounts.agent,
        "staff": make_staff(urban, (Role.HANDLER,), real_name="陈承办"),
        "staff_other": make_staff(ecology, (Role.HANDLER,), real_name="林承办"),
        "admin": accounts.admin,
        "operator": make_staff(hotline, (Role.OPERATOR,), real_name="何话务"),
        "dispatcher": make_staff(hotline, (Role.DISPATCHER,), real_name="黄派单"),
        "grid": make_staff(street, (Role.GRID_WORKER,), real_name="罗网格"),
        "supervisor": accounts.supervisor,  # 公安局, a city department: oversees every unit of the city
    }
    cell = GridCell.objects.create(code=CELL, name="柳园社区第一网格", division_id=_division_id(COMMUNITY))
    cell.workers.add(users["grid"])
    return CasesWorld(city=city, hotline=hotline, urban=urban, ecology=ecology, street=street, users=users)


def _division_id(code: str) -> int:
    from yiwang.org.selectors import division_get

    division = division_get(code=code)
    assert division is not None
    return division.id


@pytest.fixture
def world(city: City, accounts: Accounts, make_staff: Callable[..., Any]) -> CasesWorld:
    return build_world(city, accounts, make_staff)


# --- cases in a given state, through the services --------------------------------------------------------------


def received(world: CasesWorld, *, case_type: str = CaseType.COMPLAINT, content: str = "", **extra: Any) -> Case:
    """A citizen's case from the portal, awaiting dispatch."""
    return services.case_intake(
        actor=world.citizen,
        intake=services.CaseIntake(
            case_type=case_type,
            channel=Channel.PORTAL,
            content=content or "滨河路与柳园街交叉口的垃圾桶满了三天没人清运，气味很大。",
            division_code=COMMUNITY,
            reporter_id=world.citizen.pk,
            **extra,
        ),
    )


def dispatched(world: CasesWorld, *, co: tuple[int, ...] = (), **extra: Any) -> Case:
    """Dispatched to 市城市管理局 (lead), with co-units if given."""
    case = received(world, **extra)
    return services.case_dispatch(
        actor=world.dispatcher,
        case_id=case.pk,
        category_code=LEAF,
        lead_department_id=world.urban,
        co_department_ids=co,
    )


def in_progress(world: CasesWorld, **extra: Any) -> Case:
    """Signed for by the lead unit."""
    case = dispatched(world, **extra)
    return services.case_sign(actor=world.handler, case_id=case.pk)


def concluded(world: CasesWorld) -> Case:
    case = in_progress(world)
    return services.case_conclude(actor=world.handler, case_id=case.pk, reply="已安排环卫车辆清运，并加密清运频次。")


def grid_event(world: CasesWorld) -> Case:
    """A grid worker's event in their cell, awaiting dispatch."""
    return services.case_intake(
        actor=world.users["grid"],
        intake=services.CaseIntake(
            case_type=CaseType.REPORT,
            channel=Channel.GRID,
            content="柳园社区3号楼东侧井盖松动，存在安全隐患。",
            grid_cell_code=CELL,
        ),
    )


def png_bytes(size: int = 8) -> bytes:
    """A real PNG image."""
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (200, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def png_upload(name: str = "现场照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def post(client: Client, path: str, body: Any = None) -> Any:
    return client.post(path, json.dumps(body if body is not None else {}), content_type=JSON)


def field_of(response: Any) -> str:
    """The field an RFC 7807 problem names first. The services name it plainly; django-ninja's schema errors keep
    the location that `yiwang.config.api.on_validation_error` does not drop: the body parameter's name
    (`payload.channel`) and the multipart parts (`file.upload`, `form.kind`)."""
    assert response["Content-Type"] == PROBLEM, response.content[:300]
    name = str(response.json()["errors"][0]["field"])
    for prefix in ("payload.", "file.", "form."):
        name = name.removeprefix(prefix)
    return name


# --- intake ----------------------------------------------------------------------------------------------------


INTAKE = {
    "case_type": "complaint",
    "content": "柳园社区门口夜市占道经营，晚上十一点后仍很吵。请尽快处理。",
    "category_code": "0102",
    "division_code": COMMUNITY,
    "address": "滨河路88号",
    "contact_name": "钱七",
    "contact_phone": "13912345678",
}


def chinese(text: Any) -> str:
    """A label as the API answers a request without Accept-Language: in Chinese."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return str(text)


def test_a_citizen_reports_through_the_portal_as_themselves(world: CasesWorld) -> None:
    response = post(world.client("citizen"), COLLECTION, {**INTAKE, "latitude": "34.757975", "longitude": "113.665412"})
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(number=body["number"])
    assert response["Location"] == f"{API}/{case.number}"
    assert body == {
        "number": case.number,
        "status": "received",
        "status_label": chinese(CaseStatus.RECEIVED.label),
        "case_type": "complaint",
        "channel": "portal",
        "title": "柳园社区门口夜市占道经营，晚上十一点后仍很吵",
        "received_at": body["received_at"],
        "links": {"self": f"{API}/{case.number}"},
    }
    assert case.reporter == world.citizen and case.received_by is None
    assert case.category.code == "0102" and case.division.code == COMMUNITY
    assert (str(case.latitude), str(case.longitude)) == ("34.757975", "113.665412")
    assert case.contact_phone == "13912345678"
    mine = world.client("citizen").get(f"{COLLECTION}?box=mine").json()["items"]
    assert [item["number"] for item in mine] == [case.number]


def test_the_channel_follows_the_account(world: CasesWorld) -> None:
    channels = {}
    for role in ("agent", "staff", "admin", "operator", "dispatcher", "grid", "supervisor"):
        response = post(world.client(role), COLLECTION, INTAKE)
        assert response.status_code == 201, (role, response.content)
        channels[role] = response.json()["channel"]
        case = Case.objects.get(number=response.json()["number"])
        assert (case.reporter_id is not None) == (role == "agent"), role
    assert channels == {
        "agent": "portal",
        "staff": "api",
        "admin": "phone",
        "operator": "phone",
        "dispatcher": "phone",
        "grid": "grid",
        "supervisor": "api",
    }
    # Staff may name another channel their account allows; the services refuse the others.
    as_api = post(world.client("operator"), COLLECTION, {**INTAKE, "channel": "api"})
    assert as_api.status_code == 201 and as_api.json()["channel"] == "api"
    handler_by_phone = post(world.client("staff"), COLLECTION, {**INTAKE, "channel": "phone"})
    assert handler_by_phone.status_code == 403 and field_of(handler_by_phone) == "channel"
    handler_as_grid = post(world.client("staff"), COLLECTION, {**INTAKE, "channel": "grid"})
    assert handler_as_grid.status_code == 403 and field_of(handler_as_grid) == "channel"
    citizen_by_api = post(world.client("citizen"), COLLECTION, {**INTAKE, "channel": "api"})
    assert citizen_by_api.status_code == 403 and field_of(citizen_by_api) == "channel"
    open311 = post(world.client("admin"), COLLECTION, {**INTAKE, "channel": "open311"})
    assert open311.status_code == 422 and field_of(open311) == "channel"


def test_anonymous_callers_are_asked_to_authenticate(world: CasesWorld) -> None:
    response = post(Client(), COLLECTION, INTAKE)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert not Case.objects.exists()


def test_another_system_reports_with_a_bearer_token(world: CasesWorld) -> None:
    # No session, no CSRF token: the bearer token alone.
    client = bearer_client(world.handler, "urban-system-token-0123456789")
    response = post(client, COLLECTION, INTAKE)
    assert response.status_code == 201, response.content
    assert response.json()["channel"] == "api"
    assert Case.objects.get(number=response.json()["number"]).received_by == world.handler
    expired = Client(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert post(expired, COLLECTION, INTAKE).status_code == 401


def test_a_browser_session_needs_the_csrf_token_to_write(world: CasesWorld) -> None:
    client = sign_in(Client(enforce_csrf_checks=True), world.citizen)
    assert post(client, COLLECTION, INTAKE).status_code == 403
    assert client.get(COLLECTION).status_code == 200  # reading needs none
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"category_code": "9999"}, 422, "category_code"),  # no such category
        ({"category_code": "01"}, 422, "category_code"),  # a heading, not a leaf
        ({"contact_phone": "1391234"}, 422, "contact_phone"),
        ({"contact_phone": "", "channel": None}, None, None),  # a citizen's account phone is used
        ({"content": ""}, 422, "content"),
        ({"content": "   "}, 422, "content"),
        ({"content": "长" * 4001}, 422, "content"),
        ({"latitude": "34.75"}, 422, "latitude"),
        ({"longitude": "113.66"}, 422, "latitude"),
        ({"latitude": "95", "longitude": "113.66"}, 422, "latitude"),
        ({"latitude": "north", "longitude": "113.66"}, 422, "latitude"),
        ({"case_type": "rumour"}, 422, "case_type"),
        ({"case_type": None}, 422, "case_type"),
        ({"division_code": "419899"}, 422, "division_code"),
        ({"grid_cell_code": "41980200100199"}, 422, "grid_cell_code"),
        ({"hide_reporter": "perhaps"}, 422, "hide_reporter"),
    ],
)
def test_refused_input_names_the_field(
    world: CasesWorld, change: dict[str, Any], status: int | None, field: str | None
) -> None:
    body = {key: value for key, value in {**INTAKE, **change}.items() if value is not None}
    response = post(world.client("citizen"), COLLECTION, body)
    if status is None:
        assert response.status_code == 201
        assert Case.objects.get().contact_phone == world.citizen.phone
        return
    assert response.status_code == status, response.content
    assert field_of(response) == field
    assert response.json()["status"] == status and response.json()["title"] == "Unprocessable Entity"
    assert not Case.objects.exists()


def test_the_hotline_needs_a_phone_to_reply_and_malformed_json_is_refused(world: CasesWorld) -> None:
    no_phone = post(world.client("operator"), COLLECTION, {**INTAKE, "contact_phone": ""})
    assert no_phone.status_code == 422 and field_of(no_phone) == "contact_phone"
    garbage = world.client("operator").post(COLLECTION, "{not json", content_type=JSON)
    assert garbage.status_code in {400, 422} and garbage["Content-Type"] == PROBLEM
    assert not Case.objects.exists()


def test_a_grid_worker_reports_only_in_their_cells(world: CasesWorld) -> None:
    GridCell.objects.create(code="41980200100102", name="柳园社区第二网格", division_id=_division_id(COMMUNITY))
    own = post(world.client("grid"), COLLECTION, {**INTAKE, "grid_cell_code": CELL})
    assert own.status_code == 201 and own.json()["channel"] == "grid"
    case = Case.objects.get(number=own.json()["number"])
    assert case.grid_cell.code == CELL and case.received_by == world.users["grid"]
    other = post(world.client("grid"), COLLECTION, {**INTAKE, "grid_cell_code": "41980200100102"})
    assert other.status_code == 403


def test_the_schema_names_every_type_and_box_of_the_models() -> None:
    assert set(get_args(CaseTypeName)) == set(CaseType.values)
    assert set(get_args(BoxName)) == set(BOXES)


# --- reading ---------------------------------------------------------------------------------------------------


def test_a_unit_sees_only_its_own_cases(world: CasesWorld) -> None:
    urban_case = dispatched(world)
    ecology_case = services.case_dispatch(
        actor=world.dispatcher,
        case_id=received(world, content="化工厂夜间排放刺鼻气体。").pk,
        category_code=OTHER_LEAF,
        lead_department_id=world.ecology,
    )
    waiting = received(world, content="路灯不亮。")

    def numbers(role: str, query: str = "") -> set[str]:
        response = world.client(role).get(f"{COLLECTION}{query}")
        assert response.status_code == 200, response.content
        return {item["number"] for item in response.json()["items"]}

    everything = {urban_case.number, ecology_case.number, waiting.number}
    assert numbers("staff") == {urban_case.number}
    assert numbers("staff_other") == {ecology_case.number}
    assert numbers("dispatcher") == numbers("operator") == numbers("admin") == everything
    assert numbers("supervisor") == {urban_case.number, ecology_case.number}
    assert numbers("citizen") == everything
    assert numbers("agent") == numbers("grid") == set()
    assert numbers("dispatcher", "?box=to_dispatch") == {waiting.number}
    assert numbers("staff", "?box=to_sign") == {urban_case.number}
    assert numbers("dispatcher", f"?q={ecology_case.number}") == {ecology_case.number}
    assert numbers("dispatcher", "?q=路灯") == {waiting.number}
    # Never the reporter's contact in a list.
    listed = world.client("dispatcher").get(COLLECTION).content.decode()
    assert world.citizen.phone not in listed and "钱七" not in listed
    unknown_box = world.client("dispatcher").get(f"{COLLECTION}?box=everything")
    assert unknown_box.status_code == 422 and field_of(unknown_box) == "box"


def test_lists_come_in_pages(world: CasesWorld) -> None:
    made = [received(world, content=f"第{index}号诉求：小区路灯不亮。").number for index in range(5)]
    client = world.client("dispatcher")
    first = client.get(f"{COLLECTION}?limit=2").json()
    assert [item["number"] for item in first["items"]] == made[::-1][:2]
    assert (first["limit"], first["offset"], first["next_offset"]) == (2, 0, 2)
    last = client.get(f"{COLLECTION}?limit=2&offset=4").json()
    assert [item["number"] for item in last["items"]] == [made[0]] and last["next_offset"] is None
    assert client.get(f"{COLLECTION}?limit=0").status_code == 422
    assert client.get(f"{COLLECTION}?limit=201").status_code == 422
    assert client.get(f"{COLLECTION}?offset=10001").status_code == 422


def test_a_case_one_may_not_see_is_not_found_exactly_like_one_that_does_not_exist(world: CasesWorld) -> None:
    case = dispatched(world)
    for role in ("agent", "staff_other", "grid"):
        hidden = world.client(role).get(f"{API}/{case.number}")
        missing = world.client(role).get(f"{API}/20990101000001")
        assert hidden.status_code == missing.status_code == 404, role
        assert hidden.json() == missing.json()
        step = post(world.client(role), f"{API}/{case.number}/sign")
        assert step.status_code == 404 and step.json() == post(world.client(role), f"{API}/20990101000001/sign").json()


def test_the_detail_of_a_case_for_its_unit(world: CasesWorld) -> None:
    case = dispatched(world, co=(world.ecology,))
    body = world.client("staff").get(f"{API}/{case.number}").json()
    assert body["number"] == case.number and body["summary"]["status"] == "dispatched"
    assert body["summary"]["lead_unit"] == "市城市管理局" and body["category_code"] == LEAF
    assert body["division_code"] == COMMUNITY and body["division_name"] == "柳园社区"
    assert body["reporter_shown"] is True and body["contact_phone"] == world.citizen.phone
    assert [(a["department"], a["role"], a["status"]) for a in body["assignments"]] == [
        ("市城市管理局", "lead", "waiting"),
        ("市生态环境局", "co", "waiting"),
    ]
    assert body["my_assignment"]["department"] == "市城市管理局"
    assert body["actions"] == ["return", "sign"]
    assert [event["kind"] for event in body["events"]] == ["received", "dispatched"]
    assert body["links"] == {"self": f"{API}/{case.number}"}
    dispatcher = world.client("dispatcher").get(f"{API}/{case.number}").json()
    assert dispatcher["actions"] == ["dispatch", "escalate", "merge"] and dispatcher["my_assignment"] is None


def test_a_hidden_reporter_stays_hidden_from_the_units(world: CasesWorld) -> None:
    response = post(world.client("citizen"), COLLECTION, {**INTAKE, "hide_reporter": True})
    number = response.json()["number"]
    services.case_dispatch(
        actor=world.dispatcher,
        case_id=Case.objects.get(number=number).pk,
        category_code=LEAF,
        lead_department_id=world.urban,
        co_department_ids=[world.ecology],
    )
    for role in ("staff", "staff_other", "supervisor"):
        answer = world.client(role).get(f"{API}/{number}")
        body = answer.json()
        assert (body["reporter_shown"], body["contact_name"], body["contact_phone"]) == (False, "保密", "保密"), role
        text = answer.content.decode()
        assert "13912345678" not in text and "钱七" not in text, role
    for role in ("dispatcher", "operator", "admin", "citizen"):
        body = world.client(role).get(f"{API}/{number}").json()
        assert (body["contact_name"], body["contact_phone"]) == ("钱七", "13912345678"), role


def test_citizens_see_only_the_public_events(world: CasesWorld) -> None:
    case = in_progress(world)
    services.case_note(actor=world.handler, case_id=case.pk, text="已联系环卫所，明早清运。内部备注。")
    citizen = world.client("citizen").get(f"{API}/{case.number}").json()
    assert [event["kind"] for event in citizen["events"]] == ["received", "dispatched", "signed"]
    assert all(event["public"] and event["actor"] == "" for event in citizen["events"])
    assert citizen["assignments"] == [] and citizen["suggested"] == {} and citizen["pending"] == []
    assert "内部备注" not in json.dumps(citizen, ensure_ascii=False)
    staff = world.client("staff").get(f"{API}/{case.number}").json()
    assert [event["kind"] for event in staff["events"]] == ["received", "dispatched", "signed", "note"]
    assert staff["events"][-1]["actor"] == "陈承办"


# --- helpers of the hotline ------------------------------------------------------------------------------------


def test_the_callers_earlier_cases(world: CasesWorld) -> None:
    first = post(world.client("operator"), COLLECTION, {**INTAKE, "contact_phone": "13700001111"}).json()["number"]
    post(world.client("operator"), COLLECTION, {**INTAKE, "contact_phone": next_phone()})
    history = world.client("operator").get(f"{API}/caller-history?phone=137-0000-1111")
    assert history.status_code == 200
    assert [item["number"] for item in history.json()] == [first]
    assert world.client("operator").get(f"{API}/caller-history?phone=abc").json() == []
    assert world.client("operator").get(f"{API}/caller-history").status_code == 422
    assert world.client("staff").get(f"{API}/caller-history?phone=13700001111").status_code == 403


def test_likely_duplicates_at_intake(world: CasesWorld) -> None:
    earlier = post(world.client("operator"), COLLECTION, {**INTAKE, "contact_phone": "13700002222"}).json()["number"]
    body = {
        "content": "柳园社区门口夜市占道经营，晚上很吵，十一点以后还在营业。",
        "phone": "13700002222",
        "category_code": "0102",
        "division_code": COMMUNITY,
    }
    response = post(world.client("dispatcher"), f"{API}/duplicates", body)
    assert response.status_code == 200
    [candidate] = response.json()
    assert candidate["case"]["number"] == earlier
    assert candidate["reasons"] == ["same_caller", "same_category_and_place", "similar_text"]
    assert 0.35 <= candidate["similarity"] <= 1
    excluded = post(world.client("dispatcher"), f"{API}/duplicates", {**body, "exclude_number": earlier})
    assert excluded.json() == []
    unknown = post(world.client("dispatcher"), f"{API}/duplicates", {**body, "exclude_number": "20990101000001"})
    assert unknown.status_code == 404 and field_of(unknown) == "exclude_number"


def test_the_routing_models_proposal(world: CasesWorld) -> None:
    from yiwang.cases.routing import forget_loaded_model

    noise = CaseCategory.objects.get(code=OTHER_LEAF)
    noise.keywords = "噪声\n噪音\n扰民\n施工噪声\n夜间施工"
    noise.save()
    tidy = CaseCategory.objects.get(code=LEAF)
    tidy.keywords = "垃圾\n清运\n垃圾桶\n环境卫生"
    tidy.save()
    DispatchRule.objects.create(category=noise, lead_department_id=world.ecology, basis="生态环境局三定")
    DispatchRule.objects.create(category=tidy, lead_department_id=world.urban, basis="城市管理局三定")
    Responsibility.objects.create(department_id=world.ecology, title="噪声污染防治监督管理")
    Responsibility.objects.create(department_id=world.urban, title="市容环境卫生管理，生活垃圾清运")
    forget_loaded_model()  # a model another test's database held must not answer here
    try:
        response = post(
            world.client("dispatcher"),
            f"{API}/route",
            {"text": "工地夜间施工噪声扰民，睡不着觉", "division_code": COMMUNITY},
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["model_id"] is not None
        assert (body["units"][0]["department_id"], body["units"][0]["name"]) == (world.ecology, "市生态环境局")
        assert body["categories"][0]["code"] == OTHER_LEAF
        assert 1 <= len(body["units"]) <= 3 and 1 <= len(body["categories"]) <= 3
        assert sum(unit["confidence"] for unit in body["units"]) <= 1.0001
        empty = post(world.client("dispatcher"), f"{API}/route", {"text": "   "})
        assert empty.status_code == 422 and field_of(empty) == "text"
    finally:
        forget_loaded_model()


def test_overdue_lists_per_unit(world: CasesWorld) -> None:
    late = dispatched(world)
    dispatched(world)
    past = timezone.now() - datetime.timedelta(days=3)
    Case.objects.filter(pk=late.pk).update(due_at=past, sign_due_at=past)
    late.assignments.update(sign_due_at=past)
    expected = [
        {"department_id": world.urban, "department": "市城市管理局", "overdue": 1, "unsigned_late": 1, "escalated": 0}
    ]
    assert world.client("dispatcher").get(f"{API}/overdue").json() == expected
    assert world.client("staff").get(f"{API}/overdue").json() == expected
    assert world.client("supervisor").get(f"{API}/overdue").json() == expected
    assert world.client("staff_other").get(f"{API}/overdue").json() == []
    assert world.client("citizen").get(f"{API}/overdue").status_code == 403


def test_direct_conclusion_cites_an_article_in_force(world: CasesWorld) -> None:
    case = received(world, case_type=CaseType.CONSULTATION, content="灵活就业人员怎么缴纳养老保险？")
    article = KnowledgeArticle.objects.create(
        title="灵活就业人员参保",
        answer="持身份证到社保经办窗口或通过网上办事大厅登记。",
        department_id=world.urban,
        effective_from=datetime.date(2024, 1, 1),
    )
    expired = KnowledgeArticle.objects.create(
        title="旧政策",
        answer="旧答复",
        department_id=world.urban,
        effective_from=datetime.date(2020, 1, 1),
        expires_on=datetime.date(2021, 1, 1),
    )
    refused = post(
        world.client("operator"),
        f"{API}/{case.number}/conclude-directly",
        {"reply": expired.answer, "article_id": expired.pk},
    )
    assert refused.status_code == 422 and field_of(refused) == "article_id"
    done = post(
        world.client("operator"),
        f"{API}/{case.number}/conclude-directly",
        {"reply": article.answer, "article_id": article.pk},
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["summary"]["status"] == CaseStatus.CONCLUDED and body["reply"] == article.answer
    assert body["events"][-1]["kind"] == "concluded_directly"
    complaint = received(world)
    not_consultation = post(world.client("operator"), f"{API}/{complaint.number}/conclude-directly", {"reply": "答复"})
    assert not_consultation.status_code == 422 and field_of(not_consultation) == "case_type"


# --- what the services do not do yet (reported; strict: each fails loudly once it is fixed) -------------------


def test_a_system_follows_the_cases_it_reported(world: CasesWorld) -> None:
    number = post(world.client("staff_other"), COLLECTION, INTAKE).json()["number"]
    assert world.client("staff_other").get(f"{API}/{number}").status_code == 200


def test_the_attachment_service_refuses_an_unknown_kind(world: CasesWorld) -> None:
    from yiwang.core.errors import ValidationFailed

    case = received(world)
    with pytest.raises(ValidationFailed) as refused:
        services.case_attach(actor=world.citizen, case_id=case.pk, upload=png_upload(), kind="selfie")
    assert refused.value.field == "kind"
