"""The portal's 12345 pages under /hotline/: how to report, the request form (signed-in citizens, or anyone with a
mobile phone proven by a code sent by SMS), the citizen's cases with the online follow-up (回访), and the private
link or the look-up by number and phone for a reporter without an account.

The proven phone is kept in the session for `VERIFIED_FOR` and spent by the request it is given with.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.cases import services
from yiwang.cases.forms import CodeForm, FollowUpForm, LookupForm, PhoneForm, PortalCaseForm
from yiwang.cases.models import Case, Channel
from yiwang.cases.portal import case_lookup, tracked_case
from yiwang.cases.selectors import case_box, case_detail
from yiwang.cases.services.portal import phone_challenge_send, phone_challenge_verify
from yiwang.cases.tracking import tracking_token
from yiwang.cases.views.common import add_error, choices_for, client_address, refuse_unreachable
from yiwang.core.errors import Conflict, YiwangError
from yiwang.core.identifiers import mask_phone
from yiwang.identity.access import citizen_required
from yiwang.identity.roles import UserKind

CHALLENGE_KEY = "cases.portal.challenge"  # {"id": …, "phone": …}
VERIFIED_KEY = "cases.portal.phone"  # {"phone": …, "at": ISO time}
NEW_CASE_KEY = "cases.portal.new"  # the number of the case just taken without an account
VERIFIED_FOR = datetime.timedelta(minutes=30)


def _is_citizen(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_authenticated and user.kind == UserKind.CITIZEN)


def _refuse_staff(request: HttpRequest) -> None:
    user: Any = request.user
    if user.is_authenticated and user.kind != UserKind.CITIZEN:
        raise PermissionDenied(_("Staff take cases in the console, not on the portal."))


def verified_phone(request: HttpRequest) -> str:
    """The mobile phone proven in this session, while it is fresh."""
    entry = request.session.get(VERIFIED_KEY) or {}
    at = parse_datetime(str(entry.get("at", "")))
    if not entry.get("phone") or at is None or timezone.now() - at > VERIFIED_FOR:
        return ""
    return str(entry["phone"])


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """12345 on the portal: what it takes, how to report, the knowledge base, following a request."""
    return render(request, "cases/portal/home.html", {"is_citizen": _is_citizen(request)})


# --- proving a phone ------------------------------------------------------------------------------------------------


def _render_phone(
    request: HttpRequest,
    *,
    phone_form: PhoneForm | None = None,
    code_form: CodeForm | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    challenge = request.session.get(CHALLENGE_KEY) or {}
    context = {
        "phone_form": phone_form or PhoneForm(initial={"phone": challenge.get("phone", "")}),
        "code_form": code_form or CodeForm(),
        "sent_to": mask_phone(challenge["phone"]) if challenge.get("phone") else "",
        "conflict": conflict,
    }
    return render(request, "cases/portal/phone.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def phone(request: HttpRequest) -> HttpResponse:
    """Prove a mobile phone before reporting without an account: ask for a code, then type it."""
    _refuse_staff(request)
    if _is_citizen(request):
        return redirect("cases:portal_new")
    if request.method != "POST":
        if request.GET.get("again"):
            request.session.pop(CHALLENGE_KEY, None)
        return _render_phone(request)
    if request.POST.get("action") == "verify":
        return _verify(request)
    data = request.POST.copy()
    challenge = request.session.get(CHALLENGE_KEY) or {}
    if request.POST.get("action") == "resend" and challenge.get("phone"):
        data["phone"] = challenge["phone"]
    form = PhoneForm(data)
    if not form.is_valid():
        return _render_phone(request, phone_form=form, status=400)
    try:
        sent = phone_challenge_send(phone=form.cleaned_data["phone"])
    except YiwangError as error:
        refuse_unreachable(error)
        add_error(form, error)
        return _render_phone(request, phone_form=form, status=429 if isinstance(error, Conflict) else 400)
    request.session[CHALLENGE_KEY] = {"id": sent.challenge_id, "phone": sent.phone}
    messages.success(
        request, _("A code is sent to %(phone)s; it is valid for 10 minutes.") % {"phone": sent.masked_phone}
    )
    return redirect("cases:portal_phone")


def _verify(request: HttpRequest) -> HttpResponse:
    challenge = request.session.get(CHALLENGE_KEY) or {}
    form = CodeForm(request.POST)
    if not challenge.get("id"):
        form.is_valid()
        form.add_error(None, _("Ask for a code first."))
        return _render_phone(request, code_form=form, status=400)
    if not form.is_valid():
        return _render_phone(request, code_form=form, status=400)
    try:
        phone_number = phone_challenge_verify(
            challenge_id=int(challenge["id"]), phone=str(challenge["phone"]), code=form.cleaned_data["code"]
        )
    except YiwangError as error:
        refuse_unreachable(error)
        add_error(form, error)
        return _render_phone(request, code_form=form, status=400)
    request.session.pop(CHALLENGE_KEY, None)
    request.session[VERIFIED_KEY] = {"phone": phone_number, "at": timezone.now().isoformat()}
    messages.success(request, _("Your phone is confirmed. Now describe your request."))
    return redirect("cases:portal_new")


# --- the request form -------------------------------------------------------------------------------------------


def _render_new(request: HttpRequest, form: PortalCaseForm, phone_number: str, *, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "phone": mask_phone(phone_number) if phone_number else "",
        "is_citizen": _is_citizen(request),
    }
    return render(request, "cases/portal/new.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """The request form: a signed-in citizen's, or one with a phone proven in this session."""
    _refuse_staff(request)
    citizen = _is_citizen(request)
    phone_number = "" if citizen else verified_phone(request)
    if not citizen and not phone_number:
        return redirect("cases:portal_phone")
    choices = choices_for(places=True)
    user: Any = request.user
    if request.method != "POST":
        initial = {"contact_name": user.real_name} if citizen else {}
        return _render_new(request, PortalCaseForm(initial=initial, choices=choices), phone_number)
    form = PortalCaseForm(request.POST, request.FILES, choices=choices)
    if not form.is_valid():
        return _render_new(request, form, phone_number, status=400)
    actor = user if citizen else None
    try:
        case = _submit(actor, form.cleaned_data, phone_number=phone_number)
    except YiwangError as error:
        refuse_unreachable(error)
        add_error(form, error, {"upload": "attachments"})
        return _render_new(request, form, phone_number, status=400)
    if citizen:
        messages.success(request, _("Your request is received: its number is %(number)s.") % {"number": case.number})
        return redirect("cases:portal_case", number=case.number)
    request.session.pop(VERIFIED_KEY, None)
    request.session[NEW_CASE_KEY] = case.number
    return redirect("cases:portal_track", number=case.number, token=tracking_token(case.number))


