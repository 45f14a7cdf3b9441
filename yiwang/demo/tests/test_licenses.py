"""The demo city's e-licenses: seals, license types with GB/T 36904 codes, licenses in the featured holders' 证照夹
that verify, items that issue and fetch the types by code, and loads that add nothing twice."""

import unicodedata
from typing import Any

import pytest

from yiwang.demo.city import city_plan
from yiwang.demo.licenses import LICENSE_TYPE_CODES, LICENSE_TYPES, issuing_departments, load_licenses
from yiwang.demo.selectors import DemoCity, demo_city
from yiwang.demo.service_items import CATALOG
from yiwang.demo.services import demo_load, demo_resume
from yiwang.identity import selectors as identity_selectors
from yiwang.licenses import selectors as license_selectors
from yiwang.licenses import services as license_services
from yiwang.licenses.identifiers import validate_identifier, validate_type_code
from yiwang.services.applications.prefill import application_prefill
from yiwang.services.applications.selectors import application_license_materials
from yiwang.services.applications.services import application_draft_save
from yiwang.services.catalog.selectors import item_guide, item_list

SEED = 11
ISSUED_BY_ITEMS = {
    "企业变更登记": "营业执照",
    "个体工商户变更登记": "营业执照",
    "食品经营许可": "食品经营许可证",
    "建筑工程施工许可证核发": "建筑工程施工许可证",
    "道路运输经营许可": "道路运输经营许可证",
    "社会保障卡申领": "社会保障卡",
    "内地居民结婚登记": "结婚证",
}


class Interrupted(Exception):
    pass


@pytest.fixture
def loaded(db: Any) -> list[str]:
    steps: list[str] = []
    demo_load(scale="small", seed=SEED, people=20, progress=lambda step, message: steps.append(step))
    return steps


def user(username: str) -> Any:
    found = identity_selectors.user_find_by_login(username)
    assert found is not None
    return found


def held(username: str) -> dict[str, Any]:
    return {license.license_type.name: license for license in license_selectors.licenses_held(actor=user(username))}


def seal_names() -> list[str]:
    return sorted(seal.name for seal in license_selectors.seal_directory().seals.values())


def registry_text(text: str) -> str:
    """Text as the registry keeps it: NFKC-folded (full-width ；（） become ;())."""
    return unicodedata.normalize("NFKC", text)


def counts() -> tuple[int, int, int]:
    licenses = {license.identifier for username in ("citizen", "boss", "agent") for license in held(username).values()}
    return len(seal_names()), len(license_selectors.license_types()), len(licenses)


def test_the_licenses_step_runs_before_the_service_items(loaded):
    assert loaded.index("registries") < loaded.index("licenses") < loaded.index("service_items")


def test_the_license_types_exist_with_gb_t_36904_codes(loaded):
    stored = {
        license_type.code: (
            license_type.name,
            license_type.department.name,
            license_type.holder_kind,
            license_type.validity_years,
        )
        for license_type in license_selectors.license_types()
    }
    assert stored == {
        LICENSE_TYPE_CODES["business-license"]: ("营业执照", "市场监督管理局", "enterprise", None),
        LICENSE_TYPE_CODES["food-business-license"]: ("食品经营许可证", "市场监督管理局", "enterprise", 5),
        LICENSE_TYPE_CODES["birth-medical-certificate"]: ("出生医学证明", "卫生健康委员会", "person", None),
        "11100000000013338W001": ("建筑工程施工许可证", "住房和城乡建设局", "enterprise", None),
        LICENSE_TYPE_CODES["road-transport-business-license"]: ("道路运输经营许可证", "交通运输局", "enterprise", 4),
        LICENSE_TYPE_CODES["social-security-card"]: ("社会保障卡", "人力资源和社会保障局", "person", 10),
        LICENSE_TYPE_CODES["marriage-certificate"]: ("结婚证", "民政局", "person", None),
    }
    for code in stored:
        assert validate_type_code(code) == code
    business = license_selectors.license_type_get(code=LICENSE_TYPE_CODES["business-license"])
    assert [(element["code"], element["name"], element["required"]) for element in business.elements] == [
        ("name", "名称", True),
        ("type", "类型", True),
        ("legal_representative", "法定代表人", True),
        ("registered_capital", "注册资本（万元）", False),
        ("established_on", "成立日期", True),
        ("address", "住所", True),
        ("scope", "经营范围", True),
    ]


