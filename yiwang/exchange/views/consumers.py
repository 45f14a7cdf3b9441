"""Consumer systems: register (the secret shown once), rotate, revoke, rate limit."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.core.errors import NotFound, YiwangError
from yiwang.exchange import forms as exchange_forms
from yiwang.exchange import selectors, services
from yiwang.exchange.models import ConsumerStatus
from yiwang.exchange.views.common import (
    EXCHANGE_ADMINS,
    department_choices,
    form_error,
    viewer_of,
)
from yiwang.identity.access import staff_required
from yiwang.identity.roles import Role

# --- consumer systems ---------------------------------------------------------------------------------


@staff_required(*EXCHANGE_ADMINS)
@require_http_methods(["GET", "POST"])
def consumers(request: HttpRequest) -> HttpResponse:
    """The department's systems that call the gateway (every system for platform administrators); register one."""
    viewer = viewer_of(request)
    form = exchange_forms.ConsumerRegisterForm(request.POST or None, departments=department_choices(viewer))
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.consumer_register(
                actor=viewer.user,
                department_id=form.cleaned_data["department"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except YiwangError as error:
            form_error(form, error)
        else:
            return _credentials(request, issued, name=form.cleaned_data["name"], rotated=False)
    context = {"consumers": selectors.consumer_list(viewer=viewer.user), "form": form}
    return render(request, "exchange/consumers.html", context, status=400 if request.method == "POST" else 200)


def _credentials(
    request: HttpRequest, issued: services.IssuedCredentials, *, name: str, rotated: bool, grace_hours: int = 0
) -> HttpResponse:
    """The one page that shows a secret: never stored by the browser or a proxy, never shown again."""
    response = render(
        request,
        "exchange/credentials.html",
        {"issued": issued, "name": name, "rotated": rotated, "grace_hours": grace_hours},
    )
    add_never_cache_headers(response)
    return response


def _render_consumer(
    request: HttpRequest,
    consumer_id: int,
    *,
    rotate: exchange_forms.RotateSecretForm | None = None,
    revoke: exchange_forms.ConsumerRevokeForm | None = None,
    rate_limit: exchange_forms.RateLimitForm | None = None,
    status: int = 200,
) -> HttpResponse:
    viewer = viewer_of(request)
    try:
        consumer = selectors.consumer_get(viewer=viewer.user, consumer_id=consumer_id)
    except NotFound:
        raise Http404(_("No such system.")) from None
    active = consumer.status == ConsumerStatus.ACTIVE
    context = {
        "consumer": consumer,
        "status_label": ConsumerStatus(consumer.status).label,
        "may_manage": active and viewer.administers(consumer.department_id),
        "may_set_rate_limit": viewer.is_platform_admin,
        "rotate_form": rotate or exchange_forms.RotateSecretForm(),
        "revoke_form": revoke or exchange_forms.ConsumerRevokeForm(),
        "rate_limit_form": rate_limit or exchange_forms.RateLimitForm(initial={"rate_limit": consumer.rate_limit}),
    }
    return render(request, "exchange/consumer.html", context, status=status)


@staff_required(*EXCHANGE_ADMINS)
@require_GET
def consumer(request: HttpRequest, consumer_id: int) -> HttpResponse:
    """One system: its key, status and grants, and what its department may do with it."""
    return _render_consumer(request, consumer_id)


@staff_required(*EXCHANGE_ADMINS)
@require_POST
def consumer_rotate(request: HttpRequest, consumer_id: int) -> HttpResponse:
    """A new secret, shown once; the old one keeps working for the grace period."""
    form = exchange_forms.RotateSecretForm(request.POST)
    if form.is_valid():
        hours = form.cleaned_data["grace_hours"]
        try:
            issued = services.consumer_rotate_secret(actor=request.user, consumer_id=consumer_id, grace_hours=hours)
        except YiwangError as error:
            form_error(form, error)
        else:
            name = selectors.consumer_get(viewer=request.user, consumer_id=consumer_id).name
            return _credentials(request, issued, name=name, rotated=True, grace_hours=hours)
    return _render_consumer(request, consumer_id, rotate=form, status=400)


@staff_required(*EXCHANGE_ADMINS)
@require_POST
def consumer_revoke(request: HttpRequest, consumer_id: int) -> HttpResponse:
    """The system's credentials stop working, and its grants with them."""
    form = exchange_forms.ConsumerRevokeForm(request.POST)
    if form.is_valid():
        try:
            revoked = services.consumer_revoke(
                actor=request.user, consumer_id=consumer_id, reason=form.cleaned_data["reason"]
            )
        except YiwangError as error:
            form_error(form, error)
        else:
            revoked_message = _("%(name)s is revoked: its credentials no longer work.") % {"name": revoked.name}
            messages.success(request, revoked_message)
            return redirect("exchange:consumer", consumer_id=consumer_id)
    return _render_consumer(request, consumer_id, revoke=form, status=400)


@staff_required(Role.PLATFORM_ADMIN)
@require_POST
def consumer_rate_limit(request: HttpRequest, consumer_id: int) -> HttpResponse:
    """The platform administrator sets how many requests a second the system may send."""
    form = exchange_forms.RateLimitForm(request.POST)
    if form.is_valid():
        try:
            services.consumer_set_rate_limit(
                actor=request.user, consumer_id=consumer_id, rate_limit=form.cleaned_data["rate_limit"]
            )
        except YiwangError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The rate limit is changed."))
            return redirect("exchange:consumer", consumer_id=consumer_id)
    return _render_consumer(request, consumer_id, rate_limit=form, status=400)
