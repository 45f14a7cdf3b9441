"""Ratings (好差评): each service event rated once after it happened, bad ratings rectified by a working-day
deadline, return visits, appeals, exact statistics, and who may do what (services and API).

Dates as in test_applications: National Day 2025 (1–8 October off, Saturday 11 October worked). A bad rating on
Tuesday 30 September with the default 5 working days is due on 14 October: 9, 10, 11 (Saturday worked), 13, 14.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client

from yiwang.conftest import sign_in
from yiwang.core.audit.models import AuditEvent
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.identity.roles import Role
from yiwang.services import ratings
from yiwang.services.applications import services
from yiwang.services.models import Application, Rating, RatingAppeal, Rectification, RectificationStatus
from yiwang.services.tests.factories import published_item
from yiwang.services.tests.test_applications import ANSWERS, FORM, _submitted, on, people  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
D = datetime.date
R = RectificationStatus


@pytest.fixture
def staff(people: dict[str, Any], make_staff: Any, city: Any) -> dict[str, Any]:  # noqa: F811 - the fixture
    """The handling department's (民政局) supervisor and leader, and an approver of another department."""
    return {
        "supervisor": make_staff(city.civil_affairs, (Role.SUPERVISOR,), real_name="监察甲"),
        "leader": make_staff(city.civil_affairs, (Role.LEADER,), real_name="局长乙"),
        "approver_other": make_staff(city.public_security, (Role.APPROVER,), real_name="公安审批"),
    }


def _accepted(people: dict[str, Any], day: str) -> Application:  # noqa: F811
    application = _submitted(people, day)
    with on(day):
        return services.application_accept(actor=people["clerk"], application_id=application.pk)


def _concluded(people: dict[str, Any], day: str) -> Application:  # noqa: F811
    application = _accepted(people, day)
    with on(day):
        services.application_review(actor=people["approver"], application_id=application.pk, verdict="agree")
        return services.application_decide(actor=people["approver"], application_id=application.pk, outcome="approved")


def _rate(people: dict[str, Any], application: Application, day: str, event: str, level: int, **more: Any) -> Rating:  # noqa: F811
    with on(day):
        return ratings.rating_submit(
            actor=more.pop("actor", people["applicant"]),
            application_id=application.pk,
            event=event,
            level=level,
            channel=more.pop("channel", "online"),
            indicators=more.pop("indicators", {}),
            comment=more.pop("comment", ""),
        )


def test_each_event_is_rated_once_and_only_after_it_happened(people: dict[str, Any]) -> None:  # noqa: F811
    application = _submitted(people, "2025-09-26")
    for event in ("acceptance", "supplement", "conclusion"):
        with pytest.raises(Conflict) as early:
            _rate(people, application, "2025-09-26", event, 1)
        assert early.value.code == "not_yet"
    with on("2025-09-29"):
        services.application_request_supplement(actor=people["clerk"], application_id=application.pk, missing=["图"])
    supplement = _rate(people, application, "2025-09-29", "supplement", 2, comment="  一次告知，很清楚  ")
    assert (supplement.level, supplement.channel, supplement.comment) == (2, "online", "一次告知，很清楚")
    with pytest.raises(Conflict) as twice:
        _rate(people, application, "2025-09-30", "supplement", 1)
    assert twice.value.code == "rated"
    with on("2025-09-30"):
        services.application_answer_supplement(actor=people["applicant"], application_id=application.pk)
        services.application_accept(actor=people["clerk"], application_id=application.pk)
    _rate(people, application, "2025-09-30", "acceptance", 1, channel="onsite", indicators={"attitude": 1})
    with pytest.raises(Conflict):
        _rate(people, application, "2025-09-30", "conclusion", 1)
    with on("2025-10-09"):
        services.application_review(actor=people["approver"], application_id=application.pk, verdict="agree")
        services.application_decide(actor=people["approver"], application_id=application.pk, outcome="approved")
    conclusion = _rate(
        people, application, "2025-10-09", "conclusion", 3, indicators={"overall": 3, "efficiency": 2, "usability": 1}
    )
    assert conclusion.indicators == {"overall": 3, "efficiency": 2, "usability": 1}
    assert sorted(Rating.objects.filter(application=application).values_list("event", "level")) == [
        ("acceptance", 1),
        ("conclusion", 3),
        ("supplement", 2),
    ]
    assert not Rectification.objects.exists()  # no bad rating
    audited = AuditEvent.objects.filter(action="services.rating.submit").values_list("object_id", flat=True)
    assert sorted(audited) == sorted(str(pk) for pk in Rating.objects.values_list("pk", flat=True))
    for stranger in (people["other_citizen"], people["clerk"], people["approver"]):
        with pytest.raises(NotFound):
            _rate(people, application, "2025-10-09", "conclusion", 1, actor=stranger)


