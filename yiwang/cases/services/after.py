"""After the handling: follow-up (回访) and reopening (重办), merging duplicates (并单), escalation (督办) and the
sweep that warns and escalates late cases."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.cases.models import (
    OPEN_STATUSES,
    AssignmentRole,
    AssignmentStatus,
    Case,
    CaseEvent,
    CaseFollowUp,
    CaseStatus,
    Escalation,
    EventKind,
    Satisfaction,
)
from yiwang.cases.services.access import OVERSIGHT_ROLES, is_dispatcher, is_staff, require_hotline
from yiwang.cases.services.clock import recounted, warn_from, working_days_late
from yiwang.cases.services.common import locked_case, require_status, required_text, step
from yiwang.cases.services.handling import clock_for, max_reopens
from yiwang.cases.tracking import tracking_token_valid
from yiwang.core.calendar.selectors import CalendarSnapshot
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.identity.roles import UserKind

MAX_ESCALATION_LEVEL = 3


def case_follow_up(*, actor: Any, case_id: int, resolved: bool, satisfaction: str, note: str = "") -> CaseFollowUp:
    """回访: the reporter's verdict on a concluded case; 'not satisfied' reopens it (重办) with the same lead unit.

    Recorded by the hotline, or online by the signed-in citizen who reported the case."""
    return _follow_up(
        actor=actor, case_id=case_id, resolved=resolved, satisfaction=satisfaction, note=note, by_link=False
    )


def case_follow_up_by_link(
    *, number: str, token: str, resolved: bool, satisfaction: str, note: str = ""
) -> CaseFollowUp:
    """回访 online by whoever holds the case's private link: a reporter without an account (the link came after
    proving their phone by SMS, or from the look-up by number and phone). NotFound when the link is not the case's."""
    case_id = None
    if tracking_token_valid(number, token):
        case_id = Case.objects.filter(number=number).values_list("id", flat=True).first()
    if case_id is None:
        raise NotFound(_("This link does not lead to a request."))
    return _follow_up(
        actor=None, case_id=case_id, resolved=resolved, satisfaction=satisfaction, note=note, by_link=True
    )


def _follow_up(
    *, actor: Any, case_id: int, resolved: bool, satisfaction: str, note: str, by_link: bool
) -> CaseFollowUp:
    if satisfaction not in Satisfaction.values:
        raise ValidationFailed(_("Choose how satisfied the reporter is."), field="satisfaction")
    with transaction.atomic():
        case = locked_case(case_id)
        is_reporter = by_link or (
            actor is not None
            and getattr(actor, "kind", None) == UserKind.CITIZEN
            and case.reporter_id is not None
            and case.reporter_id == actor.pk
        )
        if not is_reporter:
            require_hotline(actor)
        require_status(case, CaseStatus.CONCLUDED)
        now = timezone.now()
        follow_up = CaseFollowUp.objects.create(
            case=case,
            resolved=resolved,
            satisfaction=satisfaction,
            note=note.strip()[:2000],
            by=actor if getattr(actor, "pk", None) else None,
            at=now,
            lead_department_id=case.lead_department_id,
        )
        label = Satisfaction(satisfaction).label
        text = f"{_('Resolved') if resolved else _('Not resolved')}，{label}" + (
            f"\n{note.strip()}" if note.strip() else ""
        )
        step(
            case,
            kind=EventKind.FOLLOWED_UP,
            actor=actor,
            text=text,
            data={"resolved": resolved, "satisfaction": satisfaction, "online": is_reporter, "by_link": by_link},
            public=True,
        )
        if satisfaction == Satisfaction.UNSATISFIED and case.reopen_count < max_reopens():
            _reopen(case, actor=actor, reason=note.strip() or str(_("The reporter is not satisfied")))
        else:
            case.status, case.closed_at = CaseStatus.CLOSED, now
            case.save(update_fields=["status", "closed_at"])
            case.merged_cases.update(closed_at=now)
    return follow_up


def _reopen(case: Case, *, actor: Any, reason: str) -> None:
    """重办: back to the same lead unit with a new time limit; a case concluded by the hotline goes back to dispatch."""
    now = timezone.now()
    case.reopen_count += 1
    case.concluded_at = None
    case.escalation_level = 0
    lead = None
    if case.lead_department_id is not None:
        lead = case.assignments.filter(role=AssignmentRole.LEAD, department_id=case.lead_department_id).last()
    if lead is None:
        case.status = CaseStatus.RECEIVED
        case.concluded_directly = case.resolved_on_spot = False
        case.save()
        step(case, kind=EventKind.REOPENED, actor=actor, text=reason, data={"to": None}, public=True)
        return
    clock = clock_for(case, now)
    lead.active, lead.status, lead.signed_at, lead.signed_by = True, AssignmentStatus.WAITING, None, None
    lead.sign_due_at, lead.dispatched_at, lead.replied_at = clock.sign_due_at, now, None
    lead.save()
    case.status = CaseStatus.DISPATCHED
    case.signed_at = None
    case.sign_due_at, case.due_at, case.warn_at = clock.sign_due_at, clock.due_at, clock.warn_at
    case.due_provisional = clock.provisional
    case.save()
    step(
        case,
        kind=EventKind.REOPENED,
        actor=actor,
        text=reason,
        data={"to": case.lead_department_id, "due_at": clock.due_at.isoformat()},
        public=True,
        department_id=None,
    )


