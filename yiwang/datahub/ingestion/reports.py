"""The error report a person downloads and fixes: one line per refused cell or row, as CSV and as XLSX.

Entries stream to a CSV file as they come (UTF-8 with a BOM, so Excel shows Chinese correctly); `close()`
streams that CSV into an XLSX workbook (openpyxl write-only mode) and only then gives both files their final
names, so a report is never seen half-written. Values that a spreadsheet would run as formulas are neutralised.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

XLSX_MAX_ROWS = 1_048_576  # the most rows an Excel sheet holds, header included
MAX_CELL_CHARS = 32_000  # Excel holds at most 32,767 characters in a cell; longer values help nobody
_PART = ".part"
# A cell starting with one of these is run as a formula by Excel, WPS or LibreOffice ("CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# "-12.5" or "+86" start like a formula but a spreadsheet reads them as numbers, which run nothing: left alone.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class ReportFiles:
    """Where a closed report was written: the CSV (every entry) and the XLSX (up to Excel's row limit)."""

    csv: Path
    xlsx: Path


class ErrorReport:
    """An error report being written; `add` entries, then `close()` to get the files (None when empty)."""

    def __init__(self, directory: Path, base_name: str, *, xlsx_row_limit: int = XLSX_MAX_ROWS) -> None:
        if not base_name or Path(base_name).name != base_name or base_name in {".", ".."}:
            raise ValueError(f"a report's base name is a plain file name, not {base_name!r}")
        if xlsx_row_limit < 3:
            raise ValueError("an XLSX report needs room for the header, an entry and the notice")
        self.directory = directory
        self.base_name = base_name
        self.xlsx_row_limit = xlsx_row_limit
        self.csv_path = directory / f"{base_name}.csv"
        self.xlsx_path = directory / f"{base_name}.xlsx"
        # The header follows the language active when the report starts (Chinese for a person's upload).
        self._header = [_("Row"), _("Column"), _("Value"), _("Reason")]
        self._sheet_title = _("Errors")
        self._count = 0
        self._stream: IO[str] | None = None
        self._writer: Any = None
        self._closed = False
        self._files: ReportFiles | None = None

    @property
    def count(self) -> int:
        """How many entries were added."""
        return self._count

    def add(self, row: int, column: str, value: str, reason: str) -> None:
        """Append one entry: the row a person sees, the column heading, the value as read, and why it is wrong."""
        if self._closed:
            raise RuntimeError("the report is closed")
        if self._writer is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            # newline="": the csv module writes its own CRLF line ends, and line breaks inside values stay as they are.
            self._stream = self._part(self.csv_path).open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._stream)
            self._writer.writerow(self._header)
        self._writer.writerow([row, _escape(_clip(column)), _escape(_clip(value)), _escape(_clip(reason))])
        self._count += 1

    def close(self) -> ReportFiles | None:
        """Finish the CSV, write the XLSX from it, and return both paths; None (and no files) when empty."""
        if self._closed:
            return self._files
        self._closed = True
        if self._stream is not None:
            self._stream.close()
        if self._count == 0:
            self._remove()
            return None
        try:
            self._write_xlsx()
        except BaseException:
            self._remove()
            raise
        self._part(self.csv_path).replace(self.csv_path)
        self._part(self.xlsx_path).replace(self.xlsx_path)
        self._files = ReportFiles(csv=self.csv_path, xlsx=self.xlsx_path)
        return self._files

    def discard(self) -> None:
        """Stop and remove whatever was written (the batch failed before its report could mean anything)."""
        if self._stream is not None:
            self._stream.close()
        self._closed = True
        self._files = None
        self._remove()

    def __enter__(self) -> ErrorReport:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        # A report kept is one closed inside the block; anything else is removed, never left half-written.
        if not self._closed or kind is not None:
            self.discard()

    def _part(self, path: Path) -> Path:
        return path.with_name(path.name + _PART)

    def _remove(self) -> None:
        for path in (self.csv_path, self.xlsx_path):
            path.unlink(missing_ok=True)
            self._part(path).unlink(missing_ok=True)

    def _write_xlsx(self) -> None:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=self._sheet_title[:31])
        for letter, width in zip("ABCD", (10, 24, 32, 70), strict=True):
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        sheet.append([_text_cell(sheet, heading, font=bold) for heading in self._header])
        # Room for the header, and for the notice when the entries do not all fit.
        room = self.xlsx_row_limit - 1 if self._count < self.xlsx_row_limit else self.xlsx_row_limit - 2
        with self._part(self.csv_path).open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.reader(stream)
            next(reader)
            for written, (row, column, value, reason) in enumerate(reader):
                if written == room:
                    break
                sheet.append(
                    [
                        int(row),
                        _text(sheet, _unescape(column)),
                        # Text format: an ID number stays 18 digits when the person edits the cell.
                        _text_cell(sheet, _unescape(value), number_format="@"),
                        _text(sheet, _unescape(reason)),
                    ]
                )
        if self._count > room:
            notice = _(
                "Only the first %(shown)d of %(total)d entries fit in an Excel sheet; all of them are in the CSV "
                "file %(csv)s."
            ) % {"shown": room, "total": self._count, "csv": self.csv_path.name}
            sheet.append([_text_cell(sheet, notice, font=Font(bold=True, color="C00000"))])
        workbook.save(self._part(self.xlsx_path))


def _clip(text: str) -> str:
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


def _runs_as_formula(text: str) -> bool:
    bare = text.lstrip("'")
    return bare.startswith(_FORMULA_STARTS) and _PLAIN_NUMBER.fullmatch(bare) is None


def _escape(text: str) -> str:
    """Prefix a formula-like value with an apostrophe (OWASP's advice for CSV injection).

    An apostrophe rather than a tab: it is visible, so the person sees that the report changed the value, and it
    does not end up, invisibly, in the data they copy back. Values that already start with apostrophes before a
    formula get one more, so `_unescape` gives back exactly what was added. The XLSX needs neither: its cells are
    typed as text and never run.
    """
    return "'" + text if _runs_as_formula(text) else text


def _unescape(text: str) -> str:
    return text[1:] if text.startswith("'") and _runs_as_formula(text[1:]) else text


def _text(sheet: Any, text: str) -> Any:
    # A plain string is written as text unless openpyxl takes it for a formula or an error code; a styled cell costs
    # about twice as much to write, which counts over a million entries.
    if text.startswith("=") or text in ERROR_CODES or ILLEGAL_CHARACTERS_RE.search(text):
        return _text_cell(sheet, text)
    return text


def _text_cell(sheet: Any, text: str, *, font: Any = None, number_format: str | None = None) -> Any:
    # XML cannot hold most control characters; openpyxl refuses them, so they become U+FFFD.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", text))
    cell.data_type = "s"  # a string starting with "=" would otherwise be written as a formula
    if font is not None:
        cell.font = font
    if number_format is not None:
        cell.number_format = number_format
    return cell
