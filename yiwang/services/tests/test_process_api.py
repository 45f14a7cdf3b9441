"""The processes' API (ADR 0018) for each role, the review step through the applications API, and the command
`yiwang services validate-bpmn`."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from yiwang.conftest import City, sign_in
from yiwang.identity.roles import Role
from yiwang.services.models import ApplicationStep, ItemVersion, StepStatus
from yiwang.services.tests.factories import draft_item
from yiwang.services.tests.test_process import ALLOWANCE, BAD, HR, World, accepted, make_world, on, submit
from yiwang.services.workflow.engine import MAX_BYTES, default_process_text

pytestmark = pytest.mark.django_db

API = "/api/v1/services"
ROLES = ["anonymous", "citizen", "agent", "staff", "staff_other", "admin"]
BPMN_TYPE = "application/xml; charset=utf-8"


@pytest.fixture
def world(city: City, make_citizen: Any, make_staff: Any) -> World:
    """民政局's 最低生活保障 running the example process, and its people (as in test_process)."""
    return make_world(city, make_citizen, make_staff)


@pytest.fixture
def users(world: World, accounts: Any, make_staff: Any) -> dict[str, Any]:
    """`staff`: a reviewer and item administrator of 民政局, the item's department; `staff_other` the same of
    公安局; `admin` a platform administrator."""
    return {
        "citizen": world.applicant,  # the applicant of the applications below
        "agent": accounts.agent,
        "staff": make_staff(world.city.civil_affairs, (Role.REVIEWER, Role.ITEM_ADMIN), real_name="民政审查员"),
        "staff_other": make_staff(world.city.public_security, (Role.REVIEWER, Role.ITEM_ADMIN), real_name="公安审查员"),
        "admin": accounts.admin,
    }


def client(users: dict[str, Any], role: str) -> Client:
    return Client() if role == "anonymous" else sign_in(Client(), users[role])


def upload(text: str | bytes, name: str = "process.bpmn") -> dict[str, Any]:
    return {"file": SimpleUploadedFile(name, text.encode("utf-8") if isinstance(text, str) else text)}


def draft_of(world: World) -> ItemVersion:
    return draft_item(department_id=world.city.civil_affairs, handling_items=(), materials=())


EXPECTED = {
    # endpoint: status per role, in ROLES order
    "steps": [401, 403, 403, 200, 200, 200],
    "check": [401, 403, 403, 200, 200, 200],
    "item_process": [200, 200, 200, 200, 200, 200],
    "version_get": [401, 403, 403, 200, 403, 200],
    "version_set": [401, 403, 403, 200, 403, 200],
    "version_reset": [401, 403, 403, 200, 403, 200],
    "review": [401, 404, 404, 200, 404, 404],
}


@pytest.mark.parametrize(("role", "index"), [(role, index) for index, role in enumerate(ROLES)])
def test_every_endpoint_for_every_role(world: World, users: dict[str, Any], role: str, index: int) -> None:
    http = client(users, role)
    application = accepted(world, {"household_size": 2})
    draft = draft_of(world)
    answers = {
        "steps": http.get(f"{API}/steps"),
        "check": http.post(f"{API}/processes/check", upload(ALLOWANCE)),
        "item_process": http.get(f"{API}/items/{world.item.item.task_code}/process"),
        "version_get": http.get(f"{API}/item-versions/{world.item.pk}/process"),
        "version_set": http.post(f"{API}/item-versions/{draft.pk}/process", upload(ALLOWANCE)),
        "version_reset": http.delete(f"{API}/item-versions/{draft.pk}/process"),
        "review": http.post(
            f"{API}/applications/{application.pk}/steps/review",
            json.dumps({"verdict": "agree", "opinion": "符合条件"}),
            content_type="application/json",
        ),
    }
    got = {endpoint: answers[endpoint].status_code for endpoint in EXPECTED}
    assert got == {endpoint: statuses[index] for endpoint, statuses in EXPECTED.items()}
    for endpoint, response in answers.items():
        if response.status_code >= 400:
            assert response["Content-Type"] == "application/problem+json", endpoint
    done = ApplicationStep.objects.filter(application=application, bpmn_id="review_income", status=StepStatus.DONE)
    assert done.exists() == (role == "staff")  # only an allowed review changed anything
    draft.refresh_from_db()
    assert draft.process_bpmn == ""  # set, then reset, or neither


def test_the_steps_waiting_for_me(world: World, users: dict[str, Any]) -> None:
    application = accepted(world, {"household_size": 2})
    mine = client(users, "staff").get(f"{API}/steps").json()
    assert [(row["application_id"], row["name"], row["kind"], row["role"], row["department"]) for row in mine] == [
        (application.pk, "家庭收入和财产核查", "review", "reviewer", "民政局")
    ]
    assert mine[0]["number"] == application.number
    assert mine[0]["item"] == "最低生活保障审核确认"
    assert (mine[0]["countersign"], mine[0]["instance"], mine[0]["due_on"]) == (0, 0, "2025-10-20")
    hr = sign_in(Client(), world.hr_reviewer).get(f"{API}/steps").json()
    assert [(row["name"], row["department"], row["due_on"]) for row in hr] == [
        ("就业和社会保险核查（人社局）", HR, "2025-10-13")
    ]
    assert client(users, "staff_other").get(f"{API}/steps").json() == []
    assert client(users, "admin").get(f"{API}/steps").json() == []


