"""The catalog as the Excel workbook departments hand in: sheet 信息资源 (resources) and sheet 信息项 (elements).

`catalog_workbook` writes exactly the columns below. `workbook_read` reads such a file back (Chinese labels or
English codes, in any column order) and reports every problem by sheet, row and column; it refuses a workbook
with merged cells or formulas without a computed value. `catalog_import` then checks the rows against the
database and applies the creates and updates through `catalog.services` in one transaction: on any problem,
or when only a preview is asked for, the transaction is rolled back and nothing is written.
"""

from __future__ import annotations

import datetime
import io
import json
import posixpath
import re
import warnings
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any
from xml.etree import ElementTree

import openpyxl
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils.cell import get_column_letter, range_boundaries

from yiwang.core.audit.services import Actor
from yiwang.core.errors import PermissionDenied, YiwangError
from yiwang.datahub.catalog import selectors, services
from yiwang.datahub.catalog.forms import ELEMENT_CODE, planned_snapshot, slug_from_code, split_list
from yiwang.datahub.catalog.schema import ElementSpec, header_token
from yiwang.datahub.models import ElementType, Openness, SharingMethod, SharingType, UpdateCycle
from yiwang.org.selectors import department_get_by_name

RESOURCE_SHEET = "信息资源"
ELEMENT_SHEET = "信息项"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 50_000  # per sheet: far above any city's catalog, low enough to refuse a runaway file early
_LIST_JOINER = "、"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_LISTED = 5  # cells named in one message; the rest are counted


