"""Excel workbooks (XLSX): one sheet, merged cells and uncomputed formulas refused, cells as Excel shows them."""

from __future__ import annotations

import datetime
import posixpath
import re
import warnings
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree import ElementTree

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter, range_boundaries

from yiwang.datahub.ingestion.errors import UnreadableFile
from yiwang.datahub.ingestion.readers.common import BLOCK_SIZE, Opened, SourceRow, check_header, trim

# Excel keeps 15 significant digits: a longer number (an ID number, a bank card) has already lost digits.
EXCEL_EXACT_NUMBER_LIMIT = 10**15

_LISTED_LIMIT = 5  # ranges or cells named in one message; the rest are counted
_KEPT_LIMIT = 1000  # merged ranges and formula cells remembered from a sheet; the rest are counted

_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass
class _SheetScan:
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_col, min_row, max_col, max_row
    formulas: list[tuple[int, str]] = field(default_factory=list)  # row, cell reference
    formula_total: int = 0


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _sheet_member(archive: zipfile.ZipFile, name: str, sheet: str | None) -> tuple[str, str]:
    """(title, path inside the ZIP) of the requested worksheet, or of the first one."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314 - Python's expat refuses entity bombs
    relationships = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    targets = {
        item.get("Id", ""): (item.get("Target", ""), item.get("Type", ""))
        for item in relationships
        if _local(item.tag) == "Relationship"
    }
    titles: list[str] = []
    for element in workbook.iter():
        if _local(element.tag) != "sheet":
            continue
        title = element.get("name", "")
        target, kind = targets.get(element.get(_RELATIONSHIP_ID, ""), ("", ""))
        if not kind.endswith("/worksheet"):
            continue
        titles.append(title)
        if sheet is None or title == sheet:
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            return title, member
    if sheet is None:
        raise UnreadableFile(_("%(file)s has no worksheet.") % {"file": name})
    raise UnreadableFile(
        _("%(file)s has no sheet named “%(sheet)s”; its sheets are: %(sheets)s.")
        % {"file": name, "sheet": sheet, "sheets": "、".join(titles)}
    )


# A formula (<f>) or a merged range (<mergeCell>) anywhere in a sheet's XML, with or without a namespace prefix.
_FORMULA_OR_MERGE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:f|mergeCell)[\s/>]")


def _has_formulas_or_merges(archive: zipfile.ZipFile, member: str) -> bool:
    # A byte search is some thirty times faster than parsing; most exported sheets have neither.
    carry = b""
    with archive.open(member) as stream:
        while block := stream.read(BLOCK_SIZE):
            if _FORMULA_OR_MERGE.search(carry + block):
                return True
            carry = block[-64:]
    return False


def scan_sheet(archive: zipfile.ZipFile, member: str) -> _SheetScan:
    """Merged ranges and formula cells without a cached value, found by streaming the sheet's XML once."""
    scan = _SheetScan()
    if not _has_formulas_or_merges(archive, member):
        return scan
    sheet_data: ElementTree.Element | None = None
    row_number = 0
    column = 0
    with archive.open(member) as stream:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):  # noqa: S314
            tag = _local(element.tag)
            if event == "start":
                if tag == "row":
                    row_number = int(element.get("r") or row_number + 1)
                    column = 0
                elif tag == "sheetData":
                    sheet_data = element
                continue
            if tag == "c":
                reference = element.get("r")
                if reference:
                    row_number, column = coordinate_to_tuple(reference)
                else:
                    column += 1
                    reference = f"{get_column_letter(column)}{row_number}"
                formula = value = None
                for child in element:
                    child_tag = _local(child.tag)
                    if child_tag == "f":
                        formula = child
                    elif child_tag == "v":
                        value = child
                # An empty cached string (t="str") is a formula whose result is "": a value, not a missing one.
                if formula is not None and (value is None or not value.text) and element.get("t") != "str":
                    scan.formula_total += 1
                    if len(scan.formulas) < _KEPT_LIMIT:
                        scan.formulas.append((row_number, reference))
            elif tag == "row" and sheet_data is not None:
                sheet_data.clear()  # the rows already seen: keeps memory flat on a million rows
            elif tag == "mergeCell" and len(scan.merges) < _KEPT_LIMIT:
                reference = element.get("ref", "")
                try:
                    min_col, min_row, max_col, max_row = range_boundaries(reference)
                except (TypeError, ValueError):
                    continue
                scan.merges.append((min_col, min_row, max_col or min_col, max_row or min_row))
    return scan


