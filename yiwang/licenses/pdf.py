"""A license as a one-page A4 PDF: a framed certificate with its data, seal, identifier and a QR code to verify it.

Drawn with reportlab (ADR 0020). The CJK font of `yiwang.licenses.fonts` is embedded as a TrueType subset
(`/FontFile2`), so the page reads the same everywhere; the identifier is ASCII in Courier. The document is made
with `invariant=1`: no creation date and a fixed document id, so the same sheet always gives the same bytes.
The QR code is segno's matrix drawn as one path of filled rectangles, one per run of dark modules in a row.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from yiwang.licenses.fonts import cjk_font_path
from yiwang.licenses.picture import SEAL_DIAMETER_MM

PAGE_WIDTH, PAGE_HEIGHT = A4
QR_ERROR_LEVEL = "m"  # 15 % of the code may be lost (a fold, the watermark) and it still reads

_FRAME_COLOUR = colors.HexColor("#8c2a1c")
_LABEL_BACKGROUND = colors.HexColor("#f7f0e6")
_GRID_COLOUR = colors.HexColor("#c9b49a")
_NOTE_COLOUR = colors.HexColor("#a0141e")
_WATERMARK_GREY = 0.55
_WATERMARK_ALPHA = 0.22

_MARGIN = 25 * mm  # content's left and right margin
_TITLE_BASELINE = PAGE_HEIGHT - 48 * mm
_BODY_TOP = PAGE_HEIGHT - 62 * mm
_BOTTOM_BLOCK_TOP = 78 * mm  # the body must end above the QR code and the issuer
_QR_SIZE = 30 * mm
_QR_LEFT = _MARGIN
_QR_BOTTOM = 36 * mm
_QR_CAPTION_WIDTH = 46 * mm
_ISSUER_RIGHT = PAGE_WIDTH - _MARGIN - 4 * mm
_ISSUER_BASELINE = 52 * mm
_LABEL_COLUMN = 40 * mm
_BODY_FONT_SIZES = (12.0, 11.0, 10.5, 10.0, 9.0, 8.0)
# Chinese line breaking (避头尾): marks that may not start a line, and those that may not end one.
_CANNOT_START_LINE = frozenset("，。、；：！？）》」』】〕〉”’…—%·,.;:!?)]}")
_CANNOT_END_LINE = frozenset("（《「『【〔〈“‘([{")
_LONGEST_PULL_BACK = 6  # characters carried to the next line to respect the rules above


@dataclass(frozen=True)
class LicenseSheet:
    """What a license's PDF shows; every text already formatted and translated."""

    title: str  # the license type's name, e.g. 食品经营许可证
    identifier: str  # the GB/T 36904 identifier (long, ~70 ASCII chars)
    rows: Sequence[tuple[str, str]]  # (label, value) of the license's data in order; values wrap
    issuer: str  # issuing department's name
    issued_on: str  # already formatted date text
    validity: str  # already formatted text, e.g. "2026-12-07 至 2031-12-06" or "长期"
    seal_png: bytes  # the seal picture from draw_seal
    verify_url: str  # what the QR code holds
    # Translated captions: "identifier", "issuer", "issued_on", "validity", "verify" (scan to verify),
    # and optionally "status_note" (a sentence shown under the identifier).
    labels: Mapping[str, str]
    watermark: str = ""  # optional text stamped diagonally across the page in light grey


def render_license_pdf(sheet: LicenseSheet) -> bytes:
    """The license as a one-page A4 PDF; the same sheet always gives the same bytes."""
    font = _register_cjk_font(cjk_font_path())
    output = io.BytesIO()
    canvas = Canvas(output, pagesize=A4, invariant=1, pageCompression=1, initialFontName=font)
    canvas.setTitle(sheet.title)
    canvas.setSubject(sheet.identifier)
    canvas.setAuthor(sheet.issuer)
    canvas.setCreator("Yiwang")
    _draw_frame(canvas)
    _draw_title(canvas, font, sheet.title)
    _draw_body(canvas, font, sheet)
    _draw_issuer(canvas, font, sheet)
    if sheet.watermark:
        _draw_watermark(canvas, font, sheet.watermark)
    _draw_qr_code(canvas, sheet.verify_url)
    _draw_qr_caption(canvas, font, sheet.labels["verify"])
    canvas.showPage()
    canvas.save()
    return output.getvalue()