@dataclass(frozen=True)
class Column:
    """A column of the workbook: its key (the English code, also accepted as a header) and its Chinese label."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    width: int = 16


RESOURCE_COLUMNS = (
    Column("code", "信息资源代码", width=14),
    Column("name", "信息资源名称", width=24),
    Column("slug", "资源标识", ("资源标识(slug)",), width=18),
    Column("category_class", "信息资源分类(类)", ("类",)),
    Column("category_item", "信息资源分类(项)", ("项",)),
    Column("category_catalog", "信息资源分类(目)", ("目",)),
    Column("category_detail", "信息资源分类(细目)", ("细目",)),
    Column("source_department", "信息资源提供方", ("数源部门", "信息资源提供方(部门名称)"), width=20),
    Column("summary", "信息资源摘要", width=40),
    Column("format", "信息资源格式", width=12),
    Column("sharing_type", "共享类型", width=12),
    Column("sharing_condition", "共享条件", width=30),
    Column("sharing_methods", "共享方式", width=14),
    Column("openness", "开放类型", ("开放属性",), width=12),
    Column("openness_condition", "开放条件", width=24),
    Column("update_cycle", "更新周期", width=10),
    Column("release_date", "发布日期", width=12),
    Column("related_codes", "关联资源代码", width=18),
)
ELEMENT_COLUMNS = (
    Column("resource_code", "信息资源代码", width=14),
    Column("position", "序号", width=6),
    Column("code", "信息项编码", width=18),
    Column("name", "信息项名称", width=18),
    Column("data_type", "数据类型", width=12),
    Column("length", "数据长度", width=8),
    Column("required", "是否必填", width=8),
    Column("is_key", "是否主键", width=8),
    Column("sensitive", "是否敏感", width=8),
    Column("lookup", "是否被引用", ("是否被引用(lookup)",), width=10),
    Column("enumeration", "代码值", width=30),
    Column("concept", "概念", ("概念(concept)",), width=18),
    Column("rules", "校验规则", ("校验规则(pattern)", "pattern"), width=24),
)
_REQUIRED_RESOURCE_COLUMNS = ("code", "name", "source_department", "sharing_type", "openness", "update_cycle")
_REQUIRED_ELEMENT_COLUMNS = ("resource_code", "code", "name", "data_type")

# The words departments write in the cells → the codes the catalog stores (each code is accepted as well).
SHARING_TYPES = {"无条件共享": SharingType.OPEN, "有条件共享": SharingType.CONDITIONAL, "不予共享": SharingType.NONE}
OPENNESS_TYPES = {"无条件开放": Openness.OPEN, "有条件开放": Openness.CONDITIONAL, "不予开放": Openness.NONE}
SHARING_METHODS = {"接口": SharingMethod.API, "文件": SharingMethod.FILE, "核验": SharingMethod.VERIFICATION}
UPDATE_CYCLES = {
    "实时": UpdateCycle.REALTIME,
    "每日": UpdateCycle.DAILY,
    "每周": UpdateCycle.WEEKLY,
    "每月": UpdateCycle.MONTHLY,
    "每季度": UpdateCycle.QUARTERLY,
    "每半年": UpdateCycle.HALF_YEARLY,
    "每年": UpdateCycle.YEARLY,
    "不定期": UpdateCycle.IRREGULAR,
}
DATA_TYPES = {
    "字符型": ElementType.STRING,
    "整数型": ElementType.INTEGER,
    "数值型": ElementType.DECIMAL,
    "日期型": ElementType.DATE,
    "日期时间型": ElementType.DATETIME,
    "布尔型": ElementType.BOOLEAN,
    "代码型": ElementType.ENUM,
    "身份证号": ElementType.ID_NUMBER,
    "统一社会信用代码": ElementType.CREDIT_CODE,
    "电话号码": ElementType.PHONE,
    "行政区划代码": ElementType.DIVISION,
}
_YES = {"是", "y", "yes", "true", "1", "√", "✓"}
_NO = {"否", "n", "no", "false", "0", "×", "✗"}
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _label_of(vocabulary: Mapping[str, str], code: str) -> str:
    for label, value in vocabulary.items():
        if value == code:
            return label
    return code


# --- export -----------------------------------------------------------------------------------------------


def _cell_text(value: str) -> str:
    return str(ILLEGAL_CHARACTERS_RE.sub("", value))


def _rules_text(rules: Mapping[str, Any]) -> str:
    """The 校验规则 cell: the pattern alone, or (for other rules, such as a minimum) the rules as JSON."""
    if not rules:
        return ""
    if set(rules) == {"pattern"}:
        return str(rules["pattern"])
    return json.dumps(dict(rules), ensure_ascii=False, sort_keys=True)


def _write_sheet(sheet: Any, columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> None:
    bold = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.label)
        cell.font = bold
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for row_number, values in enumerate(rows, start=2):
        for index, value in enumerate(values, start=1):
            if value is None or value == "":
                continue
            cell = sheet.cell(row=row_number, column=index)
            if isinstance(value, str):
                cell.value = _cell_text(value)
                # Text is text: "=…" in a summary must not become a formula in the department's Excel.
                cell.data_type = "s"
            elif isinstance(value, datetime.date):
                cell.value = value
                cell.number_format = "yyyy-mm-dd"
            else:
                cell.value = value
    sheet.freeze_panes = "A2"


def catalog_workbook(*, entries: Sequence[Mapping[str, Any]], department_names: Mapping[int, str]) -> bytes:
    """An .xlsx of catalog entries, each given as a snapshot (`catalog.services.resource_snapshot`)."""
    resource_rows: list[list[Any]] = []
    element_rows: list[list[Any]] = []
    for entry in sorted(entries, key=lambda item: str(item["code"])):
        category = list(entry.get("category") or ["", "", "", ""])
        department_id = entry.get("source_department_id")
        release = entry.get("release_date")
        resource_rows.append(
            [
                entry["code"],
                entry["name"],
                entry["slug"],
                *category[:4],
                department_names.get(department_id, "") if department_id is not None else "",
                entry.get("summary", ""),
                entry.get("format", ""),
                _label_of(SHARING_TYPES, entry["sharing_type"]),
                entry.get("sharing_condition", ""),
                _LIST_JOINER.join(_label_of(SHARING_METHODS, item) for item in entry.get("sharing_methods") or []),
                _label_of(OPENNESS_TYPES, entry["openness"]),
                entry.get("openness_condition", ""),
                _label_of(UPDATE_CYCLES, entry["update_cycle"]),
                datetime.date.fromisoformat(release) if release else None,
                _LIST_JOINER.join(entry.get("related") or []),
            ]
        )
        for position, element in enumerate(entry.get("elements") or [], start=1):
            element_rows.append(
                [
                    entry["code"],
                    position,
                    element["code"],
                    element["name"],
                    _label_of(DATA_TYPES, element["data_type"]),
                    element.get("length"),
                    "是" if element.get("required") else "否",
                    "是" if element.get("is_key") else "否",
                    "是" if element.get("sensitive") else "否",
                    "是" if element.get("lookup") else "否",
                    _LIST_JOINER.join(element.get("enumeration") or []),
                    element.get("concept", ""),
                    _rules_text(element.get("rules") or {}),
                ]
            )
    workbook = openpyxl.Workbook()
    resources = workbook.active
    resources.title = RESOURCE_SHEET
    _write_sheet(resources, RESOURCE_COLUMNS, resource_rows)
    _write_sheet(workbook.create_sheet(ELEMENT_SHEET), ELEMENT_COLUMNS, element_rows)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- reading ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    """Something wrong in the workbook, and where: sheet, row and column as Excel shows them."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""  # the column letter
    header: str = ""  # the column's header in the file

    def where(self) -> str:
        """The place, in words: 信息项, row 5, column G (是否必填)."""
        if self.row is not None and self.column and not self.header:
            return _("%(sheet)s, row %(row)d, column %(column)s") % {
                "sheet": self.sheet,
                "row": self.row,
                "column": self.column,
            }
        if self.row is not None and self.column:
            return _("%(sheet)s, row %(row)d, column %(column)s (%(header)s)") % {
                "sheet": self.sheet,
                "row": self.row,
                "column": self.column,
                "header": self.header,
            }
        if self.row is not None:
            return _("%(sheet)s, row %(row)d") % {"sheet": self.sheet, "row": self.row}
        if self.column:
            return _("%(sheet)s, column %(column)s (%(header)s)") % {
                "sheet": self.sheet,
                "column": self.column,
                "header": self.header,
            }
        return self.sheet

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