def test_every_issuing_department_has_an_official_seal_in_use_and_the_bureau_its_approval_seal(loaded):
    seals = license_selectors.seal_directory().seals.values()
    assert {(seal.department, seal.name, seal.status) for seal in seals} == {
        *((name, name, "active") for name in issuing_departments()),
        ("政务服务和大数据管理局", "政务服务和大数据管理局行政审批专用章", "active"),
    }
    assert len(issuing_departments()) == 6


def test_the_featured_citizen_holds_licenses_that_verify(loaded):
    licenses = held("citizen")
    assert sorted(licenses) == ["出生医学证明", "社会保障卡"]
    citizen = user("citizen")
    for license in licenses.values():
        verdict = license_selectors.license_verify_stored(license)
        assert verdict.status == "valid", verdict.findings
        assert validate_identifier(license.identifier).type_code == license.license_type.code
        assert (license.holder_name, license.holder_code) == ("张明", citizen.id_number)
    birth = license_selectors.license_verify_stored(licenses["出生医学证明"]).data
    assert birth is not None
    assert {key: birth["elements"][key] for key in ("newborn_name", "sex", "born_on", "birthplace")} == {
        "newborn_name": "张明",
        "sex": "男",
        "born_on": "1985-03-15",
        "birthplace": "河南省明湖市清河区",
    }
    card = licenses["社会保障卡"]
    assert card.valid_until is not None and card.valid_until.year == card.valid_from.year + 10
    assert sorted(held("boss")) == ["社会保障卡", "营业执照"]  # his own card, his enterprise's license
    assert sorted(held("agent")) == ["社会保障卡", "营业执照"]


def test_the_featured_enterprise_holds_its_business_license_as_the_registry_states_it(loaded):
    plan = city_plan(seed=SEED)
    (license,) = license_selectors.licenses_held_of_type(
        actor=user("agent"), type_code=LICENSE_TYPE_CODES["business-license"]
    )
    assert (license.holder_kind, license.holder_name, license.holder_code) == (
        "enterprise",
        "明湖示范科技有限公司",
        plan.enterprise.credit_code,
    )
    assert license.valid_until is None  # 长期
    verdict = license_selectors.license_verify_stored(license)
    assert verdict.status == "valid", verdict.findings
    assert verdict.data is not None
    elements = verdict.data["elements"]
    assert set(elements) == {element["code"] for element in license.license_type.elements}
    assert (elements["name"], elements["type"], elements["legal_representative"]) == (
        "明湖示范科技有限公司",
        "有限责任公司",
        "王建国",
    )
    assert elements["scope"] == registry_text(plan.enterprise.business_scope)
    assert verdict.data["element_names"]["scope"] == "经营范围"


def test_the_items_that_issue_a_license_name_its_type_and_ask_its_elements(loaded):
    names = {license_type.code: license_type.name for license_type in license_selectors.license_types()}
    by_name = {summary.name: summary.task_code for summary in item_list()}
    issuing = {}
    for summary in item_list():
        version = item_guide(task_code=summary.task_code)
        if version.result_license_type:
            issuing[summary.name] = names[version.result_license_type]
    assert issuing == ISSUED_BY_ITEMS
    for item in CATALOG:
        if not item.license_type:
            continue
        version = item_guide(task_code=by_name[item.name])
        license_type = license_selectors.license_type_get(code=version.result_license_type)
        asked = set(version.form_schema["properties"])
        required = {element["code"] for element in license_type.elements if element["required"]}
        assert required <= asked, item.name
        if license_type.name in {"营业执照", "食品经营许可证"}:
            assert {element["code"] for element in license_type.elements} <= asked, item.name


