"""Working days: is a date a workday, add N working days, count working days between two dates.

Sources, in order: a staff override for the date; the chinesecalendar package for the years it covers;
for a year staff marked official (its notice loaded as overrides), the weekend rule; otherwise the statutory
holidays the law fixes (`statutory.py`: 元旦, 春节 with 除夕, 清明, 劳动节, 端午, 中秋, 国庆) and the weekend rule,
but the answer is marked provisional, because the State Council has not published (or we have not loaded)
that year's schedule with its bridging days and weekend days worked in lieu. Time limits are counted in working
days under Administrative Licensing Law art. 82: the start date itself is not counted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cache

import chinese_calendar

from yiwang.core.calendar.models import CalendarOverride, CalendarYear, DayKind
from yiwang.core.calendar.statutory import statutory_holidays

MAX_WORKING_DAYS = 3660


@dataclass(frozen=True)
class DayStatus:
    """Whether a date is a workday, why, and whether that rests on provisional data."""

    date: datetime.date
    workday: bool
    provisional: bool
    source: str  # "override", "official", "staff-official-year" or "weekend-rule"
    name: str = ""


@dataclass(frozen=True)
class WorkingDate:
    """A date computed in working days; `provisional` when any day on the way was guessed."""

    date: datetime.date
    provisional: bool


@dataclass(frozen=True)
class WorkingDayCount:
    """A number of working days; `provisional` when any day counted was guessed."""

    days: int
    provisional: bool


@cache
def package_covers(year: int) -> bool:
    """True when the installed chinesecalendar has the official schedule of `year`."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@dataclass
class _YearData:
    official: bool
    overrides: dict[datetime.date, CalendarOverride]


@dataclass
class CalendarSnapshot:
    """Calendar data read once per year touched, so a walk over many days costs one query per year.

    `as_unpublished` answers for every year the package does not cover as if no schedule had been loaded for it
    (statutory holidays and weekends, provisional): how a date computed before the notice was counted, so that it
    can be counted again under the calendar as it is now."""

    as_unpublished: bool = False
    _years: dict[int, _YearData] = field(default_factory=dict)
    _days: dict[datetime.date, DayStatus] = field(default_factory=dict)

    def _year(self, year: int) -> _YearData:
        data = self._years.get(year)
        if data is None:
            overrides = {
                item.date: item
                for item in CalendarOverride.objects.filter(
                    date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31)
                )
            }
            official = package_covers(year) or CalendarYear.objects.filter(year=year).exists()
            data = _YearData(official=official, overrides=overrides)
            self._years[year] = data
        return data

    def status(self, day: datetime.date) -> DayStatus:
        found = self._days.get(day)
        if found is None:
            found = self._days[day] = self._status(day)
        return found

    def _status(self, day: datetime.date) -> DayStatus:
        if self.as_unpublished and not package_covers(day.year):
            return _unpublished_status(day)
        data = self._year(day.year)
        override = data.overrides.get(day)
        if override is not None:
            return DayStatus(day, override.kind == DayKind.WORKDAY, False, "override", override.name)
        if package_covers(day.year):
            _on_holiday, holiday = chinese_calendar.get_holiday_detail(day)
            name = _holiday_name(holiday) if holiday is not None else ""
            return DayStatus(day, chinese_calendar.is_workday(day), False, "official", name)
        if data.official:
            return DayStatus(day, day.weekday() < 5, False, "staff-official-year")
        return _unpublished_status(day)


def _unpublished_status(day: datetime.date) -> DayStatus:
    """A day of a year whose schedule is not published: the statutory holidays and weekends, provisional."""
    holiday = statutory_holidays(day.year).get(day)
    if holiday is not None:
        return DayStatus(day, False, True, "statutory-rule", holiday)
    return DayStatus(day, day.weekday() < 5, True, "weekend-rule")


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _holiday_name(holiday: object) -> str:
    english = getattr(holiday, "value", str(holiday))
    return _HOLIDAY_NAMES.get(english, english)


def calendar_day_status(day: datetime.date) -> DayStatus:
    """Is `day` a workday, and on what data does the answer rest."""
    return CalendarSnapshot().status(day)


def calendar_add_working_days(
    start: datetime.date, days: int, *, snapshot: CalendarSnapshot | None = None
) -> WorkingDate:
    """The `days`-th working day after `start` (before it when negative; for 0, `start` or the next workday).

    Callers computing many dates at once pass one `snapshot`, so the calendar is read once for all of them."""
    if abs(days) > MAX_WORKING_DAYS:
        raise ValueError(f"at most {MAX_WORKING_DAYS} working days can be added, got {days}")
    snapshot = snapshot or CalendarSnapshot()
    provisional = False
    current = start
    if days == 0:
        while True:
            status = snapshot.status(current)
            provisional |= status.provisional
            if status.workday:
                return WorkingDate(current, provisional)
            current += datetime.timedelta(days=1)
    step = datetime.timedelta(days=1 if days > 0 else -1)
    remaining = abs(days)
    while remaining:
        current += step
        status = snapshot.status(current)
        provisional |= status.provisional
        if status.workday:
            remaining -= 1
    return WorkingDate(current, provisional)


def calendar_count_working_days(
    start: datetime.date, end: datetime.date, *, snapshot: CalendarSnapshot | None = None
) -> WorkingDayCount:
    """Working days after `start` up to and including `end`; when `end` is earlier, minus the working days
    from `end` up to but excluding `start` — so that counting inverts `calendar_add_working_days`."""
    if abs((end - start).days) > MAX_WORKING_DAYS * 2:
        raise ValueError("the span is too long to count day by day")
    if end >= start:
        first, last, sign = start + datetime.timedelta(days=1), end, 1
    else:
        first, last, sign = end, start - datetime.timedelta(days=1), -1
    snapshot = snapshot or CalendarSnapshot()
    count = 0
    provisional = False
    current = first
    while current <= last:
        status = snapshot.status(current)
        provisional |= status.provisional
        count += status.workday
        current += datetime.timedelta(days=1)
    return WorkingDayCount(sign * count, provisional)


def calendar_year_summary(year: int) -> dict[str, object]:
    """How a year is covered: by the package, by a staff notice, or not at all (provisional)."""
    official = CalendarYear.objects.filter(year=year).first()
    return {
        "year": year,
        "package": package_covers(year),
        "notice": official.notice if official else None,
        "overrides": CalendarOverride.objects.filter(date__year=year).count(),
        "provisional": not package_covers(year) and official is None,
    }
