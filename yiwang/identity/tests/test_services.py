import datetime

import pytest

from yiwang.conftest import PASSWORD, next_credit_code, next_id_number, next_phone
from yiwang.core.audit.selectors import audit_events_for_object
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.identity import selectors, services
from yiwang.identity.realname import MatchOutcome, RealNameMatch
from yiwang.identity.roles import AssuranceLevel, Role


def _registration(**overrides):
    values = {"real_name": "张三", "id_number": next_id_number(), "phone": next_phone(), "password": PASSWORD}
    values.update(overrides)
    return services.Registration(**values)


def test_a_citizen_registers_at_level_two(city):
    user = services.citizen_register(registration=_registration(username="zhangsan"))
    assert (user.kind, user.assurance_level, user.username) == ("citizen", AssuranceLevel.SELF_DECLARED, "zhangsan")
    assert user.check_password(PASSWORD)
    assert user.password.startswith("argon2")
    event = audit_events_for_object(object_type="identity.user", object_id=user.pk).get(
        action="identity.citizen.register"
    )
    assert event.action == "identity.citizen.register"
    assert user.id_number not in event.changes and user.phone not in event.changes


def test_without_a_username_the_phone_is_the_username(city):
    phone = next_phone()
    assert services.citizen_register(registration=_registration(phone=phone)).username == phone


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "010-62345678"}, "phone"),
        ({"real_name": "x"}, "real_name"),
        ({"real_name": "张三123"}, "real_name"),
        ({"password": "short"}, "password"),
        ({"password": "alllowercaseletters"}, "password"),
        ({"username": "12345678"}, "username"),
    ],
)
def test_bad_registrations_say_which_field(city, overrides, field):
    with pytest.raises(ValidationFailed) as raised:
        services.citizen_register(registration=_registration(**overrides))
    assert raised.value.field == field
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.exists()


def test_minority_names_with_a_middle_dot_are_accepted(city):
    user = services.citizen_register(registration=_registration(real_name="阿依古丽•买买提"))
    assert user.real_name == "阿依古丽·买买提"


def test_one_account_per_id_number_and_phone(city):
    id_number, phone = next_id_number(), next_phone()
    services.citizen_register(registration=_registration(id_number=id_number, phone=phone))
    with pytest.raises(Conflict) as raised:
        services.citizen_register(registration=_registration(id_number=id_number.lower()))
    assert raised.value.field == "id_number"
    with pytest.raises(Conflict) as raised:
        services.citizen_register(registration=_registration(phone=phone))
    assert raised.value.field == "phone"


def test_login_finds_accounts_by_username_or_phone(make_citizen):
    user = make_citizen(username="lisi")
    assert selectors.user_find_by_login("lisi") == user
    assert selectors.user_find_by_login("+86 " + user.phone) == user
    assert selectors.user_find_by_login("13000000000") is None


def match_everyone(real_name, id_number):
    return RealNameMatch(outcome=MatchOutcome.MATCHED, source="test registry")


def match_nobody(real_name, id_number):
    return RealNameMatch(outcome=MatchOutcome.NOT_FOUND, source="test registry")


def test_real_name_check_needs_a_registry(make_citizen, settings):
    settings.YIWANG_REAL_NAME_MATCHER = None
    user = make_citizen()
    assert services.citizen_verify_real_name(actor=user, user_id=user.pk) is None
    user.refresh_from_db()
    assert user.assurance_level == AssuranceLevel.SELF_DECLARED


def test_a_registry_match_raises_the_level(make_citizen, settings):
    settings.YIWANG_REAL_NAME_MATCHER = "yiwang.identity.tests.test_services.match_everyone"
    user = make_citizen()
    assert services.citizen_verify_real_name(actor=user, user_id=user.pk) == MatchOutcome.MATCHED
    user.refresh_from_db()
    assert user.assurance_level == AssuranceLevel.REGISTRY_MATCHED and user.real_name_verified_at is not None
    settings.YIWANG_REAL_NAME_MATCHER = "yiwang.identity.tests.test_services.match_nobody"
    other = make_citizen("李四")
    assert services.citizen_verify_real_name(actor=other, user_id=other.pk) == MatchOutcome.NOT_FOUND
    other.refresh_from_db()
    assert other.assurance_level == AssuranceLevel.SELF_DECLARED