@dataclass
class ParsedElement:
    """A row of sheet 信息项."""

    row: int
    resource_code: str
    position: int | None
    spec: dict[str, Any]  # ElementSpec.to_json()


@dataclass
class ParsedResource:
    """A row of sheet 信息资源, with its elements."""

    row: int
    code: str
    slug: str
    department_name: str
    values: dict[str, Any]  # the other ResourceFields, release_date as ISO text
    related_codes: list[str]
    elements: list[ParsedElement] = field(default_factory=list)


@dataclass
class ParsedWorkbook:
    """What a workbook holds, where each column is, and what is wrong with it."""

    file_name: str
    resources: list[ParsedResource] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    resource_sheet: str = RESOURCE_SHEET
    element_sheet: str = ELEMENT_SHEET
    resource_columns: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (letter, header)
    element_columns: dict[str, tuple[str, str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ParsedWorkbook:
        resources = [
            ParsedResource(
                **{key: value for key, value in item.items() if key != "elements"},
                elements=[ParsedElement(**element) for element in item["elements"]],
            )
            for item in data["resources"]
        ]
        return cls(
            file_name=data["file_name"],
            resources=resources,
            problems=[ImportProblem(**item) for item in data["problems"]],
            notes=list(data["notes"]),
            resource_sheet=data["resource_sheet"],
            element_sheet=data["element_sheet"],
            resource_columns={key: (value[0], value[1]) for key, value in data["resource_columns"].items()},
            element_columns={key: (value[0], value[1]) for key, value in data["element_columns"].items()},
        )

    def resource_problem(self, row: int | None, key: str | None, message: str) -> ImportProblem:
        """A problem in sheet 信息资源, at the column of `key` when the file has it."""
        return _problem(self.resource_sheet, self.resource_columns, row, key, message)

    def element_problem(self, row: int | None, key: str | None, message: str) -> ImportProblem:
        """A problem in sheet 信息项, at the column of `key` when the file has it."""
        return _problem(self.element_sheet, self.element_columns, row, key, message)


def _problem(
    sheet: str, columns: Mapping[str, tuple[str, str]], row: int | None, key: str | None, message: str
) -> ImportProblem:
    letter, header = columns.get(key or "", ("", ""))
    return ImportProblem(message=message, sheet=sheet, row=row, column=letter, header=header)


class _Unreadable(Exception):
    """The workbook cannot be read at all; the problems say why."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__("unreadable workbook")
        self.problems = problems


def _listed(items: Sequence[str], total: int) -> str:
    text = ", ".join(items[:_LISTED])
    if total > _LISTED:
        text += _(" and %(count)d more") % {"count": total - _LISTED}
    return text


def _sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title → the part of the archive that holds it."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314 - expat does not resolve entities
    relationships = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    targets = {item.get("Id"): item.get("Target", "") for item in relationships}
    members = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(_RELATIONSHIP_ID), "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        members[sheet.get("name", "")] = path
    return members


def _scan_sheet(archive: zipfile.ZipFile, member: str) -> tuple[list[str], list[str]]:
    """Merged ranges and cells holding a formula without a computed value, in one streaming pass."""
    merges: list[str] = []
    formulas: list[str] = []
    with archive.open(member) as stream:
        for _event, element in ElementTree.iterparse(stream):  # noqa: S314 - expat does not resolve entities
            if element.tag == f"{_MAIN}c":
                formula = element.find(f"{_MAIN}f")
                value = element.find(f"{_MAIN}v")
                # An empty cached string (t="str") is a formula whose result is "": a value, not a missing one.
                if (
                    formula is not None
                    and (value is None or not value.text)
                    and element.get("t") not in {"str", "inlineStr"}
                ):
                    formulas.append(element.get("r", ""))
                element.clear()
            elif element.tag == f"{_MAIN}mergeCell":
                merges.append(element.get("ref", ""))
    return merges, formulas


def _first_cell(reference: str) -> tuple[int | None, str]:
    """Row and column letter of the top-left cell of a reference such as B3 or B3:D4."""
    try:
        min_col, min_row, _max_col, _max_row = range_boundaries(reference)
    except (TypeError, ValueError):
        return None, ""
    return min_row, get_column_letter(min_col) if min_col else ""


def _find_sheet(titles: Sequence[str], wanted: str, english: str) -> str | None:
    tokens = {header_token(title): title for title in titles}
    return tokens.get(header_token(wanted)) or tokens.get(english)


def _open(data: bytes, name: str) -> tuple[Any, str, str]:
    """Open the workbook and find its two sheets; refuse what cannot be read as a whole."""
    if data.startswith(_OLE2):
        raise _Unreadable(
            [
                ImportProblem(
                    _(
                        "%(file)s is an Excel 97-2003 workbook (.xls). Open it in Excel or WPS, save it as an "
                        "Excel workbook (.xlsx) and upload that file."
                    )
                    % {"file": name}
                )
            ]
        )
    not_xlsx = ImportProblem(
        _("%(file)s is not an Excel workbook (.xlsx). Upload the catalog as an .xlsx file.") % {"file": name}
    )
    if not data.startswith(b"PK"):
        raise _Unreadable([not_xlsx])
    problems: list[ImportProblem] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise _Unreadable([not_xlsx])
            members = _sheet_members(archive)
            resource_sheet = _find_sheet(list(members), RESOURCE_SHEET, "resources")
            element_sheet = _find_sheet(list(members), ELEMENT_SHEET, "elements")
            for title, wanted in ((resource_sheet, RESOURCE_SHEET), (element_sheet, ELEMENT_SHEET)):
                if title is None:
                    problems.append(
                        ImportProblem(
                            _("The workbook has no sheet named “%(sheet)s” (it has: %(found)s).")
                            % {"sheet": wanted, "found": "、".join(members)},
                            sheet=wanted,
                        )
                    )
                    continue
                merges, formulas = _scan_sheet(archive, members[title])
                if merges:
                    row, column = _first_cell(merges[0])
                    problems.append(
                        ImportProblem(
                            _("merged cells %(ranges)s. Unmerge them and fill in every cell, then upload again.")
                            % {"ranges": _listed(merges, len(merges))},
                            sheet=title,
                            row=row,
                            column=column,
                        )
                    )
                if formulas:
                    row, column = _first_cell(formulas[0])
                    problems.append(
                        ImportProblem(
                            _(
                                "cells %(cells)s hold formulas without a computed value. Open the file in Excel "
                                "or WPS and save it again, or replace the formulas by their values."
                            )
                            % {"cells": _listed(formulas, len(formulas))},
                            sheet=title,
                            row=row,
                            column=column,
                        )
                    )
    except _Unreadable:
        raise
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError, ValueError) as error:
        raise _Unreadable(
            [ImportProblem(_("%(file)s is damaged or not a complete Excel workbook.") % {"file": name})]
        ) from error
    if problems or resource_sheet is None or element_sheet is None:
        raise _Unreadable(problems)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about what it drops (data validation, conditional formats): irrelevant here.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        # openpyxl raises whatever its parsers raise on a damaged part (KeyError, ParseError, ValueError …).
        raise _Unreadable(
            [ImportProblem(_("%(file)s is damaged or not a complete Excel workbook.") % {"file": name})]
        ) from error
    return workbook, resource_sheet, element_sheet


def _rows(worksheet: Any, sheet: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(Excel row number, values) of each row that is not empty."""
    worksheet.reset_dimensions()  # some programs write a wrong <dimension>, which would cut rows off
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if number > MAX_ROWS:
            raise _Unreadable(
                [ImportProblem(_("more than %(rows)d rows.") % {"rows": MAX_ROWS}, sheet=sheet, row=number)]
            )
        if any(value is not None and str(value).strip() for value in values):
            yield number, tuple(values)


def _header_tokens(columns: Sequence[Column]) -> dict[str, str]:
    tokens = {}
    for column in columns:
        for text in (column.label, column.key, f"{column.label}({column.key})", *column.aliases):
            tokens[header_token(text)] = column.key
    return tokens


def _read_header(
    rows: list[tuple[int, tuple[Any, ...]]],
    columns: Sequence[Column],
    required: Sequence[str],
    sheet: str,
    notes: list[str],
) -> tuple[int, dict[str, int], dict[str, tuple[str, str]]]:
    """The header row (the first row that names the first column) and where each known column is."""
    tokens = _header_tokens(columns)
    first = columns[0].key
    for number, values in rows[:10]:
        unread: list[str] = []
        found: dict[str, int] = {}
        places: dict[str, tuple[str, str]] = {}
        for index, value in enumerate(values):
            text = "" if value is None else str(value).strip()
            key = tokens.get(header_token(text)) if text else None
            if key is None:
                if text:
                    unread.append(
                        _("%(sheet)s, column %(column)s (%(header)s) is not a catalog column and is not read.")
                        % {"sheet": sheet, "column": get_column_letter(index + 1), "header": text}
                    )
                continue
            if key in found:
                raise _Unreadable(
                    [
                        ImportProblem(
                            _("the column appears twice (also column %(other)s).")
                            % {"other": get_column_letter(found[key] + 1)},
                            sheet=sheet,
                            row=number,
                            column=get_column_letter(index + 1),
                            header=text,
                        )
                    ]
                )
            found[key] = index
            places[key] = (get_column_letter(index + 1), text)
        if first in found:
            missing = [column.label for column in columns if column.key in required and column.key not in found]
            if missing:
                raise _Unreadable(
                    [
                        ImportProblem(
                            _("the header has no column %(columns)s.") % {"columns": "、".join(missing)},
                            sheet=sheet,
                            row=number,
                        )
                    ]
                )
            notes.extend(unread)
            return number, found, places
    label = next(column.label for column in columns if column.key == first)
    raise _Unreadable([ImportProblem(_("no header row: no cell says %(label)s.") % {"label": label}, sheet=sheet)])


class _RowReader:
    """Typed values of one row, with a problem per bad cell."""

    def __init__(
        self,
        values: tuple[Any, ...],
        number: int,
        found: Mapping[str, int],
        problem: Any,
        problems: list[ImportProblem],
    ) -> None:
        self.values = values
        self.number = number
        self.found = found
        self.problem = problem
        self.problems = problems

    def raw(self, key: str) -> Any:
        index = self.found.get(key)
        if index is None or index >= len(self.values):
            return None
        return self.values[index]

    def fail(self, key: str, message: str) -> None:
        self.problems.append(self.problem(self.number, key, message))

    def text(self, key: str, *, required: bool = False, limit: int = 4000) -> str:
        value = self.raw(key)
        if value is None:
            text = ""
        elif isinstance(value, bool):
            text = "是" if value else "否"
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))
        elif isinstance(value, datetime.datetime):
            text = value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
        elif isinstance(value, datetime.date):
            text = value.isoformat()
        else:
            text = str(value).strip()
        if required and not text:
            self.fail(key, _("This cell is required."))
        elif len(text) > limit:
            self.fail(key, _("At most %(limit)d characters.") % {"limit": limit})
        return text

    def choice(self, key: str, vocabulary: Mapping[str, str], values: Sequence[str]) -> str:
        text = self.text(key, required=True)
        if not text:
            return ""
        found = _choose(text, vocabulary, values)
        if found is None:
            self.fail(
                key,
                _("“%(value)s” is not one of %(allowed)s.") % {"value": text, "allowed": "、".join(vocabulary)},
            )
            return ""
        return found

    def choices(self, key: str, vocabulary: Mapping[str, str], values: Sequence[str]) -> list[str]:
        chosen = []
        for item in split_list(self.text(key)):
            found = _choose(item, vocabulary, values)
            if found is None:
                self.fail(
                    key,
                    _("“%(value)s” is not one of %(allowed)s.") % {"value": item, "allowed": "、".join(vocabulary)},
                )
            else:
                chosen.append(found)
        return list(dict.fromkeys(chosen))

    def flag(self, key: str) -> bool:
        value = self.raw(key)
        if isinstance(value, bool):
            return value
        text = self.text(key).lower()
        if not text or text in _NO:
            return False
        if text in _YES:
            return True
        self.fail(key, _("Write 是 or 否, not “%(value)s”.") % {"value": text})
        return False

    def integer(self, key: str, *, minimum: int = 1) -> int | None:
        value = self.raw(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        else:
            text = str(value).strip()
            number = int(text) if text.isdigit() else None
        if number is None or number < minimum:
            self.fail(
                key,
                _("“%(value)s” is not a whole number of at least %(minimum)d.")
                % {
                    "value": value,
                    "minimum": minimum,
                },
            )
            return None
        return number

    def date(self, key: str) -> str | None:
        value = self.raw(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, datetime.datetime):
            return value.date().isoformat()
        if isinstance(value, datetime.date):
            return value.isoformat()
        text = str(value).strip()
        match = _DATE_TEXT.match(text)
        if match is None and re.fullmatch(r"\d{8}", text):
            match = re.match(r"(\d{4})(\d{2})(\d{2})", text)
        if match is not None:
            try:
                return datetime.date(int(match[1]), int(match[2]), int(match[3])).isoformat()
            except ValueError:
                pass
        self.fail(key, _("“%(value)s” is not a date such as 2024-03-01.") % {"value": text})
        return None


def _choose(text: str, vocabulary: Mapping[str, str], values: Sequence[str]) -> str | None:
    token = header_token(text)
    for label, value in vocabulary.items():
        if token in {header_token(label), value}:
            return value
    return token if token in values else None


def _rules(reader: _RowReader) -> dict[str, Any]:
    text = reader.text("rules", limit=2000)
    if not text:
        return {}
    if text.startswith("{"):
        try:
            rules = json.loads(text)
        except ValueError:
            rules = None
        if isinstance(rules, dict):
            pattern = rules.get("pattern")
            if pattern is not None and not _compiles(str(pattern)):
                reader.fail("rules", _("The pattern is not a valid regular expression."))
            return rules
    if not _compiles(text):
        reader.fail("rules", _("The pattern is not a valid regular expression."))
    return {"pattern": text}


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def _read_resources(sheet: Any, parsed: ParsedWorkbook) -> None:
    rows = list(_rows(sheet, parsed.resource_sheet))
    header, found, parsed.resource_columns = _read_header(
        rows, RESOURCE_COLUMNS, _REQUIRED_RESOURCE_COLUMNS, parsed.resource_sheet, parsed.notes
    )
    codes: dict[str, int] = {}
    slugs: dict[str, int] = {}
    for number, values in rows:
        if number <= header:
            continue
        reader = _RowReader(values, number, found, parsed.resource_problem, parsed.problems)
        code = reader.text("code", required=True, limit=64)
        slug = reader.text("slug", limit=64)
        values_read = {
            "name": reader.text("name", required=True, limit=200),
            "category_class": reader.text("category_class", limit=40),
            "category_item": reader.text("category_item", limit=40),
            "category_catalog": reader.text("category_catalog", limit=40),
            "category_detail": reader.text("category_detail", limit=80),
            "summary": reader.text("summary"),
            "format": reader.text("format", limit=60),
            "sharing_type": reader.choice("sharing_type", SHARING_TYPES, SharingType.values),
            "sharing_condition": reader.text("sharing_condition"),
            "sharing_methods": reader.choices("sharing_methods", SHARING_METHODS, SharingMethod.values),
            "openness": reader.choice("openness", OPENNESS_TYPES, Openness.values),
            "openness_condition": reader.text("openness_condition"),
            "update_cycle": reader.choice("update_cycle", UPDATE_CYCLES, UpdateCycle.values),
            "release_date": reader.date("release_date"),
        }
        department = reader.text("source_department", required=True, limit=200)
        related = split_list(reader.text("related_codes"))
        if code in related:
            reader.fail("related_codes", _("A resource is not related to itself."))
        if code:
            if code in codes:
                reader.fail("code", _("Row %(row)d has this resource code already.") % {"row": codes[code]})
            codes.setdefault(code, number)
        if slug:
            if slug in slugs:
                reader.fail("slug", _("Row %(row)d has this slug already.") % {"row": slugs[slug]})
            slugs.setdefault(slug, number)
        parsed.resources.append(
            ParsedResource(
                row=number,
                code=code,
                slug=slug,
                department_name=department,
                values=values_read,
                related_codes=[item for item in related if item != code],
            )
        )


def _read_elements(sheet: Any, parsed: ParsedWorkbook) -> None:
    rows = list(_rows(sheet, parsed.element_sheet))
    header, found, parsed.element_columns = _read_header(
        rows, ELEMENT_COLUMNS, _REQUIRED_ELEMENT_COLUMNS, parsed.element_sheet, parsed.notes
    )
    by_code: dict[str, ParsedResource] = {}
    for entry in parsed.resources:
        if entry.code:
            by_code.setdefault(entry.code, entry)  # a repeated code is reported on its own row
    for number, values in rows:
        if number <= header:
            continue
        reader = _RowReader(values, number, found, parsed.element_problem, parsed.problems)
        resource_code = reader.text("resource_code", required=True, limit=64)
        code = reader.text("code", required=True, limit=64)
        if code and not ELEMENT_CODE.match(code):
            reader.fail("code", _("An element code starts with a letter and has only letters, digits and _."))
        data_type = reader.choice("data_type", DATA_TYPES, ElementType.values)
        enumeration = split_list(reader.text("enumeration", limit=20000))
        spec = ElementSpec(
            code=code,
            name=reader.text("name", required=True, limit=100),
            data_type=data_type or ElementType.STRING,
            length=reader.integer("length"),
            required=reader.flag("required"),
            enumeration=tuple(enumeration),
            sensitive=reader.flag("sensitive"),
            is_key=reader.flag("is_key"),
            lookup=reader.flag("lookup"),
            concept=reader.text("concept", limit=40),
            rules=_rules(reader),
        )
        if spec.is_key and not spec.required:
            reader.fail("required", _("A key element (是否主键 = 是) must be required (是否必填 = 是)."))
        if data_type == ElementType.ENUM and not enumeration:
            reader.fail("enumeration", _("A code list (代码型) needs its values, separated by 、."))
        position = reader.integer("position", minimum=0)
        resource = by_code.get(resource_code)
        if resource is None:
            if resource_code:
                reader.fail(
                    "resource_code",
                    _("No row of sheet %(sheet)s has the resource code %(code)s.")
                    % {"sheet": parsed.resource_sheet, "code": resource_code},
                )
            continue
        resource.elements.append(
            ParsedElement(row=number, resource_code=resource_code, position=position, spec=spec.to_json())
        )
    for entry in by_code.values():
        _check_resource_elements(entry, parsed)


def _check_resource_elements(resource: ParsedResource, parsed: ParsedWorkbook) -> None:
    if not resource.code:
        return
    if not resource.elements:
        parsed.problems.append(
            parsed.resource_problem(
                resource.row,
                "code",
                _("Sheet %(sheet)s has no data elements for this resource.") % {"sheet": parsed.element_sheet},
            )
        )
        return
    resource.elements.sort(key=lambda item: (item.position is None, item.position or 0, item.row))
    codes: dict[str, int] = {}
    names: dict[str, int] = {}
    for element in resource.elements:
        code = str(element.spec["code"]).lower()
        name = header_token(str(element.spec["name"]))
        if code and code in codes:
            parsed.problems.append(
                parsed.element_problem(
                    element.row,
                    "code",
                    _("Row %(row)d has this element code for the same resource.") % {"row": codes[code]},
                )
            )
        if name and name in names:
            parsed.problems.append(
                parsed.element_problem(
                    element.row,
                    "name",
                    _("Row %(row)d has this element name for the same resource.") % {"row": names[name]},
                )
            )
        codes.setdefault(code, element.row)
        names.setdefault(name, element.row)
    if not any(element.spec["is_key"] for element in resource.elements):
        parsed.problems.append(
            parsed.element_problem(
                resource.elements[0].row,
                "is_key",
                _("None of the elements of %(code)s is marked as the key (是否主键 = 是).") % {"code": resource.code},
            )
        )


def workbook_read(*, data: bytes, name: str) -> ParsedWorkbook:
    """Read a catalog workbook; every problem found is in the result's `problems`, nothing is written."""
    parsed = ParsedWorkbook(file_name=name)
    try:
        workbook, parsed.resource_sheet, parsed.element_sheet = _open(data, name)
        try:
            _read_resources(workbook[parsed.resource_sheet], parsed)
            _read_elements(workbook[parsed.element_sheet], parsed)
        finally:
            workbook.close()
    except _Unreadable as unreadable:
        parsed.problems.extend(unreadable.problems)
        parsed.resources = []
    if not parsed.problems and not parsed.resources:
        parsed.problems.append(
            ImportProblem(_("The sheet has no resources below its header."), sheet=parsed.resource_sheet)
        )
    parsed.problems.sort(key=lambda item: (item.sheet != parsed.resource_sheet, item.sheet, item.row or 0))
    return parsed


# --- applying ---------------------------------------------------------------------------------------------


class ImportAction:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class PlannedChange:
    """What the import does to one resource."""

    row: int
    code: str
    name: str
    department: str
    action: str
    elements: int


@dataclass(frozen=True)
class ImportReport:
    """The outcome of an import: the changes (planned, or made when `applied`) or the problems."""

    changes: list[PlannedChange]
    problems: list[ImportProblem]
    notes: list[str]
    applied: bool

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)


