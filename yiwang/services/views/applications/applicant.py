"""The applicant's pages: start an application from an item's guide, fill in and submit its form, follow it,
answer a supplement notice, withdraw or recall it, and the list of one's applications (/my/applications/).

Citizens only (an enterprise's agents are citizens): staff get a 403 page, and an application that is not the
citizen's own (or their enterprise's) is as unknown as a missing one.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.core.errors import Conflict, NotFound, YiwangError
from yiwang.core.forms import add_service_error
from yiwang.identity.access import citizen_required
from yiwang.identity.selectors import acting_enterprise_id, enterprises_for
from yiwang.services.applications import services
from yiwang.services.applications.clock import application_clock
from yiwang.services.applications.form_schema import FormInvalid
from yiwang.services.applications.selectors import applications_of
from yiwang.services.applications.services import BEFORE_ACCEPTANCE, CONCLUDED, UNDER_HANDLING
from yiwang.services.catalog.selectors import item_guide
from yiwang.services.forms import ApplicationAnswersForm, StartApplicationForm, SupplementAnswerForm, WithdrawForm
from yiwang.services.models import Application, ApplicationStatus
from yiwang.services.views.applications.applicant_extra import page_sections
from yiwang.services.views.applications.display import (
    answers_of,
    application_or_404,
    countdown_of,
    last_event,
    timeline_of,
)
from yiwang.services.views.common import refuse_unreachable

S = ApplicationStatus
# What the applicant may still take back: withdrawn before acceptance (2), recalled after (14).
WITHDRAWABLE_BEFORE = frozenset({S.RECEIVED, S.SUPPLEMENT_STARTED, S.SUPPLEMENT_ENDED})
WITHDRAWABLE_AFTER = frozenset({*UNDER_HANDLING, S.SUPPLEMENT_STARTED, S.SPECIAL_STARTED})


def _withdrawable(application: Application) -> bool:
    if application.accepted_on is None:
        return application.status in WITHDRAWABLE_BEFORE
    return application.status in WITHDRAWABLE_AFTER


@citizen_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, task_code: str) -> HttpResponse:
    """Start an application under the item's published version: a draft, then its own page."""
    try:
        version = item_guide(task_code=task_code)
    except NotFound as error:
        raise Http404(str(error)) from None
    handling = [(handling.code, handling.name) for handling in version.handling_items.all()]
    form = StartApplicationForm(request.POST if request.method == "POST" else None, handling_items=handling)
    user: Any = request.user
    enterprise_id = acting_enterprise_id(cast(dict[str, object], request.session), user)
    if form.is_bound and form.is_valid():
        code = form.cleaned_data.get("handling_item") or (handling[0][0] if handling else "")
        try:
            application = services.application_draft_save(
                actor=request.user,
                task_code=task_code,
                form_data={},
                handling_item_code=code,
                enterprise_id=enterprise_id,
            )
        except YiwangError as error:
            refuse_unreachable(error)
            add_service_error(form, error)
        else:
            messages.success(request, _("Your application is saved as a draft. Fill in the form, then submit it."))
            return redirect("services:my_application", application_id=application.pk)
    enterprise = next((link.name for link in enterprises_for(user) if link.enterprise_id == enterprise_id), "")
    context = {"guide": version, "item": version.item, "form": form, "enterprise": enterprise}
    return render(request, "services/applications/apply.html", context, status=400 if form.errors else 200)


@citizen_required
@require_GET
def my_applications(request: HttpRequest) -> HttpResponse:
    """The citizen's applications and their enterprises', newest first, with the days left."""
    lines = [(summary, countdown_of(summary.clock)) for summary in applications_of(actor=request.user)]
    return render(request, "services/applications/mine.html", {"lines": lines})


