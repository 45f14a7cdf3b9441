"""The catalogue's console pages: who may open each route, and what each does — filters, entries, the workbook out
and in with its error table, the taxonomy, responsibility lists, the time-limit table and grid cells with workers."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yiwang.cases import catalogue
from yiwang.cases.models import DispatchRule, TimeLimitRule
from yiwang.cases.tests.conftest import Hotline
from yiwang.conftest import Accounts, sign_in, url_routes
from yiwang.core.audit.models import AuditEvent
from yiwang.identity.roles import Role

pytestmark = pytest.mark.django_db
OK, REDIRECT, BAD, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, CONFLICT = 200, 302, 400, 403, 404, 405, 409
PREFIXES = ("console/cases/catalogue/", "console/cases/time-limits/", "console/cases/grid/cells/")

# anonymous; a citizen; an enterprise's agent; a clerk of 公安局 (staff without a hotline role); a handler of 公安局
# ("unit") and of 城市管理局 ("other_unit"); the hotline's operator and dispatcher; a supervisor; a grid worker; the
# platform administrator.
ROLES = [
    "anonymous",
    "citizen",
    "agent",
    "clerk",
    "unit",
    "other_unit",
    "operator",
    "supervisor",
    "grid_worker",
    "dispatcher",
    "admin",
]


def row(*codes: int) -> dict[str, int]:
    return dict(zip(ROLES, codes, strict=True))


READERS = row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK, OK, FORBIDDEN, OK, OK)
GRID_READERS = row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK, OK, OK, OK, OK)
EDITORS = row(REDIRECT, *[FORBIDDEN] * 8, OK, OK)
POST_ONLY_EDITORS = row(REDIRECT, *[FORBIDDEN] * 8, NOT_ALLOWED, NOT_ALLOWED)

# route pattern → (path to GET, expected status per role)
PAGES: dict[str, tuple[str, dict[str, int]]] = {
    "console/cases/catalogue/": ("/console/cases/catalogue/", READERS),
    "console/cases/catalogue/new/": ("/console/cases/catalogue/new/", EDITORS),
    "console/cases/catalogue/<int:rule_id>/": ("/console/cases/catalogue/{rule}/", EDITORS),
    "console/cases/catalogue/<int:rule_id>/delete/": ("/console/cases/catalogue/{rule}/delete/", EDITORS),
    "console/cases/catalogue/export/": ("/console/cases/catalogue/export/", READERS),
    "console/cases/catalogue/import/": ("/console/cases/catalogue/import/", EDITORS),
    "console/cases/catalogue/categories/": ("/console/cases/catalogue/categories/", READERS),
    "console/cases/catalogue/categories/new/": ("/console/cases/catalogue/categories/new/", EDITORS),
    "console/cases/catalogue/categories/<str:code>/": ("/console/cases/catalogue/categories/0102/", EDITORS),
    "console/cases/catalogue/responsibilities/": ("/console/cases/catalogue/responsibilities/", READERS),
    "console/cases/catalogue/responsibilities/<int:department_id>/": (
        "/console/cases/catalogue/responsibilities/{urban}/",
        READERS,
    ),
    "console/cases/time-limits/": ("/console/cases/time-limits/", READERS),
    "console/cases/time-limits/<int:rule_id>/delete/": (
        "/console/cases/time-limits/{praise}/delete/",
        POST_ONLY_EDITORS,
    ),
    "console/cases/grid/cells/": ("/console/cases/grid/cells/", GRID_READERS),
    "console/cases/grid/cells/new/": ("/console/cases/grid/cells/new/", EDITORS),
    "console/cases/grid/cells/<str:code>/": ("/console/cases/grid/cells/{cell}/", EDITORS),
    "console/cases/grid/cells/<str:code>/workers/": ("/console/cases/grid/cells/{cell}/workers/", POST_ONLY_EDITORS),
}


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
    catalogue.responsibility_bulk_create(
        actor=None, rows=[catalogue.ResponsibilityRow(hotline.urban, "负责城市道路照明设施（路灯）的维护")]
    )
    return {
        "rule": rule.id,
        "urban": hotline.urban,
        "praise": TimeLimitRule.objects.get(case_type="praise").pk,
        "cell": hotline.cell,
        "people": {
            "citizen": accounts.citizen,
            "agent": accounts.agent,
            "clerk": accounts.staff,
            "unit": hotline.police_handler,
            "other_unit": hotline.urban_handler,
            "operator": hotline.operator,
            "supervisor": hotline.supervisor,
            "grid_worker": hotline.grid_worker,
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


def main(response: Any) -> str:
    page = response.content.decode()
    return page[page.index("<main") :]


def test_every_catalogue_route_is_in_the_matrix(db: Any) -> None:
    assert {route for route in url_routes() if route.startswith(PREFIXES)} == set(PAGES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(PAGES))
def test_who_may_open_what(clients: Callable[[str], Client], setting: dict[str, Any], route: str, role: str) -> None:
    path, expected = PAGES[route]
    response = clients(role).get(path.format(**setting))
    assert response.status_code == expected[role], (path, role)


def test_the_catalogue_is_filtered(clients: Callable[[str], Client], hotline: Hotline) -> None:
    catalogue.dispatch_rule_save(
        actor=None, category_code="0201", division_code="419802", lead_kind="district", lead_department_id=None
    )
    reader = clients("supervisor")
    page = main(reader.get("/console/cases/catalogue/"))
    assert page.count('data-testid="rule"') == 2
    assert "/console/cases/catalogue/new/" not in page  # readers do not change it
    by_unit = main(reader.get(f"/console/cases/catalogue/?unit={hotline.urban}"))
    assert by_unit.count('data-testid="rule"') == 1 and 'data-category="0102"' in by_unit
    by_area = main(reader.get("/console/cases/catalogue/?area=419802001"))
    assert by_area.count('data-testid="rule"') == 0
    by_category = main(reader.get("/console/cases/catalogue/?category=02"))
    assert 'data-category="0201"' in by_category and 'data-category="0102"' not in by_category
    assert "/console/cases/catalogue/new/" in main(clients("dispatcher").get("/console/cases/catalogue/"))


def test_an_entry_is_added_changed_and_removed(clients: Callable[[str], Client], hotline: Hotline) -> None:
    dispatcher = clients("dispatcher")
    refused = dispatcher.post(
        "/console/cases/catalogue/new/", {"category_code": "0201", "division_code": "", "lead_kind": "department"}
    )
    assert refused.status_code == BAD
    assert "Choose the lead unit." in main(refused)
    assert 'aria-invalid="true"' in main(refused)
    twice = dispatcher.post(
        "/console/cases/catalogue/new/",
        {"category_code": "0102", "lead_kind": "department", "lead_department": hotline.housing},
    )
    assert twice.status_code == CONFLICT and 'data-testid="conflict"' in main(twice)
    added = dispatcher.post(
        "/console/cases/catalogue/new/",
        {
            "category_code": "0201",
            "division_code": "419802001",
            "lead_kind": "street",
            "co_departments": [hotline.urban, hotline.housing],
            "basis": "《明湖市街道履职事项清单》第4项",
        },
    )
    assert added.status_code == REDIRECT
    rule = DispatchRule.objects.get(category__code="0201")
    assert (rule.division.code if rule.division else "", rule.lead_kind) == ("419802001", "street")
    edited = dispatcher.post(
        f"/console/cases/catalogue/{rule.pk}/",
        {
            "category_code": "0201",
            "division_code": "419802001",
            "lead_kind": "department",
            "lead_department": hotline.housing,
        },
    )
    assert edited.status_code == REDIRECT
    proposal = catalogue.dispatch_proposal(category_code="0201", division_code="419802001001")
    assert proposal is not None and proposal.lead_name == "住房和城乡建设局" and proposal.co_departments == ()
    confirm = dispatcher.get(f"/console/cases/catalogue/{rule.pk}/delete/")
    assert "噪声污染" in main(confirm)
    assert dispatcher.post(f"/console/cases/catalogue/{rule.pk}/delete/").status_code == REDIRECT
    assert not DispatchRule.objects.filter(pk=rule.pk).exists()
    assert dispatcher.get(f"/console/cases/catalogue/{rule.pk}/").status_code == NOT_FOUND


def test_the_workbook_is_exported_and_a_bad_one_shows_every_problem(
    clients: Callable[[str], Client], hotline: Hotline
) -> None:
    exported = clients("operator").get("/console/cases/catalogue/export/")
    assert exported["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content))["派单目录"]
    assert [cell.value for cell in sheet[2]][:6] == ["0102", "路灯照明", None, "全市", "承办单位", "城市管理局"]
    book = openpyxl.Workbook()
    bad = book.active
    assert bad is not None
    bad.append(["分类代码", "主办方式", "主办单位"])
    bad.append(["0201", "承办单位", "城市管理局"])
    bad.append(["0201", "属地乡镇", ""])
    bad.append(["9999", "承办单位", "无名局"])
    output = io.BytesIO()
    book.save(output)
    dispatcher = clients("dispatcher")
    response = dispatcher.post(
        "/console/cases/catalogue/import/", {"file": SimpleUploadedFile("派单目录.xlsx", output.getvalue())}
    )
    assert response.status_code == BAD
    page = main(response)
    assert page.count('data-testid="import-problem"') == 3
    assert "Write 承办单位, 属地街道 or 属地区县." in page and "No category has code 9999." in page
    assert "无名局" in page
    assert not DispatchRule.objects.filter(category__code="0201").exists()
    good = dispatcher.post(
        "/console/cases/catalogue/import/", {"file": SimpleUploadedFile("派单目录.xlsx", exported.content)}
    )
    assert good.status_code == REDIRECT
    assert AuditEvent.objects.filter(action="cases.catalogue.import").count() == 1
    assert dispatcher.post("/console/cases/catalogue/import/", {}).status_code == BAD


def test_the_taxonomy_pages(clients: Callable[[str], Client], hotline: Hotline) -> None:
    tree = main(clients("unit").get("/console/cases/catalogue/categories/"))
    assert tree.count('data-testid="category"') == 4 and "Add a subcategory" not in tree
    dispatcher = clients("dispatcher")
    assert 'value="0103"' in main(dispatcher.get("/console/cases/catalogue/categories/new/?parent=01"))
    assert 'value="03"' in main(dispatcher.get("/console/cases/catalogue/categories/new/"))
    orphan = dispatcher.post("/console/cases/catalogue/categories/new/", {"code": "0901", "name": "社会救助"})
    assert orphan.status_code == BAD and "create the heading first" in main(orphan)
    created = dispatcher.post(
        "/console/cases/catalogue/categories/new/",
        {"code": "0103", "name": "违法建设", "keywords": "违建\n私搭乱建", "active": "on"},
    )
    assert created.status_code == REDIRECT
    info = catalogue.category_get("0103")
    assert info is not None and info.keywords == ("违建", "私搭乱建")
    renamed = dispatcher.post(
        "/console/cases/catalogue/categories/0103/", {"code": "9999", "name": "违章建筑", "active": "on"}
    )
    assert renamed.status_code == REDIRECT
    assert catalogue.category_get("0103") is not None and catalogue.category_get("9999") is None
    heading = dispatcher.post("/console/cases/catalogue/categories/01/", {"action": "delete"})
    assert heading.status_code == CONFLICT
    assert dispatcher.post("/console/cases/catalogue/categories/0103/", {"action": "delete"}).status_code == REDIRECT
    assert catalogue.category_get("0103") is None


def test_responsibility_lists_are_read_by_units_and_kept_by_dispatchers(
    clients: Callable[[str], Client], hotline: Hotline
) -> None:
    path = f"/console/cases/catalogue/responsibilities/{hotline.urban}/"
    unit = clients("other_unit")
    read = main(unit.get(path))
    assert "负责城市道路照明设施（路灯）的维护" in read and "<textarea" not in read
    assert unit.post(path, {"matters": "删掉"}).status_code == FORBIDDEN
    dispatcher = clients("dispatcher")
    assert "<textarea" in main(dispatcher.get(path))
    saved = dispatcher.post(path, {"matters": "负责城市道路照明设施（路灯）的维护\n负责城市道路清扫保洁\n"})
    assert saved.status_code == REDIRECT
    assert [item.title for item in catalogue.responsibility_list(hotline.urban)] == [
        "负责城市道路照明设施（路灯）的维护",
        "负责城市道路清扫保洁",
    ]
    counts = main(dispatcher.get("/console/cases/catalogue/responsibilities/"))
    assert f'data-unit="{hotline.urban}"' in counts
    assert dispatcher.get("/console/cases/catalogue/responsibilities/999999/").status_code == NOT_FOUND


def test_the_time_limit_table(clients: Callable[[str], Client], hotline: Hotline) -> None:
    reader = main(clients("operator").get("/console/cases/time-limits/"))
    assert reader.count('data-testid="time-limit"') == 7 and "time-limit-form" not in reader
    assert clients("operator").post("/console/cases/time-limits/", {"handle_days": 3}).status_code == FORBIDDEN
    dispatcher = clients("dispatcher")
    bad = dispatcher.post("/console/cases/time-limits/", {"sign_days": 5, "handle_days": 3, "warning_days": 1})
    assert bad.status_code == BAD and 'aria-invalid="true"' in main(bad)
    saved = dispatcher.post(
        "/console/cases/time-limits/",
        {"case_type": "help", "category_code": "01", "sign_days": 1, "handle_days": 4, "warning_days": 1},
    )
    assert saved.status_code == REDIRECT
    assert catalogue.time_limit_for(case_type="help", category_code="0102").handle_days == 4
    default = TimeLimitRule.objects.get(case_type="", category=None).pk
    prefilled = main(dispatcher.get(f"/console/cases/time-limits/?row={default}"))
    assert 'name="handle_days" value="13"' in prefilled
    refused = dispatcher.post(f"/console/cases/time-limits/{default}/delete/")
    assert refused.status_code == CONFLICT and 'data-testid="conflict"' in main(refused)
    praise = TimeLimitRule.objects.get(case_type="praise").pk
    assert dispatcher.post(f"/console/cases/time-limits/{praise}/delete/").status_code == REDIRECT
    assert not TimeLimitRule.objects.filter(pk=praise).exists()


def test_grid_cells_and_their_workers(
    clients: Callable[[str], Client], hotline: Hotline, make_staff: Callable[..., Any]
) -> None:
    worker_page = main(clients("grid_worker").get("/console/cases/grid/cells/?area=419802001"))
    assert 'data-testid="my-cells"' in worker_page and f'data-code="{hotline.cell}"' in worker_page
    dispatcher = clients("dispatcher")
    new = main(dispatcher.get(f"/console/cases/grid/cells/new/?community={hotline.community}"))
    assert f'value="{hotline.community}02"' in new
    bad = dispatcher.post("/console/cases/grid/cells/new/", {"code": "41980200100", "name": "短码"})
    assert bad.status_code == BAD
    created = dispatcher.post(
        "/console/cases/grid/cells/new/", {"code": f"{hotline.community}02", "name": "柳园社区第二网格"}
    )
    assert created.status_code == REDIRECT
    second = make_staff(hotline.street_office, (Role.GRID_WORKER,), real_name="网格员乙")
    edit = main(dispatcher.get(f"/console/cases/grid/cells/{hotline.community}02/"))
    assert "网格员乙" in edit and "网格员甲" in edit
    assigned = dispatcher.post(f"/console/cases/grid/cells/{hotline.community}02/workers/", {"workers": [second.pk]})
    assert assigned.status_code == REDIRECT
    assert [cell.code for cell in catalogue.grid_cells_for_worker(second)] == [f"{hotline.community}02"]
    not_a_worker = dispatcher.post(
        f"/console/cases/grid/cells/{hotline.community}02/workers/", {"workers": [hotline.urban_handler.pk]}
    )
    assert not_a_worker.status_code == BAD
    assert (
        clients("grid_worker").post(f"/console/cases/grid/cells/{hotline.cell}/workers/", {}).status_code == FORBIDDEN
    )
    listed = main(dispatcher.get("/console/cases/grid/cells/"))
    assert listed.count('data-testid="cell"') == 2
