"""Records the client address of each request for the audit events it causes."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from yiwang.core.audit.context import RequestOrigin, reset_origin, set_origin


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the proxy's X-Forwarded-For entry when behind our TLS proxy, else REMOTE_ADDR."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Sets the request origin for the duration of the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_origin(RequestOrigin(ip_address=client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            reset_origin(token)
