"""Writing catalog entries as the workbook departments hand in."""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils.cell import get_column_letter

from yiwang.datahub.catalog.excel.columns import (
    DATA_TYPES,
    ELEMENT_COLUMNS,
    ELEMENT_SHEET,
    LIST_JOINER,
    OPENNESS_TYPES,
    RESOURCE_COLUMNS,
    RESOURCE_SHEET,
    SHARING_METHODS,
    SHARING_TYPES,
    UPDATE_CYCLES,
    Column,
    label_of,
)


def _cell_text(value: str) -> str:
    return str(ILLEGAL_CHARACTERS_RE.sub("", value))


def _rules_text(rules: Mapping[str, Any]) -> str:
    """The 校验规则 cell: the pattern alone, or (for other rules, such as a minimum) the rules as JSON."""
    if not rules:
        return ""
    if set(rules) == {"pattern"}:
        return str(rules["pattern"])
    return json.dumps(dict(rules), ensure_ascii=False, sort_keys=True)


def write_sheet(sheet: Any, columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> None:
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
                label_of(SHARING_TYPES, entry["sharing_type"]),
                entry.get("sharing_condition", ""),
                LIST_JOINER.join(label_of(SHARING_METHODS, item) for item in entry.get("sharing_methods") or []),
                label_of(OPENNESS_TYPES, entry["openness"]),
                entry.get("openness_condition", ""),
                label_of(UPDATE_CYCLES, entry["update_cycle"]),
                datetime.date.fromisoformat(release) if release else None,
                LIST_JOINER.join(entry.get("related") or []),
            ]
        )
        for position, element in enumerate(entry.get("elements") or [], start=1):
            element_rows.append(
                [
                    entry["code"],
                    position,
                    element["code"],
                    element["name"],
                    label_of(DATA_TYPES, element["data_type"]),
                    element.get("length"),
                    "是" if element.get("required") else "否",
                    "是" if element.get("is_key") else "否",
                    "是" if element.get("sensitive") else "否",
                    "是" if element.get("lookup") else "否",
                    LIST_JOINER.join(element.get("enumeration") or []),
                    element.get("concept", ""),
                    _rules_text(element.get("rules") or {}),
                ]
            )
    workbook = openpyxl.Workbook()
    resources = workbook.active
    resources.title = RESOURCE_SHEET
    write_sheet(resources, RESOURCE_COLUMNS, resource_rows)
    write_sheet(workbook.create_sheet(ELEMENT_SHEET), ELEMENT_COLUMNS, element_rows)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
