"""Departments' files as a stream of rows: CSV (UTF-8, GBK or GB18030), Excel (XLSX), JSON and NDJSON.

`open_tabular` looks at the content, not the name: it detects the format and the text encoding, computes the
file's SM3 digest in one streaming pass, reads the header, and refuses with an `UnreadableFile` whatever cannot
be loaded as a whole (a picture, an old .xls, merged cells, formulas without values, mixed encodings …).
A problem that concerns one row only (too many cells, a nested JSON value) does not stop the file: the row is
yielded with its `problem`, and the caller reports it. Every reader streams, so memory stays flat whatever the
number of rows; `TabularSource.rows()` opens the file again on each call and closes it when done.
"""

from yiwang.datahub.ingestion.readers.common import BLOCK_SIZE, MAX_LINE_BYTES, MEBIBYTE, SourceRow, TabularSource
from yiwang.datahub.ingestion.readers.excel import EXCEL_EXACT_NUMBER_LIMIT
from yiwang.datahub.ingestion.readers.json_files import MAX_JSON_DIGITS
from yiwang.datahub.ingestion.readers.opening import open_tabular

__all__ = [
    "BLOCK_SIZE",
    "EXCEL_EXACT_NUMBER_LIMIT",
    "MAX_JSON_DIGITS",
    "MAX_LINE_BYTES",
    "MEBIBYTE",
    "SourceRow",
    "TabularSource",
    "open_tabular",
]
