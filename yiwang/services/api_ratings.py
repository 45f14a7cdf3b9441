"""API of service ratings (好差评, /api/v1/services): the applicant rates, the handling department rectifies and
appeals, the platform decides appeals, staff read the statistics (sessions or bearer tokens)."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from yiwang.identity.api_auth import session_or_bearer
from yiwang.services import ratings
from yiwang.services.models import AppealGrounds, RatedEvent, RatingAppeal, RatingChannel, VisitView
from yiwang.services.models.ratings import COMMENT_LIMIT

router = Router(tags=["ratings"])


class RatingIn(Schema):
    event: RatedEvent = Field(description="the service rated: acceptance, supplement or conclusion")
    level: int = Field(description="1 非常满意, 2 满意, 3 基本满意, 4 不满意, 5 非常不满意")
    channel: RatingChannel
    indicators: dict[str, int] = Field(
        default_factory=dict,
        description="level 1–5 per indicator: online overall, efficiency, guide_accuracy, convenience, usability; "
        "on-site overall, efficiency, service_level, attitude",
    )
    comment: str = Field("", max_length=COMMENT_LIMIT)


class RatingOut(Schema):
    id: int
    application_id: int
    event: str
    level: int
    channel: str
    indicators: dict[str, int]
    comment: str
    rated_at: datetime.datetime
    removed: bool
    rectification_id: int | None = Field(description="the rectification a bad rating opened")


class RectificationOut(Schema):
    id: int
    rating_id: int
    application_number: str
    task_code: str
    item_name: str
    department_id: int
    level: int
    event: str
    comment: str
    status: str = Field(description="open, or answered and awaiting the return visit")
    opened_at: datetime.datetime
    due_on: datetime.date
    days_left: int = Field(description="working days to the due date: 0 on the day, negative when late")
    overdue: bool = Field(description="not answered by the due date")
    answer: str
    answered_at: datetime.datetime | None
    appeal: str = Field(description="empty without an appeal, else pending or upheld")


class RectificationStateOut(Schema):
    id: int
    status: str
    due_on: datetime.date
    answer: str
    answered_at: datetime.datetime | None
    visited_at: datetime.datetime | None
    visit_view: str
    visit_notes: str
    closed_at: datetime.datetime | None


class AnswerIn(Schema):
    answer: str = Field(max_length=2000)


class ReturnVisitIn(Schema):
    view: VisitView = Field(description="the applicant's view of the rectification")
    notes: str = Field("", max_length=2000)


class AppealIn(Schema):
    grounds: AppealGrounds
    text: str = Field(max_length=2000)


class DecisionIn(Schema):
    remove: bool = Field(description="true removes the rating; false upholds it")
    reasons: str = Field(max_length=2000)


class AppealOut(Schema):
    id: int
    rating_id: int
    grounds: str
    text: str
    appealed_at: datetime.datetime
    decision: str = Field(description="empty while pending, else upheld or removed")
    reasons: str
    decided_at: datetime.datetime | None


class TallyOut(Schema):
    key: str
    name: str
    total: int
    levels: dict[int, int]
    satisfied: int = Field(description="ratings of levels 1–3")
    satisfaction_rate: float | None = Field(description="percent, two decimals; null without ratings")


class StatisticsOut(Schema):
    overall: TallyOut
    departments: list[TallyOut]
    items: list[TallyOut]
    channels: list[TallyOut]


class StatisticsFilter(Schema):
    department: int | None = None
    task_code: str = Field("", max_length=36)
    channel: RatingChannel | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _appeal(appeal: RatingAppeal) -> dict[str, Any]:
    return {field: getattr(appeal, field) for field in AppealOut.model_fields}


@router.post(
    "/applications/{application_id}/ratings",
    response={201: RatingOut},
    auth=session_or_bearer,
    summary="Rate a service event of one's application, once, after it happened (a bad rating opens a rectification)",
)
def rating_submit(request: HttpRequest, application_id: int, payload: RatingIn) -> Any:
    rating = ratings.rating_submit(
        actor=_user(request),
        application_id=application_id,
        event=payload.event,
        level=payload.level,
        channel=payload.channel,
        indicators=payload.indicators,
        comment=payload.comment,
    )
    rectification = getattr(rating, "rectification", None)
    body = {field: getattr(rating, field) for field in RatingOut.model_fields if field != "rectification_id"}
    return Status(201, {**body, "rectification_id": rectification.pk if rectification else None})


@router.get(
    "/rectifications",
    response=list[RectificationOut],
    auth=session_or_bearer,
    summary="Rectifications of bad ratings not yet closed, soonest due first (the department; platform: all)",
)
def rectifications(request: HttpRequest, department: int | None = None) -> Any:
    found = ratings.rectifications_open(actor=_user(request), department_id=department)
    return [dataclasses.asdict(summary) for summary in found]


@router.post(
    "/rectifications/{rectification_id}/answer",
    response=RectificationStateOut,
    auth=session_or_bearer,
    summary="The department answers a bad rating (approvers and supervisors)",
)
def rectification_answer(request: HttpRequest, rectification_id: int, payload: AnswerIn) -> Any:
    return ratings.rectification_answer(actor=_user(request), rectification_id=rectification_id, answer=payload.answer)


@router.post(
    "/rectifications/{rectification_id}/return-visit",
    response=RectificationStateOut,
    auth=session_or_bearer,
    summary="Record the return visit, which closes the rectification (the department's supervisors, the platform)",
)
def rectification_return_visit(request: HttpRequest, rectification_id: int, payload: ReturnVisitIn) -> Any:
    return ratings.rectification_return_visit(
        actor=_user(request), rectification_id=rectification_id, view=payload.view, notes=payload.notes
    )


@router.post(
    "/ratings/{rating_id}/appeal",
    response={201: AppealOut},
    auth=session_or_bearer,
    summary="Appeal a bad rating as mistaken or malicious, once (the department's approvers and supervisors)",
)
def rating_appeal(request: HttpRequest, rating_id: int, payload: AppealIn) -> Any:
    appeal = ratings.rating_appeal(
        actor=_user(request), rating_id=rating_id, grounds=payload.grounds, text=payload.text
    )
    return Status(201, _appeal(appeal))


@router.get(
    "/rating-appeals",
    response=list[AppealOut],
    auth=session_or_bearer,
    summary="Appeals awaiting a decision, oldest first (platform administrators)",
)
def rating_appeals(request: HttpRequest) -> Any:
    return [_appeal(appeal) for appeal in ratings.rating_appeals_pending(actor=_user(request))]


@router.post(
    "/rating-appeals/{appeal_id}/decision",
    response=AppealOut,
    auth=session_or_bearer,
    summary="Uphold the rating or remove it (platform administrators)",
)
def rating_appeal_decide(request: HttpRequest, appeal_id: int, payload: DecisionIn) -> Any:
    appeal = ratings.rating_appeal_decide(
        actor=_user(request), appeal_id=appeal_id, remove=payload.remove, reasons=payload.reasons
    )
    return _appeal(appeal)


@router.get(
    "/ratings/statistics",
    response=StatisticsOut,
    auth=session_or_bearer,
    summary="Ratings per level and satisfaction rate, per department, item and channel; removed ratings excluded",
)
def rating_statistics(request: HttpRequest, filters: Query[StatisticsFilter]) -> Any:
    statistics = ratings.rating_statistics_view(
        actor=_user(request),
        department_id=filters.department,
        task_code=filters.task_code,
        channel=filters.channel or "",
        since=filters.since,
        until=filters.until,
    )
    return dataclasses.asdict(statistics)
