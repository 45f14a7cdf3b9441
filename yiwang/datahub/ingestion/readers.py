"""Departments' files as a stream of rows: CSV (UTF-8, GBK or GB18030), Excel (XLSX), JSON and NDJSON.

`open_tabular` looks at the content, not the name: it detects the format and the text encoding, computes the
file's SM3 digest in one streaming pass, reads the header, and refuses with an `UnreadableFile` whatever cannot
be loaded as a whole (a picture, an old .xls, merged cells, formulas without values, mixed encodings …).
A problem that concerns one row only (too many cells, a nested JSON value) does not stop the file: the row is
yielded with its `problem`, and the caller reports it. Every reader streams, so memory stays flat whatever the
number of rows; `TabularSource.rows()` opens the file again on each call and closes it when done.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import json
import posixpath
import re
import warnings
import zipfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePath
from typing import Any, BinaryIO, NamedTuple
from xml.etree import ElementTree

import ijson
import openpyxl
from cryptography.hazmat.primitives import hashes
from django.utils.translation import gettext as _
from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter, range_boundaries

from yiwang.datahub.ingestion.errors import UnreadableFile

BLOCK_SIZE = 1 << 20
MEBIBYTE = 1 << 20
# One physical line longer than this is not a table row (a file without line breaks, or a binary file).
MAX_LINE_BYTES = 16 * MEBIBYTE
# Excel keeps 15 significant digits: a longer number (an ID number, a bank card) has already lost digits.
EXCEL_EXACT_NUMBER_LIMIT = 10**15

_UTF8_BOM = codecs.BOM_UTF8
_UTF8 = "utf-8"
_GB18030 = "gb18030"
# Once the text holds non-ASCII characters, this many more bytes of valid UTF-8 settle the encoding.
_DETECTION_WINDOW = MEBIBYTE
# Valid non-ASCII UTF-8 characters before the first invalid byte that prove the file began in UTF-8 (GBK text
# is valid UTF-8 by chance for a character or two, never for dozens), so the later line is reported as mixed.
_UTF8_EVIDENCE = 64
# A line of a GBK file that is valid UTF-8 with this many non-ASCII characters was written in UTF-8: by chance
# the probability is below 1e-13 per line (about 0.15 per character).
_UTF8_LINE_EVIDENCE = 16
_PREFIX_SIZE = 64 * 1024  # what format sniffing looks at
_VOTE_SLICE = 256 * 1024
_DELIMITERS = (",", "\t", ";", "|")
_LISTED_LIMIT = 5  # ranges or cells named in one message; the rest are counted
_KEPT_LIMIT = 1000  # merged ranges and formula cells remembered from a sheet; the rest are counted

_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One row as a person sees it: its number in their program, its cells as text, and a row-level problem."""

    number: int
    cells: list[str]
    problem: str | None = None


class TabularSource:
    """A readable table: format, encoding, SM3 digest, size, header and warnings; `rows()` streams the rows."""

    def __init__(
        self,
        *,
        name: str,
        format: str,
        encoding: str,
        digest: str,
        size: int,
        header: list[str],
        header_row: int,
        warnings: list[str],
        row_reader: Callable[[], Iterator[SourceRow]],
    ) -> None:
        self.name = name
        self.format = format
        self.encoding = encoding
        self.digest = digest
        self.size = size
        self.header = header
        self.header_row = header_row
        self.warnings = warnings
        self._row_reader = row_reader

    def rows(self) -> Iterator[SourceRow]:
        """The data rows after the header, streamed; raises `UnreadableFile` if the file breaks further down."""
        return self._row_reader()

    def __repr__(self) -> str:
        return f"<TabularSource {self.name!r} {self.format} {self.encoding or '-'} {len(self.header)} columns>"


