"""Reading the item-list workbook: each item row with the rows of its handling items, materials and fees."""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass, field, fields
from functools import partial
from typing import Any
from xml.etree import ElementTree

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.utils.cell import get_column_letter, range_boundaries

from yiwang.datahub.catalog.excel.problems import ImportProblem, Unreadable
from yiwang.datahub.catalog.excel.reading import RowReader
from yiwang.datahub.catalog.excel.workbook import header_read, scan_sheet, sheet_members, sheet_rows
from yiwang.datahub.catalog.schema import header_token
from yiwang.services.catalog.excel.columns import (
    CHILD_SHEETS,
    ITEM_CHOICES,
    ITEM_NUMBERS,
    ITEM_SHEET,
    ITEM_TEXTS,
    ITEM_TYPE_NAMES,
    ITEM_TYPES,
    MATERIAL_FORMS,
    MATERIAL_SOURCES,
    REQUIRED_COLUMNS,
    SHEET_COLUMNS,
)
from yiwang.services.catalog.services import FeeInput, HandlingItemInput, ItemInput, MaterialInput
from yiwang.services.models import ItemType, MaterialForm, MaterialSource

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A sheet may also be named by what it holds, in English.
_ENGLISH_TITLES = {"事项": "items", "办理项": "handling_items", "材料": "materials", "收费": "fees"}
_DEFAULTS = {item.name: item.default for item in fields(ItemInput) if isinstance(item.default, (str, int))}


@dataclass
class ParsedRow:
    """A row of a child sheet: what it says, and whether every cell of it could be read."""

    row: int
    value: Any  # HandlingItemInput, MaterialInput or FeeInput
    readable: bool


@dataclass
class ParsedItem:
    """A row of sheet 事项, with the rows of the child sheets that name its 实施编码."""

    row: int
    task_code: str
    catalog_code: str
    department: str
    values: dict[str, Any]  # the ItemInput fields the file has a column for
    readable: bool
    children: dict[str, list[ParsedRow]] = field(default_factory=lambda: {kind: [] for kind in CHILD_SHEETS})


@dataclass
class ParsedItems:
    """What a workbook holds, where each column is, and what is wrong with it."""

    file_name: str
    items: list[ParsedItem] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # sheet (事项, 材料 …) → its title in the file
    columns: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)  # sheet → key → (letter, header)

    def problem(self, sheet: str, row: int | None, key: str | None, message: str) -> ImportProblem:
        """A problem at a row of a sheet, in the column of `key` when the file has it."""
        letter, header = self.columns.get(sheet, {}).get(key or "", ("", ""))
        return ImportProblem(
            message=message, sheet=self.titles.get(sheet, sheet), row=row, column=letter, header=header
        )


def _not_xlsx(name: str) -> Unreadable:
    return Unreadable(
        [
            ImportProblem(
                _("%(file)s is not an Excel workbook (.xlsx). Upload the item list as an .xlsx file.") % {"file": name}
            )
        ]
    )


def _damaged(name: str) -> Unreadable:
    return Unreadable([ImportProblem(_("%(file)s is damaged or not a complete Excel workbook.") % {"file": name})])


def _cell_problem(message: str, reference: str, title: str) -> ImportProblem:
    min_col, min_row, _max_col, _max_row = range_boundaries(reference)
    return ImportProblem(message, sheet=title, row=min_row, column=get_column_letter(min_col or 1))


def _sheet_problems(archive: zipfile.ZipFile, member: str, title: str) -> list[ImportProblem]:
    """Merged cells (which read as blanks below their first row) and formulas without a computed value."""
    merges, formulas = scan_sheet(archive, member)
    problems = []
    if merges:
        message = _("merged cells %(ranges)s. Unmerge them and fill in every cell, then upload again.")
        problems.append(_cell_problem(message % {"ranges": ", ".join(merges[:5])}, merges[0], title))
    if formulas:
        message = _(
            "cells %(cells)s hold formulas without a computed value. Open the file in Excel or WPS and save it "
            "again, or replace the formulas by their values."
        )
        problems.append(_cell_problem(message % {"cells": ", ".join(formulas[:5])}, formulas[0], title))
    return problems


