"""The statutory clock of an application, computed when asked from the working-day calendar.

Limits run from the day after acceptance (Administrative Licensing Law art. 82: working days, holidays and
调休 excluded). Supplements after acceptance and special procedures (art. 45) stop the clock; extensions (art.
42) add days. Nothing here is stored: a change of the calendar moves every deadline the next time it is read.
Art. 32: a supplement must be requested within 5 working days of receipt, or the application counts as
accepted from the day it was received.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from yiwang.core.calendar.selectors import CalendarSnapshot, calendar_add_working_days, calendar_count_working_days
from yiwang.services.models import Application, LimitUnit
from yiwang.services.models.applications import OPEN_STATUSES

SUPPLEMENT_WINDOW_DAYS = 5  # art. 32


@dataclass(frozen=True)
class Deadline:
    due: datetime.date
    remaining: int  # days left in the limit's unit: 0 on the due day, negative when late
    unit: str


@dataclass(frozen=True)
class Clock:
    """Where an accepted application stands against its limits (None before acceptance)."""

    accepted_on: datetime.date
    statutory: Deadline
    promised: Deadline
    paused: bool
    paused_working_days: int
    extension_days: int
    provisional: bool  # the calendar of a year involved is not yet published by the State Council


def received_on(application: Application) -> datetime.date | None:
    if application.submitted_at is None:
        return None
    return timezone.localdate(application.submitted_at)


def supplement_deadline(application: Application, *, snapshot: CalendarSnapshot | None = None) -> datetime.date | None:
    """The last day a supplement may be requested before acceptance (5 working days after receipt)."""
    received = received_on(application)
    if received is None:
        return None
    return calendar_add_working_days(received, SUPPLEMENT_WINDOW_DAYS, snapshot=snapshot).date


def _pause_periods(application: Application, today: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    periods = [
        (datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)) for start, end in application.pauses
    ]
    if application.paused_since is not None:
        periods.append((application.paused_since, max(today, application.paused_since)))
    return periods


def _deadline(
    start: datetime.date,
    limit: int,
    unit: str,
    periods: list[tuple[datetime.date, datetime.date]],
    extension: int,
    today: datetime.date,
    snapshot: CalendarSnapshot,
) -> tuple[Deadline, bool, int]:
    provisional = False
    if unit == LimitUnit.NATURAL_DAYS:
        paused = sum((end - begin).days for begin, end in periods)
        due = start + datetime.timedelta(days=limit + paused + extension)
        return Deadline(due=due, remaining=(due - today).days, unit=unit), False, paused
    paused = 0
    for begin, end in periods:
        counted = calendar_count_working_days(begin, end, snapshot=snapshot)
        paused += counted.days
        provisional |= counted.provisional
    added = calendar_add_working_days(start, limit + paused + extension, snapshot=snapshot)
    remaining = calendar_count_working_days(today, added.date, snapshot=snapshot)
    return Deadline(due=added.date, remaining=remaining.days, unit=unit), provisional or added.provisional, paused


def application_clock(
    application: Application, *, today: datetime.date | None = None, snapshot: CalendarSnapshot | None = None
) -> Clock | None:
    """The statutory and promised deadlines of an accepted application, as of `today` (None before acceptance).
    Pass one calendar `snapshot` when computing many clocks: the calendar is then read once."""
    if application.accepted_on is None:
        return None
    today = today or timezone.localdate()
    snapshot = snapshot or CalendarSnapshot()
    version = application.item_version
    periods = _pause_periods(application, today)
    statutory, provisional_s, paused = _deadline(
        application.accepted_on,
        version.statutory_limit,
        version.statutory_unit,
        periods,
        application.extension_days,
        today,
        snapshot,
    )
    promised, provisional_p, _paused = _deadline(
        application.accepted_on,
        version.promised_limit,
        version.promised_unit,
        periods,
        application.extension_days,
        today,
        snapshot,
    )
    return Clock(
        accepted_on=application.accepted_on,
        statutory=statutory,
        promised=promised,
        paused=application.paused_since is not None,
        paused_working_days=paused,
        extension_days=application.extension_days,
        provisional=provisional_s or provisional_p,
    )


def urgency(
    application: Application, *, today: datetime.date | None = None, snapshot: CalendarSnapshot | None = None
) -> datetime.date | None:
    """The inbox's sort key: the art. 32 deadline while received, the promised deadline once accepted."""
    if application.status not in OPEN_STATUSES:
        return None
    clock = application_clock(application, today=today, snapshot=snapshot)
    if clock is not None:
        return clock.promised.due
    return supplement_deadline(application, snapshot=snapshot)
