"""Pages of the identity app: sign-in with second factor, registration, account, enterprises, staff console."""

from __future__ import annotations

import time
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from yiwang.core.errors import YiwangError
from yiwang.core.forms import add_service_error
from yiwang.identity import forms as identity_forms
from yiwang.identity import selectors, services
from yiwang.identity.access import citizen_required, login_required, second_factor_satisfied, staff_required
from yiwang.identity.models import User
from yiwang.identity.realname import MatchOutcome, configured_matcher
from yiwang.identity.roles import AssuranceLevel, Role, UserKind

PENDING_LOGIN = "yiwang_pending_login"
PENDING_SECONDS = 300
ACTING_ENTERPRISE = "yiwang_acting_enterprise"


def _safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _landing(user: User) -> str:
    return reverse("web:console") if user.kind == UserKind.STAFF else reverse("web:home")


def _complete_login(
    request: HttpRequest, user: User, *, device: Any = None, next_url: str | None = None
) -> HttpResponse:
    login(request, user, backend="yiwang.identity.backends.LoginNameBackend")
    if device is not None:
        otp_login(request, device)
    services.login_succeeded(user=user, second_factor=device is not None)
    response = HttpResponseRedirect(next_url or _landing(user))
    if user.language:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
    return response


def _pending_user(request: HttpRequest) -> tuple[User | None, str | None]:
    pending = request.session.get(PENDING_LOGIN)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_LOGIN, None)
        return None, None
    user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    return user, pending.get("next")


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Step 1: username or mobile number and password."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    # A staff session that has not passed the second factor signs in again rather than looping back.
    if request.user.is_authenticated and request.method == "GET" and second_factor_satisfied(request):
        return redirect(next_url or _landing(request.user))
    form = identity_forms.LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, login=form.cleaned_data["login"], password=form.cleaned_data["password"])
        if user is None:
            form.add_error(None, _("The username, mobile number or password is wrong."))
        elif user.kind == UserKind.STAFF and settings.YIWANG_STAFF_REQUIRE_TOTP:
            request.session.cycle_key()
            request.session[PENDING_LOGIN] = {"user_id": user.pk, "at": time.time(), "next": next_url}
            if selectors.has_confirmed_second_factor(user):
                return redirect("identity:login_totp")
            return redirect("identity:totp_enrol")
        else:
            return _complete_login(request, user, next_url=next_url)
    status = 400 if request.method == "POST" else 200
    return render(request, "identity/login.html", {"form": form, "next": next_url or ""}, status=status)


def account_locked(request: HttpRequest, original_response: HttpResponse | None, credentials: Any) -> HttpResponse:
    """What django-axes shows once an account has too many failed sign-ins."""
    form = identity_forms.LoginForm(request.POST or None)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form.add_error(
        None,
        _("Too many failed attempts: this account is locked for %(minutes)d minutes. Try again later.")
        % {"minutes": minutes},
    )
    return render(request, "identity/login.html", {"form": form, "locked": True}, status=429)


@require_http_methods(["GET", "POST"])
def login_totp_view(request: HttpRequest) -> HttpResponse:
    """Step 2 for staff: the code from their authenticator app."""
    user, next_url = _pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("identity:login")
    form = identity_forms.TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_verify(user=user, token=form.cleaned_data["token"])
        except YiwangError as error:
            add_service_error(form, error)
        else:
            request.session.pop(PENDING_LOGIN, None)
            return _complete_login(request, user, device=device, next_url=next_url)
    status = 400 if request.method == "POST" else 200
    return render(request, "identity/login_totp.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def totp_enrol_view(request: HttpRequest) -> HttpResponse:
    """First staff sign-in: set up an authenticator app, then confirm it with a code."""
    user, next_url = _pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("identity:login")
    form = identity_forms.TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_confirm_enrolment(user=user, token=form.cleaned_data["token"])
        except YiwangError as error:
            add_service_error(form, error)
        else:
            request.session.pop(PENDING_LOGIN, None)
            messages.success(request, _("Your authenticator app is set up."))
            return _complete_login(request, user, device=device, next_url=next_url)
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    else:
        device = services.totp_begin_enrolment(user=user)
    if device is None:
        device = services.totp_begin_enrolment(user=user)
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "qr_svg": qr.svg_data_uri(scale=4),
        "secret": _base32(device.bin_key),
        "config_url": device.config_url,
    }
    return render(request, "identity/totp_enrol.html", context, status=400 if request.method == "POST" else 200)