def _workbook_open(data: bytes, parsed: ParsedItems) -> Any:
    """Open the workbook and find its sheets; refuse what is not an .xlsx or cannot be read as a whole."""
    name = parsed.file_name
    if data.startswith(_OLE2):
        message = _(
            "%(file)s is an Excel 97-2003 workbook (.xls). Open it in Excel or WPS, save it as an Excel workbook "
            "(.xlsx) and upload that file."
        )
        raise Unreadable([ImportProblem(message % {"file": name})])
    if not data.startswith(b"PK"):
        raise _not_xlsx(name)
    problems: list[ImportProblem] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise _not_xlsx(name)
            members = sheet_members(archive)
            tokens = {header_token(title): title for title in members}
            for sheet, english in _ENGLISH_TITLES.items():
                title = tokens.get(header_token(sheet)) or tokens.get(english)
                if title is not None:
                    parsed.titles[sheet] = title
                    problems += _sheet_problems(archive, members[title], title)
    except Unreadable:
        raise
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError, ValueError) as error:
        raise _damaged(name) from error
    if ITEM_SHEET not in parsed.titles:
        message = _("The workbook has no sheet named “%(sheet)s” (it has: %(found)s).")
        problems.append(ImportProblem(message % {"sheet": ITEM_SHEET, "found": "、".join(members)}, sheet=ITEM_SHEET))
    if problems:
        raise Unreadable(problems)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about what it drops (data validation …): irrelevant
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises whatever its parsers raise on a damaged part
        raise _damaged(name) from error


def _rows(workbook: Any, sheet: str, parsed: ParsedItems) -> tuple[list[tuple[int, tuple[Any, ...]]], dict[str, int]]:
    """The rows below the header, and where each known column is."""
    title = parsed.titles[sheet]
    rows = list(sheet_rows(workbook[title], title))
    header, found, parsed.columns[sheet] = header_read(
        rows, SHEET_COLUMNS[sheet], REQUIRED_COLUMNS[sheet], title, parsed.notes
    )
    return [(number, values) for number, values in rows if number > header], found