def test_only_platform_administrators_create_staff(accounts, city):
    details = services.StaffDetails(
        username="new.clerk", real_name="新人", department_id=city.civil_affairs, roles=["clerk"], password=PASSWORD
    )
    with pytest.raises(PermissionDenied):
        services.staff_create(actor=accounts.staff, details=details)
    created = services.staff_create(actor=accounts.admin, details=details)
    assert created.role_set == {"clerk"}
    with pytest.raises(ValidationFailed, match="Unknown role"):
        services.staff_set_roles(actor=accounts.admin, user_id=created.pk, roles=["emperor"])
    assert services.staff_set_roles(actor=accounts.admin, user_id=created.pk, roles=["reviewer", "approver"]) == [
        "approver",
        "reviewer",
    ]
    with pytest.raises(ValidationFailed, match="own administrator role"):
        services.staff_set_roles(actor=accounts.admin, user_id=accounts.admin.pk, roles=["clerk"])
    with pytest.raises(NotFound):
        services.staff_create(
            actor=accounts.admin,
            details=services.StaffDetails(
                username="ghost", real_name="幽灵", department_id=999999, roles=[], password=PASSWORD
            ),
        )


def test_department_scoping(accounts, city):
    assert selectors.visible_department_ids(accounts.staff) == {city.public_security, city.police_station}
    assert selectors.visible_department_ids(accounts.staff_other) == {city.civil_affairs}
    assert selectors.visible_department_ids(accounts.admin) is None
    assert selectors.visible_department_ids(accounts.citizen) == frozenset()
    # A supervisor of a city-level department oversees the whole city.
    overseen = selectors.visible_department_ids(accounts.supervisor)
    assert overseen is not None and city.civil_affairs in overseen
    names = {member.real_name for member in selectors.staff_list(viewer=accounts.staff)}
    assert "孙八" in names and "周九" not in names and "郑一" not in names
    assert {member.real_name for member in selectors.staff_list(viewer=accounts.admin)} >= {"孙八", "周九", "郑一"}


def test_district_leaders_see_their_district_only(city, make_staff):
    leader = make_staff(city.district_government, (Role.LEADER,))
    assert selectors.visible_department_ids(leader) == {city.district_government, city.police_station}


def test_enterprises_and_agents(make_citizen):
    boss = make_citizen("王五")
    helper = make_citizen("赵六")
    stranger = make_citizen("钱七")
    with pytest.raises(PermissionDenied):
        services.enterprise_register(
            actor=stranger, credit_code=next_credit_code(), name="某公司", legal_representative_name="王五"
        )
    with pytest.raises(ValidationFailed) as raised:
        services.enterprise_register(
            actor=boss, credit_code="91419802MA12345678", name="某公司", legal_representative_name="王五"
        )
    assert raised.value.field == "credit_code"
    enterprise = services.enterprise_register(
        actor=boss, credit_code=next_credit_code(), name="明湖贸易有限公司", legal_representative_name="王五"
    )
    with pytest.raises(NotFound):
        services.enterprise_authorise_agent(
            actor=boss,
            enterprise_id=enterprise.pk,
            agent_id_number=helper.id_number,
            agent_name="赵七",
            valid_until=None,
        )
    with pytest.raises(PermissionDenied):
        services.enterprise_authorise_agent(
            actor=stranger,
            enterprise_id=enterprise.pk,
            agent_id_number=helper.id_number,
            agent_name="赵六",
            valid_until=None,
        )
    authorisation = services.enterprise_authorise_agent(
        actor=boss,
        enterprise_id=enterprise.pk,
        agent_id_number=helper.id_number,
        agent_name="赵六",
        valid_until=datetime.date.today() + datetime.timedelta(days=30),
    )
    assert selectors.can_act_for(helper, enterprise.pk)
    assert not selectors.can_act_for(stranger, enterprise.pk)
    assert [link.capacity for link in selectors.enterprises_for(boss)] == ["legal_representative"]
    with pytest.raises(Conflict):
        services.enterprise_authorise_agent(
            actor=boss,
            enterprise_id=enterprise.pk,
            agent_id_number=helper.id_number,
            agent_name="赵六",
            valid_until=None,
        )
    services.enterprise_revoke_agent(actor=boss, authorisation_id=authorisation.pk)
    assert not selectors.can_act_for(helper, enterprise.pk)
    actions = list(
        audit_events_for_object(object_type="identity.enterprise", object_id=enterprise.pk).values_list(
            "action", flat=True
        )
    )
    assert actions == ["identity.enterprise.revoke", "identity.enterprise.authorise", "identity.enterprise.register"]