def _submit(actor: Any, data: dict[str, Any], *, phone_number: str) -> Case:
    with transaction.atomic():
        case = services.case_intake(
            actor=actor,
            intake=services.CaseIntake(
                case_type=data["case_type"],
                channel=Channel.PORTAL,
                content=data["content"],
                division_code=data.get("division_code") or "",
                address=data.get("address") or "",
                contact_name=data.get("contact_name") or "",
                contact_phone=phone_number,
                hide_reporter=bool(data.get("hide_reporter")),
                reporter_id=actor.pk if actor is not None else None,
            ),
        )
        for upload in data.get("attachments") or ():
            services.case_attach(actor=actor, case_id=case.pk, upload=upload)
    return case


# --- following a request ----------------------------------------------------------------------------------------


@citizen_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The citizen's requests, newest first, with their status."""
    return render(request, "cases/portal/mine.html", {"cases": case_box(request.user, box="all")})


def _citizen_case(request: HttpRequest, number: str) -> Any:
    detail = case_detail(request.user, number=number)
    if detail is None:
        raise Http404(_("You have no request with this number."))
    return detail


def _render_case(request: HttpRequest, detail: Any, *, form: FollowUpForm | None = None, conflict: str = "",
                 status: int = 200, tracked: bool = False) -> HttpResponse:  # fmt: skip
    context = {
        "detail": detail,
        "follow_up_form": form or FollowUpForm(prefix="follow_up"),
        "conflict": conflict,
        "tracked": tracked,
        "new_case": False,
    }
    return render(request, "cases/portal/case.html", context, status=status)


