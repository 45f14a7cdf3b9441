"""Electronic supervision (电子监察): warnings on open applications, the board, the rules, and notification.

Computed when read from each application's clock and the rules in force, so the board is right at any moment
and a warning clears as soon as the case moves on (accepted, answered, concluded). Rules (per department, or the
platform's defaults): yellow when few working days of the promised limit remain or a share of it has elapsed,
when a received application has waited too long at the window, or when a step of its process passed its stage
limit (the BPMN's `yiwang:limitDays`); red once the promised limit has passed (and again, worse, once the
statutory limit has), and red for a fee charged that the item's fee list lacks — that one stays on the board
whatever the case's status. Refusals without reasons cannot happen (the services require them).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.audit.services import record_event
from yiwang.core.calendar.selectors import CalendarSnapshot, calendar_count_working_days
from yiwang.core.errors import PermissionDenied, ValidationFailed, lazy_format
from yiwang.identity.roles import Role, UserKind
from yiwang.services.applications.clock import received_on
from yiwang.services.applications.selectors import OPEN, ApplicationSummary, application_summary
from yiwang.services.models import (
    Application,
    ApplicationFee,
    ApplicationStatus,
    ApplicationStep,
    LimitUnit,
    StepStatus,
)
from yiwang.services.models.supervision import SupervisionRule, WarningLevel

S = ApplicationStatus
BOARD_ROLES = (Role.SUPERVISOR, Role.LEADER, Role.PLATFORM_ADMIN)


@dataclass(frozen=True)
class Rules:
    yellow_days_remaining: int = 2
    yellow_share_elapsed: int = 80
    intake_days: int = 2


@dataclass(frozen=True)
class SupervisionWarning:
    application: ApplicationSummary
    department_id: int
    level: int  # WarningLevel
    # codes: promised_overdue, statutory_overdue, few_days_left, share_elapsed, intake_late, stage_overdue,
    # fee_not_listed
    reasons: tuple[str, ...]
    messages: tuple[Any, ...]


def _rules_by_department() -> dict[int | None, Rules]:
    return {
        rule.department_id: Rules(rule.yellow_days_remaining, rule.yellow_share_elapsed, rule.intake_days)
        for rule in SupervisionRule.objects.all()
    }


def _assess(
    application: Application,
    rules: Rules,
    today: datetime.date,
    snapshot: CalendarSnapshot,
    late_steps: Collection[ApplicationStep] = (),
    unlisted_fees: Collection[ApplicationFee] = (),
) -> SupervisionWarning | None:
    summary = application_summary(application, today=today, snapshot=snapshot)
    reasons: list[str] = []
    messages: list[Any] = []
    level = WarningLevel.NONE
    for fee in unlisted_fees:  # whatever the status: a charge the fee list lacks stays on the board
        level = WarningLevel.RED
        if "fee_not_listed" not in reasons:
            reasons.append("fee_not_listed")
        messages.append(
            lazy_format(
                _("%(amount)s yuan were charged as %(name)s, which the item's fee list does not have."),
                {"amount": fee.amount, "name": fee.name},
            )
        )
    clock = summary.clock if application.status in OPEN else None  # time limits concern open cases only
    if clock is not None and not clock.paused:
        promised = clock.promised
        if clock.statutory.remaining < 0:
            level = WarningLevel.RED
            reasons.append("statutory_overdue")
            messages.append(
                lazy_format(_("The statutory limit passed on %(date)s."), {"date": clock.statutory.due.isoformat()})
            )
        if promised.remaining < 0:
            level = WarningLevel.RED
            reasons.append("promised_overdue")
            messages.append(
                lazy_format(_("The promised limit passed on %(date)s."), {"date": promised.due.isoformat()})
            )
        else:
            limit = application.item_version.promised_limit
            elapsed_share = 100 if limit == 0 else 100 * (limit - promised.remaining) / limit
            if promised.unit == LimitUnit.WORKING_DAYS and promised.remaining <= rules.yellow_days_remaining:
                level = max(level, WarningLevel.YELLOW)
                reasons.append("few_days_left")
                messages.append(
                    lazy_format(
                        _("%(days)s working days left before the promised limit (%(date)s)."),
                        {"days": promised.remaining, "date": promised.due.isoformat()},
                    )
                )
            elif elapsed_share >= rules.yellow_share_elapsed:
                level = max(level, WarningLevel.YELLOW)
                reasons.append("share_elapsed")
                messages.append(
                    lazy_format(_("%(share)s%% of the promised limit has elapsed."), {"share": round(elapsed_share)})
                )
    if not (clock is not None and clock.paused):  # a supplement or special procedure pauses the stages too
        for step in late_steps:
            level = max(level, WarningLevel.YELLOW)
            if "stage_overdue" not in reasons:
                reasons.append("stage_overdue")
            messages.append(
                lazy_format(
                    _("The step %(step)s (%(department)s) passed its stage limit on %(date)s."),
                    {"step": step.name, "department": step.department.name, "date": str(step.due_on)},
                )
            )
    if application.accepted_on is None and application.status in {S.RECEIVED, S.SUPPLEMENT_ENDED}:
        waiting_since = received_on(application)
        if application.status == S.SUPPLEMENT_ENDED:
            answered = application.events.filter(action="supplement_answer").order_by("-at").first()
            waiting_since = timezone.localdate(answered.at) if answered else waiting_since
        if waiting_since is not None:
            waited = calendar_count_working_days(waiting_since, today, snapshot=snapshot).days
            if waited >= rules.intake_days:
                level = max(level, WarningLevel.YELLOW)
                reasons.append("intake_late")
                messages.append(
                    lazy_format(
                        _("Waiting %(days)s working days at the window without acceptance or a notice."),
                        {"days": waited},
                    )
                )
    if level == WarningLevel.NONE:
        return None
    return SupervisionWarning(
        application=summary,
        department_id=application.department_id,
        level=int(level),
        reasons=tuple(reasons),
        messages=tuple(messages),
    )


def supervision_warnings(
    *,
    department_id: int | None = None,
    task_code: str = "",
    level: int | None = None,
    application_ids: Collection[int] | None = None,
    today: datetime.date | None = None,
) -> list[SupervisionWarning]:
    """Every warning on open applications, red first, then by promised deadline; filtered as asked (by
    department, item, level, or the applications themselves)."""
    today = today or timezone.localdate()
    rules = _rules_by_department()
    unlisted = ApplicationFee.objects.filter(fee__isnull=True)
    queryset = Application.objects.select_related("item_version", "item_version__item", "department").filter(
        Q(status__in=OPEN) | Q(pk__in=unlisted.values("application_id"))
    )
    if department_id is not None:
        queryset = queryset.filter(department_id=department_id)
    if task_code:
        queryset = queryset.filter(item_version__item__task_code=task_code)
    if application_ids is not None:
        queryset = queryset.filter(pk__in=list(application_ids))
    late: dict[int, list[ApplicationStep]] = {}
    for step in ApplicationStep.objects.filter(
        status=StepStatus.OPEN, due_on__lt=today, application__in=queryset
    ).select_related("department"):
        late.setdefault(step.application_id, []).append(step)
    fees: dict[int, list[ApplicationFee]] = {}
    for fee in unlisted.filter(application__in=queryset):
        fees.setdefault(fee.application_id, []).append(fee)
    found = []
    snapshot = CalendarSnapshot()  # the calendar read once for every application
    for application in queryset:
        rule = rules.get(application.department_id) or rules.get(None) or Rules()
        warning = _assess(
            application, rule, today, snapshot, late.get(application.pk, ()), fees.get(application.pk, ())
        )
        if warning is not None and (level is None or warning.level == level):
            found.append(warning)

    def order(warning: SupervisionWarning) -> tuple[int, datetime.date, str]:
        clock = warning.application.clock
        due = clock.promised.due if clock else (warning.application.supplement_deadline or datetime.date.max)
        return (-warning.level, due, warning.application.number)

    return sorted(found, key=order)


def supervision_board(
    *, actor: Any, department_id: int | None = None, task_code: str = "", level: int | None = None
) -> list[SupervisionWarning]:
    """The board: supervisors and leaders of a department see its warnings; the platform's administrators see
    every department's."""
    if actor is None or getattr(actor, "kind", None) != UserKind.STAFF or not actor.has_role(*BOARD_ROLES):
        raise PermissionDenied(_("The supervision board is for supervisors, leaders and platform administrators."))
    if not actor.has_role(Role.PLATFORM_ADMIN):
        if actor.department_id is None:  # no department: nothing to supervise (never "every department")
            raise PermissionDenied(_("You supervise your own department only."))
        if department_id is not None and department_id != actor.department_id:
            raise PermissionDenied(_("You supervise your own department only."))
        department_id = actor.department_id
    return supervision_warnings(department_id=department_id, task_code=task_code, level=level)


