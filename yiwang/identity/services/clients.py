"""OpenID Connect clients: registration by platform administrators, consent and userinfo audit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.core.audit.services import record_event
from yiwang.core.errors import NotFound, ValidationFailed
from yiwang.identity.models import User
from yiwang.identity.services.staff import _require_platform_admin
from yiwang.org.selectors import department_get


@dataclass(frozen=True)
class ClientRegistration:
    """A departmental system asking to sign its users in through Yiwang."""

    name: str
    department_id: int
    redirect_uris: Sequence[str]
    post_logout_redirect_uris: Sequence[str] = ()
    confidential: bool = True
    trusted_for_staff: bool = False


@dataclass(frozen=True)
class RegisteredClient:
    """The credentials of a new client; the secret is shown once and stored only hashed."""

    client_pk: int
    client_id: str
    client_secret: str | None


def _validated_uris(uris: Sequence[str], *, field: str, production: bool) -> list[str]:
    from urllib.parse import urlsplit

    result = []
    for uri in uris:
        uri = uri.strip()
        if not uri:
            continue
        parts = urlsplit(uri)
        allowed = {"https"} if production else {"https", "http"}
        if parts.scheme not in allowed or not parts.netloc or parts.fragment:
            raise ValidationFailed(
                _("%(uri)s is not an absolute %(schemes)s URI without a fragment.")
                % {"uri": uri, "schemes": "/".join(sorted(allowed))},
                field=field,
            )
        result.append(uri)
    return result


def oidc_client_register(*, actor: User, registration: ClientRegistration) -> RegisteredClient:
    """Register a relying party (platform administrators only): authorization code flow with PKCE, RS256."""
    from oauth2_provider.generators import generate_client_secret
    from oauth2_provider.models import Application
    from oauth2_provider.settings import oauth2_settings

    from yiwang.identity.models import OidcClient

    _require_platform_admin(actor)
    if not registration.name.strip():
        raise ValidationFailed(_("Give the system a name."), field="name")
    if department_get(department_id=registration.department_id) is None:
        raise NotFound(_("No department has id %(id)s.") % {"id": registration.department_id}, field="department")
    production = "http" not in oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES
    redirects = _validated_uris(registration.redirect_uris, field="redirect_uris", production=production)
    if not redirects:
        raise ValidationFailed(_("Give at least one redirect URI."), field="redirect_uris")
    logouts = _validated_uris(
        registration.post_logout_redirect_uris, field="post_logout_redirect_uris", production=production
    )
    secret = generate_client_secret() if registration.confidential else None
    with transaction.atomic():
        application = Application(
            name=registration.name.strip(),
            user=None,
            client_type=Application.CLIENT_CONFIDENTIAL if registration.confidential else Application.CLIENT_PUBLIC,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(redirects),
            post_logout_redirect_uris=" ".join(logouts),
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=False,
            hash_client_secret=True,
        )
        if secret is not None:
            application.client_secret = secret
        application.save()
        OidcClient.objects.create(
            application=application,
            department_id=registration.department_id,
            trusted_for_staff=registration.trusted_for_staff,
            registered_by=actor,
        )
        record_event(
            actor=actor,
            action="identity.oidc_client.register",
            object_type="oauth2_provider.application",
            object_id=application.pk,
            changes={
                "name": application.name,
                "client_id": application.client_id,
                "department": registration.department_id,
                "redirect_uris": redirects,
                "confidential": registration.confidential,
                "trusted_for_staff": registration.trusted_for_staff,
            },
        )
    return RegisteredClient(client_pk=application.pk, client_id=application.client_id, client_secret=secret)


def oidc_client_rotate_secret(*, actor: User, client_pk: int) -> str:
    """Issue a new secret for a confidential client; the old one stops working at once."""
    from oauth2_provider.generators import generate_client_secret
    from oauth2_provider.models import Application

    _require_platform_admin(actor)
    with transaction.atomic():
        application = Application.objects.select_for_update().filter(pk=client_pk).first()
        if application is None:
            raise NotFound(_("No such client."))
        if application.client_type != Application.CLIENT_CONFIDENTIAL:
            raise ValidationFailed(_("A public client has no secret."))
        secret = generate_client_secret()
        application.client_secret = secret
        application.save()
        record_event(
            actor=actor,
            action="identity.oidc_client.rotate_secret",
            object_type="oauth2_provider.application",
            object_id=application.pk,
        )
    return str(secret)


def oidc_client_delete(*, actor: User, client_pk: int) -> None:
    """Remove a client and every token it holds."""
    from oauth2_provider.models import Application

    _require_platform_admin(actor)
    with transaction.atomic():
        application = Application.objects.filter(pk=client_pk).first()
        if application is None:
            raise NotFound(_("No such client."))
        record_event(
            actor=actor,
            action="identity.oidc_client.delete",
            object_type="oauth2_provider.application",
            object_id=application.pk,
            changes={"name": application.name, "client_id": application.client_id},
        )
        application.delete()


def oidc_consent_recorded(
    *, user: User, client_id: str, scopes: Sequence[str], allowed: bool, automatic: bool = False
) -> None:
    """Audit a citizen's (or staff member's) decision on a client's request for their data."""
    record_event(
        actor=user,
        action="identity.oidc.consent" if allowed else "identity.oidc.refuse",
        object_type="oauth2_provider.application",
        object_id=client_id,
        # automatic: an internal system signing in a staff member, which needs no consent screen.
        changes={"scopes": sorted(scopes), "automatic": automatic},
    )


def oidc_userinfo_read(*, user: User, client_id: str, scopes: Sequence[str]) -> None:
    """Audit a client reading a person's data through the userinfo endpoint."""
    record_event(
        actor=user,
        action="identity.oidc.userinfo",
        object_type="identity.user",
        object_id=user.pk,
        changes={"client_id": client_id, "scopes": sorted(scopes)},
        purpose=f"single sign-on of {client_id}",
    )
