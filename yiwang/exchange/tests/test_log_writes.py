"""Writing the access log: concurrent calls each get their own entry, and no data goes out unlogged."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from django.db import DatabaseError, connection

from yiwang.exchange import log
from yiwang.exchange.log import CallRecord, access_log_append
from yiwang.exchange.models import AccessLogEntry, AccessLogSubject
from yiwang.exchange.tests.conftest import PEOPLE

ZHANG = PEOPLE[0]["公民身份号码"]


def _call(number: int) -> CallRecord:
    """A call naming two records whose keys say which call they belong to."""
    return CallRecord(
        request_id=str(uuid.uuid4()),
        client_ip="127.0.0.1",
        operation="batch",
        app_key="test-app",
        consumer_id=7,
        resource_slug="population",
        resource_id=3,
        elements=["name", "id_number"],
        subjects=[f"call-{number}-a", f"call-{number}-b"],
        purpose="测试",
        user_id="u1",
        result_count=2,
    )


def _entries_match_their_subjects(expected: int) -> None:
    assert AccessLogEntry.objects.count() == expected
    subjects: dict[int, set[str]] = {}
    for entry_id, key in AccessLogSubject.objects.values_list("entry_id", "subject_key"):
        subjects.setdefault(entry_id, set()).add(key)
    for entry in AccessLogEntry.objects.all():
        number = entry.user_id.removeprefix("u")
        assert subjects[entry.pk] == {f"call-{number}-a", f"call-{number}-b"}, entry.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_are_all_written_each_with_its_own_subjects() -> None:
    errors: list[BaseException] = []

    def calls(first: int) -> None:
        try:
            for number in range(first, first + 25):
                call = _call(number)
                call.user_id = f"u{number}"
                access_log_append(call, status=200, latency_ms=1.5)
        except BaseException as error:  # reported below, on the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=calls, args=(100 * index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    _entries_match_their_subjects(200)


@pytest.mark.django_db
def test_a_call_whose_entry_cannot_be_written_gets_no_data(exchange: Any, monkeypatch: Any) -> None:
    def failing(values: Any, subjects: Any) -> None:
        raise DatabaseError("the log's table cannot be written")

    monkeypatch.setattr(log, "_write", failing)
    response = exchange.client.record("population", ZHANG)
    assert response.status == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Retry-After"] == "5"
    problem = response.data
    assert problem["code"] == "log_unavailable"
    assert "values" not in problem
    assert PEOPLE[0]["姓名"] not in response.body.decode()
    assert problem["detail_en"].startswith("The access log cannot be written")
    monkeypatch.undo()
    assert exchange.client.record("population", ZHANG).status == 200
