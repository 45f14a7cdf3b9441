"""The access log: every gateway call appended, sealed in batches (SM3 chain, SM2 signature), verifiable.

The request path only inserts (`access_log_append`). The sealer (`access_log_seal`, a task and
`yiwang exchange seal-log`) takes the entries older than a few seconds in id order, chains each one as
link = SM3(previous link ‖ SM3(entry)), stores the links, and signs the batch's first and last entry, count,
previous digest and final digest with the platform's SM2 key — derived from the master key, so that no one
who can only write the database can sign a seal. `access_log_verify` recomputes everything and names the
first entry or seal that does not fit. See docs/adr/0014-exchange-access-log.md.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import orjson
from django.db import connection, transaction
from django.utils import timezone

from yiwang.core.audit.services import record_event
from yiwang.core.crypto import (
    Sm2KeyPair,
    derive_key,
    sm2_key_pair_from_secret,
    sm2_sign,
    sm2_verify,
    sm3_digest,
    sm3_hex,
)
from yiwang.exchange.models import AccessLogEntry, AccessLogHead, AccessLogLink, AccessLogSeal, AccessLogSubject

GENESIS = "0" * 64
SEAL_BATCH = 10_000  # X-Road's default batch of time-stamped records (timestamp-records-limit)
SETTLE_SECONDS = 5  # entries younger than this may still be committing; they wait for the next pass
SEAL_SIGNER_ID = b"yiwang-exchange-log"


@cache
def _seal_key(master_fingerprint: bytes) -> Sm2KeyPair:
    return sm2_key_pair_from_secret(derive_key("exchange/access-log-seal"))


def seal_key() -> Sm2KeyPair:
    """The platform's SM2 key for seals, derived from the master key (never stored)."""
    return _seal_key(derive_key("exchange/access-log-seal/fingerprint"))


def seal_public_key_hex() -> str:
    return seal_key().public_key.hex()


@dataclass
class CallRecord:
    """What the gateway learnt about one call; appended as one entry when the call ends."""

    request_id: str
    client_ip: str | None
    operation: str = ""
    app_key: str = ""
    consumer_id: int | None = None
    consumer_department_id: int | None = None
    resource_slug: str = ""
    resource_id: int | None = None
    provider_department_id: int | None = None
    elements: list[str] = field(default_factory=list)
    keys_digest: str = ""
    subjects: list[str] = field(default_factory=list)
    purpose: str = ""
    user_id: str = ""
    case_ref: str = ""
    result_count: int = 0
    reason: str = ""


_ENTRY_COLUMNS = (
    "at", "request_id", "app_key", "consumer_id", "consumer_department_id", "resource_slug", "resource_id",
    "provider_department_id", "operation", "elements", "keys_digest", "purpose", "user_id", "case_ref",
    "result_count", "status", "reason", "latency_ms", "client_ip",
)  # fmt: skip


_ENTRY_COLUMN_LIST = ", ".join(_ENTRY_COLUMNS)
_ENTRY_PLACEHOLDERS = "(" + ", ".join("%s::jsonb" if column == "elements" else "%s" for column in _ENTRY_COLUMNS) + ")"


def _entry_values(call: CallRecord, *, status: int, latency_ms: float) -> dict[str, Any]:
    return {
        "at": timezone.now(),
        "request_id": call.request_id,
        "app_key": call.app_key[:64],
        "consumer_id": call.consumer_id,
        "consumer_department_id": call.consumer_department_id,
        "resource_slug": call.resource_slug[:64],
        "resource_id": call.resource_id,
        "provider_department_id": call.provider_department_id,
        "operation": call.operation,
        "elements": call.elements,
        "keys_digest": call.keys_digest,
        "purpose": call.purpose[:200],
        "user_id": call.user_id[:64],
        "case_ref": call.case_ref[:128],
        "result_count": call.result_count,
        "status": status,
        "reason": call.reason,
        "latency_ms": round(latency_ms, 3),
        "client_ip": call.client_ip,
    }


def access_log_append(call: CallRecord, *, status: int, latency_ms: float) -> None:
    """Write one entry and the records it concerns: the only write on the request path, committed before the
    call is answered (ADR 0014 says why not in groups or after the answer)."""
    subjects = [key[:128] for key in dict.fromkeys(call.subjects)] if call.resource_id is not None else []
    _write(_entry_values(call, status=status, latency_ms=latency_ms), subjects)


