"""The dispatch catalogue's services and selectors: the taxonomy, the most specific rule and the locality (属地),
validation naming the field, the time-limit table, responsibility lists and the grid."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from yiwang.cases import catalogue
from yiwang.cases.catalogue import CategoryRow, GridCellRow, ResponsibilityRow
from yiwang.cases.models import Case, CaseCategory, DispatchRule, TimeLimitRule
from yiwang.cases.tests.conftest import Hotline, take_call
from yiwang.conftest import next_credit_code
from yiwang.core.audit.models import AuditEvent
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.identity.roles import Role
from yiwang.org import services as org_services
from yiwang.org.services import DivisionRow

pytestmark = pytest.mark.django_db

COMMUNITY = "419802001001"
STREET = "419802001"
DISTRICT = "419802"
OTHER_STREET = "419802002"
OTHER_COMMUNITY = "419802002001"


def unit(name: str, kind: str = "government_department", division: str = "419800", short_name: str = "") -> int:
    return org_services.department_create(
        actor=None,
        name=name,
        short_name=short_name,
        credit_code=next_credit_code("11419800"),
        kind=kind,
        division_code=division,
    ).id


@pytest.fixture
def places(hotline: Hotline) -> dict[str, int]:
    """A second street of 清河区 (河西街道, with a community but no street office) and the taxonomy's 0103 违法建设."""
    org_services.division_bulk_create(
        actor=None,
        rows=[
            DivisionRow(OTHER_STREET, "河西街道", "township", DISTRICT),
            DivisionRow(OTHER_COMMUNITY, "和平社区", "village", OTHER_STREET),
        ],
    )
    catalogue.category_save(actor=hotline.dispatcher, code="0103", name="违法建设")
    return {"resources": unit("自然资源和规划局", short_name="市自然资源规划局")}


def actions() -> list[str]:
    return list(AuditEvent.objects.filter(action__startswith="cases.").order_by("id").values_list("action", flat=True))


# --- taxonomy ----------------------------------------------------------------------------------------------------


def test_categories_are_coded_two_digits_per_level_under_an_existing_heading(hotline: Hotline) -> None:
    created = catalogue.category_save(
        actor=hotline.dispatcher, code="0103", name=" 违法建设 ", keywords="违建\n私搭乱建\n违建"
    )
    assert (created.code, created.name, created.parent_code, created.level) == ("0103", "违法建设", "01", 2)
    assert created.keywords == ("违建", "私搭乱建")
    with pytest.raises(ValidationFailed) as shape:
        catalogue.category_save(actor=hotline.dispatcher, code="013", name="坏代码")
    assert shape.value.field == "code"
    with pytest.raises(ValidationFailed) as orphan:
        catalogue.category_save(actor=hotline.dispatcher, code="0901", name="社会救助")
    assert orphan.value.field == "code"
    assert "09" in str(orphan.value)
    with pytest.raises(ValidationFailed) as nameless:
        catalogue.category_save(actor=hotline.dispatcher, code="0104", name="  ")
    assert nameless.value.field == "name"
    renamed = catalogue.category_save(actor=hotline.dispatcher, code="0103", name="违章建筑")
    assert renamed.id == created.id and renamed.name == "违章建筑"
    assert actions() == ["cases.catalogue.category.create", "cases.catalogue.category.update"]


def test_the_tree_holds_headings_with_their_leaves(hotline: Hotline) -> None:
    catalogue.category_bulk_create(
        actor=None,
        rows=[CategoryRow("0103", "违法建设"), CategoryRow("12", "水电气暖"), CategoryRow("1201", "供水")],
    )
    tree = catalogue.category_tree()
    assert [(node.category.code, [child.category.code for child in node.children]) for node in tree] == [
        ("01", ["0102", "0103"]),
        ("02", ["0201"]),
        ("12", ["1201"]),
    ]
    assert [leaf.code for leaf in catalogue.category_leaves()] == ["0102", "0103", "0201", "1201"]
    assert catalogue.category_get("1201") == catalogue.category_leaves()[-1]
    assert catalogue.category_get("99") is None


