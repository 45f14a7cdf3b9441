"""The lifecycle of a case through its services: intake, dispatch, signature, return and reassignment, extension,
conclusion, follow-up and reopening, merging, direct conclusion, grid events — with the clocks across holidays."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from freezegun import freeze_time
from PIL import Image

from yiwang.cases import services
from yiwang.cases.models import (
    AssignmentStatus,
    Case,
    CaseEvent,
    CaseStatus,
    KnowledgeArticle,
    RoutingFeedback,
)
from yiwang.cases.selectors import case_detail
from yiwang.cases.tests.conftest import Hotline, take_call
from yiwang.core.audit.models import AuditEvent
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db
BEIJING = datetime.timezone(datetime.timedelta(hours=8))
# Wednesday 30 September 2026, 10:00 in Beijing: the National Day holiday (1–7 October) lies ahead, and Saturday
# 10 October is a working day.
BEFORE_NATIONAL_DAY = "2026-09-30T02:00:00Z"


def png(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def kinds(case: Any) -> list[str]:
    return list(CaseEvent.objects.filter(case_id=case.pk).order_by("at", "id").values_list("kind", flat=True))


def dispatched(hotline: Hotline, **changes: Any) -> Case:
    case = take_call(hotline, **changes)
    return services.case_dispatch(
        actor=hotline.dispatcher, case_id=case.pk, category_code=hotline.lamp, lead_department_id=hotline.urban
    )


def test_intake_numbers_the_case_and_records_who_and_where(hotline: Hotline) -> None:
    with freeze_time(BEFORE_NATIONAL_DAY):
        case = take_call(hotline)
        second = take_call(hotline, content="又一个路灯坏了")
    assert case.number == "20260930000001"
    assert second.number == "20260930000002"
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED
    assert case.title == "柳园社区3号楼门口的路灯坏了一个星期了，晚上出门很黑，麻烦尽快修一下"[:30]
    assert case.division.code == hotline.community
    assert case.contact_phone == "13900001111"
    assert case.received_by_id == hotline.operator.pk
    assert kinds(case) == ["received"]
    audit = AuditEvent.objects.get(action="cases.case.received", object_id=case.number)
    assert "13900001111" not in audit.changes and "139****1111" in audit.changes


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"content": "  "}, "content"),
        ({"case_type": "rumour"}, "case_type"),
        ({"category_code": "01"}, "category_code"),
        ({"category_code": "9999"}, "category_code"),
        ({"division_code": "419899999999"}, "division_code"),
        ({"contact_phone": "1390000"}, "contact_phone"),
        ({"latitude": "34.1"}, "latitude"),
        ({"latitude": "95", "longitude": "113"}, "latitude"),
        ({"grid_cell_code": "41980300100101"}, "grid_cell_code"),
        ({"content": "字" * 4001}, "content"),
    ],
)
def test_intake_refuses_bad_input_naming_the_field(hotline: Hotline, changes: dict[str, Any], field: str) -> None:
    if "latitude" in changes:
        from decimal import Decimal

        changes = {key: Decimal(value) for key, value in changes.items()}
    with pytest.raises(ValidationFailed) as refused:
        take_call(hotline, **changes)
    assert refused.value.field == field
    assert not Case.objects.exists()


def test_only_operators_take_calls_and_only_grid_workers_report_grid_events(hotline: Hotline) -> None:
    with pytest.raises(PermissionDenied):
        take_call(hotline, actor=hotline.urban_handler)
    with pytest.raises(PermissionDenied):
        take_call(hotline, actor=hotline.operator, channel="grid")
    with pytest.raises(PermissionDenied):
        take_call(hotline, actor=hotline.urban_handler, channel="portal")


def test_dispatch_starts_the_clock_in_working_days_across_the_holiday(hotline: Hotline) -> None:
    with freeze_time(BEFORE_NATIONAL_DAY):
        case = take_call(hotline)
        case = services.case_dispatch(
            actor=hotline.dispatcher,
            case_id=case.pk,
            category_code=hotline.lamp,
            lead_department_id=hotline.urban,
            co_department_ids=[hotline.street_office],
            proposed_department_id=hotline.housing,
            proposed_category_code=hotline.noise,
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED
    # Sign within 1 working day: the next one is Thursday 8 October, after the holiday.
    assert case.sign_due_at == datetime.datetime(2026, 10, 8, 23, 59, 59, tzinfo=BEIJING)
    # A complaint has 13 working days: 8, 9, 10 (a Saturday at work), 12–16, 19–23 October.
    assert case.due_at == datetime.datetime(2026, 10, 23, 23, 59, 59, tzinfo=BEIJING)
    assert case.warn_at == datetime.datetime(2026, 10, 22, 0, 0, tzinfo=BEIJING)
    roles = sorted(case.assignments.values_list("department_id", "role", "status"))
    assert roles == sorted(
        [(hotline.urban, "lead", AssignmentStatus.WAITING), (hotline.street_office, "co", AssignmentStatus.WAITING)]
    )
    feedback = RoutingFeedback.objects.get(case=case)
    assert (feedback.proposed_department_id, feedback.chosen_department_id) == (hotline.housing, hotline.urban)
    assert feedback.chosen_category.code == hotline.lamp


def test_dispatch_checks_category_and_units(hotline: Hotline) -> None:
    case = take_call(hotline)
    attempts: list[tuple[dict[str, Any], str]] = [
        ({"category_code": "01", "lead_department_id": hotline.urban}, "category_code"),
        ({"category_code": hotline.lamp, "lead_department_id": 999999}, "lead_department_id"),
        (
            {"category_code": hotline.lamp, "lead_department_id": hotline.urban, "co_department_ids": [hotline.urban]},
            "co_department_ids",
        ),
    ]
    for arguments, field in attempts:
        with pytest.raises(ValidationFailed) as refused:
            services.case_dispatch(actor=hotline.dispatcher, case_id=case.pk, **arguments)
        assert refused.value.field == field
    with pytest.raises(PermissionDenied):
        services.case_dispatch(
            actor=hotline.urban_handler, case_id=case.pk, category_code=hotline.lamp, lead_department_id=hotline.urban
        )


def test_return_reassign_extension_conclude_and_reopen(hotline: Hotline) -> None:
    with freeze_time(BEFORE_NATIONAL_DAY):
        case = dispatched(hotline)
        # Another unit cannot act on it.
        with pytest.raises(PermissionDenied):
            services.case_sign(actor=hotline.housing_handler, case_id=case.pk)
        services.case_sign(actor=hotline.urban_handler, case_id=case.pk)
        case.refresh_from_db()
        assert case.status == CaseStatus.IN_PROGRESS
        assert case.signed_at == timezone.now()
        returned = services.case_return_request(
            actor=hotline.urban_handler,
            case_id=case.pk,
            reason="小区内部路灯属物业管理，不属城管职责",
            basis="《城市管理局权责清单》第3项",
            suggested_department_id=hotline.housing,
        )
        case.refresh_from_db()
        assert case.status == CaseStatus.RETURN_REQUESTED
        with pytest.raises(Conflict):
            services.case_return_request(actor=hotline.urban_handler, case_id=case.pk, reason="again")
        # Only a dispatcher reviews; the operator cannot.
        with pytest.raises(PermissionDenied):
            services.case_return_review(actor=hotline.operator, return_id=returned.pk, reassign_to_id=hotline.housing)
    with freeze_time("2026-10-09T02:00:00Z"):
        services.case_return_review(
            actor=hotline.dispatcher, return_id=returned.pk, reassign_to_id=hotline.housing, note="属物业管理范畴"
        )
        case.refresh_from_db()
        assert case.status == CaseStatus.DISPATCHED
        assert case.lead_department_id == hotline.housing
        assert case.return_count == 1
        # The new lead has the whole limit from the reassignment: 13 working days after Friday 9 October (10, 12–16,
        # 19–23, 26, 27).
        assert case.due_at == datetime.datetime(2026, 10, 27, 23, 59, 59, tzinfo=BEIJING)
        old = case.assignments.get(department_id=hotline.urban)
        assert (old.active, old.status) == (False, AssignmentStatus.RETURNED)
        # The old unit can no longer act, but still sees the case it handled.
        with pytest.raises(PermissionDenied):
            services.case_note(actor=hotline.urban_handler, case_id=case.pk, text="还在处理")
        assert case_detail(hotline.urban_handler, number=case.number) is not None
        services.case_sign(actor=hotline.housing_handler, case_id=case.pk)
        extension = services.case_extension_request(
            actor=hotline.housing_handler, case_id=case.pk, days=5, reason="需协调物业公司更换线路"
        )
        with pytest.raises(Conflict):
            services.case_extension_request(actor=hotline.housing_handler, case_id=case.pk, days=2, reason="again")
        services.case_extension_decide(actor=hotline.dispatcher, extension_id=extension.pk, approve=True)
        case.refresh_from_db()
        assert case.due_at == datetime.datetime(2026, 11, 3, 23, 59, 59, tzinfo=BEIJING)
        assert case.extended_days == 5
        with pytest.raises(ValidationFailed):
            services.case_conclude(actor=hotline.housing_handler, case_id=case.pk, reply=" ")
        services.case_conclude(
            actor=hotline.housing_handler, case_id=case.pk, reply="已督促物业更换路灯，现已恢复照明。"
        )
        case.refresh_from_db()
        assert case.status == CaseStatus.CONCLUDED
        follow_up = services.case_follow_up(
            actor=hotline.operator, case_id=case.pk, resolved=False, satisfaction="unsatisfied", note="路灯又坏了"
        )
    assert follow_up.lead_department_id == hotline.housing
    case.refresh_from_db()
    # 重办: the same lead unit signs again, with a new limit.
    assert (case.status, case.reopen_count, case.lead_department_id) == (CaseStatus.DISPATCHED, 1, hotline.housing)
    assert case.concluded_at is None
    with freeze_time("2026-10-12T02:00:00Z"):
        services.case_sign(actor=hotline.housing_handler, case_id=case.pk)
        services.case_conclude(actor=hotline.housing_handler, case_id=case.pk, reply="已更换整条线路。")
        services.case_follow_up(actor=hotline.operator, case_id=case.pk, resolved=True, satisfaction="satisfied")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert kinds(case) == [
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


def test_refused_return_and_refused_extension_need_a_reason(hotline: Hotline) -> None:
    case = dispatched(hotline)
    services.case_sign(actor=hotline.urban_handler, case_id=case.pk)
    returned = services.case_return_request(actor=hotline.urban_handler, case_id=case.pk, reason="不是我们的事")
    with pytest.raises(ValidationFailed) as refused:
        services.case_return_review(actor=hotline.dispatcher, return_id=returned.pk, reassign_to_id=None)
    assert refused.value.field == "note"
    services.case_return_review(
        actor=hotline.dispatcher, return_id=returned.pk, reassign_to_id=None, note="道路照明属城管职责，请继续办理"
    )
    case.refresh_from_db()
    assert (case.status, case.lead_department_id) == (CaseStatus.IN_PROGRESS, hotline.urban)
    with pytest.raises(Conflict):
        services.case_return_review(actor=hotline.dispatcher, return_id=returned.pk, reassign_to_id=hotline.housing)
    extension = services.case_extension_request(actor=hotline.urban_handler, case_id=case.pk, days=3, reason="等配件")
    with pytest.raises(ValidationFailed):
        services.case_extension_decide(actor=hotline.dispatcher, extension_id=extension.pk, approve=False)
    due = case.due_at
    services.case_extension_decide(actor=hotline.dispatcher, extension_id=extension.pk, approve=False, note="时限充足")
    case.refresh_from_db()
    assert case.due_at == due
    for days in (0, 31):
        with pytest.raises(ValidationFailed):
            services.case_extension_request(actor=hotline.urban_handler, case_id=case.pk, days=days, reason="x")


def test_co_unit_signs_and_replies_but_only_the_lead_concludes(hotline: Hotline) -> None:
    case = take_call(hotline)
    services.case_dispatch(
        actor=hotline.dispatcher,
        case_id=case.pk,
        category_code=hotline.lamp,
        lead_department_id=hotline.urban,
        co_department_ids=[hotline.housing],
    )
    services.case_sign(actor=hotline.housing_handler, case_id=case.pk)
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED  # the lead has not signed yet
    services.case_co_reply(actor=hotline.housing_handler, case_id=case.pk, text="已通知物业配合")
    services.case_sign(actor=hotline.urban_handler, case_id=case.pk)
    with pytest.raises(PermissionDenied):
        services.case_conclude(actor=hotline.housing_handler, case_id=case.pk, reply="办好了")
    services.case_conclude(actor=hotline.urban_handler, case_id=case.pk, reply="已修复")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CONCLUDED


def test_merged_duplicates_are_handled_once_and_every_reporter_gets_the_answer(hotline: Hotline) -> None:
    main = dispatched(hotline)
    duplicate = take_call(hotline, contact_phone="13900002222", content="3号楼路灯不亮好多天了")
    with pytest.raises(ValidationFailed):
        services.case_merge(actor=hotline.operator, case_id=main.pk, into_case_id=main.pk)
    services.case_merge(actor=hotline.operator, case_id=duplicate.pk, into_case_id=main.pk)
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id) == (CaseStatus.MERGED, main.pk)
    with pytest.raises(Conflict):
        services.case_merge(actor=hotline.operator, case_id=duplicate.pk, into_case_id=main.pk)
    services.case_sign(actor=hotline.urban_handler, case_id=main.pk)
    services.case_conclude(actor=hotline.urban_handler, case_id=main.pk, reply="路灯已修复")
    duplicate.refresh_from_db()
    assert duplicate.reply == "路灯已修复"
    assert duplicate.concluded_at is not None
    detail = case_detail(hotline.operator, number=duplicate.number)
    assert detail is not None and detail.merged_into == main.number and detail.reply == "路灯已修复"


def test_operator_concludes_a_consultation_directly_from_the_knowledge_base(hotline: Hotline) -> None:
    article = KnowledgeArticle.objects.create(
        title="路灯报修渠道",
        answer="道路路灯由市城管局负责维护。",
        department_id=hotline.urban,
        effective_from=datetime.date(2026, 1, 1),
    )
    expired = KnowledgeArticle.objects.create(
        title="旧规定",
        answer="已失效",
        department_id=hotline.urban,
        effective_from=datetime.date(2020, 1, 1),
        expires_on=datetime.date(2021, 1, 1),
    )
    question = take_call(hotline, case_type="consultation", content="路灯坏了找哪个部门？")
    with pytest.raises(ValidationFailed) as refused:
        services.case_conclude_directly(
            actor=hotline.operator, case_id=question.pk, reply="已失效", article_id=expired.pk
        )
    assert refused.value.field == "article_id"
    services.case_conclude_directly(
        actor=hotline.operator, case_id=question.pk, reply=article.answer, article_id=article.pk
    )
    question.refresh_from_db()
    assert (question.status, question.concluded_directly) == (CaseStatus.CONCLUDED, True)
    complaint = take_call(hotline)
    with pytest.raises(ValidationFailed):
        services.case_conclude_directly(actor=hotline.operator, case_id=complaint.pk, reply="x")


def test_grid_worker_reports_in_their_cell_and_resolves_on_the_spot(hotline: Hotline) -> None:
    event = services.case_intake(
        actor=hotline.grid_worker,
        intake=services.CaseIntake(
            case_type="report",
            channel="grid",
            content="柳园社区东门有流动摊贩占道经营",
            grid_cell_code=hotline.cell,
        ),
    )
    assert event.division.code == hotline.community
    services.case_attach(actor=hotline.grid_worker, case_id=event.pk, upload=png("before.png"))
    with pytest.raises(ValidationFailed) as refused:
        services.case_resolve_on_spot(actor=hotline.grid_worker, case_id=event.pk, reply="已劝离", upload=None)
    assert refused.value.field == "upload"
    with pytest.raises(PermissionDenied):
        services.case_resolve_on_spot(
            actor=hotline.urban_handler, case_id=event.pk, reply="已劝离", upload=png("after.png")
        )
    services.case_resolve_on_spot(actor=hotline.grid_worker, case_id=event.pk, reply="已劝离摊贩", upload=png())
    event.refresh_from_db()
    assert (event.status, event.resolved_on_spot) == (CaseStatus.CONCLUDED, True)
    assert sorted(event.attachments.values_list("kind", flat=True)) == ["evidence", "photo"]
    # A cell the worker is not assigned to is refused.
    from yiwang.cases.models import GridCell

    assert event.division is not None
    other = GridCell.objects.create(code=f"{hotline.community}02", name="第二网格", division=event.division)
    with pytest.raises(PermissionDenied):
        services.case_intake(
            actor=hotline.grid_worker,
            intake=services.CaseIntake(case_type="report", channel="grid", content="x", grid_cell_code=other.code),
        )


def test_attachments_are_checked_by_content(hotline: Hotline) -> None:
    case = take_call(hotline)
    fake = SimpleUploadedFile("photo.png", b"not a picture at all", content_type="image/png")
    with pytest.raises(ValidationFailed) as refused:
        services.case_attach(actor=hotline.operator, case_id=case.pk, upload=fake)
    assert refused.value.field == "upload"
    script = SimpleUploadedFile("x.html", b"<script>", content_type="text/html")
    with pytest.raises(ValidationFailed):
        services.case_attach(actor=hotline.operator, case_id=case.pk, upload=script)
    with pytest.raises(PermissionDenied):
        services.case_attach(actor=hotline.police_handler, case_id=case.pk, upload=png())
    assert not case.attachments.exists()


def test_citizen_follows_up_online_only_on_their_own_case(hotline: Hotline, make_citizen: Any) -> None:
    case = services.case_intake(
        actor=hotline.citizen,
        intake=services.CaseIntake(
            case_type="complaint", channel="portal", content="小区噪音扰民", reporter_id=hotline.citizen.pk
        ),
    )
    assert case.contact_phone == "13812345678"
    services.case_dispatch(
        actor=hotline.dispatcher, case_id=case.pk, category_code=hotline.noise, lead_department_id=hotline.urban
    )
    services.case_sign(actor=hotline.urban_handler, case_id=case.pk)
    services.case_conclude(actor=hotline.urban_handler, case_id=case.pk, reply="已处理")
    stranger = make_citizen("路人甲")
    with pytest.raises(PermissionDenied):
        services.case_follow_up(actor=stranger, case_id=case.pk, resolved=True, satisfaction="satisfied")
    with pytest.raises(ValidationFailed):
        services.case_follow_up(actor=hotline.citizen, case_id=case.pk, resolved=True, satisfaction="great")
    services.case_follow_up(actor=hotline.citizen, case_id=case.pk, resolved=True, satisfaction="basically")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED


def test_reopening_stops_after_the_limit(hotline: Hotline, settings: Any) -> None:
    settings.YIWANG_CASES_MAX_REOPENS = 1
    case = dispatched(hotline)
    for _round in range(2):
        services.case_sign(actor=hotline.urban_handler, case_id=case.pk)
        services.case_conclude(actor=hotline.urban_handler, case_id=case.pk, reply="已修复")
        services.case_follow_up(actor=hotline.operator, case_id=case.pk, resolved=False, satisfaction="unsatisfied")
    case.refresh_from_db()
    assert (case.status, case.reopen_count) == (CaseStatus.CLOSED, 1)
