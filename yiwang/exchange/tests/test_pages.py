"""The exchange's pages: who may open and do what, and each flow through the forms as a person uses it.

Roles (yiwang/datahub/tests/builders.py): "data_admin" is 公安局's data administrator (the source of population),
"other_data_admin" 民政局's (whose system `exchange` granted population), "admin" a platform administrator.
"""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.utils import timezone

from yiwang.conftest import url_routes
from yiwang.core.audit.models import AuditEvent
from yiwang.datahub.tests.builders import ROLES, row
from yiwang.exchange import selectors, services
from yiwang.exchange.models import AccessLogEntry, AccessRequest, Consumer, DataDemand, Grant, RequestStatus
from yiwang.exchange.tests.conftest import PEOPLE

OK, REDIRECT, BAD, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 403, 404, 405
CONSOLE = "/console/exchange"
ZHANG = PEOPLE[0]["公民身份号码"]  # 张三丰, in the population registry

DATA_ADMINS = row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK)
STAFF = row(REDIRECT, FORBIDDEN, OK, OK, OK, OK, OK)
CITIZENS = row(REDIRECT, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN)


def staff_post(data_admin: int, other_data_admin: int, admin: int) -> dict[str, int]:
    """A POST that the guard lets data and platform administrators reach; the service decides the rest."""
    return row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, data_admin, other_data_admin, admin)


ADMIN_POST = staff_post(FORBIDDEN, FORBIDDEN, REDIRECT)