def test_an_expired_authorisation_no_longer_counts(make_citizen):
    boss, helper = make_citizen("王五"), make_citizen("赵六")
    enterprise = services.enterprise_register(
        actor=boss, credit_code=next_credit_code(), name="公司", legal_representative_name="王五"
    )
    authorisation = services.enterprise_authorise_agent(
        actor=boss,
        enterprise_id=enterprise.pk,
        agent_id_number=helper.id_number,
        agent_name="赵六",
        valid_until=datetime.date.today(),
    )
    assert selectors.can_act_for(helper, enterprise.pk)
    type(authorisation).objects.filter(pk=authorisation.pk).update(
        valid_until=datetime.date.today() - datetime.timedelta(days=1)
    )
    assert not selectors.can_act_for(helper, enterprise.pk)


def test_oidc_clients_need_sound_redirect_uris(accounts, city):
    bad = services.ClientRegistration(name="系统", department_id=city.public_security, redirect_uris=["ftp://x/cb"])
    with pytest.raises(ValidationFailed) as raised:
        services.oidc_client_register(actor=accounts.admin, registration=bad)
    assert raised.value.field == "redirect_uris"
    good = services.ClientRegistration(
        name="公安业务系统", department_id=city.public_security, redirect_uris=["https://police.example/cb"]
    )
    with pytest.raises(PermissionDenied):
        services.oidc_client_register(actor=accounts.staff, registration=good)
    created = services.oidc_client_register(actor=accounts.admin, registration=good)
    assert created.client_secret and len(created.client_secret) > 30
    from oauth2_provider.models import Application

    stored = Application.objects.get(pk=created.client_pk)
    assert stored.client_secret != created.client_secret  # stored hashed
    new_secret = services.oidc_client_rotate_secret(actor=accounts.admin, client_pk=created.client_pk)
    assert new_secret != created.client_secret
    [summary] = selectors.oidc_clients()
    assert (summary.name, summary.department) == ("公安业务系统", "公安局")


def test_staff_next_actions(accounts):
    late_in_year = datetime.date(2026, 11, 23)
    admin_actions = [action.url_name for action in selectors.staff_next_actions(accounts.admin, today=late_in_year)]
    assert admin_actions == ["admin:core_calendaryear_changelist", "identity:clients", "identity:contact"]
    early = [
        action.url_name for action in selectors.staff_next_actions(accounts.admin, today=datetime.date(2026, 3, 1))
    ]
    assert "admin:core_calendaryear_changelist" not in early
    clerk = [action.url_name for action in selectors.staff_next_actions(accounts.staff, today=late_in_year)]
    assert clerk == ["identity:contact"]


def test_enterprises_bulk_create(make_citizen):
    boss = make_citizen("王五", username="boss")
    rows = [
        services.EnterpriseBulkRow(next_credit_code(), f"明湖第{index}商贸有限公司", "王五", "boss")
        for index in range(5)
    ]
    assert services.enterprises_bulk_create(actor=None, rows=rows, batch_size=2) == 5
    assert len(selectors.enterprises_for(boss)) == 5
    assert selectors.enterprise_codes_registered([rows[0].credit_code, "91419802MA0000000X"]) == {rows[0].credit_code}
    with pytest.raises(Conflict):
        services.enterprises_bulk_create(actor=None, rows=rows[:1])
    wrong_name = [services.EnterpriseBulkRow(next_credit_code(), "某公司", "李四", "boss")]
    with pytest.raises(ValidationFailed, match="Row 1"):
        services.enterprises_bulk_create(actor=None, rows=wrong_name)
    bad_code = [
        services.EnterpriseBulkRow(next_credit_code(), "好公司", "王五", "boss"),
        services.EnterpriseBulkRow("91350100M0001TGQXM", "试点公司", "王五", "boss"),
    ]
    with pytest.raises(ValidationFailed, match="Row 2"):
        services.enterprises_bulk_create(actor=None, rows=bad_code)
    assert len(selectors.enterprises_for(boss)) == 5  # the failing batch wrote nothing
    assert services.enterprises_bulk_create(actor=None, rows=bad_code, strict=False) == 2


def test_staff_bulk_create_shares_one_hash(city):
    from django.contrib.auth.hashers import make_password

    rows = [
        services.StaffDetails(f"bulk{index}", "批量", city.civil_affairs, ["clerk"], password="") for index in range(3)
    ]
    assert services.staff_bulk_create(actor=None, rows=rows, password_hash=make_password(PASSWORD)) == 3
    member = selectors.user_find_by_login("bulk2")
    assert member.check_password(PASSWORD) and member.role_set == {"clerk"}
    with pytest.raises(ValidationFailed):
        services.staff_bulk_create(
            actor=None,
            rows=[services.StaffDetails("bulk9", "批量", city.civil_affairs, ["emperor"], password="")],
            password_hash="x",
        )
    assert selectors.user_find_by_login("bulk9") is None
