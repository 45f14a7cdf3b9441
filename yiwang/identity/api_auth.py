"""API authentication: a browser session (CSRF on writes) or an OAuth 2 bearer token from our OIDC provider."""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth


class BearerToken(HttpBearer):
    """An access token issued by Yiwang's OpenID Connect provider."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from oauth2_provider.models import get_access_token_model

        checksum = hashlib.sha256(token.encode("utf-8")).hexdigest()
        access = (
            get_access_token_model()
            .objects.select_related("user")
            .filter(token_checksum=checksum, expires__gt=timezone.now())
            .first()
        )
        if access is None or access.user is None or not access.user.is_active:
            return None
        request.user = access.user
        return access.user


class StaffSession(SessionAuth):
    """A browser session; staff sessions count only after the second factor."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        from yiwang.identity.access import second_factor_satisfied

        user = super().authenticate(request, key)
        if user is None or not second_factor_satisfied(request):
            return None
        return user


# The bearer token first: django-ninja's session authentication checks CSRF before it looks for a session, and a
# failed check answers 403 at once, without trying the next method. With the session first, a system's POST with a
# valid token and no CSRF token would be refused. A request without a token falls through to the session, CSRF
# included. Browsers never add an Authorization header by themselves, so a token needs no CSRF check.
session_or_bearer = [BearerToken(), StaffSession()]