@citizen_required
@require_GET
def case(request: HttpRequest, number: str) -> HttpResponse:
    """One of the citizen's requests: status, what was done (public steps), the reply, the follow-up form."""
    return _render_case(request, _citizen_case(request, number))


@citizen_required
@require_POST
def follow_up(request: HttpRequest, number: str) -> HttpResponse:
    """回访 online: the reporter says whether the matter was resolved and how satisfied they are."""
    detail = _citizen_case(request, number)
    form = FollowUpForm(request.POST, prefix="follow_up")
    if not form.is_valid():
        return _render_case(request, detail, form=form, status=400)
    try:
        services.case_follow_up(
            actor=request.user,
            case_id=detail.id,
            resolved=form.cleaned_data["resolved"],
            satisfaction=form.cleaned_data["satisfaction"],
            note=form.cleaned_data["note"],
        )
    except YiwangError as error:
        refuse_unreachable(error)
        if isinstance(error, Conflict):
            return _render_case(request, _citizen_case(request, number), conflict=str(error), status=409)
        add_error(form, error)
        return _render_case(request, detail, form=form, status=400)
    messages.success(request, _("Thank you: your answer is recorded."))
    return redirect("cases:portal_case", number=number)


@require_http_methods(["GET", "HEAD", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """Find a request by its number and the phone given with it; leads to its private link."""
    if request.method != "POST":
        return render(request, "cases/portal/lookup.html", {"form": LookupForm()})
    form = LookupForm(request.POST)
    if not form.is_valid():
        return render(request, "cases/portal/lookup.html", {"form": form}, status=400)
    try:
        token = case_lookup(
            number=form.cleaned_data["number"], phone=form.cleaned_data["phone"], client=client_address(request)
        )
    except YiwangError as error:
        refuse_unreachable(error)
        add_error(form, error)
        return render(request, "cases/portal/lookup.html", {"form": form}, status=400)
    return redirect("cases:portal_track", number=form.cleaned_data["number"].strip(), token=token)


@require_GET
def track(request: HttpRequest, number: str, token: str) -> HttpResponse:
    """A request behind its private link: what its reporter sees, without an account."""
    detail = tracked_case(number=number, token=token)
    if detail is None:
        raise Http404(_("This link does not lead to a request."))
    new_case = request.session.get(NEW_CASE_KEY) == number
    if new_case:
        request.session.pop(NEW_CASE_KEY, None)
    return _render_tracked(request, detail, token=token, new_case=new_case)


def _render_tracked(
    request: HttpRequest,
    detail: Any,
    *,
    token: str,
    new_case: bool = False,
    form: FollowUpForm | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "detail": detail,
        "tracked": True,
        "token": token,
        "new_case": new_case,
        "link": request.build_absolute_uri(reverse("cases:portal_track", args=[detail.number, token])),
        "follow_up_form": form or FollowUpForm(prefix="follow_up"),
        "conflict": conflict,
    }
    response = render(request, "cases/portal/case.html", context, status=status)
    # The link is the key: never send it to another site. Not "no-referrer": with it the browser sends `Origin: null`
    # with the page's own follow-up form, and the CSRF check refuses it.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def track_follow_up(request: HttpRequest, number: str, token: str) -> HttpResponse:
    """回访 by the holder of the private link: a reporter without an account says whether they are satisfied."""
    detail = tracked_case(number=number, token=token)
    if detail is None:
        raise Http404(_("This link does not lead to a request."))
    form = FollowUpForm(request.POST, prefix="follow_up")
    if not form.is_valid():
        return _render_tracked(request, detail, token=token, form=form, status=400)
    try:
        services.case_follow_up_by_link(
            number=number,
            token=token,
            resolved=form.cleaned_data["resolved"],
            satisfaction=form.cleaned_data["satisfaction"],
            note=form.cleaned_data["note"],
        )
    except YiwangError as error:
        refuse_unreachable(error)
        if isinstance(error, Conflict):
            fresh = tracked_case(number=number, token=token) or detail
            return _render_tracked(request, fresh, token=token, conflict=str(error), status=409)
        add_error(form, error)
        return _render_tracked(request, detail, token=token, form=form, status=400)
    messages.success(request, _("Thank you: your answer is recorded."))
    return redirect("cases:portal_track", number=number, token=token)
