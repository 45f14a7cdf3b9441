"""Every gateway call ends as one access-log entry, whatever happened to it (refusals and errors included)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from yiwang.core.audit.middleware import client_ip
from yiwang.exchange.gateway import plain_refusal_as_problem
from yiwang.exchange.log import CallRecord, access_log_append

GATEWAY_PREFIX = "/gateway/v1/"
UNLOGGED = ("/gateway/v1/openapi.json", "/gateway/v1/docs")


class GatewayLogMiddleware:
    """Times the call and appends its entry after the response is made. If the entry cannot be written the
    caller gets an error instead of the data: no use of the registries goes unlogged (X-Road stops exchanging
    when it cannot log, for the same reason)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        path = request.path
        if not path.startswith(GATEWAY_PREFIX) or path.startswith(UNLOGGED):
            return self.get_response(request)
        started = time.perf_counter()
        call = CallRecord(request_id=str(uuid.uuid4()), client_ip=client_ip(request))
        request.gateway_call = call  # type: ignore[attr-defined]
        response = plain_refusal_as_problem(request, self.get_response(request))
        if response.status_code >= 500 and not call.reason:
            call.reason = "server_error"
        access_log_append(call, status=response.status_code, latency_ms=(time.perf_counter() - started) * 1000)
        response["X-Request-Id"] = call.request_id
        return response
