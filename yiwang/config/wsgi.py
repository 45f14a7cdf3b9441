"""WSGI entry point: `gunicorn yiwang.config.wsgi`.

Calls to the exchange gateway (`/gateway/…`) go to a handler of their own with a short middleware list
(`YIWANG_GATEWAY_MIDDLEWARE`): systems calling it have no session, cookie, CSRF token, language or page, and
the gateway is the platform's hottest path. Everything else goes through the full stack.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.config.settings")

GATEWAY_PATH = "/gateway/"


class GatewayHandler(WSGIHandler):
    """Django's WSGI handler with the gateway's middleware list instead of MIDDLEWARE."""

    def load_middleware(self, is_async: bool = False) -> None:
        from django.conf import settings

        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.YIWANG_GATEWAY_MIDDLEWARE  # read once, at start-up, by the base class
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


def dispatching(main: Any, gateway: Any) -> Callable[[dict[str, Any], Any], Iterable[bytes]]:
    """A WSGI application sending gateway paths to `gateway` and the rest to `main`."""

    def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(GATEWAY_PATH):
            return gateway(environ, start_response)  # type: ignore[no-any-return]
        return main(environ, start_response)  # type: ignore[no-any-return]

    return application


application = dispatching(get_wsgi_application(), GatewayHandler())