def _range_text(bounds: tuple[int, int, int, int]) -> str:
    min_col, min_row, max_col, max_row = bounds
    return f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}"


def _listed(items: list[str], total: int) -> str:
    text = ", ".join(items[:_LISTED_LIMIT])
    if total > _LISTED_LIMIT:
        text += _(" and %(count)d more") % {"count": total - _LISTED_LIMIT}
    return text


def _load_workbook(stream: BinaryIO, name: str) -> Any:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation, conditional formats): irrelevant here.
            warnings.simplefilter("ignore")
            # A stream, not the path: given a path, openpyxl refuses names not ending in .xlsx (a renamed file).
            return openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:
        # openpyxl raises whatever its parsers raise on a damaged part (KeyError, ParseError, ValueError …).
        raise UnreadableFile(
            _("%(file)s could not be opened as an Excel workbook: it is damaged or incomplete.") % {"file": name}
        ) from error


def _xlsx_raw_rows(path: Path, name: str, title: str) -> Generator[tuple[int, tuple[Any, ...]], None, None]:
    """(Excel row number, cells) of each row that is not empty."""
    stream = path.open("rb")
    try:
        workbook = _load_workbook(stream, name)
    except UnreadableFile:
        stream.close()
        raise
    try:
        worksheet = workbook[title]
        worksheet.reset_dimensions()  # some programs write a wrong <dimension>, which would cut rows off
        number = 0
        rows = worksheet.iter_rows(min_row=1, min_col=1)
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                return
            except Exception as error:
                # A damaged sheet part surfaces as any parser error; the row before it is where it broke.
                raise _damaged_sheet(name, number) from error
            number += 1
            if any(cell.value is not None and str(cell.value).strip() for cell in cells):
                yield number, cells
    finally:
        workbook.close()
        stream.close()


def _damaged_sheet(name: str, rows_read: int) -> UnreadableFile:
    if not rows_read:
        return UnreadableFile(
            _("%(file)s could not be opened as an Excel workbook: it is damaged or incomplete.") % {"file": name}
        )
    return UnreadableFile(
        _("%(file)s, after row %(row)d: the worksheet is damaged and cannot be read further.")
        % {"file": name, "row": rows_read},
        row=rows_read + 1,
    )


def open_xlsx(path: Path, name: str, sheet: str | None, found: list[str]) -> Opened:
    try:
        with zipfile.ZipFile(path) as archive:
            title, member = _sheet_member(archive, name, sheet)
            scan = scan_sheet(archive, member)
    except UnreadableFile:
        raise
    except Exception as error:
        # A damaged part surfaces as whatever zipfile, zlib or expat raise (BadZipFile, zlib.error, ParseError …).
        raise UnreadableFile(
            _("%(file)s could not be opened as an Excel workbook: it is damaged or incomplete.") % {"file": name}
        ) from error

    raw_rows = _xlsx_raw_rows(path, name, title)
    try:
        for number, cells in raw_rows:
            filled = [position for position, cell in enumerate(cells) if _cell_value(cell) != ""]
            title_merge = len(filled) == 1 and any(
                bounds[0] == filled[0] + 1 and bounds[1] == bounds[3] == number and bounds[2] > bounds[0]
                for bounds in scan.merges
            )
            if not title_merge:
                header_row = number
                header = trim([_header_text(cell, name, number, position) for position, cell in enumerate(cells)])
                has_rows = next(raw_rows, None) is not None
                break
            found.append(
                _("%(file)s: row %(row)d looks like a title (one merged cell) and was skipped.")
                % {"file": name, "row": number}
            )
        else:
            raise UnreadableFile(
                _("%(file)s is empty: its sheet “%(sheet)s” has no cells.") % {"file": name, "sheet": title}
            )
    finally:
        raw_rows.close()

    touching = sorted((bounds for bounds in scan.merges if bounds[3] >= header_row), key=lambda bounds: bounds[1::-1])
    if touching:
        first = touching[0]
        raise UnreadableFile(
            _("%(file)s: merged cells %(ranges)s. Unmerge them and fill in every row, then upload the file again.")
            % {"file": name, "ranges": _listed([_range_text(bounds) for bounds in touching], len(touching))},
            row=first[1],
            column=get_column_letter(first[0]),
        )
    missing = [(row, reference) for row, reference in scan.formulas if row >= header_row]
    if missing:
        first_row, first_cell = missing[0]
        unlisted = scan.formula_total - len(scan.formulas)
        raise UnreadableFile(
            _(
                "%(file)s: cells %(cells)s hold formulas without a computed value; the file was saved by a program "
                "that does not calculate formulas. Open it in Excel or WPS and save it again, or replace the formulas "
                "by their values."
            )
            % {"file": name, "cells": _listed([reference for _row, reference in missing], len(missing) + unlisted)},
            row=first_row,
            column=first_cell.rstrip("0123456789"),
        )

    check_header(header, name, _column_letter)
    width = len(header)

    def rows() -> Iterator[SourceRow]:
        raw_rows = _xlsx_raw_rows(path, name, title)
        try:
            for number, cells in raw_rows:
                if number > header_row:
                    yield _xlsx_row(number, cells, width, name)
        finally:
            raw_rows.close()

    return Opened(header, header_row, has_rows, rows)


