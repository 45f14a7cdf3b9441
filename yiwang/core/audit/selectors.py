"""Reading and verifying the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.db.models import QuerySet

from yiwang.core.audit.models import AuditChainLane, AuditEvent
from yiwang.core.audit.services import GENESIS_DIGEST, MAX_LANES, event_digest

BreakKind = Literal["altered", "missing", "inserted", "truncated", "foreign-lane"]


@dataclass(frozen=True)
class ChainBreak:
    """Where a chain first stops being intact."""

    kind: BreakKind
    lane: int
    lane_seq: int
    event_id: int | None
    detail: str

    def describe(self) -> str:
        where = f"event {self.event_id}" if self.event_id is not None else "no event"
        return f"{where} (lane {self.lane}, #{self.lane_seq}): {self.kind}: {self.detail}"


@dataclass(frozen=True)
class ChainVerification:
    """The outcome of checking every chain: how many events, and the first break (by event id)."""

    events_checked: int
    lanes_checked: int
    breaks: tuple[ChainBreak, ...]

    @property
    def intact(self) -> bool:
        return not self.breaks

    @property
    def first_break(self) -> ChainBreak | None:
        if not self.breaks:
            return None
        return min(self.breaks, key=lambda item: (item.event_id is None, item.event_id or 0, item.lane))


def _verify_lane(head: AuditChainLane, events: QuerySet[AuditEvent]) -> tuple[int, ChainBreak | None]:
    expected_seq = 1
    prev_digest = GENESIS_DIGEST
    checked = 0
    for event in events.iterator(chunk_size=5000):
        checked += 1
        if event.lane_seq > head.last_seq:
            return checked, ChainBreak(
                "inserted",
                head.lane,
                event.lane_seq,
                event.id,
                f"the lane's head records only #{head.last_seq}",
            )
        if event.lane_seq != expected_seq:
            return checked, ChainBreak(
                "missing",
                head.lane,
                event.lane_seq,
                event.id,
                f"events #{expected_seq}–#{event.lane_seq - 1} of this lane are missing",
            )
        if event.prev_digest != prev_digest:
            return checked, ChainBreak(
                "inserted" if expected_seq > 1 else "altered",
                head.lane,
                event.lane_seq,
                event.id,
                "its previous-digest does not match the event before it",
            )
        digest = event_digest(
            lane=event.lane,
            lane_seq=event.lane_seq,
            prev_digest=event.prev_digest,
            occurred_at=event.occurred_at,
            actor_id=event.actor_id,
            actor_label=event.actor_label,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            changes=event.changes,
            purpose=event.purpose,
            ip_address=event.ip_address,
        )
        if digest != event.digest:
            return checked, ChainBreak(
                "altered", head.lane, event.lane_seq, event.id, "its content does not match its digest"
            )
        prev_digest = event.digest
        expected_seq += 1
    if expected_seq - 1 != head.last_seq or prev_digest != head.last_digest:
        return checked, ChainBreak(
            "truncated",
            head.lane,
            expected_seq,
            None,
            f"the chain ends at #{expected_seq - 1} but its head records #{head.last_seq}",
        )
    return checked, None


def audit_chain_verify() -> ChainVerification:
    """Recompute every chain from its first event; report each lane's first break."""
    breaks: list[ChainBreak] = []
    checked = 0
    heads = list(AuditChainLane.objects.order_by("lane"))
    for head in heads:
        lane_checked, lane_break = _verify_lane(head, AuditEvent.objects.filter(lane=head.lane).order_by("lane_seq"))
        checked += lane_checked
        if lane_break is not None:
            breaks.append(lane_break)
    foreign = AuditEvent.objects.exclude(lane__in=[head.lane for head in heads]).order_by("id").first()
    if foreign is not None:
        breaks.append(
            ChainBreak("foreign-lane", foreign.lane, foreign.lane_seq, foreign.id, f"no lane {foreign.lane} exists")
        )
    return ChainVerification(events_checked=checked, lanes_checked=min(len(heads), MAX_LANES), breaks=tuple(breaks))


def audit_events_for_object(*, object_type: str, object_id: object) -> QuerySet[AuditEvent]:
    """The audit trail of one object, newest first."""
    return AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("-id")


def audit_events_by_actor(*, actor_id: int) -> QuerySet[AuditEvent]:
    """Everything one actor did, newest first."""
    return AuditEvent.objects.filter(actor_id=actor_id).order_by("-id")


@dataclass(frozen=True)
class AuditEventPage:
    """One page of the audit log, newest first; `next_before` continues it."""

    events: tuple[AuditEvent, ...]
    next_before: int | None


def audit_event_page(
    *,
    action: str = "",
    object_type: str = "",
    actor_label: str = "",
    before_id: int | None = None,
    size: int = 50,
) -> AuditEventPage:
    """Audit events matching the filters, newest first, `size` at a time (keyset paging on id)."""
    queryset = AuditEvent.objects.order_by("-id")
    if action:
        queryset = queryset.filter(action__startswith=action)
    if object_type:
        queryset = queryset.filter(object_type=object_type)
    if actor_label:
        queryset = queryset.filter(actor_label=actor_label)
    if before_id is not None:
        queryset = queryset.filter(id__lt=before_id)
    events = tuple(queryset[: size + 1])
    next_before = events[size - 1].id if len(events) > size else None
    return AuditEventPage(events=events[:size], next_before=next_before)
