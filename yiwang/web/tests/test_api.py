import datetime
import json

from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from yiwang.core.audit.services import record_event


def _problem(response):
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def test_bad_query_parameters_are_a_problem_document(db):
    response = Client().get("/api/v1/calendar/add?date=2026-02-30&days=x")
    assert response.status_code == 422
    body = _problem(response)
    assert body["status"] == 422
    assert {error["field"] for error in body["errors"]} == {"date", "days"}


def test_too_many_days_name_the_field(db):
    body = _problem(Client().get("/api/v1/calendar/add?date=2026-01-01&days=999999"))
    assert body["errors"][0]["field"] == "days"


def test_identifier_validation_endpoint(db):
    def check(payload):
        return (
            Client().post("/api/v1/identifiers/validate", json.dumps(payload), content_type="application/json").json()
        )

    assert check({"kind": "id_number", "value": "11010519491231002x"}) == {
        "valid": True,
        "normalised": "11010519491231002X",
        "part": None,
        "position": None,
        "message": None,
    }
    wrong = check({"kind": "credit_code", "value": "91350100M0001TGQXM"})
    assert (wrong["valid"], wrong["part"], wrong["position"]) == (False, "check", 18)
    assert check({"kind": "credit_code", "value": "91350100M0001TGQXM", "strict": False})["valid"]
    bad_kind = Client().post(
        "/api/v1/identifiers/validate", json.dumps({"kind": "passport", "value": "x"}), content_type="application/json"
    )
    assert bad_kind.status_code == 422
    not_json = Client().post("/api/v1/identifiers/validate", "{not json", content_type="application/json")
    assert not_json.status_code in {400, 422}


def test_me_with_a_bearer_token(accounts):
    application = Application.objects.create(
        name="dept system",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://dept.example/cb",
    )
    AccessToken.objects.create(
        user=accounts.agent,
        application=application,
        token="token-for-agent-0123456789",
        expires=timezone.now() + datetime.timedelta(hours=1),
        scope="openid",
    )
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer token-for-agent-0123456789")
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "citizen" and body["real_name"] == "赵六"
    assert body["id_number_masked"].count("*") == 8
    assert [enterprise["capacity"] for enterprise in body["enterprises"]] == ["agent"]
    expired = Client().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer wrong-token")
    assert expired.status_code == 401 and expired["WWW-Authenticate"].startswith("Bearer")


def test_staff_sessions_count_only_after_the_second_factor(accounts):
    client = Client()
    client.force_login(accounts.staff, backend="yiwang.identity.backends.LoginNameBackend")
    assert client.get("/api/v1/me").status_code == 401


def test_audit_events_page_by_keyset(client_as):
    for index in range(60):
        record_event(actor=None, action="test.page", object_type="test", object_id=index)
    client = client_as("admin")
    first = client.get("/api/v1/audit/events?action=test.").json()
    assert len(first["events"]) == 50
    second = client.get(f"/api/v1/audit/events?action=test.&before={first['next_before']}").json()
    assert len(second["events"]) == 10 and second["next_before"] is None
    ids = [event["id"] for event in first["events"] + second["events"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 60
    assert client.get("/api/v1/audit/verify").json()["intact"] is True


def test_openapi_is_published(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Yiwang API"
    assert "/api/v1/calendar/add" in schema["paths"]
