"""The exchange's services: who may do what, what every request must say, deadlines in working days."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time

from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.exchange import services
from yiwang.exchange.models import AccessRequest, Consumer, DataDemand, Grant
from yiwang.exchange.tests.conftest import ELEMENTS
from yiwang.identity.roles import Role

pytestmark = pytest.mark.django_db


def _request(exchange: Any, **changes: Any) -> services.AccessRequestInput:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "consumer_id": exchange.consumer_id,
        "resource": "population",
        "elements": ["name", "id_number"],
        "purpose": "低保审核",
        "legal_basis": "《社会救助暂行办法》",
        "valid_from": today,
        "valid_until": today + datetime.timedelta(days=30),
        "expected_volume": 100,
    }
    values.update(changes)
    return services.AccessRequestInput(**values)


# --- consumer systems ---------------------------------------------------------------------------------------


def test_secret_is_stored_encrypted_and_shown_once(exchange: Any) -> None:
    consumer = Consumer.objects.get(pk=exchange.consumer_id)
    assert consumer.secret == exchange.secret
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM exchange_consumer WHERE id = %s", [exchange.consumer_id])
        stored = cursor.fetchone()[0]
    assert exchange.secret not in stored
    assert len(exchange.secret) >= 40


def test_only_the_departments_data_admins_register_its_systems(registries: Any, accounts: Any) -> None:
    civil = registries["civil"]
    for actor in (registries["police_data_admin"], accounts.staff_other):
        with pytest.raises(PermissionDenied):
            services.consumer_register(actor=actor, department_id=civil, name="系统")
    assert services.consumer_register(actor=accounts.admin, department_id=civil, name="系统").app_key.startswith("yw")


def test_register_checks_its_input(registries: Any) -> None:
    admin = registries["civil_data_admin"]
    with pytest.raises(ValidationFailed) as empty:
        services.consumer_register(actor=admin, department_id=registries["civil"], name="  ")
    assert empty.value.field == "name"
    services.consumer_register(actor=admin, department_id=registries["civil"], name="救助系统")
    with pytest.raises(Conflict):
        services.consumer_register(actor=admin, department_id=registries["civil"], name="救助系统")
    with pytest.raises(ValidationFailed) as rate:
        services.consumer_register(actor=admin, department_id=registries["civil"], name="另一个", rate_limit=0)
    assert rate.value.field == "rate_limit"


def test_revoking_a_system_revokes_its_grants(exchange: Any) -> None:
    with pytest.raises(ValidationFailed):
        services.consumer_revoke(actor=None, consumer_id=exchange.consumer_id, reason="")
    with pytest.raises(PermissionDenied):
        services.consumer_revoke(
            actor=exchange.registries["police_data_admin"], consumer_id=exchange.consumer_id, reason="x"
        )
    services.consumer_revoke(
        actor=exchange.registries["civil_data_admin"], consumer_id=exchange.consumer_id, reason="下线"
    )
    assert Grant.objects.get().revoked_at is not None
    with pytest.raises(Conflict):
        services.consumer_rotate_secret(actor=None, consumer_id=exchange.consumer_id)


def test_rotation_grace_is_bounded(exchange: Any) -> None:
    with pytest.raises(ValidationFailed):
        services.consumer_rotate_secret(actor=None, consumer_id=exchange.consumer_id, grace_hours=73)


def test_only_platform_admins_set_rate_limits(exchange: Any, accounts: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.consumer_set_rate_limit(
            actor=exchange.registries["civil_data_admin"], consumer_id=exchange.consumer_id, rate_limit=500
        )
    services.consumer_set_rate_limit(actor=accounts.admin, consumer_id=exchange.consumer_id, rate_limit=500)
    assert Consumer.objects.get().rate_limit == 500


# --- access requests ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"elements": []}, "elements"),
        ({"elements": ["name", "shoe_size"]}, "elements"),
        ({"elements": ["name", "name"]}, "elements"),
        ({"clear_elements": {"phone": "需要电话联系"}}, "clear_elements"),
        ({"clear_elements": {"name": "短"}}, "clear_elements"),
        ({"elements": ["sex"], "clear_elements": {"sex": "需要明文性别"}}, "clear_elements"),
        ({"purpose": " "}, "purpose"),
        ({"legal_basis": ""}, "legal_basis"),
        ({"valid_from": datetime.date(2020, 1, 1)}, "valid_from"),
        ({"valid_until": datetime.date(2020, 1, 1)}, "valid_until"),
        ({"valid_until": datetime.date(2099, 1, 1)}, "valid_until"),
        ({"expected_volume": 0}, "expected_volume"),
        ({"resource": "no-such-thing"}, "resource"),
    ],
)
def test_a_request_must_say_everything_right(exchange: Any, changes: dict[str, Any], field: str) -> None:
    before = AccessRequest.objects.count()
    with pytest.raises(ValidationFailed) as error:
        services.access_request_submit(
            actor=exchange.registries["civil_data_admin"], data=_request(exchange, **changes)
        )
    assert error.value.field == field
    assert AccessRequest.objects.count() == before


def test_only_the_consumers_department_requests_for_it(exchange: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.access_request_submit(actor=exchange.registries["police_data_admin"], data=_request(exchange))


@pytest.fixture
def open_resource(registries: Any) -> str:
    """A resource of 统计局 shared without conditions."""
    from yiwang.datahub.catalog import services as catalog
    from yiwang.datahub.tests.builders import element

    resource = catalog.resource_create(
        actor=None,
        fields=catalog.ResourceFields(
            slug="gdp-by-district",
            code="1-06-099",
            name="分区地区生产总值",
            source_department_id=registries["statistics"],
            sharing_type="open",
            openness="open",
            update_cycle="yearly",
            summary="各区年度地区生产总值",
        ),
        elements=[
            element("district", "区划", "string", is_key=True, required=True, length=12),
            element("gdp", "地区生产总值", "decimal"),
        ],
    )
    catalog.resource_publish(actor=None, resource_id=resource.pk)
    return resource.slug


def test_unconditional_sharing_is_granted_at_once(exchange: Any, open_resource: str) -> None:
    request = services.access_request_submit(
        actor=exchange.registries["civil_data_admin"],
        data=_request(exchange, resource=open_resource, elements=["district", "gdp"]),
    )
    assert request.status == "granted"
    assert request.stage_due is None
    assert Grant.objects.get(request=request).elements == ["district", "gdp"]


def test_conditional_sharing_goes_through_both_decisions_with_deadlines(exchange: Any, accounts: Any) -> None:
    civil, police = exchange.registries["civil_data_admin"], exchange.registries["police_data_admin"]
    with freeze_time("2026-09-30 02:00:00"):  # a Wednesday; 1–7 October are the National Day holidays
        request = services.access_request_submit(
            actor=civil,
            data=_request(exchange, valid_from=datetime.date(2026, 9, 30), valid_until=datetime.date(2026, 12, 31)),
        )
        assert request.status == "compliance"
        assert request.stage_due == datetime.date(2026, 10, 9)  # 8 and 9 October: two working days
        with pytest.raises(PermissionDenied):
            services.access_request_compliance_decide(actor=police, request_id=request.pk, approve=True)
        with pytest.raises(Conflict):
            services.access_request_source_decide(actor=police, request_id=request.pk, approve=True)
        request = services.access_request_compliance_decide(actor=accounts.admin, request_id=request.pk, approve=True)
        assert request.status == "source"
        assert request.stage_due == datetime.date(2026, 10, 13)  # 8, 9, 10 (a Saturday worked), 12, 13 October
        with pytest.raises(PermissionDenied):
            services.access_request_source_decide(actor=civil, request_id=request.pk, approve=True)
        with pytest.raises(ValidationFailed):
            services.access_request_source_decide(actor=police, request_id=request.pk, approve=False)
        request = services.access_request_source_decide(actor=police, request_id=request.pk, approve=True)
    assert request.status == "granted"
    grant = Grant.objects.get(request=request)
    assert (grant.valid_from, grant.valid_until) == (datetime.date(2026, 9, 30), datetime.date(2026, 12, 31))


def test_a_refusal_carries_its_reason(exchange: Any, accounts: Any) -> None:
    request = services.access_request_submit(actor=exchange.registries["civil_data_admin"], data=_request(exchange))
    with pytest.raises(ValidationFailed) as error:
        services.access_request_compliance_decide(actor=accounts.admin, request_id=request.pk, approve=False)
    assert error.value.field == "reason"
    refused = services.access_request_compliance_decide(
        actor=accounts.admin, request_id=request.pk, approve=False, note="用途与法律依据不符"
    )
    assert (refused.status, refused.refusal_reason) == ("refused", "用途与法律依据不符")
    assert not Grant.objects.filter(request=refused).exists()


def test_withdraw_only_while_being_decided(exchange: Any) -> None:
    civil = exchange.registries["civil_data_admin"]
    request = services.access_request_submit(actor=civil, data=_request(exchange))
    with pytest.raises(PermissionDenied):
        services.access_request_withdraw(actor=exchange.registries["police_data_admin"], request_id=request.pk)
    assert services.access_request_withdraw(actor=civil, request_id=request.pk).status == "withdrawn"
    with pytest.raises(Conflict):
        services.access_request_withdraw(actor=civil, request_id=request.pk)


def test_grant_revocation_rights(exchange: Any, registries: Any, make_staff: Any) -> None:
    grant = Grant.objects.get()
    market_admin = make_staff(registries["market"], (Role.DATA_ADMIN,))
    with pytest.raises(PermissionDenied):
        services.grant_revoke(actor=market_admin, grant_id=grant.pk, reason="x")
    with pytest.raises(ValidationFailed):
        services.grant_revoke(actor=registries["police_data_admin"], grant_id=grant.pk, reason=" ")
    services.grant_revoke(actor=registries["civil_data_admin"], grant_id=grant.pk, reason="不再需要")
    assert Grant.objects.get().revoked_reason == "不再需要"


def test_chase_reminds_on_the_due_day_and_escalates_each_working_day_late(
    exchange: Any, accounts: Any, make_staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    admin = make_staff(accounts.admin.department_id, (Role.PLATFORM_ADMIN,), email="admin@example.gov.cn")
    leader = make_staff(exchange.registries["police"], (Role.LEADER,), email="leader@example.gov.cn")
    assert admin and leader
    with freeze_time("2026-09-30 02:00:00"):
        request = services.access_request_submit(
            actor=exchange.registries["civil_data_admin"],
            data=_request(exchange, valid_from=datetime.date(2026, 9, 30), valid_until=datetime.date(2026, 10, 30)),
        )
    assert services.access_requests_chase(today=datetime.date(2026, 10, 8)).reminded == []
    with django_capture_on_commit_callbacks(execute=True):
        due_day = services.access_requests_chase(today=datetime.date(2026, 10, 9))
    assert due_day.reminded == [request.pk]
    assert services.access_requests_chase(today=datetime.date(2026, 10, 9)).reminded == []  # once a day
    assert mail.outbox[-1].to == ["admin@example.gov.cn"]
    assert "due today" in mail.outbox[-1].subject
    # Saturday 10 October is worked (it makes up for the holidays): one working day late.
    assert services.access_requests_chase(today=datetime.date(2026, 10, 10)).escalated == [request.pk]
    assert AccessRequest.objects.get(pk=request.pk).escalation_level == 1
    assert services.access_requests_chase(today=datetime.date(2026, 10, 11)).escalated == []  # a Sunday
    with django_capture_on_commit_callbacks(execute=True):
        late = services.access_requests_chase(today=datetime.date(2026, 10, 12))
    assert late.escalated == [request.pk]
    assert AccessRequest.objects.get(pk=request.pk).escalation_level == 2
    assert set(mail.outbox[-1].to) == {"admin@example.gov.cn", "leader@example.gov.cn"}
    assert services.access_requests_chase(today=datetime.date(2026, 10, 12)).escalated == []


# --- data demands -------------------------------------------------------------------------------------------------


def test_demand_is_routed_to_the_department_that_publishes_related_data(registries: Any) -> None:
    demand = services.data_demand_submit(
        actor=registries["civil_data_admin"],
        department_id=registries["civil"],
        title="户籍迁移记录",
        description="需要户籍迁入迁出记录，用于低保对象核查",
        purpose="低保动态管理",
    )
    assert demand.status == "routed"
    assert demand.routed_to_id == registries["police"]  # 公安局 publishes population (户籍)
    assert demand.due is not None


def test_demand_nobody_matches_waits_for_the_platform(registries: Any, accounts: Any) -> None:
    demand = services.data_demand_submit(
        actor=registries["civil_data_admin"],
        department_id=registries["civil"],
        title="无人机航拍影像",
        description="乡镇航拍",
        purpose="灾情评估",
    )
    assert (demand.status, demand.routed_to_id) == ("triage", None)
    with pytest.raises(PermissionDenied):
        services.data_demand_route(
            actor=registries["civil_data_admin"], demand_id=demand.pk, department_id=registries["market"]
        )
    routed = services.data_demand_route(actor=accounts.admin, demand_id=demand.pk, department_id=registries["market"])
    assert routed.status == "routed"


def test_demand_answered_by_the_routed_department_only(registries: Any, make_staff: Any) -> None:
    demand = services.data_demand_submit(
        actor=registries["civil_data_admin"],
        department_id=registries["civil"],
        title="户籍人口死亡注销信息",
        description="用于停发救助金",
        purpose="救助资金监管",
    )
    with pytest.raises(PermissionDenied):
        services.data_demand_answer(
            actor=registries["civil_data_admin"], demand_id=demand.pk, answer="好", provide=True
        )
    with pytest.raises(ValidationFailed):
        services.data_demand_answer(actor=registries["police_data_admin"], demand_id=demand.pk, answer="", provide=True)
    answered = services.data_demand_answer(
        actor=registries["police_data_admin"],
        demand_id=demand.pk,
        answer="已在人口库中提供",
        provide=True,
        resource="population",
    )
    assert answered.status == "answered"
    assert DataDemand.objects.get().resource is not None
    with pytest.raises(Conflict):
        services.data_demand_answer(
            actor=registries["police_data_admin"], demand_id=demand.pk, answer="再", provide=False
        )


def test_fixture_elements_are_population_elements() -> None:
    assert "ethnicity" not in ELEMENTS


def test_a_demand_is_not_routed_back_to_the_department_that_raised_it(registries: Any, accounts: Any) -> None:
    demand = services.data_demand_submit(
        actor=registries["civil_data_admin"],
        department_id=registries["civil"],
        title="无人机航拍影像",
        description="乡镇航拍",
        purpose="灾情评估",
    )
    with pytest.raises(ValidationFailed) as error:
        services.data_demand_route(actor=accounts.admin, demand_id=demand.pk, department_id=registries["civil"])
    assert error.value.field == "department"


def test_routing_reason_is_shown_in_the_readers_language(registries: Any, accounts: Any) -> None:
    from django.utils import translation

    from yiwang.exchange.selectors import demand_get

    demand = services.data_demand_submit(
        actor=registries["civil_data_admin"],
        department_id=registries["civil"],
        title="户籍迁移记录",
        description="需要户籍迁入迁出记录",
        purpose="低保动态管理",
    )
    assert DataDemand.objects.get().routing_note == "catalog"  # a code, not a sentence in the writer's language
    with translation.override("en"):
        assert demand_get(viewer=accounts.admin, demand_id=demand.pk).routing_note == (
            "publishes related resources in the catalog"
        )
    with translation.override("zh-hans"):
        assert demand_get(viewer=accounts.admin, demand_id=demand.pk).routing_note != (
            "publishes related resources in the catalog"
        )


def test_an_unrelated_department_is_refused_before_its_input_is_checked(exchange: Any, registries: Any) -> None:
    request = services.access_request_submit(actor=registries["civil_data_admin"], data=_request(exchange))
    services.access_request_compliance_decide(actor=None, request_id=request.pk, approve=True)
    with pytest.raises(PermissionDenied):
        services.access_request_source_decide(
            actor=registries["civil_data_admin"], request_id=request.pk, approve=False
        )


def test_chase_reminds_and_escalates_late_data_demands(
    registries: Any, make_staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_staff(registries["police"], (Role.DATA_ADMIN,), email="police-data@example.gov.cn")
    with freeze_time("2026-09-21 02:00:00"):  # a Monday; ten working days run into the National Day holidays
        demand = services.data_demand_submit(
            actor=registries["civil_data_admin"],
            department_id=registries["civil"],
            title="户籍迁移记录",
            description="需要户籍迁入迁出记录",
            purpose="低保动态管理",
        )
    # 22–24 and 28–30 September (the 25th is the Mid-Autumn Festival), then 8, 9, 10 (a worked Saturday), 12 October
    assert demand.due == datetime.date(2026, 10, 12)
    with django_capture_on_commit_callbacks(execute=True):
        services.access_requests_chase(today=datetime.date(2026, 10, 12))
    assert mail.outbox[-1].to == ["police-data@example.gov.cn"]
    assert "due today" in mail.outbox[-1].subject
    with django_capture_on_commit_callbacks(execute=True):
        late = services.access_requests_chase(today=datetime.date(2026, 10, 13))
    assert late.demands_overdue == [demand.pk]
    assert DataDemand.objects.get().escalation_level == 1
    assert "1 working days late" in mail.outbox[-1].subject
    police = registries["police_data_admin"]
    services.data_demand_answer(actor=police, demand_id=demand.pk, answer="已提供", provide=True)
    assert services.access_requests_chase(today=datetime.date(2026, 10, 14)).demands_overdue == []
