"""Who may open what: every page and endpoint, for each role.

Roles: anonymous, citizen, agent (a citizen acting for an enterprise), staff (clerk of 公安局), staff_other
(clerk of 民政局) and admin (platform administrator). A guard-rail test fails when a route is missing here.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from yiwang.conftest import ROLES, url_routes

OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, UNAUTHORIZED, BAD = 200, 302, 403, 404, 405, 401, 400


def row(anonymous, citizen, agent, staff, staff_other, admin):
    return dict(zip(ROLES, (anonymous, citizen, agent, staff, staff_other, admin), strict=True))


EVERYONE = row(OK, OK, OK, OK, OK, OK)
SIGNED_IN = row(REDIRECT, OK, OK, OK, OK, OK)
CITIZENS = row(REDIRECT, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)
STAFF = row(REDIRECT, FORBIDDEN, FORBIDDEN, OK, OK, OK)
ADMIN = row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)
POST_ONLY_CITIZENS = row(REDIRECT, NOT_ALLOWED, NOT_ALLOWED, FORBIDDEN, FORBIDDEN, FORBIDDEN)
ANONYMOUS_ONLY = row(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
GATEWAY_UNSIGNED = row(*[UNAUTHORIZED] * 6)

# route pattern → (path to request with GET, expected status per role)
PAGES = {
    "": ("/", EVERYONE),
    "login/": ("/login/", ANONYMOUS_ONLY),
    "login/code/": ("/login/code/", row(*[REDIRECT] * 6)),
    "login/authenticator/": ("/login/authenticator/", row(*[REDIRECT] * 6)),
    "logout/": ("/logout/", row(*[NOT_ALLOWED] * 6)),
    "register/": ("/register/", ANONYMOUS_ONLY),
    "account/": ("/account/", SIGNED_IN),
    "account/contact/": ("/account/contact/", SIGNED_IN),
    "account/password/": ("/account/password/", SIGNED_IN),
    "account/verify/": ("/account/verify/", POST_ONLY_CITIZENS),
    "account/enterprises/": ("/account/enterprises/", CITIZENS),
    "account/enterprises/act/": ("/account/enterprises/act/", POST_ONLY_CITIZENS),
    "account/enterprises/<int:enterprise_id>/agents/": (
        "/account/enterprises/{enterprise}/agents/",
        POST_ONLY_CITIZENS,
    ),
    "account/agents/<int:authorisation_id>/revoke/": ("/account/agents/1/revoke/", POST_ONLY_CITIZENS),
    "console/": ("/console/", STAFF),
    "console/staff/": ("/console/staff/", STAFF),
    "console/staff/new/": ("/console/staff/new/", ADMIN),
    "console/staff/<int:user_id>/": ("/console/staff/{staff}/", ADMIN),
    "console/clients/": ("/console/clients/", ADMIN),
    "console/clients/<int:client_pk>/": (
        "/console/clients/1/",
        row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED),
    ),
    "console/calendar/": ("/console/calendar/", STAFF),
    "console/audit/": ("/console/audit/", ADMIN),
    "preferences/language/": ("/preferences/language/", row(*[NOT_ALLOWED] * 6)),
    "preferences/text-size/": ("/preferences/text-size/", row(*[NOT_ALLOWED] * 6)),
    "accessibility/": ("/accessibility/", EVERYONE),
    "healthz": ("/healthz", EVERYONE),
    r"^\.well-known/openid-configuration/?$": ("/.well-known/openid-configuration", EVERYONE),
    ".well-known/jwks.json": ("/.well-known/jwks.json", EVERYONE),
    # Without client parameters the authorize endpoint refuses; anonymous users are sent to log in first.
    "o/authorize/": ("/o/authorize/", row(REDIRECT, BAD, BAD, BAD, BAD, BAD)),
    "o/token/": ("/o/token/", row(*[NOT_ALLOWED] * 6)),
    "o/revoke_token/": ("/o/revoke_token/", row(*[NOT_ALLOWED] * 6)),
    "o/introspect/": ("/o/introspect/", row(*[FORBIDDEN] * 6)),
    "o/userinfo/": ("/o/userinfo/", row(*[UNAUTHORIZED] * 6)),
    # Signed-in users are asked to confirm; with no session there is nothing to end.
    "o/logout/": ("/o/logout/", row(REDIRECT, OK, OK, OK, OK, OK)),
    # 谁用了我的数据: the exchange's page for citizens (its console pages are in the exchange's own matrix).
    "my/data-use/": ("/my/data-use/", CITIZENS),
    # The exchange gateway answers signed requests only: a browser session opens nothing. Its documents are public.
    "gateway/v1/": ("/gateway/v1/", row(*[NOT_FOUND] * 6)),
    "gateway/v1/openapi.json": ("/gateway/v1/openapi.json", EVERYONE),
    "gateway/v1/docs": ("/gateway/v1/docs", EVERYONE),
    "gateway/v1/<resource>/records/<key>": ("/gateway/v1/population/records/419802199003070031", GATEWAY_UNSIGNED),
    "gateway/v1/<resource>/records:batch": ("/gateway/v1/population/records:batch", row(*[NOT_ALLOWED] * 6)),
    "gateway/v1/<resource>/query": ("/gateway/v1/population/query", row(*[NOT_ALLOWED] * 6)),
    "gateway/v1/<resource>/verify": ("/gateway/v1/population/verify", row(*[NOT_ALLOWED] * 6)),
}

# The Django admin is for platform administrators; everyone else is sent to sign in.
ADMIN_SITE = ("/console/admin/", row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, OK))

API_PUBLIC = row(OK, OK, OK, OK, OK, OK)
API_SIGNED_IN = row(UNAUTHORIZED, OK, OK, OK, OK, OK)
API_ADMIN = row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)

# OpenAPI path → (method, concrete path, body, expected per role)
ENDPOINTS = {
    ("get", "/api/v1/calendar/add"): ("/api/v1/calendar/add?date=2026-09-28&days=20", None, API_PUBLIC),
    ("get", "/api/v1/calendar/count"): ("/api/v1/calendar/count?start=2026-09-28&end=2026-10-30", None, API_PUBLIC),
    ("get", "/api/v1/calendar/days/{day}"): ("/api/v1/calendar/days/2026-10-01", None, API_PUBLIC),
    ("post", "/api/v1/identifiers/validate"): (
        "/api/v1/identifiers/validate",
        {"kind": "id_number", "value": "11010519491231002X"},
        API_PUBLIC,
    ),
    ("get", "/api/v1/me"): ("/api/v1/me", None, API_SIGNED_IN),
    ("get", "/api/v1/org/divisions"): ("/api/v1/org/divisions", None, API_PUBLIC),
    ("get", "/api/v1/org/departments"): ("/api/v1/org/departments", None, API_PUBLIC),
    ("get", "/api/v1/audit/events"): ("/api/v1/audit/events", None, API_ADMIN),
    ("get", "/api/v1/audit/verify"): ("/api/v1/audit/verify", None, API_ADMIN),
}


# Routes of the data hub and of the exchange's console are in their own matrices (yiwang/datahub/tests/,
# yiwang/exchange/tests/test_pages.py), each with its guard rail.
# Each of these has its own matrix with a guard rail of its own (services: yiwang/services/tests/test_pages.py).
OWNED_ELSEWHERE = (
    "console/admin/", "api/v1/", "console/datahub/", "console/exchange/", "services/", "console/services/",
    "my/applications/",  # the services' application pages: yiwang/services/tests/test_application_pages.py
    "my/bundles/",  # the services' bundle pages: yiwang/services/tests/test_bundle_pages.py
    "verify/", "licenses/", "my/licenses/", "console/licenses/",  # yiwang/licenses/tests/test_pages.py
    # The 12345 hotline's pages, one matrix per area: yiwang/cases/tests/test_pages_matrix.py (cases, grid, portal),
    # test_catalogue_pages.py, test_knowledge_pages.py, test_analytics_pages.py; Open311: test_open311.py.
    "console/cases/", "hotline/", "open311/",
)  # fmt: skip


def test_every_route_is_in_the_matrix():
    routes = {route for route in url_routes() if not route.startswith(OWNED_ELSEWHERE)}
    assert routes == set(PAGES)


def test_every_endpoint_is_in_the_matrix(db):
    schema = Client().get("/api/v1/openapi.json").json()
    operations = {
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        # their own matrices, in their apps
        if not path.startswith(("/api/v1/datahub/", "/api/v1/services/", "/api/v1/licenses/", "/api/v1/cases/"))
    }
    assert operations == set(ENDPOINTS)


def _fill(path, accounts):
    return path.format(enterprise=accounts.enterprise_id, staff=accounts.staff.pk)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(PAGES))
def test_pages(client_as, accounts, route, role):
    path, expected = PAGES[route]
    response = client_as(role).get(_fill(path, accounts))
    assert response.status_code == expected[role], (path, role)


@pytest.mark.parametrize("role", ROLES)
def test_admin_site(client_as, role):
    path, expected = ADMIN_SITE
    assert client_as(role).get(path).status_code == expected[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", sorted(ENDPOINTS))
def test_endpoints(client_as, accounts, operation, role):
    method, _pattern = operation
    path, body, expected = ENDPOINTS[operation]
    client = client_as(role)
    if method == "get":
        response = client.get(path)
    else:
        response = client.post(path, data=json.dumps(body), content_type="application/json")
    assert response.status_code == expected[role], (path, role, response.content[:200])
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"


def test_console_pages_show_only_the_viewers_department(client_as):
    police = client_as("staff").get("/console/staff/").content.decode()
    assert "孙八" in police and "周九" not in police
    civil = client_as("staff_other").get("/console/staff/").content.decode()
    assert "周九" in civil and "孙八" not in civil
    everyone = client_as("admin").get("/console/staff/").content.decode()
    assert "孙八" in everyone and "周九" in everyone


def test_console_menus_differ_by_role(client_as):
    clerk = client_as("staff").get("/console/").content.decode()
    admin = client_as("admin").get("/console/").content.decode()
    assert "/console/clients/" not in clerk and "/console/audit/" not in clerk
    assert "/console/clients/" in admin and "/console/audit/" in admin
    assert "公安局" in clerk and "民政局" not in clerk


def test_state_changes_refuse_the_wrong_role(client_as, accounts):
    staff_id = accounts.staff.pk
    for role in ("staff", "staff_other", "citizen"):
        response = client_as(role).post(f"/console/staff/{staff_id}/", {"action": "deactivate"})
        assert response.status_code == FORBIDDEN
    accounts.staff.refresh_from_db()
    assert accounts.staff.is_active
    response = client_as("staff").post("/console/clients/", {"name": "x"})
    assert response.status_code == FORBIDDEN


def test_only_the_representative_revokes_agents(client_as, accounts):
    from yiwang.identity.selectors import can_act_for, enterprise_agents

    representative = type(accounts.agent).objects.get(real_name="王五")
    [agent] = enterprise_agents(viewer=representative, enterprise_id=accounts.enterprise_id)
    client_as("agent").post(f"/account/agents/{agent.authorisation_id}/revoke/")
    client_as("citizen").post(f"/account/agents/{agent.authorisation_id}/revoke/")
    assert can_act_for(accounts.agent, accounts.enterprise_id)
