"""Schemathesis against the gateway's own OpenAPI document: generated, signed requests never meet a server error,
and every successful answer conforms to the response schema the document publishes."""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core import NotSet

from yiwang.exchange.client import GATEWAY_PREFIX
from yiwang.exchange.tests.conftest import PEOPLE

pytestmark = pytest.mark.django_db

EXAMPLES = 40
ZHANG = PEOPLE[0]["公民身份号码"]
NAME = PEOPLE[0]["姓名"]


def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(Client().get("/gateway/v1/openapi.json").content)
    return document


def _operations() -> list[Any]:
    schema = schemathesis.openapi.from_dict(_document())
    return [result.ok() for result in schema.get_all_operations()]


def _answer_validator(document: dict[str, Any], operation: Any) -> Any:
    """A validator of the operation's published 200 answer (its $refs resolved within the document)."""
    answer = document["paths"][operation.path][operation.method.lower()]["responses"]["200"]
    schema = answer["content"]["application/json"]["schema"]
    return jsonschema_rs.Draft202012Validator({**schema, "components": document["components"]})


def _query(case: Any) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, value in (case.query or {}).items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((str(name), "" if item is None else str(item)))
    return pairs


def _check(response: Any, operation: Any, answer: Any) -> None:
    assert response.status < 500, (operation, response.body[:500])
    data = json.loads(response.body)  # every answer is JSON
    if response.status >= 400:
        assert response.headers["Content-Type"] == "application/problem+json"
        assert data["status"] == response.status
        assert data["detail"] and data["detail_en"] and data["code"]
    else:
        assert response.headers["Content-Type"].startswith("application/json")
        errors = [str(error) for error in answer.iter_errors(data)]
        assert not errors, (operation, data, errors)


def test_answers_conform_to_the_published_schemas(exchange: Any) -> None:
    document = _document()
    by_path = {operation.path: operation for operation in _operations()}
    answers = {
        "/gateway/v1/{resource}/records/{key}": exchange.client.record("population", ZHANG),
        "/gateway/v1/{resource}/records:batch": exchange.client.records("population", [ZHANG, "110101199001011237"]),
        "/gateway/v1/{resource}/query": exchange.client.query(
            "population", [{"element": "id_number", "op": "eq", "value": ZHANG}]
        ),
        "/gateway/v1/{resource}/verify": exchange.client.verify(
            "population", {"id_number": ZHANG, "name": PEOPLE[0]["姓名"]}
        ),
    }
    assert set(answers) == set(by_path)
    for path, response in answers.items():
        assert response.status == 200, (path, response.body)
        _check(response, by_path[path], _answer_validator(document, by_path[path]))
    wrong = json.loads(answers["/gateway/v1/{resource}/records/{key}"].body) | {"masked": "name"}
    assert not _answer_validator(document, by_path["/gateway/v1/{resource}/records/{key}"]).is_valid(wrong)


def test_generated_requests_never_meet_a_server_error(exchange: Any) -> None:
    operations = _operations()
    assert len(operations) == 4
    for operation in operations:
        _fuzz(exchange, operation)


def _fuzz(exchange: Any, operation: Any) -> None:
    answer = _answer_validator(_document(), operation)

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
        _check(response, operation, answer)

    run()
