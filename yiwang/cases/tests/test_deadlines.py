"""Warnings before the limit, escalation (督办) in levels after it, by the sweep and by hand, with the mail."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from freezegun import freeze_time

from yiwang.cases import services
from yiwang.cases.models import CaseEvent, Escalation, EventKind
from yiwang.cases.tests.conftest import Hotline, take_call
from yiwang.core.calendar.services import calendar_import, parse_override_rows
from yiwang.core.errors import Conflict, PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def late_case(hotline: Hotline) -> Any:
    # Monday 2 November 2026: a complaint is due at the end of Thursday 19 November (13 working days).
    with freeze_time("2026-11-02T02:00:00Z"):
        case = take_call(hotline)
        services.case_dispatch(
            actor=hotline.dispatcher, case_id=case.pk, category_code=hotline.lamp, lead_department_id=hotline.urban
        )
        services.case_sign(actor=hotline.urban_handler, case_id=case.pk)
    case.refresh_from_db()
    return case


def test_warned_once_on_the_last_day_but_one(hotline: Hotline, late_case: Any) -> None:
    with freeze_time("2026-11-17T02:00:00Z"):
        assert services.cases_watch_deadlines().warned == 0
    with freeze_time("2026-11-18T02:00:00Z"):
        assert services.cases_watch_deadlines() == services.WatchResult(warned=1, escalated=0)
        assert services.cases_watch_deadlines() == services.WatchResult(warned=0, escalated=0)
    assert CaseEvent.objects.filter(case=late_case, kind="warned").count() == 1


def test_escalated_level_by_level_and_mailed(
    hotline: Hotline, late_case: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.YIWANG_CASES_ESCALATION_STEP_DAYS = 2
    with freeze_time("2026-11-20T02:00:00Z"), django_capture_on_commit_callbacks(execute=True):
        assert services.cases_watch_deadlines().escalated == 1  # Friday, the first working day late
        assert services.cases_watch_deadlines().escalated == 0
    late_case.refresh_from_db()
    assert late_case.escalation_level == 1
    # Level 1: the lead unit's handlers (and its own supervisors, of whom it has none).
    assert mail.outbox[-1].to == ["urban@example.cn"]
    assert late_case.number in mail.outbox[-1].subject
    with freeze_time("2026-11-24T02:00:00Z"), django_capture_on_commit_callbacks(execute=True):
        services.cases_watch_deadlines()  # Tuesday, three working days late
    late_case.refresh_from_db()
    assert late_case.escalation_level == 2
    assert mail.outbox[-1].to == ["sup@example.cn", "urban@example.cn"]
    with freeze_time("2026-12-10T02:00:00Z"), django_capture_on_commit_callbacks(execute=True):
        services.cases_watch_deadlines()
    late_case.refresh_from_db()
    assert late_case.escalation_level == 3
    assert list(Escalation.objects.filter(case=late_case).values_list("level", flat=True)) == [1, 2, 3]
    with pytest.raises(Conflict):
        services.case_escalate(actor=hotline.dispatcher, case_id=late_case.pk, reason="再督办")


def test_escalation_by_hand_is_for_dispatchers_and_oversight(hotline: Hotline, late_case: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.case_escalate(actor=hotline.urban_handler, case_id=late_case.pk, reason="催一下")
    services.case_escalate(actor=hotline.supervisor, case_id=late_case.pk, reason="群众反映强烈，请加快办理")
    late_case.refresh_from_db()
    assert late_case.escalation_level == 1
    assert Escalation.objects.get(case=late_case).by_id == hotline.supervisor.pk


def test_concluded_cases_are_not_escalated(hotline: Hotline, late_case: Any) -> None:
    services.case_conclude(actor=hotline.urban_handler, case_id=late_case.pk, reply="已修复")
    with freeze_time("2026-12-10T02:00:00Z"):
        assert services.cases_watch_deadlines() == services.WatchResult(warned=0, escalated=0)


def test_reopened_case_starts_a_new_clock_and_escalation(hotline: Hotline, late_case: Any) -> None:
    with freeze_time("2026-11-20T02:00:00Z"):
        services.cases_watch_deadlines()
        services.case_conclude(actor=hotline.urban_handler, case_id=late_case.pk, reply="已修复")
        services.case_follow_up(
            actor=hotline.operator, case_id=late_case.pk, resolved=False, satisfaction="unsatisfied"
        )
    late_case.refresh_from_db()
    assert late_case.escalation_level == 0
    assert late_case.due_at.date().isoformat() > "2026-12-01"


def _dispatched_at(hotline: Hotline, moment: str) -> Any:
    with freeze_time(moment):
        case = take_call(hotline)
        services.case_dispatch(
            actor=hotline.dispatcher, case_id=case.pk, category_code=hotline.lamp, lead_department_id=hotline.urban
        )
    case.refresh_from_db()
    return case


def test_a_clock_over_an_unpublished_year_is_counted_again_once_its_schedule_is_loaded(hotline: Hotline) -> None:
    # Monday 28 December 2026, a complaint (13 working days): 29–31 December, then 2027, whose schedule is not
    # published. By law 1 January (Friday) is a holiday: 4–8 and 11–15 January make the other ten days.
    case = _dispatched_at(hotline, "2026-12-28T02:00:00Z")
    assert case.due_provisional
    assert timezone.localtime(case.due_at).date() == datetime.date(2027, 1, 15)
    assert timezone.localtime(case.sign_due_at).date() == datetime.date(2026, 12, 29)
    # A case whose days all lie in published years is never counted again.
    settled = _dispatched_at(hotline, "2026-11-02T02:00:00Z")
    assert not settled.due_provisional

    # Nothing published yet: checked, still provisional, unchanged.
    with freeze_time("2026-12-30T02:00:00Z"):
        assert services.cases_recount_provisional_deadlines() == services.RecountResult(1, 0, 1)
    case.refresh_from_db()
    assert case.due_provisional and not case.events.filter(kind=EventKind.RECOUNTED).exists()

    # The notice makes 4 January a holiday too (a made-up schedule: the point is that the clock follows it).
    rows = parse_override_rows("date,kind,name\n2027-01-01,休,元旦\n2027-01-04,休,元旦\n")
    calendar_import(actor=None, rows=rows, official_year=2027, notice="国办发明电〔2026〕X号")
    with freeze_time("2026-12-31T02:00:00Z"):
        assert services.cases_recount_provisional_deadlines() == services.RecountResult(1, 1, 0)
        assert services.cases_recount_provisional_deadlines() == services.RecountResult(0, 0, 0)
    case.refresh_from_db()
    assert not case.due_provisional
    assert timezone.localtime(case.due_at).date() == datetime.date(2027, 1, 18)  # the same 13 days, counted again
    assert timezone.localtime(case.warn_at).date() == datetime.date(2027, 1, 15)  # one working day before, 00:00
    assert timezone.localtime(case.sign_due_at).date() == datetime.date(2026, 12, 29)
    event = case.events.get(kind=EventKind.RECOUNTED)
    assert not event.public and event.department_id == hotline.urban
    assert event.data["was"].startswith("2027-01-15") and event.data["due_at"].startswith("2027-01-18")
    # Not late on the old due day any more (the other case, due in November, is).
    with freeze_time("2027-01-18T02:00:00Z"):
        services.cases_watch_deadlines()
    case.refresh_from_db()
    settled.refresh_from_db()
    assert (case.escalation_level, settled.escalation_level) == (0, 3)


def test_an_extension_over_an_unpublished_year_makes_the_clock_provisional(hotline: Hotline) -> None:
    case = _dispatched_at(hotline, "2026-11-30T02:00:00Z")  # 13 working days: due 17 December 2026
    assert not case.due_provisional
    with freeze_time("2026-12-10T02:00:00Z"):
        services.case_sign(actor=hotline.urban_handler, case_id=case.pk)
        extension = services.case_extension_request(
            actor=hotline.urban_handler, case_id=case.pk, days=15, reason="需等待供电公司停电检修"
        )
        services.case_extension_decide(actor=hotline.dispatcher, extension_id=extension.pk, approve=True)
    case.refresh_from_db()
    assert case.due_provisional and case.extended_days == 15
    # 18–31 December (10 working days), 1 January is 元旦 by law, then 4–8 January (5).
    assert timezone.localtime(case.due_at).date() == datetime.date(2027, 1, 8)
