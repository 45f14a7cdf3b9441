import pytest

from yiwang.core.errors import Conflict, NotFound
from yiwang.core.identifiers import validate_credit_code, validate_id_number
from yiwang.demo.city import DEMO_PASSWORD, city_plan
from yiwang.demo.population import generate_people, named_citizen_rows
from yiwang.demo.selectors import DemoCity, demo_city, demo_logins
from yiwang.demo.services import demo_load, demo_load_if_empty, demo_resume
from yiwang.identity import selectors as identity_selectors
from yiwang.identity.roles import Role
from yiwang.org import selectors as org_selectors
from yiwang.services.applications.prefill import application_prefill, prefill_fields
from yiwang.services.applications.process import process_problems
from yiwang.services.applications.services import application_draft_save
from yiwang.services.catalog.selectors import item_guide, item_search
from yiwang.services.workflow.engine import example_process_text

PEOPLE = 200


class Interrupted(Exception):
    pass


@pytest.fixture
def loaded(db):
    return demo_load(scale="small", seed=11, people=PEOPLE)


def test_the_load_creates_the_whole_organisation(loaded):
    assert (loaded.divisions, loaded.departments, loaded.staff) == (126, 57, 83)
    assert org_selectors.division_count_by_level() == {
        "province": 1,
        "city": 1,
        "county": 4,
        "township": 20,
        "village": 100,
    }
    stored = [(d.name, d.kind, d.division_code, d.credit_code) for d in org_selectors.department_list()]
    planned = [(d.name, d.kind, d.division_code, d.credit_code) for d in city_plan(seed=11).departments]
    assert sorted(stored) == sorted(planned)
    hotline = org_selectors.department_get_by_name(name="12345热线中心")
    bureau = org_selectors.department_get_by_name(name="政务服务和大数据管理局")
    assert hotline is not None and bureau is not None
    assert hotline.parent_id == bureau.id


def test_every_role_has_a_staff_account_that_opens_with_the_demo_password(loaded):
    admin = identity_selectors.user_find_by_login("admin")
    assert admin is not None
    staff = identity_selectors.staff_list(viewer=admin)
    assert len(staff) == 83
    assert {role for member in staff for role in member.roles} == set(Role.values)
    assert admin.check_password(DEMO_PASSWORD)
    assert not any(member.has_second_factor for member in staff)


def test_citizens_are_stored_with_valid_id_numbers(loaded):
    assert identity_selectors.user_count_by_kind() == {"citizen": PEOPLE + 3, "staff": 83}
    assert loaded.citizens == PEOPLE + 3
    rows = [person.citizen for person in generate_people(seed=11, count=PEOPLE)] + list(named_citizen_rows())
    for row in rows:
        user = identity_selectors.user_find_by_id_number(row.id_number)
        assert user is not None
        assert (user.username, user.real_name, user.phone) == (row.username, row.real_name, row.phone)
        assert validate_id_number(user.id_number, strict=True) == row.id_number
    sample = identity_selectors.user_find_by_login(rows[0].username)
    assert sample is not None and sample.check_password(DEMO_PASSWORD)


def test_small_scale_enterprises_are_registered_by_their_representatives(loaded):
    expected = [person.enterprise for person in generate_people(seed=11, count=PEOPLE) if person.enterprise]
    assert loaded.enterprises == len(expected) + 1
    for enterprise in expected:
        representative = identity_selectors.user_find_by_login(enterprise.representative_username)
        assert representative is not None
        links = identity_selectors.enterprises_for(representative)
        assert [(link.credit_code, link.name, link.capacity) for link in links] == [
            (enterprise.credit_code, enterprise.name, "legal_representative")
        ]
        assert validate_credit_code(links[0].credit_code, strict=True) == enterprise.credit_code


def test_the_named_enterprise_has_its_agent(loaded):
    agent = identity_selectors.user_find_by_login("agent")
    assert agent is not None
    assert [(link.name, link.capacity) for link in identity_selectors.enterprises_for(agent)] == [
        ("明湖示范科技有限公司", "agent")
    ]


def test_the_load_is_recorded_and_the_logins_listed(loaded):
    assert demo_city() == DemoCity(scale="small", seed=11, people=PEOPLE, complete=True)
    logins = demo_logins()
    usernames = [login.username for login in logins]
    assert usernames[:4] == ["admin", "supervisor", "leader", "dispatcher"]
    assert usernames[83:86] == ["citizen", "boss", "agent"]
    assert len(logins) == 87
    assert logins[84].note == "legal representative of 明湖示范科技有限公司"
    assert logins[0].department == "政务服务和大数据管理局"


