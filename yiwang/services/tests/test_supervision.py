"""Electronic supervision: warnings computed from the calendar when read, rules, the board, notification once per
level. Dates as in test_applications: accepted Friday 10 October 2025, promised 10 working days → 23 October,
statutory 20 → 6 November (Saturday 11 October worked)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from yiwang.core.errors import PermissionDenied, ValidationFailed
from yiwang.identity.roles import Role
from yiwang.services.applications import services
from yiwang.services.models import Application, SupervisionRule
from yiwang.services.supervision import (
    supervision_board,
    supervision_notify,
    supervision_rule_set,
    supervision_warnings,
)
from yiwang.services.tests.test_applications import _submitted, on, people  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def accepted(people: dict[str, Any]) -> Application:  # noqa: F811 - the fixture imported above
    application = _submitted(people, "2025-10-09")
    with on("2025-10-10"):
        return services.application_accept(actor=people["clerk"], application_id=application.pk)


def _levels(today: D, **filters: Any) -> list[tuple[str, int, tuple[str, ...]]]:
    return [(w.application.number, w.level, w.reasons) for w in supervision_warnings(today=today, **filters)]


def test_warnings_follow_the_promised_and_statutory_limits(accepted: Application) -> None:
    number = accepted.number
    assert _levels(D(2025, 10, 13)) == []  # 8 of 10 days left
    assert _levels(D(2025, 10, 20)) == []  # 3 left, 70 % elapsed
    assert _levels(D(2025, 10, 21)) == [(number, 1, ("few_days_left",))]  # 22 and 23 left
    assert _levels(D(2025, 10, 23)) == [(number, 1, ("few_days_left",))]  # the due day itself
    assert _levels(D(2025, 10, 24)) == [(number, 2, ("promised_overdue",))]
    assert _levels(D(2025, 11, 7)) == [(number, 2, ("statutory_overdue", "promised_overdue"))]


def test_a_share_of_the_limit_elapsed_and_a_departments_own_rule(accepted: Application, accounts: Any) -> None:
    supervision_rule_set(
        actor=accounts.admin, department_id=None, yellow_days_remaining=0, yellow_share_elapsed=60, intake_days=2
    )
    assert _levels(D(2025, 10, 17)) == [(accepted.number, 1, ("share_elapsed",))]  # 4 of 10 left: 60 %
    supervision_rule_set(
        actor=accounts.admin,
        department_id=accepted.department_id,
        yellow_days_remaining=5,
        yellow_share_elapsed=100,
        intake_days=2,
    )
    assert _levels(D(2025, 10, 16)) == [(accepted.number, 1, ("few_days_left",))]  # 5 left: the department's rule
    with pytest.raises(ValidationFailed) as refused:
        supervision_rule_set(
            actor=accounts.admin, department_id=None, yellow_days_remaining=1, yellow_share_elapsed=0, intake_days=2
        )
    assert refused.value.field == "yellow_share_elapsed"
    supervision_rule_set(
        actor=accounts.admin, department_id=None, yellow_days_remaining=1, yellow_share_elapsed=90, intake_days=3
    )
    assert [(rule.department_id, rule.yellow_days_remaining) for rule in SupervisionRule.objects.order_by("pk")] == [
        (None, 1),
        (accepted.department_id, 5),
    ]
    with pytest.raises(PermissionDenied):
        supervision_rule_set(
            actor=accounts.staff, department_id=None, yellow_days_remaining=1, yellow_share_elapsed=90, intake_days=3
        )


def test_a_paused_clock_raises_nothing_and_warnings_clear_when_the_case_moves_on(
    accepted: Application,
    people: dict[str, Any],  # noqa: F811 - the fixture imported above
) -> None:
    with on("2025-10-20"):
        services.application_special_start(
            actor=people["reviewer"], application_id=accepted.pk, kind="testing", reason="送检"
        )
    assert _levels(D(2025, 10, 24)) == []  # paused since the 20th: nothing is late
    with on("2025-10-27"):
        services.application_special_end(actor=people["reviewer"], application_id=accepted.pk, result="合格")
    # Paused 21, 22, 23, 24, 27 October: the promised limit moves from 23 October to 30 October.
    assert _levels(D(2025, 10, 29)) == [(accepted.number, 1, ("few_days_left",))]
    with on("2025-10-29"):
        services.application_review(actor=people["reviewer"], application_id=accepted.pk, verdict="agree")
        services.application_decide(actor=people["approver"], application_id=accepted.pk, outcome="approved")
    assert _levels(D(2025, 11, 30)) == []


def test_an_application_waiting_at_the_window(people: dict[str, Any]) -> None:  # noqa: F811
    application = _submitted(people, "2025-09-26")
    assert _levels(D(2025, 9, 28)) == []  # the Sunday worked: one working day waited
    assert _levels(D(2025, 9, 29)) == [(application.number, 1, ("intake_late",))]
    with on("2025-09-29"):
        services.application_request_supplement(actor=people["clerk"], application_id=application.pk, missing=["图"])
    assert _levels(D(2025, 9, 30)) == []


def test_the_board_by_role(
    accepted: Application,
    people: dict[str, Any],  # noqa: F811 - the fixture imported above
    make_staff: Any,
    city: Any,
    accounts: Any,
) -> None:
    supervisor = make_staff(city.civil_affairs, (Role.SUPERVISOR,))
    other_supervisor = make_staff(city.public_security, (Role.SUPERVISOR,))
    with on("2025-10-24"):
        assert [w.application.number for w in supervision_board(actor=supervisor)] == [accepted.number]
        assert supervision_board(actor=other_supervisor) == []
        with pytest.raises(PermissionDenied):
            supervision_board(actor=other_supervisor, department_id=city.civil_affairs)
        everything = supervision_board(actor=accounts.admin)
        assert [w.application.number for w in everything] == [accepted.number]
        assert supervision_board(actor=accounts.admin, level=1) == []
        assert supervision_board(actor=accounts.admin, task_code="NO-SUCH") == []
        nowhere = make_staff(city.civil_affairs, (Role.SUPERVISOR,))
        nowhere.department_id = None  # a supervisor of no department supervises nothing (not every department)
        for refused in (people["clerk"], people["applicant"], None, nowhere):
            with pytest.raises(PermissionDenied):
                supervision_board(actor=refused)


def test_each_level_is_mailed_once(
    accepted: Application, make_staff: Any, city: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_staff(city.civil_affairs, (Role.SUPERVISOR,), email="jiancha@minghu.gov.cn")
    make_staff(city.public_security, (Role.SUPERVISOR,), email="other@minghu.gov.cn")
    expected = {
        "2025-10-13": [],
        "2025-10-21": [(accepted.number, 1)],
        "2025-10-22": [],
        "2025-10-24": [(accepted.number, 2)],
    }
    for day, sent in expected.items():  # the 22nd is still yellow: already told
        with on(day), django_capture_on_commit_callbacks(execute=True):
            assert supervision_notify() == sent, day
    assert [mail.to for mail in mailoutbox] == [["jiancha@minghu.gov.cn"], ["jiancha@minghu.gov.cn"]]
    assert accepted.number in mailoutbox[1].subject
    assert Application.objects.get(pk=accepted.pk).warned_level == 2


@pytest.mark.parametrize(
    ("role", "status", "count"),
    [
        ("anonymous", 401, None),
        ("citizen", 403, None),
        ("agent", 403, None),
        ("staff", 403, None),  # a clerk
        ("staff_other", 403, None),
        ("supervisor_other", 200, 0),  # a supervisor of 公安局: not the handling department
        ("supervisor", 200, 1),
        ("admin", 200, 1),
    ],
)
def test_the_board_api_by_role(
    accepted: Application, accounts: Any, make_staff: Any, city: Any, role: str, status: int, count: int | None
) -> None:
    from django.test import Client

    from yiwang.conftest import sign_in

    users = {
        "citizen": accounts.citizen,
        "agent": accounts.agent,
        "staff": accounts.staff,
        "staff_other": accounts.staff_other,
        "supervisor_other": accounts.supervisor,
        "supervisor": make_staff(city.civil_affairs, (Role.SUPERVISOR,)),
        "admin": accounts.admin,
    }
    client = Client() if role == "anonymous" else sign_in(Client(), users[role])
    answer = client.get("/api/v1/services/supervision/warnings")  # today: long past both limits
    assert answer.status_code == status
    if count is not None:
        body = answer.json()
        assert len(body) == count
        if count:
            assert (body[0]["level"], body[0]["reasons"], body[0]["application"]["number"]) == (
                2,
                ["statutory_overdue", "promised_overdue"],
                accepted.number,
            )
    bad = sign_in(Client(), accounts.admin).get("/api/v1/services/supervision/warnings", {"level": "3"})
    assert bad.status_code == 422
