"""The demo city's service item catalog: loaded, published, believable, searchable, and loaded only once."""

import pytest

from yiwang.demo.city import city_plan
from yiwang.demo.licenses import LICENSE_TYPE_CODES
from yiwang.demo.service_items import CATALOG, catalog_departments, load_service_items
from yiwang.demo.services import demo_load
from yiwang.identity.roles import Role
from yiwang.services.catalog.selectors import item_guide, item_list, item_search

BUSINESS_LICENSE_TYPE = LICENSE_TYPE_CODES["business-license"]

EXAMPLES = {
    "个体工商户设立登记": ("市场监督管理局", "01"),
    "食品经营许可": ("市场监督管理局", "01"),
    "居民身份证换领": ("公安局", "20"),
    "出生登记": ("公安局", "07"),
    "户口迁移": ("公安局", "07"),
    "普通护照签发": ("公安局", "01"),
    "城乡居民基本医疗保险参保登记": ("医疗保障局", "20"),
    "社会保障卡申领": ("人力资源和社会保障局", "20"),
    "失业保险金申领": ("人力资源和社会保障局", "05"),
    "建筑工程施工许可证核发": ("住房和城乡建设局", "01"),
    "国有建设用地使用权及房屋所有权登记": ("自然资源和规划局", "07"),
    "不动产抵押权登记": ("自然资源和规划局", "07"),
    "道路运输经营许可": ("交通运输局", "01"),
    "最低生活保障申请": ("民政局", "05"),
    "内地居民结婚登记": ("民政局", "07"),
    "高龄津贴申领": ("民政局", "05"),
    "医师执业注册": ("卫生健康委员会", "01"),
    "药品零售企业许可": ("市场监督管理局", "01"),
    "排污许可": ("生态环境局", "01"),
    "取水许可": ("水利局", "01"),
    "城市道路占用挖掘许可": ("城市管理局", "01"),
    "户外广告设施设置审批": ("城市管理局", "01"),
    "公共场所卫生许可": ("卫生健康委员会", "01"),
    "教师资格认定": ("教育局", "01"),
    "民办学校设立": ("教育局", "01"),
    "机动车检验合格标志核发（车辆年检）": ("公安局", "01"),
}


@pytest.fixture
def catalog(db):
    demo_load(scale="small", seed=11, people=20)
    return {summary.name: summary for summary in item_search(limit=1000)}


def test_the_demo_load_publishes_at_least_a_hundred_items_across_the_departments(catalog):
    assert len(catalog) == len(CATALOG) >= 100
    assert {summary.status for summary in catalog.values()} == {"published"}
    assert {summary.version for summary in catalog.values()} == {1}
    departments = {summary.department for summary in catalog.values()}
    assert departments == set(catalog_departments())
    assert len(departments) >= 10


def test_every_department_of_the_data_exists_in_the_city_and_has_an_item_administrator():
    plan = city_plan()
    assert set(catalog_departments()) <= {department.name for department in plan.departments}
    administrators = [member for member in plan.staff if Role.ITEM_ADMIN in member.roles]
    assert sorted(member.department for member in administrators) == sorted(catalog_departments())
    assert all(member.username.startswith("items.") for member in administrators)
    assert {member.position for member in administrators} == {"事项管理员"}


def test_the_named_examples_have_their_department_and_item_type(catalog):
    found = {name: (catalog[name].department, catalog[name].item_type) for name in EXAMPLES}
    assert found == EXAMPLES
    real_estate = item_guide(task_code=catalog["国有建设用地使用权及房屋所有权登记"].task_code)
    assert [handling.name for handling in real_estate.handling_items.all()] == [
        "首次登记",
        "转移登记",
        "变更登记",
        "更正登记",
        "注销登记",
    ]
    assert [(fee.name, fee.reducible) for fee in real_estate.fees.all()] == [("不动产登记费", True)]
    assert "发改价格规〔2016〕2559号" in real_estate.fees.get().legal_basis
    assert "80元/件" in real_estate.fees.get().standard


def test_codes_are_national_shaped_and_start_with_the_implementing_body(catalog):
    credit_codes = {department.name: department.credit_code for department in city_plan(seed=11).departments}
    for summary in catalog.values():
        assert len(summary.catalog_code) == 12 and summary.catalog_code.isalnum()
        assert summary.task_code == credit_codes[summary.department] + summary.catalog_code
    assert len({summary.catalog_code for summary in catalog.values()}) == len(catalog)


def test_documents_the_government_holds_are_fetched_not_asked_for(catalog):
    for summary in catalog.values():
        guide = item_guide(task_code=summary.task_code)
        assert 2 <= guide.materials.count() <= 6, summary.name
        for material in guide.materials.all():
            if material.source == "applicant":
                assert "身份证" not in material.name, (summary.name, material.name)
                assert "营业执照" not in material.name, (summary.name, material.name)
                assert "户口簿" not in material.name, (summary.name, material.name)
            if "居民身份证" in material.name and material.source == "registry":
                assert material.source_reference == "population:id_number"
            if material.name == "营业执照":
                assert (material.source, material.source_reference) == ("license", BUSINESS_LICENSE_TYPE)


def test_limits_visits_and_online_depth_agree(catalog):
    for summary in catalog.values():
        guide = item_guide(task_code=summary.task_code)
        if guide.project_type == "immediate":
            assert guide.promised_limit == 0, summary.name
        else:
            assert guide.promised_limit >= 1, summary.name
            if guide.statutory_unit == guide.promised_unit:
                assert guide.promised_limit < guide.statutory_limit, summary.name
        assert (guide.visits == 0) == (guide.online_depth == "4"), summary.name
        assert guide.legal_basis.startswith("《"), summary.name
        assert guide.acceptance_conditions and guide.handling_place and guide.consult_phone, summary.name
        assert guide.result_name, summary.name


def test_fees_are_charged_only_where_the_law_does(catalog):
    charged = {summary.name for summary in catalog.values() if item_guide(task_code=summary.task_code).fees.exists()}
    assert charged == {
        "居民身份证首次申领",
        "居民身份证换领",
        "居民身份证补领",
        "临时居民身份证申领",
        "普通护照签发",
        "机动车驾驶证期满换证",
        "国有建设用地使用权及房屋所有权登记",
        "不动产抵押权登记",
        "不动产预告登记",
        "宅基地使用权及房屋所有权登记",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("社保", {"社会保障卡申领"}),
        ("户口", {"出生登记", "户口迁移", "死亡人员户口注销"}),
        ("营业", {"个体工商户设立登记", "个体工商户变更登记"}),
        ("不动产", {"国有建设用地使用权及房屋所有权登记", "不动产抵押权登记"}),
        ("低保", {"最低生活保障申请"}),
    ],
)
def test_citizens_find_what_they_look_for(catalog, query, expected):
    names = [summary.name for summary in item_search(query=query)]
    assert expected <= set(names[:10]), names[:10]


def test_loading_again_creates_nothing(catalog):
    again = load_service_items()
    assert again == {"items": len(CATALOG), "departments": len(catalog_departments()), "created": 0}
    assert len(item_list()) == len(catalog)
