"""Opening a workbook as a whole: its sheets, merged cells, formulas without values, header rows."""

from __future__ import annotations

import io
import posixpath
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any
from xml.etree import ElementTree

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.utils.cell import get_column_letter, range_boundaries

from yiwang.datahub.catalog.excel.columns import ELEMENT_SHEET, MAX_ROWS, RESOURCE_SHEET, Column
from yiwang.datahub.catalog.excel.problems import ImportProblem, Unreadable
from yiwang.datahub.catalog.schema import header_token

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_LISTED = 5  # cells named in one message; the rest are counted


def sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
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


def scan_sheet(archive: zipfile.ZipFile, member: str) -> tuple[list[str], list[str]]:
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


def workbook_open(data: bytes, name: str) -> tuple[Any, str, str]:
    """Open the workbook and find its two sheets; refuse what cannot be read as a whole."""
    if data.startswith(_OLE2):
        raise Unreadable(
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
        raise Unreadable([not_xlsx])
    problems: list[ImportProblem] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise Unreadable([not_xlsx])
            members = sheet_members(archive)
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
                merges, formulas = scan_sheet(archive, members[title])
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
    except Unreadable:
        raise
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError, ValueError) as error:
        raise Unreadable(
            [ImportProblem(_("%(file)s is damaged or not a complete Excel workbook.") % {"file": name})]
        ) from error
    if problems or resource_sheet is None or element_sheet is None:
        raise Unreadable(problems)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about what it drops (data validation, conditional formats): irrelevant here.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        # openpyxl raises whatever its parsers raise on a damaged part (KeyError, ParseError, ValueError …).
        raise Unreadable(
            [ImportProblem(_("%(file)s is damaged or not a complete Excel workbook.") % {"file": name})]
        ) from error
    return workbook, resource_sheet, element_sheet


def sheet_rows(worksheet: Any, sheet: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(Excel row number, values) of each row that is not empty."""
    worksheet.reset_dimensions()  # some programs write a wrong <dimension>, which would cut rows off
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if number > MAX_ROWS:
            raise Unreadable(
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


def header_read(
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
                raise Unreadable(
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
                raise Unreadable(
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
    raise Unreadable([ImportProblem(_("no header row: no cell says %(label)s.") % {"label": label}, sheet=sheet)])


def _listed(items: Sequence[str], total: int) -> str:
    text = ", ".join(items[:_LISTED])
    if total > _LISTED:
        text += _(" and %(count)d more") % {"count": total - _LISTED}
    return text
