"""Ratings of services (好差评): rating, rectification of bad ratings, appeals, statistics.

The applicant (or an agent of the enterprise applied for) rates each service event of an application once, after
it happened: the acceptance, the supplement notice, the conclusion (a refusal concludes too). A bad rating
(不满意, 非常不满意) opens a rectification for the handling department (谁办理、谁负责), due a number of working days
after the rating by the department's rule or the platform's default (5). The department's approvers or supervisors
answer it; the department's supervisor or a platform administrator records the return visit, which closes it.
The department may appeal a bad rating once as mistaken or malicious; a platform administrator upholds it or
removes the rating, which then leaves the statistics (and its open rectification is cancelled) but is kept.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.audit.services import record_event
from yiwang.core.calendar.selectors import calendar_add_working_days, calendar_count_working_days
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, lazy_format
from yiwang.identity.roles import Role, UserKind
from yiwang.services.applications.services import _locked, _require_applicant, _text
from yiwang.services.models import (
    AppealDecision,
    AppealGrounds,
    Application,
    RatedEvent,
    Rating,
    RatingAppeal,
    RatingChannel,
    RatingLevel,
    RatingRule,
    Rectification,
    RectificationStatus,
    VisitView,
)
from yiwang.services.models.ratings import BAD_LEVELS, COMMENT_LIMIT, INDICATORS

# The application events after which each service may be rated.
RATED_ACTIONS: dict[str, tuple[str, ...]] = {
    RatedEvent.ACCEPTANCE: ("accept", "deemed_accepted"),
    RatedEvent.SUPPLEMENT: ("supplement_request",),
    RatedEvent.CONCLUSION: ("decide", "refuse", "not_accept"),
}
ANSWER_ROLES = (Role.APPROVER, Role.SUPERVISOR)
LIST_ROLES = (Role.APPROVER, Role.SUPERVISOR, Role.LEADER)
DEFAULT_RECTIFICATION_DAYS = 5
MAX_RECTIFICATION_DAYS = 30


# --- who -----------------------------------------------------------------------------------------------------------


def _is_platform_admin(actor: Any) -> bool:
    return getattr(actor, "kind", None) == UserKind.STAFF and actor.has_role(Role.PLATFORM_ADMIN)


def _require_department_staff(actor: Any, department_id: int, roles: tuple[str, ...], message: Any) -> None:
    """Staff of `department_id` with one of `roles`; staff of other departments and citizens are told nothing."""
    if getattr(actor, "kind", None) != UserKind.STAFF or actor.department_id != department_id:
        raise NotFound(_("No rating of your department has this id."))
    if not actor.has_role(*roles):
        raise PermissionDenied(message)


def _not_a_choice(value: Any, field: str) -> ValidationFailed:
    return ValidationFailed(lazy_format(_("%(value)s is not a valid choice."), {"value": value}), field=field)


def _audit(actor: Any, action: str, instance: Model, changes: dict[str, Any]) -> None:
    """The audit event of a change to `instance`, in the caller's transaction."""
    record_event(
        actor=actor,
        action=f"services.{action}",
        object_type=f"services.{type(instance).__name__}",
        object_id=instance.pk,
        changes=changes,
    )


# --- rating --------------------------------------------------------------------------------------------------------


