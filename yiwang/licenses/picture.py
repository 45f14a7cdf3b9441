"""The picture of a round official seal (公章): a red ring, a star, the department's name along the upper arc.

The picture is what GB/T 38540 puts in a seal's `SES_ESPictureInfo` and what a license PDF shows over the issuer's
name. Everything is drawn white-on-black into one greyscale mask at twice the requested size, downsampled with
LANCZOS and used as the alpha channel of a solid red image, so edges are smooth and the background transparent.
The same input always gives the same bytes: Pillow writes no timestamp into a PNG.
"""

from __future__ import annotations

import io
import math
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

from yiwang.licenses.fonts import cjk_font_path

SEAL_RED = (208, 2, 27)
MIN_SIZE = 120
MAX_SIZE = 1200
MAX_NAME_LENGTH = 25
MAX_PURPOSE_LENGTH = 16
MAX_CODE_LENGTH = 20
SEAL_DIAMETER_MM = 42

_SCALE = 2  # drawn at twice the size, then downsampled
# Proportions of the seal's radius, after the common 42 mm round seal: a 1.2 mm ring, a 14 mm star.
_RING_OUTER = 0.975
_RING_WIDTH = 0.06
_STAR_RADIUS = 0.31
_NAME_GAP = 0.045  # between the ring and the tops of the name's characters
_NAME_HEIGHT = 0.235
_PURPOSE_HEIGHT = 0.15
_PURPOSE_CENTRE = 0.5  # below the seal's centre
_PURPOSE_MAX_WIDTH = 1.05
_CODE_HEIGHT = 0.085
_CODE_GAP = 0.035
_CODE_MAX_SPAN_DEGREES = 110.0


def picture_size_mm() -> tuple[int, int]:
    """Physical width and height of the seal picture in millimetres, for SES_ESPictureInfo (GB/T 38540).

    A round official seal of a government department is 42 mm in diameter, so its picture is 42 × 42 mm
    whatever its size in pixels.
    """
    return (SEAL_DIAMETER_MM, SEAL_DIAMETER_MM)


def draw_seal(name: str, *, purpose: str = "", code: str = "", size: int = 400) -> bytes:
    """A PNG (RGBA, transparent background) of a red round seal of `name`, `size` pixels square."""
    name, purpose, code = _checked(name, purpose, code, size)
    side = size * _SCALE
    radius = side / 2
    mask = Image.new("L", (side, side), 0)
    _draw_ring(mask, radius)
    _draw_star(mask, radius)
    _draw_name(mask, radius, name)
    if purpose:
        _draw_purpose(mask, radius, purpose)
    if code:
        _draw_code(mask, radius, code)
    alpha = mask.resize((size, size), Image.Resampling.LANCZOS)
    picture = Image.new("RGBA", (size, size), (*SEAL_RED, 0))
    picture.putalpha(alpha)
    output = io.BytesIO()
    picture.save(output, format="PNG", optimize=False)
    return output.getvalue()


def _checked(name: str, purpose: str, code: str, size: int) -> tuple[str, str, str]:
    """The stripped texts; ValueError naming what is wrong."""
    name, purpose, code = name.strip(), purpose.strip(), code.strip()
    if not name:
        raise ValueError("a seal needs the department's name; got an empty name")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"a seal's name has at most {MAX_NAME_LENGTH} characters; got {len(name)}: {name}")
    if len(purpose) > MAX_PURPOSE_LENGTH:
        raise ValueError(f"a seal's purpose has at most {MAX_PURPOSE_LENGTH} characters; got {len(purpose)}")
    if len(code) > MAX_CODE_LENGTH:
        raise ValueError(f"a seal's code has at most {MAX_CODE_LENGTH} characters; got {len(code)}")
    if isinstance(size, bool) or not isinstance(size, int) or not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"a seal picture is between {MIN_SIZE} and {MAX_SIZE} pixels square; got {size!r}")
    return name, purpose, code


def _font(pixels: int) -> ImageFont.FreeTypeFont:
    """The CJK font at `pixels` (index 0 of a collection)."""
    return _loaded_font(cjk_font_path(), max(pixels, 1))


@lru_cache(maxsize=32)
def _loaded_font(path: Path, pixels: int) -> ImageFont.FreeTypeFont:
    """The font file opened at a size; a seal needs three or four sizes and the file is large."""
    return ImageFont.truetype(str(path), pixels, index=0)


def _draw_ring(mask: Image.Image, radius: float) -> None:
    """The outer ring."""
    outer = radius * _RING_OUTER
    box = (radius - outer, radius - outer, radius + outer, radius + outer)
    ImageDraw.Draw(mask).ellipse(box, outline=255, width=round(radius * _RING_WIDTH))


def _draw_star(mask: Image.Image, radius: float) -> None:
    """A regular five-pointed star in the centre, one point up."""
    outer = radius * _STAR_RADIUS
    inner = outer * math.sin(math.radians(18)) / math.sin(math.radians(54))
    points = []
    for index in range(10):
        distance = outer if index % 2 == 0 else inner
        angle = math.radians(-90 + 36 * index)
        points.append((radius + distance * math.cos(angle), radius + distance * math.sin(angle)))
    ImageDraw.Draw(mask).polygon(points, fill=255)


