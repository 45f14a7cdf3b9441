"""Writing the access log: group commit of concurrent calls, and no data when an entry cannot be written."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, connection

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


@pytest.mark.django_db(transaction=True)
def test_calls_queued_while_one_is_written_are_written_together(monkeypatch: Any) -> None:
    """The first call's write is held; two calls queue meanwhile; the next leader writes both in one batch."""
    real_write = log._write
    batches: list[list[str]] = []
    holding = threading.Event()
    release = threading.Event()

    def write(batch: Any) -> None:
        batches.append([pending.values["user_id"] for pending in batch])
        if len(batches) == 1:
            holding.set()
            assert release.wait(timeout=30)
        real_write(batch)

    monkeypatch.setattr(log, "_write", write)

    def append(number: int) -> None:
        call = _call(number)
        call.user_id = f"u{number}"
        try:
            access_log_append(call, status=200, latency_ms=1.0)
        finally:
            connection.close()

    first = threading.Thread(target=append, args=(1,))
    first.start()
    assert holding.wait(timeout=30)
    queued = [threading.Thread(target=append, args=(number,)) for number in (2, 3)]
    for thread in queued:
        thread.start()
    while len(log._group._queue) < 2:  # both are waiting behind the held write
        threading.Event().wait(0.01)
    release.set()
    for thread in [first, *queued]:
        thread.join(timeout=30)
    assert batches[0] == ["u1"]
    assert sorted(batches[1]) == ["u2", "u3"]
    assert len(batches) == 2
    _entries_match_their_subjects(3)


@pytest.mark.django_db(transaction=True)
def test_an_entry_that_cannot_be_written_fails_only_its_own_call() -> None:
    good, bad, other = (
        log._Pending(values=log._entry_values(_call(number), status=status, latency_ms=1.0), subjects=["k"])
        for number, status in ((1, 200), (2, -1), (3, 200))  # a negative status breaks the table's check
    )
    for pending, number in ((good, 1), (bad, 2), (other, 3)):
        pending.values["user_id"] = f"u{number}"
        pending.subjects = [f"call-{number}-a", f"call-{number}-b"]
    log._write_batch([good, bad, other])
    assert good.written and bad.written and other.written
    assert good.error is None and other.error is None
    assert isinstance(bad.error, IntegrityError)
    _entries_match_their_subjects(2)


@pytest.mark.django_db
def test_a_call_whose_entry_cannot_be_written_gets_no_data(exchange: Any, monkeypatch: Any) -> None:
    def failing(batch: Any) -> None:
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
