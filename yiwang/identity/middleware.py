"""Idle sessions end: staff after YIWANG_STAFF_IDLE_MINUTES, citizens after YIWANG_CITIZEN_IDLE_MINUTES."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

LAST_SEEN = "yiwang_last_seen"
# Write the session at most this often just to move the idle clock (saves a write per request).
TOUCH_INTERVAL_SECONDS = 30


def idle_limit_seconds(user: Any) -> int:
    """How long this user's session may stay unused."""
    minutes = (
        settings.YIWANG_STAFF_IDLE_MINUTES
        if getattr(user, "kind", "") == "staff"
        else settings.YIWANG_CITIZEN_IDLE_MINUTES
    )
    return int(minutes) * 60


class IdleSessionMiddleware:
    """Logs out a session that has been idle for too long."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and now - float(last_seen) > idle_limit_seconds(user):
                logout(request)
                messages.info(request, _("You were logged out after a period of inactivity."))
            elif last_seen is None or now - float(last_seen) > TOUCH_INTERVAL_SECONDS:
                request.session[LAST_SEEN] = now
        return self.get_response(request)
