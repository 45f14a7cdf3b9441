"""Errors of reading an uploaded file: what is wrong, and where a person finds it."""

from __future__ import annotations

from yiwang.core.errors import YiwangError


class UnreadableFile(YiwangError):
    """A file that cannot be loaded at all; the message names the file and, where known, the row and column.

    `row` is the number a person sees in their program (CSV line, Excel row, JSON record or NDJSON line);
    `column` is the Excel column letter, the CSV heading or the JSON key. Nothing of the file is loaded.
    """

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        super().__init__(message, field=column, code="unreadable_file")
        self.message: str = message
        self.row = row
        self.column = column
