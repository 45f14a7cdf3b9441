"""Warnings before the limit, escalation (督办) in levels after it, by the sweep and by hand, with the mail."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from freezegun import freeze_time

from yiwang.cases import services
from yiwang.cases.models import CaseEvent, Escalation
from yiwang.cases.tests.conftest import Hotline, take_call
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
