"""API of the audit log, for platform administrators (and auditors' tools using their tokens)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from yiwang.core.audit.selectors import audit_chain_verify, audit_event_page
from yiwang.core.errors import PermissionDenied
from yiwang.identity.api_auth import session_or_bearer
from yiwang.identity.roles import Role

router = Router(tags=["audit"], auth=session_or_bearer)


def _require_admin(request: HttpRequest) -> None:
    user: Any = request.auth  # type: ignore[attr-defined]
    if not user.has_role(Role.PLATFORM_ADMIN):
        raise PermissionDenied(_("Only platform administrators read the audit log."))


class EventOut(Schema):
    id: int
    occurred_at: datetime.datetime
    actor_id: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    purpose: str
    ip_address: str | None
    lane: int
    lane_seq: int
    digest: str


class EventPageOut(Schema):
    events: list[EventOut]
    next_before: int | None


class EventQuery(Schema):
    action: str = ""
    object_type: str = ""
    actor: str = ""
    before: int | None = None


class VerificationOut(Schema):
    intact: bool
    events_checked: int
    first_break: str | None


@router.get("/events", response=EventPageOut, summary="Audit events, newest first (keyset paging)")
def events(request: HttpRequest, query: Query[EventQuery]) -> EventPageOut:
    _require_admin(request)
    page = audit_event_page(
        action=query.action, object_type=query.object_type, actor_label=query.actor, before_id=query.before
    )
    return EventPageOut(events=[EventOut.from_orm(event) for event in page.events], next_before=page.next_before)


@router.get("/verify", response=VerificationOut, summary="Recompute the SM3 hash chains")
def verify(request: HttpRequest) -> VerificationOut:
    _require_admin(request)
    result = audit_chain_verify()
    first = result.first_break
    return VerificationOut(
        intact=result.intact,
        events_checked=result.events_checked,
        first_break=first.describe() if first else None,
    )
