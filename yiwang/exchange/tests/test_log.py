"""The access log: sealing, verification, and tampering found and named."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yiwang.core.audit.models import AuditEvent
from yiwang.exchange.log import access_log_seal, access_log_verify, seal_public_key_hex
from yiwang.exchange.models import AccessLogEntry, AccessLogHead, AccessLogLink, AccessLogSeal, AccessLogSubject
from yiwang.exchange.tests.conftest import PEOPLE

pytestmark = pytest.mark.django_db

KEYS = [person["公民身份号码"] for person in PEOPLE]


@pytest.fixture
def sealed(exchange: Any) -> list[int]:
    """Twelve calls (two refused), sealed in batches of five: three seals."""
    for index in range(10):
        exchange.client.record("population", KEYS[index % 3])
    exchange.client_with(secret="wrong").record("population", KEYS[0])
    exchange.client.records("population", KEYS)
    return access_log_seal(batch_size=5, settle_seconds=0)


def test_sealing_chains_every_entry_in_batches(sealed: list[int]) -> None:
    assert len(sealed) == 3
    seals = list(AccessLogSeal.objects.order_by("pk"))
    assert [seal.entry_count for seal in seals] == [5, 5, 2]
    assert seals[1].previous_digest == seals[0].digest
    assert AccessLogLink.objects.count() == 12
    head = AccessLogHead.objects.get()
    assert (head.last_entry_id, head.digest, head.seal_count) == (seals[-1].last_entry_id, seals[-1].digest, 3)
    assert AuditEvent.objects.filter(action="exchange.log.seal").count() == 3
    result = access_log_verify()
    assert result.ok, result.problems
    assert (result.seals, result.entries, result.unsealed) == (3, 12, 0)


def test_sealing_again_seals_only_new_entries(exchange: Any, sealed: list[int]) -> None:
    assert access_log_seal(settle_seconds=0) == []
    exchange.client.record("population", KEYS[0])
    assert access_log_verify().unsealed == 1
    assert len(access_log_seal(settle_seconds=0)) == 1
    assert access_log_verify().ok


def test_entries_younger_than_the_settle_time_wait(exchange: Any) -> None:
    exchange.client.record("population", KEYS[0])
    assert access_log_seal(settle_seconds=60) == []
    assert access_log_verify().unsealed == 1


def test_a_changed_entry_is_named(sealed: list[int]) -> None:
    entry = AccessLogEntry.objects.order_by("pk")[6]
    AccessLogEntry.objects.filter(pk=entry.pk).update(purpose="别的用途")
    result = access_log_verify()
    assert not result.ok
    assert result.problems == [f"entry {entry.pk}: does not match its seal {sealed[1]} (the entry was changed)"]


def test_a_changed_subject_is_named(sealed: list[int]) -> None:
    subject = AccessLogSubject.objects.order_by("pk").first()
    assert subject is not None
    AccessLogSubject.objects.filter(pk=subject.pk).update(subject_key="someone-else")
    assert access_log_verify().problems == [
        f"entry {subject.entry_id}: does not match its seal {sealed[0]} (the entry was changed)"
    ]


def test_a_deleted_entry_is_named(sealed: list[int]) -> None:
    entry = AccessLogEntry.objects.order_by("pk")[3]
    AccessLogSubject.objects.filter(entry_id=entry.pk).delete()
    AccessLogEntry.objects.filter(pk=entry.pk).delete()
    assert access_log_verify().problems == [
        f"entry {entry.pk}: sealed by seal {sealed[0]} but missing (the entry was deleted)"
    ]


def test_a_deleted_entry_and_its_link_are_found(sealed: list[int]) -> None:
    entries = list(AccessLogEntry.objects.order_by("pk"))
    AccessLogSubject.objects.filter(entry_id=entries[3].pk).delete()
    AccessLogEntry.objects.filter(pk=entries[3].pk).delete()
    AccessLogLink.objects.filter(entry_id=entries[3].pk).delete()
    problems = access_log_verify().problems
    assert f"seal {sealed[0]}: 4 links for 5 entries (links were removed)" in problems
    assert f"entry {entries[4].pk}: does not match its seal {sealed[0]} (the entry was changed)" in problems


def test_an_entry_slipped_in_afterwards_is_named(exchange: Any, sealed: list[int]) -> None:
    first = AccessLogEntry.objects.order_by("pk").first()
    assert first is not None
    forged = AccessLogEntry.objects.create(
        **{field.name: getattr(first, field.name) for field in AccessLogEntry._meta.fields if field.name not in {"id"}}
    )
    # An id inside the sealed range: move it there.
    target = AccessLogSeal.objects.order_by("pk").first()
    assert target is not None
    gap = target.last_entry_id - 1
    AccessLogSubject.objects.filter(entry_id=gap).delete()
    AccessLogEntry.objects.filter(pk=gap).delete()
    AccessLogEntry.objects.filter(pk=forged.pk).update(id=gap)
    problems = access_log_verify().problems
    assert any(f"entry {gap}: does not match its seal" in problem for problem in problems)


def test_an_altered_seal_is_named(sealed: list[int]) -> None:
    AccessLogSeal.objects.filter(pk=sealed[1]).update(entry_count=4)
    problems = access_log_verify().problems
    assert f"seal {sealed[1]}: signature does not verify (the seal was altered or forged)" in problems


def test_a_removed_seal_is_named(sealed: list[int]) -> None:
    AccessLogLink.objects.filter(seal_id=sealed[1]).delete()
    AccessLogSeal.objects.filter(pk=sealed[1]).delete()
    problems = access_log_verify().problems
    assert f"seal {sealed[2]}: does not continue the chain (a seal before it was removed, altered or reordered)" in (
        problems
    )
    assert any("inside the sealed range but in no seal" in problem for problem in problems)


def test_truncation_of_the_newest_seals_is_named(sealed: list[int]) -> None:
    last = AccessLogSeal.objects.get(pk=sealed[2])
    AccessLogLink.objects.filter(seal_id=last.pk).delete()
    AccessLogSubject.objects.filter(entry_id__gte=last.first_entry_id).delete()
    AccessLogEntry.objects.filter(pk__gte=last.first_entry_id).delete()
    last.delete()
    problems = access_log_verify().problems
    assert len(problems) == 1
    assert problems[0].startswith("head: the chain ends at entry")


def test_a_reforged_seal_under_another_key_does_not_verify(sealed: list[int]) -> None:
    from yiwang.core.crypto import sm2_generate_key_pair, sm2_sign
    from yiwang.exchange import log

    seal = AccessLogSeal.objects.get(pk=sealed[0])
    AccessLogEntry.objects.filter(pk=seal.first_entry_id).update(purpose="篡改")
    # Recompute the whole chain honestly, but sign with a key of one's own: only the master key's key verifies.
    entries = list(AccessLogEntry.objects.filter(pk__lte=seal.last_entry_id).order_by("pk"))
    chain = seal.previous_digest
    for entry in entries:
        chain = log._link(chain, log.entry_digest(entry, list(entry.subjects.values_list("subject_key", flat=True))))
        AccessLogLink.objects.filter(entry_id=entry.pk).update(chain=chain)
    seal.digest = chain
    seal.signature = sm2_sign(sm2_generate_key_pair(), log._seal_message(seal), signer_id=log.SEAL_SIGNER_ID).hex()
    seal.save()
    problems = access_log_verify().problems
    assert f"seal {seal.pk}: signature does not verify (the seal was altered or forged)" in problems
    assert len(seal_public_key_hex()) == 128


def test_verify_log_command_exits_non_zero_and_names_the_place(sealed: list[int], capsys: Any) -> None:
    call_command("exchange", "verify-log")
    assert "3 seal(s), 12 sealed entries checked, 0 not sealed yet" in capsys.readouterr().out
    entry = AccessLogEntry.objects.order_by("pk")[2]
    AccessLogEntry.objects.filter(pk=entry.pk).update(status=200, latency_ms=1.0)
    with pytest.raises(CommandError) as raised:
        call_command("exchange", "verify-log")
    assert raised.value.returncode == 1
    assert f"entry {entry.pk}: does not match its seal" in capsys.readouterr().err


def test_seal_log_command(exchange: Any, capsys: Any) -> None:
    exchange.client.record("population", KEYS[0])
    AccessLogEntry.objects.update(at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1))
    call_command("exchange", "seal-log")
    assert "1 seal(s) made" in capsys.readouterr().out


def test_the_worker_enqueues_the_sealer_periodically(exchange: Any) -> None:
    from yiwang.core.management.commands.worker import enqueue_periodic

    exchange.client.record("population", KEYS[0])
    AccessLogEntry.objects.update(at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1))

    class OnePass:
        """Lets the loop run once (tasks run at once in tests: the immediate backend)."""

        def __init__(self) -> None:
            self.passes = 0

        def is_set(self) -> bool:
            self.passes += 1
            return self.passes > 1

        def wait(self, seconds: float) -> None:
            return None

    enqueue_periodic(OnePass())  # type: ignore[arg-type]
    assert AccessLogSeal.objects.count() == 1
