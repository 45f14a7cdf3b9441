"""Applications: full lifecycles against the working-day calendar, art. 32, forms, permissions, concurrency.

Dates are real: National Day 2025 (1–8 October off, Sunday 28 September and Saturday 11 October worked) and the
Spring Festival 2026 (15–23 February off, Saturdays 14 and 28 February worked), as the State Council published
them; every expected deadline below was counted by hand on that calendar.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from freezegun import freeze_time

from yiwang.core.audit.models import AuditEvent
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.identity.roles import Role
from yiwang.services.applications import services
from yiwang.services.applications.clock import application_clock, supplement_deadline
from yiwang.services.applications.form_schema import FormInvalid
from yiwang.services.applications.selectors import (
    application_detail,
    application_exchange_record,
    applications_of,
    department_inbox,
)
from yiwang.services.models import Application, ApplicationStatus
from yiwang.services.tests.factories import published_item

S = ApplicationStatus
D = datetime.date

FORM = {
    "type": "object",
    "properties": {
        "shop_name": {"type": "string", "title": "店铺名称", "minLength": 2, "maxLength": 50},
        "area": {"type": "number", "title": "经营面积（平方米）", "minimum": 1},
        "email": {"type": "string", "title": "联系邮箱", "format": "email"},
    },
    "required": ["shop_name", "area"],
}
ANSWERS = {"shop_name": "明湖小吃店", "area": 45}


@contextmanager
def on(day: str) -> Iterator[None]:
    """10:00 in the city (UTC+8) on that day."""
    with freeze_time(f"{day}T02:00:00Z"):
        yield


@pytest.fixture
def people(city: Any, make_citizen: Any, make_staff: Any) -> dict[str, Any]:
    department = city.civil_affairs
    return {
        "applicant": make_citizen("王小明"),
        "other_citizen": make_citizen("李四"),
        "clerk": make_staff(department, (Role.CLERK,), real_name="窗口甲"),
        "clerk_b": make_staff(department, (Role.CLERK,), real_name="窗口乙"),
        "reviewer": make_staff(department, (Role.REVIEWER,), real_name="审查丙"),
        "approver": make_staff(department, (Role.APPROVER,), real_name="审批丁"),
        "approver_b": make_staff(department, (Role.APPROVER,), real_name="审批戊"),
        "other_clerk": make_staff(city.public_security, (Role.CLERK,), real_name="他部门"),
        # No materials: what an applicant uploads, and its check on submission, is tested in test_materials.
        "item": published_item(department_id=department, form_schema=FORM, handling_items=(), materials=()),
    }


def _submitted(people: dict[str, Any], day: str) -> Application:
    with on(day):
        draft = services.application_draft_save(
            actor=people["applicant"], task_code=people["item"].item.task_code, form_data=ANSWERS
        )
        return services.application_submit(actor=people["applicant"], application_id=draft.pk)


pytestmark = pytest.mark.django_db


def test_lifecycle_with_a_supplement_across_national_day(people: dict[str, Any]) -> None:
    application = _submitted(people, "2025-09-26")  # a Friday
    assert application.status == S.RECEIVED
    assert application.number == "41980020250926000001"
    # Art. 32 window: 5 working days after receipt, counting the Sunday worked on 28 September: 10 October.
    assert supplement_deadline(application) == D(2025, 10, 10)
    with on("2025-09-29"):
        services.application_request_supplement(
            actor=people["clerk"],
            application_id=application.pk,
            missing=["营业场所平面图", "食品安全管理制度"],
            notice="请一次性补齐以下材料",
        )
    with on("2025-10-09"):
        services.application_answer_supplement(
            actor=people["applicant"], application_id=application.pk, form_data={**ANSWERS, "area": 50}
        )
    with on("2025-10-10"):
        accepted = services.application_accept(actor=people["clerk"], application_id=application.pk)
    assert (accepted.status, accepted.accepted_on) == (S.ACCEPTED, D(2025, 10, 10))
    clock = application_clock(accepted, today=D(2025, 10, 13))
    assert clock is not None
    # Promised 10 working days from 10 October: 11 (a Saturday worked), 13–17, 20–23.
    assert (clock.promised.due, clock.promised.remaining) == (D(2025, 10, 23), 8)
    assert clock.statutory.due == D(2025, 11, 6)  # 20 working days
    with on("2025-10-20"):
        services.application_start_handling(actor=people["reviewer"], application_id=application.pk)
        extended = services.application_extend(
            actor=people["approver"], application_id=application.pk, days=5, reason="需征求相关部门意见"
        )
    clock = application_clock(extended, today=D(2025, 10, 20))
    assert clock is not None
    assert (clock.promised.due, clock.statutory.due, clock.extension_days) == (D(2025, 10, 30), D(2025, 11, 13), 5)
    with on("2025-10-22"):
        services.application_review(actor=people["reviewer"], application_id=application.pk, verdict="agree")
        decided = services.application_decide(
            actor=people["approver"], application_id=application.pk, outcome="approved"
        )
    assert decided.status == S.APPROVED
    assert decided.form_data == {**ANSWERS, "area": 50}
    events = [(event.action, event.status, event.actor_name) for event in decided.events.order_by("at", "pk")]
    assert events == [
        ("submit", S.RECEIVED, "王小明"),
        ("supplement_request", S.SUPPLEMENT_STARTED, "窗口甲"),
        ("supplement_answer", S.SUPPLEMENT_ENDED, "王小明"),
        ("accept", S.ACCEPTED, "窗口甲"),
        ("start_handling", S.HANDLING, "审查丙"),
        ("extend", None, "审批丁"),
        ("review", None, "审查丙"),
        ("decide", S.APPROVED, "审批丁"),
    ]
    assert decided.events.get(action="supplement_request").details == {
        "missing": ["营业场所平面图", "食品安全管理制度"]
    }
    audited = AuditEvent.objects.filter(object_type="services.Application", object_id=str(application.pk))
    assert audited.count() == 9  # the draft and the eight steps


def test_lifecycle_with_a_special_procedure_across_the_spring_festival(people: dict[str, Any]) -> None:
    application = _submitted(people, "2026-02-05")
    with on("2026-02-05"):
        services.application_accept(actor=people["clerk"], application_id=application.pk)
    with on("2026-02-06"):
        services.application_start_handling(actor=people["reviewer"], application_id=application.pk)
    before = application_clock(Application.objects.get(pk=application.pk), today=D(2026, 2, 6))
    assert before is not None and before.promised.due == D(2026, 2, 26)  # 14 Feb worked, 15–23 off
    with on("2026-02-10"):
        services.application_special_start(
            actor=people["reviewer"], application_id=application.pk, kind="expert_review", reason="需组织专家评审"
        )
    during = application_clock(Application.objects.get(pk=application.pk), today=D(2026, 2, 20))
    assert during is not None
    # Paused since 10 February: 11, 12, 13 and the Saturday 14th were working days not counted.
    assert (during.paused, during.paused_working_days, during.promised.due) == (True, 4, D(2026, 3, 3))
    with on("2026-02-25"):
        services.application_special_end(
            actor=people["reviewer"], application_id=application.pk, result="专家评审意见：不符合条件"
        )
    after = application_clock(Application.objects.get(pk=application.pk), today=D(2026, 2, 26))
    assert after is not None
    assert (after.paused, after.paused_working_days) == (False, 6)  # 11–14, 24, 25 February
    assert (after.promised.due, after.statutory.due) == (D(2026, 3, 5), D(2026, 3, 19))
    assert after.promised.remaining == 6  # 27, 28 (worked), 2, 3, 4, 5 March
    with on("2026-03-04"):
        services.application_review(actor=people["reviewer"], application_id=application.pk, verdict="agree")
        with pytest.raises(ValidationFailed) as refused:
            services.application_decide(actor=people["approver"], application_id=application.pk, outcome="not_approved")
        assert refused.value.field == "opinion"
        services.application_decide(
            actor=people["approver"],
            application_id=application.pk,
            outcome="not_approved",
            opinion="经专家评审，经营场所不符合食品安全条件",
        )
    record = application_exchange_record(Application.objects.get(pk=application.pk))
    assert record["accept"]["accept_date"] == "2026-02-05"
    assert record["accept"]["project_no"] == application.number
    assert [(p["special_type"], p["result"]) for p in record["special_procedure"]] == [
        ("expert_review", "专家评审意见：不符合条件")
    ]
    assert record["result"]["result_type"] == "13"
    assert [step["event_name"] for step in record["process"]] == ["1", "3", "8", "9", "10", None, "13"]


def test_art_32_without_a_timely_supplement_notice_the_application_counts_as_accepted(people: dict[str, Any]) -> None:
    application = _submitted(people, "2025-09-26")
    assert services.applications_deem_accepted(today=D(2025, 10, 10)) == []  # the last day of the window
    with on("2025-10-13"):
        with pytest.raises(Conflict) as late:
            services.application_request_supplement(
                actor=people["clerk"], application_id=application.pk, missing=["营业场所平面图"]
            )
        assert "2025-10-10" in str(late.value)
    assert services.applications_deem_accepted(today=D(2025, 10, 13)) == [application.number]
    deemed = Application.objects.get(pk=application.pk)
    assert (deemed.status, deemed.accepted_on) == (S.ACCEPTED, D(2025, 9, 26))
    assert deemed.events.get(action="deemed_accepted").actor_name == "the platform"
    assert services.applications_deem_accepted(today=D(2025, 10, 14)) == []


def test_one_supplement_notice_before_acceptance(people: dict[str, Any]) -> None:
    application = _submitted(people, "2025-09-26")
    with on("2025-09-29"):
        with pytest.raises(ValidationFailed):
            services.application_request_supplement(actor=people["clerk"], application_id=application.pk, missing=[" "])
        services.application_request_supplement(
            actor=people["clerk"], application_id=application.pk, missing=["平面图"]
        )
        services.application_answer_supplement(actor=people["applicant"], application_id=application.pk)
        with pytest.raises(Conflict):
            services.application_request_supplement(
                actor=people["clerk"], application_id=application.pk, missing=["又一份材料"]
            )


def test_the_form_is_checked_on_submission_with_every_problem_named(people: dict[str, Any]) -> None:
    with on("2025-09-26"):
        draft = services.application_draft_save(
            actor=people["applicant"],
            task_code=people["item"].item.task_code,
            form_data={"shop_name": "店", "email": "x"},
        )
        with pytest.raises(FormInvalid) as invalid:
            services.application_submit(actor=people["applicant"], application_id=draft.pk)
        assert [(field, str(message)) for field, message in invalid.value.problems] == [
            ("shop_name", "店铺名称: at least 2 characters."),
            ("area", "Fill in 经营面积（平方米）."),
            ("email", "联系邮箱 is not a valid email."),
        ]
        assert Application.objects.get(pk=draft.pk).status == S.DRAFT  # nothing half-written
        services.application_draft_save(actor=people["applicant"], application_id=draft.pk, form_data=ANSWERS)
        assert services.application_submit(actor=people["applicant"], application_id=draft.pk).status == S.RECEIVED


def test_refusals_need_written_reasons_and_conclude(people: dict[str, Any]) -> None:
    first = _submitted(people, "2025-09-26")
    second = _submitted(people, "2025-09-26")
    assert second.number == "41980020250926000002"
    with on("2025-09-29"):
        with pytest.raises(ValidationFailed) as refused:
            services.application_refuse(actor=people["clerk"], application_id=first.pk, reasons="  ")
        assert refused.value.field == "reasons"
        services.application_refuse(actor=people["clerk"], application_id=first.pk, reasons="不属于许可范围")
        services.application_refuse(
            actor=people["clerk"], application_id=second.pk, reasons="请向区市场监管局申请", not_ours=True
        )
    assert Application.objects.get(pk=first.pk).status == S.REFUSED
    assert Application.objects.get(pk=second.pk).status == S.NOT_ACCEPTED
    with on("2025-09-30"), pytest.raises(Conflict):
        services.application_accept(actor=people["clerk"], application_id=first.pk)


def test_withdraw_before_acceptance_recall_after_and_revoke_an_approval(people: dict[str, Any]) -> None:
    withdrawn = _submitted(people, "2025-09-26")
    recalled = _submitted(people, "2025-09-26")
    revoked = _submitted(people, "2025-09-26")
    with on("2025-09-29"):
        assert (
            services.application_withdraw(actor=people["applicant"], application_id=withdrawn.pk).status == S.WITHDRAWN
        )
        for application in (recalled, revoked):
            services.application_accept(actor=people["clerk"], application_id=application.pk)
        services.application_special_start(
            actor=people["reviewer"], application_id=recalled.pk, kind="site_visit", reason="现场核查"
        )
        assert services.application_withdraw(actor=people["applicant"], application_id=recalled.pk).status == S.RECALLED
        services.application_review(actor=people["reviewer"], application_id=revoked.pk, verdict="agree")
        services.application_decide(actor=people["approver"], application_id=revoked.pk, outcome="approved")
        with pytest.raises(ValidationFailed):
            services.application_revoke(actor=people["approver"], application_id=revoked.pk, reasons="")
        services.application_revoke(actor=people["approver"], application_id=revoked.pk, reasons="以欺骗手段取得许可")
    assert Application.objects.get(pk=recalled.pk).pauses == [["2025-09-29", "2025-09-29"]]
    assert all(Application.objects.get(pk=a.pk).concluded_at is not None for a in (withdrawn, recalled, revoked))
    assert Application.objects.get(pk=revoked.pk).status == S.REVOKED


def test_approval_with_tolerance_lists_what_is_owed(people: dict[str, Any]) -> None:
    application = _submitted(people, "2025-09-26")
    with on("2025-09-29"):
        services.application_accept(actor=people["clerk"], application_id=application.pk)
        services.application_review(actor=people["reviewer"], application_id=application.pk, verdict="agree")
        with pytest.raises(ValidationFailed):
            services.application_decide(
                actor=people["approver"], application_id=application.pk, outcome="approved_with_tolerance"
            )
        decided = services.application_decide(
            actor=people["approver"],
            application_id=application.pk,
            outcome="approved_with_tolerance",
            tolerated=["消防验收意见书"],
        )
    assert decided.status == S.APPROVED_WITH_TOLERANCE
    assert decided.events.get(action="decide").details == {
        "outcome": "approved_with_tolerance",
        "tolerated": ["消防验收意见书"],
    }


def test_who_may_take_each_step(people: dict[str, Any], accounts: Any) -> None:
    application = _submitted(people, "2025-09-26")
    with on("2025-09-29"):
        for stranger in (people["other_citizen"], people["clerk"], accounts.admin):
            with pytest.raises((NotFound, PermissionDenied)):
                services.application_withdraw(actor=stranger, application_id=application.pk)
        for outsider in (people["other_clerk"], people["applicant"], accounts.admin):
            with pytest.raises(NotFound):
                services.application_accept(actor=outsider, application_id=application.pk)
        for wrong_role in (people["reviewer"], people["approver"]):
            with pytest.raises(PermissionDenied):
                services.application_accept(actor=wrong_role, application_id=application.pk)
        services.application_accept(actor=people["clerk"], application_id=application.pk)
        services.application_review(actor=people["reviewer"], application_id=application.pk, verdict="agree")
        with pytest.raises(PermissionDenied):
            services.application_decide(actor=people["reviewer"], application_id=application.pk, outcome="approved")
        with pytest.raises(PermissionDenied):
            services.application_draft_save(
                actor=people["clerk"], task_code=people["item"].item.task_code, form_data=ANSWERS
            )
    assert [summary.number for summary in applications_of(actor=people["applicant"])] == [application.number]
    assert applications_of(actor=people["other_citizen"]) == []
    inbox = department_inbox(actor=people["clerk"], today=D(2025, 9, 29))
    assert [(summary.number, summary.clock is not None) for summary in inbox] == [(application.number, True)]
    assert department_inbox(actor=people["other_clerk"]) == []
    for viewer in (people["applicant"], people["clerk"], accounts.admin):
        assert application_detail(actor=viewer, application_id=application.pk).pk == application.pk
    for stranger in (people["other_citizen"], people["other_clerk"]):
        with pytest.raises(NotFound):
            application_detail(actor=stranger, application_id=application.pk)


def test_an_application_keeps_the_version_it_started_under(people: dict[str, Any], accounts: Any) -> None:
    from yiwang.services.catalog import services as catalog

    application = _submitted(people, "2025-09-26")
    item = people["item"]
    draft = catalog.item_new_draft(actor=accounts.admin, item_id=item.item_id)
    catalog.item_publish(actor=accounts.admin, version_id=draft.pk)
    reloaded = Application.objects.get(pk=application.pk)
    assert (reloaded.item_version_id, reloaded.item_version.number, reloaded.item_version.status) == (
        item.pk,
        1,
        "superseded",
    )


@pytest.mark.django_db(transaction=True)
def test_two_approvers_deciding_at_once_exactly_one_succeeds(people: dict[str, Any]) -> None:
    application = _submitted(people, "2025-09-26")
    with on("2025-09-29"):
        services.application_accept(actor=people["clerk"], application_id=application.pk)
        services.application_review(actor=people["reviewer"], application_id=application.pk, verdict="agree")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(approver: Any, outcome: str) -> None:
        try:
            start.wait(timeout=10)
            services.application_decide(actor=approver, application_id=application.pk, outcome=outcome, opinion="意见")
            outcomes.append("decided")
        except Conflict as conflict:
            outcomes.append(f"conflict:{conflict.code}")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(people["approver"], "approved")),
        threading.Thread(target=decide, args=(people["approver_b"], "not_approved")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict:status_changed", "decided"]
    assert Application.objects.get(pk=application.pk).events.filter(action="decide").count() == 1


def test_the_worker_runs_the_art_32_sweep(people: dict[str, Any]) -> None:
    from django.conf import settings

    from yiwang.services.tasks import deem_applications_accepted

    assert ("yiwang.services.tasks.deem_applications_accepted", 3600) in settings.YIWANG_PERIODIC_TASKS
    application = _submitted(people, "2025-09-26")
    with on("2025-10-13"):
        assert deem_applications_accepted.enqueue().return_value == 1  # the immediate backend in tests
    assert Application.objects.get(pk=application.pk).accepted_on == D(2025, 9, 26)


def test_the_inbox_pages_by_the_stored_urgency(people: dict[str, Any], monkeypatch: Any) -> None:
    from yiwang.services.applications import selectors
    from yiwang.services.applications.selectors import department_inbox_count

    monkeypatch.setattr(selectors, "INBOX_PAGE", 2)
    first = _submitted(people, "2025-09-26")  # the art. 32 window ends 10 October
    second = _submitted(people, "2025-09-29")  # ends 13 October
    accepted = _submitted(people, "2025-09-29")
    with on("2025-09-30"):
        services.application_accept(actor=people["clerk"], application_id=accepted.pk)  # promised: 21 October (1–8 off)
    assert [a.urgent_on for a in Application.objects.order_by("pk")] == [
        D(2025, 10, 10),
        D(2025, 10, 13),
        D(2025, 10, 21),
    ]
    pages = [department_inbox(actor=people["clerk"], page=page) for page in (1, 2, 3)]
    assert [[summary.number for summary in page] for page in pages] == [
        [first.number, second.number],
        [accepted.number],
        [],
    ]
    assert department_inbox_count(actor=people["clerk"]) == 3
    Application.objects.update(urgent_on=None)  # as after the calendar changed: the daily pass puts them right
    assert services.applications_recompute_urgency() == 3
    assert Application.objects.get(pk=accepted.pk).urgent_on == D(2025, 10, 21)
