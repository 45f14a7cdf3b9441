import pytest

from yiwang.core.audit.selectors import audit_events_for_object
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.datahub.catalog import selectors, services
from yiwang.datahub.models import Resource, ResourceStatus
from yiwang.datahub.tests.builders import element


def social_insurance_fields(department_id, **overrides):
    values = {
        "slug": "social-insurance",
        "code": "2-03-002",
        "name": "城乡居民社会保险参保信息",
        "source_department_id": department_id,
        "sharing_type": "conditional",
        "sharing_condition": "用于社会救助核对",
        "openness": "none",
        "update_cycle": "monthly",
        "summary": "参保人员的险种、参保状态和缴费年度。",
        "category_class": "2 主题信息资源",
        "category_item": "03 社会保障",
    }
    values.update(overrides)
    return services.ResourceFields(**values)


ELEMENTS = [
    element("id_number", "公民身份号码", "id_number", required=True, is_key=True, sensitive=True),
    element("insurance_type", "险种", "enum", enumeration=("养老保险", "医疗保险")),
    element("paid_year", "缴费年度", "integer"),
]


def test_the_builtin_registries_are_published_with_their_sources(registries):
    population = selectors.resource_schema(slug="population")
    assert [item.name for item in population.elements][:4] == ["公民身份号码", "姓名", "性别", "出生日期"]
    assert population.source_department_id == registries["police"]
    assert population.key_is_sensitive
    entities = selectors.resource_schema(slug="legal-entities")
    assert entities.key_elements[0].name == "统一社会信用代码"
    assert entities.element("legal_representative_id_number").lookup
    assert selectors.element_authorities(resource_id=population.resource_id)["name"] == registries["police"]
    indicators = selectors.resource_schema(slug="indicators")
    assert [item.code for item in indicators.key_elements] == ["indicator_code", "period"]


def test_a_data_administrator_drafts_and_the_platform_publishes(registries, accounts):
    admin = registries["civil_data_admin"]
    resource = services.resource_create(
        actor=admin, fields=social_insurance_fields(registries["civil"]), elements=ELEMENTS
    )
    assert resource.status == ResourceStatus.DRAFT
    with pytest.raises(NotFound):
        selectors.resource_schema(slug="social-insurance")
    services.resource_submit(actor=admin, resource_id=resource.pk)
    with pytest.raises(PermissionDenied):
        services.resource_publish(actor=admin, resource_id=resource.pk)
    services.resource_return(actor=accounts.admin, resource_id=resource.pk, note="请补充共享条件的法律依据")
    resource.refresh_from_db()
    assert (resource.status, resource.review_note) == (ResourceStatus.DRAFT, "请补充共享条件的法律依据")
    services.resource_submit(actor=admin, resource_id=resource.pk)
    version = services.resource_publish(actor=accounts.admin, resource_id=resource.pk)
    assert version.version == 1
    schema = selectors.resource_schema(slug="social-insurance")
    assert [item.code for item in schema.elements] == ["id_number", "insurance_type", "paid_year"]
    actions = list(
        audit_events_for_object(object_type="datahub.resource", object_id=resource.pk).values_list("action", flat=True)
    )
    assert actions[0] == "datahub.resource.publish" and "datahub.resource.create" in actions


def test_editing_a_published_resource_keeps_the_published_version_until_republished(registries, accounts):
    admin = registries["civil_data_admin"]
    resource = services.resource_create(
        actor=admin, fields=social_insurance_fields(registries["civil"]), elements=ELEMENTS
    )
    services.resource_submit(actor=admin, resource_id=resource.pk)
    services.resource_publish(actor=accounts.admin, resource_id=resource.pk)
    services.resource_set_elements(actor=admin, resource_id=resource.pk, elements=[*ELEMENTS, element("note", "备注")])
    assert len(selectors.resource_schema(slug="social-insurance").elements) == 3  # still version 1
    services.resource_submit(actor=admin, resource_id=resource.pk)
    services.resource_publish(actor=accounts.admin, resource_id=resource.pk)
    schema = selectors.resource_schema(slug="social-insurance")
    assert (schema.version, len(schema.elements)) == (2, 4)