def _flag(reader: RowReader, key: str, default: bool) -> bool:
    value = reader.raw(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    return reader.flag(key)


def _choice(reader: RowReader, key: str, vocabulary: Mapping[str, str], values: list[str], default: str) -> str:
    """A choice that may be left blank (then it is the default)."""
    if not reader.text(key):
        return default
    return reader.choice(key, vocabulary, values)


def _item_type(reader: RowReader) -> str:
    text = reader.text("item_type")
    if text.isdigit() and len(text) == 1:
        text = text.zfill(2)  # a type typed as the number 1 in Excel
    by_name = ITEM_TYPE_NAMES.get(header_token(text))
    if by_name is not None:
        return by_name
    if text in ItemType.values:
        return text
    return reader.choice("item_type", ITEM_TYPES, ItemType.values)


def _item_values(reader: RowReader) -> dict[str, Any]:
    """The ItemInput fields of an item row (only those the sheet has a column for)."""
    present = set(reader.found)
    values: dict[str, Any] = {}
    if "item_type" in present:
        values["item_type"] = _item_type(reader)
    for key in ITEM_TEXTS:
        if key in present:
            values[key] = reader.text(key)
    for key, (vocabulary, choices) in ITEM_CHOICES.items():
        if key not in present:
            continue
        if key in _DEFAULTS:
            values[key] = _choice(reader, key, vocabulary, choices, str(_DEFAULTS[key]))
        else:
            values[key] = reader.choice(key, vocabulary, choices)
    for key in ITEM_NUMBERS:
        if key not in present:
            continue
        number = reader.integer(key, minimum=0)
        if number is None and key not in _DEFAULTS and not reader.text(key):
            reader.fail(key, _("This cell is required."))
        values[key] = number if number is not None else _DEFAULTS.get(key, 0)
    return values


def _read_items(workbook: Any, parsed: ParsedItems) -> dict[str, ParsedItem]:
    rows, found = _rows(workbook, ITEM_SHEET, parsed)
    by_code: dict[str, ParsedItem] = {}
    for number, values in rows:
        before = len(parsed.problems)
        reader = RowReader(values, number, found, partial(parsed.problem, ITEM_SHEET), parsed.problems)
        task_code = reader.text("task_code", required=True)
        item = ParsedItem(
            row=number,
            task_code=task_code,
            catalog_code=reader.text("catalog_code", required=True),
            department=reader.text("department"),
            values=_item_values(reader),
            readable=False,
        )
        if task_code in by_code:
            reader.fail(
                "task_code", _("Row %(row)d has this implementation code already.") % {"row": by_code[task_code].row}
            )
        item.readable = len(parsed.problems) == before
        parsed.items.append(item)
        if task_code:
            by_code.setdefault(task_code, item)
    return by_code


def _handling_item(reader: RowReader) -> HandlingItemInput:
    return HandlingItemInput(code=reader.text("code"), name=reader.text("name"))


def _material(reader: RowReader) -> MaterialInput:
    copies = reader.integer("copies", minimum=0)
    return MaterialInput(
        name=reader.text("name"),
        required=_flag(reader, "required", True),
        form=_choice(reader, "form", MATERIAL_FORMS, MaterialForm.values, MaterialForm.EITHER),
        copies=1 if copies is None else copies,
        source=_choice(reader, "source", MATERIAL_SOURCES, MaterialSource.values, MaterialSource.APPLICANT),
        source_reference=reader.text("source_reference"),
        legal_basis=reader.text("legal_basis"),
        notes=reader.text("notes"),
    )


def _fee(reader: RowReader) -> FeeInput:
    return FeeInput(
        name=reader.text("name"),
        standard=reader.text("standard"),
        legal_basis=reader.text("legal_basis"),
        reducible=_flag(reader, "reducible", False),
    )


_CHILD_READERS = {"handling_items": _handling_item, "materials": _material, "fees": _fee}


def _read_children(workbook: Any, kind: str, parsed: ParsedItems, by_code: dict[str, ParsedItem]) -> None:
    sheet = CHILD_SHEETS[kind]
    rows, found = _rows(workbook, sheet, parsed)
    for number, values in rows:
        before = len(parsed.problems)
        reader = RowReader(values, number, found, partial(parsed.problem, sheet), parsed.problems)
        task_code = reader.text("task_code", required=True)
        child = _CHILD_READERS[kind](reader)
        item = by_code.get(task_code)
        if item is None and task_code:
            reader.fail(
                "task_code",
                _("No row of sheet %(sheet)s has the implementation code %(code)s.")
                % {"sheet": parsed.titles[ITEM_SHEET], "code": task_code},
            )
        if item is not None:
            item.children[kind].append(ParsedRow(row=number, value=child, readable=len(parsed.problems) == before))


def items_read(*, data: bytes, name: str) -> ParsedItems:
    """Read an item-list workbook; every problem found is in the result's `problems`, nothing is written."""
    parsed = ParsedItems(file_name=name)
    try:
        with closing(_workbook_open(data, parsed)) as workbook:
            by_code = _read_items(workbook, parsed)
            for kind, sheet in CHILD_SHEETS.items():
                if sheet in parsed.titles:
                    _read_children(workbook, kind, parsed, by_code)
    except Unreadable as unreadable:
        parsed.problems.extend(unreadable.problems)
        parsed.items = []
    if not parsed.problems and not parsed.items:
        parsed.problems.append(
            ImportProblem(
                _("The sheet has no items below its header."), sheet=parsed.titles.get(ITEM_SHEET, ITEM_SHEET)
            )
        )
    return parsed