def test_the_demo_materials_fetch_the_demo_types_by_code(loaded):
    food = item_guide(task_code=next(summary.task_code for summary in item_list() if summary.name == "食品经营许可"))
    (business,) = [material for material in food.materials.all() if material.name == "营业执照"]
    assert (business.source, business.source_reference) == ("license", LICENSE_TYPE_CODES["business-license"])
    stored = {license_type.code for license_type in license_selectors.license_types()}
    slugs = {license_type.slug for license_type in LICENSE_TYPES}
    for summary in item_list():
        for material in item_guide(task_code=summary.task_code).materials.filter(source="license"):
            assert material.source_reference not in slugs, (summary.name, material.name)
            if len(material.source_reference) == 21:
                assert material.source_reference in stored


def test_the_agent_applies_for_a_food_license_prefilled_and_shares_the_business_license(loaded):
    agent = user("agent")
    plan = city_plan(seed=SEED)
    (link,) = identity_selectors.enterprises_for(agent)
    food = next(summary.task_code for summary in item_list() if summary.name == "食品经营许可")
    draft = application_draft_save(
        actor=agent, task_code=food, form_data={}, handling_item_code=f"{food}01", enterprise_id=link.enterprise_id
    )
    filled = application_prefill(actor=agent, application_id=draft.pk)
    assert (filled.form_data["name"], filled.form_data["legal_representative"]) == ("明湖示范科技有限公司", "王建国")
    assert filled.form_data["address"].startswith("明湖市")
    (material,) = application_license_materials(actor=agent, application_id=draft.pk)
    assert (material.name, material.license_type_code) == ("营业执照", LICENSE_TYPE_CODES["business-license"])
    (license,) = license_selectors.licenses_held_of_type(actor=agent, type_code=material.license_type_code)
    license_services.license_share(
        actor=agent, application_id=draft.pk, material_id=material.material_id, identifier=license.identifier
    )
    (attached,) = application_license_materials(actor=agent, application_id=draft.pk)
    assert attached.attached_identifier == license.identifier
    assert license.holder_code == plan.enterprise.credit_code


def test_a_change_of_registration_is_prefilled_with_every_element_of_the_business_license(loaded):
    boss = user("boss")
    (link,) = identity_selectors.enterprises_for(boss)
    change = next(summary.task_code for summary in item_list() if summary.name == "企业变更登记")
    draft = application_draft_save(
        actor=boss, task_code=change, form_data={}, handling_item_code=f"{change}05", enterprise_id=link.enterprise_id
    )
    filled = application_prefill(actor=boss, application_id=draft.pk)
    business = license_selectors.license_type_get(code=LICENSE_TYPE_CODES["business-license"])
    assert {element["code"] for element in business.elements} <= set(filled.form_data)
    assert filled.form_data["scope"] == registry_text(city_plan(seed=SEED).enterprise.business_scope)


def test_loading_again_adds_nothing(loaded):
    before = counts()
    assert before == (7, 7, 5)
    again = load_licenses(plan=city_plan(seed=SEED))
    assert again == {"seals": 7, "types": 7, "licenses": 5, "added": 0}
    assert counts() == before


def test_a_load_interrupted_after_the_licenses_resumes_without_issuing_them_twice(db):
    def stop_after_licenses(step: str, message: str) -> None:
        if step == "licenses":
            raise Interrupted

    with pytest.raises(Interrupted):
        demo_load(scale="small", seed=SEED, people=20, progress=stop_after_licenses)
    assert counts() == (7, 7, 5)
    assert item_list() == []
    demo_resume()
    assert demo_city() == DemoCity(scale="small", seed=SEED, people=20, complete=True)
    assert counts() == (7, 7, 5)
    assert len(item_list()) == len(CATALOG)
