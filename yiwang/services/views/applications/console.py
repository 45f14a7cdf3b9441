"""The handling department's application pages: the inbox, most urgent first, and one application with the steps
the viewer's roles allow in its status (accept, refuse, request a supplement, handle, decide…).

Each step is a POST form calling one service. The services decide: a refusal of the form's input is shown on the
form (400), another clerk having acted first is shown prominently on the page as it is now (409), another
department's application is a 404 and a step of another role a 403.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from yiwang.core.errors import Conflict, YiwangError
from yiwang.core.forms import add_service_error
from yiwang.identity.access import staff_required
from yiwang.identity.roles import Role
from yiwang.services.applications import services
from yiwang.services.applications.clock import application_clock, supplement_deadline
from yiwang.services.applications.process import has_process, may_take, open_steps
from yiwang.services.applications.selectors import OPEN, department_inbox, steps_waiting_for
from yiwang.services.applications.services import BEFORE_ACCEPTANCE, CONCLUDED, UNDER_HANDLING
from yiwang.services.forms import (
    DecideForm,
    ExtendForm,
    FeeForm,
    InboxFilterForm,
    OpinionForm,
    ReasonsForm,
    ReviewForm,
    SpecialEndForm,
    SpecialStartForm,
    SupplementRequestForm,
    lines_of,
)
from yiwang.services.models import Application, ApplicationStatus
from yiwang.services.views.applications.display import (
    STATUS_LABELS,
    answers_of,
    application_or_404,
    countdown_of,
    timeline_of,
)
from yiwang.services.views.common import refuse_unreachable

S = ApplicationStatus
CLERKS = (Role.CLERK,)
REVIEWERS = (Role.REVIEWER, Role.APPROVER)
APPROVERS = (Role.APPROVER,)
ANY_STAFF = (Role.CLERK, Role.REVIEWER, Role.APPROVER)
PROCESS_STEPS = {"review": "review", "decide": "decide"}  # console step → the process's step kind


# --- the steps ------------------------------------------------------------------------------------------------------


def _before_acceptance(application: Application, today: datetime.date) -> bool:
    return application.accepted_on is None and application.status in BEFORE_ACCEPTANCE


def _handling(application: Application, today: datetime.date) -> bool:
    return application.accepted_on is not None and application.status in UNDER_HANDLING


def _awaiting_intake(application: Application) -> bool:
    """Received and neither accepted nor asked for a supplement: the art. 32 window runs."""
    return application.accepted_on is None and application.status == S.RECEIVED


def _supplement_possible(application: Application, today: datetime.date) -> bool:
    """One notice before acceptance within the art. 32 window; after acceptance while it is handled."""
    if application.accepted_on is not None:
        return application.status in UNDER_HANDLING
    if not _awaiting_intake(application) or any(e.action == "supplement_request" for e in application.events.all()):
        return False
    deadline = supplement_deadline(application)
    return deadline is None or today <= deadline


@dataclass(frozen=True)
class Step:
    """One thing the department does to an application: its form, who may, when, and the service it calls."""

    slug: str
    title: Promise
    button: Promise
    done: Promise
    form: type[forms.Form]
    roles: tuple[str, ...]
    when: Callable[[Application, datetime.date], bool]
    run: Callable[[Any, int, dict[str, Any]], object]
    warning: bool = False

    def offered(self, user: Any, application: Application, today: datetime.date) -> bool:
        """Whether the page shows this step's form (the service checks again when it is taken)."""
        if self.slug == "supplement":  # the window's clerks before acceptance, reviewers after
            roles = CLERKS if application.accepted_on is None else REVIEWERS
            return bool(user.has_role(*roles)) and self.when(application, today)
        if self.slug in PROCESS_STEPS:
            if not has_process(application):  # submitted before processes: no reviews, the approvers decide
                return self.slug == "decide" and bool(user.has_role(*APPROVERS)) and self.when(application, today)
            kind = PROCESS_STEPS[self.slug]  # the process says who takes it
            ready = [step for step in open_steps(application) if step.kind == kind and may_take(user, step)]
            return bool(ready) and self.when(application, today)
        return bool(user.has_role(*self.roles)) and self.when(application, today)