def _glyph(text: str, width: int, height: int) -> Image.Image:
    """`text` in white on black, its ink stretched to exactly `width` × `height` (seal lettering is narrow)."""
    font = _font(height * 2)
    stroke = max(1, height // 14)  # the Ming face is light; seal lettering is bold
    left, top, right, bottom = (round(edge) for edge in font.getbbox(text, stroke_width=stroke))
    size = (max(width, 1), max(height, 1))
    if right <= left or bottom <= top:  # a space has no ink
        return Image.new("L", size, 0)
    tile = Image.new("L", (right - left, bottom - top), 0)
    ImageDraw.Draw(tile).text((-left, -top), text, font=font, fill=255, stroke_width=stroke, stroke_fill=255)
    return tile.resize(size, Image.Resampling.LANCZOS)


def _stamp(mask: Image.Image, tile: Image.Image, centre: tuple[float, float], degrees_clockwise: float) -> None:
    """Add `tile`, turned clockwise by the angle, onto `mask` centred at `centre`."""
    turned = tile.rotate(-degrees_clockwise, resample=Image.Resampling.BICUBIC, expand=True)
    left = round(centre[0] - turned.width / 2)
    top = round(centre[1] - turned.height / 2)
    box = (left, top, left + turned.width, top + turned.height)
    mask.paste(ImageChops.lighter(mask.crop(box), turned), box)


def _name_layout(count: int, radius: float) -> tuple[float, int, int]:
    """The arc (degrees) the name spans and each character's width and height, from the name's length."""
    span = 210.0 + 40.0 * (min(max(count, 4), MAX_NAME_LENGTH) - 4) / (MAX_NAME_LENGTH - 4)
    height = radius * _NAME_HEIGHT
    centre_radius = radius * (_RING_OUTER - _RING_WIDTH - _NAME_GAP) - height / 2
    pitch = centre_radius * math.radians(span) / count  # arc length per character
    width = min(height * 0.8, pitch * 0.88)
    # Very long names keep their lettering at most twice as tall as wide.
    height = min(height, width * 2.0)
    return span, round(width), round(height)


def _draw_name(mask: Image.Image, radius: float, name: str) -> None:
    """The name along the upper arc, clockwise from the left, each character's top facing the ring."""
    span, width, height = _name_layout(len(name), radius)
    centre_radius = radius * (_RING_OUTER - _RING_WIDTH - _NAME_GAP) - height / 2
    step = span / len(name)
    for index, character in enumerate(name):
        angle = -span / 2 + step * (index + 0.5)  # degrees clockwise from the top
        centre = (
            radius + centre_radius * math.sin(math.radians(angle)),
            radius - centre_radius * math.cos(math.radians(angle)),
        )
        _stamp(mask, _glyph(character, width, height), centre, angle)


def _draw_purpose(mask: Image.Image, radius: float, purpose: str) -> None:
    """The purpose (专用章 and the like) in one horizontal line below the star, narrowed to fit."""
    height = round(radius * _PURPOSE_HEIGHT)
    width = min(round(height * 0.85 * len(purpose)), round(radius * _PURPOSE_MAX_WIDTH))
    gap = round(width * 0.04 / len(purpose))
    glyph_width = (width - gap * (len(purpose) - 1)) // len(purpose)
    line = Image.new("L", (glyph_width * len(purpose) + gap * (len(purpose) - 1), height), 0)
    for index, character in enumerate(purpose):
        line.paste(_glyph(character, glyph_width, height), (index * (glyph_width + gap), 0))
    _stamp(mask, line, (radius, radius * (1 + _PURPOSE_CENTRE)), 0.0)


def _draw_code(mask: Image.Image, radius: float, code: str) -> None:
    """The seal's code in small characters along the bottom arc, read from left to right."""
    height = round(radius * _CODE_HEIGHT)
    width = round(height * 0.62)
    centre_radius = radius * (_RING_OUTER - _RING_WIDTH - _CODE_GAP) - height / 2
    step = math.degrees(width * 1.25 / centre_radius)
    step = min(step, _CODE_MAX_SPAN_DEGREES / len(code))
    for index, character in enumerate(code):
        # Degrees counter-clockwise from the bottom: the first character is on the left.
        angle = step * ((len(code) - 1) / 2 - index)
        centre = (
            radius - centre_radius * math.sin(math.radians(angle)),
            radius + centre_radius * math.cos(math.radians(angle)),
        )
        _stamp(mask, _glyph(character, width, height), centre, angle)


def compact_png(png: bytes, *, colours: int = 24) -> bytes:
    """The picture as a palette PNG with its transparency (a seal has one ink colour and its anti-aliased edge):
    a fifth of the size. The seal picture travels inside every signature (GB/T 38540 puts the seal in TBS_Sign),
    so every byte saved here is saved on every license file."""
    image = Image.open(io.BytesIO(png))
    image.load()
    palette = image.quantize(colours, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue()
