"""Authorization matrix of the gateway: only a signed call of a granted, active system reads anything.

Signed-in people (citizens, staff, administrators) get nothing from the gateway with their browser session:
it is for systems, each call signed and logged.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from yiwang.conftest import sign_in
from yiwang.exchange import services
from yiwang.exchange.client import GatewayClient, GatewayResponse
from yiwang.exchange.tests.conftest import PEOPLE

pytestmark = pytest.mark.django_db

KEY = PEOPLE[0]["公民身份号码"]
NAME = PEOPLE[0]["姓名"]

CALLS = {
    "record": lambda client: client.record("population", KEY),
    "batch": lambda client: client.records("population", [KEY]),
    "query": lambda client: client.query("population", [{"element": "sex", "value": "男"}]),
    "verify": lambda client: client.verify("population", {"id_number": KEY, "name": NAME}),
}

# Expected status per caller, the same for every operation.
MATRIX = {
    "anonymous": 401,
    "citizen": 401,
    "staff": 401,
    "data_admin": 401,
    "admin": 401,
    "system_without_grant": 403,
    "system_granted": 200,
    "system_revoked": 401,
}


class _SessionCaller:
    """A browser session calling the gateway without a signature."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def __getattr__(self, operation: str) -> Any:
        def call(resource: str, argument: Any) -> GatewayResponse:
            if operation == "record":
                response = self.client.get(f"/gateway/v1/{resource}/records/{argument}")
            else:
                path = {"records": "records:batch", "query": "query", "verify": "verify"}[operation]
                response = self.client.post(f"/gateway/v1/{resource}/{path}", data={}, content_type="application/json")
            return GatewayResponse(response.status_code, dict(response.headers), response.content)

        return call


def _caller(role: str, exchange: Any, people: dict[str, Any]) -> Any:
    if role == "anonymous":
        return _SessionCaller(Client())
    if role in {"citizen", "staff", "data_admin", "admin"}:
        return _SessionCaller(sign_in(Client(), people[role]))
    if role == "system_granted":
        return exchange.client
    if role == "system_without_grant":
        other = services.consumer_register(actor=None, department_id=exchange.registries["market"], name="市场监管系统")
        return exchange.client_with(app_key=other.app_key, secret=other.secret)
    revoked = services.consumer_register(actor=None, department_id=exchange.registries["civil"], name="旧系统")
    services.consumer_revoke(actor=None, consumer_id=revoked.consumer_id, reason="下线")
    return exchange.client_with(app_key=revoked.app_key, secret=revoked.secret)


@pytest.mark.parametrize("operation", sorted(CALLS))
@pytest.mark.parametrize("role", sorted(MATRIX))
def test_gateway_matrix(role: str, operation: str, exchange: Any, people: dict[str, Any]) -> None:
    caller: GatewayClient = _caller(role, exchange, people)
    response = CALLS[operation](caller)
    assert response.status == MATRIX[role], (role, operation, response.body[:300])
    if response.status != 200:
        assert response.headers["Content-Type"] == "application/problem+json"