STEPS = [
    Step(
        "accept",
        gettext_lazy("Accept"),
        gettext_lazy("Accept the application"),
        gettext_lazy("The application is accepted: the time limit runs from the next working day."),
        OpinionForm,
        CLERKS,
        _before_acceptance,
        lambda actor, pk, data: services.application_accept(actor=actor, application_id=pk, opinion=data["opinion"]),
    ),
    Step(
        "supplement",
        gettext_lazy("Request a supplement"),
        gettext_lazy("Send the supplement notice"),
        gettext_lazy("The supplement notice is sent to the applicant."),
        SupplementRequestForm,
        CLERKS + REVIEWERS,
        _supplement_possible,
        lambda actor, pk, data: services.application_request_supplement(
            actor=actor, application_id=pk, missing=lines_of(data["missing"]), notice=data["notice"]
        ),
    ),
    Step(
        "refuse",
        gettext_lazy("Refuse to accept"),
        gettext_lazy("Refuse with these reasons"),
        gettext_lazy("The application is refused; the applicant receives the reasons."),
        ReasonsForm,
        CLERKS,
        _before_acceptance,
        lambda actor, pk, data: services.application_refuse(actor=actor, application_id=pk, reasons=data["reasons"]),
        warning=True,
    ),
    Step(
        "not-ours",
        gettext_lazy("Not this department's matter"),
        gettext_lazy("Decline: not ours"),
        gettext_lazy("The application is declined as not this department's matter."),
        ReasonsForm,
        CLERKS,
        _before_acceptance,
        lambda actor, pk, data: services.application_refuse(
            actor=actor, application_id=pk, reasons=data["reasons"], not_ours=True
        ),
        warning=True,
    ),
    Step(
        "start-handling",
        gettext_lazy("Start handling"),
        gettext_lazy("Start handling"),
        gettext_lazy("Handling has started."),
        OpinionForm,
        REVIEWERS,
        lambda application, today: (
            application.accepted_on is not None
            and application.status in {S.ACCEPTED, S.SUPPLEMENT_ENDED, S.SPECIAL_ENDED}
        ),
        lambda actor, pk, data: services.application_start_handling(
            actor=actor, application_id=pk, opinion=data["opinion"]
        ),
    ),
    Step(
        "special-start",
        gettext_lazy("Special procedure"),
        gettext_lazy("Start the special procedure"),
        gettext_lazy("The special procedure has started: the clock is paused."),
        SpecialStartForm,
        REVIEWERS,
        _handling,
        lambda actor, pk, data: services.application_special_start(
            actor=actor, application_id=pk, kind=data["kind"], reason=data["reason"]
        ),
    ),
    Step(
        "special-end",
        gettext_lazy("End the special procedure"),
        gettext_lazy("End the special procedure"),
        gettext_lazy("The special procedure has ended: the clock runs again."),
        SpecialEndForm,
        REVIEWERS,
        lambda application, today: application.status == S.SPECIAL_STARTED,
        lambda actor, pk, data: services.application_special_end(actor=actor, application_id=pk, result=data["result"]),
    ),
    Step(
        "extend",
        gettext_lazy("Extend the time limit"),
        gettext_lazy("Extend"),
        gettext_lazy("The time limit is extended."),
        ExtendForm,
        APPROVERS,
        lambda application, today: (
            application.accepted_on is not None
            and application.status in {*UNDER_HANDLING, S.SUPPLEMENT_STARTED, S.SPECIAL_STARTED}
        ),
        lambda actor, pk, data: services.application_extend(
            actor=actor, application_id=pk, days=data["days"], reason=data["reason"]
        ),
    ),
    Step(
        "review",
        gettext_lazy("Review"),
        gettext_lazy("Record the review"),
        gettext_lazy("The review is recorded: the process moves on when every step before the next is done."),
        ReviewForm,
        REVIEWERS,
        _handling,
        lambda actor, pk, data: services.application_review(
            actor=actor, application_id=pk, verdict=data["verdict"], opinion=data["opinion"]
        ),
    ),
    Step(
        "decide",
        gettext_lazy("Decide"),
        gettext_lazy("Record the decision"),
        gettext_lazy("The decision is recorded: the application is concluded."),
        DecideForm,
        ANY_STAFF,  # the approvers, unless the item's process gives the decision to another role (即办件: the window)
        _handling,
        lambda actor, pk, data: services.application_decide(
            actor=actor,
            application_id=pk,
            outcome=data["outcome"],
            opinion=data["opinion"],
            tolerated=lines_of(data["tolerated"]),
        ),
    ),
    Step(
        "fee",
        gettext_lazy("Record a fee charged"),
        gettext_lazy("Record the fee"),
        gettext_lazy("The fee is recorded."),
        FeeForm,
        (Role.CLERK, Role.APPROVER),
        lambda application, today: (
            application.accepted_on is not None
            and application.status in {*UNDER_HANDLING, S.SUPPLEMENT_STARTED, S.SPECIAL_STARTED, *CONCLUDED}
        ),
        lambda actor, pk, data: services.application_fee_record(
            actor=actor, application_id=pk, name=data["name"], amount=data["amount"]
        ),
    ),
    Step(
        "revoke",
        gettext_lazy("Revoke the approval"),
        gettext_lazy("Revoke"),
        gettext_lazy("The approval is revoked."),
        ReasonsForm,
        APPROVERS,
        lambda application, today: application.status in {S.APPROVED, S.APPROVED_WITH_TOLERANCE},
        lambda actor, pk, data: services.application_revoke(actor=actor, application_id=pk, reasons=data["reasons"]),
        warning=True,
    ),
]
STEPS_BY_SLUG = {step.slug: step for step in STEPS}


