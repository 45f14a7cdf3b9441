"""The first pass over a file: its SM3 digest, the prefix that sniffing reads, and the encoding vote."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from django.utils.translation import gettext as _

from yiwang.datahub.ingestion.errors import UnreadableFile
from yiwang.datahub.ingestion.readers.common import (
    BLOCK_SIZE,
    GB18030,
    MEBIBYTE,
    UTF8,
    UTF8_BOM,
    UTF16,
    UTF16_BOMS,
    count_non_ascii,
)

# Once the text holds non-ASCII characters, this many more bytes of valid UTF-8 settle the encoding.
_DETECTION_WINDOW = MEBIBYTE
# Valid non-ASCII UTF-8 characters before the first invalid byte that prove the file began in UTF-8 (GBK text
# is valid UTF-8 by chance for a character or two, never for dozens), so the later line is reported as mixed.
_UTF8_EVIDENCE = 64
_PREFIX_SIZE = 64 * 1024  # what format sniffing looks at
_VOTE_SLICE = 256 * 1024


@dataclass
class _Scan:
    digest: str
    prefix: bytes
    utf8: bool
    prefix_gb18030_ok: bool


class _EncodingVote:
    """Decides between UTF-8 and GB18030 from the first stretch of non-ASCII text, one block at a time."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder(UTF8)("strict")
        self._non_ascii = 0
        self._window = 0
        self.utf8: bool | None = None

    def feed(self, block: bytes) -> None:
        if self.utf8 is not None:
            return
        try:
            text = self._decoder.decode(block)
        except UnicodeDecodeError as error:
            valid = error.object[: error.start].decode(UTF8, errors="ignore")
            self.utf8 = self._non_ascii + count_non_ascii(valid) >= _UTF8_EVIDENCE
            return
        found = count_non_ascii(text)
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


def scan_file(path: Path) -> _Scan:
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
    utf8 = prefix.startswith(UTF8_BOM) or vote.finish()
    gb18030_ok = True
    if not utf8:
        try:
            codecs.getincrementaldecoder(GB18030)("strict").decode(prefix)
        except UnicodeDecodeError:
            gb18030_ok = False
    return _Scan(digest=hasher.finalize().hex(), prefix=prefix, utf8=utf8, prefix_gb18030_ok=gb18030_ok)


def text_encoding(scan: _Scan, name: str) -> str:
    if scan.prefix.startswith(UTF16_BOMS):
        return UTF16
    if scan.utf8:
        return UTF8
    if not scan.prefix_gb18030_ok:
        raise UnreadableFile(
            _("%(file)s cannot be read as text in UTF-8, GBK or GB18030. Save it as “CSV UTF-8” and upload it again.")
            % {"file": name}
        )
    return GB18030
