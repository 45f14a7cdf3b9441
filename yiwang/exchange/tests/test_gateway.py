"""The gateway through the whole stack: signatures, grants, masking, the four operations, the access log."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from yiwang.exchange import services
from yiwang.exchange.client import GatewayResponse
from yiwang.exchange.models import AccessLogEntry, AccessLogSubject
from yiwang.exchange.tests.conftest import ELEMENTS, PEOPLE, django_transport

pytestmark = pytest.mark.django_db

ZHANG = PEOPLE[0]["公民身份号码"]
LI = PEOPLE[1]["公民身份号码"]  # ends in X
WANG = PEOPLE[2]["公民身份号码"]
NOBODY = "419802199912310017"


def _problem(response: GatewayResponse, status: int, code: str) -> dict[str, Any]:
    assert response.status == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    data = response.data
    assert data["code"] == code
    assert data["status"] == status
    assert data["detail"] and data["detail_en"]
    return dict(data)


# --- reading ---------------------------------------------------------------------------------------------------------


def test_lookup_returns_granted_elements_masked_by_type(exchange: Any) -> None:
    response = exchange.client.record("population", LI)
    assert response.status == 200, response.body
    data = response.data
    assert data["key"] == LI
    assert data["values"] == {
        "id_number": "419802********068X",
        "name": "李*",
        "sex": "女",
        "birth_date": "1985-05-12",
        "registered_address": "明湖市湖东区湖滨大道****",
        "phone": "139****1111",
        "division": "419803",
    }
    assert set(data["masked"]) == {"id_number", "name", "registered_address", "phone"}
    assert "ethnicity" not in data["values"]  # not granted


def test_key_is_read_as_people_write_it(exchange: Any) -> None:
    assert exchange.client.record("population", LI.lower()).status == 200
    assert exchange.client.record("population", f" {LI} ").status == 200


def test_elements_parameter_narrows_and_cannot_widen(exchange: Any) -> None:
    narrow = exchange.client.request("GET", f"/population/records/{ZHANG}", query=[("elements", "name,sex")])
    assert narrow.status == 200
    assert narrow.data["values"] == {"name": "张*丰", "sex": "男"}
    wide = exchange.client.request("GET", f"/population/records/{ZHANG}", query=[("elements", "name,ethnicity")])
    assert "ethnicity" in _problem(wide, 403, "element_not_granted")["detail_en"]


def test_clear_text_only_for_the_elements_the_grant_names(exchange: Any) -> None:
    registries = exchange.registries
    today = timezone.localdate()
    request = services.access_request_submit(
        actor=registries["civil_data_admin"],
        data=services.AccessRequestInput(
            consumer_id=exchange.consumer_id,
            resource="population",
            elements=["phone", "ethnicity"],
            clear_elements={"phone": "入户核查时电话联系申请人"},
            purpose="低保入户核查",
            legal_basis="《社会救助暂行办法》第十一条",
            valid_from=today,
            valid_until=today,
            expected_volume=10,
        ),
    )
    assert request.status == "compliance"  # clear text is never granted at once
    services.access_request_compliance_decide(actor=None, request_id=request.pk, approve=True)
    services.access_request_source_decide(actor=registries["police_data_admin"], request_id=request.pk, approve=True)
    data = exchange.client.record("population", ZHANG).data
    assert data["values"]["phone"] == "13812345678"
    assert data["values"]["ethnicity"] == "汉族"
    assert data["values"]["name"] == "张*丰"
    assert "phone" not in data["masked"]


def test_missing_record_is_404(exchange: Any) -> None:
    _problem(exchange.client.record("population", NOBODY), 404, "record_not_found")
    _problem(exchange.client.record("population", "not-an-id"), 404, "record_not_found")


def test_unknown_resource_is_404(exchange: Any) -> None:
    _problem(exchange.client.record("no-such-resource", ZHANG), 404, "unknown_resource")


def test_batch_answers_found_and_missing_in_order(exchange: Any) -> None:
    response = exchange.client.records("population", [WANG, NOBODY, ZHANG, "garbage"])
    assert response.status == 200, response.body
    assert [item["key"] for item in response.data["records"]] == [WANG, ZHANG]
    assert response.data["missing"] == [NOBODY, "garbage"]
    assert response.data["records"][0]["values"]["name"] == "王*"


def test_batch_limits(exchange: Any) -> None:
    _problem(exchange.client.records("population", []), 422, "invalid_request")
    _problem(exchange.client.records("population", [ZHANG] * 1001), 422, "invalid_request")
    assert exchange.client.records("population", [ZHANG] * 1000).status == 200


def test_query_filters_on_granted_elements_with_keyset_pages(exchange: Any) -> None:
    first = exchange.client.query("population", [{"element": "division", "value": "419802"}], limit=1)
    assert first.status == 200, first.body
    assert len(first.data["records"]) == 1
    assert first.data["next"]
    second = exchange.client.query(
        "population", [{"element": "division", "value": "419802"}], limit=1, after=first.data["next"]
    )
    assert len(second.data["records"]) == 1
    assert second.data["next"] is None
    # The key is shown as the grant shows the ID number: masked, never in clear to a query.
    keys = {first.data["records"][0]["key"], second.data["records"][0]["key"]}
    assert keys == {"419802********0031", "419802********0014"}
    by_key = exchange.client.query("population", [{"element": "id_number", "op": "in", "values": [LI, NOBODY]}])
    assert [item["key"] for item in by_key.data["records"]] == ["419802********068X"]
    prefix = exchange.client.query("population", [{"element": "birth_date", "op": "prefix", "value": "19"}])
    assert len(prefix.data["records"]) == 2


def test_query_refusals(exchange: Any) -> None:
    _problem(
        exchange.client.query("population", [{"element": "ethnicity", "value": "汉族"}]), 403, "element_not_granted"
    )
    _problem(exchange.client.query("population", [{"element": "phone", "value": "13812345678"}]), 422, "invalid")
    _problem(exchange.client.query("population", [{"element": "shoe_size", "value": "42"}]), 422, "invalid")
    _problem(exchange.client.query("population", [{"element": "sex", "value": "男"}], after="!!"), 422, "invalid")
    _problem(exchange.client.query("population", [{"element": "sex", "op": "in"}]), 422, "invalid")
    _problem(
        exchange.client.query("population", [{"element": "sex", "op": "like", "value": "男"}]), 422, "invalid_request"
    )
    _problem(exchange.client.query("population", []), 422, "invalid_request")


def test_verify_says_per_element_and_nothing_else(exchange: Any) -> None:
    good = exchange.client.verify("population", {"id_number": LI.lower(), "name": "李四"})
    assert good.status == 200
    assert good.data == {"matched": True, "elements": {"id_number": True, "name": True}}
    wrong = exchange.client.verify("population", {"id_number": LI, "name": "李五", "birth_date": "1985-05-12"})
    assert wrong.data == {"matched": False, "elements": {"id_number": True, "name": False, "birth_date": True}}
    nobody = exchange.client.verify("population", {"id_number": NOBODY, "name": "李四"})
    assert nobody.data == {"matched": False, "elements": {"id_number": False, "name": False}}
    _problem(exchange.client.verify("population", {"name": "李四"}), 422, "invalid")
    _problem(exchange.client.verify("population", {"id_number": LI, "ethnicity": "回族"}), 403, "element_not_granted")
    _problem(exchange.client.verify("population", {}), 422, "invalid")


# --- signatures -----------------------------------------------------------------------------------------------------


def test_wrong_secret_is_refused(exchange: Any) -> None:
    _problem(exchange.client_with(secret="not the secret").record("population", ZHANG), 401, "bad_signature")


def _tampering(change: Any) -> Any:
    inner = django_transport()

    def send(method: str, path: str, headers: dict[str, str], body: bytes) -> GatewayResponse:
        method, path, headers, body = change(method, path, headers, body)
        return inner(method, path, headers, body)

    return send


def test_altered_body_is_refused(exchange: Any) -> None:
    def change(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        return method, path, headers, body.replace(b"\\u674e", b"\\u5f20").replace("李".encode(), "张".encode())

    client = exchange.client_with(transport=_tampering(change))
    _problem(client.verify("population", {"id_number": LI, "name": "李四"}), 401, "bad_signature")


def test_reordered_query_still_verifies_but_an_altered_one_does_not(exchange: Any) -> None:
    def reorder(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        base, _sep, query = path.partition("?")
        return method, base + "?" + "&".join(reversed(query.split("&"))), headers, body

    def alter(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        return method, path.replace("elements=name", "elements=phone"), headers, body

    query = [("elements", "name"), ("z", "1")]
    reordered = exchange.client_with(transport=_tampering(reorder))
    assert reordered.request("GET", f"/population/records/{ZHANG}", query=query).status == 200
    altered = exchange.client_with(transport=_tampering(alter))
    _problem(altered.request("GET", f"/population/records/{ZHANG}", query=query), 401, "bad_signature")


def test_altered_path_is_refused(exchange: Any) -> None:
    def alter(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        return method, path.replace(ZHANG, LI), headers, body

    _problem(exchange.client_with(transport=_tampering(alter)).record("population", ZHANG), 401, "bad_signature")


def test_timestamps_more_than_five_minutes_off_are_refused(exchange: Any) -> None:
    import time

    _problem(exchange.client_with(clock=lambda: time.time() - 301).record("population", ZHANG), 401, "clock_skew")
    _problem(exchange.client_with(clock=lambda: time.time() + 301).record("population", ZHANG), 401, "clock_skew")
    assert exchange.client_with(clock=lambda: time.time() - 290).record("population", ZHANG).status == 200


def test_replayed_nonce_is_refused(exchange: Any) -> None:
    client = exchange.client_with(nonce=lambda: "the-same-nonce-0001")
    assert client.record("population", ZHANG).status == 200
    _problem(client.record("population", ZHANG), 401, "replayed_nonce")
    _problem(client.record("population", LI), 401, "replayed_nonce")


def test_a_request_replayed_byte_for_byte_is_refused(exchange: Any) -> None:
    sent: list[tuple[str, str, dict[str, str], bytes]] = []
    inner = django_transport()

    def record(method: str, path: str, headers: dict[str, str], body: bytes) -> GatewayResponse:
        sent.append((method, path, headers, body))
        return inner(method, path, headers, body)

    assert exchange.client_with(transport=record).record("population", ZHANG).status == 200
    _problem(inner(*sent[0]), 401, "replayed_nonce")


def test_unsigned_and_malformed_requests_are_refused(exchange: Any) -> None:
    client = Client()
    _problem(_raw(client.get(f"/gateway/v1/population/records/{ZHANG}")), 401, "unsigned")

    def drop(header: str) -> Any:
        def change(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
            return method, path, {k: v for k, v in headers.items() if k != header}, body

        return exchange.client_with(transport=_tampering(change))

    for header in ("X-App-Key", "X-Timestamp", "X-Nonce", "X-Signature"):
        _problem(drop(header).record("population", ZHANG), 401, "unsigned")
    _problem(drop("X-User-Id").record("population", ZHANG), 400, "missing_user")
    _problem(drop("X-Purpose").record("population", ZHANG), 400, "missing_purpose")
    _problem(exchange.client_with(nonce=lambda: "short").record("population", ZHANG), 401, "bad_nonce")
    _problem(exchange.client_with(clock=lambda: -5).record("population", ZHANG), 401, "bad_timestamp")
    _problem(exchange.client_with(app_key="yw-unknown").record("population", ZHANG), 401, "unknown_app_key")


def _raw(response: Any) -> GatewayResponse:
    return GatewayResponse(response.status_code, dict(response.headers), response.content)


def test_revoked_system_is_refused(exchange: Any) -> None:
    services.consumer_revoke(actor=None, consumer_id=exchange.consumer_id, reason="系统下线")
    _problem(exchange.client.record("population", ZHANG), 401, "unknown_app_key")


def test_rotated_secret_old_one_works_during_the_grace_period_only(exchange: Any) -> None:
    rotated = services.consumer_rotate_secret(actor=None, consumer_id=exchange.consumer_id, grace_hours=1)
    assert exchange.client_with(secret=rotated.secret).record("population", ZHANG).status == 200
    assert exchange.client.record("population", ZHANG).status == 200  # the old secret, within the grace period
    again = services.consumer_rotate_secret(actor=None, consumer_id=exchange.consumer_id, grace_hours=0)
    assert exchange.client_with(secret=again.secret).record("population", ZHANG).status == 200
    _problem(exchange.client_with(secret=rotated.secret).record("population", ZHANG), 401, "bad_signature")


def test_rate_limit_answers_429_with_retry_after(exchange: Any) -> None:
    assert exchange.client.record("population", ZHANG).status == 200  # URLs and schemas loaded before freezing
    services.consumer_set_rate_limit(actor=None, consumer_id=exchange.consumer_id, rate_limit=2)
    # A second of its own, a little ahead (within the allowed clock skew): no earlier call counts in it.
    second = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=5)).replace(microsecond=100_000)
    with freeze_time(second):
        assert exchange.client.record("population", ZHANG).status == 200
        assert exchange.client.record("population", ZHANG).status == 200
        refused = exchange.client.record("population", ZHANG)
        _problem(refused, 429, "rate_limited")
        assert refused.headers["Retry-After"] == "1"
    with freeze_time(second + datetime.timedelta(seconds=1)):
        assert exchange.client.record("population", ZHANG).status == 200


# --- grants ---------------------------------------------------------------------------------------------------------


def test_system_without_grant_is_refused(exchange: Any) -> None:
    other = services.consumer_register(actor=None, department_id=exchange.registries["market"], name="登记系统")
    client = exchange.client_with(app_key=other.app_key, secret=other.secret)
    _problem(client.record("population", ZHANG), 403, "no_grant")
    _problem(client.verify("population", {"id_number": ZHANG, "name": "张三丰"}), 403, "no_grant")


def test_grant_expires_in_the_middle_of_a_sequence_of_calls(exchange: Any) -> None:
    from yiwang.exchange.models import Grant

    grant = Grant.objects.get(request_id=exchange.grant_request_id)
    last_day = grant.valid_from + datetime.timedelta(days=2)
    Grant.objects.filter(pk=grant.pk).update(valid_until=last_day)
    with freeze_time(datetime.datetime.combine(last_day, datetime.time(15, 59, 58)), tick=True):
        # 23:59:58 in the city (UTC+8): the grant's last day
        assert exchange.client.record("population", ZHANG).status == 200
        assert exchange.client.record("population", LI).status == 200
    with freeze_time(datetime.datetime.combine(last_day, datetime.time(16, 0, 1)), tick=True):
        _problem(exchange.client.record("population", WANG), 403, "grant_expired")
        _problem(exchange.client.records("population", [ZHANG]), 403, "grant_expired")


def test_revoked_grant_is_refused(exchange: Any) -> None:
    from yiwang.exchange.models import Grant

    grant = Grant.objects.get(request_id=exchange.grant_request_id)
    assert exchange.client.record("population", ZHANG).status == 200
    services.grant_revoke(actor=exchange.registries["police_data_admin"], grant_id=grant.pk, reason="用途超出范围")
    _problem(exchange.client.record("population", ZHANG), 403, "grant_revoked")


# --- the access log ------------------------------------------------------------------------------------------


def test_every_call_is_logged_refused_ones_included(exchange: Any) -> None:
    exchange.client.record("population", ZHANG)
    exchange.client_with(secret="wrong").record("population", ZHANG)
    exchange.client.records("population", [LI, NOBODY])
    exchange.client.query("population", [{"element": "sex", "value": "男"}])
    exchange.client.verify("population", {"id_number": WANG, "name": "王五"})
    Client().get(f"/gateway/v1/population/records/{ZHANG}")
    entries = list(AccessLogEntry.objects.order_by("pk"))
    assert [(entry.operation, entry.status, entry.reason) for entry in entries] == [
        ("record", 200, ""),
        ("", 401, "bad_signature"),
        ("batch", 200, ""),
        ("query", 200, ""),
        ("verify", 200, ""),
        ("", 401, "unsigned"),
    ]
    first = entries[0]
    assert first.app_key == exchange.app_key
    assert first.consumer_id == exchange.consumer_id
    assert first.consumer_department_id == exchange.registries["civil"]
    assert first.provider_department_id == exchange.registries["police"]
    assert first.resource_slug == "population"
    assert first.elements == ELEMENTS
    assert (first.user_id, first.purpose, first.case_ref) == ("civil-clerk-7", "最低生活保障审核", "DB-2026-0001")
    assert first.result_count == 1
    assert first.latency_ms > 0
    assert len(first.keys_digest) == 64
    assert entries[2].result_count == 1
    assert entries[3].result_count == 2
    # The log names records by their stored key (a blind index for ID numbers), never the number itself.
    subjects = set(AccessLogSubject.objects.values_list("subject_key", flat=True))
    assert ZHANG not in subjects
    assert len(subjects) == 4  # 张, 李, the missing one and 王
    assert entries[5].app_key == ""


def test_responses_carry_a_request_id_that_the_log_keeps(exchange: Any) -> None:
    response = exchange.client.record("population", ZHANG)
    assert AccessLogEntry.objects.get().request_id == response.headers["X-Request-Id"]


def test_chinese_purpose_and_case_reference_are_logged_as_sent(exchange: Any) -> None:
    exchange.client_with(purpose="核查：低保申请", case_ref="民政〔2026〕12号").record("population", ZHANG)
    entry = AccessLogEntry.objects.get()
    assert (entry.purpose, entry.case_ref) == ("核查：低保申请", "民政〔2026〕12号")


@pytest.mark.parametrize(
    "call",
    [
        lambda client: client.verify("population", {"id_number": ZHANG, "name": "张\x00三"}),
        lambda client: client.verify("population", {"\x00": "x", "id_number": ZHANG}),
        lambda client: client.records("population", [ZHANG, "a\x00b"]),
        lambda client: client.query("population", [{"element": "id_number", "op": "eq", "value": "\x00"}]),
        lambda client: client.record("population", "11010\x00"),
        lambda client: client.request("GET", f"/population/records/{ZHANG}", query=[("elements", "name\x00")]),
    ],
    ids=["verify-value", "verify-element", "batch-key", "query-value", "record-key", "query-string"],
)
def test_a_nul_character_is_refused_and_the_refusal_logged(exchange: Any, call: Any) -> None:
    """PostgreSQL cannot hold U+0000 in text: before this was refused, a NUL reached a query or the log's jsonb
    and the caller met a 500 (or a 503 from an aborted log write)."""
    data = _problem(call(exchange.client), 400, "nul_character")
    assert data["field"].split(".")[0] in {"body", "path", "query"}
    assert "NUL" in data["detail_en"]
    entry = AccessLogEntry.objects.get()
    assert entry.status == 400


def test_a_nul_character_in_a_header_is_refused(exchange: Any) -> None:
    data = _problem(exchange.client_with(purpose="核查\x00").record("population", ZHANG), 400, "nul_character")
    assert data["field"] == "header.X-Purpose"


def test_gateway_has_its_own_openapi_document(client: Client) -> None:
    document = json.loads(client.get("/gateway/v1/openapi.json").content)
    paths = set(document["paths"])
    assert paths == {
        "/gateway/v1/{resource}/records/{key}",
        "/gateway/v1/{resource}/records:batch",
        "/gateway/v1/{resource}/query",
        "/gateway/v1/{resource}/verify",
    }
    assert "X-App-Key" in json.dumps(document["components"]["securitySchemes"])
    assert AccessLogEntry.objects.count() == 0


def _redis_reachable() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_reachable(), reason="Redis is not running on 127.0.0.1:6379")
def test_replay_and_rate_limit_with_redis_as_in_production(exchange: Any, settings: Any) -> None:
    import uuid

    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/9",
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # apart from any other test process
        }
    }
    try:
        client = exchange.client_with(nonce=lambda: "redis-nonce-00001")
        assert client.record("population", ZHANG).status == 200
        _problem(client.record("population", ZHANG), 401, "replayed_nonce")
        services.consumer_set_rate_limit(actor=None, consumer_id=exchange.consumer_id, rate_limit=1)
        second = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=5)).replace(microsecond=100_000)
        with freeze_time(second):
            assert exchange.client.record("population", ZHANG).status == 200
            _problem(exchange.client.record("population", ZHANG), 429, "rate_limited")
    finally:
        caches["default"].clear()


def test_bad_bodies_unknown_paths_and_methods_get_problem_documents(exchange: Any) -> None:
    client = exchange.client
    for body in (b"{not json", "中文".encode("gbk")):
        _problem(client.request("POST", "/population/records:batch", body=body), 400, "unreadable_body")
    for body in (b"[]", b'{"keys": "abc"}', b'{"keys": [1, 2]}', b"{}"):
        _problem(client.request("POST", "/population/records:batch", body=body), 422, "invalid_request")
    _problem(
        client.request("POST", "/population/verify", body=b'{"values": {"id_number": null}}'), 422, "invalid_request"
    )
    _problem(client.request("GET", "/population/records/" + "9" * 300), 404, "record_not_found")
    not_allowed = _problem(client.request("DELETE", f"/population/records/{ZHANG}"), 405, "method_not_allowed")
    assert not_allowed["detail_en"] == "This path does not take this method."
    _problem(client.request("GET", "/population/nothing-here"), 404, "unknown_path")
    _problem(client.request("POST", "/population/records:batch", body=b" " * (6 * 1024 * 1024)), 413, "too_large")
    reasons = list(AccessLogEntry.objects.values_list("reason", flat=True))
    assert reasons.count("unreadable_body") == 2 and "method_not_allowed" in reasons and "unknown_path" in reasons


def test_problem_documents_carry_both_languages(exchange: Any) -> None:
    outside = _problem(
        exchange.client.request("GET", f"/population/records/{ZHANG}", query=[("elements", "ethnicity")]),
        403,
        "element_not_granted",
    )
    assert outside["detail_en"] == "Elements outside the grant: ethnicity."
    assert outside["detail"] != outside["detail_en"]
    assert "ethnicity" in outside["detail"]
    protected = _problem(exchange.client.query("population", [{"element": "phone", "value": "1"}]), 422, "invalid")
    assert protected["detail_en"].startswith("联系电话 is protected")
    assert not protected["detail"].startswith("联系电话 is protected")