def test_checking_a_file(users: dict[str, Any]) -> None:
    http = client(users, "staff")
    good = http.post(f"{API}/processes/check", upload(ALLOWANCE))
    assert good.json() == {"ok": True, "problems": []}
    bad = http.post(f"{API}/processes/check", upload(BAD)).json()
    assert bad["ok"] is False
    assert {"message": bad["problems"][1]["message"], "line": 92, "element": "remind"} == bad["problems"][1]
    assert "服务任务" in bad["problems"][1]["message"]  # the API answers in Chinese by default
    assert bad["problems"][0]["line"] == 95 and "不符合 BPMN 2.0 模式" in bad["problems"][0]["message"]
    unknown = http.post(f"{API}/processes/check", upload(ALLOWANCE.replace(f"@{HR}", "@不存在局"))).json()
    assert unknown["problems"] == [
        {
            "message": "没有名称或统一社会信用代码为 不存在局 的在用部门。",  # the API answers in Chinese by default
            "line": 52,
            "element": "review_employment",
        }
    ]
    not_xml = http.post(f"{API}/processes/check", upload(b"\x00\x01 not xml")).json()
    assert not_xml["ok"] is False and not_xml["problems"][0]["message"].startswith("XML 格式不正确")
    too_big = http.post(f"{API}/processes/check", upload(b" " * (MAX_BYTES + 1)))
    assert too_big.status_code == 422
    assert too_big.json()["detail"] == "BPMN 文件不得超过 1 MB。"
    missing = http.post(f"{API}/processes/check", {})
    assert missing.status_code in {400, 422}


def test_the_process_of_a_published_item_and_of_a_version(world: World, users: dict[str, Any]) -> None:
    published = Client().get(f"{API}/items/{world.item.item.task_code}/process")
    assert published["Content-Type"] == BPMN_TYPE
    assert published.content.decode("utf-8") == ALLOWANCE
    assert Client().get(f"{API}/items/NO-SUCH-ITEM/process").status_code == 404
    default = world.published("")
    assert Client().get(f"{API}/items/{default.item.task_code}/process").content.decode() == default_process_text(
        "promised"
    )
    draft = draft_of(world)
    assert Client().get(f"{API}/items/{draft.item.task_code}/process").status_code == 404  # not published
    editor = client(users, "staff")
    assert editor.get(f"{API}/item-versions/{draft.pk}/process").content.decode() == default_process_text("promised")
    assert editor.get(f"{API}/item-versions/999999/process").status_code == 404
    clerk = sign_in(Client(), world.clerk)  # of the department, but not its item administrator
    assert clerk.get(f"{API}/item-versions/{draft.pk}/process").status_code == 403


def test_giving_a_draft_its_process(world: World, users: dict[str, Any]) -> None:
    editor = client(users, "staff")
    draft = draft_of(world)
    path = f"{API}/item-versions/{draft.pk}/process"
    refused = editor.post(path, upload(BAD))
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert [error["field"] for error in errors] == ["process", "process"]
    assert "第92行, remind: 不支持：服务任务" in errors[1]["message"]
    draft.refresh_from_db()
    assert draft.process_bpmn == ""
    assert editor.post(path, upload(ALLOWANCE)).json() == {"ok": True, "problems": []}
    assert editor.get(path).content.decode() == ALLOWANCE
    assert editor.delete(path).json() == {"ok": True, "problems": []}
    assert editor.get(path).content.decode() == default_process_text("promised")
    # A published version stays as published.
    published = editor.post(f"{API}/item-versions/{world.item.pk}/process", upload(ALLOWANCE))
    assert published.status_code == 409
    assert editor.delete(f"{API}/item-versions/{world.item.pk}/process").status_code == 409
    assert editor.post(path, upload(b" " * (MAX_BYTES + 1))).status_code == 422


