import pytest

from yiwang.core.audit.selectors import audit_events_for_object
from yiwang.core.errors import Conflict, NotFound, ValidationFailed
from yiwang.core.identifiers import compose_credit_code
from yiwang.org import selectors, services
from yiwang.org.services import DivisionRow


@pytest.fixture
def province(db):
    services.division_bulk_create(
        actor=None,
        rows=[DivisionRow("410000", "河南省", "province", None), DivisionRow("419800", "明湖市", "city", "410000")],
    )


@pytest.mark.parametrize(
    ("code", "level", "parent", "message"),
    [
        ("4198020", "county", "419800", "6 digits"),
        ("419900", "county", "419800", "does not lie under"),
        ("419802001", "township", "419800", "must sit directly under"),
        ("419812", "county", None, "Only a province"),
        ("419802001", "township", "999999", "No division"),
    ],
)
def test_division_codes_must_fit_level_and_parent(province, code, level, parent, message):
    with pytest.raises((ValidationFailed, NotFound), match=message):
        services.division_create(actor=None, code=code, name="测试区", level=level, parent_code=parent)


def test_a_division_is_created_and_audited(province):
    created = services.division_create(actor=None, code="419802", name="清河区", level="county", parent_code="419800")
    assert selectors.division_get(code="419802") == created
    assert [child.code for child in selectors.division_children(parent_code="419800")] == ["419802"]
    assert audit_events_for_object(object_type="org.division", object_id=created.id).count() == 1
    with pytest.raises(Conflict):
        services.division_create(actor=None, code="419802", name="again", level="county", parent_code="419800")


def test_departments_need_a_valid_credit_code(province):
    with pytest.raises(ValidationFailed) as raised:
        services.department_create(
            actor=None,
            name="公安局",
            credit_code="11419800MB1234567X",
            kind="government_department",
            division_code="419800",
        )
    assert raised.value.field == "credit_code"
    code = compose_credit_code("11419800MB1234567")
    department = services.department_create(
        actor=None, name="公安局", credit_code=code.lower(), kind="government_department", division_code="419800"
    )
    assert department.credit_code == code
    with pytest.raises(Conflict):
        services.department_create(
            actor=None,
            name="公安局",
            credit_code=compose_credit_code("11419800MB1234568"),
            kind="government_department",
            division_code="419800",
        )


def test_a_department_cannot_sit_under_its_own_unit(city):
    with pytest.raises(ValidationFailed, match="under itself"):
        services.department_update(actor=None, department_id=city.public_security, parent_id=city.police_station)
    updated = services.department_update(actor=None, department_id=city.civil_affairs, short_name="民政")
    assert updated.short_name == "民政"
    events = audit_events_for_object(object_type="org.department", object_id=city.civil_affairs)
    assert events.first().changes_data == {"short_name": ["", "民政"]}


def test_subtrees(city):
    assert selectors.department_subtree_ids(department_id=city.public_security) == {
        city.public_security,
        city.police_station,
    }
    district = selectors.department_ids_in_division_subtree(department_id=city.district_government)
    assert district == {city.district_government, city.police_station}
    whole_city = selectors.department_ids_in_division_subtree(department_id=city.big_data_bureau)
    assert city.police_station in whole_city and city.civil_affairs in whole_city


def test_department_search_by_division_and_name(city):
    in_district = selectors.department_list(division_code="419802")
    assert {item.name for item in in_district} == {"清河区人民政府", "滨河派出所"}
    assert [item.name for item in selectors.department_list(search="公安")] == ["公安局"]
    assert selectors.department_list(division_code="000000") == []
