"""Sign-in by username or mobile number with a password (Argon2); django-axes counts failures."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from yiwang.identity.models import User
from yiwang.identity.selectors import user_find_by_login


class LoginNameBackend(ModelBackend):
    """`authenticate(request, login=..., password=...)`: the login is a username or a mobile number."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        login: str | None = None,
        password: str | None = None,
        username: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        name = login or username
        if not name or not password:
            return None
        user = user_find_by_login(name)
        if user is None:
            # Spend the same time as a real check, so response times do not reveal which accounts exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.select_related("department").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """Count failures per account, whichever login name (username or phone) was typed."""
    typed = ""
    if credentials:
        typed = credentials.get("login") or credentials.get("username") or ""
    if not typed and request is not None:
        typed = request.POST.get("login", "")
    user = user_find_by_login(typed) if typed else None
    return user.username if user is not None else typed.strip().lower()