def open_tabular(
    path: Path, *, max_bytes: int | None = None, declared_name: str | None = None, sheet: str | None = None
) -> TabularSource:
    """Detect the format of `path` from its content, digest it, read its header; `UnreadableFile` if it can't."""
    # Some browsers send the whole client path ("C:\fakepath\人口.csv"): a person knows the file by its name.
    name = (declared_name or path.name).replace("\\", "/").rsplit("/", 1)[-1] or path.name
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile(_("%(file)s is empty.") % {"file": name})
    if max_bytes is not None and size > max_bytes:
        raise UnreadableFile(
            _("%(file)s is %(size)s MB, more than the limit of %(limit)s MB. Split it into smaller files.")
            % {"file": name, "size": _megabytes(size, round_up=True), "limit": _megabytes(max_bytes, round_up=False)}
        )
    scan = _scan(path)
    kind = _sniff(path, scan.prefix, size, name)
    found: list[str] = []
    if kind == "xlsx":
        opened = _open_xlsx(path, name, sheet, found)
        encoding = ""
    elif kind == "csv":
        encoding = _text_encoding(scan, name)
        opened = _open_csv(path, name, encoding)
    else:
        encoding = _text_encoding(scan, name)
        if encoding != _UTF8:
            raise UnreadableFile(
                _("%(file)s is JSON in the GBK or GB18030 encoding; JSON files must be saved in UTF-8.")
                % {"file": name}
            )
        encoding = ""
        opened = _open_json(path, name) if kind == "json" else _open_ndjson(path, name)
    if not opened.has_rows and kind == "json":
        found.append(_("%(file)s holds no records.") % {"file": name})
    elif not opened.has_rows:
        found.append(_("%(file)s has a header but no rows.") % {"file": name})
    return TabularSource(
        name=name,
        format=kind,
        encoding=encoding,
        digest=scan.digest,
        size=size,
        header=opened.header,
        header_row=opened.header_row,
        warnings=_extension_warning(name, kind) + found,
        row_reader=opened.rows,
    )


class _Opened(NamedTuple):
    header: list[str]
    header_row: int  # 0 when the format has no header row (JSON, NDJSON)
    has_rows: bool
    rows: Callable[[], Iterator[SourceRow]]


