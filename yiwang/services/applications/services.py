"""Applications (办件): drafted and submitted by applicants, handled by the item's department, step by step.

Every step locks the application's row, checks that its status still allows the step, writes the new status
and an `ApplicationEvent` (actor, time, opinion) and an audit event, all in one transaction. Two clerks acting on
the same application at once: the first wins, the second gets a Conflict naming the status it found.

Who may do what: the applicant (or an agent of the enterprise applied for) drafts, submits, withdraws, recalls
and answers supplements; the department's clerks (窗口) accept, refuse and request supplements before acceptance;
its reviewers and approvers request supplements and run special procedures after acceptance; its approvers
extend, decide and revoke.
"""

from __future__ import annotations

import datetime
import decimal
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.audit.services import record_event
from yiwang.core.calendar.selectors import CalendarSnapshot
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, lazy_format
from yiwang.identity.roles import Role, UserKind
from yiwang.identity.selectors import can_act_for
from yiwang.org.selectors import department_get
from yiwang.services.applications.clock import received_on, supplement_deadline, urgency
from yiwang.services.applications.form_schema import check_answers
from yiwang.services.applications.process import (
    has_process,
    process_fire_timers,
    process_start,
    process_stop,
    process_take,
)
from yiwang.services.models import (
    Application,
    ApplicationCounter,
    ApplicationEvent,
    ApplicationFee,
    ApplicationProcess,
    ApplicationStatus,
    HandlingItem,
    ItemVersion,
    SpecialProcedureKind,
    StepKind,
    Verdict,
    VersionStatus,
)
from yiwang.services.models.applications import OPEN_STATUSES
from yiwang.services.signals import application_concluded, application_revoked

logger = logging.getLogger(__name__)
S = ApplicationStatus
BEFORE_ACCEPTANCE = frozenset({S.RECEIVED, S.SUPPLEMENT_ENDED})  # with accepted_on still empty
UNDER_HANDLING = frozenset({S.ACCEPTED, S.SUPPLEMENT_ENDED, S.HANDLING, S.SPECIAL_ENDED})  # accepted_on set
CONCLUDED = frozenset({S.APPROVED, S.APPROVED_WITH_TOLERANCE, S.NOT_APPROVED})
MAX_EXTENSION_DAYS = 30
TEXT_LIMIT = 2000


# --- who ---------------------------------------------------------------------------------------------------------


def _is_applicant(actor: Any, application: Application) -> bool:
    if actor is None or actor.pk is None:
        return False
    if application.applicant_id == actor.pk:
        return True
    return application.enterprise_id is not None and can_act_for(actor, application.enterprise_id)


def _require_applicant(actor: Any, application: Application) -> None:
    if not _is_applicant(actor, application):
        raise NotFound(_("No application of yours has this number."))


def _require_staff(actor: Any, application: Application, roles: Iterable[str], message: Any) -> None:
    """Staff of the application's department with one of `roles` (others do not learn that it exists)."""
    if actor is None:
        return  # the system itself (the art. 32 sweep)
    if getattr(actor, "kind", None) != UserKind.STAFF or actor.department_id != application.department_id:
        raise NotFound(_("No application of your department has this number."))
    if not actor.has_role(*roles):
        raise PermissionDenied(message)


def _require_clerk(actor: Any, application: Application) -> None:
    _require_staff(actor, application, (Role.CLERK,), _("Only the department's window clerks take this step."))


def _require_reviewer(actor: Any, application: Application) -> None:
    _require_staff(
        actor, application, (Role.REVIEWER, Role.APPROVER), _("Only the department's reviewers take this step.")
    )


def _require_department_staff(actor: Any, application: Application) -> None:
    """Staff of the application's department, whatever their role (who may take the step is the process's say)."""
    _require_staff(actor, application, tuple(Role.values), "")


def _require_step_department(actor: Any, application: Application) -> None:
    """Staff of the application's department, or of a department its process asked a step of."""
    if actor is None:
        return
    if getattr(actor, "kind", None) == UserKind.STAFF and (
        actor.department_id == application.department_id
        or application.steps.filter(department_id=actor.department_id).exists()
    ):
        return
    raise NotFound(_("No application of your department has this number."))


