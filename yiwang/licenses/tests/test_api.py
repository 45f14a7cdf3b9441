"""The licenses API: who may call what (every endpoint for every role, with a guard rail), and what it answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from yiwang.conftest import sign_in
from yiwang.licenses import services
from yiwang.licenses.models import License, LicenseStatus, LicenseType, Seal
from yiwang.licenses.tests.conftest import Licensing, issued
from yiwang.services.applications import services as application_services

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "citizen", "agent", "staff", "staff_other", "approver", "item_admin", "admin"]
OK, CREATED, BAD, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, INVALID = 200, 201, 400, 401, 403, 404, 422


def row(*codes: int) -> dict[str, int]:
    return dict(zip(ROLES, codes, strict=True))


@pytest.fixture
def world(licensing: Licensing, accounts: Any) -> dict[str, Any]:
    """The holder (citizen) with a license, and a client per role: staff is a clerk of the issuing department,
    staff_other a clerk of 民政局, approver and item_admin of the issuing department."""
    license = issued(licensing)
    users = {
        "citizen": licensing.applicant,
        "agent": accounts.agent,
        "staff": licensing.clerk,
        "staff_other": accounts.staff_other,
        "approver": licensing.approver,
        "item_admin": licensing.item_admin,
        "admin": licensing.admin,
    }

    def client(role: str) -> Client:
        return Client() if role == "anonymous" else sign_in(Client(), users[role])

    return {"licensing": licensing, "license": license, "client": client, "users": users}


def _call(client: Client, method: str, path: str, body: Any = None, form: bool = False) -> Any:
    if method == "get":
        return client.get(path)
    if form:
        return client.post(path, body or {})
    return client.post(path, json.dumps(body or {}), content_type="application/json")


Case = tuple[str, str, Callable[[dict[str, Any], str], Any], dict[str, int], bool]


def _draft(world: dict[str, Any], role: str) -> dict[str, Any]:
    licensing = world["licensing"]
    user = world["users"].get(role, licensing.applicant)
    applicant = user if getattr(user, "kind", "") == "citizen" else licensing.applicant
    draft = application_services.application_draft_save(
        actor=applicant, task_code=licensing.reuse_item.item.task_code, form_data={}
    )
    return {
        "application_id": draft.pk,
        "material_id": licensing.reuse_item.materials.get().pk,
        "identifier": world["license"].identifier,
        "consent": True,
    }


def _type_body(world: dict[str, Any], role: str) -> dict[str, Any]:
    return {
        "code": "11100000000013338W005",
        "name": f"测试证照{role}",
        "department_id": world["licensing"].market,
        "holder_kind": "person",
        "elements": [{"code": "scope", "name": "范围", "required": True}],
        "validity_years": 3,
    }


CASES: dict[tuple[str, str], Case] = {
    ("post", "/api/v1/licenses/verify"): (
        "post", "/api/v1/licenses/verify", lambda w, r: {"identifier": w["license"].identifier},
        row(OK, OK, OK, OK, OK, OK, OK, OK), True,
    ),
    ("get", "/api/v1/licenses/seals"): (
        "get", "/api/v1/licenses/seals", lambda w, r: None, row(OK, OK, OK, OK, OK, OK, OK, OK), False,
    ),
    ("get", "/api/v1/licenses/types"): (
        "get", "/api/v1/licenses/types", lambda w, r: None, row(OK, OK, OK, OK, OK, OK, OK, OK), False,
    ),
    ("get", "/api/v1/licenses/mine"): (
        "get", "/api/v1/licenses/mine", lambda w, r: None,
        row(UNAUTHORIZED, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN), False,
    ),
    ("get", "/api/v1/licenses/mine/{identifier}"): (
        "get", "/api/v1/licenses/mine/{identifier}", lambda w, r: None,
        row(UNAUTHORIZED, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN), False,
    ),
    ("get", "/api/v1/licenses/mine/{identifier}/file"): (
        "get", "/api/v1/licenses/mine/{identifier}/file", lambda w, r: None,
        row(UNAUTHORIZED, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN), False,
    ),
    ("get", "/api/v1/licenses/mine/{identifier}/pdf"): (
        "get", "/api/v1/licenses/mine/{identifier}/pdf", lambda w, r: None,
        row(UNAUTHORIZED, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN), False,
    ),
    ("post", "/api/v1/licenses/share"): (
        "post", "/api/v1/licenses/share", _draft,
        row(UNAUTHORIZED, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN), False,
    ),
    ("post", "/api/v1/licenses/types"): (
        "post", "/api/v1/licenses/types", _type_body,
        row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK), False,
    ),
    ("post", "/api/v1/licenses/seals"): (
        "post", "/api/v1/licenses/seals", lambda w, r: {"department_id": w["licensing"].market, "purpose": "专用章"},
        row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, CREATED), False,
    ),
    ("post", "/api/v1/licenses/seals/{seal_id}/status"): (
        "post", "/api/v1/licenses/seals/{seal_id}/status", lambda w, r: {"action": "suspend", "reason": "核查"},
        row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK), False,
    ),
    ("post", "/api/v1/licenses/issue"): (
        "post", "/api/v1/licenses/issue",
        lambda w, r: {
            "type_code": w["licensing"].license_type.code,
            "holder_id_number": w["licensing"].other_citizen.id_number,
            "elements": {"shop_name": "明湖面馆", "scope": "餐饮服务"},
        },
        row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, CREATED, FORBIDDEN, CREATED), False,
    ),
    ("post", "/api/v1/licenses/{identifier}/revoke"): (
        "post", "/api/v1/licenses/{identifier}/revoke", lambda w, r: {"reason": "依法撤回"},
        row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, OK), False,
    ),
}  # fmt: skip


def test_every_endpoint_is_in_the_matrix() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operations = {
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if path.startswith("/api/v1/licenses/")
    }
    assert operations == set(CASES)


@pytest.mark.parametrize("operation", list(CASES), ids=lambda operation: f"{operation[0]} {operation[1]}")
def test_who_may_call_each_endpoint(world: dict[str, Any], operation: tuple[str, str]) -> None:
    method, template, body, expected, form = CASES[operation]
    # Roles that may change something go last, so that the refusals are tested against the unchanged state.
    order = sorted(ROLES, key=lambda role: expected[role] in {OK, CREATED} and method == "post")
    for role in order:
        if role == "approver" and operation == ("post", "/api/v1/licenses/{identifier}/revoke"):
            continue  # the administrator revokes below; one revocation per license
        path = template.format(identifier=world["license"].identifier, seal_id=world["licensing"].seal.seal_id)
        response = _call(world["client"](role), method, path, body(world, role), form)
        assert response.status_code == expected[role], (role, response.content[:300])
    if operation == ("post", "/api/v1/licenses/{identifier}/revoke"):
        world["license"].refresh_from_db()
        assert world["license"].status == LicenseStatus.REVOKED


def test_verify_answers_by_identifier_and_by_file(world: dict[str, Any]) -> None:
    client = Client()
    license = world["license"]
    answer = client.post("/api/v1/licenses/verify", {"identifier": license.identifier}).json()
    assert answer["status"] == "valid" and answer["reasons"] == []
    assert answer["license"]["holder_name"] == "王*明" and "*" in answer["license"]["holder_code"]
    upload = client.post("/api/v1/licenses/verify", {"file": _file(license.document.encode())}).json()
    assert upload["status"] == "valid"
    tampered = json.loads(license.document)
    tampered["license"]["elements"]["scope"] = "全部"
    forged = client.post("/api/v1/licenses/verify", {"file": _file(json.dumps(tampered).encode())}).json()
    assert forged["status"] == "forged" and forged["license"] is None
    assert [reason["code"] for reason in forged["reasons"]] == ["data_altered"]
    malformed = client.post("/api/v1/licenses/verify", {"identifier": "1.2.156.3005.2.X"}).json()
    assert malformed["status"] == "forged" and malformed["reasons"][0]["code"] == "identifier_shape"
    garbage = client.post("/api/v1/licenses/verify", {"file": _file(b"\x00\x01 not json")})
    assert garbage.status_code == INVALID and garbage["Content-Type"] == "application/problem+json"
    assert garbage.json()["errors"][0]["field"] == "file"
    empty = client.post("/api/v1/licenses/verify", {})
    assert empty.status_code == INVALID and empty.json()["errors"][0]["field"] == "identifier"


def _file(content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("license.json", content, content_type="application/json")


def test_the_wallet_answers_with_data_and_uses(world: dict[str, Any]) -> None:
    client = world["client"]("citizen")
    license = world["license"]
    [listed] = client.get("/api/v1/licenses/mine").json()
    assert listed["identifier"] == license.identifier and listed["state"] == "valid"
    assert listed["application_number"] == license.application.number
    share = _draft(world, "citizen")
    assert (
        client.post(
            "/api/v1/licenses/share", json.dumps({**share, "consent": False}), content_type="application/json"
        ).status_code
        == INVALID
    )
    assert client.post("/api/v1/licenses/share", json.dumps(share), content_type="application/json").status_code == OK
    detail = client.get(f"/api/v1/licenses/mine/{license.identifier}").json()
    assert detail["data"]["identifier"] == license.identifier
    assert [use["action"] for use in detail["uses"]] == ["shared"]
    file = client.get(f"/api/v1/licenses/mine/{license.identifier}/file")
    assert file["Content-Type"] == "application/json" and json.loads(file.content)["license"]["identifier"]
    pdf = client.get(f"/api/v1/licenses/mine/{license.identifier}/pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_staff_endpoints_refuse_bad_input_with_the_field(world: dict[str, Any]) -> None:
    admin = world["client"]("admin")
    bad_type = admin.post(
        "/api/v1/licenses/types",
        json.dumps({**_type_body(world, "admin"), "code": "123"}),
        content_type="application/json",
    )
    assert bad_type.status_code == INVALID and bad_type.json()["errors"][0]["field"] == "code"
    assert not LicenseType.objects.filter(code="123").exists()
    unknown_seal = admin.post(
        "/api/v1/licenses/seals/0000/status",
        json.dumps({"action": "revoke", "reason": "x"}),
        content_type="application/json",
    )
    assert unknown_seal.status_code == NOT_FOUND
    seals = Seal.objects.count()
    bad_seal = admin.post(
        "/api/v1/licenses/seals", json.dumps({"department_id": 999999}), content_type="application/json"
    )
    assert bad_seal.status_code == NOT_FOUND and Seal.objects.count() == seals
    unknown_holder = admin.post(
        "/api/v1/licenses/issue",
        json.dumps({"type_code": world["licensing"].license_type.code, "holder_id_number": "11010519491231002X"}),
        content_type="application/json",
    )
    assert unknown_holder.status_code == INVALID and unknown_holder.json()["errors"][0]["field"] == "holder_id_number"
    licenses = License.objects.count()
    missing = admin.post(
        "/api/v1/licenses/issue",
        json.dumps(
            {
                "type_code": world["licensing"].license_type.code,
                "holder_id_number": world["licensing"].other_citizen.id_number,
            }
        ),
        content_type="application/json",
    )
    assert missing.status_code == INVALID and License.objects.count() == licenses
    services.license_revoke(actor=None, identifier=world["license"].identifier, reason="撤回")
    again = admin.post(
        f"/api/v1/licenses/{world['license'].identifier}/revoke",
        json.dumps({"reason": "x"}),
        content_type="application/json",
    )
    assert again.status_code == 409
