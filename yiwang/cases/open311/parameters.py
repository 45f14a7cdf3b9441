"""Reading Open311 query strings and form bodies into typed inputs (syntax only; the rules live in the services)."""

from __future__ import annotations

import datetime
import re

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from yiwang.cases.open311.selectors import STATUSES, ServiceRequestQuery
from yiwang.cases.open311.services import Open311Submission
from yiwang.core.errors import ValidationFailed

MAX_LIST_ITEM = 40  # a service code or case number is far shorter
MAX_PAGE = 1_000_000
FIRST_YEAR, LAST_YEAR = 1900, 9000
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
# A "+" of an offset that was not percent-encoded arrives as a space: 2026-01-01T00:00:00 08:00.
_SPACE_FOR_PLUS = re.compile(r"^(.*\d)\s(\d{2}(:?\d{2})?)$")
W3C_HINT = "Use the W3C format, for example 2026-01-01T00:00:00+08:00."

SUBMISSION_FIELDS = (
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
)


def w3c_datetime(value: str, *, name: str) -> datetime.datetime | None:
    """A W3C (ISO 8601) date or time; a date alone is its midnight, a time without offset is local time."""
    text = value.strip()
    if not text:
        return None
    if text.endswith(("z", "Z")):
        text = text[:-1] + "+00:00"
    spaced = _SPACE_FOR_PLUS.match(text)
    if spaced and "T" in text:
        text = f"{spaced.group(1)}+{spaced.group(2)}"
    moment: datetime.datetime | None
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            moment = datetime.datetime.combine(day, datetime.time()) if day else None
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise ValidationFailed(f"{name} is not a valid date and time. {W3C_HINT}", field=name)
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:  # beyond these, time-zone and window arithmetic overflow
        raise ValidationFailed(f"{name} must lie between the years {FIRST_YEAR} and {LAST_YEAR}.", field=name)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _list(data: QueryDict, name: str) -> tuple[str, ...]:
    """A comma separated argument (also when given several times), empty items dropped, order kept."""
    items: list[str] = []
    for value in data.getlist(name):
        for item in value.split(","):
            item = item.strip()
            if not item:
                continue
            if len(item) > MAX_LIST_ITEM:
                raise ValidationFailed(f"{name} has a value longer than {MAX_LIST_ITEM} characters.", field=name)
            if item not in items:
                items.append(item)
    return tuple(items)


def _positive(data: QueryDict, name: str) -> int | None:
    text = (data.get(name) or "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_PAGE:
        raise ValidationFailed(f"{name} must be a positive whole number.", field=name)
    return int(text)


def request_query(data: QueryDict) -> ServiceRequestQuery:
    """GET requests' arguments: service_request_id, service_code, start_date, end_date, status, page, page_size."""
    statuses = tuple(item.lower() for item in _list(data, "status"))
    unknown = [item for item in statuses if item not in STATUSES]
    if unknown:
        raise ValidationFailed(f"status must be open, closed or both (comma separated), not {unknown[0]}.")
    return ServiceRequestQuery(
        numbers=_list(data, "service_request_id"),
        service_codes=_list(data, "service_code"),
        start=w3c_datetime(data.get("start_date") or "", name="start_date"),
        end=w3c_datetime(data.get("end_date") or "", name="end_date"),
        statuses=statuses,
        page=_positive(data, "page") or 1,
        page_size=_positive(data, "page_size"),
    )


def submission(data: QueryDict) -> Open311Submission:
    """POST requests' form fields, with `attribute[code]=v` and `attribute[code][]=v` gathered by code."""
    attributes: dict[str, tuple[str, ...]] = {}
    for key, values in data.lists():
        if not key.startswith("attribute"):
            continue
        match = _ATTRIBUTE.match(key)
        if match is None:
            raise ValidationFailed(f"{key[:60]} is not an attribute: send attribute[code]=value.", field=key[:60])
        code = match.group(1)
        attributes[code] = attributes.get(code, ()) + tuple(values)
    fields = {name: (data.get(name) or "") for name in SUBMISSION_FIELDS}
    return Open311Submission(attributes=attributes, **fields)
