"""`yiwang ingest --resource SLUG --source DEPT FILE [--dry-run] [--json]`: load a department's file."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from yiwang.core.errors import YiwangError
from yiwang.datahub.ingestion.pipeline import ingest_file
from yiwang.org.selectors import department_get, department_get_by_name


def _department_id(value: str) -> int:
    department = department_get(department_id=int(value)) if value.isdigit() else department_get_by_name(name=value)
    if department is None:
        raise CommandError(_("No department is named or numbered %(value)s.") % {"value": value})
    return department.id


class Command(BaseCommand):
    help = "Ingest a CSV (UTF-8, GBK, GB18030), XLSX, JSON or NDJSON file into a catalog resource."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--resource", required=True, help="the resource's slug, e.g. population")
        parser.add_argument("--source", required=True, help="the sending department: its name (公安局) or id")
        parser.add_argument("--dry-run", action="store_true", help="check and count, change nothing")
        parser.add_argument("--json", action="store_true", help="print one JSON object with the counts")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("%(path)s is not a file.") % {"path": path})
        started = time.monotonic()
        interactive = not options["json"] and sys.stderr.isatty()

        def progress(rows: int, rejected: int) -> None:
            if interactive or options["verbosity"] > 1:
                rate = rows / max(time.monotonic() - started, 1e-6)
                self.stderr.write(
                    _("%(rows)s rows read, %(rejected)s rejected (%(rate)s rows/s)")
                    % {"rows": f"{rows:,}", "rejected": f"{rejected:,}", "rate": f"{rate:,.0f}"}
                )

        try:
            result = ingest_file(
                actor=None,
                resource_slug=options["resource"],
                source_department_id=_department_id(options["source"]),
                path=path,
                file_name=path.name,
                channel="command",
                dry_run=options["dry_run"],
                progress=progress,
            )
        except YiwangError as error:
            raise CommandError(f"{path}: {error}") from None
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            return
        for warning in result.warnings:
            self.stderr.write(warning)
        if result.unknown_columns:
            self.stderr.write(
                _("Columns not in the catalog (ignored): %(columns)s") % {"columns": "、".join(result.unknown_columns)}
            )
        self.stdout.write(
            _(
                "batch %(batch)s (%(status)s): %(rows)s rows, %(accepted)s accepted, %(rejected)s rejected, "
                "%(unchanged)s unchanged, %(conflicts)s conflicts in %(seconds).1f s"
            )
            % {
                "batch": result.batch if result.batch is not None else "-",
                "status": result.status,
                "rows": f"{result.rows:,}",
                "accepted": f"{result.accepted:,}",
                "rejected": f"{result.rejected:,}",
                "unchanged": f"{result.unchanged:,}",
                "conflicts": f"{result.conflicts:,}",
                "seconds": time.monotonic() - started,
            }
        )
        if result.report:
            self.stdout.write(_("Error report: %(path)s") % {"path": result.report})