def _check_level(value: Any, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value not in RatingLevel.values:
        raise ValidationFailed(
            _("A level is a whole number from 1 (very satisfied) to 5 (very dissatisfied)."), field=field
        )
    return value


def _check_indicators(channel: str, indicators: Any) -> dict[str, int]:
    if not isinstance(indicators, dict):
        raise ValidationFailed(_("Indicator scores must be an object."), field="indicators")
    known = INDICATORS[channel]
    for code, score in indicators.items():
        if code not in known:
            raise ValidationFailed(
                lazy_format(
                    _("%(code)s is not an indicator of this channel: %(known)s."),
                    {"code": code, "known": ", ".join(known)},
                ),
                field=f"indicators.{code}",
            )
        _check_level(score, f"indicators.{code}")
    return dict(indicators)


def _rectification_days(department_id: int) -> int:
    rules = {rule.department_id: rule.rectification_days for rule in RatingRule.objects.all()}
    return rules.get(department_id) or rules.get(None) or DEFAULT_RECTIFICATION_DAYS


def rated_events_happened(application: Application) -> list[str]:
    """The service events of the application that happened and so may be rated, in the order of RATED_ACTIONS
    (the same rule `rating_submit` applies)."""
    happened = {event.action for event in application.events.all()}
    return [event for event, actions in RATED_ACTIONS.items() if happened.intersection(actions)]


@transaction.atomic
def rating_submit(
    *,
    actor: Any,
    application_id: int,
    event: str,
    level: int,
    channel: str,
    indicators: dict[str, Any] | None = None,
    comment: str = "",
) -> Rating:
    """The applicant rates one service event of an application, once and after it happened; a bad rating opens
    a rectification for the handling department."""
    application = _locked(application_id)
    _require_applicant(actor, application)
    if event not in RATED_ACTIONS:
        raise _not_a_choice(event, "event")
    level = _check_level(level, "level")
    if channel not in INDICATORS:
        raise _not_a_choice(channel, "channel")
    scores = _check_indicators(channel, indicators or {})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_LIMIT:
        raise ValidationFailed(
            lazy_format(_("At most %(limit)s characters."), {"limit": COMMENT_LIMIT}), field="comment"
        )
    if not application.events.filter(action__in=RATED_ACTIONS[event]).exists():
        raise Conflict(
            lazy_format(
                _("The %(event)s of application %(number)s has not happened yet: it cannot be rated."),
                {"event": RatedEvent(event).label, "number": application.number or ""},
            ),
            code="not_yet",
        )
    if Rating.objects.filter(application=application, event=event).exists():
        raise Conflict(_("You have rated this service already: each is rated once."), code="rated")
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                application=application,
                event=event,
                rater=actor,
                level=level,
                channel=channel,
                indicators=scores,
                comment=comment,
            )
    except IntegrityError as error:  # rated at the same moment from another device
        raise Conflict(_("You have rated this service already: each is rated once."), code="rated") from error
    _audit(
        actor,
        "rating.submit",
        rating,
        {"number": application.number, "event": event, "level": level, "channel": channel},
    )
    if level in BAD_LEVELS:
        _rectification_open(rating, application.department_id, actor=actor)
    return rating


def _rectification_open(rating: Rating, department_id: int, *, actor: Any) -> Rectification:
    days = _rectification_days(department_id)
    due = calendar_add_working_days(timezone.localdate(rating.rated_at), days)
    rectification = Rectification.objects.create(
        rating=rating,
        department_id=department_id,
        opened_at=rating.rated_at,
        due_on=due.date,
        due_provisional=due.provisional,
    )
    _audit(
        actor,
        "rectification.open",
        rectification,
        {"rating_id": rating.pk, "department_id": department_id, "due_on": due.date.isoformat(), "days": days},
    )
    return rectification


@transaction.atomic
def rating_rule_set(*, actor: Any, department_id: int | None, rectification_days: int) -> RatingRule:
    """Set a department's rectification deadline in working days (or the default, with no department): platform
    administrators only."""
    if not _is_platform_admin(actor):
        raise PermissionDenied(_("Only platform administrators set rating rules."))
    value = rectification_days
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_RECTIFICATION_DAYS:
        raise ValidationFailed(
            lazy_format(_("Give a whole number from %(low)s to %(high)s."), {"low": 1, "high": MAX_RECTIFICATION_DAYS}),
            field="rectification_days",
        )
    rules = RatingRule.objects.select_for_update()
    found = rules.filter(department__isnull=True) if department_id is None else rules.filter(department=department_id)
    rule = found.first() or RatingRule(department_id=department_id)
    rule.rectification_days = value
    rule.updated_at = timezone.now()
    rule.updated_by = actor
    rule.save()
    _audit(actor, "rating.rule", rule, {"department_id": department_id, "rectification_days": value})
    return rule


# --- rectification ---------------------------------------------------------------------------------------------


def _locked_rectification(rectification_id: int) -> Rectification:
    rectification = Rectification.objects.select_for_update().filter(pk=rectification_id).first()
    if rectification is None:
        raise NotFound(lazy_format(_("No rectification has id %(id)s."), {"id": rectification_id}))
    return rectification