def case_merge(*, actor: Any, case_id: int, into_case_id: int, note: str = "") -> Case:
    """并单: a duplicate joins the main case; it is handled once and its reporter gets the main case's answer."""
    require_hotline(actor)
    if case_id == into_case_id:
        raise ValidationFailed(_("A case cannot be merged into itself."), field="into_case_id")
    with transaction.atomic():
        first, second = sorted([case_id, into_case_id])
        locked = {first: locked_case(first), second: locked_case(second)}  # always in the same order: no deadlock
        case, main = locked[case_id], locked[into_case_id]
        require_status(case, CaseStatus.RECEIVED, CaseStatus.DISPATCHED)
        if main.status == CaseStatus.MERGED:
            raise Conflict(_("Case %(number)s was itself merged: merge into its main case.") % {"number": main.number})
        if case.merged_cases.exists():
            raise Conflict(_("Other cases were merged into this one: merge the other way round."))
        case.assignments.filter(active=True).update(active=False, status=AssignmentStatus.CLOSED)
        case.status, case.merged_into = CaseStatus.MERGED, main
        if main.status in (CaseStatus.CONCLUDED, CaseStatus.CLOSED):
            case.reply, case.concluded_at = main.reply, main.concluded_at
        case.save()
        step(
            case,
            kind=EventKind.MERGED,
            actor=actor,
            text=str(_("Merged into %(number)s") % {"number": main.number})
            + (f"\n{note.strip()}" if note.strip() else ""),
            data={"into": main.number},
            public=True,
        )
        step(
            main,
            kind=EventKind.MERGED,
            actor=actor,
            text=str(_("%(number)s merged into this case") % {"number": case.number}),
            data={"merged": case.number},
        )
    return case


def case_escalate(*, actor: Any, case_id: int, reason: str) -> Escalation:
    """督办 by hand: a dispatcher, supervisor or leader raises the case's escalation by one level."""
    if not (is_dispatcher(actor) or (is_staff(actor) and actor.role_set & OVERSIGHT_ROLES)):
        raise PermissionDenied(_("Only dispatchers, supervisors and leaders escalate cases."))
    reason_text = required_text(reason, field="reason", label=_("The reason"), maximum=2000)
    with transaction.atomic():
        case = locked_case(case_id)
        require_status(case, *OPEN_STATUSES)
        if actor.role_set & OVERSIGHT_ROLES and not is_dispatcher(actor):
            from yiwang.cases.selectors import case_visible

            if case_visible(actor, case.pk) is None:
                raise PermissionDenied(_("This case is outside your oversight."))
        if case.escalation_level >= MAX_ESCALATION_LEVEL:
            raise Conflict(_("The case is already escalated to the highest level."))
        return _escalate(case, level=case.escalation_level + 1, reason=reason_text, actor=actor)


def _escalate(case: Case, *, level: int, reason: str, actor: Any) -> Escalation:
    escalation = Escalation.objects.create(
        case=case,
        department_id=case.lead_department_id,
        level=level,
        reason=reason,
        by=actor if getattr(actor, "pk", None) else None,
    )
    case.escalation_level = level
    case.save(update_fields=["escalation_level"])
    step(case, kind=EventKind.ESCALATED, actor=actor, text=reason, data={"level": level}, department_id=None)
    from yiwang.cases.tasks import notify_escalation

    transaction.on_commit(lambda: notify_escalation.enqueue(escalation_id=escalation.pk))
    return escalation


def escalation_step_days() -> int:
    """Working days late per further level of escalation (level 1 the day after the limit)."""
    return max(1, int(getattr(settings, "YIWANG_CASES_ESCALATION_STEP_DAYS", 2)))


