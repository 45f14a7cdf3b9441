"""Time limits of a case in working days, turned into times: the end of the n-th working day, Beijing time."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from yiwang.core.calendar.selectors import CalendarSnapshot, calendar_add_working_days, calendar_count_working_days


@dataclass(frozen=True)
class CaseClock:
    """When a case must be signed for and concluded, and from when it is near its limit.

    `provisional` when a day counted lies in a year whose holiday schedule is not published yet: the clock is
    counted again once it is (`recounted`)."""

    sign_due_at: datetime.datetime
    due_at: datetime.datetime
    warn_at: datetime.datetime
    provisional: bool = False


def end_of_day(day: datetime.date) -> datetime.datetime:
    """23:59:59 of `day` in the platform's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def warn_from(
    due_at: datetime.datetime, warning_days: int, *, snapshot: CalendarSnapshot | None = None
) -> datetime.datetime:
    """The start of the working day `warning_days` before the due day (the due day itself for 0)."""
    due_day = timezone.localdate(due_at)
    if warning_days <= 0:
        return start_of_day(due_day)
    return start_of_day(calendar_add_working_days(due_day, -warning_days, snapshot=snapshot).date)


def case_clock(moment: datetime.datetime, *, sign_days: int, handle_days: int, warning_days: int) -> CaseClock:
    """The clock of a case dispatched (or reopened) at `moment`."""
    snapshot = CalendarSnapshot()
    day = timezone.localdate(moment)
    due = calendar_add_working_days(day, handle_days, snapshot=snapshot)
    sign = calendar_add_working_days(day, sign_days, snapshot=snapshot)
    due_at = end_of_day(due.date)
    return CaseClock(
        sign_due_at=end_of_day(sign.date),
        due_at=due_at,
        warn_at=warn_from(due_at, warning_days, snapshot=snapshot),
        provisional=due.provisional or sign.provisional,
    )


def extended(due_at: datetime.datetime, days: int) -> tuple[datetime.datetime, bool]:
    """The time limit `days` working days later, and whether a day counted is provisional."""
    later = calendar_add_working_days(timezone.localdate(due_at), days)
    return end_of_day(later.date), later.provisional


def recounted(
    anchor: datetime.datetime, deadline: datetime.datetime, *, snapshot: CalendarSnapshot
) -> tuple[datetime.datetime, bool]:
    """A provisional deadline counted again: the working days it had from the day of `anchor` (its clock's start),
    as they were counted before the schedule of its year was published, added again under `snapshot`'s calendar.
    Returns the deadline and whether it is still provisional."""
    start = timezone.localdate(anchor)
    days = calendar_count_working_days(
        start, timezone.localdate(deadline), snapshot=CalendarSnapshot(as_unpublished=True)
    ).days
    again = calendar_add_working_days(start, days, snapshot=snapshot)
    return end_of_day(again.date), again.provisional


def working_days_late(due_at: datetime.datetime, now: datetime.datetime) -> int:
    """Whole working days between the due day and today (0 on the due day or before)."""
    if now <= due_at:
        return 0
    return max(0, calendar_count_working_days(timezone.localdate(due_at), timezone.localdate(now)).days)
