"""Reading for the Open311 server: the services (leaf categories), public views of cases, tokens, client keys.

Everything here is public output. Reports of wrongdoing (举报) are never listed, nor cases merged into one; the
reporter's name and phone never appear; for a reporter who asked to be hidden, nothing that could identify them
(no description, reply, exact address, coordinates or media) is shown.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from yiwang.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseCategory,
    CaseEvent,
    CaseStatus,
    CaseType,
    Channel,
    EventKind,
    Open311Client,
)
from yiwang.cases.open311 import conf
from yiwang.cases.open311.privacy import public_text
from yiwang.core.crypto import sm3_hex
from yiwang.core.errors import ValidationFailed

OPEN = "open"
CLOSED = "closed"
STATUSES = (OPEN, CLOSED)
WINDOW = datetime.timedelta(days=90)  # the spec's largest span of start_date–end_date, and the default
EVENT_DATA_KEY = "open311"  # where the received event keeps what the Open311 client sent besides the case


@dataclass(frozen=True)
class ServiceInfo:
    """A service: one active leaf category of the taxonomy."""

    code: str
    name: str
    description: str
    keywords: str  # comma separated, as the spec has it
    group: str  # the name of the top heading


@dataclass(frozen=True)
class ServiceRequestQuery:
    """GET requests' filters, parsed. Empty tuples and None mean "not given"."""

    numbers: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None
    statuses: tuple[str, ...] = ()
    page: int = 1
    page_size: int | None = None


@dataclass(frozen=True)
class ServiceRequestInfo:
    """A case as the public sees it through Open311 (fields as the spec names them)."""

    service_request_id: str
    status: str
    status_notes: str | None
    service_name: str | None
    service_code: str | None
    description: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: datetime.datetime
    updated_datetime: datetime.datetime
    expected_datetime: datetime.datetime | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: Decimal | None
    long: Decimal | None
    media_url: str | None


@dataclass(frozen=True)
class Open311ClientInfo:
    """A partner system allowed to post requests."""

    id: int
    name: str
    department_id: int | None
    active: bool


# --- services ------------------------------------------------------------------------------------------------


def open311_services() -> list[ServiceInfo]:
    """Every service, by code: the active categories with no active subcategory, under active headings."""
    categories = {category.pk: category for category in CaseCategory.objects.all()}
    parents = {category.parent_id for category in categories.values() if category.active}
    services = []
    for category in categories.values():
        if category.pk in parents:
            continue
        chain = [category]
        while chain[-1].parent_id is not None:
            chain.append(categories[chain[-1].parent_id])
        if not all(item.active for item in chain):
            continue
        keywords = [word.strip() for word in category.keywords.splitlines() if word.strip()]
        services.append(
            ServiceInfo(
                code=category.code,
                name=category.name,
                description=category.description.strip() or category.name,
                keywords=", ".join(keywords),
                group=chain[-1].name if len(chain) > 1 else "",
            )
        )
    return sorted(services, key=lambda service: service.code)


def open311_service_get(*, code: str) -> ServiceInfo | None:
    """The service of this code, if it is one (an active leaf category)."""
    return next((service for service in open311_services() if service.code == code), None)


# --- requests ------------------------------------------------------------------------------------------------


def open311_request_window(
    *, start: datetime.datetime | None, end: datetime.datetime | None, now: datetime.datetime | None = None
) -> tuple[datetime.datetime, datetime.datetime]:
    """The span of requested times asked for: at most 90 days, the last 90 days when neither end is given."""
    if start is None and end is None:
        end = now or timezone.now()
    if start is None:
        assert end is not None
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if start > end:
        raise ValidationFailed("start_date is after end_date.", field="start_date")
    if end - start > WINDOW:
        raise ValidationFailed("start_date and end_date may not span more than 90 days.", field="end_date")
    return start, end


def open311_requests(*, query: ServiceRequestQuery) -> list[ServiceRequestInfo]:
    """Public service requests matching the query, newest first, one page of at most the configured number."""
    limit = conf.max_requests()
    page_size = query.page_size or limit
    if page_size > limit:
        raise ValidationFailed(f"page_size may not exceed {limit}.", field="page_size")
    cases = _public_cases()
    if query.numbers:  # the spec: service_request_id overrides every other filter
        if len(query.numbers) > limit:
            raise ValidationFailed(f"At most {limit} service_request_id values may be asked at once.")
        cases = cases.filter(number__in=query.numbers)
    else:
        start, end = open311_request_window(start=query.start, end=query.end)
        cases = cases.filter(received_at__gte=start, received_at__lte=end)
        if query.service_codes:
            cases = cases.filter(category__code__in=query.service_codes)
        if query.statuses and set(query.statuses) != set(STATUSES):
            cases = cases.filter(_open_condition() if query.statuses[0] == OPEN else ~_open_condition())
    offset = (query.page - 1) * page_size
    return [_request_info(case) for case in cases.order_by("-received_at", "-pk")[offset : offset + page_size]]


