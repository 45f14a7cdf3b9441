"""The TrueType font with Chinese characters used for seal pictures and license PDFs.

`settings.YIWANG_CJK_FONT` names it when non-empty; otherwise the first installed of Debian's AR PL UMing
(`fonts-arphic-uming`), WenQuanYi Zen Hei, WenQuanYi Micro Hei and AR PL UKai is used (ADR 0020).

The font must be TrueType (glyphs as `glyf` outlines): reportlab embeds only TrueType, and Pillow draws both.
OpenType fonts with CFF outlines — Noto Sans/Serif CJK and Source Han, whose files start with `OTTO` or are
collections of such faces — cannot be embedded by reportlab and are refused with a message saying so.
"""

from __future__ import annotations

import struct
from functools import cache
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CANDIDATE_FONTS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/ukai.ttc"),
)

INSTALL_HINT = "apt-get install -y fonts-arphic-uming or set YIWANG_CJK_FONT to a .ttf/.ttc with Chinese characters"

_TRUETYPE_TAGS = (b"\x00\x01\x00\x00", b"true")
_CFF_TAG = b"OTTO"
_COLLECTION_TAG = b"ttcf"


class FontMissing(ImproperlyConfigured):
    """No usable TrueType font with Chinese characters: the message says how to install or configure one."""


@cache
def cjk_font_path() -> Path:
    """The TrueType font (.ttf or .ttc) with Chinese characters; cached, `cjk_font_path.cache_clear()` resets."""
    configured: str = settings.YIWANG_CJK_FONT
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise FontMissing(f"YIWANG_CJK_FONT names {path}, which does not exist: {INSTALL_HINT}.")
        _check_truetype(path)
        return path
    for candidate in CANDIDATE_FONTS:
        if candidate.is_file():
            return candidate
    searched = ", ".join(str(candidate) for candidate in CANDIDATE_FONTS)
    raise FontMissing(f"No font with Chinese characters found (looked for {searched}): {INSTALL_HINT}.")


def _check_truetype(path: Path) -> None:
    """Raise `FontMissing` unless `path` is a TrueType font or a collection of TrueType faces."""
    with path.open("rb") as font:
        tag = font.read(4)
        face_tags = _collection_face_tags(font) if tag == _COLLECTION_TAG else [tag]
    if face_tags and all(face in _TRUETYPE_TAGS for face in face_tags):
        return
    if _CFF_TAG in face_tags:
        raise FontMissing(_cff_message(path))
    raise FontMissing(f"YIWANG_CJK_FONT names {path}, which is not a TrueType font (.ttf/.ttc): {INSTALL_HINT}.")


def _collection_face_tags(font: BinaryIO) -> list[bytes]:
    """The first four bytes of each face of a TrueType collection (read after its tag); empty when truncated."""
    header = font.read(8)
    if len(header) < 8:
        return []
    (count,) = struct.unpack(">I", header[4:8])
    table = font.read(4 * count)
    if count == 0 or len(table) < 4 * count:
        return []
    tags = []
    for offset in struct.unpack(f">{count}I", table):
        font.seek(offset)
        tags.append(font.read(4))
    return tags


def _cff_message(path: Path) -> str:
    """Why an OpenType/CFF font is refused."""
    return (
        f"YIWANG_CJK_FONT names {path}, an OpenType font with CFF outlines (such as Noto CJK or Source Han), "
        f"which reportlab cannot embed in a PDF: {INSTALL_HINT}."
    )