def test_bulk_creation_skips_what_exists_and_refuses_an_orphan_as_a_whole(hotline: Hotline) -> None:
    rows = [CategoryRow("0102", "路灯照明"), CategoryRow("1201", "供水"), CategoryRow("12", "水电气暖")]
    assert catalogue.category_bulk_create(actor=None, rows=rows) == 2
    assert catalogue.category_bulk_create(actor=None, rows=rows) == 0
    with pytest.raises(ValidationFailed) as orphan:
        catalogue.category_bulk_create(actor=None, rows=[CategoryRow("13", "其他"), CategoryRow("1401", "无主")])
    assert orphan.value.field == "code"
    assert catalogue.category_get("13") is None


def test_a_used_category_is_deactivated_instead_of_deleted(hotline: Hotline) -> None:
    catalogue.category_save(actor=hotline.dispatcher, code="0103", name="违法建设")
    assert catalogue.category_delete(actor=hotline.dispatcher, code="0103") == "deleted"
    assert catalogue.category_get("0103") is None
    with pytest.raises(Conflict):
        catalogue.category_delete(actor=hotline.dispatcher, code="01")
    case = take_call(hotline)
    Case.objects.filter(pk=case.pk).update(category=CaseCategory.objects.get(code="0102"))
    assert catalogue.category_delete(actor=hotline.dispatcher, code="01") == "deactivated"
    assert [(item.code, item.active) for item in catalogue.categories_all() if item.code.startswith("01")] == [
        ("01", False),
        ("0102", False),
    ]
    assert [leaf.code for leaf in catalogue.category_leaves()] == ["0201"]
    with pytest.raises(ValidationFailed) as inactive_heading:
        catalogue.category_save(actor=hotline.dispatcher, code="0102", name="路灯照明", active=True)
    assert inactive_heading.value.field == "active"


def test_only_dispatchers_and_administrators_change_the_taxonomy(
    hotline: Hotline, make_staff: Callable[..., Any]
) -> None:
    for actor in (hotline.operator, hotline.urban_handler, hotline.supervisor, hotline.citizen):
        with pytest.raises(PermissionDenied):
            catalogue.category_save(actor=actor, code="0103", name="违法建设")
    admin = make_staff(hotline.city.big_data_bureau, (Role.PLATFORM_ADMIN,))
    assert catalogue.category_save(actor=admin, code="0103", name="违法建设").code == "0103"


# --- the dispatch catalogue --------------------------------------------------------------------------------------


def test_the_most_specific_rule_wins(hotline: Hotline, places: dict[str, int]) -> None:
    save = catalogue.dispatch_rule_save
    dispatcher = hotline.dispatcher
    heading = save(
        actor=dispatcher,
        category_code="01",
        division_code=None,
        lead_kind="department",
        lead_department_id=hotline.urban,
        basis="《明湖市城市管理局权责清单》第1项",
    )
    city_wide = save(
        actor=dispatcher,
        category_code="0102",
        division_code="",
        lead_kind="department",
        lead_department_id=hotline.housing,
        co_department_ids=[hotline.urban],
    )
    district = save(
        actor=dispatcher,
        category_code="0102",
        division_code=DISTRICT,
        lead_kind="district",
        lead_department_id=None,
    )
    street = save(
        actor=dispatcher,
        category_code="0102",
        division_code=STREET,
        lead_kind="department",
        lead_department_id=hotline.urban,
        co_department_ids=[hotline.street_office],
    )
    # The category's own rule at the case's street, before its district's, before the city's.
    proposal = catalogue.dispatch_proposal(category_code="0102", division_code=COMMUNITY)
    assert proposal == catalogue.DispatchProposal(
        lead_department_id=hotline.urban,
        lead_name="城市管理局",
        co_departments=((hotline.street_office, "滨河街道办事处"),),
        rule_id=street.id,
        basis="",
        locality=False,
        category_code="0102",
        division_code=STREET,
    )
    other = catalogue.dispatch_proposal(category_code="0102", division_code=OTHER_COMMUNITY)
    assert other is not None
    assert (other.rule_id, other.lead_department_id, other.locality) == (
        district.id,
        hotline.city.district_government,
        True,
    )
    elsewhere = catalogue.dispatch_proposal(category_code="0102", division_code="419803")
    assert elsewhere is not None
    assert (elsewhere.rule_id, elsewhere.lead_name, elsewhere.co_departments) == (
        city_wide.id,
        "住房和城乡建设局",
        ((hotline.urban, "城市管理局"),),
    )
    # The heading's rule covers a subcategory without a rule of its own, anywhere.
    covered = catalogue.dispatch_proposal(category_code="0103", division_code=COMMUNITY)
    assert covered is not None
    assert (covered.rule_id, covered.lead_name, covered.basis, covered.category_code) == (
        heading.id,
        "城市管理局",
        "《明湖市城市管理局权责清单》第1项",
        "01",
    )
    assert catalogue.dispatch_proposal(category_code="0201", division_code=COMMUNITY) is None
    lookup = catalogue.dispatch_lookup(category_code="0201", division_code=COMMUNITY)
    assert lookup.code == "no_rule"


