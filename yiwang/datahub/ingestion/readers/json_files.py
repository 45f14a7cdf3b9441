"""JSON arrays of objects and NDJSON, streamed: nested values are refused per row, overlong numbers per file."""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import ijson
from django.utils.translation import gettext as _

from yiwang.datahub.ingestion.errors import UnreadableFile
from yiwang.datahub.ingestion.readers.common import UTF8, UTF8_BOM, Opened, SourceRow, binary_lines, check_header

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
        if stream.read(len(UTF8_BOM)) != UTF8_BOM:
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
        detail = detail.decode(UTF8, errors="replace")
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
    check_header(header, name, lambda position: str(position + 1))
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


def open_json(path: Path, name: str) -> Opened:
    items = _json_items(path, name)
    try:
        first = next(items, None)
    finally:
        items.close()
    if first is None:
        return Opened([], 0, False, lambda: iter(()))
    header = _json_header(first[1], name, _("the first record"), 1)
    columns = {key: position for position, key in enumerate(header)}

    def rows() -> Iterator[SourceRow]:
        items = _json_items(path, name)
        try:
            for number, record in items:
                yield _json_row(number, record, columns)
        finally:
            items.close()

    return Opened(header, 0, True, rows)


def _reject_constant(constant: str) -> Any:
    raise ValueError(_("%(constant)s is not a JSON number") % {"constant": constant})


def _ndjson_records(path: Path, name: str) -> Generator[tuple[int, Any, str | None], None, None]:
    """(line, value, problem) of each line that is not blank; a line that is not JSON is a problem of its row."""
    for number, raw in binary_lines(path, name):
        try:
            line = raw.decode(UTF8)
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


def open_ndjson(path: Path, name: str) -> Opened:
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

    return Opened(header, 0, True, rows)