def test_other_departments_cannot_edit(registries):
    police_admin = registries["police_data_admin"]
    with pytest.raises(PermissionDenied):
        services.resource_create(
            actor=police_admin, fields=social_insurance_fields(registries["civil"]), elements=ELEMENTS
        )


@pytest.mark.parametrize(
    ("elements", "message"),
    [
        ([element("name", "姓名")], "key"),
        ([element("id_number", "公民身份号码", "id_number", is_key=True)], "must be required"),
        ([element("1bad", "坏代码", required=True, is_key=True)], "starts with a letter"),
        ([element("kind", "类别", "enum", required=True, is_key=True)], "needs its values"),
        (
            [element("a", "名称", required=True, is_key=True), element("b", "名 称")],
            "appears twice",
        ),
        ([element("a", "名称", required=True, is_key=True, rules={"pattern": "("})], "regular expression"),
    ],
)
def test_bad_elements_are_refused_with_their_position(registries, elements, message):
    with pytest.raises(ValidationFailed, match=message):
        services.resource_create(actor=None, fields=social_insurance_fields(registries["civil"]), elements=elements)
    assert not Resource.objects.filter(slug="social-insurance").exists()


def test_bad_metadata_is_refused(registries):
    with pytest.raises(ValidationFailed) as raised:
        services.resource_create(
            actor=None, fields=social_insurance_fields(registries["civil"], sharing_condition=""), elements=ELEMENTS
        )
    assert raised.value.field == "sharing_condition"
    services.resource_create(actor=None, fields=social_insurance_fields(registries["civil"]), elements=ELEMENTS)
    with pytest.raises(Conflict):
        services.resource_create(
            actor=None, fields=social_insurance_fields(registries["civil"], slug="other"), elements=ELEMENTS
        )


def test_authority_is_assigned_by_the_platform_only(registries, accounts):
    population = Resource.objects.get(slug="population")
    with pytest.raises(PermissionDenied):
        services.element_assign_authority(
            actor=registries["police_data_admin"], resource_id=population.pk, element_code="phone", department_id=None
        )
    services.element_assign_authority(
        actor=accounts.admin, resource_id=population.pk, element_code="phone", department_id=registries["civil"]
    )
    assert selectors.element_authorities(resource_id=population.pk)["phone"] == registries["civil"]


def test_two_character_queries_find_what_they_should(registries):
    services.resource_create(actor=None, fields=social_insurance_fields(registries["civil"]), elements=ELEMENTS)
    services.resource_submit(actor=None, resource_id=Resource.objects.get(slug="social-insurance").pk)
    services.resource_publish(actor=None, resource_id=Resource.objects.get(slug="social-insurance").pk)
    assert [item.slug for item in selectors.catalog_search(query="社保")] == ["social-insurance"]
    assert selectors.catalog_search(query="户籍")[0].slug == "population"
    assert selectors.catalog_search(query="法人")[0].slug == "legal-entities"
    assert selectors.catalog_search(query="身份证")[0].slug in {"population", "social-insurance"}
    assert selectors.catalog_search(query="不存在的东西") == []


def test_a_registry_waits_for_its_source_department(db):
    services.registries_ensure()
    assert Resource.objects.get(slug="population").status == ResourceStatus.SUBMITTED
    with pytest.raises(NotFound):
        selectors.resource_schema(slug="population")
    from yiwang.conftest import next_credit_code
    from yiwang.org import services as org_services
    from yiwang.org.services import DivisionRow

    org_services.division_bulk_create(
        actor=None,
        rows=[DivisionRow("410000", "河南省", "province", None), DivisionRow("419800", "明湖市", "city", "410000")],
    )
    police = org_services.department_create(
        actor=None,
        name="公安局",
        credit_code=next_credit_code("11419800"),
        kind="government_department",
        division_code="419800",
    )
    services.registries_ensure()
    assert selectors.resource_schema(slug="population").source_department_id == police.id