def open311_request_get(*, number: str) -> ServiceRequestInfo | None:
    """One public service request by its id (the case number)."""
    case = _public_cases().filter(number=number).first()
    return _request_info(case) if case else None


def open311_token_number(*, token: str) -> str | None:
    """The service_request_id a token of POST requests stands for."""
    if not token:
        return None
    return Case.objects.filter(open311_token=token).values_list("number", flat=True).first()


def _public_cases() -> QuerySet[Case]:
    received = CaseEvent.objects.filter(kind=EventKind.RECEIVED).only("case_id", "data").order_by("at", "pk")
    return (
        Case.objects.exclude(case_type=CaseType.REPORT)
        .exclude(merged_into__case_type=CaseType.REPORT)
        .select_related("category", "lead_department", "division", "merged_into", "merged_into__lead_department")
        .prefetch_related(Prefetch("events", queryset=received, to_attr="received_events"))
    )


def _open_condition() -> Q:
    """Open in Open311's sense: the case, or for a merged case the case it was merged into, is still being handled."""
    return Q(status__in=OPEN_STATUSES) | Q(status=CaseStatus.MERGED, merged_into__status__in=OPEN_STATUSES)


def _request_info(case: Case) -> ServiceRequestInfo:
    # A merged case shows the state, unit, limit and answer of the case it was merged into (并单: one answer).
    handled = case.merged_into if case.status == CaseStatus.MERGED and case.merged_into is not None else case
    is_open = handled.status in OPEN_STATUSES
    hidden = case.hide_reporter
    reporter = {"name": case.contact_name or "", "phone": case.contact_phone or ""}
    sent: dict[str, Any] = {}
    received_events: list[CaseEvent] = getattr(case, "received_events", [])
    if received_events and isinstance(received_events[0].data, dict):
        sent = received_events[0].data.get(EVENT_DATA_KEY) or {}
    division_name = case.division.name if case.division else None
    notes = None
    if not is_open and handled.reply and not hidden:
        notes = public_text(handled.reply, **reporter)
    elif not is_open and case.status == CaseStatus.MERGED:
        notes = "Merged with another request of the same matter; it is answered there."
    updated = max(handled.updated_at, case.updated_at)
    if not is_open:  # the spec: a closed request's updated_datetime is when it was closed
        updated = handled.concluded_at or handled.closed_at or updated
    media_url = sent.get("media_url") if case.channel == Channel.OPEN311 and not hidden else None
    return ServiceRequestInfo(
        service_request_id=case.number,
        status=OPEN if is_open else CLOSED,
        status_notes=notes,
        service_name=case.category.name if case.category else None,
        service_code=case.category.code if case.category else None,
        description=None if hidden else public_text(case.content, **reporter),
        agency_responsible=handled.lead_department.name if handled.lead_department else None,
        service_notice=case.service_notice or None,
        requested_datetime=case.received_at,
        updated_datetime=updated,
        expected_datetime=handled.due_at,
        address=division_name if hidden else (public_text(case.address, **reporter) or division_name),
        address_id=case.division.code if case.division else None,
        zipcode=None,
        lat=None if hidden else case.latitude,
        long=None if hidden else case.longitude,
        media_url=str(media_url) if media_url else None,
    )


# --- clients -------------------------------------------------------------------------------------------------


def open311_client_for_key(*, api_key: str) -> Open311ClientInfo | None:
    """The active client holding this API key (looked up by the key's SM3 digest), if any."""
    if not api_key:
        return None
    client = Open311Client.objects.filter(key_digest=sm3_hex(api_key.encode("utf-8")), active=True).first()
    return _client_info(client) if client else None


def open311_client_list() -> list[Open311ClientInfo]:
    """Every client, active or revoked, by name."""
    return [_client_info(client) for client in Open311Client.objects.order_by("name", "pk")]


def _client_info(client: Open311Client) -> Open311ClientInfo:
    return Open311ClientInfo(id=client.pk, name=client.name, department_id=client.department_id, active=client.active)
