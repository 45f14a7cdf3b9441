import itertools
import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from yiwang.core.audit.models import AuditChainLane, AuditEvent
from yiwang.core.audit.selectors import audit_chain_verify
from yiwang.core.audit.services import GENESIS_DIGEST, record_event


class Person:
    def __init__(self, pk: int, name: str) -> None:
        self.pk = pk
        self.name = name

    def get_username(self) -> str:
        return self.name


def _events(count: int) -> list[AuditEvent]:
    return [
        record_event(
            actor=Person(7, "clerk"),
            action="test.change",
            object_type="test.thing",
            object_id=index,
            changes={"field": [index, index + 1], "名称": "值"},
            purpose="testing",
            ip_address="10.0.0.1",
        )
        for index in range(count)
    ]


def test_events_form_a_chain(db):
    events = _events(5)
    first = events[0]
    assert first.lane_seq == 1 and first.prev_digest == GENESIS_DIGEST
    for earlier, later in itertools.pairwise(events):
        if later.lane == earlier.lane:
            assert later.prev_digest == earlier.digest
            assert later.lane_seq == earlier.lane_seq + 1
    result = audit_chain_verify()
    assert result.intact and result.events_checked == 5


def test_an_event_rolls_back_with_its_transaction(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        _events(1)
        raise RuntimeError("the change failed")
    assert not AuditEvent.objects.exists()
    assert audit_chain_verify().intact


def _sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_altered_row_is_named(db):
    events = _events(4)
    target = events[2]
    _sql("UPDATE core_auditevent SET purpose = %s WHERE id = %s", ["cover-up", target.id])
    result = audit_chain_verify()
    assert not result.intact
    assert result.first_break.event_id == target.id
    assert result.first_break.kind == "altered"


def test_a_deleted_row_is_found_at_its_successor(db):
    events = _events(4)
    same_lane = [event for event in events if event.lane == events[0].lane]
    assert len(same_lane) == 4  # one thread writes to one lane
    _sql("DELETE FROM core_auditevent WHERE id = %s", [same_lane[1].id])
    result = audit_chain_verify()
    assert result.first_break.event_id == same_lane[2].id
    assert result.first_break.kind == "missing"


def test_a_deleted_last_row_is_found_by_the_head(db):
    events = _events(3)
    _sql("DELETE FROM core_auditevent WHERE id = %s", [events[-1].id])
    result = audit_chain_verify()
    assert result.first_break.kind == "truncated"
    assert "#2" in result.first_break.detail and "#3" in result.first_break.detail


def test_an_inserted_row_is_found(db):
    events = _events(3)
    victim = events[1]
    # Forge an event between #1 and #2 by renumbering: shift #2 and #3 up, insert a new #2.
    _sql("UPDATE core_auditevent SET lane_seq = lane_seq + 10 WHERE lane = %s AND lane_seq >= 2", [victim.lane])
    _sql("UPDATE core_auditevent SET lane_seq = lane_seq - 9 WHERE lane = %s AND lane_seq >= 12", [victim.lane])
    forged = AuditEvent.objects.create(
        occurred_at=victim.occurred_at,
        actor_label="intruder",
        action="test.forged",
        object_type="test.thing",
        object_id="x",
        lane=victim.lane,
        lane_seq=2,
        prev_digest=events[0].digest,
        digest="f" * 64,
    )
    result = audit_chain_verify()
    assert not result.intact
    assert result.first_break.event_id == forged.id


def test_an_event_beyond_the_head_is_found(db):
    events = _events(2)
    forged = AuditEvent.objects.create(
        occurred_at=events[0].occurred_at,
        action="test.forged",
        object_type="test.thing",
        object_id="x",
        lane=events[0].lane,
        lane_seq=3,
        prev_digest=events[1].digest,
        digest="e" * 64,
    )
    assert audit_chain_verify().first_break.event_id == forged.id


def test_command_exits_zero_when_intact(db, capsys):
    _events(3)
    call_command("audit", "verify")
    assert "audit log intact: 3 events" in capsys.readouterr().out


def test_command_fails_naming_the_event(db):
    events = _events(3)
    _sql("UPDATE core_auditevent SET actor_label = %s WHERE id = %s", ["someone else", events[0].id])
    with pytest.raises(CommandError, match=f"event {events[0].id} "):
        call_command("audit", "verify")


@pytest.mark.django_db(transaction=True)
def test_the_console_script_exit_status():
    # The same check through the real `yiwang` console script, as an operator runs it.
    import os
    import subprocess
    import sys

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        if "memory" in settings_dict["NAME"] or settings_dict["NAME"] == ":memory:":
            pytest.skip("an in-memory SQLite test database cannot be opened by another process")
        url = "sqlite:///" + settings_dict["NAME"]
    else:
        url = f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/{settings_dict['NAME']}"
    events = _events(2)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "yiwang.config.test_settings", "DATABASE_URL": url}
    command = [sys.executable, "-m", "yiwang.config.cli", "audit", "verify"]
    intact = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert intact.returncode == 0, intact.stderr
    assert "2 events" in intact.stdout
    _sql("UPDATE core_auditevent SET action = %s WHERE id = %s", ["test.rewritten", events[1].id])
    broken = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert broken.returncode != 0
    assert f"event {events[1].id} " in broken.stderr


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_every_chain_intact():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers itself; this exercises PostgreSQL's lane locking")
    errors: list[BaseException] = []
    started = threading.Barrier(8)

    def writer(number: int) -> None:
        try:
            started.wait()
            for index in range(25):
                with transaction.atomic():
                    for suffix in ("", "b"):
                        record_event(
                            actor=None,
                            action="test.concurrent",
                            object_type="test",
                            object_id=f"{number}-{index}{suffix}",
                        )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = audit_chain_verify()
    assert result.intact
    assert result.events_checked == 8 * 25 * 2
    # The two events of one transaction stay on one lane, next to each other.
    for event in AuditEvent.objects.filter(object_id__endswith="b"):
        partner = AuditEvent.objects.get(object_id=event.object_id[:-1])
        assert (partner.lane, partner.lane_seq + 1) == (event.lane, event.lane_seq)
    assert AuditEvent.objects.values("lane").distinct().count() > 1


@pytest.mark.django_db(transaction=True)
def test_a_writer_holding_a_lane_does_not_block_another():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite allows one writer at a time by design")
    holding = threading.Event()
    release = threading.Event()
    finished = threading.Event()

    def slow_writer() -> None:
        with transaction.atomic():
            record_event(actor=None, action="test.slow", object_type="test", object_id="slow")
            holding.set()
            release.wait(timeout=10)
        connection.close()

    def quick_writer() -> None:
        holding.wait(timeout=10)
        record_event(actor=None, action="test.quick", object_type="test", object_id="quick")
        finished.set()
        connection.close()

    slow = threading.Thread(target=slow_writer)
    quick = threading.Thread(target=quick_writer)
    slow.start()
    quick.start()
    assert finished.wait(timeout=5), "the second writer waited for the first one's lane"
    release.set()
    slow.join()
    quick.join()
    lanes = dict(AuditEvent.objects.values_list("object_id", "lane"))
    assert lanes["slow"] != lanes["quick"]
    assert audit_chain_verify().intact


def test_missing_lane_heads_are_recreated(db):
    AuditChainLane.objects.all().delete()
    event = _events(1)[0]
    assert event.lane_seq == 1
    assert audit_chain_verify().intact


def test_the_orm_refuses_to_change_or_delete_events(db):
    event = _events(1)[0]
    event.purpose = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    assert audit_chain_verify().intact
