"""Guards for views: who may open a page. Every view of the platform uses one of these."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from yiwang.identity.roles import UserKind

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def second_factor_satisfied(request: HttpRequest) -> bool:
    """Staff must have passed TOTP in this session (when the platform requires it)."""
    user: Any = request.user
    if user.kind != UserKind.STAFF or not settings.YIWANG_STAFF_REQUIRE_TOTP:
        return True
    return bool(getattr(user, "is_verified", lambda: False)())


def login_required(view: View) -> View:
    """Any signed-in account."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return cast(View, wrapper)


def citizen_required(view: View) -> View:
    """A signed-in citizen (enterprise agents are citizens acting for an enterprise)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user: Any = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.kind != UserKind.CITIZEN:
            raise PermissionDenied(_("This page is for citizens and enterprises."))
        return view(request, *args, **kwargs)

    return cast(View, wrapper)


def staff_required(*roles: str) -> Callable[[View], View]:
    """A signed-in staff member who passed the second factor and, when roles are given, holds one of them."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user: Any = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.kind != UserKind.STAFF:
                raise PermissionDenied(_("This page is for government staff."))
            if not second_factor_satisfied(request):
                return redirect_to_login(request.get_full_path())
            if roles and not user.has_role(*roles):
                raise PermissionDenied(_("Your roles do not include what this page needs."))
            return view(request, *args, **kwargs)

        return cast(View, wrapper)

    return decorator
