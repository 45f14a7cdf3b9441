"""What the content is: the format told by the first bytes, and a warning when the name says otherwise."""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePath

from django.utils.translation import gettext as _

from yiwang.datahub.ingestion.errors import UnreadableFile
from yiwang.datahub.ingestion.readers.common import UTF8_BOM, UTF16, UTF16_BOMS

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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


def sniff(path: Path, prefix: bytes, size: int, name: str) -> str:
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
    if prefix.startswith(UTF16_BOMS):
        # Read as text like any CSV (the encoding is told by the mark); JSON must be UTF-8.
        start = prefix[: len(prefix) // 2 * 2].decode(UTF16, errors="ignore").lstrip()
        if start.startswith(("[", "{")):
            raise UnreadableFile(
                _("%(file)s is JSON saved as UTF-16; JSON files must be saved in UTF-8.") % {"file": name}
            )
        return "csv"
    if b"\x00" in prefix:
        raise _not_a_table(name, _("binary data"))
    text = prefix.removeprefix(UTF8_BOM).lstrip(b" \t\r\n")
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


def extension_warning(name: str, kind: str) -> list[str]:
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
