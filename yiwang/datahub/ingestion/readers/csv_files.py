"""CSV in UTF-8, GBK, GB18030 or UTF-16: lines decoded one by one, the delimiter sniffed, rows fitted to the header."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Generator, Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from yiwang.datahub.ingestion.errors import UnreadableFile
from yiwang.datahub.ingestion.readers.common import (
    BLOCK_SIZE,
    GB18030,
    MAX_LINE_BYTES,
    MEBIBYTE,
    UTF8,
    UTF16,
    Opened,
    SourceRow,
    binary_lines,
    check_header,
    count_non_ascii,
    trim,
)

# A line of a GBK file that is valid UTF-8 with this many non-ASCII characters was written in UTF-8: by chance
# the probability is below 1e-13 per line (about 0.15 per character).
_UTF8_LINE_EVIDENCE = 16
_DELIMITERS = (",", "\t", ";", "|")


def _decoded_lines(path: Path, name: str, encoding: str) -> Generator[str, None, None]:
    if encoding == UTF16:
        yield from _utf16_lines(path, name)
        return
    for number, raw in binary_lines(path, name):
        try:
            line = raw.decode(encoding)
        except UnicodeDecodeError as error:
            if encoding == UTF8:
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
        if encoding == GB18030 and not raw.isascii() and _looks_utf8(raw):
            raise UnreadableFile(
                _(
                    "%(file)s, line %(line)d: this line is written in UTF-8 while the file is in GBK or GB18030, so "
                    "the file mixes encodings. Save the whole file again in one encoding, preferably UTF-8."
                )
                % {"file": name, "line": number},
                row=number,
            )
        yield line


def _utf16_lines(path: Path, name: str) -> Generator[str, None, None]:
    """Lines of a UTF-16 file (split on LF, as the other encodings), in the byte order its mark declares."""
    limit = MAX_LINE_BYTES // 2
    number = 0
    pending = ""
    with path.open("rb") as stream:
        codec = "utf-16-le" if stream.read(2) == codecs.BOM_UTF16_LE else "utf-16-be"
        decoder = codecs.getincrementaldecoder(codec)("strict")
        while True:
            block = stream.read(BLOCK_SIZE)
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError as error:
                # The line of the first undecodable unit: lines already given, plus those complete before it.
                before = pending + bytes(error.object[: error.start]).decode(codec, errors="ignore")
                line = number + before.count("\n") + 1
                message = _(
                    "%(file)s, line %(line)d: this line cannot be read as UTF-16 (the encoding its first bytes "
                    "declare): the file is damaged. Save it again, preferably as “CSV UTF-8”."
                )
                raise UnreadableFile(message % {"file": name, "line": line}, row=line) from error
            *complete, pending = (pending + text).split("\n")
            for line_text in complete:
                number += 1
                yield line_text + "\n"
            if len(pending) > limit:
                raise UnreadableFile(
                    _("%(file)s, line %(line)d: the line is longer than %(limit)d MB; the file is not a table.")
                    % {"file": name, "line": number + 1, "limit": MAX_LINE_BYTES // MEBIBYTE},
                    row=number + 1,
                )
            if not block:
                break
    if pending:
        yield pending


def _looks_utf8(raw: bytes) -> bool:
    try:
        text = raw.decode(UTF8)
    except UnicodeDecodeError:
        return False
    return count_non_ascii(text) >= _UTF8_LINE_EVIDENCE


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


def open_csv(path: Path, name: str, encoding: str) -> Opened:
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
    header = trim([cell.strip() for cell in cells])
    check_header(header, name, lambda position: str(position + 1))
    width = len(header)

    def rows() -> Iterator[SourceRow]:
        records = _csv_records(path, name, encoding, delimiter)
        try:
            next(records)
            for number, cells in records:
                yield _fit(number, cells, width)
        finally:
            records.close()

    return Opened(header, header_line, has_rows, rows)


def _fit(number: int, cells: list[str], width: int) -> SourceRow:
    if len(cells) > width:
        cells = cells[:width] + trim(cells[width:])
    if len(cells) > width:
        problem = _("This row has %(cells)d cells, but the header has %(columns)d columns.") % {
            "cells": len(cells),
            "columns": width,
        }
        return SourceRow(number, cells, problem)
    if len(cells) < width:
        cells.extend([""] * (width - len(cells)))
    return SourceRow(number, cells)
