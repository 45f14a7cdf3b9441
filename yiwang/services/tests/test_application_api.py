"""The applications API: each endpoint for each role, forms' problems all listed, conflicts as 409."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from yiwang.conftest import sign_in
from yiwang.services.applications import services
from yiwang.services.tests.factories import published_item
from yiwang.services.tests.test_applications import ANSWERS, FORM

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "citizen", "other_citizen", "agent", "staff", "staff_other", "admin"]


@pytest.fixture
def setting(city: Any, accounts: Any, make_citizen: Any) -> dict[str, Any]:
    item = published_item(department_id=city.public_security, form_schema=FORM, handling_items=(), materials=())
    applicant = accounts.citizen
    draft = services.application_draft_save(actor=applicant, task_code=item.item.task_code, form_data=ANSWERS)
    submitted = services.application_submit(actor=applicant, application_id=draft.pk)
    return {
        "item": item,
        "submitted": submitted,
        "users": {
            "citizen": applicant,
            "other_citizen": make_citizen("路人甲"),
            "agent": accounts.agent,
            "staff": accounts.staff,  # a clerk of 公安局, the handling department
            "staff_other": accounts.staff_other,  # a clerk of 民政局
            "admin": accounts.admin,
        },
    }


def _client(setting: dict[str, Any], role: str) -> Client:
    client = Client()
    return client if role == "anonymous" else sign_in(client, setting["users"][role])


def _post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, json.dumps(body or {}), content_type="application/json")


EXPECTED = {
    # endpoint: status per role, in ROLES order
    "list": [401, 200, 200, 200, 200, 200, 200],
    "start": [401, 201, 201, 201, 403, 403, 403],
    "detail": [401, 200, 404, 404, 200, 404, 200],
    "accept": [401, 404, 404, 404, 200, 404, 404],
    "withdraw": [401, 200, 404, 404, 404, 404, 404],
    "record": [401, 403, 404, 404, 200, 404, 200],
}


@pytest.mark.parametrize(("role", "index"), [(role, index) for index, role in enumerate(ROLES)])
def test_every_endpoint_for_every_role(setting: dict[str, Any], role: str, index: int) -> None:
    client = _client(setting, role)
    submitted = setting["submitted"]
    base = f"/api/v1/services/applications/{submitted.pk}"
    answers = {
        "list": client.get("/api/v1/services/applications"),
        "start": _post(
            client, "/api/v1/services/applications", {"task_code": setting["item"].item.task_code, "form_data": {}}
        ),
        "detail": client.get(base),
        "record": client.get(f"{base}/exchange-record"),
    }
    # Writes on copies of the same application, so that each role meets it in the same state.
    copy = services.application_submit(
        actor=setting["users"]["citizen"],
        application_id=services.application_draft_save(
            actor=setting["users"]["citizen"], task_code=setting["item"].item.task_code, form_data=ANSWERS
        ).pk,
    )
    answers["accept"] = _post(client, f"/api/v1/services/applications/{copy.pk}/steps/accept")
    answers["withdraw"] = _post(client, f"/api/v1/services/applications/{copy.pk}/withdraw", {"reason": "不办了"})
    got = {endpoint: answers[endpoint].status_code for endpoint in EXPECTED}
    assert got == {endpoint: statuses[index] for endpoint, statuses in EXPECTED.items()}
    for endpoint, response in answers.items():
        if response.status_code >= 400:
            assert response["Content-Type"] == "application/problem+json", endpoint


def test_what_each_role_sees_in_the_list(setting: dict[str, Any]) -> None:
    number = setting["submitted"].number

    def numbers(role: str) -> list[str]:
        return [row["number"] for row in _client(setting, role).get("/api/v1/services/applications").json()]

    assert numbers("citizen") == [number]
    assert numbers("staff") == [number]  # the inbox of 公安局
    assert numbers("other_citizen") == numbers("staff_other") == numbers("admin") == []


def test_a_whole_case_through_the_api(setting: dict[str, Any], make_staff: Any, city: Any) -> None:
    from yiwang.identity.roles import Role

    citizen = _client(setting, "citizen")
    clerk = _client(setting, "staff")
    approver = sign_in(Client(), make_staff(city.public_security, (Role.APPROVER,), real_name="审批人"))
    started = _post(citizen, "/api/v1/services/applications", {"task_code": setting["item"].item.task_code})
    assert started.status_code == 201
    draft = started.json()
    assert (draft["status"], draft["number"], list(draft["form_schema"]["properties"])) == (
        0,
        "",
        ["shop_name", "area", "email"],
    )
    base = f"/api/v1/services/applications/{draft['id']}"
    refused = _post(citizen, f"{base}/submit")
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json()["errors"]] == ["shop_name", "area"]
    assert (
        citizen.put(f"{base}/form", json.dumps({"form_data": ANSWERS}), content_type="application/json").status_code
        == 200
    )
    received = _post(citizen, f"{base}/submit").json()
    assert (received["status"], received["status_label"]) == (1, "已接件")  # Chinese unless the client asks otherwise
    assert _post(clerk, f"{base}/steps/accept", {"opinion": "材料齐全"}).status_code == 200
    early = _post(approver, f"{base}/steps/decide", {"outcome": "approved"})
    assert (early.status_code, early.json()["code"]) == (409, "step_not_open")  # the review comes first
    assert "审查" in early.json()["detail"]
    reviewed = _post(approver, f"{base}/steps/review", {"verdict": "agree", "opinion": "符合条件"}).json()
    assert reviewed["status"] == 8
    assert [(step["kind"], step["status"]) for step in reviewed["process_steps"]] == [
        ("accept", "done"),
        ("review", "done"),
        ("decide", "open"),
    ]
    assert _post(clerk, f"{base}/steps/decide", {"outcome": "approved"}).status_code == 403  # a clerk does not decide
    again = _post(clerk, f"{base}/steps/accept")
    assert again.status_code == 409
    assert again.json()["code"] == "status_changed"
    bad = _post(approver, f"{base}/steps/decide", {"outcome": "maybe"})
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "outcome")
    assert _post(approver, f"{base}/steps/unknown").status_code == 422
    done = _post(approver, f"{base}/steps/decide", {"outcome": "approved", "opinion": "准予许可"}).json()
    assert done["status"] == 11
    assert [event["action"] for event in done["events"]] == ["submit", "accept", "review", "decide"]
    mine = citizen.get(base).json()
    assert mine["clock"] is None and mine["concluded_at"] is not None
    record = clerk.get(f"{base}/exchange-record").json()
    assert record["result"]["result_type"] == "11"


def test_materials_through_the_api(city: Any, accounts: Any, make_citizen: Any, settings: Any, tmp_path: Any) -> None:
    from yiwang.services.tests.factories import MATERIALS
    from yiwang.services.tests.test_materials import png

    settings.MEDIA_ROOT = tmp_path
    item = published_item(department_id=city.public_security, handling_items=(), materials=MATERIALS)
    citizen = sign_in(Client(), accounts.citizen)
    stranger = sign_in(Client(), make_citizen("路人乙"))
    clerk = sign_in(Client(), accounts.staff)
    draft = _post(citizen, "/api/v1/services/applications", {"task_code": item.item.task_code}).json()
    base = f"/api/v1/services/applications/{draft['id']}"
    form = next(material for material in draft["materials_asked"] if material["source"] == "applicant")
    assert draft["materials_missing"] == [form["name"]]
    refused = _post(citizen, f"{base}/submit")
    assert (refused.status_code, refused.json()["errors"][0]["field"]) == (422, "materials")

    def upload(client: Client, name: str, content: bytes) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        return client.post(f"{base}/materials", {"material_id": form["id"], "file": SimpleUploadedFile(name, content)})

    bad = upload(citizen, "申请表.png", b"MZ\x90\x00" + b"\x00" * 60)  # a Windows program named .png
    assert bad.status_code == 422
    assert "申请表.png" in bad.json()["detail"]
    assert upload(stranger, "申请表.png", png()).status_code == 404
    stored = upload(citizen, "申请表.png", png())
    assert stored.status_code == 200
    body = stored.json()
    assert body["materials_missing"] == []
    [current] = body["uploads"]
    assert (current["original_name"], current["content_type"], current["size"]) == (
        "申请表.png",
        "image/png",
        len(png()),
    )
    for reader, status in ((citizen, 200), (clerk, 404), (stranger, 404)):  # a draft is the applicant's own
        assert reader.get(f"{base}/materials/{current['id']}/file").status_code == status
    other = _post(citizen, "/api/v1/services/applications", {"task_code": item.item.task_code}).json()
    wrong = citizen.delete(f"/api/v1/services/applications/{other['id']}/materials/{current['id']}")
    assert wrong.status_code == 404  # the upload is not the other application's: nothing is removed
    assert citizen.get(base).json()["uploads"] == [current]
    assert _post(citizen, f"{base}/submit").status_code == 200
    download = clerk.get(f"{base}/materials/{current['id']}/file")
    streamed: Any = download  # a FileResponse: its content is streamed
    assert (download.status_code, b"".join(streamed.streaming_content)) == (200, png())
    assert citizen.delete(f"{base}/materials/{current['id']}").status_code == 409  # submitted: no longer editable