def _render(
    request: HttpRequest,
    application: Application,
    *,
    answers: ApplicationAnswersForm | None = None,
    supplement: SupplementAnswerForm | None = None,
    conflict: str = "",
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    schema = application.item_version.form_schema
    in_bundle = application.bundle_application_id is not None and application.status == S.DRAFT
    draft = application.status == S.DRAFT and not in_bundle  # a bundle's draft is filled in through the bundle
    notice = last_event(application, "supplement_request") if application.status == S.SUPPLEMENT_STARTED else None
    if answers is None and (draft or notice is not None):
        answers = ApplicationAnswersForm(initial=application.form_data, schema=schema)
    context: dict[str, Any] = {
        "application": application,
        "version": application.item_version,
        "draft": draft,
        "in_bundle": in_bundle,
        "answers_form": answers,
        "answers": answers_of(application),
        "timeline": timeline_of(application),
        "countdown": countdown_of(application_clock(application)),
        "notice": notice,
        "supplement_form": supplement if supplement is not None else SupplementAnswerForm(),
        "withdrawable": _withdrawable(application),
        "accepted": application.accepted_on is not None,
        "waiting": application.accepted_on is None and application.status in BEFORE_ACCEPTANCE,
        "decision": last_event(application, "decide") if application.status in CONCLUDED else None,
        "conflict": conflict,
        **page_sections(application, **(extra or {})),  # materials and ratings: applicant_extra.py
    }
    return render(request, "services/applications/application.html", context, status=status)


@citizen_required
@require_GET
def my_application(request: HttpRequest, application_id: int) -> HttpResponse:
    """One application: its form while a draft; then its number, status, clock, history and what to do next."""
    return _render(request, application_or_404(request, application_id))


def _refused(request: HttpRequest, application_id: int, error: YiwangError, **forms: Any) -> HttpResponse:
    """A refusal of the services on the application page: a conflict prominently (409), other errors on the form."""
    refuse_unreachable(error)
    application = application_or_404(request, application_id)
    if isinstance(error, Conflict):
        return _render(request, application, conflict=str(error), status=409)
    # the answers' own errors go to the form; the note's (and any other) to the supplement form when there is one
    supplement = forms.get("supplement")
    add_service_error(forms["answers"] if supplement is None or error.field == "form_data" else supplement, error)
    return _render(request, application, status=400, **forms)


@citizen_required
@require_POST
def my_application_form(request: HttpRequest, application_id: int) -> HttpResponse:
    """Save the draft's answers, or save and submit them (the button pressed says which)."""
    application = application_or_404(request, application_id)
    form = ApplicationAnswersForm(request.POST, schema=application.item_version.form_schema)
    form.is_valid()  # always: the fields keep what was typed, the schema judges on submission
    submitting = request.POST.get("action") == "submit"
    try:
        services.application_draft_save(
            actor=request.user, application_id=application.pk, form_data=form.answers(saved=application.form_data)
        )
        if submitting:
            submitted = services.application_submit(actor=request.user, application_id=application.pk)
    except FormInvalid as invalid:
        form.add_problems(invalid.problems)
        return _render(request, application_or_404(request, application_id), answers=form, status=400)
    except YiwangError as error:
        return _refused(request, application_id, error, answers=form)
    if submitting:
        messages.success(
            request,
            _("Your application is submitted. Its number is %(number)s.") % {"number": submitted.number},
        )
    else:
        messages.success(request, _("Your draft is saved."))
    return redirect("services:my_application", application_id=application.pk)


@citizen_required
@require_POST
def my_application_supplement(request: HttpRequest, application_id: int) -> HttpResponse:
    """Answer the supplement notice: the corrected answers and a note; the department's clock runs again."""
    application = application_or_404(request, application_id)
    schema = application.item_version.form_schema
    answers = ApplicationAnswersForm(request.POST, schema=schema)
    supplement = SupplementAnswerForm(request.POST)
    if not (answers.is_valid() and supplement.is_valid()):
        return _render(request, application, answers=answers, supplement=supplement, status=400)
    try:
        services.application_answer_supplement(
            actor=request.user,
            application_id=application.pk,
            form_data=answers.answers(saved=application.form_data) if answers.fields else None,
            note=supplement.cleaned_data["note"],
        )
    except FormInvalid as invalid:
        answers.add_problems(invalid.problems)
        return _render(request, application, answers=answers, supplement=supplement, status=400)
    except YiwangError as error:
        return _refused(request, application_id, error, answers=answers, supplement=supplement)
    messages.success(request, _("Your answer to the supplement notice is sent to the department."))
    return redirect("services:my_application", application_id=application.pk)


@citizen_required
@require_http_methods(["GET", "POST"])
def my_application_withdraw(request: HttpRequest, application_id: int) -> HttpResponse:
    """Take the application back, after a page asking to confirm: withdrawn before acceptance, recalled after."""
    application = application_or_404(request, application_id)
    if request.method == "GET" and not _withdrawable(application):
        return redirect("services:my_application", application_id=application.pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            taken_back = services.application_withdraw(
                actor=request.user, application_id=application.pk, reason=form.cleaned_data["reason"]
            )
        except YiwangError as error:
            refuse_unreachable(error)
            if isinstance(error, Conflict):
                return _render(request, application, conflict=str(error), status=409)
            add_service_error(form, error)
        else:
            if taken_back.status == S.RECALLED:
                messages.success(request, _("Your application is recalled: the department stops handling it."))
            else:
                messages.success(request, _("Your application is withdrawn."))
            return redirect("services:my_application", application_id=application.pk)
    context = {"application": application, "form": form, "accepted": application.accepted_on is not None}
    return render(request, "services/applications/withdraw.html", context, status=400 if form.errors else 200)
