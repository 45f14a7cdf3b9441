"""`yiwang services import-items | export-items`: a department's item list (事项清单) as an Excel workbook;
`yiwang services validate-bpmn FILE`: whether a process made in a BPMN modeller can be used (ADR 0018)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.core.errors import YiwangError
from yiwang.services.applications.process import process_problems
from yiwang.services.catalog.excel import ImportResult, import_items, items_workbook
from yiwang.services.workflow.engine import compile_process


def _result_json(result: ImportResult) -> str:
    return json.dumps({"ok": result.ok, **dataclasses.asdict(result)}, ensure_ascii=False)


class Command(BaseCommand):
    help = "Service items: import a department's item list from an Excel workbook, or export it."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        importing = sub.add_parser(
            "import-items", help="check a workbook and write its items as drafts; exit 1 naming every problem"
        )
        importing.add_argument("file", help="the .xlsx workbook (sheets 事项, 办理项, 材料, 收费)")
        importing.add_argument("--department", type=int, required=True, help="id of the implementing department")
        importing.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
        importing.add_argument("--json", action="store_true", help="print the result as JSON")
        exporting = sub.add_parser("export-items", help="write the newest version of every item to a workbook")
        exporting.add_argument("file", help="the .xlsx file to write")
        exporting.add_argument("--department", type=int, default=None, help="only this department's items")
        validating = sub.add_parser(
            "validate-bpmn", help="check a BPMN 2.0 process before use; exit 1 naming every problem with its line"
        )
        validating.add_argument("file", help="the .bpmn file")
        validating.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if options["action"] == "validate-bpmn":
            self._validate_bpmn(path, as_json=options["json"])
            return
        if options["action"] == "export-items":
            path.write_bytes(items_workbook(department_id=options["department"]))
            self.stdout.write(f"written {path}")
            return
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}", returncode=2) from error
        try:
            result = import_items(
                actor=None,
                department_id=options["department"],
                data=data,
                dry_run=options["dry_run"],
                file_name=path.name,
            )
        except YiwangError as error:
            raise CommandError(str(error), returncode=2) from error
        if options["json"]:
            self.stdout.write(_result_json(result))
        else:
            self.stdout.write(
                f"{len(result.created)} created, {len(result.updated)} updated, {len(result.unchanged)} unchanged"
                + ("" if result.written else " (nothing written)")
            )
            for note in result.notes:
                self.stdout.write(note)
            for problem in result.problems:
                self.stderr.write(str(problem))
        if not result.ok:
            raise CommandError(f"{path.name}: {len(result.problems)} problem(s), nothing written", returncode=1)

    def _validate_bpmn(self, path: Path, *, as_json: bool) -> None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}", returncode=2) from error
        problems = process_problems(data)
        if as_json:
            found = [dataclasses.asdict(problem) for problem in problems]
            self.stdout.write(json.dumps({"ok": not problems, "problems": found}, ensure_ascii=False))
        elif not problems:
            process = compile_process(data)
            self.stdout.write(f"{path.name}: process {process.process_id} ({process.name}) can be used")
            for step in process.steps.values():
                who = step.role + (f"@{step.department}" if step.department else "")
                extra = f", countersign of {step.countersign}" if step.countersign else ""
                limit = f", {step.limit_days} working days" if step.limit_days else ""
                self.stdout.write(f"  {step.kind:7} {step.bpmn_id}: {step.name} — {who}{extra}{limit}")
        for problem in problems if not as_json else []:
            self.stderr.write(f"{path.name}: {problem}")
        if problems:
            raise CommandError(f"{path.name}: {len(problems)} problem(s)", returncode=1)