# A service error names the field it is about; the column of that field is where the problem is shown.
_FIELD_COLUMNS = {
    "slug": "slug",
    "code": "code",
    "name": "name",
    "sharing_type": "sharing_type",
    "sharing_condition": "sharing_condition",
    "sharing_methods": "sharing_methods",
    "openness": "openness",
    "openness_condition": "openness_condition",
    "update_cycle": "update_cycle",
    "source_department": "source_department",
    "related_codes": "related_codes",
}


def _service_problem(parsed: ParsedWorkbook, resource: ParsedResource, error: YiwangError) -> ImportProblem:
    message = str(error.message)
    if error.field == "elements" and resource.elements:
        return parsed.element_problem(resource.elements[0].row, None, message)
    if isinstance(error, PermissionDenied):
        return parsed.resource_problem(resource.row, "source_department", message)
    return parsed.resource_problem(resource.row, _FIELD_COLUMNS.get(error.field or ""), message)


def _comparable(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in snapshot.items() if key != "elements"}


def _fields(
    resource: ParsedResource, department_id: int, slug: str, lenient: bool, related: Sequence[str]
) -> services.ResourceFields:
    values = dict(resource.values)
    release = values.pop("release_date")
    return services.ResourceFields(
        slug=slug,
        code=resource.code,
        source_department_id=department_id,
        release_date=datetime.date.fromisoformat(release) if release else None,
        lenient_identifiers=lenient,
        related_codes=list(related),
        **values,
    )