# route pattern → [(method, path, body, expected per role)]. {consumer} is 民政局's system, {granted} its granted
# request for population, {compliance} and {source} requests of it waiting at each stage, {demand} 民政局's data
# demand routed to 公安局.
PAGES: dict[str, list[tuple[Any, ...]]] = {
    "console/exchange/consumers/": [
        ("get", "/consumers/", None, DATA_ADMINS),
        ("post", "/consumers/", {"name": ""}, staff_post(BAD, BAD, BAD)),
    ],
    "console/exchange/consumers/<int:consumer_id>/": [
        ("get", "/consumers/{consumer}/", None, staff_post(NOT_FOUND, OK, OK)),
        ("get", "/consumers/999999/", None, staff_post(NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    ],
    "console/exchange/consumers/<int:consumer_id>/rotate/": [
        ("post", "/consumers/{consumer}/rotate/", {"grace_hours": "24"}, staff_post(FORBIDDEN, OK, OK)),
        ("get", "/consumers/{consumer}/rotate/", None, staff_post(NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    ],
    "console/exchange/consumers/<int:consumer_id>/revoke/": [
        ("post", "/consumers/{consumer}/revoke/", {"reason": "停用"}, staff_post(FORBIDDEN, REDIRECT, REDIRECT)),
        ("post", "/consumers/999999/revoke/", {"reason": "停用"}, staff_post(NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    ],
    "console/exchange/consumers/<int:consumer_id>/rate-limit/": [
        ("post", "/consumers/{consumer}/rate-limit/", {"rate_limit": "20"}, ADMIN_POST),
    ],
    "console/exchange/requests/": [("get", "/requests/", None, DATA_ADMINS)],
    "console/exchange/requests/new/": [
        ("get", "/requests/new/", None, DATA_ADMINS),
        ("post", "/requests/new/", {"resource": "population"}, staff_post(BAD, BAD, BAD)),
    ],
    "console/exchange/requests/elements/": [("get", "/requests/elements/?resource=population", None, DATA_ADMINS)],
    "console/exchange/requests/<int:request_id>/": [
        ("get", "/requests/{granted}/", None, DATA_ADMINS),
        ("get", "/requests/999999/", None, staff_post(NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    ],
    "console/exchange/requests/<int:request_id>/compliance/": [
        ("post", "/requests/{compliance}/compliance/", {"decision": "approve"}, ADMIN_POST),
    ],
    "console/exchange/requests/<int:request_id>/decision/": [
        (
            "post",
            "/requests/{source}/decision/",
            {"decision": "refuse", "reason": "用途与所请求数据不符"},
            staff_post(REDIRECT, FORBIDDEN, REDIRECT),
        ),
    ],
    "console/exchange/requests/<int:request_id>/withdraw/": [
        ("post", "/requests/{compliance}/withdraw/", {}, staff_post(FORBIDDEN, REDIRECT, REDIRECT)),
        ("post", "/requests/999999/withdraw/", {}, staff_post(NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    ],
    "console/exchange/requests/<int:request_id>/grant/revoke/": [
        ("post", "/requests/{granted}/grant/revoke/", {"reason": "系统停用"}, staff_post(REDIRECT, REDIRECT, REDIRECT)),
        ("post", "/requests/{compliance}/grant/revoke/", {"reason": "x"}, staff_post(NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    ],
    "console/exchange/demands/": [
        ("get", "/demands/", None, DATA_ADMINS),
        ("post", "/demands/", {"title": ""}, staff_post(BAD, BAD, BAD)),
    ],
    "console/exchange/demands/<int:demand_id>/": [
        ("get", "/demands/{demand}/", None, DATA_ADMINS),
        ("get", "/demands/999999/", None, staff_post(NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    ],
    "console/exchange/demands/<int:demand_id>/route/": [
        ("post", "/demands/{demand}/route/", {"department": "{police}"}, ADMIN_POST),
    ],
    "console/exchange/demands/<int:demand_id>/answer/": [
        (
            "post",
            "/demands/{demand}/answer/",
            {"decision": "decline", "answer": "本部门不掌握该数据"},
            staff_post(REDIRECT, FORBIDDEN, REDIRECT),
        ),
    ],
    "console/exchange/log/": [
        ("get", "/log/", None, DATA_ADMINS),
        ("get", "/log/?since=not-a-date", None, staff_post(BAD, BAD, BAD)),
    ],
    "console/exchange/log/export.csv": [("get", "/log/export.csv", None, DATA_ADMINS)],
    "console/exchange/statistics/": [
        ("get", "/statistics/", None, STAFF),
        ("get", "/statistics/?since=2026-13-01", None, row(REDIRECT, FORBIDDEN, BAD, BAD, BAD, BAD, BAD)),
    ],
    "my/data-use/": [("get", "/my/data-use/", None, CITIZENS)],
}
CASES = [(route, index) for route, cases in sorted(PAGES.items()) for index in range(len(cases))]


def _request_input(exchange: Any, **changes: Any) -> services.AccessRequestInput:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "consumer_id": exchange.consumer_id,
        "resource": "population",
        "elements": ["name", "sex"],
        "purpose": "临时救助对象核查",
        "legal_basis": "《社会救助暂行办法》第四十七条",
        "valid_from": today,
        "valid_until": today + datetime.timedelta(days=90),
        "expected_volume": 50,
    }
    values.update(changes)
    return services.AccessRequestInput(**values)


@pytest.fixture
def stages(exchange: Any) -> dict[str, int]:
    """民政局's requests for population: granted (the fixture's), waiting for compliance, waiting for 公安局."""
    civil = exchange.registries["civil_data_admin"]
    compliance = services.access_request_submit(actor=civil, data=_request_input(exchange))
    source = services.access_request_submit(actor=civil, data=_request_input(exchange, purpose="临时救助复核"))
    services.access_request_compliance_decide(actor=None, request_id=source.pk, approve=True)
    return {"granted": exchange.grant_request_id, "compliance": compliance.pk, "source": source.pk}


@pytest.fixture
def demand(exchange: Any) -> DataDemand:
    """民政局 asks for data on households; the catalog sends it to 公安局, which publishes population."""
    registries = exchange.registries
    created = services.data_demand_submit(
        actor=registries["civil_data_admin"],
        department_id=registries["civil"],
        title="人口户籍家庭成员信息",
        description="户籍人口的家庭成员关系",
        purpose="核定低保家庭人口",
    )
    assert created.routed_to_id == registries["police"]
    return created


def main(response: Any) -> str:
    page = response.content.decode()
    return page[page.index("<main") :]


# --- who may open and do what ---------------------------------------------------------------------------------


def test_every_exchange_route_is_in_the_matrix():
    routes = {route for route in url_routes() if route.startswith(("console/exchange/", "my/data-use/"))}
    assert routes == set(PAGES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("route", "index"), CASES)
def test_matrix(clients, exchange, stages, demand, route, index, role):
    method, path, body, expected = PAGES[route][index]
    values = {**stages, "consumer": exchange.consumer_id, "demand": demand.pk, "police": exchange.registries["police"]}
    path = (path if path.startswith("/my/") else CONSOLE + path).format(**values)
    client = clients(role)
    if method == "get":
        response = client.get(path)
    else:
        response = client.post(path, {name: value.format(**values) for name, value in (body or {}).items()})
    assert response.status_code == expected[role], (method, path, role)


def test_the_console_menu_leads_to_the_exchange_pages(clients):
    page = clients("other_data_admin").get("/console/").content.decode()
    for path in ("consumers/", "requests/", "demands/", "log/", "statistics/"):
        assert f'href="{CONSOLE}/{path}"' in page
    clerk = clients("staff").get("/console/").content.decode()
    assert f'href="{CONSOLE}/statistics/"' in clerk and f'href="{CONSOLE}/consumers/"' not in clerk


# --- consumer systems ---------------------------------------------------------------------------------------------


def test_a_registered_systems_secret_is_shown_once_and_never_cached(clients, registries):
    client = clients("other_data_admin")
    response = client.post(
        f"{CONSOLE}/consumers/",
        {"name": "临时救助系统", "description": "区民政局使用", "department": registries["civil"]},
    )
    assert response.status_code == OK
    assert "no-store" in response["Cache-Control"]
    consumer = Consumer.objects.get(name="临时救助系统")
    page = main(response)
    assert consumer.secret in page and consumer.app_key in page
    assert "it will never be shown again" in page
    assert consumer.department_id == registries["civil"]
    for path in (f"{CONSOLE}/consumers/", f"{CONSOLE}/consumers/{consumer.pk}/"):
        later = client.get(path).content.decode()
        assert consumer.app_key in later and consumer.secret not in later
    again = client.post(f"{CONSOLE}/consumers/", {"name": "临时救助系统", "department": registries["civil"]})
    assert again.status_code == BAD
    assert "The department already has a system of this name." in main(again)
    assert Consumer.objects.filter(name="临时救助系统").count() == 1


def test_a_data_administrator_registers_only_for_their_department(clients, registries):
    response = clients("other_data_admin").post(
        f"{CONSOLE}/consumers/", {"name": "越权系统", "department": registries["police"]}
    )
    assert response.status_code == BAD
    assert not Consumer.objects.filter(name="越权系统").exists()
    page = clients("admin").post(f"{CONSOLE}/consumers/", {"name": "市级系统", "department": registries["police"]})
    assert page.status_code == OK
    assert Consumer.objects.get(name="市级系统").department_id == registries["police"]


def test_rotating_shows_the_new_secret_once_and_keeps_the_old_one_for_the_grace_period(clients, exchange):
    client = clients("other_data_admin")
    path = f"{CONSOLE}/consumers/{exchange.consumer_id}/rotate/"
    too_long = client.post(path, {"grace_hours": "100"})
    assert too_long.status_code == BAD
    assert 'aria-invalid="true"' in main(too_long)
    response = client.post(path, {"grace_hours": "2"})
    assert response.status_code == OK and "no-store" in response["Cache-Control"]
    consumer = Consumer.objects.get(pk=exchange.consumer_id)
    assert consumer.secret != exchange.secret and consumer.previous_secret == exchange.secret
    assert consumer.secret in main(response)
    assert "The old secret keeps working for 2 more hours" in main(response)
    assert consumer.secret not in client.get(f"{CONSOLE}/consumers/{exchange.consumer_id}/").content.decode()


def test_revoking_needs_a_reason_and_ends_the_grants(clients, exchange):
    client = clients("other_data_admin")
    path = f"{CONSOLE}/consumers/{exchange.consumer_id}/revoke/"
    refused = client.post(path, {"reason": ""})
    assert refused.status_code == BAD
    assert "Say why the system is revoked." in main(refused)
    assert Consumer.objects.get(pk=exchange.consumer_id).status == "active"
    response = client.post(path, {"reason": "系统下线"}, follow=True)
    assert response.redirect_chain == [(f"{CONSOLE}/consumers/{exchange.consumer_id}/", REDIRECT)]
    assert "低保审核系统 is revoked" in main(response)
    assert Consumer.objects.get(pk=exchange.consumer_id).status == "revoked"
    assert Grant.objects.get().revoked_at is not None
    assert "Make a new secret" not in main(response)  # nothing more to manage
    assert exchange.client.record("population", ZHANG).status == 401


def test_platform_administrators_set_the_rate_limit(clients, exchange):
    path = f"{CONSOLE}/consumers/{exchange.consumer_id}/rate-limit/"
    assert 'name="rate_limit"' not in main(
        clients("other_data_admin").get(f"{CONSOLE}/consumers/{exchange.consumer_id}/")
    )
    assert clients("admin").post(path, {"rate_limit": "0"}).status_code == BAD
    assert clients("admin").post(path, {"rate_limit": "20"}).status_code == REDIRECT
    assert Consumer.objects.get(pk=exchange.consumer_id).rate_limit == 20


# --- access requests ---------------------------------------------------------------------------------------------


def test_the_resources_elements_load_as_checkboxes_with_a_justification_box_for_masked_ones(clients, exchange):
    fragment = clients("other_data_admin").get(f"{CONSOLE}/requests/elements/?resource=population")
    html = fragment.content.decode()
    assert "<html" not in html  # only the fieldset, for htmx to swap in
    for code in ("id_number", "name", "sex", "birth_date", "ethnicity", "phone", "division"):
        assert f'value="{code}"' in html
    boxes = {
        code
        for code in ("id_number", "name", "sex", "registered_address", "phone", "division")
        if f'name="clear_{code}"' in html
    }
    assert boxes == {"id_number", "name", "registered_address", "phone"}
    assert 'id="id_clear_name"' in html and 'for="id_clear_name"' in html
    unknown = clients("other_data_admin").get(f"{CONSOLE}/requests/elements/?resource=nothing").content.decode()
    assert "Choose a resource to see its elements." in unknown and 'name="elements"' not in unknown


def test_the_request_form_works_without_script(clients, exchange):
    client = clients("other_data_admin")
    page = main(client.get(f"{CONSOLE}/requests/new/"))
    assert 'hx-get="/console/exchange/requests/elements/"' in page and 'id="request-elements"' in page
    assert 'aria-live="polite"' in page and "<noscript>" in page
    assert f'<option value="{exchange.consumer_id}">低保审核系统</option>' in page
    loaded = client.post(f"{CONSOLE}/requests/new/", {"action": "load", "resource": "population", "purpose": "核查"})
    assert loaded.status_code == OK
    html = main(loaded)
    assert 'value="birth_date"' in html and "核查" in html and "There is a problem" not in html


def _form(exchange: Any, **changes: Any) -> dict[str, Any]:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "action": "submit",
        "consumer": str(exchange.consumer_id),
        "resource": "population",
        "elements": ["id_number", "name", "birth_date"],
        "clear_name": "核对申请人姓名与户籍一致",
        "purpose": "临时救助对象身份核查",
        "legal_basis": "《社会救助暂行办法》第四十七条",
        "valid_from": today.isoformat(),
        "valid_until": (today + datetime.timedelta(days=180)).isoformat(),
        "expected_volume": "200",
    }
    values.update(changes)
    return values


def test_a_request_goes_through_compliance_and_the_source_department_on_the_pages(clients, exchange):
    civil, police, admin = clients("other_data_admin"), clients("data_admin"), clients("admin")
    response = civil.post(f"{CONSOLE}/requests/new/", _form(exchange))
    request = AccessRequest.objects.exclude(pk=exchange.grant_request_id).get()
    assert response.status_code == REDIRECT and response["Location"] == f"{CONSOLE}/requests/{request.pk}/"
    assert request.status == RequestStatus.COMPLIANCE
    assert request.elements == ["id_number", "name", "birth_date"]
    assert request.clear_elements == {"name": "核对申请人姓名与户籍一致"}
    detail = main(civil.get(f"{CONSOLE}/requests/{request.pk}/"))
    assert "Awaiting the platform&#x27;s compliance check" in detail and "核对申请人姓名与户籍一致" in detail
    assert "Withdraw the request" in detail and 'name="decision"' not in detail

    waiting = main(admin.get(f"{CONSOLE}/requests/?tab=compliance"))
    assert f'href="{CONSOLE}/requests/{request.pk}/"' in waiting
    refused = admin.post(f"{CONSOLE}/requests/{request.pk}/compliance/", {"decision": "refuse", "note": ""})
    assert refused.status_code == BAD
    page = main(refused)
    assert "A refusal carries its reason." in page and 'id="id_note_error"' in page
    assert admin.post(f"{CONSOLE}/requests/{request.pk}/compliance/", {"decision": "approve"}).status_code == REDIRECT
    request.refresh_from_db()
    assert request.status == RequestStatus.SOURCE

    to_decide = main(police.get(f"{CONSOLE}/requests/?tab=decide"))
    assert f'href="{CONSOLE}/requests/{request.pk}/"' in to_decide
    assert f'href="{CONSOLE}/requests/{request.pk}/"' not in main(civil.get(f"{CONSOLE}/requests/?tab=decide"))
    refused = police.post(f"{CONSOLE}/requests/{request.pk}/decision/", {"decision": "refuse", "reason": "  "})
    assert refused.status_code == BAD
    assert "A refusal carries its reason." in main(refused) and 'id="id_reason_error"' in main(refused)
    response = police.post(f"{CONSOLE}/requests/{request.pk}/decision/", {"decision": "approve"}, follow=True)
    assert "The request is granted" in main(response)
    request.refresh_from_db()
    assert request.status == RequestStatus.GRANTED
    grant = Grant.objects.get(request=request)
    assert grant.clear_elements == {"name": "核对申请人姓名与户籍一致"}
    # deciding twice says the request moved on
    again = police.post(
        f"{CONSOLE}/requests/{request.pk}/decision/", {"decision": "refuse", "reason": "x"}, follow=True
    )
    assert "The request is not waiting for the source department." in main(again)


def test_a_refused_request_shows_its_reason_in_the_list(clients, exchange, stages):
    police = clients("data_admin")
    police.post(f"{CONSOLE}/requests/{stages['source']}/decision/", {"decision": "refuse", "reason": "超出履职范围"})
    mine = main(clients("other_data_admin").get(f"{CONSOLE}/requests/?tab=ours&status=refused"))
    assert "超出履职范围" in mine and f'href="{CONSOLE}/requests/{stages["source"]}/"' in mine
    assert f'href="{CONSOLE}/requests/{stages["compliance"]}/"' not in mine  # filtered by status


def test_the_request_form_shows_service_errors_next_to_their_field(clients, exchange):
    client = clients("other_data_admin")
    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"valid_from": past}, "The validity period cannot start in the past.", "valid_from"),
        ({"clear_name": "短"}, "Justify why 姓名 is needed in clear text.", "elements"),
        (
            {"elements": ["sex"], "clear_name": "理由充分的说明"},
            "name is asked in clear text but not requested.",
            "elements",
        ),
        ({"elements": []}, "Choose at least one element.", "elements"),
        ({"elements": ["nothing"]}, "Select a valid choice.", "elements"),
        ({"consumer": "999999"}, "Select a valid choice.", "consumer"),
    ]
    for changes, message, field in cases:
        response = client.post(f"{CONSOLE}/requests/new/", _form(exchange, **changes))
        assert response.status_code == BAD, changes
        page = main(response)
        assert message in page, changes
        assert f'id="id_{field}_error"' in page, changes
    assert AccessRequest.objects.count() == 1


def test_the_requesting_department_withdraws_and_a_grant_is_revoked_with_a_reason(clients, exchange, stages):
    civil = clients("other_data_admin")
    response = civil.post(f"{CONSOLE}/requests/{stages['compliance']}/withdraw/", follow=True)
    assert "The request is withdrawn." in main(response)
    assert AccessRequest.objects.get(pk=stages["compliance"]).status == RequestStatus.WITHDRAWN
    again = civil.post(f"{CONSOLE}/requests/{stages['compliance']}/withdraw/", follow=True)
    assert "Only a request still being decided can be withdrawn." in main(again)

    police = clients("data_admin")
    path = f"{CONSOLE}/requests/{exchange.grant_request_id}/grant/revoke/"
    assert "Revoke the grant" in main(police.get(f"{CONSOLE}/requests/{exchange.grant_request_id}/"))
    refused = police.post(path, {"reason": ""})
    assert refused.status_code == BAD and "Say why the grant is revoked." in main(refused)
    assert exchange.client.record("population", ZHANG).status == OK
    assert police.post(path, {"reason": "审核发现超范围使用"}).status_code == REDIRECT
    grant = Grant.objects.get(request_id=exchange.grant_request_id)
    assert grant.revoked_reason == "审核发现超范围使用"
    assert exchange.client.record("population", ZHANG).status == FORBIDDEN


def test_overdue_requests_are_marked_with_their_escalation_level(clients, exchange, stages):
    AccessRequest.objects.filter(pk=stages["source"]).update(
        stage_due=timezone.localdate() - datetime.timedelta(days=3), escalation_level=2
    )
    page = main(clients("data_admin").get(f"{CONSOLE}/requests/?tab=decide"))
    assert 'class="overdue">Overdue, escalation level 2</strong>' in page


# --- data demands ------------------------------------------------------------------------------------------------


def test_a_demand_is_raised_routed_and_answered_on_the_pages(clients, exchange, registries):
    civil, police, admin = clients("other_data_admin"), clients("data_admin"), clients("admin")
    refused = civil.post(f"{CONSOLE}/demands/", {"title": "", "description": "x", "purpose": "y"})
    assert refused.status_code == BAD
    response = civil.post(
        f"{CONSOLE}/demands/",
        {
            "title": "残疾人证持证信息",
            "description": "持证人员名单与等级",
            "purpose": "残疾人两项补贴发放",
            "legal_basis": "",
            "department": registries["civil"],
        },
    )
    demand = DataDemand.objects.get(title="残疾人证持证信息")
    assert response.status_code == REDIRECT and response["Location"] == f"{CONSOLE}/demands/{demand.pk}/"
    if demand.routed_to_id is None:  # no department looks likely: the platform routes it
        assert f'href="{CONSOLE}/demands/{demand.pk}/"' in main(admin.get(f"{CONSOLE}/demands/?tab=triage"))
    routed = admin.post(f"{CONSOLE}/demands/{demand.pk}/route/", {"department": registries["police"]})
    assert routed.status_code == REDIRECT
    assert f'href="{CONSOLE}/demands/{demand.pk}/"' in main(police.get(f"{CONSOLE}/demands/?tab=to_us"))
    page = main(police.get(f"{CONSOLE}/demands/{demand.pk}/"))
    assert "Answer the demand" in page and '<option value="population">' in page
    no_answer = police.post(f"{CONSOLE}/demands/{demand.pk}/answer/", {"decision": "provide", "resource": "population"})
    assert no_answer.status_code == BAD and "Write the answer." in main(no_answer)
    answered = police.post(
        f"{CONSOLE}/demands/{demand.pk}/answer/",
        {"decision": "provide", "resource": "population", "answer": "人口基础信息可满足，请申请共享"},
        follow=True,
    )
    assert "The answer is sent" in main(answered)
    demand.refresh_from_db()
    assert demand.status == "answered" and demand.resource is not None and demand.resource.slug == "population"
    seen = main(civil.get(f"{CONSOLE}/demands/{demand.pk}/"))
    assert "人口基础信息可满足" in seen and f"{CONSOLE}/requests/new/?resource=population" in seen
    assert "Answer the demand" not in seen


def test_the_requesting_department_cannot_answer_its_own_demand(clients, demand):
    response = clients("other_data_admin").post(
        f"{CONSOLE}/demands/{demand.pk}/answer/", {"decision": "decline", "answer": "无"}
    )
    assert response.status_code == FORBIDDEN
    assert DataDemand.objects.get(pk=demand.pk).status == "routed"


# --- the access log ---------------------------------------------------------------------------------------------


def test_the_log_shows_a_call_to_the_provider_and_to_the_consumer(clients, exchange):
    assert exchange.client.record("population", ZHANG).status == OK
    police = main(clients("data_admin").get(f"{CONSOLE}/log/"))
    assert "最低生活保障审核" in police and "DB-2026-0001" in police and "civil-clerk-7" in police
    assert "民政局" in police and "Look-up of one record" in police
    civil_provider = main(clients("other_data_admin").get(f"{CONSOLE}/log/"))
    assert "DB-2026-0001" not in civil_provider  # 民政局 provides nothing here
    civil_consumer = main(clients("other_data_admin").get(f"{CONSOLE}/log/?side=consumer"))
    assert "DB-2026-0001" in civil_consumer
    assert "DB-2026-0001" not in main(clients("data_admin").get(f"{CONSOLE}/log/?side=consumer"))
    assert "DB-2026-0001" not in main(clients("data_admin").get(f"{CONSOLE}/log/?resource=legal-entities"))
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert "DB-2026-0001" not in main(clients("data_admin").get(f"{CONSOLE}/log/?since={tomorrow}"))


def test_the_log_pages_back_with_older_links(clients, exchange, monkeypatch):
    monkeypatch.setattr(selectors, "LOG_PAGE", 2)
    for number in range(5):
        exchange.client_with(case_ref=f"CASE-{number}").record("population", ZHANG)
    client = clients("data_admin")
    seen = []
    path = f"{CONSOLE}/log/?side=provider"
    for _page in range(5):
        page = main(client.get(path))
        seen.append([number for number in range(5) if f"CASE-{number}" in page])
        if 'rel="next"' not in page:
            break
        older = page.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
        path = f"{CONSOLE}/log/{older}"
    assert seen == [[3, 4], [1, 2], [0]]
    assert client.get(f"{CONSOLE}/log/?before=abc").status_code == BAD


def test_the_log_exports_as_csv_that_excel_opens(clients, exchange, people):
    exchange.client.record("population", ZHANG)
    exchange.client_with(purpose="=HYPERLINK(1)", case_ref="").record("population", "419802200001010014")
    exchange.client.record("population", "419802199912319999")  # no such record: refused
    response = clients("data_admin").get(f"{CONSOLE}/log/export.csv?resource=population")
    assert response.status_code == OK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="exchange-log-provider-' in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == [
        "Time", "Department", "Resource", "Operation", "Elements", "Purpose", "User ID", "Case reference",
        "Results", "Status", "Reason", "Latency (ms)",
    ]  # fmt: skip
    entries = list(AccessLogEntry.objects.order_by("pk"))
    assert [row[1:4] for row in rows[1:]] == [["民政局", "population", "record"]] * 3
    assert rows[1][5:10] == ["最低生活保障审核", "civil-clerk-7", "DB-2026-0001", "1", "200"]
    assert rows[1][4] == " ".join(entries[0].elements)
    assert rows[2][5] == "'=HYPERLINK(1)"  # a spreadsheet does not run it
    assert rows[3][9:11] == ["404", "record_not_found"]
    assert rows[1][0] == timezone.localtime(entries[0].at).strftime("%Y-%m-%d %H:%M:%S")
    assert float(rows[1][11]) == pytest.approx(entries[0].latency_ms, abs=0.06)
    export = AuditEvent.objects.get(action="exchange.log.export")
    assert export.actor_id == people["data_admin"].pk
    civil = clients("other_data_admin").get(f"{CONSOLE}/log/export.csv")
    assert len(list(csv.reader(io.StringIO(b"".join(civil.streaming_content).decode("utf-8-sig"))))) == 1


# --- statistics -------------------------------------------------------------------------------------------------


def test_statistics_count_the_calls_of_the_period(clients, exchange):
    exchange.client.record("population", ZHANG)
    exchange.client.record("population", "41980219850512068X")
    exchange.client.record("population", "419802199912319999")  # no such record
    exchange.client.request("GET", f"/population/records/{ZHANG}", query=[("elements", "bank")])  # not granted
    page = main(clients("data_admin").get(f"{CONSOLE}/statistics/"))
    calls = AccessLogEntry.objects.count()
    refused = AccessLogEntry.objects.filter(status__gte=400).count()
    assert (calls, refused) == (4, 2)
    assert f'<dd data-testid="calls">{calls}</dd>' in page and f'<dd data-testid="refused">{refused}</dd>' in page
    by_resource = page.split('data-testid="by-resource"')[1].split("</table>")[0]
    assert '<th scope="row">population</th><td>4</td>' in by_resource
    by_consumer = page.split('data-testid="by-consumer"')[1].split("</table>")[0]
    assert '<th scope="row">低保审核系统</th><td>4</td>' in by_consumer
    by_day = page.split('data-testid="by-day"')[1].split("</table>")[0]
    assert f'<th scope="row">{timezone.localdate().isoformat()}</th><td>4</td>' in by_day
    refusals = page.split('data-testid="refusals"')[1].split("</table>")[0]
    assert '<th scope="row">record_not_found</th><td>1</td>' in refusals
    assert '<th scope="row">element_not_granted</th><td>1</td>' in refusals
    assert "Latency p95" in page and " ms</dd>" in page
    # a clerk of 民政局 sees its calls too; an earlier period has none
    assert f'<dd data-testid="calls">{calls}</dd>' in main(clients("staff_other").get(f"{CONSOLE}/statistics/"))
    earlier = main(clients("data_admin").get(f"{CONSOLE}/statistics/?since=2020-01-01&until=2020-01-31"))
    assert '<dd data-testid="calls">0</dd>' in earlier and "No call in this period." in earlier
    backwards = clients("data_admin").get(f"{CONSOLE}/statistics/?since=2026-02-01&until=2026-01-01")
    assert backwards.status_code == BAD and "The end of the period is before its start." in main(backwards)


# --- the citizen's page ---------------------------------------------------------------------------------------


def test_a_citizen_sees_which_department_looked_them_up(exchange, make_citizen):
    from django.test import Client

    from yiwang.conftest import sign_in

    zhang = sign_in(Client(), make_citizen("张三丰", id_number=ZHANG))
    zhang.cookies["yiwang_language"] = "en"
    empty = main(zhang.get("/my/data-use/"))
    assert "No department has looked up your data through the exchange yet." in empty
    exchange.client.record("population", ZHANG)
    exchange.client.records("population", ["41980219850512068X"])  # someone else
    page = main(zhang.get("/my/data-use/"))
    assert "1 use of your data" in page
    assert "民政局" in page and "最低生活保障审核" in page and "DB-2026-0001" in page
    assert "人口基础信息" in page and "Look-up of one record" in page and "Yours" in page
    other = sign_in(Client(), make_citizen("李四"))
    assert "民政局" not in main(other.get("/my/data-use/"))


def test_the_citizen_page_is_linked_from_the_account(exchange, make_citizen):
    from django.test import Client

    from yiwang.conftest import sign_in

    page = sign_in(Client(), make_citizen("张三丰", id_number=ZHANG)).get("/account/").content.decode()
    assert 'href="/my/data-use/"' in page


def test_pages_are_chinese_by_default(exchange):
    from django.test import Client

    from yiwang.conftest import sign_in

    client = sign_in(Client(), exchange.registries["civil_data_admin"])
    page = client.get(f"{CONSOLE}/requests/new/").content.decode()
    assert '<html lang="zh-Hans"' in page
    assert "Request access to a resource" not in page
