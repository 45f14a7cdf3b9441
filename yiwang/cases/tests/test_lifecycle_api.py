"""Whole lifecycles driven through the cases API only, as the hotline's, the units' and the grid's systems would:
return and reassignment, extension, conclusion, an unsatisfied follow-up that reopens the case, closing; merging;
escalation; a co-unit's reply; a grid worker's event resolved on the spot with a real photo; and the answers to
steps out of turn (409) and bad files (422)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from yiwang.cases.models import (
    AssignmentStatus,
    Case,
    CaseAttachment,
    CaseReturn,
    Decision,
    Escalation,
    RoutingFeedback,
)
from yiwang.cases.tests.test_api_cases import (
    API,
    COLLECTION,
    CasesWorld,
    build_world,
    field_of,
    png_bytes,
    png_upload,
    post,
)
from yiwang.conftest import Accounts, City

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(city: City, accounts: Accounts, make_staff: Callable[..., Any]) -> CasesWorld:
    return build_world(city, accounts, make_staff)


def kinds(detail: dict[str, Any]) -> list[str]:
    return [event["kind"] for event in detail["events"]]


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content[:500]
    return response.json()


def test_return_reassignment_extension_reopening_and_closing(world: CasesWorld) -> None:
    citizen, dispatcher = world.client("citizen"), world.client("dispatcher")
    operator, urban, ecology = world.client("operator"), world.client("staff"), world.client("staff_other")
    created = ok(
        post(
            citizen,
            COLLECTION,
            {
                "case_type": "complaint",
                "content": "柳园社区东门外工地夜间施工，凌晨两点还有打桩声，严重影响休息。",
                "division_code": "419802001001",
                "address": "滨河路与柳园街交叉口东北角",
            },
        ),
        201,
    )
    number = created["number"]
    case = f"{API}/{number}"

    # 派单 to 市城市管理局; it signs, then returns it (退单): not its job.
    dispatched = ok(post(dispatcher, f"{case}/dispatch", {"category_code": "0101", "lead_department_id": world.urban}))
    assert dispatched["summary"]["status"] == "dispatched" and dispatched["summary"]["lead_unit"] == "市城市管理局"
    assert dispatched["summary"]["due_at"] is not None
    assert ok(post(urban, f"{case}/sign"))["summary"]["status"] == "in_progress"
    returned = ok(
        post(
            urban,
            f"{case}/returns",
            {
                "reason": "夜间施工噪声属生态环境部门职责。",
                "basis": "噪声污染防治法",
                "suggested_department_id": world.ecology,
            },
        ),
        201,
    )
    assert (returned["case_number"], returned["role"], returned["decision"]) == (number, "lead", "pending")
    assert returned["department_id"] == world.urban and returned["suggested_department_id"] == world.ecology
    pending = ok(dispatcher.get(case))
    assert pending["summary"]["status"] == "return_requested"
    assert [(item["kind"], item["id"]) for item in pending["pending"]] == [("return", returned["id"])]
    # What the review needs, by id: who asks, in which part, and where they say the case belongs.
    (asked,) = pending["pending"]
    assert (asked["department_id"], asked["role"], asked["suggested_department_id"]) == (
        world.urban,
        "lead",
        world.ecology,
    )
    assert "review_return" in pending["actions"]
    again = post(urban, f"{case}/returns", {"reason": "再次退单"})
    assert again.status_code == 409

    # 派单异议审核: accepted, 改派 to 市生态环境局; the old unit keeps sight of the case but no longer acts.
    reviewed = ok(
        post(dispatcher, f"{API}/returns/{returned['id']}/review", {"reassign_to_id": world.ecology, "note": "同意"})
    )
    assert reviewed["decision"] == "approved" and reviewed["decided_at"] is not None
    second_review = post(dispatcher, f"{API}/returns/{returned['id']}/review", {"reassign_to_id": world.ecology})
    assert second_review.status_code == 409
    moved = ok(ecology.get(case))
    assert moved["summary"]["status"] == "dispatched" and moved["summary"]["lead_unit"] == "市生态环境局"
    assert [(a["department"], a["active"], a["status"]) for a in moved["assignments"]] == [
        ("市城市管理局", False, "returned"),
        ("市生态环境局", True, "waiting"),
    ]
    assert ok(urban.get(case))["actions"] == []
    assert post(urban, f"{case}/conclude", {"reply": "不应由我办结"}).status_code == 409
    feedback = RoutingFeedback.objects.filter(case__number=number).order_by("at", "id")
    assert [(f.proposed_department_id, f.chosen_department_id) for f in feedback] == [
        (None, world.urban),
        (world.urban, world.ecology),
    ]

    # The new lead unit signs and asks for three more working days; the dispatcher grants them.
    assert ok(post(ecology, f"{case}/sign"))["summary"]["status"] == "in_progress"
    due_before = Case.objects.get(number=number).due_at
    extension = ok(post(ecology, f"{case}/extensions", {"days": 3, "reason": "需夜间蹲守取证。"}), 201)
    assert (extension["days"], extension["decision"]) == (3, "pending")
    (asked,) = ok(dispatcher.get(case))["pending"]
    assert (asked["kind"], asked["department_id"], asked["role"], asked["suggested_department_id"]) == (
        "extension",
        world.ecology,
        "",
        None,
    )
    refused_without_reason = post(dispatcher, f"{API}/extensions/{extension['id']}/decision", {"approve": False})
    assert refused_without_reason.status_code == 422 and field_of(refused_without_reason) == "note"
    granted = ok(post(dispatcher, f"{API}/extensions/{extension['id']}/decision", {"approve": True, "note": "同意"}))
    assert granted["decision"] == "approved"
    stored = Case.objects.get(number=number)
    assert stored.due_at is not None and due_before is not None
    assert stored.extended_days == 3 and stored.due_at > due_before
    assert datetime.datetime.fromisoformat(granted["due_at"]) == stored.due_at
    assert ok(ecology.get(case))["extended_days"] == 3

    # 办结, then an unsatisfied follow-up: 重办 with the same lead unit, which signs and concludes again.
    concluded = ok(post(ecology, f"{case}/conclude", {"reply": "已责令工地停止夜间施工。"}))
    assert concluded["summary"]["status"] == "concluded" and concluded["reply"] == "已责令工地停止夜间施工。"
    unsatisfied = ok(
        post(operator, f"{case}/follow-ups", {"resolved": False, "satisfaction": "unsatisfied", "note": "仍在施工"}),
        201,
    )
    assert (unsatisfied["case_status"], unsatisfied["reopen_count"]) == ("dispatched", 1)
    reopened = ok(ecology.get(case))
    assert reopened["summary"]["lead_unit"] == "市生态环境局" and reopened["reopen_count"] == 1
    assert reopened["my_assignment"]["status"] == AssignmentStatus.WAITING
    assert ok(post(ecology, f"{case}/sign"))["summary"]["status"] == "in_progress"
    ok(post(ecology, f"{case}/conclude", {"reply": "已联合执法，工地停工整改。"}))

    # The reporter answers the follow-up online: satisfied, the case is closed.
    citizen_view = ok(citizen.get(case))
    assert citizen_view["actions"] == ["follow_up"] and citizen_view["reply"] == "已联合执法，工地停工整改。"
    satisfied = ok(post(citizen, f"{case}/follow-ups", {"resolved": True, "satisfaction": "satisfied"}), 201)
    assert (satisfied["case_status"], satisfied["reopen_count"]) == ("closed", 1)
    assert post(citizen, f"{case}/follow-ups", {"resolved": True, "satisfaction": "satisfied"}).status_code == 409

    final = ok(dispatcher.get(case))
    assert final["summary"]["status"] == "closed"
    assert kinds(final) == [
        "received",
        "dispatched",
        "signed",
        "return_requested",
        "reassigned",
        "signed",
        "extension_requested",
        "extension_approved",
        "concluded",
        "followed_up",
        "reopened",
        "signed",
        "concluded",
        "followed_up",
    ]
    assert [f["resolved"] for f in final["follow_ups"]] == [False, True]
    # The reporter sees the public steps only, without who took them.
    public = ok(citizen.get(case))
    assert kinds(public) == [
        "received",
        "dispatched",
        "signed",
        "reassigned",
        "signed",
        "concluded",
        "followed_up",
        "reopened",
        "signed",
        "concluded",
        "followed_up",
    ]
    assert {event["actor"] for event in public["events"]} == {""}


def test_a_refused_return_goes_back_to_the_unit(world: CasesWorld) -> None:
    dispatcher, urban = world.client("dispatcher"), world.client("staff")
    number = ok(post(world.client("operator"), COLLECTION, _call("占道摆摊。")), 201)["number"]
    case = f"{API}/{number}"
    ok(post(dispatcher, f"{case}/dispatch", {"category_code": "0102", "lead_department_id": world.urban}))
    returned = ok(post(urban, f"{case}/returns", {"reason": "请改派街道。"}), 201)
    without_note = post(dispatcher, f"{API}/returns/{returned['id']}/review", {})
    assert without_note.status_code == 422 and field_of(without_note) == "note"
    refused = ok(post(dispatcher, f"{API}/returns/{returned['id']}/review", {"note": "占道经营属城管职责。"}))
    assert refused["decision"] == "refused" and refused["decision_note"] == "占道经营属城管职责。"
    assert ok(urban.get(case))["summary"]["status"] == "dispatched"
    assert CaseReturn.objects.get(pk=returned["id"]).decision == Decision.REFUSED
    unknown = post(dispatcher, f"{API}/returns/999999/review", {"note": "x"})
    assert unknown.status_code == 404
    assert post(dispatcher, f"{API}/extensions/999999/decision", {"approve": True}).status_code == 404


def _call(content: str, phone: str = "13812340000") -> dict[str, Any]:
    """A hotline call about street order in the community."""
    return {"case_type": "complaint", "content": content, "division_code": "419802001001", "contact_phone": phone}


def test_merged_cases_share_the_main_cases_answer(world: CasesWorld) -> None:
    operator, dispatcher, urban = world.client("operator"), world.client("dispatcher"), world.client("staff")
    main = ok(post(operator, COLLECTION, _call("滨河路88号门口夜市占道，噪声扰民。", "13812340001")), 201)["number"]
    duplicate = ok(
        post(world.client("citizen"), COLLECTION, {**_call("滨河路88号夜市占道经营，很吵。"), "contact_phone": ""}),
        201,
    )["number"]
    merged = ok(post(dispatcher, f"{API}/{duplicate}/merge", {"into_number": main, "note": "同一夜市"}))
    assert merged["summary"]["status"] == "merged" and merged["merged_into"] == main
    into_itself = post(dispatcher, f"{API}/{main}/merge", {"into_number": main})
    assert into_itself.status_code == 422 and field_of(into_itself) == "into_number"
    into_merged = post(dispatcher, f"{API}/{main}/merge", {"into_number": duplicate})
    assert into_merged.status_code == 409
    nowhere = post(dispatcher, f"{API}/{main}/merge", {"into_number": "20990101000001"})
    assert nowhere.status_code == 404 and field_of(nowhere) == "into_number"
    assert ok(dispatcher.get(f"{API}/{main}"))["merged_cases"] == [duplicate]
    ok(post(dispatcher, f"{API}/{main}/dispatch", {"category_code": "0102", "lead_department_id": world.urban}))
    ok(post(urban, f"{API}/{main}/sign"))
    ok(post(urban, f"{API}/{main}/conclude", {"reply": "已取缔占道夜市。"}))
    reporter_view = ok(world.client("citizen").get(f"{API}/{duplicate}"))
    assert reporter_view["reply"] == "已取缔占道夜市。" and reporter_view["concluded_at"] is not None
    assert reporter_view["merged_into"] == main


def test_escalation_levels_and_the_mail(
    world: CasesWorld, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    world.handler.email = "chen@urban.example"
    world.handler.save(update_fields=["email"])
    number = ok(post(world.client("operator"), COLLECTION, _call("井盖丢失，十分危险。")), 201)["number"]
    case = f"{API}/{number}"
    ok(
        post(
            world.client("dispatcher"), f"{case}/dispatch", {"category_code": "0101", "lead_department_id": world.urban}
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = ok(post(world.client("supervisor"), f"{case}/escalations", {"reason": "危及安全，请立即处理。"}), 201)
    assert (first["case_number"], first["level"]) == (number, 1)
    assert [message.to for message in mail.outbox] == [["chen@urban.example"]]
    assert f"{number}" in mail.outbox[0].subject
    empty = post(world.client("dispatcher"), f"{case}/escalations", {"reason": "  "})
    assert empty.status_code == 422 and field_of(empty) == "reason"
    assert ok(post(world.client("dispatcher"), f"{case}/escalations", {"reason": "二次督办"}), 201)["level"] == 2
    assert ok(post(world.client("admin"), f"{case}/escalations", {"reason": "三次督办"}), 201)["level"] == 3
    assert post(world.client("dispatcher"), f"{case}/escalations", {"reason": "四次"}).status_code == 409
    assert list(Escalation.objects.filter(case__number=number).values_list("level", flat=True)) == [1, 2, 3]
    assert ok(world.client("staff").get(case))["summary"]["escalation_level"] == 3


def test_a_co_unit_replies_and_the_lead_unit_concludes(world: CasesWorld) -> None:
    dispatcher, urban, ecology = world.client("dispatcher"), world.client("staff"), world.client("staff_other")
    number = ok(post(world.client("operator"), COLLECTION, _call("河道里漂浮大量垃圾并有异味。")), 201)["number"]
    case = f"{API}/{number}"
    ok(
        post(
            dispatcher,
            f"{case}/dispatch",
            {"category_code": "0101", "lead_department_id": world.urban, "co_department_ids": [world.ecology]},
        )
    )
    before_signing = post(ecology, f"{case}/co-reply", {"text": "水质正常。"})
    assert before_signing.status_code == 409  # its part is still awaiting signature: not yet
    co_view = ok(post(ecology, f"{case}/sign"))
    assert co_view["summary"]["status"] == "dispatched"  # a co-unit's signature does not start the handling
    assert co_view["actions"] == ["co_reply", "note", "return"]
    empty = post(ecology, f"{case}/co-reply", {"text": ""})
    assert empty.status_code == 422 and field_of(empty) == "text"
    replied = ok(post(ecology, f"{case}/co-reply", {"text": "经检测水质达标，异味来自垃圾腐烂。"}))
    assert replied["my_assignment"]["status"] == "replied"
    ok(post(urban, f"{case}/sign"))
    assert post(ecology, f"{case}/conclude", {"reply": "协办不能办结"}).status_code == 403
    note = ok(post(urban, f"{case}/notes", {"text": "已安排打捞船。"}), 201)
    assert kinds(note)[-1] == "note"
    done = ok(post(urban, f"{case}/conclude", {"reply": "已打捞清理河道垃圾，水质经检测达标。"}))
    assert done["summary"]["status"] == "concluded"
    assert [(a["role"], a["status"], a["reply"]) for a in done["assignments"]] == [
        ("lead", "replied", "已打捞清理河道垃圾，水质经检测达标。"),
        ("co", "replied", "经检测水质达标，异味来自垃圾腐烂。"),
    ]


def test_a_grid_worker_resolves_an_event_on_the_spot_with_a_photo(world: CasesWorld) -> None:
    grid = world.client("grid")
    created = ok(
        post(
            grid,
            COLLECTION,
            {
                "case_type": "report",
                "content": "柳园社区3号楼东侧井盖松动。",
                "grid_cell_code": "41980200100101",
                "latitude": 34.757975,
                "longitude": 113.665412,
            },
        ),
        201,
    )
    number = created["number"]
    assert created["channel"] == "grid"
    photo = ok(grid.post(f"{API}/{number}/attachments", {"upload": png_upload("发现时.png")}), 201)
    assert (photo["kind"], photo["content_type"], photo["size"]) == ("photo", "image/png", len(png_bytes()))
    no_photo = grid.post(f"{API}/{number}/resolve-on-spot", {"reply": "已复位。"})
    assert no_photo.status_code == 422 and field_of(no_photo) == "upload"
    no_reply = grid.post(f"{API}/{number}/resolve-on-spot", {"reply": " ", "upload": png_upload()})
    assert no_reply.status_code == 422 and field_of(no_reply) == "reply"
    resolved = ok(grid.post(f"{API}/{number}/resolve-on-spot", {"reply": "已将井盖复位加固。", "upload": png_upload()}))
    assert resolved["summary"]["status"] == "concluded" and resolved["reply"] == "已将井盖复位加固。"
    assert kinds(resolved) == ["received", "attached", "attached", "resolved_on_spot"]
    assert [(a["name"], a["kind"]) for a in resolved["attachments"]] == [
        ("发现时.png", "photo"),
        ("现场照片.png", "evidence"),
    ]
    stored = CaseAttachment.objects.get(case__number=number, kind="evidence")
    with stored.file.open("rb") as handle:
        assert handle.read() == png_bytes()
    # Each file is downloaded from the address the case names, by whoever may see the case; never by others.
    evidence = resolved["attachments"][1]
    assert evidence["url"] == f"{API}/{number}/attachments/{evidence['id']}"
    download = grid.get(evidence["url"])
    assert download.status_code == 200 and download.getvalue() == png_bytes()
    assert download["Content-Type"] == "image/png" and download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Cache-Control"] == "private, no-store"
    assert world.client("staff_other").get(evidence["url"]).status_code == 404
    elsewhere = ok(post(world.client("operator"), COLLECTION, _call("另一处井盖。")), 201)["number"]
    wrong_case = world.client("operator").get(f"{API}/{elsewhere}/attachments/{evidence['id']}")
    assert wrong_case.status_code == 404 and field_of(wrong_case) == "attachment_id"
    again = grid.post(f"{API}/{number}/resolve-on-spot", {"reply": "再次", "upload": png_upload()})
    assert again.status_code == 409
    # The dispatcher closes it with the follow-up like any other case.
    closed = ok(
        post(world.client("dispatcher"), f"{API}/{number}/follow-ups", {"resolved": True, "satisfaction": "satisfied"}),
        201,
    )
    assert closed["case_status"] == "closed"


def test_files_that_are_not_what_they_say_or_too_large_are_refused(world: CasesWorld) -> None:
    citizen = world.client("citizen")
    number = ok(post(citizen, COLLECTION, {**_call("路面塌陷。"), "contact_phone": ""}), 201)["number"]
    path = f"{API}/{number}/attachments"

    def upload(content: bytes, content_type: str, name: str = "photo.png", **form: Any) -> Any:
        return citizen.post(path, {"upload": SimpleUploadedFile(name, content, content_type=content_type), **form})

    fake = upload(b"this is not an image at all", "image/png")
    assert fake.status_code == 422 and field_of(fake) == "upload"
    text = upload(b"hello", "text/plain", "notes.txt")
    assert text.status_code == 422 and field_of(text) == "upload"
    empty = upload(b"", "image/png")
    assert empty.status_code == 422 and field_of(empty) == "upload"
    big = upload(png_bytes() + b"\0" * (10 * 1024 * 1024), "image/png")
    assert big.status_code == 422 and field_of(big) == "upload"
    bad_kind = upload(png_bytes(), "image/png", kind="selfie")
    assert bad_kind.status_code == 422 and field_of(bad_kind) == "kind"
    missing = citizen.post(path, {})
    assert missing.status_code == 422 and field_of(missing) == "upload"
    assert not CaseAttachment.objects.exists()
    pdf = upload(
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "application/pdf", "证明.pdf", kind="document"
    )
    assert pdf.status_code == 201 and pdf.json()["kind"] == "document"


def test_steps_out_of_turn_are_conflicts(world: CasesWorld) -> None:
    dispatcher, urban = world.client("dispatcher"), world.client("staff")
    number = ok(post(world.client("operator"), COLLECTION, _call("噪声扰民。")), 201)["number"]
    case = f"{API}/{number}"
    ok(post(dispatcher, f"{case}/dispatch", {"category_code": "0101", "lead_department_id": world.urban}))
    extension_too_early = post(urban, f"{case}/extensions", {"days": 2, "reason": "未签收"})
    assert extension_too_early.status_code == 409 and field_of(extension_too_early) == "status"
    conclude_too_early = post(urban, f"{case}/conclude", {"reply": "未签收就办结"})
    assert conclude_too_early.status_code == 409
    ok(post(urban, f"{case}/sign"))
    assert post(urban, f"{case}/sign").status_code == 409  # signed already (a colleague got there first)
    redispatch = post(dispatcher, f"{case}/dispatch", {"category_code": "0101", "lead_department_id": world.ecology})
    assert redispatch.status_code == 409 and field_of(redispatch) == "status"
    ok(post(urban, f"{case}/conclude", {"reply": "已处理。"}))
    assert post(urban, f"{case}/notes", {"text": "办结后备注"}).status_code == 409
    assert post(dispatcher, f"{case}/merge", {"into_number": number}).status_code == 422
    heading = post(
        dispatcher,
        f"{API}/{ok(post(world.client('operator'), COLLECTION, _call('路灯不亮。')), 201)['number']}/dispatch",
        {"category_code": "01", "lead_department_id": world.urban},
    )
    assert heading.status_code == 422 and field_of(heading) == "category_code"
    unknown_unit = post(
        dispatcher,
        f"{API}/{ok(post(world.client('operator'), COLLECTION, _call('路灯坏了。')), 201)['number']}/dispatch",
        {"category_code": "0101", "lead_department_id": 999999},
    )
    assert unknown_unit.status_code == 422 and field_of(unknown_unit) == "lead_department_id"
    too_long = post(urban, f"{case}/extensions", {"days": 31, "reason": "x"})
    assert too_long.status_code == 422 and field_of(too_long) == "days"  # the input is checked before the status
    bad_days = post(urban, f"{case}/extensions", {"days": "many", "reason": "x"})
    assert bad_days.status_code == 422 and field_of(bad_days) == "days"
    bad_satisfaction = post(dispatcher, f"{case}/follow-ups", {"resolved": True, "satisfaction": "happy"})
    assert bad_satisfaction.status_code == 422 and field_of(bad_satisfaction) == "satisfaction"


def test_the_follow_ups_of_a_case_name_the_satisfaction_by_its_code(world: CasesWorld) -> None:
    from yiwang.cases.tests.test_api_cases import concluded

    case = concluded(world)
    ok(
        post(
            world.client("operator"), f"{API}/{case.number}/follow-ups", {"resolved": True, "satisfaction": "basically"}
        ),
        201,
    )
    detail = ok(world.client("dispatcher").get(f"{API}/{case.number}", HTTP_ACCEPT_LANGUAGE="en"))
    assert [f["satisfaction"] for f in detail["follow_ups"]] == ["basically"]