def catalog_import(*, actor: Actor | None, parsed: ParsedWorkbook, apply: bool) -> ImportReport:
    """Check a read workbook against the catalog and, when `apply` and all is well, write it in one transaction.

    Every resource is created or updated through catalog.services, so their rules and permissions hold and
    each change is audited; a preview runs the same calls and rolls them back.
    """
    problems = list(parsed.problems)
    if problems:
        return ImportReport(changes=[], problems=problems, notes=list(parsed.notes), applied=False)
    existing = {summary.code: summary for summary in selectors.resource_list()}
    codes_in_file = {resource.code for resource in parsed.resources}
    departments: dict[str, int] = {}
    for resource in parsed.resources:
        department = department_get_by_name(name=resource.department_name)
        if department is None:
            problems.append(
                parsed.resource_problem(
                    resource.row,
                    "source_department",
                    _("No department is named %(name)s.") % {"name": resource.department_name},
                )
            )
        else:
            departments[resource.code] = department.id
        unknown = [code for code in resource.related_codes if code not in existing and code not in codes_in_file]
        if unknown:
            problems.append(
                parsed.resource_problem(
                    resource.row,
                    "related_codes",
                    _("No resource has the code %(codes)s.") % {"codes": "、".join(unknown)},
                )
            )
    if problems:
        return ImportReport(changes=[], problems=problems, notes=list(parsed.notes), applied=False)

    changes: list[PlannedChange] = []
    with transaction.atomic():
        present = set(existing)
        pending_related: list[tuple[ParsedResource, services.ResourceFields, int]] = []
        for resource in parsed.resources:
            try:
                with transaction.atomic():
                    change, fields, resource_id = _apply_one(
                        actor, resource, departments[resource.code], existing.get(resource.code), present
                    )
            except YiwangError as error:
                problems.append(_service_problem(parsed, resource, error))
                continue
            present.add(resource.code)
            changes.append(change)
            if sorted(fields.related_codes) != sorted(resource.related_codes):
                pending_related.append((resource, fields, resource_id))
        # Relations to resources created later in the same file, once they all exist.
        for resource, fields, resource_id in pending_related:
            try:
                with transaction.atomic():
                    services.resource_update(
                        actor=actor,
                        resource_id=resource_id,
                        fields=_with_related(fields, resource.related_codes),
                    )
            except YiwangError as error:
                problems.append(_service_problem(parsed, resource, error))
        if problems or not apply:
            transaction.set_rollback(True)
    problems.sort(key=lambda item: (item.sheet != parsed.resource_sheet, item.row or 0))
    return ImportReport(
        changes=changes if not problems else [],
        problems=problems,
        notes=list(parsed.notes),
        applied=apply and not problems,
    )


