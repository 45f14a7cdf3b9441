"""OpenID Connect provider (django-oauth-toolkit): our claims, consent rules and audit around its views."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.views import (
    AuthorizationView,
    ConnectDiscoveryInfoView,
    RPInitiatedLogoutView,
    UserInfoView,
)

from yiwang.identity.models import OidcClient, User
from yiwang.identity.roles import AssuranceLevel, UserKind
from yiwang.identity.services import logout_recorded, oidc_consent_recorded, oidc_userinfo_read

ACR_VALUES = [str(level.value) for level in AssuranceLevel]
PERSONAL_SCOPES = frozenset({"phone", "id_number"})


def _department_name(user: User) -> str | None:
    return user.department.name if user.department_id and user.department else None


class YiwangValidator(OAuth2Validator):
    """Claims: `sub` is the account's public id; `acr` carries the assurance level (可信等级 "2"–"5")."""

    oidc_claim_scope = {
        "sub": "openid",
        "acr": "openid",
        "assurance_level": "openid",
        "name": "profile",
        "preferred_username": "profile",
        "user_type": "profile",
        "phone_number": "phone",
        "phone_number_verified": "phone",
        "id_number": "id_number",
        "department": "department",
        "department_credit_code": "department",
        "roles": "department",
    }

    def get_additional_claims(self) -> dict[str, Any]:
        return {
            "sub": lambda request: str(request.user.public_id),
            "acr": lambda request: str(request.user.assurance_level),
            "assurance_level": lambda request: request.user.assurance_level,
            "name": lambda request: request.user.real_name,
            "preferred_username": lambda request: request.user.username,
            "user_type": lambda request: request.user.kind,
            "phone_number": lambda request: request.user.phone or None,
            "phone_number_verified": lambda request: False,
            "id_number": lambda request: request.user.id_number or None,
            "department": lambda request: _department_name(request.user),
            "department_credit_code": lambda request: (
                request.user.department.credit_code if request.user.department_id else None
            ),
            "roles": lambda request: sorted(request.user.role_set),
        }


class DiscoveryView(ConnectDiscoveryInfoView):
    """The provider metadata, with the assurance levels a client may ask for."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        import json

        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        data["acr_values_supported"] = ACR_VALUES
        # What our clients can actually use: authorization code with PKCE S256, ID tokens signed RS256.
        data["code_challenge_methods_supported"] = ["S256"]
        data["id_token_signing_alg_values_supported"] = ["RS256"]
        data["response_types_supported"] = ["code"]
        data["claims_parameter_supported"] = False
        data["ui_locales_supported"] = ["zh-CN", "en"]
        response.content = json.dumps(data).encode("utf-8")
        return response


def _requested_level(request: HttpRequest) -> int | None:
    levels = [int(value) for value in request.GET.get("acr_values", "").split() if value.isdigit()]
    return min(levels) if levels else None


class ConsentView(AuthorizationView):
    """Authorization endpoint: citizens always see the consent screen; trusted internal systems skip it for staff."""

    template_name = "identity/consent.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user: Any = request.user
        # Citizens decide every time; a client cannot ask to skip the screen with approval_prompt=auto.
        query = request.GET.copy()
        query["approval_prompt"] = "force"
        request.GET = query  # type: ignore[assignment]
        wanted = _requested_level(request)
        if user.is_authenticated and wanted is not None and user.assurance_level < wanted:
            return render(
                request,
                "identity/assurance_insufficient.html",
                {"wanted": wanted, "have": user.assurance_level},
                status=403,
            )
        return super().get(request, *args, **kwargs)

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        user: Any = self.request.user
        application = context.get("application")
        trusted = (
            user.kind == UserKind.STAFF
            and OidcClient.objects.filter(application=application, trusted_for_staff=True).exists()
        )
        if application is not None and trusted:
            credentials = {
                key: context[key]
                for key in (
                    "client_id",
                    "redirect_uri",
                    "response_type",
                    "state",
                    "code_challenge",
                    "code_challenge_method",
                    "nonce",
                )
                if context.get(key)
            }
            uri, _headers, _body, _status = self.create_authorization_response(
                request=self.request, scopes=" ".join(context["scopes"]), credentials=credentials, allow=True
            )
            oidc_consent_recorded(
                user=user, client_id=application.client_id, scopes=context["scopes"], allowed=True, automatic=True
            )
            return self.redirect(uri, application)
        context["personal_scopes"] = [scope for scope in context.get("scopes", []) if scope in PERSONAL_SCOPES]
        client = OidcClient.objects.filter(application=application).select_related("department").first()
        context["client_department"] = client.department.name if client else ""
        return super().render_to_response(context, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user: Any = self.request.user
        oidc_consent_recorded(
            user=user,
            client_id=form.cleaned_data.get("client_id", ""),
            scopes=(form.cleaned_data.get("scope") or "").split(),
            allowed=bool(form.cleaned_data.get("allow")),
        )
        return response


class AuditedUserInfoView(UserInfoView):
    """UserInfo endpoint: a read of personal data by a client is audited."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        if response.status_code == 200:
            valid, oauth_request = self.verify_request(request)
            token = getattr(oauth_request, "access_token", None) if valid else None
            if token is not None and token.user is not None:
                oidc_userinfo_read(user=token.user, client_id=token.application.client_id, scopes=token.scope.split())
        return response

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.get(request, *args, **kwargs)


class AuditedLogoutView(RPInitiatedLogoutView):
    """RP-initiated logout, audited like any other sign-out."""

    template_name = "identity/logout_confirm.html"

    def do_logout(
        self,
        application: Any = None,
        post_logout_redirect_uri: str | None = None,
        state: str | None = None,
        token_user: Any = None,
    ) -> HttpResponse:
        user: Any = token_user or self.request.user
        if user is not None and user.is_authenticated:
            logout_recorded(user=user)
        return super().do_logout(
            application=application,
            post_logout_redirect_uri=post_logout_redirect_uri,
            state=state,
            token_user=token_user,
        )