def test_a_second_load_is_refused(loaded):
    with pytest.raises(Conflict, match="already holds the demo city"):
        demo_load(scale="small", people=10)
    assert demo_load_if_empty() is None
    assert identity_selectors.user_count_by_kind() == {"citizen": PEOPLE + 3, "staff": 83}


def test_a_database_with_accounts_is_refused(outside_citizen):
    with pytest.raises(Conflict, match="already holds 1 account"):
        demo_load(scale="small", people=10)
    assert demo_load_if_empty() is None
    assert org_selectors.division_get(code="419800") is None


def test_a_database_with_the_city_division_is_refused(city):
    with pytest.raises(Conflict, match="already holds division 419800"):
        demo_load(scale="small", people=10)


def test_an_interrupted_load_keeps_the_organisation_and_whole_batches_and_resumes(db):
    batches = []

    def stop_at_200(step, message):
        if step == "batch":
            batches.append(message)
            if len(batches) == 2:
                raise Interrupted

    with pytest.raises(Interrupted):
        demo_load(scale="small", seed=5, people=300, batch_size=100, progress=stop_at_200)
    assert demo_city() == DemoCity(scale="small", seed=5, people=300, complete=False)
    assert identity_selectors.user_count_by_kind() == {"citizen": 203, "staff": 83}

    result = demo_resume(batch_size=100)
    assert (result.citizens, result.staff) == (100, 0)
    assert identity_selectors.user_count_by_kind() == {"citizen": 303, "staff": 83}
    assert demo_city() == DemoCity(scale="small", seed=5, people=300, complete=True)
    for person in generate_people(seed=5, count=300):
        assert identity_selectors.user_find_by_id_number(person.citizen.id_number) is not None
    with pytest.raises(Conflict, match="already complete"):
        demo_resume()


def test_resuming_needs_a_started_load(db):
    with pytest.raises(NotFound):
        demo_resume()


def test_the_demo_shares_data_through_the_gateway(loaded):
    import datetime

    from django.utils import timezone

    from yiwang.exchange import selectors as exchange_selectors

    admin = identity_selectors.user_find_by_login("admin")
    systems = exchange_selectors.consumer_list(viewer=admin)
    assert {system.name for system in systems} == {"最低生活保障信息系统", "社会保险经办系统"}
    requests = {item.consumer: item.status for item in exchange_selectors.request_list(viewer=admin)}
    assert requests == {"最低生活保障信息系统": "granted", "社会保险经办系统": "compliance"}
    today = timezone.localdate()
    statistics = exchange_selectors.exchange_statistics(
        viewer=admin, since=today - datetime.timedelta(days=1), until=today + datetime.timedelta(days=1)
    )
    assert (statistics.calls, statistics.refused) == (6, 0)
    citizen = identity_selectors.user_find_by_login("citizen")
    uses = exchange_selectors.uses_of_my_data(user=citizen)
    assert {use.operation for use in uses} == {"verify", "record"}
    assert {use.department for use in uses} == {"民政局"}


def test_the_minimum_living_allowance_runs_the_example_process(loaded):
    """The demo's 最低生活保障申请 asks its form and runs the example BPMN: 民政局 and 人社局 review in parallel, and
    民政局 has the three approvers its countersign needs."""
    (found,) = [item for item in item_search(query="最低生活保障") if item.name == "最低生活保障申请"]
    version = item_guide(task_code=found.task_code)
    assert version.process_bpmn == example_process_text("minimum_living_allowance")
    assert process_problems(version.process_bpmn) == []
    asked = ["applicant_name", "registered_address", "household_size", "monthly_income", "has_disabled_member"]
    assert list(version.form_schema["properties"]) == [*asked, "reason"]
    assert [field.field for field in prefill_fields(version.form_schema)] == asked[:2]  # from the population registry
    civil = org_selectors.department_get_by_name(name="民政局")
    admin = identity_selectors.user_find_by_login("admin")
    assert civil is not None and admin is not None
    approvers = [
        member.username
        for member in identity_selectors.staff_list(viewer=admin)
        if member.department_id == civil.id and Role.APPROVER in member.roles
    ]
    assert sorted(approvers) == ["approver.civil", "approver2.civil", "approver3.civil"]


def test_the_demo_citizen_gets_the_allowance_form_filled_from_the_population_registry(loaded):
    citizen = identity_selectors.user_find_by_login("citizen")
    assert citizen is not None
    (found,) = [item for item in item_search(query="最低生活保障") if item.name == "最低生活保障申请"]
    draft = application_draft_save(actor=citizen, task_code=found.task_code, form_data={})
    filled = application_prefill(actor=citizen, application_id=draft.pk)
    assert filled.form_data["applicant_name"] == "张明"
    assert filled.form_data["registered_address"]  # the address the registry holds for 张明
