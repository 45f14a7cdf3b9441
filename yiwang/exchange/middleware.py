"""Every gateway call ends as one access-log entry, whatever happened to it (refusals and errors included)."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from yiwang.core.audit.middleware import client_ip
from yiwang.exchange.gateway import log_unavailable, plain_refusal_as_problem
from yiwang.exchange.log import CallRecord, access_log_append

logger = logging.getLogger(__name__)

GATEWAY_PREFIX = "/gateway/v1/"
UNLOGGED = ("/gateway/v1/openapi.json", "/gateway/v1/docs")


class GatewayLogMiddleware:
    """Times the call and appends its entry after the response is made. If the entry cannot be written the
    caller gets 503 `log_unavailable` instead of the data: no use of the registries goes unlogged (X-Road stops
    exchanging when it cannot log, for the same reason)."""

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
        try:
            access_log_append(call, status=response.status_code, latency_ms=(time.perf_counter() - started) * 1000)
        except DatabaseError:
            logger.exception("gateway call %s not logged: answered 503 instead", call.request_id)
            response = log_unavailable()
        response["X-Request-Id"] = call.request_id
        return response
