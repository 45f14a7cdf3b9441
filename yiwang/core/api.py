"""Public API of the core: working-day arithmetic and identifier checks (no personal data involved)."""

from __future__ import annotations

import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from yiwang.core.calendar.selectors import (
    calendar_add_working_days,
    calendar_count_working_days,
    calendar_day_status,
)
from yiwang.core.errors import ValidationFailed
from yiwang.core.identifiers import (
    InvalidIdentifier,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)

router = Router(tags=["calendar and identifiers"])


class WorkingDateOut(Schema):
    date: datetime.date
    provisional: bool


class WorkingDaysOut(Schema):
    days: int
    provisional: bool


class DayStatusOut(Schema):
    date: datetime.date
    workday: bool
    provisional: bool
    source: str
    name: str


class AddQuery(Schema):
    date: datetime.date
    days: int


class CountQuery(Schema):
    start: datetime.date
    end: datetime.date


@router.get("/calendar/add", response=WorkingDateOut, summary="Add N working days to a date")
def calendar_add(request: HttpRequest, query: Query[AddQuery]) -> WorkingDateOut:
    try:
        result = calendar_add_working_days(query.date, query.days)
    except ValueError as error:
        raise ValidationFailed(str(error), field="days") from None
    return WorkingDateOut(date=result.date, provisional=result.provisional)


@router.get("/calendar/count", response=WorkingDaysOut, summary="Working days after start up to and including end")
def calendar_count(request: HttpRequest, query: Query[CountQuery]) -> WorkingDaysOut:
    try:
        result = calendar_count_working_days(query.start, query.end)
    except ValueError as error:
        raise ValidationFailed(str(error), field="end") from None
    return WorkingDaysOut(days=result.days, provisional=result.provisional)


@router.get("/calendar/days/{day}", response=DayStatusOut, summary="Is a date a workday")
def calendar_day(request: HttpRequest, day: datetime.date) -> DayStatusOut:
    status = calendar_day_status(day)
    return DayStatusOut(
        date=status.date,
        workday=status.workday,
        provisional=status.provisional,
        source=status.source,
        name=status.name,
    )


class IdentifierIn(Schema):
    kind: Literal["id_number", "credit_code", "phone"]
    value: str
    strict: bool = True


class IdentifierOut(Schema):
    valid: bool
    normalised: str | None = None
    part: str | None = None
    position: int | None = None
    message: str | None = None


@router.post("/identifiers/validate", response=IdentifierOut, summary="Check an ID number, credit code or phone")
def identifier_validate(request: HttpRequest, payload: IdentifierIn) -> IdentifierOut:
    validators = {
        "id_number": lambda value: validate_id_number(value, strict=payload.strict),
        "credit_code": lambda value: validate_credit_code(value, strict=payload.strict),
        "phone": validate_phone,
    }
    try:
        normalised = validators[payload.kind](payload.value)
    except InvalidIdentifier as error:
        return IdentifierOut(valid=False, part=str(error.part), position=error.position, message=error.message)
    return IdentifierOut(valid=True, normalised=normalised)