@transaction.atomic
def supervision_rule_set(
    *, actor: Any, department_id: int | None, yellow_days_remaining: int, yellow_share_elapsed: int, intake_days: int
) -> SupervisionRule:
    """Set a department's thresholds (or the defaults, with no department): platform administrators only."""
    if actor is not None and not actor.has_role(Role.PLATFORM_ADMIN):
        raise PermissionDenied(_("Only platform administrators set supervision rules."))
    for value, field, low, high in (
        (yellow_days_remaining, "yellow_days_remaining", 0, 30),
        (yellow_share_elapsed, "yellow_share_elapsed", 1, 100),
        (intake_days, "intake_days", 1, 30),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValidationFailed(
                lazy_format(_("Give a whole number from %(low)s to %(high)s."), {"low": low, "high": high}),
                field=field,
            )
    rules = SupervisionRule.objects.select_for_update()
    found = rules.filter(department__isnull=True) if department_id is None else rules.filter(department=department_id)
    rule = found.first() or SupervisionRule(department_id=department_id)
    rule.yellow_days_remaining = yellow_days_remaining
    rule.yellow_share_elapsed = yellow_share_elapsed
    rule.intake_days = intake_days
    rule.updated_at = timezone.now()
    rule.updated_by = actor if actor is not None and actor.pk is not None else None
    rule.save()
    record_event(
        actor=actor,
        action="services.supervision.rule",
        object_type="services.SupervisionRule",
        object_id=rule.pk,
        changes={
            "department_id": department_id,
            "yellow_days_remaining": yellow_days_remaining,
            "yellow_share_elapsed": yellow_share_elapsed,
            "intake_days": intake_days,
        },
    )
    return rule


def supervision_notify(*, today: datetime.date | None = None) -> list[tuple[str, int]]:
    """Mail each warning once per level it reaches: to the department's handling staff and its supervisors.
    An application whose warning cleared is reset, so that a new warning is mailed again. Returns (number,
    level) of the mails sent (run hourly by the worker)."""
    today = today or timezone.localdate()
    current = {warning.application.id: warning for warning in supervision_warnings(today=today)}
    sent: list[tuple[str, int]] = []
    for application in Application.objects.filter(status__in=OPEN).only("pk", "warned_level", "number"):
        warning = current.get(application.pk)
        level = warning.level if warning is not None else WarningLevel.NONE
        if level == application.warned_level:
            continue
        Application.objects.filter(pk=application.pk).update(warned_level=level)
        if warning is not None and level > application.warned_level:
            from yiwang.services.tasks import notify_supervision_warning

            transaction.on_commit(
                functools.partial(notify_supervision_warning.enqueue, application_id=application.pk, level=int(level))
            )
            sent.append((application.number or "", level))
    return sent