def test_a_refusal_is_a_conclusion_that_can_be_rated(people: dict[str, Any]) -> None:  # noqa: F811
    application = _submitted(people, "2025-09-26")
    with on("2025-09-26"):
        services.application_refuse(actor=people["clerk"], application_id=application.pk, reasons="不属于本事项")
    assert _rate(people, application, "2025-09-26", "conclusion", 5).event == "conclusion"
    with pytest.raises(Conflict):
        _rate(people, application, "2025-09-26", "acceptance", 1)  # it was never accepted


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"level": 0}, "level"),
        ({"level": 6}, "level"),
        ({"level": True}, "level"),
        ({"event": "payment"}, "event"),
        ({"channel": "hotline"}, "channel"),
        ({"indicators": {"page": 1}}, "indicators.page"),
        ({"channel": "onsite", "indicators": {"usability": 1}}, "indicators.usability"),  # an online indicator
        ({"indicators": {"overall": 9}}, "indicators.overall"),
        ({"indicators": ["overall"]}, "indicators"),
        ({"comment": "好" * 501}, "comment"),
    ],
)
def test_bad_ratings_name_their_field(people: dict[str, Any], changes: dict[str, Any], field: str) -> None:  # noqa: F811
    application = _concluded(people, "2025-09-29")
    values: dict[str, Any] = {"event": "conclusion", "level": 1, "channel": "online", "indicators": {}, "comment": ""}
    with pytest.raises(ValidationFailed) as refused, on("2025-09-29"):
        ratings.rating_submit(actor=people["applicant"], application_id=application.pk, **{**values, **changes})
    assert refused.value.field == field
    assert not Rating.objects.exists()
    assert _rate(people, application, "2025-09-29", "conclusion", 1, comment="好" * 500).comment == "好" * 500


