"""The item list (事项清单) as the Excel workbook departments hand in: sheets 事项, 办理项, 材料 and 收费.

`items_workbook` writes the newest version of every item with exactly the columns in `columns.py`.
`import_items` reads such a file back (Chinese headers or field names, in any column order), checks every row
with the catalog's own rules and writes the items as drafts through `catalog.services` in one transaction:
on any problem, or for a dry run, the transaction is rolled back and nothing is written. The generic workbook
parts (header reading, cell reading, the styled header row, problems by sheet, row and column) are the data
hub's (`yiwang.datahub.catalog.excel`).
"""

from yiwang.services.catalog.excel.columns import FEE_SHEET, HANDLING_SHEET, ITEM_SHEET, MATERIAL_SHEET
from yiwang.services.catalog.excel.export import items_workbook
from yiwang.services.catalog.excel.importing import ImportResult, import_items
from yiwang.services.catalog.excel.reading import ParsedItems, items_read

__all__ = [
    "FEE_SHEET",
    "HANDLING_SHEET",
    "ITEM_SHEET",
    "MATERIAL_SHEET",
    "ImportResult",
    "ParsedItems",
    "import_items",
    "items_read",
    "items_workbook",
]