def _require_rectification_status(rectification: Rectification, allowed: RectificationStatus) -> None:
    if rectification.status != allowed:
        raise Conflict(
            lazy_format(
                _("The rectification is %(status)s now: this step is not possible."),
                {"status": rectification.get_status_display()},
            ),
            code="status_changed",
        )


@transaction.atomic
def rectification_answer(*, actor: Any, rectification_id: int, answer: str) -> Rectification:
    """The department's approver or supervisor answers a bad rating: what was found and what was put right."""
    rectification = _locked_rectification(rectification_id)
    _require_department_staff(
        actor,
        rectification.department_id,
        ANSWER_ROLES,
        _("Only the department's approvers and supervisors answer a bad rating."),
    )
    _require_rectification_status(rectification, RectificationStatus.OPEN)
    rectification.answer = _text(answer, "answer", _("Say what was found and what was put right."))
    rectification.answered_at = timezone.now()
    rectification.answered_by = actor
    rectification.status = RectificationStatus.ANSWERED
    rectification.save(update_fields=["answer", "answered_at", "answered_by", "status"])
    _audit(
        actor,
        "rectification.answer",
        rectification,
        {"status": rectification.status, "late": timezone.localdate() > rectification.due_on},
    )
    return rectification


@transaction.atomic
def rectification_return_visit(*, actor: Any, rectification_id: int, view: str, notes: str = "") -> Rectification:
    """Record the return visit to the applicant (回访) after the department's answer, which closes the task: by the
    department's supervisor or a platform administrator."""
    rectification = _locked_rectification(rectification_id)
    if not _is_platform_admin(actor):
        _require_department_staff(
            actor,
            rectification.department_id,
            (Role.SUPERVISOR,),
            _("Return visits are recorded by the department's supervisors or the platform's administrators."),
        )
    _require_rectification_status(rectification, RectificationStatus.ANSWERED)
    if view not in VisitView.values:
        raise _not_a_choice(view, "view")
    now = timezone.now()
    rectification.visited_at = now
    rectification.visited_by = actor
    rectification.visit_view = view
    rectification.visit_notes = _text(notes, "notes", "", required=False)
    rectification.status = RectificationStatus.CLOSED
    rectification.closed_at = now
    rectification.save(update_fields=["visited_at", "visited_by", "visit_view", "visit_notes", "status", "closed_at"])
    _audit(actor, "rectification.return_visit", rectification, {"status": rectification.status, "view": view})
    return rectification


@dataclass(frozen=True)
class RectificationSummary:
    id: int
    rating_id: int
    application_number: str
    task_code: str
    item_name: str
    department_id: int
    level: int
    event: str
    comment: str
    status: str
    opened_at: datetime.datetime
    due_on: datetime.date
    days_left: int  # working days to the due date: 0 on the day, negative when late
    overdue: bool  # not answered by the due date
    answer: str
    answered_at: datetime.datetime | None
    appeal: str  # "" none, "pending", "upheld"


def _rectification_summary(rectification: Rectification, today: datetime.date) -> RectificationSummary:
    rating = rectification.rating
    application = rating.application
    answered_on = timezone.localdate(rectification.answered_at) if rectification.answered_at else None
    appeal = getattr(rating, "appeal", None)
    return RectificationSummary(
        id=rectification.pk,
        rating_id=rating.pk,
        application_number=application.number or "",
        task_code=application.item_version.item.task_code,
        item_name=application.item_version.name,
        department_id=rectification.department_id,
        level=rating.level,
        event=rating.event,
        comment=rating.comment,
        status=rectification.status,
        opened_at=rectification.opened_at,
        due_on=rectification.due_on,
        days_left=calendar_count_working_days(today, rectification.due_on).days,
        overdue=(answered_on or today) > rectification.due_on,
        answer=rectification.answer,
        answered_at=rectification.answered_at,
        appeal="" if appeal is None else (appeal.decision or "pending"),
    )