def test_a_case_through_the_api(world: World, users: dict[str, Any]) -> None:
    application = submit(world, {"household_size": 2})
    base = f"{API}/applications/{application.pk}"
    hr = sign_in(Client(), world.hr_reviewer)
    staff = client(users, "staff")

    def post(http: Client, path: str, body: dict[str, Any]) -> Any:
        return http.post(f"{base}/{path}", json.dumps(body), content_type="application/json")

    assert hr.get(base).status_code == 404  # asked nothing yet
    with on("2025-09-29"):
        assert post(sign_in(Client(), world.clerk), "steps/accept", {}).status_code == 200
    detail = hr.get(base)
    assert detail.status_code == 200
    steps = detail.json()["process_steps"]
    assert [(step["name"], step["kind"], step["status"], step["department"]) for step in steps[:1]] == [
        ("受理", "accept", "done", "民政局")
    ]
    assert sorted((step["name"], step["kind"], step["status"], step["department"]) for step in steps[1:]) == [
        ("家庭收入和财产核查", "review", "open", "民政局"),
        ("就业和社会保险核查（人社局）", "review", "open", HR),
    ]
    assert {step["due_on"] for step in steps[1:]} == {"2025-10-20", "2025-10-13"}
    employment = next(step for step in steps if step["department"] == HR)
    income = next(step for step in steps if step["name"] == "家庭收入和财产核查")
    with on("2025-09-30"):
        wrong = post(hr, "steps/review", {"verdict": "agree", "step_id": income["id"]})
        assert wrong.status_code == 403
        unreasoned = post(hr, "steps/review", {"verdict": "disagree", "step_id": employment["id"]})
        assert (unreasoned.status_code, unreasoned.json()["errors"][0]["field"]) == (422, "opinion")
        done = post(hr, "steps/review", {"verdict": "disagree", "opinion": "有就业收入", "step_id": employment["id"]})
        assert done.status_code == 200
        assert done.json()["status"] == 8
        again = post(hr, "steps/review", {"verdict": "agree", "step_id": employment["id"]})
        assert (again.status_code, again.json()["code"]) == (409, "step_closed")
        early = post(sign_in(Client(), world.approvers[0]), "steps/decide", {"outcome": "approved"})
        assert (early.status_code, early.json()["code"]) == (409, "step_not_open")
        assert post(staff, "steps/review", {"verdict": "agree"}).status_code == 200
        after = staff.get(base).json()  # (at the same frozen time: the session's idle limit counts real time)
    rows = {step["name"]: step for step in after["process_steps"]}
    assert (rows["就业和社会保险核查（人社局）"]["verdict"], rows["就业和社会保险核查（人社局）"]["opinion"]) == (
        "disagree",
        "有就业收入",
    )
    assert rows["就业和社会保险核查（人社局）"]["done_by_name"] == "人社审查"
    assert rows["审核确认决定"]["status"] == "open"
    review_events = [event for event in after["events"] if event["action"] == "review"]
    assert len(review_events) == 2


# --- the command ---------------------------------------------------------------------------------------------


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("services", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_validate_bpmn_accepts_a_good_file(world: World, tmp_path: Path) -> None:
    path = tmp_path / "allowance.bpmn"
    path.write_text(ALLOWANCE, encoding="utf-8")
    out, err = run("validate-bpmn", str(path))
    assert err == ""
    assert out.splitlines()[0] == "allowance.bpmn: process minimum_living_allowance (最低生活保障审核确认) can be used"
    assert "review_employment: 就业和社会保险核查（人社局） — reviewer@人力资源和社会保障局, 5 working days" in out
    assert "countersign: 集体审议（三人会签） — approver, countersign of 3, 3 working days" in out
    out, err = run("validate-bpmn", str(path), "--json")
    assert json.loads(out) == {"ok": True, "problems": []}


def test_validate_bpmn_exits_1_naming_every_problem(world: World, tmp_path: Path) -> None:
    path = tmp_path / "bad.bpmn"
    path.write_text(BAD.replace(f"@{HR}", "@不存在局"), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("services", "validate-bpmn", str(path), stdout=StringIO(), stderr=err)
    assert failed.value.returncode == 1
    assert str(failed.value) == "bad.bpmn: 2 problem(s)"  # the departments are checked once the file can be read
    assert "bad.bpmn: line 92, remind: not supported: service tasks" in err.getvalue()
    out = StringIO()
    with pytest.raises(CommandError) as failed_json:
        call_command("services", "validate-bpmn", str(path), "--json", stdout=out, stderr=StringIO())
    assert failed_json.value.returncode == 1
    result = json.loads(out.getvalue())
    assert result["ok"] is False
    assert {"message": result["problems"][1]["message"], "line": 92, "element": "remind"} == result["problems"][1]
    # A usable file that names an unknown department.
    path.write_text(ALLOWANCE.replace(f"@{HR}", "@不存在局"), encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("services", "validate-bpmn", str(path), "--json", stdout=out, stderr=StringIO())
    assert json.loads(out.getvalue())["problems"] == [
        {
            "message": "No active department is named or has the credit code 不存在局.",
            "line": 52,
            "element": "review_employment",
        }
    ]


def test_validate_bpmn_exits_2_when_the_file_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as missing:
        run("validate-bpmn", str(tmp_path / "nowhere.bpmn"))
    assert missing.value.returncode == 2
    assert "cannot read" in str(missing.value)
    with pytest.raises(CommandError) as directory:
        run("validate-bpmn", str(tmp_path))
    assert directory.value.returncode == 2