def _qr_matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code's modules drawn for `url`, rows from the top, True for dark (no quiet zone)."""
    code = segno.make(url, error=QR_ERROR_LEVEL, micro=False, boost_error=False)
    return tuple(tuple(bool(module) for module in row) for row in code.matrix)


@cache
def _register_cjk_font(path: Path) -> str:
    """Register the TrueType font at `path` with reportlab once per process; its reportlab name."""
    name = "YiwangCJK-" + hashlib.sha256(str(path).encode()).hexdigest()[:8]
    pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
    return name


def _draw_frame(canvas: Canvas) -> None:
    """A certificate's double frame: a thick outer line and a thin inner one."""
    canvas.saveState()
    canvas.setStrokeColor(_FRAME_COLOUR)
    canvas.setLineWidth(2.4)
    canvas.rect(12 * mm, 12 * mm, PAGE_WIDTH - 24 * mm, PAGE_HEIGHT - 24 * mm)
    canvas.setLineWidth(0.7)
    canvas.rect(15 * mm, 15 * mm, PAGE_WIDTH - 30 * mm, PAGE_HEIGHT - 30 * mm)
    canvas.restoreState()


def _draw_title(canvas: Canvas, font: str, title: str) -> None:
    """The license type's name, large, spaced and centred; smaller when long."""
    width = PAGE_WIDTH - 2 * _MARGIN
    size, spacing = 30.0, 8.0
    while size > 14 and pdfmetrics.stringWidth(title, font, size) + spacing * (len(title) - 1) > width:
        size, spacing = size - 2, max(spacing - 2, 0.0)
    canvas.saveState()
    canvas.setFillColor(colors.black)
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(size / 40)  # filled and stroked: the Ming face is light, a title is bold
    canvas.setFont(font, size)
    # drawCentredString centres the text without the spacing; shift by half of it.
    x = PAGE_WIDTH / 2 - spacing * (len(title) - 1) / 2
    canvas.drawCentredString(x, _TITLE_BASELINE, title, mode=2, charSpace=spacing)
    canvas.restoreState()


def _draw_body(canvas: Canvas, font: str, sheet: LicenseSheet) -> None:
    """The data table, the identifier and the status note, in the largest font size that fits above the bottom."""
    width = PAGE_WIDTH - 2 * _MARGIN
    available = _BODY_TOP - _BOTTOM_BLOCK_TOP
    for size in _BODY_FONT_SIZES:
        flowables = _body(font, size, sheet, width)
        heights = [flowable.wrap(width, available)[1] for flowable in flowables]
        if sum(heights) <= available or size == _BODY_FONT_SIZES[-1]:
            break
    if sum(heights) > available:
        raise ValueError(f"the license's data does not fit on one page ({len(sheet.rows)} rows); shorten the values")
    top = _BODY_TOP
    for flowable, height in zip(flowables, heights, strict=True):
        flowable.drawOn(canvas, _MARGIN, top - height)
        top -= height


