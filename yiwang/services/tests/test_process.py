"""Applications running a BPMN process (ADR 0018), through the real services and the database: the example
process of 民政局 with a parallel review by 人力资源和社会保障局, a countersign of three approvers and its reminder;
the steps' rows, events and stage limits in working days; who may take which step; giving an item its process.

Dates are real (National Day 2025: 1–8 October off, Sunday 28 September and Saturday 11 October worked)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import translation
from freezegun import freeze_time

from yiwang.conftest import City, next_credit_code
from yiwang.core.audit.models import AuditEvent
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.identity.roles import Role
from yiwang.org import services as org_services
from yiwang.services.applications import services
from yiwang.services.applications.process import process_problems, process_text
from yiwang.services.applications.selectors import application_detail, can_see, steps_waiting_for
from yiwang.services.catalog.services import item_new_draft, item_process_set, item_publish
from yiwang.services.models import (
    Application,
    ApplicationProcess,
    ApplicationStatus,
    ApplicationStep,
    ItemVersion,
    ProcessDefinition,
    StepStatus,
    VersionStatus,
    WarningLevel,
)
from yiwang.services.supervision import supervision_notify, supervision_warnings
from yiwang.services.tests.factories import draft_item
from yiwang.services.workflow.engine import default_process_text, example_process_text

pytestmark = pytest.mark.django_db

S = ApplicationStatus
D = datetime.date
UTC = datetime.UTC
ALLOWANCE = example_process_text("minimum_living_allowance")
HR = "人力资源和社会保障局"
FORM = {
    "type": "object",
    "properties": {
        "household_size": {"type": "integer", "title": "家庭人数", "minimum": 1},
        "has_disabled_member": {"type": "boolean", "title": "有无残疾成员"},
    },
    "required": ["household_size"],
}
REMINDER = "两日未完成会签"


@contextmanager
def on(day: str) -> Iterator[None]:
    """10:00 in the city (UTC+8) on that day."""
    with freeze_time(f"{day}T02:00:00Z"):
        yield


@dataclass
class World:
    city: City
    hr: int  # 人力资源和社会保障局
    hr_code: str
    item: ItemVersion  # 民政局's 最低生活保障 with the example process, published
    applicant: Any
    clerk: Any  # 民政局
    reviewer: Any  # 民政局
    hr_reviewer: Any  # 人社局
    approvers: list[Any]  # 民政局, three
    police_reviewer: Any  # 公安局: a department the process asks nothing of
    item_admin: Any  # 民政局
    police_item_admin: Any

    def published(self, bpmn: str, **changes: Any) -> ItemVersion:
        """Another item of 民政局 running `bpmn` (the system's own, past every role check)."""
        draft = draft_item(
            department_id=self.city.civil_affairs, form_schema=FORM, handling_items=(), materials=(), **changes
        )
        if bpmn:
            item_process_set(actor=None, version_id=draft.pk, bpmn=bpmn)
        return item_publish(actor=None, version_id=draft.pk)


@pytest.fixture
def world(city: City, make_citizen: Any, make_staff: Any) -> World:
    return make_world(city, make_citizen, make_staff)


def make_world(city: City, make_citizen: Any, make_staff: Any) -> World:
    hr_code = next_credit_code("11419800")
    hr = org_services.department_create(
        actor=None, name=HR, credit_code=hr_code, kind="government_department", division_code=city.city_code
    ).id
    civil = city.civil_affairs
    world = World(
        city=city,
        hr=hr,
        hr_code=hr_code,
        item=ItemVersion(),
        applicant=make_citizen("低保申请人"),
        clerk=make_staff(civil, (Role.CLERK,), real_name="民政窗口"),
        reviewer=make_staff(civil, (Role.REVIEWER,), real_name="民政审查"),
        hr_reviewer=make_staff(hr, (Role.REVIEWER,), real_name="人社审查"),
        approvers=[make_staff(civil, (Role.APPROVER,), real_name=f"审批{n}") for n in "甲乙丙"],
        police_reviewer=make_staff(city.public_security, (Role.REVIEWER,), real_name="公安审查"),
        item_admin=make_staff(civil, (Role.ITEM_ADMIN,), real_name="民政事项员"),
        police_item_admin=make_staff(city.public_security, (Role.ITEM_ADMIN,), real_name="公安事项员"),
    )
    world.item = world.published(ALLOWANCE, name="最低生活保障审核确认")
    return world


def submit(world: World, form: dict[str, Any], day: str = "2025-09-26", item: ItemVersion | None = None) -> Application:
    with on(day):
        draft = services.application_draft_save(
            actor=world.applicant, task_code=(item or world.item).item.task_code, form_data=form
        )
        return services.application_submit(actor=world.applicant, application_id=draft.pk)


def open_steps(application: Application) -> list[ApplicationStep]:
    return list(application.steps.filter(status=StepStatus.OPEN).order_by("bpmn_id", "instance"))


def opened(application: Application) -> list[str]:
    return [step.bpmn_id for step in open_steps(application)]


def review(world: World, actor: Any, application: Application, verdict: str = "agree", **extra: Any) -> Application:
    return services.application_review(actor=actor, application_id=application.pk, verdict=verdict, **extra)


def accepted(world: World, form: dict[str, Any]) -> Application:
    """Submitted on Friday 26 September 2025, accepted on Monday 29 September."""
    application = submit(world, form)
    with on("2025-09-29"):
        return services.application_accept(actor=world.clerk, application_id=application.pk)


def at_countersign(world: World) -> Application:
    """A household of five, both reviews agreeing; the countersign opened on Friday 10 October."""
    application = accepted(world, {"household_size": 5})
    with on("2025-10-09"):
        review(world, world.hr_reviewer, application, opinion="未就业")
    with on("2025-10-10"):
        return review(world, world.reviewer, application, opinion="收入低于标准")


def test_a_whole_case_through_the_example_process(world: World) -> None:
    application = submit(world, {"household_size": 5})
    assert application.status == S.RECEIVED
    record = ApplicationProcess.objects.get(application=application)
    assert (record.process_id, record.finished, record.next_timer_at) == ("minimum_living_allowance", False, None)
    (accept,) = open_steps(application)
    # 受理 within 5 working days of Friday 26 September: 28 (a Sunday worked), 29, 30 September, 9, 10 October.
    assert (accept.kind, accept.role, accept.department_id, accept.due_on) == (
        "accept",
        "clerk",
        world.city.civil_affairs,
        D(2025, 10, 10),
    )
    # The window of 人社局 has no business with it yet.
    with pytest.raises(NotFound):
        application_detail(actor=world.hr_reviewer, application_id=application.pk)

    with on("2025-09-29"):
        services.application_accept(actor=world.clerk, application_id=application.pk, opinion="材料齐全")
    application.refresh_from_db()
    assert (application.status, application.accepted_on) == (S.ACCEPTED, D(2025, 9, 29))
    accept.refresh_from_db()
    assert (accept.status, accept.done_by, accept.done_by_name, accept.verdict) == ("done", world.clerk, "民政窗口", "")
    steps = {step.bpmn_id: step for step in open_steps(application)}
    assert set(steps) == {"review_income", "review_employment"}
    income, employment = steps["review_income"], steps["review_employment"]
    # 10 working days from Monday 29 September: 30 September, 9–11 (Saturday worked), 13–17 and 20 October.
    assert (income.role, income.department_id, income.due_on) == ("reviewer", world.city.civil_affairs, D(2025, 10, 20))
    # 5 working days: 30 September, 9, 10, 11 and 13 October.
    assert (employment.role, employment.department_id, employment.due_on) == ("reviewer", world.hr, D(2025, 10, 13))

    # 人社局, asked a review, sees the application and finds it among the steps waiting for it.
    assert can_see(world.hr_reviewer, application)
    assert application_detail(actor=world.hr_reviewer, application_id=application.pk).pk == application.pk
    assert [step.pk for step in steps_waiting_for(actor=world.hr_reviewer)] == [employment.pk]
    assert [step.pk for step in steps_waiting_for(actor=world.reviewer)] == [income.pk]
    assert [step.pk for step in steps_waiting_for(actor=world.approvers[0])] == [income.pk]  # a stand-in
    assert steps_waiting_for(actor=world.clerk) == []
    # 公安局 is asked nothing: the application does not exist for it.
    assert not can_see(world.police_reviewer, application)
    assert steps_waiting_for(actor=world.police_reviewer) == []
    with pytest.raises(NotFound):
        application_detail(actor=world.police_reviewer, application_id=application.pk)
    with on("2025-09-30"), pytest.raises(NotFound):
        review(world, world.police_reviewer, application)
    # No decision before the reviews.
    with on("2025-09-30"), pytest.raises(Conflict) as early:
        services.application_decide(actor=world.approvers[0], application_id=application.pk, outcome="approved")
    assert early.value.code == "step_not_open"
    assert "家庭收入和财产核查（民政局）" in str(early.value) and HR in str(early.value)

    with on("2025-10-09"):
        reviewed = review(world, world.hr_reviewer, application, opinion="未就业，未参保")
    assert reviewed.status == S.HANDLING  # the first review puts it under handling
    with on("2025-10-09"), pytest.raises(PermissionDenied) as theirs:
        review(world, world.hr_reviewer, application)  # 民政局's review is left: not theirs
    assert "民政局" in str(theirs.value)
    with on("2025-10-10"):
        review(world, world.reviewer, application, opinion="收入低于标准")

    signatures = open_steps(application)
    assert [(step.bpmn_id, step.instance, step.countersign, step.role) for step in signatures] == [
        ("countersign", 0, 3, "approver"),
        ("countersign", 1, 3, "approver"),
        ("countersign", 2, 3, "approver"),
    ]
    # 3 working days from Friday 10 October: 11 (Saturday worked), 13 and 14 October.
    assert {step.due_on for step in signatures} == {D(2025, 10, 14)}
    assert {step.department_id for step in signatures} == {world.city.civil_affairs}
    assert len(steps_waiting_for(actor=world.approvers[1])) == 3
    with on("2025-10-11"):
        with pytest.raises(PermissionDenied):
            review(world, world.reviewer, application)  # a reviewer does not sign for the approvers
        review(world, world.approvers[0], application, opinion="同意")
        with pytest.raises(Conflict) as twice:
            review(world, world.approvers[0], application)
        assert twice.value.code == "signed"
        with pytest.raises(Conflict) as taken:
            review(world, world.approvers[1], application, step_id=signatures[0].pk)  # signed already
        assert taken.value.code == "step_closed"
        review(world, world.approvers[1], application, step_id=signatures[2].pk)
        assert len(open_steps(application)) == 1
        with pytest.raises(Conflict) as unsigned:
            services.application_decide(actor=world.approvers[0], application_id=application.pk, outcome="approved")
        assert unsigned.value.code == "step_not_open"
        review(world, world.approvers[2], application)
    (decide,) = open_steps(application)
    assert (decide.bpmn_id, decide.kind, decide.role, decide.due_on) == ("decide", "decide", "approver", None)
    with on("2025-10-13"):
        with pytest.raises(PermissionDenied):
            services.application_decide(actor=world.clerk, application_id=application.pk, outcome="approved")
        decided = services.application_decide(
            actor=world.approvers[0], application_id=application.pk, outcome="approved", opinion="准予享受低保"
        )
    assert decided.status == S.APPROVED
    assert open_steps(application) == []
    assert ApplicationProcess.objects.get(application=application).finished

    rows = [
        (step.bpmn_id, step.instance, step.status, step.verdict, step.done_by_name, step.opinion)
        for step in application.steps.order_by("opened_at", "bpmn_id", "instance")
    ]
    assert rows == [
        ("accept", 0, "done", "", "民政窗口", ""),
        ("review_employment", 0, "done", "agree", "人社审查", "未就业，未参保"),
        ("review_income", 0, "done", "agree", "民政审查", "收入低于标准"),
        ("countersign", 0, "done", "agree", "审批甲", "同意"),
        ("countersign", 1, "done", "agree", "审批丙", ""),
        ("countersign", 2, "done", "agree", "审批乙", ""),
        ("decide", 0, "done", "", "审批甲", "准予享受低保"),
    ]
    events = [(event.action, event.status, event.actor_name) for event in decided.events.order_by("at", "pk")]
    assert events == [
        ("submit", S.RECEIVED, "低保申请人"),
        ("accept", S.ACCEPTED, "民政窗口"),
        ("review", S.HANDLING, "人社审查"),
        ("review", None, "民政审查"),
        ("review", None, "审批甲"),
        ("review", None, "审批乙"),
        ("review", None, "审批丙"),
        ("decide", S.APPROVED, "审批甲"),
    ]
    reviews = [event.details for event in decided.events.filter(action="review").order_by("at", "pk")]
    assert reviews[0] == {
        "step": "就业和社会保险核查（人社局）",
        "bpmn_id": "review_employment",
        "verdict": "agree",
        "department": HR,
    }
    assert reviews[1]["department"] == "民政局" and reviews[1]["bpmn_id"] == "review_income"
    assert reviews[2] == {
        "step": "集体审议（三人会签）",
        "bpmn_id": "countersign",
        "verdict": "agree",
        "department": "民政局",
        "countersign": 3,
    }
    # 人社局 still sees the application it reviewed; the steps waiting for anyone are none.
    assert application_detail(actor=world.hr_reviewer, application_id=application.pk).status == S.APPROVED
    assert steps_waiting_for(actor=world.approvers[0]) == []


def test_a_small_household_goes_from_the_reviews_to_the_decision(world: World) -> None:
    application = accepted(world, {"household_size": 2})
    with on("2025-10-09"):
        review(world, world.reviewer, application)
        # An approver of 民政局 may stand in for its reviewer, but not for 人社局's.
        with pytest.raises(PermissionDenied):
            review(world, world.approvers[0], application)
        review(world, world.hr_reviewer, application)
    assert opened(application) == ["decide"]


@pytest.mark.parametrize("disagreeing", ["reviewer", "hr_reviewer"])
def test_a_disagreeing_review_goes_to_the_decision_even_for_a_big_household(world: World, disagreeing: str) -> None:
    application = accepted(world, {"household_size": 6, "has_disabled_member": True})
    first, second = (
        (world.reviewer, world.hr_reviewer) if disagreeing == "reviewer" else (world.hr_reviewer, world.reviewer)
    )
    with on("2025-10-09"):
        with pytest.raises(ValidationFailed) as no_reasons:
            review(world, first, application, verdict="disagree")
        assert no_reasons.value.field == "opinion"
        with pytest.raises(ValidationFailed) as bad:
            review(world, first, application, verdict="maybe")
        assert bad.value.field == "verdict"
        review(world, first, application, verdict="disagree", opinion="家庭收入超过标准")
        review(world, second, application, verdict="agree")  # taken last, it does not hide the disagreement
    assert opened(application) == ["decide"]
    disagreed = application.steps.get(verdict="disagree")
    assert (disagreed.opinion, disagreed.status) == ("家庭收入超过标准", "done")
    assert application.events.filter(action="review", details__verdict="disagree").count() == 1
    with on("2025-10-10"):
        decided = services.application_decide(
            actor=world.approvers[0], application_id=application.pk, outcome="not_approved", opinion="收入超标"
        )
    assert decided.status == S.NOT_APPROVED


def test_a_review_outside_the_reviews_is_refused(world: World) -> None:
    application = submit(world, {"household_size": 3})
    with on("2025-09-29"), pytest.raises(Conflict):
        review(world, world.reviewer, application)  # not accepted yet
    with on("2025-09-29"):
        services.application_accept(actor=world.clerk, application_id=application.pk)
    with on("2025-09-30"):
        review(world, world.reviewer, application)
        review(world, world.hr_reviewer, application)
        with pytest.raises(Conflict) as none_left:
            review(world, world.reviewer, application)
    assert none_left.value.code == "step_not_open"


def test_withdrawal_before_acceptance_cancels_the_acceptance_step(world: World) -> None:
    application = submit(world, {"household_size": 3})
    with on("2025-09-29"):
        withdrawn = services.application_withdraw(actor=world.applicant, application_id=application.pk, reason="不办了")
    assert withdrawn.status == S.WITHDRAWN
    assert [(step.bpmn_id, step.status) for step in application.steps.all()] == [("accept", "cancelled")]
    record = ApplicationProcess.objects.get(application=application)
    assert (record.finished, record.next_timer_at) == (True, None)


def test_refusal_cancels_the_acceptance_step(world: World) -> None:
    application = submit(world, {"household_size": 3})
    with on("2025-09-29"):
        refused = services.application_refuse(
            actor=world.clerk, application_id=application.pk, reasons="不属于本市户籍"
        )
    assert refused.status == S.REFUSED
    assert [(step.bpmn_id, step.status) for step in application.steps.all()] == [("accept", "cancelled")]
    assert ApplicationProcess.objects.get(application=application).finished
    assert steps_waiting_for(actor=world.clerk) == []


def test_a_recall_cancels_the_open_reviews_and_the_reminder(world: World) -> None:
    application = at_countersign(world)
    assert ApplicationProcess.objects.get(application=application).next_timer_at is not None
    with on("2025-10-11"):
        review(world, world.approvers[0], application)
        recalled = services.application_withdraw(actor=world.applicant, application_id=application.pk, reason="撤回")
    assert recalled.status == S.RECALLED
    statuses = [(step.bpmn_id, step.status) for step in application.steps.filter(bpmn_id="countersign")]
    assert sorted(statuses) == [("countersign", "cancelled"), ("countersign", "cancelled"), ("countersign", "done")]
    record = ApplicationProcess.objects.get(application=application)
    assert (record.finished, record.next_timer_at) == (True, None)
    assert steps_waiting_for(actor=world.approvers[1]) == []
    with on("2025-10-20"):
        assert services.applications_fire_process_timers() == []


def test_the_countersign_reminder_fires_through_the_worker(world: World) -> None:
    application = at_countersign(world)
    record = ApplicationProcess.objects.get(application=application)
    assert record.next_timer_at == datetime.datetime(2025, 10, 12, 2, 0, tzinfo=UTC)  # two days after it opened
    with on("2025-10-11"):
        assert services.applications_fire_process_timers() == []  # not due
    with on("2025-10-13"):
        # `now` chooses which processes are due: none before the timer.
        assert services.applications_fire_process_timers(now=datetime.datetime(2025, 10, 12, 1, tzinfo=UTC)) == []
        assert services.applications_fire_process_timers() == [application.number]
        assert services.applications_fire_process_timers() == []  # once
    (event,) = application.events.filter(action="process_timer")
    assert event.details == {"timers": [REMINDER]}
    assert event.status is None
    assert Application.objects.get(pk=application.pk).status == S.HANDLING
    record.refresh_from_db()
    assert (record.next_timer_at, record.finished) == (None, False)
    assert "countersign_reminded" in record.state
    # The reminder does not interrupt: the three signatures are still asked for, and the case concludes.
    assert opened(application) == ["countersign"] * 3
    with on("2025-10-13"):
        for approver in world.approvers:
            review(world, approver, application)
        services.application_decide(actor=world.approvers[1], application_id=application.pk, outcome="approved")
    assert ApplicationProcess.objects.get(application=application).finished


def test_a_department_named_by_its_credit_code(world: World) -> None:
    text = ALLOWANCE.replace(f"reviewer@{HR}", f"reviewer@{world.hr_code}")
    assert text != ALLOWANCE
    assert process_problems(text) == []
    item = world.published(text)
    application = submit(world, {"household_size": 2}, item=item)
    with on("2025-09-29"):
        services.application_accept(actor=world.clerk, application_id=application.pk)
    employment = application.steps.get(bpmn_id="review_employment")
    assert employment.department_id == world.hr
    assert [step.pk for step in steps_waiting_for(actor=world.hr_reviewer)] == [employment.pk]


def test_unknown_and_ambiguous_departments_are_problems(world: World) -> None:
    unknown = ALLOWANCE.replace(f"reviewer@{HR}", "reviewer@不存在局")
    (problem,) = process_problems(unknown)
    assert (problem.element, problem.message) == (
        "review_employment",
        "No active department is named or has the credit code 不存在局.",
    )
    assert problem.line == next(
        number for number, line in enumerate(ALLOWANCE.splitlines(), 1) if 'id="review_employment"' in line
    )
    org_services.department_create(
        actor=None,
        name=HR,
        credit_code=next_credit_code("11419802"),
        kind="government_department",
        division_code=world.city.district_code,
    )
    (ambiguous,) = process_problems(ALLOWANCE)
    assert ambiguous.message.startswith(f"Several departments are named {HR}")
    assert process_problems(ALLOWANCE.replace(f"reviewer@{HR}", f"reviewer@{world.hr_code}")) == []


def test_the_default_processes(world: World) -> None:
    promised = world.published("")
    assert promised.process_bpmn == "" and process_text(promised) == default_process_text("promised")
    application = submit(world, {"household_size": 1}, item=promised)
    assert ApplicationProcess.objects.get(application=application).process_id == "promised"
    with on("2025-09-29"):
        services.application_accept(actor=world.clerk, application_id=application.pk)
        assert opened(application) == ["review"]
        services.application_review(actor=world.reviewer, application_id=application.pk, verdict="agree")
        services.application_decide(actor=world.approvers[0], application_id=application.pk, outcome="approved")
    assert [step.bpmn_id for step in application.steps.order_by("opened_at", "pk")] == ["accept", "review", "decide"]

    immediate = world.published("", project_type="immediate", promised_limit=0)
    application = submit(world, {"household_size": 1}, item=immediate)
    assert ApplicationProcess.objects.get(application=application).process_id == "immediate"
    (decide,) = open_steps(application)
    assert (decide.role, decide.due_on) == ("clerk", D(2025, 9, 28))  # 1 working day: the Sunday worked
    with on("2025-09-26"):
        services.application_accept(actor=world.clerk, application_id=application.pk)  # no acceptance step
        with pytest.raises(PermissionDenied):
            services.application_decide(actor=world.approvers[0], application_id=application.pk, outcome="approved")
        decided = services.application_decide(actor=world.clerk, application_id=application.pk, outcome="approved")
    assert decided.status == S.APPROVED
    assert ApplicationProcess.objects.get(application=application).finished


# --- giving an item its process --------------------------------------------------------------------------------

BAD = ALLOWANCE.replace(
    '<bpmn:scriptTask id="remind" name="记录催办">', '<bpmn:serviceTask id="remind" name="记录催办">'
).replace("</bpmn:scriptTask>", "</bpmn:serviceTask>")


def test_item_process_set_refuses_a_bad_file_listing_every_problem(world: World) -> None:
    draft = draft_item(department_id=world.city.civil_affairs, handling_items=(), materials=())
    with pytest.raises(ValidationFailed) as refused:
        item_process_set(actor=world.item_admin, version_id=draft.pk, bpmn=BAD)
    problems = refused.value.problems  # type: ignore[attr-defined]
    assert refused.value.field == "process"
    assert [field for field, _message in problems] == ["process", "process"]
    messages = [message for _field, message in problems]
    assert any("remind: not supported: service tasks" in message for message in messages)
    # …and the script left inside it, which the BPMN 2.0 schema does not allow there.
    assert any(message.startswith("line ") and "BPMN 2.0 schema" in message for message in messages)
    with pytest.raises(ValidationFailed) as not_xml:
        item_process_set(actor=world.item_admin, version_id=draft.pk, bpmn=b"\xff\xfe not utf-8")
    assert "UTF-8" in str(not_xml.value)
    draft.refresh_from_db()
    assert draft.process_bpmn == ""


def test_item_process_set_by_the_departments_item_administrator(world: World) -> None:
    draft = draft_item(department_id=world.city.civil_affairs, handling_items=(), materials=())
    for outsider in (world.police_item_admin, world.clerk, world.approvers[0], world.hr_reviewer):
        with pytest.raises(PermissionDenied):
            item_process_set(actor=outsider, version_id=draft.pk, bpmn=ALLOWANCE)
    set_ = item_process_set(actor=world.item_admin, version_id=draft.pk, bpmn=ALLOWANCE.encode("utf-8"))
    assert set_.process_bpmn == ALLOWANCE
    audited = AuditEvent.objects.get(action="services.item.process", object_id=str(draft.pk))
    assert json.loads(audited.changes)["process_sha256"] != ""
    reset = item_process_set(actor=world.item_admin, version_id=draft.pk, bpmn="")
    assert reset.process_bpmn == ""
    assert process_text(reset) == default_process_text("promised")


def test_a_published_version_keeps_its_process(world: World) -> None:
    assert world.item.status == VersionStatus.PUBLISHED
    with pytest.raises(Conflict):
        item_process_set(actor=world.item_admin, version_id=world.item.pk, bpmn="")
    with pytest.raises(Conflict):
        item_process_set(actor=None, version_id=world.item.pk, bpmn=default_process_text("promised"))
    world.item.refresh_from_db()
    assert world.item.process_bpmn == ALLOWANCE


def test_a_new_draft_copies_the_process(world: World) -> None:
    draft = item_new_draft(actor=world.item_admin, item_id=world.item.item_id)
    assert (draft.status, draft.number) == (VersionStatus.DRAFT, 2)
    assert draft.process_bpmn == ALLOWANCE


def test_a_running_case_keeps_the_process_it_started_under(world: World) -> None:
    """A new release's default processes, or a version changed behind the services' back, never change a case
    under way: it runs the text it started under, kept by its digest."""
    application = accepted(world, {"household_size": 2})
    started = ApplicationProcess.objects.get(application=application)
    assert ProcessDefinition.objects.get(digest=started.digest).text == ALLOWANCE
    ItemVersion.objects.filter(pk=world.item.pk).update(process_bpmn=default_process_text("promised"))
    assert opened(application) == ["review_employment", "review_income"]  # the parallel reviews, as it started
    with on("2025-10-09"):
        review(world, world.hr_reviewer, application)
        review(world, world.reviewer, application)
        decided = services.application_decide(
            actor=world.approvers[0], application_id=application.pk, outcome="approved"
        )
    assert decided.status == S.APPROVED
    later = submit(world, {"household_size": 2})  # a new case runs what the version says now
    assert opened(later) == ["accept"]
    assert ApplicationProcess.objects.get(application=later).process_id == "promised"


def test_one_broken_process_does_not_stop_the_others_timers(world: World) -> None:
    broken, sound = at_countersign(world), at_countersign(world)
    ApplicationProcess.objects.filter(application=broken).update(state="{not json")
    with on("2025-10-13"):
        assert services.applications_fire_process_timers() == [sound.number]
    assert not broken.events.filter(action="process_timer").exists()
    assert ApplicationProcess.objects.get(application=broken).next_timer_at is not None  # tried again next time
    assert sound.events.filter(action="process_timer").count() == 1


def test_a_process_may_give_the_decision_to_another_department(world: World, make_staff: Any) -> None:
    bpmn = default_process_text("promised").replace(
        "<bpmn:formalExpression>approver</bpmn:formalExpression>",
        f"<bpmn:formalExpression>approver@{HR}</bpmn:formalExpression>",
    )
    item = world.published(bpmn, name="联合审批事项")
    hr_approver = make_staff(world.hr, (Role.APPROVER,), real_name="人社审批")
    application = submit(world, {"household_size": 2}, item=item)
    with on("2025-09-29"):
        services.application_accept(actor=world.clerk, application_id=application.pk)
        review(world, world.reviewer, application)
        with pytest.raises(PermissionDenied):  # the item's own approvers are not asked
            services.application_decide(actor=world.approvers[0], application_id=application.pk, outcome="approved")
        assert [step.application_id for step in steps_waiting_for(actor=hr_approver)] == [application.pk]
        decided = services.application_decide(actor=hr_approver, application_id=application.pk, outcome="approved")
    assert decided.status == S.APPROVED
    assert decided.events.get(action="decide").actor_name == "人社审批"


def test_a_step_past_its_stage_limit_is_a_yellow_warning_until_it_is_taken(world: World) -> None:
    """人社局's check has 5 working days (due 13 October, National Day in between); past it the board shows the
    application yellow, naming the step and its department, and the warning clears once the step is taken."""
    application = accepted(world, {"household_size": 2})

    def stage_warnings(day: datetime.date) -> list[Any]:
        return [
            message
            for warning in supervision_warnings(application_ids=[application.pk], today=day)
            if "stage_overdue" in warning.reasons
            for message in warning.messages
            if "stage limit" in str(message)
        ]

    assert stage_warnings(D(2025, 10, 13)) == []  # the last day of the stage
    (late,) = stage_warnings(D(2025, 10, 14))
    with translation.override("en"):
        assert str(late) == f"The step 就业和社会保险核查（人社局） ({HR}) passed its stage limit on 2025-10-13."
    (warning,) = supervision_warnings(application_ids=[application.pk], today=D(2025, 10, 14))
    assert warning.level == WarningLevel.YELLOW
    with on("2025-10-14"):
        review(world, world.hr_reviewer, application)
    assert stage_warnings(D(2025, 10, 14)) == []
    assert len(stage_warnings(D(2025, 10, 21))) == 1  # 民政局's own check, due 20 October, is late in its turn


def test_a_late_step_is_mailed_to_its_assignees_in_another_department(
    world: World, make_staff: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """人社局's check is late: the warning reaches 人社局's reviewers, whom the process asked, besides 民政局."""
    make_staff(world.hr, (Role.REVIEWER,), real_name="人社审查乙", email="shencha@renshe.minghu.gov.cn")
    make_staff(world.hr, (Role.CLERK,), real_name="人社窗口", email="chuangkou@renshe.minghu.gov.cn")  # not asked
    make_staff(world.city.civil_affairs, (Role.SUPERVISOR,), real_name="民政监察", email="jiancha@minzheng.gov.cn")
    application = accepted(world, {"household_size": 2})
    with on("2025-10-14"), django_capture_on_commit_callbacks(execute=True):
        assert supervision_notify() == [(application.number, 1)]
    (mail,) = mailoutbox
    assert sorted(mail.to) == ["jiancha@minzheng.gov.cn", "shencha@renshe.minghu.gov.cn"]
    assert "就业和社会保险核查" in mail.body