def test_a_bad_rating_is_rectified_by_a_working_day_deadline_and_closed_by_a_return_visit(
    people: dict[str, Any],  # noqa: F811
    staff: dict[str, Any],
    accounts: Any,
) -> None:
    application = _accepted(people, "2025-09-29")
    assert _rate(people, application, "2025-09-30", "acceptance", 3).level == 3
    assert not Rectification.objects.exists()  # 基本满意 is not a bad rating
    with on("2025-10-09"):
        services.application_review(actor=people["approver"], application_id=application.pk, verdict="agree")
        services.application_decide(actor=people["approver"], application_id=application.pk, outcome="approved")
    other = _accepted(people, "2025-09-29")
    bad = _rate(people, other, "2025-09-30", "acceptance", 5, comment="窗口态度差")
    rectification = bad.rectification
    assert (rectification.department_id, rectification.status) == (application.department_id, R.OPEN)
    assert (rectification.due_on, rectification.due_provisional) == (D(2025, 10, 14), False)

    # The department's own rule: 3 working days from Thursday 9 October → 10, 11 (Saturday worked), 13.
    ratings.rating_rule_set(actor=accounts.admin, department_id=None, rectification_days=10)
    ratings.rating_rule_set(actor=accounts.admin, department_id=application.department_id, rectification_days=3)
    second = _rate(people, application, "2025-10-09", "conclusion", 4)
    assert second.rectification.due_on == D(2025, 10, 13)
    with pytest.raises(PermissionDenied):
        ratings.rating_rule_set(actor=staff["supervisor"], department_id=None, rectification_days=3)
    with pytest.raises(ValidationFailed) as bad_days:
        ratings.rating_rule_set(actor=accounts.admin, department_id=None, rectification_days=0)
    assert bad_days.value.field == "rectification_days"

    listed = ratings.rectifications_open(actor=people["approver"], today=D(2025, 10, 13))
    assert [(r.id, r.due_on, r.days_left, r.overdue, r.status) for r in listed] == [
        (second.rectification.pk, D(2025, 10, 13), 0, False, "open"),
        (rectification.pk, D(2025, 10, 14), 1, False, "open"),
    ]
    late = ratings.rectifications_open(actor=staff["leader"], today=D(2025, 10, 15))
    assert [(r.days_left, r.overdue) for r in late] == [(-2, True), (-1, True)]
    assert [r.application_number for r in late] == [application.number, other.number]
    assert ratings.rectifications_open(actor=staff["approver_other"]) == []
    assert len(ratings.rectifications_open(actor=accounts.admin)) == 2
    for refused in (people["clerk"], people["applicant"], None):
        with pytest.raises(PermissionDenied):
            ratings.rectifications_open(actor=refused)

    with pytest.raises(PermissionDenied):
        ratings.rectification_answer(actor=people["clerk"], rectification_id=rectification.pk, answer="已整改")
    for outsider in (staff["approver_other"], people["applicant"], accounts.admin):
        with pytest.raises(NotFound):
            ratings.rectification_answer(actor=outsider, rectification_id=rectification.pk, answer="已整改")
    with pytest.raises(Conflict):
        ratings.rectification_return_visit(
            actor=staff["supervisor"], rectification_id=rectification.pk, view="satisfied"
        )
    with pytest.raises(ValidationFailed) as empty:
        ratings.rectification_answer(actor=people["approver"], rectification_id=rectification.pk, answer="  ")
    assert empty.value.field == "answer"
    with on("2025-10-13"):
        answered = ratings.rectification_answer(
            actor=people["approver"], rectification_id=rectification.pk, answer="已对窗口人员批评教育并调整排班"
        )
    assert (answered.status, answered.answered_by) == (R.ANSWERED, people["approver"])
    with pytest.raises(Conflict):
        ratings.rectification_answer(actor=staff["supervisor"], rectification_id=rectification.pk, answer="再答")
    with on("2025-10-15"):
        ratings.rectification_answer(actor=staff["supervisor"], rectification_id=second.rectification.pk, answer="迟答")
    after = ratings.rectifications_open(actor=people["approver"], today=D(2025, 10, 20))
    assert [(r.status, r.overdue) for r in after] == [("answered", True), ("answered", False)]  # late, on time

    with pytest.raises(PermissionDenied):
        ratings.rectification_return_visit(
            actor=people["approver"], rectification_id=rectification.pk, view="satisfied"
        )
    with pytest.raises(NotFound):
        ratings.rectification_return_visit(
            actor=staff["approver_other"], rectification_id=rectification.pk, view="satisfied"
        )
    with pytest.raises(ValidationFailed) as bad_view:
        ratings.rectification_return_visit(actor=staff["supervisor"], rectification_id=rectification.pk, view="happy")
    assert bad_view.value.field == "view"
    with on("2025-10-16"):
        closed = ratings.rectification_return_visit(
            actor=staff["supervisor"], rectification_id=rectification.pk, view="satisfied", notes="电话回访，群众认可"
        )
        ratings.rectification_return_visit(
            actor=accounts.admin, rectification_id=second.rectification.pk, view="not_satisfied"
        )
    assert (closed.status, closed.visit_view, closed.visit_notes, closed.visited_by) == (
        R.CLOSED,
        "satisfied",
        "电话回访，群众认可",
        staff["supervisor"],
    )
    assert closed.closed_at is not None
    assert ratings.rectifications_open(actor=people["approver"]) == []
    actions = AuditEvent.objects.filter(object_type="services.Rectification", object_id=str(rectification.pk))
    assert sorted(actions.values_list("action", flat=True)) == [
        "services.rectification.answer",
        "services.rectification.open",
        "services.rectification.return_visit",
    ]