def _body(font: str, size: float, sheet: LicenseSheet, width: float) -> list[Flowable]:
    """The body's flowables at a font size."""
    label_style = ParagraphStyle(
        "label", fontName=font, fontSize=size, leading=size * 1.45, alignment=TA_CENTER, wordWrap="CJK"
    )
    value_style = ParagraphStyle(
        "value", fontName=font, fontSize=size, leading=size * 1.45, alignment=TA_LEFT, wordWrap="CJK"
    )
    padding = size * 0.6
    rows = [*sheet.rows, (sheet.labels["validity"], sheet.validity)]
    table = Table(
        [
            [
                _paragraph(label, label_style, _LABEL_COLUMN - 2 * padding),
                _paragraph(value, value_style, width - _LABEL_COLUMN - 2 * padding),
            ]
            for label, value in rows
        ],
        colWidths=[_LABEL_COLUMN, width - _LABEL_COLUMN],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("GRID", (0, 0), (-1, -1), 0.6, _GRID_COLOUR),
                ("BOX", (0, 0), (-1, -1), 1.0, _FRAME_COLOUR),
                ("BACKGROUND", (0, 0), (0, -1), _LABEL_BACKGROUND),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), size * 0.45),
                ("BOTTOMPADDING", (0, 0), (-1, -1), size * 0.55),
                ("LEFTPADDING", (0, 0), (-1, -1), padding),
                ("RIGHTPADDING", (0, 0), (-1, -1), padding),
            ]
        )
    )
    caption_style = ParagraphStyle("caption", fontName=font, fontSize=9, leading=13, textColor=colors.HexColor("#444"))
    flowables: list[Flowable] = [
        table,
        Spacer(width, 5 * mm),
        _paragraph(sheet.labels["identifier"], caption_style, width),
        _IdentifierLine(sheet.identifier, width),
    ]
    note = sheet.labels.get("status_note", "")
    if note:
        note_style = ParagraphStyle(
            "note", fontName=font, fontSize=10, leading=14, textColor=_NOTE_COLOUR, wordWrap="CJK"
        )
        flowables += [Spacer(width, 3 * mm), _paragraph(note, note_style, width)]
    return flowables


def _paragraph(text: str, style: ParagraphStyle, width: float) -> Paragraph:
    """`text` as a paragraph broken into lines of at most `width` by the rules of Chinese typesetting."""
    lines = _break_lines(text, style.fontName, style.fontSize, width)
    return Paragraph("<br/>".join(escape(line) for line in lines), style)


def _break_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of `text` no wider than `width`: no line starts with a closing mark or ends with an opening one.

    reportlab's own CJK wrapping lets a line start with ，；： and with a mark that follows another; Chinese
    typesetting (避头尾) carries the last characters of the line before along instead, and so do we.
    Latin words and numbers are kept whole when they are short enough.
    """
    lines: list[str] = []
    current = ""
    for character in text:
        if character == "\n":
            lines.append(current)
            current = ""
        elif current and pdfmetrics.stringWidth(current + character, font, size) > width:
            cut = _break_point(current, character)
            lines.append(current[:cut])
            current = current[cut:] + character
        else:
            current += character
    lines.append(current)
    return lines


def _break_point(line: str, following: str) -> int:
    """Where to end a full `line` when `following` does not fit: the latest place the rules allow."""
    for cut in range(len(line), max(len(line) - _LONGEST_PULL_BACK, 1) - 1, -1):
        first = line[cut] if cut < len(line) else following
        last = line[cut - 1]
        if first not in _CANNOT_START_LINE and last not in _CANNOT_END_LINE and not _inside_word(last, first):
            return cut
    # A Latin word or number longer than the pull-back moves to the next line whole, unless it fills a line.
    word_start = len(line)
    while word_start > 0 and _is_word_character(line[word_start - 1]) and _is_word_character(following):
        word_start -= 1
    return word_start if 0 < word_start < len(line) else len(line)


def _inside_word(before: str, after: str) -> bool:
    """Whether a break between the two characters would split a Latin word or a number."""
    return _is_word_character(before) and _is_word_character(after)


def _is_word_character(character: str) -> bool:
    """A Latin letter or a digit: a run of them is broken only when it fills a line."""
    return character.isascii() and character.isalnum()


class _IdentifierLine(Flowable):
    """The identifier in Courier on one line, smaller when it would not fit."""

    def __init__(self, identifier: str, width: float) -> None:
        super().__init__()
        self.identifier = identifier
        self.size = 10.0
        while self.size > 6 and pdfmetrics.stringWidth(identifier, "Courier", self.size) > width:
            self.size -= 0.5
        self.width = width
        self.height = self.size * 1.4

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        """The line's size."""
        return self.width, self.height

    def draw(self) -> None:
        """Draw the identifier at the line's baseline."""
        self.canv.setFont("Courier", self.size)
        self.canv.drawString(0, self.size * 0.35, self.identifier)


