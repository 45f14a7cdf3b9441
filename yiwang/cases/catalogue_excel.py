"""The dispatch catalogue (派单目录) as an Excel workbook: one sheet 派单目录, one row per entry.

Columns: 分类代码, 分类名称, 区域代码, 区域名称, 主办方式 (承办单位, 属地街道 or 属地区县), 主办单位,
协办单位 (separated by 、) and 依据. The import reads the headers by name in any order (the name columns are for
people and not read back), finds units by full or short name, checks every row with the catalogue's own rules and
reports every problem by row, column and value; then either writes every row in one transaction or, on any
problem, nothing. Entries of the database that the file does not name stay as they are.
"""

from __future__ import annotations

import io
import re
import warnings
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import openpyxl
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils.cell import get_column_letter

from yiwang.cases.catalogue.access import require_editor
from yiwang.cases.catalogue.dispatch import (
    RuleValues,
    dispatch_rule_check,
    dispatch_rules_list,
    rule_values_of,
    rule_write,
)
from yiwang.cases.catalogue.places import division_in_city
from yiwang.cases.catalogue.taxonomy import category_get
from yiwang.cases.models import DispatchRule, LeadKind
from yiwang.core.audit.services import Actor, record_event
from yiwang.core.errors import ValidationFailed
from yiwang.org import selectors as org_selectors
from yiwang.org.selectors import DepartmentInfo

SHEET = "派单目录"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
HEADER_SEARCH_ROWS = 10  # the header may sit under a title
WHOLE_CITY = "全市"
JOINER = "、"
SEPARATORS = re.compile(r"[、，,；;\n]+")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    required: bool = False


COLUMNS = (
    Column("category_code", "分类代码", 10, required=True),
    Column("category_name", "分类名称", 16),
    Column("division_code", "区域代码", 14),
    Column("division_name", "区域名称", 14),
    Column("lead_kind", "主办方式", 12, required=True),
    Column("lead", "主办单位", 24, required=True),
    Column("co_units", "协办单位", 32),
    Column("basis", "依据", 48),
)
LABELS = {column.key: column.label for column in COLUMNS}
LEAD_KIND_WORDS = {LeadKind.DEPARTMENT: "承办单位", LeadKind.STREET: "属地街道", LeadKind.DISTRICT: "属地区县"}
# What a person may type in 主办方式, and the English values.
LEAD_KIND_READ = {
    **{word: kind for kind, word in LEAD_KIND_WORDS.items()},
    **{kind.value: kind for kind in LeadKind},
    "部门": LeadKind.DEPARTMENT,
    "单位": LeadKind.DEPARTMENT,
    "街道": LeadKind.STREET,
    "属地街道办事处": LeadKind.STREET,
    "区县": LeadKind.DISTRICT,
    "属地区": LeadKind.DISTRICT,
    "属地区政府": LeadKind.DISTRICT,
}
# The field a service error names → the column it is about.
FIELD_COLUMNS = {
    "category_code": "category_code",
    "division_code": "division_code",
    "lead_kind": "lead_kind",
    "lead_department_id": "lead",
    "co_department_ids": "co_units",
    "basis": "basis",
}


@dataclass(frozen=True)
class CellProblem:
    """A problem of the workbook: the row and column as Excel shows them, the value found and why it is refused."""

    row: int | None
    column: str  # the column's header, e.g. 主办单位
    value: str
    reason: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(_("row %(row)d") % {"row": self.row})
        if self.column:
            where.append(self.column)
        text = ", ".join(where)
        if self.value:
            text += f" “{self.value}”"
        return f"{text}: {self.reason}" if text else self.reason


class CatalogueImportRejected(ValidationFailed):
    """The workbook has problems; nothing was written. `report` lists every one."""

    def __init__(self, report: Sequence[CellProblem]) -> None:
        super().__init__(
            _("The workbook has %(count)d problems; nothing was imported.") % {"count": len(report)}, field="file"
        )
        self.report = list(report)


@dataclass(frozen=True)
class CatalogueImportResult:
    """How many entries the import added, changed and found as they were."""

    created: int
    updated: int
    unchanged: int


# --- export ------------------------------------------------------------------------------------------------------


def _text(value: str) -> str:
    return str(ILLEGAL_CHARACTERS_RE.sub("", value))