def test_appeals_uphold_or_remove_a_rating(
    people: dict[str, Any],  # noqa: F811
    staff: dict[str, Any],
    accounts: Any,
) -> None:
    application = _concluded(people, "2025-09-29")
    kept = _rate(people, application, "2025-09-29", "acceptance", 5, comment="不满意")
    removed = _rate(people, application, "2025-09-29", "conclusion", 4, comment="乱写的")
    good = _accepted(people, "2025-09-29")
    fine = _rate(people, good, "2025-09-29", "acceptance", 1)
    with pytest.raises(Conflict):
        ratings.rating_appeal(actor=people["approver"], rating_id=fine.pk, grounds="mistaken", text="误评")
    with pytest.raises(PermissionDenied):
        ratings.rating_appeal(actor=people["clerk"], rating_id=kept.pk, grounds="mistaken", text="误评")
    for outsider in (staff["approver_other"], people["applicant"], accounts.admin):
        with pytest.raises(NotFound):
            ratings.rating_appeal(actor=outsider, rating_id=kept.pk, grounds="mistaken", text="误评")
    with pytest.raises(ValidationFailed) as bad_grounds:
        ratings.rating_appeal(actor=people["approver"], rating_id=kept.pk, grounds="unfair", text="误评")
    assert bad_grounds.value.field == "grounds"
    with pytest.raises(ValidationFailed) as no_text:
        ratings.rating_appeal(actor=people["approver"], rating_id=kept.pk, grounds="mistaken", text="")
    assert no_text.value.field == "text"
    first = ratings.rating_appeal(actor=people["approver"], rating_id=kept.pk, grounds="mistaken", text="申请人选错")
    second = ratings.rating_appeal(
        actor=staff["supervisor"], rating_id=removed.pk, grounds="malicious", text="评价内容与办件无关"
    )
    with pytest.raises(Conflict):
        ratings.rating_appeal(actor=staff["supervisor"], rating_id=kept.pk, grounds="malicious", text="再申诉")
    assert [appeal.pk for appeal in ratings.rating_appeals_pending(actor=accounts.admin)] == [first.pk, second.pk]
    for refused in (people["approver"], staff["supervisor"], people["applicant"]):
        with pytest.raises(PermissionDenied):
            ratings.rating_appeal_decide(actor=refused, appeal_id=first.pk, remove=True, reasons="核实")
        with pytest.raises(PermissionDenied):
            ratings.rating_appeals_pending(actor=refused)
    with pytest.raises(ValidationFailed):
        ratings.rating_appeal_decide(actor=accounts.admin, appeal_id=first.pk, remove=False, reasons="")
    with on("2025-10-09"):
        upheld = ratings.rating_appeal_decide(
            actor=accounts.admin, appeal_id=first.pk, remove=False, reasons="回访核实，评价属实"
        )
        gone = ratings.rating_appeal_decide(
            actor=accounts.admin, appeal_id=second.pk, remove=True, reasons="经核实为恶意差评"
        )
    assert (upheld.decision, gone.decision) == ("upheld", "removed")
    with pytest.raises(Conflict):
        ratings.rating_appeal_decide(actor=accounts.admin, appeal_id=first.pk, remove=True, reasons="改判")
    kept.refresh_from_db()
    removed.refresh_from_db()
    assert (kept.removed, removed.removed, removed.removed_reason, removed.removed_by) == (
        False,
        True,
        "经核实为恶意差评",
        accounts.admin,
    )
    assert Rectification.objects.get(rating=removed).status == R.CANCELLED
    assert Rectification.objects.get(rating=kept).status == R.OPEN
    with pytest.raises(Conflict):
        ratings.rating_appeal(actor=people["approver"], rating_id=removed.pk, grounds="mistaken", text="再申诉")
    assert ratings.rating_appeals_pending(actor=accounts.admin) == []
    statistics = ratings.rating_statistics()
    assert (statistics.overall.total, statistics.overall.levels[4], statistics.overall.levels[5]) == (2, 0, 1)
    assert Rating.objects.count() == 3  # the removed rating stays
    assert list(
        AuditEvent.objects.filter(object_type="services.RatingAppeal").order_by("pk").values_list("action", flat=True)
    ) == [
        "services.rating.appeal",
        "services.rating.appeal",
        "services.rating.appeal_decide",
        "services.rating.appeal_decide",
    ]


