"""Writing audit events: one call per state change or read of personal data, inside its transaction.

Chaining without one global lock: events are spread over `YIWANG_AUDIT_CHAIN_LANES` independent hash
chains. A writer locks the head row of one lane (PostgreSQL: the first lane, counting from the one its
thread prefers, that nobody else holds — `FOR UPDATE SKIP LOCKED`), appends its event to that chain and
keeps the lane until its transaction ends. Writers therefore wait for each other only when every lane is
busy. SQLite serialises writers itself (transactions begin IMMEDIATE). See docs/adr/0006-audit-chain.md.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import threading
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from yiwang.core.audit.context import current_origin
from yiwang.core.audit.models import AuditChainLane, AuditEvent
from yiwang.core.crypto import sm3_hex

GENESIS_DIGEST = "0" * 64
MAX_LANES = 256


class Actor(Protocol):
    """Anything that acts: a user (has a primary key and a name)."""

    @property
    def pk(self) -> Any: ...

    def get_username(self) -> str: ...


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no insignificant whitespace, UTF-8 characters kept: stable for hashing."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def event_digest(
    *,
    lane: int,
    lane_seq: int,
    prev_digest: str,
    occurred_at: datetime.datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    changes: str,
    purpose: str,
    ip_address: str | None,
) -> str:
    """SM3 over the canonical form of an event, including the digest of its predecessor."""
    content = canonical_json(
        {
            "lane": lane,
            "seq": lane_seq,
            "prev": prev_digest,
            "at": occurred_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
            "actor_id": actor_id,
            "actor": actor_label,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "changes": changes,
            "purpose": purpose,
            "ip": ip_address,
        }
    )
    return sm3_hex(content.encode("utf-8"))


def lane_count() -> int:
    """How many chains are in use (configurable; the table always holds MAX_LANES heads)."""
    return max(1, min(int(settings.YIWANG_AUDIT_CHAIN_LANES), MAX_LANES))


def _preferred_lane(lanes: int) -> int:
    # Start from the lane this connection used last: inside a transaction that is the lane it already
    # holds (its own lock is not skipped), so all events of one transaction stay on one lane.
    last = getattr(connection, "_yiwang_audit_lane", None)
    if isinstance(last, int) and last < lanes:
        return last
    return threading.get_ident() % lanes


def audit_lanes_ensure() -> None:
    """Create any missing chain heads (a migration creates them; a test flush removes them)."""
    AuditChainLane.objects.bulk_create(
        [AuditChainLane(lane=lane, last_seq=0, last_digest=GENESIS_DIGEST) for lane in range(MAX_LANES)],
        ignore_conflicts=True,
    )


@dataclass(frozen=True)
class _Head:
    lane: int
    last_seq: int
    last_digest: str


# Plain SQL on the hot path: these two statements run for every audited change, and building them through
# the ORM cost more than the database work itself (see docs/benchmarks.md, "Audit log").
_LOCK_FREE_LANE = (
    "SELECT lane, last_seq, last_digest FROM core_auditchainlane WHERE lane < %s "
    "ORDER BY (lane - %s + %s) %% %s LIMIT 1 FOR UPDATE SKIP LOCKED"
)
_LOCK_LANE = "SELECT lane, last_seq, last_digest FROM core_auditchainlane WHERE lane = %s"
_ADVANCE_LANE = "UPDATE core_auditchainlane SET last_seq = %s, last_digest = %s WHERE lane = %s"


def _lock_lane() -> _Head:
    head = _lock_existing_lane()
    if head is None:
        audit_lanes_ensure()
        head = _lock_existing_lane()
    if head is None:  # pragma: no cover - the heads were just created
        raise RuntimeError("the audit chain heads are missing")
    return head


def _lock_existing_lane() -> _Head | None:
    lanes = lane_count()
    preferred = _preferred_lane(lanes)
    with connection.cursor() as cursor:
        if connection.features.has_select_for_update_skip_locked:
            # Rows this transaction already holds are not skipped, so a transaction stays on its lane.
            cursor.execute(_LOCK_FREE_LANE, [lanes, preferred, lanes, lanes])
            row = cursor.fetchone()
            if row is not None:
                return _Head(*row)
            cursor.execute(_LOCK_LANE + " FOR UPDATE", [preferred])
        else:
            # SQLite: the transaction already holds the database's write lock (BEGIN IMMEDIATE).
            cursor.execute(_LOCK_LANE, [preferred])
        row = cursor.fetchone()
    return _Head(*row) if row is not None else None


def _normalise_ip(ip_address: str | None) -> str | None:
    if not ip_address:
        return None
    try:
        return str(ipaddress.ip_address(ip_address))
    except ValueError:
        return None


def record_event(
    *,
    actor: Actor | None,
    action: str,
    object_type: str,
    object_id: object,
    changes: dict[str, Any] | None = None,
    purpose: str = "",
    ip_address: str | None = None,
) -> AuditEvent:
    """Append an audit event in the caller's transaction (opening one if there is none).

    `changes` must already have sensitive values masked. `ip_address` defaults to the current request's.
    """
    if ip_address is None:
        origin = current_origin()
        ip_address = origin.ip_address if origin else None
    ip = _normalise_ip(ip_address)
    actor_id = int(actor.pk) if actor is not None and actor.pk is not None else None
    actor_label = actor.get_username()[:150] if actor is not None else ""
    changes_text = canonical_json(changes) if changes else ""
    object_id_text = str(object_id)[:64]
    with transaction.atomic():
        head = _lock_lane()
        connection._yiwang_audit_lane = head.lane  # type: ignore[attr-defined]
        occurred_at = timezone.now()
        seq = head.last_seq + 1
        digest = event_digest(
            lane=head.lane,
            lane_seq=seq,
            prev_digest=head.last_digest,
            occurred_at=occurred_at,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=object_id_text,
            changes=changes_text,
            purpose=purpose[:200],
            ip_address=ip,
        )
        event = AuditEvent.objects.create(
            occurred_at=occurred_at,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=object_id_text,
            changes=changes_text,
            purpose=purpose[:200],
            ip_address=ip,
            lane=head.lane,
            lane_seq=seq,
            prev_digest=head.last_digest,
            digest=digest,
        )
        with connection.cursor() as cursor:
            cursor.execute(_ADVANCE_LANE, [seq, digest, head.lane])
    return event


def record_model_event(
    *,
    actor: Actor | None,
    action: str,
    instance: models.Model,
    changes: dict[str, Any] | None = None,
    purpose: str = "",
) -> AuditEvent:
    """`record_event` for a model instance: the object type is its model label."""
    return record_event(
        actor=actor,
        action=action,
        object_type=instance._meta.label_lower,
        object_id=instance.pk,
        changes=changes,
        purpose=purpose,
    )


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose values differ, as {field: [old, new]}."""
    return {key: [before.get(key), after.get(key)] for key in sorted(after) if before.get(key) != after.get(key)}
