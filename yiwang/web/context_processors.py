"""What every page of the shell needs: which face, text size, languages, the console menu."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from yiwang.web.menu import console_menu

LARGE_TEXT_COOKIE = "yiwang_large_text"


def large_text_enabled(request: HttpRequest) -> bool:
    """Large text is on when the cookie says so, or the signed-in user chose it."""
    if request.COOKIES.get(LARGE_TEXT_COOKIE) == "1":
        return True
    if request.COOKIES.get(LARGE_TEXT_COOKIE) == "0":
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and getattr(user, "large_text", False))


def shell(request: HttpRequest) -> dict[str, Any]:
    """Template context shared by the portal and the console."""
    in_console = request.path.startswith("/console/")
    user = getattr(request, "user", None)
    menu = []
    if in_console and user is not None and user.is_authenticated and getattr(user, "kind", "") == "staff":
        menu = console_menu(roles=user.role_set, current_path=request.path)
    return {
        "face": "console" if in_console else "portal",
        "large_text": large_text_enabled(request),
        "console_menu": menu,
        "available_languages": settings.LANGUAGES,
    }
