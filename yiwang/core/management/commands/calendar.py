"""`yiwang calendar`: working-day arithmetic and loading the official schedule of a year."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.core.calendar.selectors import (
    calendar_add_working_days,
    calendar_count_working_days,
    calendar_day_status,
    calendar_year_summary,
)
from yiwang.core.calendar.services import calendar_import, parse_override_rows
from yiwang.core.errors import ValidationFailed


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def _suffix(provisional: bool) -> str:
    return " provisional" if provisional else ""


class Command(BaseCommand):
    help = "Working days: add, count, status; import a year's official holidays and make-up workdays."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        add = commands.add_parser("add", help="print DATE plus N working days (ISO), then ' provisional' if guessed")
        add.add_argument("date")
        add.add_argument("days", type=int)
        count = commands.add_parser("count", help="working days after START up to and including END")
        count.add_argument("start")
        count.add_argument("end")
        status = commands.add_parser("status", help="is DATE a workday")
        status.add_argument("date")
        year = commands.add_parser("year", help="how a year is covered")
        year.add_argument("year", type=int)
        load = commands.add_parser(
            "import", help="load overrides from a CSV file of date,kind,name (kind: holiday/休, workday/班)"
        )
        load.add_argument("file", type=Path)
        load.add_argument("--year", type=int, help="mark this year's official schedule as loaded")
        load.add_argument("--notice", default="", help="the State Council notice the file transcribes")

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["command"]
        if command == "add":
            try:
                result = calendar_add_working_days(_date(options["date"]), options["days"])
            except ValueError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(result.date.isoformat() + _suffix(result.provisional))
        elif command == "count":
            counted = calendar_count_working_days(_date(options["start"]), _date(options["end"]))
            self.stdout.write(str(counted.days) + _suffix(counted.provisional))
        elif command == "status":
            status = calendar_day_status(_date(options["date"]))
            word = "workday" if status.workday else "holiday"
            name = f" {status.name}" if status.name else ""
            self.stdout.write(f"{status.date.isoformat()} {word}{name} ({status.source}){_suffix(status.provisional)}")
        elif command == "year":
            summary = calendar_year_summary(options["year"])
            for key, value in summary.items():
                self.stdout.write(f"{key}: {value}")
        elif command == "import":
            path: Path = options["file"]
            try:
                text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"cannot read {path}: {error}") from None
            try:
                rows = parse_override_rows(text)
                written = calendar_import(
                    actor=None, rows=rows, official_year=options["year"], notice=options["notice"]
                )
            except ValidationFailed as error:
                raise CommandError(f"{path}: {error}") from None
            self.stdout.write(f"loaded {written} dates from {path}")
