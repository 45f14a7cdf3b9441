"""The entry point: `open_tabular` checks the size, scans and sniffs the file, and opens it with its reader."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _

from yiwang.datahub.ingestion.errors import UnreadableFile
from yiwang.datahub.ingestion.readers.common import MEBIBYTE, UTF8, TabularSource
from yiwang.datahub.ingestion.readers.csv_files import open_csv
from yiwang.datahub.ingestion.readers.detection import extension_warning, sniff
from yiwang.datahub.ingestion.readers.excel import open_xlsx
from yiwang.datahub.ingestion.readers.json_files import open_json, open_ndjson
from yiwang.datahub.ingestion.readers.scanning import scan_file, text_encoding


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
    scan = scan_file(path)
    kind = sniff(path, scan.prefix, size, name)
    found: list[str] = []
    if kind == "xlsx":
        opened = open_xlsx(path, name, sheet, found)
        encoding = ""
    elif kind == "csv":
        encoding = text_encoding(scan, name)
        opened = open_csv(path, name, encoding)
    else:
        encoding = text_encoding(scan, name)
        if encoding != UTF8:
            raise UnreadableFile(
                _("%(file)s is JSON in the GBK or GB18030 encoding; JSON files must be saved in UTF-8.")
                % {"file": name}
            )
        encoding = ""
        opened = open_json(path, name) if kind == "json" else open_ndjson(path, name)
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
        warnings=extension_warning(name, kind) + found,
        row_reader=opened.rows,
    )


def _megabytes(size: int, *, round_up: bool) -> str:
    # Rounding the file up and the limit down keeps the two figures different in the message.
    tenths = -(-size * 10 // MEBIBYTE) if round_up else size * 10 // MEBIBYTE
    if tenths == 0 and not round_up:
        return f"{size / MEBIBYTE:.3f}"
    return f"{tenths // 10}.{tenths % 10}"
