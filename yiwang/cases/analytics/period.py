"""The period an analytics figure covers: whole days in the city's time zone, [start, end), checked once here for
pages and API alike."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.errors import ValidationFailed

DEFAULT_MAX_DAYS = 366
EARLIEST = datetime.date(2000, 1, 1)  # before the hotline existed: a typo rather than a question
LATEST = datetime.date(2999, 12, 31)


class PeriodKind(models.TextChoices):
    THIS_WEEK = "this_week", _("This week")
    LAST_WEEK = "last_week", _("Last week")
    THIS_MONTH = "this_month", _("This month")
    LAST_MONTH = "last_month", _("Last month")
    CUSTOM = "custom", _("Dates of my choice")


@dataclass(frozen=True)
class Period:
    """Whole days from `start` up to `end`, which is not included (a week is Monday to the next Monday)."""

    kind: str
    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The period's first and first-excluded instants, at midnight in the city (Asia/Shanghai)."""
        return day_start(self.start), day_start(self.end)


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the platform's time zone."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())


def max_days() -> int:
    return int(getattr(settings, "YIWANG_CASES_ANALYTICS_MAX_DAYS", DEFAULT_MAX_DAYS))


def parse_day(value: str | datetime.date | None, *, field: str) -> datetime.date | None:
    """A day written YYYY-MM-DD (or a date already); empty is None; anything else names the field."""
    if value is None or isinstance(value, datetime.date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(_("Write the date as YYYY-MM-DD, for example 2026-03-01."), field=field) from None


def period_resolve(
    *,
    kind: str = PeriodKind.THIS_MONTH,
    start: str | datetime.date | None = None,
    end: str | datetime.date | None = None,
    today: datetime.date | None = None,
) -> Period:
    """The period asked for: a named one relative to `today` (the city's), or custom days [start, end)."""
    today = today or timezone.localdate()
    if kind == PeriodKind.THIS_WEEK:
        monday = today - datetime.timedelta(days=today.weekday())
        return Period(kind, monday, monday + datetime.timedelta(days=7))
    if kind == PeriodKind.LAST_WEEK:
        monday = today - datetime.timedelta(days=today.weekday() + 7)
        return Period(kind, monday, monday + datetime.timedelta(days=7))
    if kind == PeriodKind.THIS_MONTH:
        return Period(kind, today.replace(day=1), _next_month(today.replace(day=1)))
    if kind == PeriodKind.LAST_MONTH:
        previous = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        return Period(kind, previous, _next_month(previous))
    if kind != PeriodKind.CUSTOM:
        raise ValidationFailed(_("Choose one of the periods offered."), field="period")
    chosen_start = parse_day(start, field="start")
    after = parse_day(end, field="end")
    if chosen_start is None:
        raise ValidationFailed(_("Give the first day of the period."), field="start")
    if after is None:
        raise ValidationFailed(_("Give the last day of the period."), field="end")
    first = chosen_start
    if first < EARLIEST:
        raise ValidationFailed(_("The period cannot start before 2000-01-01."), field="start")
    if after > LATEST:
        raise ValidationFailed(_("The period cannot end after 2999-12-31."), field="end")
    if after <= first:
        raise ValidationFailed(_("The period must end after it starts."), field="end")
    if (after - first).days > max_days():
        raise ValidationFailed(
            _("A period covers at most %(days)d days: choose a shorter one.") % {"days": max_days()}, field="end"
        )
    return Period(PeriodKind.CUSTOM, first, after)


def _next_month(first: datetime.date) -> datetime.date:
    return (first + datetime.timedelta(days=32)).replace(day=1)