def escalation_level_for(days_late: int) -> int:
    """Level 1 once late, one more every `escalation_step_days` working days, at most 3."""
    if days_late <= 0:
        return 0
    return min(MAX_ESCALATION_LEVEL, 1 + (days_late - 1) // escalation_step_days())


@dataclass(frozen=True)
class WatchResult:
    warned: int
    escalated: int


@dataclass(frozen=True)
class RecountResult:
    checked: int  # open cases whose clock was provisional
    moved: int  # of which a time limit changed
    still_provisional: int  # of which a year counted is still unpublished


def cases_recount_provisional_deadlines() -> RecountResult:
    """Count again the clocks of open cases that counted days of a year whose holiday schedule was not published
    then (ADR 0007): the same working days from the same start, under the calendar as it is now. A moved limit is
    an internal step of the case; the warning time follows the due time. Run daily by the worker."""
    checked = moved = still = 0
    for case_id in Case.objects.filter(due_provisional=True, status__in=OPEN_STATUSES).values_list("pk", flat=True):
        with transaction.atomic():
            case = locked_case(case_id)
            lead = (
                case.assignments.filter(active=True, role=AssignmentRole.LEAD).order_by("-dispatched_at").first()
                if case.due_provisional and case.status in OPEN_STATUSES and case.due_at is not None
                else None
            )
            if lead is None or lead.dispatched_at is None or case.due_at is None:
                continue
            checked += 1
            if _recount(case, lead.dispatched_at, case.due_at):
                moved += 1
            still += case.due_provisional
    return RecountResult(checked=checked, moved=moved, still_provisional=still)


def _recount(case: Case, anchor: datetime.datetime, was_due_at: datetime.datetime) -> bool:
    from yiwang.cases.catalogue import time_limit_for

    snapshot = CalendarSnapshot()
    due_at, provisional = recounted(anchor, was_due_at, snapshot=snapshot)
    sign_due_at = case.sign_due_at
    if sign_due_at is not None:
        sign_due_at, sign_provisional = recounted(anchor, sign_due_at, snapshot=snapshot)
        provisional = provisional or sign_provisional
    before = (was_due_at, case.sign_due_at)
    case.due_provisional = provisional
    if (due_at, sign_due_at) == before:
        case.save(update_fields=["due_provisional"])
        return False
    limit = time_limit_for(case_type=case.case_type, category_code=case.category.code if case.category else "")
    case.due_at, case.sign_due_at = due_at, sign_due_at
    case.warn_at = warn_from(due_at, limit.warning_days, snapshot=snapshot)
    case.save(update_fields=["due_at", "sign_due_at", "warn_at", "due_provisional"])
    for assignment in case.assignments.filter(active=True, status=AssignmentStatus.WAITING, sign_due_at__isnull=False):
        if assignment.dispatched_at is not None and assignment.sign_due_at is not None:
            assignment.sign_due_at = recounted(assignment.dispatched_at, assignment.sign_due_at, snapshot=snapshot)[0]
            assignment.save(update_fields=["sign_due_at"])
    step(
        case,
        kind=EventKind.RECOUNTED,
        actor=None,
        text=str(
            _("Conclude by %(due)s (was %(before)s): the holiday schedule of the year is published")
            % {
                "due": timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M"),
                "before": timezone.localtime(was_due_at).strftime("%Y-%m-%d %H:%M"),
            }
        ),
        data={"due_at": due_at.isoformat(), "was": was_due_at.isoformat()},
        department_id=case.lead_department_id,
    )
    return True


def cases_watch_deadlines(*, now: datetime.datetime | None = None) -> WatchResult:
    """Warn cases near their limit (once) and escalate late ones level by level; run by the worker every 15 minutes."""
    now = now or timezone.now()
    warned = escalated = 0
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES, due_at__isnull=False)
    warned_already = CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.WARNED, at__gte=OuterRef("warn_at"))
    near = open_cases.filter(warn_at__lte=now, due_at__gte=now).exclude(Exists(warned_already))
    for case_id in near.values_list("pk", flat=True):
        with transaction.atomic():
            case = locked_case(case_id)
            if case.status not in OPEN_STATUSES or case.warn_at is None or case.warn_at > now:
                continue
            if case.events.filter(kind=EventKind.WARNED, at__gte=case.warn_at).exists():
                continue
            step(
                case,
                kind=EventKind.WARNED,
                actor=None,
                text=str(
                    _("Conclude by %(due)s") % {"due": timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M")}
                ),
                department_id=case.lead_department_id,
            )
            warned += 1
    for case_id in open_cases.filter(due_at__lt=now).values_list("pk", flat=True):
        with transaction.atomic():
            case = locked_case(case_id)
            if case.status not in OPEN_STATUSES or case.due_at is None:
                continue
            days_late = working_days_late(case.due_at, now)
            level = escalation_level_for(max(days_late, 1))
            if level <= case.escalation_level:
                continue
            _escalate(
                case,
                level=level,
                reason=str(_("%(days)d working days past the time limit") % {"days": days_late})
                if days_late
                else str(_("Past the time limit")),
                actor=None,
            )
            escalated += 1
    return WatchResult(warned=warned, escalated=escalated)