def _base32(key: bytes) -> str:
    import base64

    text = base64.b32encode(key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Sign out (POST only, so that a link cannot sign someone out)."""
    user: Any = request.user
    if user.is_authenticated:
        services.logout_recorded(user=user)
    logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("web:home")


@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    """Citizen self-registration with real-name details (assurance level 2)."""
    if request.user.is_authenticated:
        return redirect("web:home")
    form = identity_forms.RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.citizen_register(
                registration=services.Registration(
                    real_name=data["real_name"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    password=data["password"],
                    username=data["username"],
                )
            )
        except YiwangError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Welcome, %(name)s. Your account is ready.") % {"name": user.real_name})
            return _complete_login(request, user)
    status = 400 if request.method == "POST" else 200
    return render(request, "identity/register.html", {"form": form}, status=status)


@login_required
def profile_view(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own account."""
    user: Any = request.user
    template = "web/console_base.html" if user.kind == UserKind.STAFF else "web/portal_base.html"
    context = {
        "profile": selectors.user_profile(user),
        "base_template": template,
        "enterprises": selectors.enterprises_for(user),
        "has_second_factor": selectors.has_confirmed_second_factor(user),
        "role_labels": dict(Role.choices),
        "can_verify": user.kind == UserKind.CITIZEN
        and user.assurance_level < AssuranceLevel.REGISTRY_MATCHED
        and configured_matcher() is not None,
    }
    return render(request, "identity/profile.html", context)


@citizen_required
@require_POST
def verify_real_name_view(request: HttpRequest) -> HttpResponse:
    """Ask the population registry to confirm the citizen's name and ID number (可信等级 3)."""
    user: Any = request.user
    outcome = services.citizen_verify_real_name(actor=user, user_id=user.pk)
    if outcome is None:
        messages.info(request, _("Real-name verification is not available yet."))
    elif outcome == MatchOutcome.MATCHED:
        messages.success(request, _("Your name and ID number match the population registry: assurance level 3."))
    elif outcome == MatchOutcome.NAME_MISMATCH:
        messages.error(
            request,
            _("The population registry holds another name for this ID number. Check your name, or visit a window."),
        )
    else:
        messages.error(request, _("The population registry does not hold this ID number yet. Visit a window."))
    return redirect("identity:profile")


@login_required
@require_http_methods(["GET", "POST"])
def contact_view(request: HttpRequest) -> HttpResponse:
    """Change one's mobile number or e-mail."""
    user: Any = request.user
    form = identity_forms.ContactForm(request.POST or None, initial={"email": user.email})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_contact(actor=user, phone=form.cleaned_data["phone"], email=form.cleaned_data["email"])
        except YiwangError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your contact details are saved."))
            return redirect("identity:profile")
    template = "web/console_base.html" if user.kind == UserKind.STAFF else "web/portal_base.html"
    return render(
        request,
        "identity/contact.html",
        {"form": form, "base_template": template},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def password_view(request: HttpRequest) -> HttpResponse:
    """Change one's password (keeps this session signed in)."""
    from django.contrib.auth import update_session_auth_hash

    user: Any = request.user
    form = identity_forms.PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_change_password(
                actor=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except YiwangError as error:
            add_service_error(form, error)
        else:
            user.refresh_from_db()
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password is changed."))
            return redirect("identity:profile")
    template = "web/console_base.html" if user.kind == UserKind.STAFF else "web/portal_base.html"
    return render(
        request,
        "identity/password.html",
        {"form": form, "base_template": template},
        status=400 if request.method == "POST" else 200,
    )


@citizen_required
@require_http_methods(["GET", "POST"])
def enterprises_view(request: HttpRequest) -> HttpResponse:
    """Enterprises a citizen represents or acts for; register one; manage its agents."""
    user: Any = request.user
    form = identity_forms.EnterpriseForm(request.POST or None, prefix="enterprise")
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.enterprise_register(actor=user, **form.cleaned_data)
        except YiwangError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is registered. You can now authorise agents.") % {"name": enterprise.name},
            )
            return redirect("identity:enterprises")
    links = selectors.enterprises_for(user)
    represented = [
        {
            "link": link,
            "agents": selectors.enterprise_agents(viewer=user, enterprise_id=link.enterprise_id),
            "form": identity_forms.AgentForm(prefix=f"agent{link.enterprise_id}"),
        }
        for link in links
        if link.capacity == "legal_representative"
    ]
    context = {
        "form": form,
        "links": links,
        "represented": represented,
        "acting": request.session.get(ACTING_ENTERPRISE),
    }
    return render(request, "identity/enterprises.html", context, status=400 if request.method == "POST" else 200)


@citizen_required
@require_POST
def agent_authorise_view(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """The legal representative authorises an agent."""
    user: Any = request.user
    form = identity_forms.AgentForm(request.POST, prefix=f"agent{enterprise_id}")
    if form.is_valid():
        try:
            services.enterprise_authorise_agent(actor=user, enterprise_id=enterprise_id, **form.cleaned_data)
        except YiwangError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The agent is authorised."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            joined = " ".join(str(error) for error in errors)
            messages.error(request, _("%(label)s: %(errors)s") % {"label": label, "errors": joined})
    return redirect("identity:enterprises")


@citizen_required
@require_POST
def agent_revoke_view(request: HttpRequest, authorisation_id: int) -> HttpResponse:
    """The legal representative ends an agent's authorisation."""
    try:
        services.enterprise_revoke_agent(actor=request.user, authorisation_id=authorisation_id)  # type: ignore[arg-type]
    except YiwangError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The authorisation is revoked."))
    return redirect("identity:enterprises")


@citizen_required
@require_POST
def act_for_view(request: HttpRequest) -> HttpResponse:
    """Switch between acting as oneself and acting for an enterprise."""
    raw = request.POST.get("enterprise_id", "")
    if raw and raw.isdigit() and selectors.can_act_for(request.user, int(raw)):  # type: ignore[arg-type]
        request.session[ACTING_ENTERPRISE] = int(raw)
        messages.success(request, _("You are now acting for the enterprise."))
    else:
        request.session.pop(ACTING_ENTERPRISE, None)
        messages.info(request, _("You are acting for yourself."))
    return redirect("identity:enterprises")


# --- console: staff ------------------------------------------------------------------------------------


@staff_required()
def staff_list_view(request: HttpRequest) -> HttpResponse:
    """Staff of the departments the viewer may see."""
    user: Any = request.user
    search = request.GET.get("q", "").strip()[:50]
    context = {
        "staff": selectors.staff_list(viewer=user, search=search),
        "search": search,
        "can_manage": user.has_role(Role.PLATFORM_ADMIN),
        "role_labels": dict(Role.choices),
    }
    return render(request, "identity/console/staff_list.html", context)


def _department_choices() -> list[tuple[int, str]]:
    from yiwang.org.selectors import department_list

    return [(item.id, f"{item.name}（{item.division_name}）") for item in department_list()]


@staff_required(Role.PLATFORM_ADMIN)
@require_http_methods(["GET", "POST"])
def staff_create_view(request: HttpRequest) -> HttpResponse:
    """A platform administrator adds a staff account."""
    form = identity_forms.StaffForm(request.POST or None, departments=_department_choices())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.staff_create(
                actor=request.user,  # type: ignore[arg-type]
                details=services.StaffDetails(
                    username=data["username"],
                    real_name=data["real_name"],
                    department_id=data["department"],
                    roles=data["roles"],
                    password=data["password"],
                    phone=data["phone"],
                    email=data["email"],
                    position=data["position"],
                ),
            )
        except YiwangError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Staff account %(username)s created.") % {"username": created.username})
            return redirect("identity:staff_detail", user_id=created.pk)
    return render(
        request,
        "identity/console/staff_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@staff_required(Role.PLATFORM_ADMIN)
@require_http_methods(["GET", "POST"])
def staff_detail_view(request: HttpRequest, user_id: int) -> HttpResponse:
    """A platform administrator manages one staff account: roles, activation, second factor."""
    actor: Any = request.user
    member = selectors.staff_detail(user_id=user_id)
    if member is None:
        from django.http import Http404

        raise Http404(_("No such staff account."))
    form = identity_forms.RolesForm(request.POST or None, initial={"roles": list(member.roles)})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "roles" and form.is_valid():
                services.staff_set_roles(actor=actor, user_id=member.id, roles=form.cleaned_data["roles"])
                messages.success(request, _("Roles saved."))
            elif action == "deactivate":
                services.user_set_active(actor=actor, user_id=member.id, active=False)
                messages.success(request, _("The account is deactivated."))
            elif action == "activate":
                services.user_set_active(actor=actor, user_id=member.id, active=True)
                messages.success(request, _("The account is active again."))
            elif action == "reset_totp":
                services.staff_reset_second_factor(actor=actor, user_id=member.id)
                messages.success(request, _("The authenticator is removed; they set up a new one at next sign-in."))
            else:
                raise YiwangError(_("Unknown action."))
        except YiwangError as error:
            messages.error(request, str(error))
        return redirect("identity:staff_detail", user_id=member.id)
    services.record_event_for_user(
        actor=actor, action="identity.user.read", user_id=member.id, purpose="staff account administration"
    )
    context = {"member": member, "role_labels": dict(Role.choices), "form": form}
    return render(request, "identity/console/staff_detail.html", context)


# --- console: OpenID Connect clients ---------------------------------------------------------------------


@staff_required(Role.PLATFORM_ADMIN)
@require_http_methods(["GET", "POST"])
def clients_view(request: HttpRequest) -> HttpResponse:
    """Departmental systems that sign in through Yiwang; register a new one (its secret is shown once)."""
    actor: Any = request.user
    form = identity_forms.ClientForm(request.POST or None, departments=_department_choices())
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.oidc_client_register(
                actor=actor,
                registration=services.ClientRegistration(
                    name=data["name"],
                    department_id=data["department"],
                    redirect_uris=data["redirect_uris"].split(),
                    post_logout_redirect_uris=data["post_logout_redirect_uris"].split(),
                    confidential=data["confidential"],
                    trusted_for_staff=data["trusted_for_staff"],
                ),
            )
        except YiwangError as error:
            add_service_error(form, error)
        else:
            form = identity_forms.ClientForm(departments=_department_choices())
    context = {
        "form": form,
        "clients": selectors.oidc_clients(),
        "created": created,
        "issuer": request.build_absolute_uri("/").rstrip("/"),
    }
    failed = request.method == "POST" and created is None
    return render(request, "identity/console/clients.html", context, status=400 if failed else 200)


@staff_required(Role.PLATFORM_ADMIN)
@require_POST
def client_action_view(request: HttpRequest, client_pk: int) -> HttpResponse:
    """Rotate a client's secret or delete the client."""
    actor: Any = request.user
    action = request.POST.get("action")
    try:
        if action == "rotate":
            secret = services.oidc_client_rotate_secret(actor=actor, client_pk=client_pk)
            return render(request, "identity/console/client_secret.html", {"secret": secret})
        if action == "delete":
            services.oidc_client_delete(actor=actor, client_pk=client_pk)
            messages.success(request, _("The client is deleted; its tokens no longer work."))
        else:
            messages.error(request, _("Unknown action."))
    except YiwangError as error:
        messages.error(request, str(error))
    return redirect("identity:clients")
