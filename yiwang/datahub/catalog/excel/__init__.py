"""The catalog as the Excel workbook departments hand in: sheet 信息资源 (resources) and sheet 信息项 (elements).

`catalog_workbook` writes exactly the columns below. `workbook_read` reads such a file back (Chinese labels or
English codes, in any column order) and reports every problem by sheet, row and column; it refuses a workbook
with merged cells or formulas without a computed value. `catalog_import` then checks the rows against the
database and applies the creates and updates through `catalog.services` in one transaction: on any problem,
or when only a preview is asked for, the transaction is rolled back and nothing is written.
"""

from yiwang.datahub.catalog.excel.columns import ELEMENT_SHEET, MAX_ROWS, RESOURCE_SHEET, XLSX_CONTENT_TYPE
from yiwang.datahub.catalog.excel.export import catalog_workbook
from yiwang.datahub.catalog.excel.importing import ImportAction, ImportReport, PlannedChange, catalog_import
from yiwang.datahub.catalog.excel.problems import ImportProblem, ParsedElement, ParsedResource, ParsedWorkbook
from yiwang.datahub.catalog.excel.reading import workbook_read

__all__ = [
    "ELEMENT_SHEET",
    "MAX_ROWS",
    "RESOURCE_SHEET",
    "XLSX_CONTENT_TYPE",
    "ImportAction",
    "ImportProblem",
    "ImportReport",
    "ParsedElement",
    "ParsedResource",
    "ParsedWorkbook",
    "PlannedChange",
    "catalog_import",
    "catalog_workbook",
    "workbook_read",
]