def catalogue_workbook() -> bytes:
    """The whole catalogue as an .xlsx workbook (sheet 派单目录)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET
    bold = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.label)
        cell.font = bold
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for number, rule in enumerate(dispatch_rules_list(), start=2):
        values = (
            rule.category_code,
            rule.category_name,
            rule.division_code,
            rule.division_name if rule.division_code else WHOLE_CITY,
            LEAD_KIND_WORDS[LeadKind(rule.lead_kind)],
            rule.lead_name,
            JOINER.join(name for _id, name in rule.co_departments),
            rule.basis,
        )
        for index, value in enumerate(values, start=1):
            if not value:
                continue
            cell = sheet.cell(row=number, column=index)
            cell.value = _text(value)
            cell.data_type = "s"  # codes keep their leading zeros, and "=…" stays text
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- import ------------------------------------------------------------------------------------------------------


def _header_key(text: str) -> str | None:
    token = re.sub(r"\s+", "", text)
    for column in COLUMNS:
        if token in {column.label, column.key}:
            return column.key
    return None


def _cell(value: Any, *, code: bool = False) -> str:
    """A cell as text; a code typed as a number gets back the leading zero Excel dropped (101 → 0101)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if code and isinstance(value, int) and len(text) % 2:
        text = "0" + text
    return text


class _Units:
    """Active units by full name and by short name."""

    def __init__(self) -> None:
        self.by_name: dict[str, list[DepartmentInfo]] = defaultdict(list)
        self.by_short: dict[str, list[DepartmentInfo]] = defaultdict(list)
        for department in org_selectors.department_list():
            self.by_name[department.name].append(department)
            if department.short_name:
                self.by_short[department.short_name].append(department)

    def find(self, name: str) -> tuple[int | None, str]:
        """The unit's id, or None and why."""
        found = self.by_name.get(name) or self.by_short.get(name) or []
        if len(found) == 1:
            return found[0].id, ""
        if not found:
            return None, _("No active unit has this name or short name.")
        return None, _("%(count)d units have this name (in %(places)s): write the full name of one.") % {
            "count": len(found),
            "places": JOINER.join(department.division_name for department in found),
        }


@dataclass(frozen=True)
class _Row:
    number: int
    values: RuleValues


def _open(data: bytes) -> Any:
    if len(data) > MAX_BYTES:
        raise ValidationFailed(_("The workbook is larger than 5 MB."), field="file")
    if not data.startswith(b"PK"):
        raise ValidationFailed(
            _("This is not an Excel workbook (.xlsx). Save the catalogue as .xlsx and upload that file."), field="file"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about what it drops (data validation …): irrelevant
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises what its parsers raise on a damaged part
        raise ValidationFailed(_("The workbook is damaged or not a complete .xlsx file."), field="file") from error
    return workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]


