"""Writing the item list as the workbook departments hand in."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from yiwang.datahub.catalog.excel.columns import label_of
from yiwang.datahub.catalog.excel.export import write_sheet
from yiwang.services.catalog.excel.columns import (
    FEE_COLUMNS,
    FEE_SHEET,
    HANDLING_COLUMNS,
    HANDLING_SHEET,
    ITEM_CHOICES,
    ITEM_COLUMNS,
    ITEM_SHEET,
    ITEM_TYPES,
    MATERIAL_COLUMNS,
    MATERIAL_FORMS,
    MATERIAL_SHEET,
    MATERIAL_SOURCES,
)
from yiwang.services.catalog.selectors import item_list, item_version_get
from yiwang.services.catalog.services import ItemInput, input_of


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _item_row(task_code: str, catalog_code: str, department: str, data: ItemInput) -> list[Any]:
    values: dict[str, Any] = {
        "catalog_code": catalog_code,
        "task_code": task_code,
        "item_type": label_of(ITEM_TYPES, data.item_type),
        "department": department,
    }
    for column in ITEM_COLUMNS:
        if column.key in ITEM_CHOICES:
            values[column.key] = label_of(ITEM_CHOICES[column.key][0], getattr(data, column.key))
        elif column.key not in values:
            values[column.key] = getattr(data, column.key)
    return [values[column.key] for column in ITEM_COLUMNS]


def items_workbook(*, department_id: int | None) -> bytes:
    """An .xlsx of the newest version of every item (of one department, or all), with its children."""
    rows: dict[str, list[list[Any]]] = {ITEM_SHEET: [], HANDLING_SHEET: [], MATERIAL_SHEET: [], FEE_SHEET: []}
    for summary in item_list(department_id=department_id):
        data = input_of(item_version_get(version_id=summary.version_id))
        code = summary.task_code
        rows[ITEM_SHEET].append(_item_row(code, summary.catalog_code, summary.department, data))
        rows[HANDLING_SHEET] += [[code, handling.code, handling.name] for handling in data.handling_items]
        rows[MATERIAL_SHEET] += [
            [
                code,
                material.name,
                _yes_no(material.required),
                label_of(MATERIAL_FORMS, material.form),
                material.copies,
                label_of(MATERIAL_SOURCES, material.source),
                material.source_reference,
                material.legal_basis,
                material.notes,
            ]
            for material in data.materials
        ]
        rows[FEE_SHEET] += [
            [code, fee.name, fee.standard, fee.legal_basis, _yes_no(fee.reducible)] for fee in data.fees
        ]
    workbook = openpyxl.Workbook()
    items = workbook.active
    items.title = ITEM_SHEET
    write_sheet(items, ITEM_COLUMNS, rows[ITEM_SHEET])
    write_sheet(workbook.create_sheet(HANDLING_SHEET), HANDLING_COLUMNS, rows[HANDLING_SHEET])
    write_sheet(workbook.create_sheet(MATERIAL_SHEET), MATERIAL_COLUMNS, rows[MATERIAL_SHEET])
    write_sheet(workbook.create_sheet(FEE_SHEET), FEE_COLUMNS, rows[FEE_SHEET])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