def _draw_issuer(canvas: Canvas, font: str, sheet: LicenseSheet) -> None:
    """The issuer and the date of issue, bottom right, with the seal over them."""
    lines = [
        f"{sheet.labels['issuer']}：{sheet.issuer}",
        f"{sheet.labels['issued_on']}：{sheet.issued_on}",
    ]
    room = _ISSUER_RIGHT - (_QR_LEFT + _QR_CAPTION_WIDTH + 6 * mm)
    size = 12.0
    while size > 7 and max(pdfmetrics.stringWidth(line, font, size) for line in lines) > room:
        size -= 0.5
    widest = max(pdfmetrics.stringWidth(line, font, size) for line in lines)
    canvas.saveState()
    canvas.setFillColor(colors.black)
    canvas.setFont(font, size)
    for index, line in enumerate(lines):
        canvas.drawRightString(_ISSUER_RIGHT, _ISSUER_BASELINE - index * size * 1.9, line)
    # The seal sits over the middle of the issuer's name and the date, as a stamp would.
    seal = SEAL_DIAMETER_MM * mm
    centre_x = min(_ISSUER_RIGHT - widest / 2, _ISSUER_RIGHT - seal / 2)
    centre_y = _ISSUER_BASELINE - size * 0.6
    canvas.setBlendMode("Multiply")  # like stamp ink: the words under the seal stay legible
    canvas.drawImage(
        ImageReader(io.BytesIO(sheet.seal_png)), centre_x - seal / 2, centre_y - seal / 2, seal, seal, mask="auto"
    )
    canvas.restoreState()


def _draw_watermark(canvas: Canvas, font: str, text: str) -> None:
    """`text` repeated along parallel diagonals across the page, light grey and translucent."""
    size = 16.0
    diagonal = math.hypot(PAGE_WIDTH, PAGE_HEIGHT)
    unit = pdfmetrics.stringWidth(text + "　　", font, size)
    line = (text + "　　") * (int(diagonal / max(unit, 1.0)) + 2)
    canvas.saveState()
    canvas.setFillGray(_WATERMARK_GREY)
    canvas.setFillAlpha(_WATERMARK_ALPHA)
    canvas.setFont(font, size)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(math.degrees(math.atan2(PAGE_HEIGHT, PAGE_WIDTH)))
    for offset in range(-4, 5):
        canvas.drawCentredString(0, offset * 55 * mm, line)
    canvas.restoreState()


def _draw_qr_code(canvas: Canvas, url: str) -> None:
    """The QR code of `url` bottom left on a white square that keeps its quiet zone clear of the watermark."""
    matrix = _qr_matrix(url)
    module = _QR_SIZE / len(matrix)
    quiet = 4 * module
    canvas.saveState()
    canvas.setFillColor(colors.white)
    canvas.rect(_QR_LEFT - quiet, _QR_BOTTOM - quiet, _QR_SIZE + 2 * quiet, _QR_SIZE + 2 * quiet, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    path = canvas.beginPath()
    top = _QR_BOTTOM + _QR_SIZE
    for row_index, row in enumerate(matrix):
        for start, length in _dark_runs(row):
            path.rect(_QR_LEFT + start * module, top - (row_index + 1) * module, length * module, module)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def _dark_runs(row: Sequence[bool]) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules in a row."""
    runs: list[tuple[int, int]] = []
    start = -1
    for index, dark in enumerate([*row, False]):
        if dark and start < 0:
            start = index
        elif not dark and start >= 0:
            runs.append((start, index - start))
            start = -1
    return runs


def _draw_qr_caption(canvas: Canvas, font: str, caption: str) -> None:
    """The sentence under the QR code (scan to verify)."""
    style = ParagraphStyle("verify", fontName=font, fontSize=8.5, leading=12, wordWrap="CJK")
    paragraph = _paragraph(caption, style, _QR_CAPTION_WIDTH)
    _, height = paragraph.wrap(_QR_CAPTION_WIDTH, 20 * mm)
    paragraph.drawOn(canvas, _QR_LEFT, _QR_BOTTOM - 4 * mm - height)
