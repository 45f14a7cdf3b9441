"""Changing the calendar: overrides and official years, each change audited."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yiwang.core.audit.services import Actor, record_event
from yiwang.core.calendar.models import CalendarOverride, CalendarYear, DayKind
from yiwang.core.errors import ValidationFailed

_KIND_WORDS = {
    "holiday": DayKind.HOLIDAY,
    "休": DayKind.HOLIDAY,
    "假": DayKind.HOLIDAY,
    "rest": DayKind.HOLIDAY,
    "workday": DayKind.WORKDAY,
    "班": DayKind.WORKDAY,
    "work": DayKind.WORKDAY,
}


@dataclass(frozen=True)
class OverrideRow:
    """One line of a calendar import: a date, holiday or workday, and its name."""

    date: datetime.date
    kind: DayKind
    name: str


def calendar_override_set(
    *, actor: Actor | None, date: datetime.date, kind: DayKind | str, name: str = "", note: str = ""
) -> CalendarOverride:
    """Declare `date` a holiday or a workday, replacing any earlier override for it."""
    kind = DayKind(kind)
    with transaction.atomic():
        existing = CalendarOverride.objects.filter(date=date).first()
        before = {"kind": existing.kind, "name": existing.name} if existing else {}
        override, _created = CalendarOverride.objects.update_or_create(
            date=date, defaults={"kind": kind, "name": name[:50], "note": note[:200]}
        )
        record_event(
            actor=actor,
            action="calendar.override.set",
            object_type="core.calendaroverride",
            object_id=date.isoformat(),
            changes={"before": before, "after": {"kind": str(kind), "name": name}},
        )
    return override


def calendar_override_delete(*, actor: Actor | None, date: datetime.date) -> bool:
    """Remove the override of `date`; True when there was one."""
    with transaction.atomic():
        existing = CalendarOverride.objects.filter(date=date).first()
        if existing is None:
            return False
        record_event(
            actor=actor,
            action="calendar.override.delete",
            object_type="core.calendaroverride",
            object_id=date.isoformat(),
            changes={"before": {"kind": existing.kind, "name": existing.name}},
        )
        existing.delete()
    return True


def parse_override_rows(text: str) -> list[OverrideRow]:
    """Parse CSV lines `date,kind,name` (kind: holiday/休 or workday/班); a header line is optional.

    Raises ValidationFailed naming the line and column of the first problem.
    """
    rows: list[OverrideRow] = []
    seen: dict[datetime.date, int] = {}
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    for line_number, fields in enumerate(reader, start=1):
        if not fields or all(not item.strip() for item in fields) or fields[0].strip().startswith("#"):
            continue
        if line_number == 1 and fields[0].strip().lower() in {"date", "日期"}:
            continue
        if len(fields) < 2:
            raise ValidationFailed(
                ngettext(
                    "Line %(line)d: expected date,kind[,name], found %(count)d column.",
                    "Line %(line)d: expected date,kind[,name], found %(count)d columns.",
                    len(fields),
                )
                % {"line": line_number, "count": len(fields)},
                field=f"line {line_number}",
            )
        raw_date, raw_kind = fields[0].strip(), fields[1].strip()
        try:
            date = datetime.date.fromisoformat(raw_date)
        except ValueError:
            raise ValidationFailed(
                _("Line %(line)d, column 1: %(value)s is not a date in the form YYYY-MM-DD.")
                % {"line": line_number, "value": raw_date},
                field=f"line {line_number}",
            ) from None
        kind = _KIND_WORDS.get(raw_kind.lower())
        if kind is None:
            raise ValidationFailed(
                _("Line %(line)d, column 2: %(value)s is neither holiday (休) nor workday (班).")
                % {"line": line_number, "value": raw_kind},
                field=f"line {line_number}",
            )
        if date in seen:
            raise ValidationFailed(
                _("Line %(line)d: %(date)s already appears on line %(first)d.")
                % {"line": line_number, "date": date.isoformat(), "first": seen[date]},
                field=f"line {line_number}",
            )
        seen[date] = line_number
        rows.append(OverrideRow(date=date, kind=kind, name=fields[2].strip()[:50] if len(fields) > 2 else ""))
    return rows


def calendar_import(
    *, actor: Actor | None, rows: Iterable[OverrideRow], official_year: int | None = None, notice: str = ""
) -> int:
    """Load overrides in one transaction; with `official_year`, mark that year's schedule as loaded.

    Every row of an official year must fall in that year. Returns the number of overrides written.
    """
    rows = list(rows)
    if official_year is not None:
        outside = [row for row in rows if row.date.year != official_year]
        if outside:
            raise ValidationFailed(
                _("%(date)s is not in %(year)d, the year being loaded.")
                % {"date": outside[0].date.isoformat(), "year": official_year},
                field="date",
            )
        if not any(row.kind == DayKind.HOLIDAY for row in rows):
            raise ValidationFailed(
                _("The schedule for %(year)d has no holidays: that cannot be an official notice.")
                % {"year": official_year},
                field="kind",
            )
    with transaction.atomic():
        for row in rows:
            CalendarOverride.objects.update_or_create(date=row.date, defaults={"kind": row.kind, "name": row.name})
        if official_year is not None:
            CalendarYear.objects.update_or_create(year=official_year, defaults={"notice": notice[:200]})
        record_event(
            actor=actor,
            action="calendar.import",
            object_type="core.calendaryear" if official_year else "core.calendaroverride",
            object_id=official_year or "-",
            changes={
                "rows": len(rows),
                "notice": notice,
                "dates": [row.date.isoformat() for row in rows][:400],
            },
        )
    return len(rows)


def calendar_year_mark_official(*, actor: Actor | None, year: int, notice: str) -> CalendarYear:
    """Mark `year`'s schedule as loaded (its overrides hold the notice), so it is no longer provisional."""
    with transaction.atomic():
        calendar_year, _created = CalendarYear.objects.update_or_create(year=year, defaults={"notice": notice[:200]})
        record_event(
            actor=actor,
            action="calendar.year.official",
            object_type="core.calendaryear",
            object_id=year,
            changes={"notice": notice},
        )
    return calendar_year


def calendar_year_unmark_official(*, actor: Actor | None, year: int) -> bool:
    """Return `year` to provisional status; True when it was official."""
    with transaction.atomic():
        deleted, _detail = CalendarYear.objects.filter(year=year).delete()
        if deleted:
            record_event(
                actor=actor,
                action="calendar.year.provisional",
                object_type="core.calendaryear",
                object_id=year,
            )
    return bool(deleted)