def test_statistics_per_department_item_and_channel(
    people: dict[str, Any],  # noqa: F811
    staff: dict[str, Any],
    accounts: Any,
    city: Any,
    make_staff: Any,
) -> None:
    civil = people["item"]
    police_item = published_item(
        department_id=city.public_security, form_schema=FORM, handling_items=(), materials=(), name="边境通行证"
    )
    police = {
        "applicant": people["applicant"],
        "clerk": make_staff(city.public_security, (Role.CLERK,)),
        "approver": staff["approver_other"],
        "item": police_item,
    }
    first = _concluded(people, "2025-09-29")
    _rate(people, first, "2025-09-29", "acceptance", 1)
    _rate(people, first, "2025-10-09", "conclusion", 2)
    _rate(people, _concluded(people, "2025-09-29"), "2025-10-09", "conclusion", 4, channel="onsite")
    malicious = _rate(people, _concluded(people, "2025-09-29"), "2025-10-10", "conclusion", 5, channel="onsite")
    _rate(police, _concluded(police, "2025-09-29"), "2025-10-10", "conclusion", 3)
    _rate(police, _concluded(police, "2025-09-29"), "2025-10-13", "conclusion", 5)

    def tally(t: ratings.RatingTally) -> tuple[Any, ...]:
        return (t.key, t.name, t.total, [t.levels[level] for level in range(1, 6)], t.satisfied, t.satisfaction_rate)

    before = ratings.rating_statistics()
    assert tally(before.overall) == ("", "", 6, [1, 1, 1, 1, 2], 3, 50.0)
    appeal = ratings.rating_appeal(actor=staff["supervisor"], rating_id=malicious.pk, grounds="malicious", text="辱骂")
    ratings.rating_appeal_decide(actor=accounts.admin, appeal_id=appeal.pk, remove=True, reasons="恶意差评")

    statistics = ratings.rating_statistics()
    assert tally(statistics.overall) == ("", "", 5, [1, 1, 1, 1, 1], 3, 60.0)
    assert [tally(t) for t in statistics.departments] == [
        (str(city.public_security), "公安局", 2, [0, 0, 1, 0, 1], 1, 50.0),
        (str(city.civil_affairs), "民政局", 3, [1, 1, 0, 1, 0], 2, 66.67),
    ]
    assert sorted(tally(t) for t in statistics.items) == sorted(
        [
            (police_item.item.task_code, "边境通行证", 2, [0, 0, 1, 0, 1], 1, 50.0),
            (civil.item.task_code, civil.name, 3, [1, 1, 0, 1, 0], 2, 66.67),
        ]
    )
    assert [tally(t) for t in statistics.channels] == [
        ("online", "Online service (网上服务)", 4, [1, 1, 1, 0, 1], 3, 75.0),
        ("onsite", "On-site service (现场服务)", 1, [0, 0, 0, 1, 0], 0, 0.0),
    ]

    def total(**filters: Any) -> int:
        return ratings.rating_statistics(**filters).overall.total

    assert total(department_id=city.public_security) == 2
    assert total(task_code=civil.item.task_code) == 3
    assert total(channel="onsite") == 1
    assert total(since=D(2025, 10, 10)) == 2  # the removed rating of the 10th does not count
    assert total(until=D(2025, 10, 9)) == 3
    assert total(since=D(2025, 10, 9), until=D(2025, 10, 10)) == 3
    empty = ratings.rating_statistics(since=D(2026, 1, 1))
    assert tally(empty.overall) == ("", "", 0, [0, 0, 0, 0, 0], 0, None)
    assert empty.departments == empty.items == empty.channels == []

    assert ratings.rating_statistics_view(actor=people["clerk"], channel="online").overall.total == 4
    assert ratings.rating_statistics_view(actor=staff["leader"]).overall.total == 5
    for refused in (people["applicant"], accounts.agent, None):
        with pytest.raises(PermissionDenied):
            ratings.rating_statistics_view(actor=refused)
    with pytest.raises(ValidationFailed):
        ratings.rating_statistics_view(actor=people["clerk"], channel="hotline")