def test_the_locality_is_the_street_office_or_district_government_of_the_place(
    hotline: Hotline, places: dict[str, int]
) -> None:
    catalogue.dispatch_rule_save(
        actor=hotline.dispatcher,
        category_code="0103",
        division_code=None,
        lead_kind="street",
        lead_department_id=None,
        co_department_ids=[hotline.urban, places["resources"]],
        basis="《明湖市街道履职事项清单》第1项",
    )
    proposal = catalogue.dispatch_proposal(category_code="0103", division_code=COMMUNITY)
    assert proposal is not None
    assert (proposal.lead_department_id, proposal.lead_name, proposal.locality) == (
        hotline.street_office,
        "滨河街道办事处",
        True,
    )
    assert [name for _id, name in proposal.co_departments] == ["城市管理局", "自然资源和规划局"]
    assert catalogue.dispatch_proposal(category_code="0103", division_code=STREET) == proposal
    # No place, or a place above street level: the street office cannot be found.
    for division in ("", DISTRICT):
        lookup = catalogue.dispatch_lookup(category_code="0103", division_code=division)
        assert (lookup.proposal, lookup.code) == (None, "no_place")
        assert "street" in lookup.reason
    # 河西街道 has no street office in the organisation.
    missing = catalogue.dispatch_lookup(category_code="0103", division_code=OTHER_COMMUNITY)
    assert (missing.proposal, missing.code) == (None, "no_local_unit")
    assert "河西街道" in missing.reason


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category_code": "9901"}, "category_code"),
        ({"division_code": "110101"}, "division_code"),
        ({"division_code": "419899"}, "division_code"),
        ({"lead_kind": "somebody"}, "lead_kind"),
        ({"lead_department_id": None}, "lead_department_id"),
        ({"lead_kind": "street"}, "lead_department_id"),
        ({"co_department_ids": ["urban"]}, "co_department_ids"),
        ({"co_department_ids": [999_999]}, "co_department_ids"),
        ({"basis": "依" * 301}, "basis"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field(hotline: Hotline, changes: dict[str, Any], field: str) -> None:
    org_services.division_bulk_create(
        actor=None,
        rows=[
            DivisionRow("110000", "北京市", "province", None),
            DivisionRow("110100", "市辖区", "city", "110000"),
            DivisionRow("110101", "东城区", "county", "110100"),
        ],
    )
    values: dict[str, Any] = {
        "category_code": "0102",
        "division_code": DISTRICT,
        "lead_kind": "department",
        "lead_department_id": hotline.urban,
        "co_department_ids": [],
        "basis": "",
    }
    values.update(changes)
    values["co_department_ids"] = [hotline.urban if item == "urban" else item for item in values["co_department_ids"]]
    with pytest.raises(ValidationFailed) as refused:
        catalogue.dispatch_rule_save(actor=hotline.dispatcher, **values)
    assert refused.value.field == field
    assert DispatchRule.objects.count() == 0


def test_one_rule_per_category_and_area_and_the_city_is_no_area(hotline: Hotline) -> None:
    first = catalogue.dispatch_rule_save(
        actor=hotline.dispatcher,
        category_code="0102",
        division_code="419800",
        lead_kind="department",
        lead_department_id=hotline.urban,
    )
    assert (first.division_code, first.division_name) == ("", "the whole city")
    with pytest.raises(Conflict) as twice:
        catalogue.dispatch_rule_save(
            actor=hotline.dispatcher,
            category_code="0102",
            division_code="",
            lead_kind="department",
            lead_department_id=hotline.housing,
        )
    assert twice.value.field == "category_code"
    changed = catalogue.dispatch_rule_save(
        actor=hotline.dispatcher,
        rule_id=first.id,
        category_code="0102",
        division_code="",
        lead_kind="department",
        lead_department_id=hotline.housing,
        co_department_ids=[hotline.urban, hotline.urban],
    )
    assert (changed.id, changed.lead_name, changed.co_departments) == (
        first.id,
        "住房和城乡建设局",
        ((hotline.urban, "城市管理局"),),
    )
    catalogue.dispatch_rule_delete(actor=hotline.dispatcher, rule_id=first.id)
    with pytest.raises(NotFound):
        catalogue.dispatch_rule_delete(actor=hotline.dispatcher, rule_id=first.id)
    assert actions() == ["cases.catalogue.rule.create", "cases.catalogue.rule.update", "cases.catalogue.rule.delete"]
    with pytest.raises(PermissionDenied):
        catalogue.dispatch_rule_save(
            actor=hotline.operator,
            category_code="0102",
            division_code="",
            lead_kind="department",
            lead_department_id=hotline.urban,
        )


def test_the_catalogue_is_filtered_by_category_area_and_unit(hotline: Hotline, places: dict[str, int]) -> None:
    def save(category: str, division: str, lead: int, co: tuple[int, ...] = ()) -> int:
        return catalogue.dispatch_rule_save(
            actor=None,
            category_code=category,
            division_code=division,
            lead_kind="department",
            lead_department_id=lead,
            co_department_ids=co,
        ).id

    lamp_city = save("0102", "", hotline.urban)
    lamp_street = save("0102", STREET, hotline.housing, (hotline.urban,))
    building_other = save("0103", OTHER_STREET, places["resources"])
    noise = save("0201", DISTRICT, hotline.housing)

    def ids(**filters: Any) -> list[int]:
        return [rule.id for rule in catalogue.dispatch_rules_list(**filters)]

    assert ids() == [lamp_city, lamp_street, building_other, noise]
    assert ids(category_code="01") == [lamp_city, lamp_street, building_other]
    assert ids(category_code="0102") == [lamp_city, lamp_street]
    assert ids(division_code=DISTRICT) == [lamp_street, building_other, noise]
    assert ids(division_code=STREET) == [lamp_street]
    assert ids(division_code="city") == [lamp_city]
    assert ids(department_id=hotline.urban) == [lamp_city, lamp_street]
    assert ids(department_id=hotline.housing, division_code=STREET) == [lamp_street]


# --- time limits -------------------------------------------------------------------------------------------------


def test_the_migration_holds_the_default_time_limits(db: Any) -> None:
    table = {(row.case_type, row.category_code): row.handle_days for row in catalogue.time_limits_list()}
    assert table == {
        ("", ""): 13,
        ("consultation", ""): 3,
        ("help", ""): 5,
        ("complaint", ""): 13,
        ("report", ""): 13,
        ("suggestion", ""): 13,
        ("praise", ""): 3,
    }
    assert catalogue.time_limits_list()[0].is_default
    assert {(row.sign_days, row.warning_days) for row in catalogue.time_limits_list()} == {(1, 1)}


def test_the_most_specific_time_limit_wins(hotline: Hotline) -> None:
    def days(case_type: str, category: str = "") -> int:
        return catalogue.time_limit_for(case_type=case_type, category_code=category).handle_days

    assert days("consultation", "0102") == 3
    assert days("praise") == 3
    assert days("") == 13
    catalogue.time_limit_save(actor=hotline.dispatcher, category_code="01", sign_days=1, handle_days=10)
    assert days("help", "0102") == 10  # category (its heading) before type
    assert days("help", "0201") == 5
    catalogue.time_limit_save(actor=hotline.dispatcher, category_code="0102", sign_days=1, handle_days=7)
    assert days("help", "0102") == 7  # the category before its heading
    catalogue.time_limit_save(
        actor=hotline.dispatcher, case_type="consultation", category_code="01", sign_days=1, handle_days=2
    )
    assert days("consultation", "0102") == 2  # type and heading before the category alone
    assert days("complaint", "0102") == 7
    limit = catalogue.time_limit_for(case_type="consultation", category_code="0102")
    rule = TimeLimitRule.objects.get(case_type="consultation", category__code="01")
    assert limit == catalogue.TimeLimit(sign_days=1, handle_days=2, warning_days=1, rule_id=rule.pk)


def test_time_limits_are_checked_and_the_default_row_stays(hotline: Hotline) -> None:
    for values, field in (
        ({"handle_days": 0, "sign_days": 1}, "handle_days"),
        ({"handle_days": 3, "sign_days": 4}, "sign_days"),
        ({"handle_days": 3, "sign_days": 1, "warning_days": 3}, "warning_days"),
        ({"handle_days": 3, "sign_days": 1, "case_type": "gossip"}, "case_type"),
        ({"handle_days": 3, "sign_days": 1, "category_code": "77"}, "category_code"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            catalogue.time_limit_save(actor=hotline.dispatcher, **values)
        assert refused.value.field == field
    changed = catalogue.time_limit_save(actor=hotline.dispatcher, sign_days=2, handle_days=15, warning_days=2)
    assert changed.is_default and changed.handle_days == 15
    assert TimeLimitRule.objects.filter(case_type="", category=None).count() == 1
    with pytest.raises(Conflict):
        catalogue.time_limit_delete(actor=hotline.dispatcher, rule_id=changed.id)
    praise = TimeLimitRule.objects.get(case_type="praise").pk
    catalogue.time_limit_delete(actor=hotline.dispatcher, rule_id=praise)
    assert catalogue.time_limit_for(case_type="praise").handle_days == 15
    assert actions() == ["cases.time_limit.update", "cases.time_limit.delete"]
    with pytest.raises(PermissionDenied):
        catalogue.time_limit_save(actor=hotline.supervisor, sign_days=1, handle_days=9)


# --- responsibility lists ----------------------------------------------------------------------------------------


def test_responsibility_lists(hotline: Hotline) -> None:
    rows = [
        ResponsibilityRow(hotline.urban, "负责城市道路照明设施（路灯）的维护"),
        ResponsibilityRow(hotline.urban, "负责 城市道路清扫保洁"),
        ResponsibilityRow(hotline.housing, "负责住宅小区物业服务的监督管理"),
    ]
    assert catalogue.responsibility_bulk_create(actor=None, rows=rows) == 3
    assert catalogue.responsibility_bulk_create(actor=None, rows=rows) == 0
    assert [item.title for item in catalogue.responsibility_list(hotline.urban)] == [
        "负责城市道路照明设施（路灯）的维护",
        "负责 城市道路清扫保洁",
    ]
    size = catalogue.responsibility_replace(
        actor=hotline.dispatcher,
        department_id=hotline.urban,
        titles=["负责 城市道路清扫保洁", "", "负责户外广告设施的监管", "负责户外广告设施的监管"],
    )
    assert size == 2
    assert [item.title for item in catalogue.responsibility_list(hotline.urban)] == [
        "负责 城市道路清扫保洁",
        "负责户外广告设施的监管",
    ]
    counts = {unit.name: unit.count for unit in catalogue.responsibility_units()}
    assert (counts["城市管理局"], counts["住房和城乡建设局"], counts["公安局"]) == (2, 1, 0)
    with pytest.raises(ValidationFailed) as long_line:
        catalogue.responsibility_replace(actor=hotline.dispatcher, department_id=hotline.urban, titles=["", "长" * 201])
    assert long_line.value.field == "matters" and "2" in str(long_line.value)
    with pytest.raises(PermissionDenied):
        catalogue.responsibility_replace(actor=hotline.urban_handler, department_id=hotline.urban, titles=[])


# --- the grid ----------------------------------------------------------------------------------------------------


def test_grid_cells_lie_in_communities(hotline: Hotline, places: dict[str, int]) -> None:
    cell = catalogue.grid_cell_save(
        actor=hotline.dispatcher, code=f"{COMMUNITY}02", name="柳园社区第二网格", description="柳园路以东"
    )
    assert (cell.division_code, cell.division_name, cell.street_code, cell.workers) == (
        COMMUNITY,
        "柳园社区",
        STREET,
        (),
    )
    for code in ("4198020010010", f"{DISTRICT}00000000", f"{OTHER_STREET}99901"):
        with pytest.raises(ValidationFailed) as refused:
            catalogue.grid_cell_save(actor=hotline.dispatcher, code=code, name="网格")
        assert refused.value.field == "code"
    with pytest.raises(ValidationFailed) as nameless:
        catalogue.grid_cell_save(actor=hotline.dispatcher, code=f"{COMMUNITY}03", name=" ")
    assert nameless.value.field == "name"
    catalogue.grid_cell_bulk_create(actor=None, rows=[GridCellRow(f"{OTHER_COMMUNITY}01", "和平社区第一网格")])
    assert [item.code for item in catalogue.grid_cells_in(STREET)] == [hotline.cell, f"{COMMUNITY}02"]
    assert [item.code for item in catalogue.grid_cells_in(DISTRICT)] == [
        hotline.cell,
        f"{COMMUNITY}02",
        f"{OTHER_COMMUNITY}01",
    ]
    assert [item.code for item in catalogue.grid_cells_in("419800")] == [
        hotline.cell,
        f"{COMMUNITY}02",
        f"{OTHER_COMMUNITY}01",
    ]
    found = catalogue.grid_cell_for_division(COMMUNITY)
    assert found is not None and found.code == hotline.cell
    assert catalogue.grid_cell_for_division(STREET) is None


def test_only_grid_workers_are_assigned_to_cells(hotline: Hotline, make_staff: Callable[..., Any]) -> None:
    second = make_staff(hotline.street_office, (Role.GRID_WORKER,), real_name="网格员乙", username="grid.b")
    assigned = catalogue.grid_cell_assign_workers(
        actor=hotline.dispatcher, cell_code=hotline.cell, worker_ids=[second.pk, hotline.grid_worker.pk, second.pk]
    )
    assert sorted(worker.real_name for worker in assigned.workers) == ["网格员乙", "网格员甲"]
    assert [cell.code for cell in catalogue.grid_cells_for_worker(second)] == [hotline.cell]
    for worker in (hotline.urban_handler, hotline.citizen):
        with pytest.raises(ValidationFailed) as refused:
            catalogue.grid_cell_assign_workers(actor=hotline.dispatcher, cell_code=hotline.cell, worker_ids=[worker.pk])
        assert refused.value.field == "worker_ids"
    with pytest.raises(NotFound):
        catalogue.grid_cell_assign_workers(actor=hotline.dispatcher, cell_code="41980200100199", worker_ids=[])
    with pytest.raises(PermissionDenied):
        catalogue.grid_cell_assign_workers(actor=hotline.grid_worker, cell_code=hotline.cell, worker_ids=[])
    catalogue.grid_cell_assign_workers(actor=hotline.dispatcher, cell_code=hotline.cell, worker_ids=[second.pk])
    assert catalogue.grid_cells_for_worker(hotline.grid_worker) == []
    assert [worker.username for worker in catalogue.grid_worker_candidates(division_code=STREET)] == sorted(
        ["grid.b", hotline.grid_worker.username]
    )
    assert actions() == ["cases.grid.cell.workers", "cases.grid.cell.workers"]


def test_a_cell_with_cases_stays(hotline: Hotline) -> None:
    take_call(hotline, grid_cell_code=hotline.cell)
    with pytest.raises(Conflict):
        catalogue.grid_cell_delete(actor=hotline.dispatcher, code=hotline.cell)
    empty = catalogue.grid_cell_save(actor=hotline.dispatcher, code=f"{COMMUNITY}09", name="空网格")
    catalogue.grid_cell_delete(actor=hotline.dispatcher, code=empty.code)
    assert catalogue.grid_cell_get(empty.code) is None