def _write(values: dict[str, Any], subjects: list[str]) -> None:
    """Insert an entry and its subjects. On PostgreSQL one statement (the subjects' INSERT reads the entry's id
    from a data-modifying CTE): one round trip and one commit. Elsewhere two statements in one transaction."""
    resource_id = values["resource_id"]
    if connection.vendor == "postgresql":
        params = [orjson.dumps(values[c]).decode() if c == "elements" else values[c] for c in _ENTRY_COLUMNS]
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH entry AS (INSERT INTO exchange_accesslogentry ({_ENTRY_COLUMN_LIST}) "  # noqa: S608 - fixed column names
                f"VALUES {_ENTRY_PLACEHOLDERS} RETURNING id) "
                "INSERT INTO exchange_accesslogsubject (entry_id, resource_id, subject_key) "
                "SELECT entry.id, %s, subject FROM entry, unnest(%s::text[]) AS subject",
                [*params, resource_id, subjects],
            )
        return
    with transaction.atomic():
        entry = AccessLogEntry.objects.create(**values)
        if subjects and resource_id is not None:
            AccessLogSubject.objects.bulk_create(
                AccessLogSubject(entry_id=entry.pk, resource_id=resource_id, subject_key=key) for key in subjects
            )


def keys_digest(items: Sequence[str] | dict[str, object]) -> str:
    """SM3 of the keys or the filter a call named, so the log proves what was asked without repeating it."""
    return sm3_hex(orjson.dumps(items, option=orjson.OPT_SORT_KEYS))


def entry_digest(entry: AccessLogEntry, subjects: Sequence[str]) -> bytes:
    """SM3 over every field of an entry and the records it concerns, in a fixed order."""
    fields = [
        entry.pk,
        entry.at.astimezone(datetime.UTC).isoformat(),
        entry.request_id,
        entry.app_key,
        entry.consumer_id,
        entry.consumer_department_id,
        entry.resource_slug,
        entry.resource_id,
        entry.provider_department_id,
        entry.operation,
        list(entry.elements),
        entry.keys_digest,
        entry.purpose,
        entry.user_id,
        entry.case_ref,
        entry.result_count,
        entry.status,
        entry.reason,
        repr(float(entry.latency_ms)),
        entry.client_ip,
        sorted(subjects),
    ]
    return sm3_digest(orjson.dumps(fields))


def _link(previous: str, digest: bytes) -> str:
    return sm3_hex(bytes.fromhex(previous) + digest)


def _seal_message(seal: AccessLogSeal) -> bytes:
    return orjson.dumps(
        {
            "seal": seal.pk,
            "first": seal.first_entry_id,
            "last": seal.last_entry_id,
            "count": seal.entry_count,
            "previous": seal.previous_digest,
            "digest": seal.digest,
            "sealed_at": seal.sealed_at.astimezone(datetime.UTC).isoformat(),
        },
        option=orjson.OPT_SORT_KEYS,
    )


