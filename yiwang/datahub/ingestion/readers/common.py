"""What every reader shares: the row and source types, size limits, encodings and header checks."""

from __future__ import annotations

import codecs
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from django.utils.translation import gettext as _

from yiwang.datahub.ingestion.errors import UnreadableFile

BLOCK_SIZE = 1 << 20
MEBIBYTE = 1 << 20
# One physical line longer than this is not a table row (a file without line breaks, or a binary file).
MAX_LINE_BYTES = 16 * MEBIBYTE

UTF8_BOM = codecs.BOM_UTF8
UTF8 = "utf-8"
# Excel's "Unicode text" (*.txt): UTF-16 with a byte-order mark, cells separated by tabs.
UTF16 = "utf-16"
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
GB18030 = "gb18030"


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


class Opened(NamedTuple):
    header: list[str]
    header_row: int  # 0 when the format has no header row (JSON, NDJSON)
    has_rows: bool
    rows: Callable[[], Iterator[SourceRow]]


def count_non_ascii(text: str) -> int:
    return len(text) - len(text.encode("ascii", errors="ignore"))


def check_header(header: list[str], name: str, label: Callable[[int], str]) -> None:
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


def trim(cells: list[str]) -> list[str]:
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def binary_lines(path: Path, name: str) -> Generator[tuple[int, bytes], None, None]:
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
            yield number, (raw.removeprefix(UTF8_BOM) if number == 1 else raw)