def _require_approver(actor: Any, application: Application) -> None:
    _require_staff(actor, application, (Role.APPROVER,), _("Only the department's approvers take this step."))


# --- helpers -------------------------------------------------------------------------------------------------------


def _text(value: str, field: str, message: Any, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(message, field=field)
    if len(value) > TEXT_LIMIT:
        raise ValidationFailed(lazy_format(_("At most %(limit)s characters."), {"limit": TEXT_LIMIT}), field=field)
    return value


def _locked(application_id: int) -> Application:
    application = (
        Application.objects.select_for_update()
        .select_related("item_version", "item_version__item")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        raise NotFound(lazy_format(_("No application has id %(id)s."), {"id": application_id}))
    return application


def _require_status(application: Application, allowed: Iterable[int], *, accepted: bool | None = None) -> None:
    """Refuse a step the application's current status does not allow, saying what the status is."""
    ok = application.status in set(allowed)
    if ok and accepted is not None:
        ok = (application.accepted_on is not None) == accepted
    if not ok:
        raise Conflict(
            lazy_format(
                _("Application %(number)s is %(status)s now: this step is not possible (someone acted on it)."),
                {"number": application.number or "", "status": application.get_status_display()},
            ),
            code="status_changed",
        )


def _actor_name(actor: Any) -> str:
    if actor is None:
        return str(_("the platform"))
    return (getattr(actor, "real_name", "") or actor.get_username())[:100]


def _step(
    application: Application,
    *,
    actor: Any,
    action: str,
    status: int | None,
    opinion: str = "",
    details: dict[str, Any] | None = None,
    fields: Sequence[str] = (),
) -> Application:
    """Write the new status (if any) and the other changed fields, the event and the audit event."""
    now = timezone.now()
    if status is not None:
        application.status = status
    application.updated_at = now
    application.urgent_on = urgency(application)
    application.save(update_fields=["status", "updated_at", "urgent_on", *fields])
    ApplicationEvent.objects.create(
        application=application,
        action=action,
        status=status,
        actor=actor if actor is not None and actor.pk is not None else None,
        actor_name=_actor_name(actor),
        at=now,
        opinion=opinion,
        details=details or {},
    )
    record_event(
        actor=actor,
        action=f"services.application.{action}",
        object_type="services.Application",
        object_id=application.pk,
        changes={"number": application.number, "status": application.status, **(details or {})},
    )
    return application


def _next_number(department_id: int, day: datetime.date) -> str:
    """办件编号: the department's 6-digit division code, the date, and a 6-digit serial of that day."""
    department = department_get(department_id=department_id)
    division = (department.division_code if department else "000000")[:6].ljust(6, "0")
    prefix = f"{division}{day:%Y%m%d}"
    counter, _created = ApplicationCounter.objects.select_for_update().get_or_create(prefix=prefix)
    ApplicationCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db()
    return f"{prefix}{counter.last:06d}"


def _require_outside_bundle(application: Application, in_bundle: bool) -> None:
    """A sub-application of a bundle (一件事) is saved and submitted with its bundle, never alone."""
    if application.bundle_application_id is not None and not in_bundle:
        raise Conflict(_("This application is part of a bundle (一件事): change and submit it with the bundle."))


# --- the applicant -------------------------------------------------------------------------------------------------


@transaction.atomic
def application_draft_save(
    *,
    actor: Any,
    task_code: str | None = None,
    application_id: int | None = None,
    form_data: dict[str, Any],
    handling_item_code: str = "",
    enterprise_id: int | None = None,
    in_bundle: bool = False,
) -> Application:
    """Start a draft under an item's published version, or change one's own draft (nothing is checked yet)."""
    if actor is None or getattr(actor, "kind", None) != UserKind.CITIZEN:
        raise PermissionDenied(_("Applications are made by citizens, for themselves or for an enterprise."))
    if not isinstance(form_data, dict):
        raise ValidationFailed(_("The form's answers must be an object."), field="form_data")
    if application_id is not None:
        application = _locked(application_id)
        _require_applicant(actor, application)
        _require_status(application, {S.DRAFT})
        _require_outside_bundle(application, in_bundle)
        application.form_data = form_data
        application.updated_at = timezone.now()
        application.save(update_fields=["form_data", "updated_at"])
        return application
    if enterprise_id is not None and not can_act_for(actor, enterprise_id):
        raise PermissionDenied(_("You are not an agent of this enterprise."), field="enterprise_id")
    version = (
        ItemVersion.objects.select_related("item")
        .filter(item__task_code=task_code or "", status=VersionStatus.PUBLISHED)
        .first()
    )
    if version is None:
        raise NotFound(
            lazy_format(_("No published item has implementation code %(code)s."), {"code": task_code or ""}),
            field="task_code",
        )
    handling: HandlingItem | None = None
    if handling_item_code:
        handling = version.handling_items.filter(code=handling_item_code).first()
        if handling is None:
            raise ValidationFailed(
                lazy_format(_("The item has no handling item %(code)s."), {"code": handling_item_code}),
                field="handling_item",
            )
    elif version.handling_items.exists():
        raise ValidationFailed(_("Choose what you apply for."), field="handling_item")
    application = Application.objects.create(
        item_version=version,
        handling_item=handling,
        department_id=version.item.department_id,
        applicant=actor,
        enterprise_id=enterprise_id,
        form_data=form_data,
    )
    record_event(
        actor=actor,
        action="services.application.draft",
        object_type="services.Application",
        object_id=application.pk,
        changes={"task_code": version.item.task_code, "version": version.number},
    )
    return application


@transaction.atomic
def application_submit(*, actor: Any, application_id: int, in_bundle: bool = False) -> Application:
    """Submit a draft: the form is checked against the item's form, the application numbered and received."""
    application = _locked(application_id)
    _require_applicant(actor, application)
    _require_status(application, {S.DRAFT})
    _require_outside_bundle(application, in_bundle)
    version = application.item_version
    if version.status == VersionStatus.RETIRED:
        raise Conflict(_("The item was withdrawn from the service guide: it can no longer be applied for."))
    check_answers(version.form_schema, application.form_data)
    from yiwang.services.applications.materials import materials_check  # it builds on this module's helpers

    materials_check(application)
    now = timezone.now()
    application.number = _next_number(application.department_id, timezone.localdate(now))
    application.submitted_at = now
    _step(
        application,
        actor=actor,
        action="submit",
        status=S.RECEIVED,
        details={"task_code": version.item.task_code, "version": version.number},
        fields=["number", "submitted_at"],
    )
    process_start(application)
    return application


@transaction.atomic
def application_withdraw(*, actor: Any, application_id: int, reason: str = "") -> Application:
    """The applicant takes the application back: withdrawn (2) before acceptance, recalled (14) after."""
    application = _locked(application_id)
    _require_applicant(actor, application)
    reason = _text(reason, "reason", "", required=False)
    if application.accepted_on is None:
        _require_status(application, {S.RECEIVED, S.SUPPLEMENT_STARTED, S.SUPPLEMENT_ENDED})
        application.concluded_at = timezone.now()
        process_stop(application)
        return _step(
            application, actor=actor, action="withdraw", status=S.WITHDRAWN, opinion=reason, fields=["concluded_at"]
        )
    _require_status(application, {*UNDER_HANDLING, S.SUPPLEMENT_STARTED, S.SPECIAL_STARTED})
    _close_pause(application, timezone.localdate())
    application.concluded_at = timezone.now()
    process_stop(application)
    return _step(
        application,
        actor=actor,
        action="recall",
        status=S.RECALLED,
        opinion=reason,
        fields=["pauses", "paused_since", "concluded_at"],
    )


@transaction.atomic
def application_answer_supplement(
    *, actor: Any, application_id: int, form_data: dict[str, Any] | None = None, note: str = ""
) -> Application:
    """The applicant answers the supplement notice (补正结束); the clock runs again if it had started."""
    application = _locked(application_id)
    _require_applicant(actor, application)
    _require_status(application, {S.SUPPLEMENT_STARTED})
    fields = ["pauses", "paused_since"]
    if form_data is not None:
        if not isinstance(form_data, dict):
            raise ValidationFailed(_("The form's answers must be an object."), field="form_data")
        check_answers(application.item_version.form_schema, form_data)
        application.form_data = form_data
        fields.append("form_data")
    _close_pause(application, timezone.localdate())
    return _step(
        application,
        actor=actor,
        action="supplement_answer",
        status=S.SUPPLEMENT_ENDED,
        opinion=_text(note, "note", "", required=False),
        fields=fields,
    )


# --- intake: the window --------------------------------------------------------------------------------------------


@transaction.atomic
def application_accept(*, actor: Any, application_id: int, opinion: str = "") -> Application:
    """Accept (受理): the statutory clock starts the next working day. Returns the application."""
    application = _locked(application_id)
    _require_department_staff(actor, application)
    _require_status(application, BEFORE_ACCEPTANCE, accepted=False)
    if process_take(application, actor=actor, kind=StepKind.ACCEPT, required=False) is None:
        _require_clerk(actor, application)  # the process asks no acceptance step of anyone: the window accepts
    application.accepted_on = timezone.localdate()
    return _step(
        application,
        actor=actor,
        action="accept",
        status=S.ACCEPTED,
        opinion=_text(opinion, "opinion", "", required=False),
        details={"accepted_on": application.accepted_on.isoformat()},
        fields=["accepted_on"],
    )


@transaction.atomic
def application_refuse(*, actor: Any, application_id: int, reasons: str, not_ours: bool = False) -> Application:
    """Refuse to accept, with written reasons: 不予受理 (5), or 不受理 (4) when the matter is not this
    department's (the reasons then say where to apply)."""
    application = _locked(application_id)
    _require_clerk(actor, application)
    _require_status(application, BEFORE_ACCEPTANCE, accepted=False)
    reasons = _text(reasons, "reasons", _("A refusal needs its written reasons."))
    application.concluded_at = timezone.now()
    process_stop(application)
    return _step(
        application,
        actor=actor,
        action="not_accept" if not_ours else "refuse",
        status=S.NOT_ACCEPTED if not_ours else S.REFUSED,
        opinion=reasons,
        fields=["concluded_at"],
    )


@transaction.atomic
def application_request_supplement(
    *, actor: Any, application_id: int, missing: Sequence[str], notice: str = ""
) -> Application:
    """Ask for everything missing in one notice (一次性告知). Before acceptance only within 5 working days of
    receipt (art. 32); after acceptance by a reviewer, with the clock stopped until the applicant answers."""
    application = _locked(application_id)
    items = [item.strip() for item in missing if item and item.strip()]
    if not items:
        raise ValidationFailed(_("List everything that is missing, in one notice."), field="missing")
    if any(len(item) > 200 for item in items):
        raise ValidationFailed(lazy_format(_("At most %(limit)s characters."), {"limit": 200}), field="missing")
    today = timezone.localdate()
    if application.accepted_on is None:
        _require_clerk(actor, application)
        _require_status(application, {S.RECEIVED}, accepted=False)
        if application.events.filter(action="supplement_request").exists():
            raise Conflict(_("Everything missing must be asked for in one notice: a supplement was requested already."))
        deadline = supplement_deadline(application)
        if deadline is not None and today > deadline:
            raise Conflict(
                lazy_format(
                    _(
                        "The 5 working days to request a supplement ended on %(date)s: the application counts as "
                        "accepted (Administrative Licensing Law art. 32)."
                    ),
                    {"date": deadline.isoformat()},
                )
            )
        fields: list[str] = []
    else:
        _require_reviewer(actor, application)
        _require_status(application, UNDER_HANDLING, accepted=True)
        application.paused_since = today
        fields = ["paused_since"]
    return _step(
        application,
        actor=actor,
        action="supplement_request",
        status=S.SUPPLEMENT_STARTED,
        opinion=_text(notice, "notice", "", required=False),
        details={"missing": items},
        fields=fields,
    )


def applications_deem_accepted(*, today: datetime.date | None = None) -> list[str]:
    """Art. 32: applications received more than 5 working days ago with no supplement requested and no decision
    count as accepted from the day they were received. Returns their numbers (run hourly by the worker)."""
    today = today or timezone.localdate()
    done: list[str] = []
    for application_id in Application.objects.filter(status=S.RECEIVED, accepted_on__isnull=True).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            application = _locked(application_id)
            if application.status != S.RECEIVED or application.accepted_on is not None:
                continue
            deadline = supplement_deadline(application)
            received = received_on(application)
            if deadline is None or received is None or today <= deadline:
                continue
            if application.events.filter(action="supplement_request").exists():
                continue
            application.accepted_on = received
            process_take(application, actor=None, kind=StepKind.ACCEPT, required=False)
            _step(
                application,
                actor=None,
                action="deemed_accepted",
                status=S.ACCEPTED,
                opinion=str(
                    _("No supplement was requested within 5 working days: accepted from the day of receipt (art. 32).")
                ),
                details={"accepted_on": received.isoformat(), "supplement_deadline": deadline.isoformat()},
                fields=["accepted_on"],
            )
            done.append(application.number or "")
    return done


# --- handling --------------------------------------------------------------------------------------------------


def _close_pause(application: Application, today: datetime.date) -> None:
    if application.paused_since is not None:
        application.pauses = [*application.pauses, [application.paused_since.isoformat(), today.isoformat()]]
        application.paused_since = None


@transaction.atomic
def application_start_handling(*, actor: Any, application_id: int, opinion: str = "") -> Application:
    """A reviewer takes up an accepted application (部门开始办理, status 8)."""
    application = _locked(application_id)
    _require_reviewer(actor, application)
    _require_status(application, {S.ACCEPTED, S.SUPPLEMENT_ENDED, S.SPECIAL_ENDED}, accepted=True)
    return _step(
        application,
        actor=actor,
        action="start_handling",
        status=S.HANDLING,
        opinion=_text(opinion, "opinion", "", required=False),
    )


@transaction.atomic
def application_special_start(*, actor: Any, application_id: int, kind: str, reason: str) -> Application:
    """Start a special procedure (hearing, testing, expert review…): its time is not counted (art. 45)."""
    application = _locked(application_id)
    _require_reviewer(actor, application)
    _require_status(application, UNDER_HANDLING, accepted=True)
    if kind not in SpecialProcedureKind.values:
        raise ValidationFailed(lazy_format(_("%(value)s is not a valid choice."), {"value": kind}), field="kind")
    reason = _text(reason, "reason", _("Say why the special procedure is needed (and on what basis)."))
    application.paused_since = timezone.localdate()
    return _step(
        application,
        actor=actor,
        action="special_start",
        status=S.SPECIAL_STARTED,
        opinion=reason,
        details={"kind": kind},
        fields=["paused_since"],
    )


@transaction.atomic
def application_special_end(*, actor: Any, application_id: int, result: str) -> Application:
    """End the special procedure with its result; the clock runs again."""
    application = _locked(application_id)
    _require_reviewer(actor, application)
    _require_status(application, {S.SPECIAL_STARTED})
    result = _text(result, "result", _("Record the special procedure's result."))
    _close_pause(application, timezone.localdate())
    return _step(
        application,
        actor=actor,
        action="special_end",
        status=S.SPECIAL_ENDED,
        opinion=result,
        fields=["pauses", "paused_since"],
    )


@transaction.atomic
def application_extend(*, actor: Any, application_id: int, days: int, reason: str) -> Application:
    """Extend the limit by working days with the approver's reasons (art. 42: e.g. 10 more days by the head of
    the agency); recorded, and the applicant sees the new deadline."""
    application = _locked(application_id)
    _require_approver(actor, application)
    _require_status(application, {*UNDER_HANDLING, S.SUPPLEMENT_STARTED, S.SPECIAL_STARTED}, accepted=True)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationFailed(
            lazy_format(_("An extension is 1 to %(limit)s working days."), {"limit": MAX_EXTENSION_DAYS}), field="days"
        )
    reason = _text(reason, "reason", _("An extension needs its reasons, which the applicant is told."))
    application.extension_days += days
    return _step(
        application,
        actor=actor,
        action="extend",
        status=None,
        opinion=reason,
        details={"days": days, "total": application.extension_days},
        fields=["extension_days"],
    )


@transaction.atomic
def application_review(
    *, actor: Any, application_id: int, verdict: str, opinion: str = "", step_id: int | None = None
) -> Application:
    """Take a review step of the process (审查, or one signature of a countersign): agree, or disagree with
    reasons. A review of an application just accepted starts its handling (status 8)."""
    application = _locked(application_id)
    _require_step_department(actor, application)
    _require_status(application, UNDER_HANDLING, accepted=True)
    if verdict not in Verdict.values:
        raise ValidationFailed(lazy_format(_("%(value)s is not a valid choice."), {"value": verdict}), field="verdict")
    if verdict == Verdict.DISAGREE:
        opinion = _text(opinion, "opinion", _("Disagreeing needs its written reasons."))
    else:
        opinion = _text(opinion, "opinion", "", required=False)
    step = process_take(
        application, actor=actor, kind=StepKind.REVIEW, step_id=step_id, verdict=verdict, opinion=opinion
    )
    if step is None:
        raise Conflict(_("This application's process has no review steps."), code="step_not_open")
    status = S.HANDLING if application.status == S.ACCEPTED else None  # handling starts (8) once
    return _step(
        application,
        actor=actor,
        action="review",
        status=status,
        opinion=opinion,
        details={
            "step": step.name,
            "bpmn_id": step.bpmn_id,
            "verdict": verdict,
            "department": step.department.name,
            **({"countersign": step.countersign} if step.countersign else {}),
        },
    )


FEE_LIMIT = decimal.Decimal("99999999.99")


@transaction.atomic
def application_fee_record(*, actor: Any, application_id: int, name: str, amount: Any) -> ApplicationFee:
    """Record a fee charged (by the window or an approver of the department). A fee the item's fee list does not
    have is recorded as charged and flagged by electronic supervision (`fee_not_listed`)."""
    application = _locked(application_id)
    _require_staff(
        actor, application, (Role.CLERK, Role.APPROVER), _("Only the department's window clerks and approvers do this.")
    )
    _require_status(application, {*UNDER_HANDLING, S.SUPPLEMENT_STARTED, S.SPECIAL_STARTED, *CONCLUDED})
    name = _text(name, "name", _("Name the fee as the item's fee list does."))[:200]
    try:
        value = decimal.Decimal(str(amount))
    except (decimal.InvalidOperation, ValueError):
        raise ValidationFailed(_("Give the amount in yuan, for example 10 or 12.50."), field="amount") from None
    if not value.is_finite() or value <= 0 or value > FEE_LIMIT or value != value.quantize(decimal.Decimal("0.01")):
        raise ValidationFailed(_("Give the amount in yuan, for example 10 or 12.50."), field="amount")
    listed = application.item_version.fees.filter(name=name).first()
    fee = ApplicationFee.objects.create(
        application=application,
        name=name,
        amount=value,
        fee=listed,
        recorded_by=actor if actor is not None and actor.pk is not None else None,
    )
    _step(
        application,
        actor=actor,
        action="fee",
        status=None,
        details={"name": name, "amount": str(value), "listed": listed is not None},
    )
    return fee


OUTCOMES: dict[str, int] = {
    "approved": S.APPROVED,
    "approved_with_tolerance": S.APPROVED_WITH_TOLERANCE,
    "not_approved": S.NOT_APPROVED,
}


@transaction.atomic
def application_decide(
    *, actor: Any, application_id: int, outcome: str, opinion: str = "", tolerated: Sequence[str] = ()
) -> Application:
    """Conclude (办结): approved, approved with tolerance (容缺: the materials still owed are listed), or not
    approved (reasons required)."""
    application = _locked(application_id)
    runs_process = has_process(application)
    if runs_process:
        _require_step_department(actor, application)  # the process may give the decision to another department
    else:
        _require_approver(actor, application)
    _require_status(application, UNDER_HANDLING, accepted=True)
    if outcome not in OUTCOMES:
        raise ValidationFailed(lazy_format(_("%(value)s is not a valid choice."), {"value": outcome}), field="outcome")
    details: dict[str, Any] = {"outcome": outcome}
    if outcome == "not_approved":
        opinion = _text(opinion, "opinion", _("A decision not to approve needs its written reasons."))
    else:
        opinion = _text(opinion, "opinion", "", required=False)
    if outcome == "approved_with_tolerance":
        owed = [item.strip() for item in tolerated if item and item.strip()]
        if not owed:
            raise ValidationFailed(_("List the materials the applicant still owes."), field="tolerated")
        details["tolerated"] = owed
    if runs_process:
        process_take(application, actor=actor, kind=StepKind.DECIDE, opinion=opinion)
    application.concluded_at = timezone.now()
    _step(
        application,
        actor=actor,
        action="decide",
        status=OUTCOMES[outcome],
        opinion=opinion,
        details=details,
        fields=["concluded_at"],
    )
    application_concluded.send(sender=Application, application_id=application.pk, status=application.status)
    return application


@transaction.atomic
def application_revoke(*, actor: Any, application_id: int, reasons: str) -> Application:
    """Revoke an approval (撤销, status 15), with written reasons."""
    application = _locked(application_id)
    _require_approver(actor, application)
    _require_status(application, {S.APPROVED, S.APPROVED_WITH_TOLERANCE})
    reasons = _text(reasons, "reasons", _("A revocation needs its written reasons."))
    _step(application, actor=actor, action="revoke", status=S.REVOKED, opinion=reasons)
    application_revoked.send(sender=Application, application_id=application.pk, reasons=reasons)
    return application


@transaction.atomic
def application_result_license_record(*, application_id: int, identifier: str) -> Application:
    """Record the e-license an approval issued (结果证照编号), as an event of the case (called by the licenses app,
    in the transaction that issues it)."""
    application = _locked(application_id)
    _require_status(application, {S.APPROVED, S.APPROVED_WITH_TOLERANCE})
    if application.result_license:
        raise Conflict(_("This application's license was already issued."), field="application_id")
    application.result_license = identifier
    return _step(
        application,
        actor=None,
        action="license_issued",
        status=None,
        details={"license": identifier},
        fields=["result_license"],
    )


def applications_fire_process_timers(*, now: datetime.datetime | None = None) -> list[str]:
    """Let the processes' due timers fire (reminders, escalations drawn in the BPMN); each firing is an event in
    the application's history. Returns the numbers of the applications concerned (run every minute by the worker)."""
    now = now or timezone.now()
    done: list[str] = []
    for application_id in ApplicationProcess.objects.filter(next_timer_at__lte=now, finished=False).values_list(
        "application_id", flat=True
    ):
        try:
            with transaction.atomic():
                application = _locked(application_id)
                fired = process_fire_timers(application)
                if fired:
                    _step(application, actor=None, action="process_timer", status=None, details={"timers": fired})
                    done.append(application.number or "")
        except Exception:  # one broken process must not stop the others' timers
            logger.exception("the process timers of application %s could not fire", application_id)
    return done


def applications_recompute_urgency(*, chunk: int = 2000) -> int:
    """Recompute every open application's inbox sort key, e.g. after the holiday calendar changed (run daily by
    the worker). Returns how many changed."""
    changed = 0
    last = 0
    snapshot = CalendarSnapshot()  # the calendar read once for the whole pass
    while True:
        batch = list(
            Application.objects.select_related("item_version")
            .filter(status__in=OPEN_STATUSES, pk__gt=last)
            .order_by("pk")[:chunk]
        )
        if not batch:
            return changed
        last = batch[-1].pk
        stale = []
        for application in batch:
            due = urgency(application, snapshot=snapshot)
            if due != application.urgent_on:
                application.urgent_on = due
                stale.append(application)
        Application.objects.bulk_update(stale, ["urgent_on"])
        changed += len(stale)