def _column_letter(position: int) -> str:
    """The Excel column letter of a 0-based position (0 → A)."""
    return str(get_column_letter(position + 1))


def _cell_value(cell: Any) -> Any:
    value = cell.value
    return "" if value is None or (isinstance(value, str) and not value.strip()) else value


def _header_text(cell: Any, name: str, row: int, position: int) -> str:
    text, _problem = _cell_text(cell, name, row, position)
    return text.strip()


def _xlsx_row(number: int, cells: tuple[Any, ...], width: int, name: str) -> SourceRow:
    texts: list[str] = []
    problems: list[str] = []
    for position, cell in enumerate(cells):
        text, problem = _cell_text(cell, name, number, position)
        texts.append(text)
        if problem:
            problems.append(problem)
    texts = texts[:width] + trim(texts[width:])
    if len(texts) > width:
        extra = [_column_letter(position) for position in range(width, len(texts)) if texts[position]]
        problems.append(
            _("This row has values in columns without a heading: %(columns)s.") % {"columns": ", ".join(extra)}
        )
    elif len(texts) < width:
        texts.extend([""] * (width - len(texts)))
    return SourceRow(number, texts, "; ".join(problems) or None)


def _cell_text(cell: Any, name: str, row: int, position: int) -> tuple[str, str | None]:
    """The cell as a person reads it in Excel, and a problem with it if any; raises for a mangled long number."""
    value = cell.value
    if value is None:
        return "", None
    reference = f"{_column_letter(position)}{row}"
    if getattr(cell, "data_type", None) == "e":
        return str(value), _("Cell %(cell)s shows the Excel error %(error)s.") % {"cell": reference, "error": value}
    if isinstance(value, str):
        return value, None
    if isinstance(value, bool):
        return ("true" if value else "false"), None
    if isinstance(value, int | float):
        if abs(value) >= EXCEL_EXACT_NUMBER_LIMIT:
            raise UnreadableFile(
                _(
                    "%(file)s, cell %(cell)s: the number %(number)s is longer than the 15 digits Excel keeps, so its "
                    "last digits are lost. ID numbers and other long codes must be stored as text in Excel: format "
                    "the column as Text and enter them again."
                )
                % {"file": name, "cell": reference, "number": format(Decimal(f"{value:.15g}"), "f")},
                row=row,
                column=_column_letter(position),
            )
        return _number_text(value), None
    if isinstance(value, datetime.datetime):
        if value.microsecond >= 500_000:  # Excel stores times as fractions of a day: round, do not truncate
            value += datetime.timedelta(seconds=1)
        value = value.replace(microsecond=0)
        if value.time() == datetime.time():
            return value.date().isoformat(), None
        return value.isoformat(), None
    if isinstance(value, datetime.date):
        return value.isoformat(), None
    if isinstance(value, datetime.time):
        return value.replace(microsecond=0).isoformat(), None
    if isinstance(value, datetime.timedelta):
        seconds = round(value.total_seconds())
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}", None
    return str(value), None


def _number_text(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    if value.is_integer():
        return str(int(value))
    # 15 significant digits is what Excel shows: 0.1 + 0.2 is stored as 0.30000000000000004 and shown as 0.3.
    return format(Decimal(f"{value:.15g}"), "f")