def _with_related(fields: services.ResourceFields, related: Sequence[str]) -> services.ResourceFields:
    values = {name: getattr(fields, name) for name in services.ResourceFields.__dataclass_fields__}
    values["related_codes"] = list(related)
    return services.ResourceFields(**values)


def _apply_one(
    actor: Actor | None,
    resource: ParsedResource,
    department_id: int,
    current: selectors.ResourceSummary | None,
    present: set[str],
) -> tuple[PlannedChange, services.ResourceFields, int]:
    elements = [ElementSpec.from_json(item.spec) for item in resource.elements]
    related = [code for code in resource.related_codes if code in present]
    if current is None:
        fields = _fields(resource, department_id, resource.slug or slug_from_code(resource.code), False, related)
        created = services.resource_create(actor=actor, fields=fields, elements=elements)
        action, resource_id = ImportAction.CREATE, created.pk
    else:
        live = selectors.resource_detail(slug=current.slug)
        snapshot = services.resource_snapshot(live)
        fields = _fields(resource, department_id, resource.slug or current.slug, live.lenient_identifiers, related)
        planned = planned_snapshot(fields, elements)
        action, resource_id = ImportAction.UNCHANGED, live.pk
        if _comparable(planned) != _comparable(snapshot):
            services.resource_update(actor=actor, resource_id=live.pk, fields=fields)
            action = ImportAction.UPDATE
        if planned["elements"] != snapshot["elements"]:
            services.resource_set_elements(actor=actor, resource_id=live.pk, elements=elements)
            action = ImportAction.UPDATE
    change = PlannedChange(
        row=resource.row,
        code=resource.code,
        name=str(resource.values["name"]),
        department=resource.department_name,
        action=action,
        elements=len(elements),
    )
    return change, fields, resource_id