@dataclass(frozen=True)
class OfferedStep:
    step: Step
    form: forms.Form


# --- the pages ------------------------------------------------------------------------------------------------------


@staff_required()
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The department's open applications, most urgent first, filterable by status."""
    statuses = [(status, STATUS_LABELS[status]) for status in sorted(OPEN)]
    form = InboxFilterForm(request.GET, statuses=statuses)
    status = form.cleaned_data["status"] if form.is_valid() else None
    summaries = department_inbox(actor=request.user, status=status)
    lines = [(summary, countdown_of(summary.clock)) for summary in summaries]
    waiting = steps_waiting_for(actor=request.user)
    context = {"form": form, "lines": lines, "filtered": status is not None, "waiting": waiting}
    return render(request, "services/applications/console/inbox.html", context, status=400 if form.errors else 200)


def _render(
    request: HttpRequest,
    application_id: int,
    *,
    taken: OfferedStep | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    application = application_or_404(request, application_id)
    today = timezone.localdate()
    offered = [
        taken if taken is not None and taken.step is step else OfferedStep(step, step.form(prefix=step.slug))
        for step in STEPS
        if step.offered(request.user, application, today)
    ]
    if taken is not None and all(item is not taken for item in offered):  # the status changed: keep what was typed
        offered.insert(0, taken)
    clock = application_clock(application, today=today)
    context = {
        "application": application,
        "version": application.item_version,
        "applicant_name": getattr(application.applicant, "real_name", "") or _("(no name given)"),
        "answers": answers_of(application),
        "timeline": timeline_of(application),
        "clock": clock,
        "countdown": countdown_of(clock),
        "supplement_deadline": supplement_deadline(application) if _awaiting_intake(application) else None,
        "concluded": application.status in CONCLUDED,
        "offered": offered,
        "conflict": conflict,
        "process_steps": list(application.steps.select_related("department")),
        "fees": list(application.fees.all()),
        "materials": list(application.materials.filter(superseded_at__isnull=True).order_by("uploaded_at", "pk")),
    }
    return render(request, "services/applications/console/application.html", context, status=status)


@staff_required()
@require_GET
def application(request: HttpRequest, application_id: int) -> HttpResponse:
    """One application of the department: applicant, item, answers, history, clock, and the viewer's steps."""
    return _render(request, application_id)


@staff_required()
@require_POST
def application_step(request: HttpRequest, application_id: int, step: str) -> HttpResponse:
    """Take one step on the application through its service; back to the page with its message or its refusal."""
    chosen = STEPS_BY_SLUG.get(step)
    if chosen is None:
        raise Http404(_("No such step."))
    application_or_404(request, application_id)  # another department's application: 404 before anything else
    user: Any = request.user
    if not user.has_role(*chosen.roles):
        raise PermissionDenied(_("Your roles do not include this step."))
    form = chosen.form(request.POST, prefix=chosen.slug)
    taken = OfferedStep(chosen, form)
    if not form.is_valid():
        return _render(request, application_id, taken=taken, status=400)
    try:
        chosen.run(request.user, application_id, form.cleaned_data)
    except YiwangError as error:
        refuse_unreachable(error)
        if isinstance(error, Conflict):
            return _render(request, application_id, conflict=str(error), status=409)
        add_service_error(form, error)
        return _render(request, application_id, taken=taken, status=400)
    messages.success(request, str(chosen.done))
    return redirect("services:console_application", application_id=application_id)