def rectifications_open(
    *, actor: Any, department_id: int | None = None, today: datetime.date | None = None
) -> list[RectificationSummary]:
    """Rectifications not yet closed, soonest due first, with working days left and overdue flags: the
    department's approvers, supervisors and leaders see their department's; platform administrators every
    department's (or the one asked for)."""
    today = today or timezone.localdate()
    if getattr(actor, "kind", None) != UserKind.STAFF or not actor.has_role(*LIST_ROLES, Role.PLATFORM_ADMIN):
        raise PermissionDenied(_("Rectifications are for the department's approvers, supervisors and leaders."))
    if not actor.has_role(Role.PLATFORM_ADMIN):
        if department_id is not None and department_id != actor.department_id:
            raise PermissionDenied(_("You see your own department's rectifications only."))
        department_id = actor.department_id
    queryset = Rectification.objects.select_related(
        "rating", "rating__appeal", "rating__application", "rating__application__item_version__item"
    ).filter(status__in=(RectificationStatus.OPEN, RectificationStatus.ANSWERED))
    if department_id is not None:
        queryset = queryset.filter(department_id=department_id)
    return [_rectification_summary(rectification, today) for rectification in queryset.order_by("due_on", "pk")]


# --- appeals -------------------------------------------------------------------------------------------------------


@transaction.atomic
def rating_appeal(*, actor: Any, rating_id: int, grounds: str, text: str) -> RatingAppeal:
    """The handling department appeals a bad rating as mistaken or malicious (申诉), once: its approver or
    supervisor, with a statement."""
    rating = Rating.objects.select_for_update().select_related("application").filter(pk=rating_id).first()
    if rating is None:
        raise NotFound(lazy_format(_("No rating has id %(id)s."), {"id": rating_id}))
    _require_department_staff(
        actor,
        rating.application.department_id,
        ANSWER_ROLES,
        _("Only the department's approvers and supervisors appeal a rating."),
    )
    if rating.level not in BAD_LEVELS:
        raise Conflict(_("Only a bad rating (dissatisfied or very dissatisfied) can be appealed."), code="not_bad")
    if rating.removed:
        raise Conflict(_("The rating was removed already."), code="removed")
    if RatingAppeal.objects.filter(rating=rating).exists():
        raise Conflict(_("The rating was appealed already: each rating is appealed once."), code="appealed")
    if grounds not in AppealGrounds.values:
        raise _not_a_choice(grounds, "grounds")
    text = _text(text, "text", _("Say why the rating is mistaken or malicious, with the facts."))
    appeal = RatingAppeal.objects.create(rating=rating, grounds=grounds, text=text, appealed_by=actor)
    _audit(actor, "rating.appeal", appeal, {"rating_id": rating.pk, "grounds": grounds})
    return appeal


@transaction.atomic
def rating_appeal_decide(*, actor: Any, appeal_id: int, remove: bool, reasons: str) -> RatingAppeal:
    """A platform administrator decides an appeal (复核): the rating is upheld, or removed (it stays in the
    database, leaves the statistics, and its rectification is cancelled unless already closed)."""
    if not _is_platform_admin(actor):
        raise PermissionDenied(_("Only platform administrators decide appeals against ratings."))
    appeal = RatingAppeal.objects.select_for_update().select_related("rating").filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound(lazy_format(_("No appeal has id %(id)s."), {"id": appeal_id}))
    if appeal.decision != AppealDecision.PENDING:
        raise Conflict(_("The appeal was decided already."), code="decided")
    reasons = _text(reasons, "reasons", _("A decision on an appeal needs its reasons."))
    now = timezone.now()
    appeal.decision = AppealDecision.REMOVED if remove else AppealDecision.UPHELD
    appeal.reasons = reasons
    appeal.decided_by = actor
    appeal.decided_at = now
    appeal.save(update_fields=["decision", "reasons", "decided_by", "decided_at"])
    changes: dict[str, Any] = {"rating_id": appeal.rating_id, "decision": appeal.decision}
    if remove:
        rating = appeal.rating
        rating.removed = True
        rating.removed_reason = reasons
        rating.removed_by = actor
        rating.removed_at = now
        rating.save(update_fields=["removed", "removed_reason", "removed_by", "removed_at"])
        cancelled = Rectification.objects.filter(rating=rating).exclude(status=RectificationStatus.CLOSED)
        changes["rectification_cancelled"] = bool(cancelled.update(status=RectificationStatus.CANCELLED, closed_at=now))
    _audit(actor, "rating.appeal_decide", appeal, changes)
    return appeal


