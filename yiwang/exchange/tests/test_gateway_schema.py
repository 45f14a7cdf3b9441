"""Schemathesis against the gateway's own OpenAPI document: generated, signed requests never meet a server error."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core import NotSet

from yiwang.exchange.client import GATEWAY_PREFIX

pytestmark = pytest.mark.django_db

EXAMPLES = 40


def _operations() -> list[Any]:
    document = json.loads(Client().get("/gateway/v1/openapi.json").content)
    schema = schemathesis.openapi.from_dict(document)
    return [result.ok() for result in schema.get_all_operations()]


def _query(case: Any) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, value in (case.query or {}).items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((str(name), "" if item is None else str(item)))
    return pairs


def _check(response: Any, operation: Any) -> None:
    assert response.status < 500, (operation, response.body[:500])
    data = json.loads(response.body)  # every answer is JSON
    if response.status >= 400:
        assert response.headers["Content-Type"] == "application/problem+json"
        assert data["status"] == response.status
        assert data["detail"] and data["detail_en"] and data["code"]
    else:
        assert isinstance(data, dict)


def test_generated_requests_never_meet_a_server_error(exchange: Any) -> None:
    operations = _operations()
    assert len(operations) == 4
    for operation in operations:
        _fuzz(exchange, operation)


def _fuzz(exchange: Any, operation: Any) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(case=operation.as_strategy(), real_resource=st.booleans())
    def run(case: Any, real_resource: bool) -> None:
        if real_resource and "resource" in (case.path_parameters or {}):
            case.path_parameters["resource"] = "population"
        path = case.formatted_path
        assert path.startswith(GATEWAY_PREFIX)
        body = case.body if case.media_type == "application/json" and not isinstance(case.body, NotSet) else None
        response = exchange.client.request(
            case.method.upper(), path.removeprefix(GATEWAY_PREFIX), query=_query(case), payload=body
        )
        _check(response, operation)

    run()