def _megabytes(size: int, *, round_up: bool) -> str:
    # Rounding the file up and the limit down keeps the two figures different in the message.
    tenths = -(-size * 10 // MEBIBYTE) if round_up else size * 10 // MEBIBYTE
    if tenths == 0 and not round_up:
        return f"{size / MEBIBYTE:.3f}"
    return f"{tenths // 10}.{tenths % 10}"


# --- the first pass: digest, prefix and encoding ---------------------------------------------------------------


@dataclass
class _Scan:
    digest: str
    prefix: bytes
    utf8: bool
    prefix_gb18030_ok: bool


class _EncodingVote:
    """Decides between UTF-8 and GB18030 from the first stretch of non-ASCII text, one block at a time."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder(_UTF8)("strict")
        self._non_ascii = 0
        self._window = 0
        self.utf8: bool | None = None

    def feed(self, block: bytes) -> None:
        if self.utf8 is not None:
            return
        try:
            text = self._decoder.decode(block)
        except UnicodeDecodeError as error:
            valid = error.object[: error.start].decode(_UTF8, errors="ignore")
            self.utf8 = self._non_ascii + _count_non_ascii(valid) >= _UTF8_EVIDENCE
            return
        found = _count_non_ascii(text)
        if found or self._window:
            self._window += len(block)
        self._non_ascii += found
        if self._window > _DETECTION_WINDOW:
            self.utf8 = True

    def finish(self) -> bool:
        if self.utf8 is None:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                # A file cut inside its last character: UTF-8 if the rest says so; the last line then fails.
                self.utf8 = self._non_ascii >= _UTF8_EVIDENCE
            else:
                self.utf8 = True
        return self.utf8


def _count_non_ascii(text: str) -> int:
    return len(text) - len(text.encode("ascii", errors="ignore"))


def _scan(path: Path) -> _Scan:
    hasher = hashes.Hash(hashes.SM3())
    vote = _EncodingVote()
    prefix = b""
    # One buffer reused for every block, and the vote fed in slices, keep this pass at about one block of memory.
    buffer = bytearray(BLOCK_SIZE)
    view = memoryview(buffer)
    with path.open("rb") as stream:
        while read := stream.readinto(buffer):
            hasher.update(view[:read])
            if not prefix:
                prefix = bytes(view[: min(read, _PREFIX_SIZE)])
            for start in range(0, read, _VOTE_SLICE):
                if vote.utf8 is not None:
                    break
                vote.feed(bytes(view[start : min(start + _VOTE_SLICE, read)]))
    view.release()
    utf8 = prefix.startswith(_UTF8_BOM) or vote.finish()
    gb18030_ok = True
    if not utf8:
        try:
            codecs.getincrementaldecoder(_GB18030)("strict").decode(prefix)
        except UnicodeDecodeError:
            gb18030_ok = False
    return _Scan(digest=hasher.finalize().hex(), prefix=prefix, utf8=utf8, prefix_gb18030_ok=gb18030_ok)


def _text_encoding(scan: _Scan, name: str) -> str:
    if scan.utf8:
        return _UTF8
    if not scan.prefix_gb18030_ok:
        raise UnreadableFile(
            _("%(file)s cannot be read as text in UTF-8, GBK or GB18030. Save it as “CSV UTF-8” and upload it again.")
            % {"file": name}
        )
    return _GB18030


# --- what the content is ---------------------------------------------------------------------------------------


def _binary_kinds() -> tuple[tuple[bytes, str], ...]:
    return (
        (b"\x89PNG\r\n\x1a\n", _("a PNG image")),
        (b"\xff\xd8\xff", _("a JPEG image")),
        (b"GIF87a", _("a GIF image")),
        (b"GIF89a", _("a GIF image")),
        (b"%PDF", _("a PDF document")),
        (b"\x1f\x8b", _("a gzip archive")),
        (b"7z\xbc\xaf\x27\x1c", _("a 7-Zip archive")),
        (b"Rar!\x1a\x07", _("a RAR archive")),
    )


def _not_a_table(name: str, what: str) -> UnreadableFile:
    return UnreadableFile(
        _("%(file)s is not a table: its content is %(what)s. Upload a CSV, Excel (.xlsx) or JSON file.")
        % {"file": name, "what": what}
    )


def _sniff(path: Path, prefix: bytes, size: int, name: str) -> str:
    if prefix.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _sniff_zip(path, name)
    if prefix.startswith(_OLE2):
        raise UnreadableFile(
            _(
                "%(file)s is an old Excel 97–2003 workbook (.xls) or a password-protected workbook, which cannot be "
                "read. Open it in Excel or WPS, remove any password, and save it as .xlsx or as CSV."
            )
            % {"file": name}
        )
    for signature, what in _binary_kinds():
        if prefix.startswith(signature):
            raise _not_a_table(name, what)
    if prefix.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile(
            _("%(file)s is saved as UTF-16 (“Unicode text”). Save it as “CSV UTF-8” and upload it again.")
            % {"file": name}
        )
    if b"\x00" in prefix:
        raise _not_a_table(name, _("binary data"))
    text = prefix.removeprefix(_UTF8_BOM).lstrip(b" \t\r\n")
    if not text:
        if size <= len(prefix):
            raise UnreadableFile(_("%(file)s is empty.") % {"file": name})
        return "csv"
    if text.startswith(b"["):
        return "json"
    if text.startswith(b"{"):
        return "ndjson"
    if text.startswith(b"<"):
        raise _not_a_table(name, _("a web page or an XML document (some systems export these as .xls)"))
    return "csv"


def _sniff_zip(path: Path, name: str) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = b""
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    mimetype = member.read(100)
    except (zipfile.BadZipFile, OSError) as error:
        raise UnreadableFile(
            _("%(file)s is a damaged ZIP or Excel file and cannot be opened.") % {"file": name}
        ) from error
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        raise UnreadableFile(
            _("%(file)s is an Excel binary workbook (.xlsb). Save it as .xlsx or as CSV.") % {"file": name}
        )
    if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        raise UnreadableFile(
            _("%(file)s is an OpenDocument spreadsheet (.ods). Save it as .xlsx or as CSV.") % {"file": name}
        )
    if "word/document.xml" in names:
        raise _not_a_table(name, _("a Word document"))
    if "ppt/presentation.xml" in names:
        raise _not_a_table(name, _("a PowerPoint presentation"))
    raise _not_a_table(name, _("a ZIP archive (unpack it and upload the table inside)"))


_EXTENSION_FORMATS: dict[str, frozenset[str]] = {
    ".csv": frozenset({"csv"}),
    ".txt": frozenset({"csv"}),
    ".tsv": frozenset({"csv"}),
    ".xlsx": frozenset({"xlsx"}),
    ".xlsm": frozenset({"xlsx"}),
    ".xls": frozenset(),
    ".et": frozenset(),
    ".json": frozenset({"json", "ndjson"}),
    ".ndjson": frozenset({"json", "ndjson"}),
    ".jsonl": frozenset({"json", "ndjson"}),
}


def _extension_warning(name: str, kind: str) -> list[str]:
    suffix = PurePath(name).suffix.lower()
    expected = _EXTENSION_FORMATS.get(suffix)
    if expected is None or kind in expected:
        return []
    what = {
        "csv": _("CSV text"),
        "xlsx": _("an Excel workbook (XLSX)"),
        "json": _("a JSON array"),
        "ndjson": _("NDJSON (one JSON object per line)"),
    }[kind]
    return [
        _("%(file)s is named %(suffix)s but holds %(what)s; it was read by its content.")
        % {"file": name, "suffix": suffix, "what": what}
    ]


def _check_header(header: list[str], name: str, label: Callable[[int], str]) -> None:
    seen: dict[str, int] = {}
    for position, heading in enumerate(header):
        if not heading:
            continue
        if heading in seen:
            raise UnreadableFile(
                _(
                    "%(file)s: the heading “%(heading)s” appears in column %(first)s and in column %(second)s; "
                    "each column needs its own heading."
                )
                % {"file": name, "heading": heading, "first": label(seen[heading]), "second": label(position)},
                column=heading,
            )
        seen[heading] = position


def _trim(cells: list[str]) -> list[str]:
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def _binary_lines(path: Path, name: str) -> Generator[tuple[int, bytes], None, None]:
    """Physical lines (split on LF, which no byte of a UTF-8 or GB18030 multi-byte character can be)."""
    with path.open("rb") as stream:
        number = 0
        while raw := stream.readline(MAX_LINE_BYTES):
            number += 1
            if len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
                raise UnreadableFile(
                    _("%(file)s, line %(line)d: the line is longer than %(limit)d MB; the file is not a table.")
                    % {"file": name, "line": number, "limit": MAX_LINE_BYTES // MEBIBYTE},
                    row=number,
                )
            yield number, (raw.removeprefix(_UTF8_BOM) if number == 1 else raw)


# --- CSV -------------------------------------------------------------------------------------------------------


def _decoded_lines(path: Path, name: str, encoding: str) -> Generator[str, None, None]:
    for number, raw in _binary_lines(path, name):
        try:
            line = raw.decode(encoding)
        except UnicodeDecodeError as error:
            if encoding == _UTF8:
                message = _(
                    "%(file)s, line %(line)d: this line is not valid UTF-8 (the encoding of the lines before it), "
                    "so the file mixes encodings. Save the whole file again in one encoding, preferably UTF-8."
                )
            else:
                message = _(
                    "%(file)s, line %(line)d: this line cannot be read as GBK or GB18030 (the encoding of the lines "
                    "before it): the file mixes encodings or is damaged. Save the whole file again in one encoding, "
                    "preferably UTF-8."
                )
            raise UnreadableFile(message % {"file": name, "line": number}, row=number) from error
        if encoding == _GB18030 and not raw.isascii() and _looks_utf8(raw):
            raise UnreadableFile(
                _(
                    "%(file)s, line %(line)d: this line is written in UTF-8 while the file is in GBK or GB18030, so "
                    "the file mixes encodings. Save the whole file again in one encoding, preferably UTF-8."
                )
                % {"file": name, "line": number},
                row=number,
            )
        yield line


def _looks_utf8(raw: bytes) -> bool:
    try:
        text = raw.decode(_UTF8)
    except UnicodeDecodeError:
        return False
    return _count_non_ascii(text) >= _UTF8_LINE_EVIDENCE


def _sniff_delimiter(line: str) -> str:
    counts = {delimiter: line.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])  # max keeps the first of equals: the comma
    return best if counts[best] else ","


def _csv_records(path: Path, name: str, encoding: str, delimiter: str) -> Generator[tuple[int, list[str]], None, None]:
    """(first line, cells) of each record that is not blank; quoted line breaks count as lines."""
    # strict: a quote never closed is an error at the end of the file instead of one row swallowing the rest.
    lines = _decoded_lines(path, name, encoding)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    ended = 0
    try:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise _csv_error(name, ended + 1, reader.line_num, str(error)) from error
            start, ended = ended + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                yield start, cells
    finally:
        lines.close()


def _csv_error(name: str, start: int, line: int, detail: str) -> UnreadableFile:
    if "end of data" in detail:
        message = _(
            '%(file)s, line %(line)d: a quote (") opened in this row is never closed, so the rest of the file '
            "reads as one cell. Close the quote or remove it."
        )
        return UnreadableFile(message % {"file": name, "line": start}, row=start)
    if "field larger than field limit" in detail:
        message = _(
            "%(file)s, line %(line)d: a cell of this row is longer than %(limit)d characters; most likely a quote "
            '(") opened in it is never closed. Close the quote or remove it.'
        )
        return UnreadableFile(message % {"file": name, "line": start, "limit": csv.field_size_limit()}, row=start)
    if "expected after" in detail:
        message = _(
            "%(file)s, line %(line)d: a quoted cell is followed by other characters before the next separator. "
            'Put the whole cell in quotes and double any quote inside it ("").'
        )
        return UnreadableFile(message % {"file": name, "line": line}, row=line)
    if "new-line character" in detail:
        message = _(
            "%(file)s, line %(line)d: the lines end with a lone carriage return (an old Mac format). Save the file "
            "again as “CSV UTF-8”."
        )
        return UnreadableFile(message % {"file": name, "line": line}, row=line)
    message = _("%(file)s, line %(line)d: the line is not valid CSV (%(detail)s).")
    return UnreadableFile(message % {"file": name, "line": line, "detail": detail}, row=line)


def _open_csv(path: Path, name: str, encoding: str) -> _Opened:
    lines = _decoded_lines(path, name, encoding)
    try:
        first_line = next((line for line in lines if line.strip()), "")
    finally:
        lines.close()
    if not first_line:
        raise UnreadableFile(_("%(file)s is empty.") % {"file": name})
    delimiter = _sniff_delimiter(first_line)
    records = _csv_records(path, name, encoding, delimiter)
    try:
        header_line, cells = next(records)
        has_rows = next(records, None) is not None
    finally:
        records.close()
    cells[0] = cells[0].removeprefix("\ufeff")
    header = _trim([cell.strip() for cell in cells])
    _check_header(header, name, lambda position: str(position + 1))
    width = len(header)

    def rows() -> Iterator[SourceRow]:
        records = _csv_records(path, name, encoding, delimiter)
        try:
            next(records)
            for number, cells in records:
                yield _fit(number, cells, width)
        finally:
            records.close()

    return _Opened(header, header_line, has_rows, rows)


def _fit(number: int, cells: list[str], width: int) -> SourceRow:
    if len(cells) > width:
        cells = cells[:width] + _trim(cells[width:])
    if len(cells) > width:
        problem = _("This row has %(cells)d cells, but the header has %(columns)d columns.") % {
            "cells": len(cells),
            "columns": width,
        }
        return SourceRow(number, cells, problem)
    if len(cells) < width:
        cells.extend([""] * (width - len(cells)))
    return SourceRow(number, cells)


# --- XLSX ------------------------------------------------------------------------------------------------------


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


def _scan_sheet(archive: zipfile.ZipFile, member: str) -> _SheetScan:
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


def _open_xlsx(path: Path, name: str, sheet: str | None, found: list[str]) -> _Opened:
    try:
        with zipfile.ZipFile(path) as archive:
            title, member = _sheet_member(archive, name, sheet)
            scan = _scan_sheet(archive, member)
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
                header = _trim([_header_text(cell, name, number, position) for position, cell in enumerate(cells)])
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

    _check_header(header, name, _column_letter)
    width = len(header)

    def rows() -> Iterator[SourceRow]:
        raw_rows = _xlsx_raw_rows(path, name, title)
        try:
            for number, cells in raw_rows:
                if number > header_row:
                    yield _xlsx_row(number, cells, width, name)
        finally:
            raw_rows.close()

    return _Opened(header, header_row, has_rows, rows)


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
    texts = texts[:width] + _trim(texts[width:])
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


# --- JSON and NDJSON -------------------------------------------------------------------------------------------

# The longest run of digits let through to ijson's C parser, which crashes the process (it does not fail) on an
# integer longer than Python's limit of 4,300 digits. No value of a registry comes near it.
MAX_JSON_DIGITS = 1000
_LONG_DIGITS = re.compile(rb"[0-9]{%d,}" % (MAX_JSON_DIGITS + 1))
_DIGITS = b"0123456789"
_NESTED = object()  # stands for a nested object or list, which is refused, never built


class _DigitGuard:
    """A binary stream that refuses a run of digits longer than `MAX_JSON_DIGITS` before ijson reads it."""

    def __init__(self, stream: BinaryIO, name: str) -> None:
        self._stream = stream
        self._name = name
        self._tail = 0  # digits at the end of what was read so far
        self._lines = 1  # the line of the file where the next read starts
        self.records = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        leading = len(data) - len(data.lstrip(_DIGITS))
        found = _LONG_DIGITS.search(data)
        if self._tail + leading > MAX_JSON_DIGITS or found:
            # ijson reads ahead of the records it yields: the line, not the record, says where.
            line = self._lines if found is None else self._lines + data.count(b"\n", 0, found.start())
            raise UnreadableFile(
                _(
                    "%(file)s, line %(line)d: a number is longer than %(limit)d digits. "
                    "Store long codes as text (in quotes)."
                )
                % {"file": self._name, "line": line, "limit": MAX_JSON_DIGITS}
            )
        trailing = len(data) - len(data.rstrip(_DIGITS))
        self._tail = self._tail + len(data) if trailing == len(data) else trailing
        self._lines += data.count(b"\n")
        return data


def _json_items(path: Path, name: str) -> Generator[tuple[int, dict[str, Any] | None], None, None]:
    """(index, record) of each item of the top-level array; None for an item that is not an object.

    Built from ijson's flat event stream, not `ijson.items`: its prefixes grow with the nesting depth, so a few
    kilobytes of nested brackets would take gigabytes; here nested values are skipped, whatever their depth.
    """
    with path.open("rb") as stream:
        if stream.read(len(_UTF8_BOM)) != _UTF8_BOM:
            stream.seek(0)
        guard = _DigitGuard(stream, name)
        events = ijson.basic_parse(guard, use_float=False)
        depth = 0
        record: dict[str, Any] | None = None
        key = ""
        while True:
            try:
                event, value = next(events)
            except StopIteration:
                return
            except ijson.JSONError as error:
                raise UnreadableFile(
                    _("%(file)s: the JSON is malformed after record %(record)d (%(detail)s).")
                    % {"file": name, "record": guard.records, "detail": _json_error_detail(error)},
                    row=guard.records + 1,
                ) from error
            if event in ("start_map", "start_array"):
                depth += 1
                if depth == 2:
                    record = {} if event == "start_map" else None
                elif depth == 3 and record is not None:
                    record[key] = _NESTED
                continue
            if event in ("end_map", "end_array"):
                depth -= 1
                if depth == 1:
                    guard.records += 1
                    yield guard.records, record
                continue
            if depth == 1:  # a bare value in the array
                guard.records += 1
                yield guard.records, None
            elif depth == 2 and record is not None:
                if event == "map_key":
                    key = value
                else:
                    record[key] = value


def _json_error_detail(error: Exception) -> str:
    # yajl's message is bytes or text, followed by a snippet of the file and a caret: the first line says it.
    detail = error.args[0] if error.args else ""
    if isinstance(detail, bytes):
        detail = detail.decode(_UTF8, errors="replace")
    lines = str(detail).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _json_header(first: Any, name: str, where: str, row: int) -> list[str]:
    if not isinstance(first, dict) or not first:
        raise UnreadableFile(
            _("%(file)s: %(where)s is not an object with named values, so it gives no columns.")
            % {"file": name, "where": where},
            row=row,
        )
    header = [str(key).strip() for key in first]
    _check_header(header, name, lambda position: str(position + 1))
    return header


def _json_row(number: int, record: Any, columns: dict[str, int]) -> SourceRow:
    if not isinstance(record, dict):
        return SourceRow(number, [], _("This record is not an object with named values."))
    cells = [""] * len(columns)
    problems: list[str] = []
    for key, value in record.items():
        position = columns.get(str(key).strip())
        if position is None:
            problems.append(_("The key “%(key)s” is not in the first record, so it has no column.") % {"key": key})
        elif value is _NESTED or isinstance(value, dict | list):
            problems.append(
                _(
                    "The value of “%(key)s” is a nested object or list; only text, numbers, true/false and null "
                    "can be loaded."
                )
                % {"key": key}
            )
        elif value is None:
            pass
        elif isinstance(value, bool):
            cells[position] = "true" if value else "false"
        else:
            cells[position] = str(value)  # an int or a Decimal: the number as written, without float rounding
    return SourceRow(number, cells, "; ".join(problems) or None)


def _open_json(path: Path, name: str) -> _Opened:
    items = _json_items(path, name)
    try:
        first = next(items, None)
    finally:
        items.close()
    if first is None:
        return _Opened([], 0, False, lambda: iter(()))
    header = _json_header(first[1], name, _("the first record"), 1)
    columns = {key: position for position, key in enumerate(header)}

    def rows() -> Iterator[SourceRow]:
        items = _json_items(path, name)
        try:
            for number, record in items:
                yield _json_row(number, record, columns)
        finally:
            items.close()

    return _Opened(header, 0, True, rows)


def _reject_constant(constant: str) -> Any:
    raise ValueError(_("%(constant)s is not a JSON number") % {"constant": constant})


def _ndjson_records(path: Path, name: str) -> Generator[tuple[int, Any, str | None], None, None]:
    """(line, value, problem) of each line that is not blank; a line that is not JSON is a problem of its row."""
    for number, raw in _binary_lines(path, name):
        try:
            line = raw.decode(_UTF8)
        except UnicodeDecodeError as error:
            raise UnreadableFile(
                _("%(file)s, line %(line)d: this line is not valid UTF-8; JSON files must be saved in UTF-8.")
                % {"file": name, "line": number},
                row=number,
            ) from error
        if not line.strip():
            continue
        try:
            value = json.loads(line.rstrip("\r\n"), parse_float=Decimal, parse_constant=_reject_constant)
        except json.JSONDecodeError as error:
            problem = _("This line is not valid JSON (%(detail)s at column %(column)d).")
            yield number, None, problem % {"detail": error.msg, "column": error.colno}
        except RecursionError:
            yield number, None, _("This line is not valid JSON (nested too deeply).")
        except ValueError as error:  # NaN, Infinity, or an integer longer than Python converts
            yield number, None, _("This line is not valid JSON (%(detail)s).") % {"detail": str(error)}
        else:
            yield number, value, None


def _open_ndjson(path: Path, name: str) -> _Opened:
    records = _ndjson_records(path, name)
    try:
        header_line, first, problem = next(records, (0, None, None))
    finally:
        records.close()
    if problem is not None or not isinstance(first, dict):
        raise UnreadableFile(
            _(
                "%(file)s, line %(line)d: this line is not a complete JSON object. An NDJSON file has one object per "
                "line; a JSON file is an array of objects: [{…}, {…}]."
            )
            % {"file": name, "line": header_line},
            row=header_line,
        )
    header = _json_header(first, name, _("the first line"), header_line)
    columns = {key: position for position, key in enumerate(header)}

    def rows() -> Iterator[SourceRow]:
        records = _ndjson_records(path, name)
        try:
            for number, value, problem in records:
                yield SourceRow(number, [], problem) if problem is not None else _json_row(number, value, columns)
        finally:
            records.close()

    return _Opened(header, 0, True, rows)
