"""The WSGI entry point: gateway calls take the short middleware list, everything else the full one."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone

from yiwang.exchange.client import GatewayClient, GatewayResponse

pytestmark = pytest.mark.django_db


def _call(method: str, path: str, headers: dict[str, str], body: bytes) -> GatewayResponse:
    from yiwang.config.wsgi import application

    target, _sep, query = path.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": target,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "10.0.0.7",
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": headers.pop("Content-Type", ""),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in headers.items():
        environ[f"HTTP_{name.upper().replace('-', '_')}"] = value
    answer: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(response_headers)
        return lambda data: None

    # As Django's test client does: the test's database connection must outlive the request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        chunks = application(environ, start_response)
        body_out = b"".join(chunks)
        getattr(chunks, "close", lambda: None)()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return GatewayResponse(answer["status"], answer["headers"], body_out)


def test_gateway_calls_go_through_the_short_stack_and_are_logged(registries: Any) -> None:
    from yiwang.exchange import services
    from yiwang.exchange.selectors import LogFilter, log_page

    credentials = services.consumer_register(actor=None, department_id=registries["civil"], name="系统")
    today = timezone.localdate()
    request = services.access_request_submit(
        actor=None,
        data=services.AccessRequestInput(
            consumer_id=credentials.consumer_id,
            resource="population",
            elements=["name"],
            purpose="核查",
            legal_basis="《社会救助暂行办法》",
            valid_from=today,
            valid_until=today,
            expected_volume=1,
        ),
    )
    services.access_request_compliance_decide(actor=None, request_id=request.pk, approve=True)
    services.access_request_source_decide(actor=None, request_id=request.pk, approve=True)
    client = GatewayClient(
        "http://127.0.0.1", credentials.app_key, credentials.secret, user_id="u1", purpose="核查", transport=_call
    )
    response = client.record("population", "419802199003070031")
    assert response.status == 404  # no such person: an answer of the gateway itself, logged
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "Set-Cookie" not in response.headers
    assert "Content-Security-Policy" not in response.headers  # the page stack's middleware did not run
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    lines = log_page(viewer=registries["police_data_admin"], log_filter=LogFilter(side="provider"))
    assert [(line.operation, line.status, line.reason) for line in lines] == [("record", 404, "record_not_found")]


def test_pages_go_through_the_full_stack(db: Any) -> None:
    response = _call("GET", "/healthz", {}, b"")
    assert response.status == 200
    assert "Content-Security-Policy" in response.headers