def _subjects_of(entry_ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    rows = AccessLogSubject.objects.filter(entry_id__in=entry_ids).values_list("entry_id", "subject_key")
    for entry_id, key in rows:
        found[entry_id].append(key)
    return found


def access_log_seal(*, batch_size: int = SEAL_BATCH, settle_seconds: int = SETTLE_SECONDS) -> list[int]:
    """Seal every settled, unsealed entry, a batch at a time; the ids of the seals made."""
    made: list[int] = []
    while True:
        seal_id = _seal_one_batch(batch_size=batch_size, settle_seconds=settle_seconds)
        if seal_id is None:
            return made
        made.append(seal_id)


def _seal_one_batch(*, batch_size: int, settle_seconds: int) -> int | None:
    cutoff = timezone.now() - datetime.timedelta(seconds=settle_seconds)
    with transaction.atomic():
        AccessLogHead.objects.get_or_create(pk=1)
        head = AccessLogHead.objects.select_for_update().get(pk=1)
        entries = list(
            AccessLogEntry.objects.filter(pk__gt=head.last_entry_id, at__lt=cutoff).order_by("pk")[:batch_size]
        )
        if not entries:
            return None
        subjects = _subjects_of([entry.pk for entry in entries])
        previous = head.digest
        chain = previous
        links: list[tuple[int, str]] = []
        for entry in entries:
            chain = _link(chain, entry_digest(entry, subjects.get(entry.pk, [])))
            links.append((entry.pk, chain))
        seal = AccessLogSeal.objects.create(
            first_entry_id=entries[0].pk,
            last_entry_id=entries[-1].pk,
            entry_count=len(entries),
            previous_digest=previous,
            digest=chain,
            signature="",
            sealed_at=timezone.now(),
        )
        seal.signature = sm2_sign(seal_key(), _seal_message(seal), signer_id=SEAL_SIGNER_ID).hex()
        seal.save(update_fields=["signature"])
        AccessLogLink.objects.bulk_create(
            [AccessLogLink(entry_id=entry_id, seal_id=seal.pk, chain=value) for entry_id, value in links],
            batch_size=2_000,
        )
        head.last_entry_id = entries[-1].pk
        head.digest = chain
        head.seal_count += 1
        head.save()
        # The digest also enters the audit chain: a second, independent record of how far the log reached.
        record_event(
            actor=None,
            action="exchange.log.seal",
            object_type="exchange.accesslogseal",
            object_id=seal.pk,
            changes={"last_entry": seal.last_entry_id, "count": seal.entry_count, "digest": chain},
        )
    return int(seal.pk)


@dataclass(frozen=True)
class LogVerification:
    """The outcome of `access_log_verify`: `problems` name the entry or seal where each break is."""

    seals: int
    entries: int
    unsealed: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def access_log_verify(*, chunk: int = 5_000) -> LogVerification:
    """Recompute every seal's chain and signature; report what was changed, deleted, inserted or removed."""
    problems: list[str] = []
    public_key = seal_key().public_key
    previous = GENESIS
    checked = 0
    seals = 0
    last_sealed = 0
    for seal in AccessLogSeal.objects.order_by("pk").iterator(chunk_size=500):
        seals += 1
        if seal.previous_digest != previous:
            problems.append(
                f"seal {seal.pk}: does not continue the chain (a seal before it was removed, altered or reordered)"
            )
        if not sm2_verify(
            public_key, _seal_message(seal), bytes.fromhex(seal.signature or "00"), signer_id=SEAL_SIGNER_ID
        ):
            problems.append(f"seal {seal.pk}: signature does not verify (the seal was altered or forged)")
        if seal.first_entry_id <= last_sealed:
            problems.append(f"seal {seal.pk}: overlaps the entries of an earlier seal")
        checked += _verify_seal_entries(seal, chunk=chunk, problems=problems)
        previous = seal.digest
        last_sealed = max(last_sealed, seal.last_entry_id)
    head = AccessLogHead.objects.filter(pk=1).first()
    if head is not None and (head.digest != previous or head.last_entry_id != last_sealed or head.seal_count != seals):
        problems.append(
            f"head: the chain ends at entry {last_sealed} after {seals} seals, but the head says entry "
            f"{head.last_entry_id} after {head.seal_count} (the newest seals were removed)"
        )
    stray = AccessLogEntry.objects.filter(pk__lte=last_sealed).exclude(pk__in=AccessLogLink.objects.values("entry_id"))
    for entry_id in stray.values_list("pk", flat=True)[:20]:
        problems.append(f"entry {entry_id}: inside the sealed range but in no seal (inserted afterwards)")
    unsealed = AccessLogEntry.objects.filter(pk__gt=last_sealed).count()
    return LogVerification(seals=seals, entries=checked, unsealed=unsealed, problems=problems)


def _verify_seal_entries(seal: AccessLogSeal, *, chunk: int, problems: list[str]) -> int:
    """Check each entry of a seal against its own link: link = SM3(previous link ‖ SM3(entry))."""
    links = list(AccessLogLink.objects.filter(seal_id=seal.pk).order_by("entry_id").values_list("entry_id", "chain"))
    if len(links) != seal.entry_count:
        problems.append(f"seal {seal.pk}: {len(links)} links for {seal.entry_count} entries (links were removed)")
    if links and links[-1][1] != seal.digest:
        problems.append(f"seal {seal.pk}: its last link is not its digest (links were altered)")
    previous_of = {
        entry_id: (links[index - 1][1] if index else seal.previous_digest) for index, (entry_id, _c) in enumerate(links)
    }
    link_of = dict(links)
    seen = 0
    after = seal.first_entry_id - 1
    while True:
        entries = list(AccessLogEntry.objects.filter(pk__gt=after, pk__lte=seal.last_entry_id).order_by("pk")[:chunk])
        if not entries:
            break
        subjects = _subjects_of([entry.pk for entry in entries])
        for entry in entries:
            seen += 1
            stored = link_of.pop(entry.pk, None)
            if stored is None:
                problems.append(f"entry {entry.pk}: inside seal {seal.pk} but not chained (inserted afterwards)")
                continue
            if _link(previous_of[entry.pk], entry_digest(entry, subjects.get(entry.pk, []))) != stored:
                problems.append(f"entry {entry.pk}: does not match its seal {seal.pk} (the entry was changed)")
        after = entries[-1].pk
    for entry_id in sorted(link_of):
        problems.append(f"entry {entry_id}: sealed by seal {seal.pk} but missing (the entry was deleted)")
    return seen