def test_an_agent_rates_an_enterprises_application(accounts: Any, city: Any, make_staff: Any) -> None:
    item = published_item(department_id=city.public_security, form_schema=FORM, handling_items=(), materials=())
    with on("2025-09-29"):
        draft = services.application_draft_save(
            actor=accounts.agent, task_code=item.item.task_code, form_data=ANSWERS, enterprise_id=accounts.enterprise_id
        )
        services.application_submit(actor=accounts.agent, application_id=draft.pk)
        services.application_accept(actor=accounts.staff, application_id=draft.pk)
        rating = ratings.rating_submit(
            actor=accounts.agent, application_id=draft.pk, event="acceptance", level=2, channel="online"
        )
    assert rating.rater == accounts.agent


# --- the API, by role ---------------------------------------------------------------------------------------------

API_ROLES = [
    "anonymous",
    "applicant",
    "other_citizen",
    "agent",
    "clerk",
    "approver",
    "supervisor",
    "leader",
    "staff_other",
    "admin",
]
EXPECTED = {
    # endpoint: status per role, in API_ROLES order
    "rate": [401, 201, 404, 404, 404, 404, 404, 404, 404, 404],
    "rectifications": [401, 403, 403, 403, 403, 200, 200, 200, 200, 200],
    "answer": [401, 404, 404, 404, 403, 200, 200, 403, 404, 404],
    "return_visit": [401, 404, 404, 404, 403, 403, 200, 403, 404, 200],
    "appeal": [401, 404, 404, 404, 403, 201, 201, 403, 404, 404],
    "appeals": [401, 403, 403, 403, 403, 403, 403, 403, 403, 200],
    "decision": [401, 403, 403, 403, 403, 403, 403, 403, 403, 200],
    "statistics": [401, 403, 403, 403, 200, 200, 200, 200, 200, 200],
}
VISIBLE = {"approver": 3, "supervisor": 3, "leader": 3, "staff_other": 0, "admin": 3}  # rectifications listed


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(("role", "index"), [(role, index) for index, role in enumerate(API_ROLES)])
def test_the_ratings_api_by_role(
    people: dict[str, Any],  # noqa: F811
    staff: dict[str, Any],
    accounts: Any,
    role: str,
    index: int,
) -> None:
    # One application through every rated event: three bad ratings (an open rectification, an answered one, a
    # pending appeal); another application accepted, for the role to rate.
    application = _submitted(people, "2025-09-26")
    with on("2025-09-29"):
        services.application_request_supplement(actor=people["clerk"], application_id=application.pk, missing=["图"])
        services.application_answer_supplement(actor=people["applicant"], application_id=application.pk)
        services.application_accept(actor=people["clerk"], application_id=application.pk)
        services.application_review(actor=people["approver"], application_id=application.pk, verdict="agree")
        services.application_decide(actor=people["approver"], application_id=application.pk, outcome="approved")
    opened = _rate(people, application, "2025-09-29", "acceptance", 5)
    answered = _rate(people, application, "2025-09-29", "supplement", 4)
    appealed = _rate(people, application, "2025-09-29", "conclusion", 5)
    ratings.rectification_answer(actor=people["approver"], rectification_id=answered.rectification.pk, answer="已改")
    appeal = ratings.rating_appeal(actor=people["approver"], rating_id=appealed.pk, grounds="mistaken", text="误评")
    to_rate = _accepted(people, "2025-09-29")

    users = {
        **people,
        **staff,
        "agent": accounts.agent,
        "staff_other": staff["approver_other"],
        "admin": accounts.admin,
    }
    client = Client() if role == "anonymous" else sign_in(Client(), users[role])
    base = "/api/v1/services"
    answers = {
        "rate": _post(
            client,
            f"{base}/applications/{to_rate.pk}/ratings",
            {"event": "acceptance", "level": 2, "channel": "online", "indicators": {"overall": 2}, "comment": "快"},
        ),
        "rectifications": client.get(f"{base}/rectifications"),
        "answer": _post(client, f"{base}/rectifications/{opened.rectification.pk}/answer", {"answer": "已整改"}),
        "return_visit": _post(
            client, f"{base}/rectifications/{answered.rectification.pk}/return-visit", {"view": "satisfied"}
        ),
        "appeal": _post(client, f"{base}/ratings/{opened.pk}/appeal", {"grounds": "malicious", "text": "恶意"}),
        "appeals": client.get(f"{base}/rating-appeals"),
        "decision": _post(client, f"{base}/rating-appeals/{appeal.pk}/decision", {"remove": True, "reasons": "误评"}),
        "statistics": client.get(f"{base}/ratings/statistics"),
    }
    assert {name: answer.status_code for name, answer in answers.items()} == {
        name: codes[index] for name, codes in EXPECTED.items()
    }
    if answers["rate"].status_code == 201:
        body = answers["rate"].json()
        assert (body["level"], body["indicators"], body["comment"], body["rectification_id"]) == (
            2,
            {"overall": 2},
            "快",
            None,
        )
    if answers["rectifications"].status_code == 200:
        listed = answers["rectifications"].json()
        assert len(listed) == VISIBLE[role]
        if listed:
            assert (listed[0]["due_on"], listed[0]["overdue"], listed[0]["status"]) == ("2025-10-13", True, "open")
    if answers["decision"].status_code == 200:
        assert answers["decision"].json()["decision"] == "removed"
        assert Rating.objects.get(pk=appealed.pk).removed
    if answers["statistics"].status_code == 200:
        overall = answers["statistics"].json()["overall"]
        # Staff cannot rate; the administrator's decision just before removed one rating.
        assert overall["total"] == (2 if role == "admin" else 3)
    if answers["appeals"].status_code == 200:
        assert [pending["id"] for pending in answers["appeals"].json()] == [appeal.pk]
    assert RatingAppeal.objects.count() == 1 + (answers["appeal"].status_code == 201)


