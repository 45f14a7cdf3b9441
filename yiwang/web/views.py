"""The shell: home pages of both faces, language and text size, health, accessibility, and core's console pages."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from yiwang.core.audit.selectors import audit_chain_verify, audit_event_page
from yiwang.core.calendar.selectors import (
    calendar_add_working_days,
    calendar_count_working_days,
    calendar_day_status,
)
from yiwang.identity import selectors as identity_selectors
from yiwang.identity import services as identity_services
from yiwang.identity.access import staff_required
from yiwang.identity.roles import Role, UserKind
from yiwang.web.context_processors import LARGE_TEXT_COOKIE

ONE_YEAR = 365 * 24 * 3600


def _back(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    """The portal's home: what the platform offers, and the signed-in citizen's next actions."""
    user: Any = request.user
    context: dict[str, Any] = {"next_actions": [], "enterprises": []}
    if user.is_authenticated and user.kind == UserKind.CITIZEN:
        context["next_actions"] = identity_selectors.citizen_next_actions(user)
        context["enterprises"] = identity_selectors.enterprises_for(user)
    return render(request, "web/home.html", context)


@staff_required()
@require_GET
def console_view(request: HttpRequest) -> HttpResponse:
    """The console's home: the staff member's department, roles and what they can open."""
    user: Any = request.user
    return render(
        request,
        "web/console_home.html",
        {
            "profile": identity_selectors.user_profile(user),
            "role_labels": dict(Role.choices),
            "next_actions": identity_selectors.staff_next_actions(user),
        },
    )


@require_POST
def set_language_view(request: HttpRequest) -> HttpResponse:
    """Switch between Chinese and English; remembered in a cookie and, when signed in, on the account."""
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(_back(request))
    if language in dict(settings.LANGUAGES) and check_for_language(language):
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=ONE_YEAR, samesite="Lax")
        user: Any = request.user
        if user.is_authenticated:
            identity_services.user_set_preferences(actor=user, language=language)
    return response


@require_POST
def text_size_view(request: HttpRequest) -> HttpResponse:
    """Turn large text (适老化) on or off."""
    large = request.POST.get("large_text") == "1"
    response = HttpResponseRedirect(_back(request))
    response.set_cookie(LARGE_TEXT_COOKIE, "1" if large else "0", max_age=ONE_YEAR, samesite="Lax")
    user: Any = request.user
    if user.is_authenticated:
        identity_services.user_set_preferences(actor=user, large_text=large)
    return response


@never_cache
@require_GET
def healthz_view(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def accessibility_view(request: HttpRequest) -> HttpResponse:
    """The accessibility statement."""
    return render(request, "web/accessibility.html")


def csrf_failure_view(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form that expired or came from elsewhere: say so plainly."""
    return render(request, "403_csrf.html", status=403)


# --- console pages for the core: working-day calculator, audit log --------------------------------------


def _parse_date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


@staff_required()
@require_GET
def calendar_view(request: HttpRequest) -> HttpResponse:
    """Working-day calculator for clerks: a start date plus N working days, or the days between two dates."""
    context: dict[str, Any] = {"errors": []}
    start_raw = request.GET.get("start", "")
    if start_raw:
        start = _parse_date(start_raw)
        days_raw = request.GET.get("days", "")
        end_raw = request.GET.get("end", "")
        if start is None:
            context["errors"].append(_("Start date: enter a date in the form YYYY-MM-DD."))
        elif days_raw:
            try:
                days = int(days_raw)
                context["added"] = calendar_add_working_days(start, days)
            except ValueError:
                context["errors"].append(_("Working days: enter a whole number between -3660 and 3660."))
        elif end_raw:
            end = _parse_date(end_raw)
            if end is None:
                context["errors"].append(_("End date: enter a date in the form YYYY-MM-DD."))
            else:
                try:
                    context["counted"] = calendar_count_working_days(start, end)
                except ValueError:
                    context["errors"].append(_("The two dates are too far apart."))
        if start is not None:
            context["start_status"] = calendar_day_status(start)
    context["query"] = request.GET
    # htmx submits the form in place and swaps in the result only; without JavaScript the whole page returns.
    if request.headers.get("HX-Request"):
        return render(request, "web/_calendar_result.html", context)  # htmx swaps only 2xx responses in
    return render(request, "web/console_calendar.html", context, status=400 if context["errors"] else 200)


@staff_required(Role.PLATFORM_ADMIN)
@require_GET
def audit_view(request: HttpRequest) -> HttpResponse:
    """The audit log, newest first, with filters; optionally the result of verifying its chains."""
    action = request.GET.get("action", "").strip()[:100]
    object_type = request.GET.get("object_type", "").strip()[:100]
    actor = request.GET.get("actor", "").strip()[:150]
    page = audit_event_page(
        action=action, object_type=object_type, actor_label=actor, before_id=_int(request.GET.get("before"))
    )
    verification = audit_chain_verify() if request.GET.get("verify") == "1" else None
    first_break = verification.first_break if verification is not None else None
    if first_break is not None:
        messages.error(request, _("The audit log is broken: %(where)s") % {"where": first_break.describe()})
    context = {
        "page": page,
        "filters": {"action": action, "object_type": object_type, "actor": actor},
        "verification": verification,
    }
    return render(request, "web/console_audit.html", context)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None