def rating_appeals_pending(*, actor: Any) -> list[RatingAppeal]:
    """Appeals awaiting the platform's decision, oldest first: platform administrators only."""
    if not _is_platform_admin(actor):
        raise PermissionDenied(_("Only platform administrators decide appeals against ratings."))
    return list(
        RatingAppeal.objects.select_related("rating", "rating__application")
        .filter(decision=AppealDecision.PENDING)
        .order_by("appealed_at", "pk")
    )


# --- statistics ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingTally:
    key: str  # the department's id, the item's implementation code or the channel
    name: str
    total: int
    levels: dict[int, int]  # level 1–5 → ratings
    satisfied: int  # levels 1–3
    satisfaction_rate: float | None  # percent of `satisfied`, two decimals; None without ratings


@dataclass(frozen=True)
class RatingStatistics:
    overall: RatingTally
    departments: list[RatingTally]
    items: list[RatingTally]
    channels: list[RatingTally]


def _tally(key: str, name: str, levels: dict[int, int]) -> RatingTally:
    counts = {level: levels.get(level, 0) for level in RatingLevel.values}
    total = sum(counts.values())
    satisfied = total - sum(counts[level] for level in BAD_LEVELS)
    rate = round(100 * satisfied / total, 2) if total else None
    return RatingTally(key=key, name=name, total=total, levels=counts, satisfied=satisfied, satisfaction_rate=rate)


def _group(queryset: QuerySet[Rating], key: str, name: str) -> list[RatingTally]:
    levels: dict[Any, dict[int, int]] = defaultdict(dict)
    names: dict[Any, str] = {}
    for row in queryset.values(key, "level").annotate(count=Count("id"), name=Max(name)).order_by():
        levels[row[key]][row["level"]] = row["count"]
        names[row[key]] = row["name"]
    return [_tally(str(group), names[group], levels[group]) for group in sorted(levels)]


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def rating_statistics(
    *,
    department_id: int | None = None,
    task_code: str = "",
    channel: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> RatingStatistics:
    """Ratings per level and the satisfaction rate (share of levels 1–3), overall and per department, item and
    channel; removed ratings do not count. `since` and `until` are days in the city, both included."""
    queryset = Rating.objects.filter(removed=False)
    if department_id is not None:
        queryset = queryset.filter(application__department_id=department_id)
    if task_code:
        queryset = queryset.filter(application__item_version__item__task_code=task_code)
    if channel:
        queryset = queryset.filter(channel=channel)
    if since is not None:
        queryset = queryset.filter(rated_at__gte=_day_start(since))
    if until is not None:
        queryset = queryset.filter(rated_at__lt=_day_start(until + datetime.timedelta(days=1)))
    overall = {row["level"]: row["count"] for row in queryset.values("level").annotate(count=Count("id")).order_by()}
    channels = _group(queryset, "channel", "channel")
    return RatingStatistics(
        overall=_tally("", "", overall),
        departments=_group(queryset, "application__department_id", "application__department__name"),
        # An item's name may change between versions: the tally shows the last in alphabetical order.
        items=_group(queryset, "application__item_version__item__task_code", "application__item_version__name"),
        channels=[dataclasses.replace(tally, name=str(RatingChannel(tally.key).label)) for tally in channels],
    )


def rating_statistics_view(
    *,
    actor: Any,
    department_id: int | None = None,
    task_code: str = "",
    channel: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> RatingStatistics:
    """The statistics, for staff and leaders (every department's: 好差评 results are published, not secret)."""
    if getattr(actor, "kind", None) != UserKind.STAFF:
        raise PermissionDenied(_("Rating statistics are for staff and leaders."))
    if channel and channel not in RatingChannel.values:
        raise _not_a_choice(channel, "channel")
    return rating_statistics(
        department_id=department_id, task_code=task_code, channel=channel, since=since, until=until
    )