def test_the_api_refuses_bad_input(people: dict[str, Any], accounts: Any) -> None:  # noqa: F811
    application = _concluded(people, "2025-09-29")
    client = sign_in(Client(), people["applicant"])
    path = f"/api/v1/services/applications/{application.pk}/ratings"
    wrong = _post(client, path, {"event": "conclusion", "level": 7, "channel": "online"})
    assert (wrong.status_code, wrong.json()["errors"]) == (422, [{"field": "level", "message": wrong.json()["detail"]}])
    unknown = _post(
        client, path, {"event": "conclusion", "level": 1, "channel": "onsite", "indicators": {"usability": 2}}
    )
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "indicators.usability")
    assert _post(client, path, {"event": "conclusion", "level": 1, "channel": "fax"}).status_code == 422
    assert _post(client, path, {"event": "conclusion", "level": 1, "channel": "online"}).status_code == 201
    assert _post(client, path, {"event": "conclusion", "level": 1, "channel": "online"}).status_code == 409
    staff_client = sign_in(Client(), accounts.admin)
    assert staff_client.get("/api/v1/services/ratings/statistics", {"channel": "fax"}).status_code == 422
    assert staff_client.get("/api/v1/services/ratings/statistics", {"since": "2025-10-01"}).json()["overall"] == {
        "key": "",
        "name": "",
        "total": 1,
        "levels": {"1": 1, "2": 0, "3": 0, "4": 0, "5": 0},
        "satisfied": 1,
        "satisfaction_rate": 100.0,
    }