def _read_rows(sheet: Any, report: list[CellProblem]) -> list[tuple[int, dict[str, str]]]:
    """Each filled row under the header, as column key → text (the header is the first filled row)."""
    header: dict[int, str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    sheet.reset_dimensions()
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > MAX_ROWS:
            raise CatalogueImportRejected(
                [CellProblem(number, "", "", _("More than %(rows)d rows.") % {"rows": MAX_ROWS})]
            )
        if not any(value is not None and str(value).strip() for value in values):
            continue
        if header is None:
            found = {index: _header_key(_cell(value)) for index, value in enumerate(values)}
            if "category_code" not in found.values():
                if number >= HEADER_SEARCH_ROWS:
                    break
                continue  # a title above the header
            header = {}
            for index, key in found.items():
                if key is not None and key in header.values():
                    report.append(CellProblem(number, _cell(values[index]), "", _("This column appears twice.")))
                elif key is not None:
                    header[index] = key
            missing = [column.label for column in COLUMNS if column.required and column.key not in header.values()]
            if missing:
                report.append(
                    CellProblem(
                        number,
                        "",
                        "",
                        _("The header has no column %(columns)s.") % {"columns": JOINER.join(missing)},
                    )
                )
                return []
            continue
        row = dict.fromkeys(LABELS, "")
        for index, key in header.items():
            value = values[index] if index < len(values) else None
            row[key] = _cell(value, code=key == "category_code")
        rows.append((number, row))
    if header is None:
        report.append(
            CellProblem(
                None,
                "",
                "",
                _("No header row: no cell of the first rows says %(label)s.") % {"label": LABELS["category_code"]},
            )
        )
    return rows


def _check_row(number: int, row: dict[str, str], units: _Units, report: list[CellProblem]) -> RuleValues | None:
    problems_before = len(report)

    def problem(key: str, reason: str) -> None:
        report.append(CellProblem(number, LABELS[key], row[key], reason))

    if not row["category_code"]:
        problem("category_code", _("Give the category code."))
    else:
        category = category_get(row["category_code"])
        if category is None:
            problem("category_code", _("No category has code %(code)s.") % {"code": row["category_code"]})
        elif not category.active:
            problem(
                "category_code", _("%(code)s %(name)s is not in use.") % {"code": category.code, "name": category.name}
            )
    if row["division_code"] not in {"", WHOLE_CITY}:
        try:
            division_in_city(row["division_code"], field="division_code")
        except ValidationFailed as error:
            problem("division_code", str(error.message))
    kind_text = row["lead_kind"]
    lead_kind = LEAD_KIND_READ.get(kind_text) if kind_text else (LeadKind.DEPARTMENT if row["lead"] else None)
    if lead_kind is None:
        problem("lead_kind", _("Write 承办单位, 属地街道 or 属地区县."))
    lead_id = None
    if lead_kind == LeadKind.DEPARTMENT:
        if not row["lead"]:
            problem("lead", _("Name the lead unit (主办方式 is 承办单位)."))
        else:
            lead_id, reason = units.find(row["lead"])
            if lead_id is None:
                problem("lead", reason)
    elif lead_kind is not None and row["lead"]:
        problem("lead", _("The place's street office or district government leads: leave 主办单位 empty."))
    co_ids: list[int] = []
    for name in (part.strip() for part in SEPARATORS.split(row["co_units"])):
        if not name:
            continue
        unit_id, reason = units.find(name)
        if unit_id is None:
            report.append(CellProblem(number, LABELS["co_units"], name, reason))
        else:
            co_ids.append(unit_id)
    if len(report) > problems_before or lead_kind is None:
        return None
    division = "" if row["division_code"] in {"", WHOLE_CITY} else row["division_code"]
    try:
        return dispatch_rule_check(
            category_code=row["category_code"],
            division_code=division,
            lead_kind=lead_kind,
            lead_department_id=lead_id,
            co_department_ids=co_ids,
            basis=row["basis"],
        )
    except ValidationFailed as error:
        key = FIELD_COLUMNS.get(error.field or "", "category_code")
        problem(key, str(error.message))
        return None


def catalogue_read(data: bytes) -> tuple[list[tuple[int, RuleValues]], list[CellProblem]]:
    """Every row of the workbook checked against the taxonomy, the divisions and the units, and every problem."""
    sheet = _open(data)
    report: list[CellProblem] = []
    rows = _read_rows(sheet, report)
    units = _Units()
    checked: list[tuple[int, RuleValues]] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in rows:
        values = _check_row(number, row, units, report)
        if values is None:
            continue
        key = (values.category_code, values.division_code)
        if key in seen:
            report.append(
                CellProblem(
                    number,
                    LABELS["category_code"],
                    row["category_code"],
                    _("Row %(other)d already has this category in this area.") % {"other": seen[key]},
                )
            )
            continue
        seen[key] = number
        checked.append((number, values))
    if not rows and not report:
        report.append(CellProblem(None, "", "", _("The sheet has no entries under its header.")))
    return checked, report


def catalogue_import(*, actor: Actor | None, data: bytes) -> CatalogueImportResult:
    """Import the workbook: every row checked first, then all written in one transaction, or nothing at all
    (`CatalogueImportRejected` with the report)."""
    require_editor(actor)
    checked, report = catalogue_read(data)
    if report:
        raise CatalogueImportRejected(report)
    created = updated = unchanged = 0
    with transaction.atomic():
        for _number, values in checked:
            queryset = DispatchRule.objects.select_for_update(of=("self",)).filter(category_id=values.category_id)
            if values.division_id is None:
                rule = queryset.filter(division=None).order_by("pk").first()
            else:
                rule = queryset.filter(division_id=values.division_id).order_by("pk").first()
            if rule is None:
                rule_write(values)
                created += 1
            elif rule_values_of(rule) == values:
                unchanged += 1
            else:
                rule_write(values, rule)
                updated += 1
        record_event(
            actor=actor,
            action="cases.catalogue.import",
            object_type="cases.dispatch_rule",
            object_id="*",
            changes={"created": created, "updated": updated, "unchanged": unchanged},
        )
    return CatalogueImportResult(created=created, updated=updated, unchanged=unchanged)
