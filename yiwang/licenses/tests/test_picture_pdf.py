"""The CJK font lookup, the seal picture and the license PDF: pure functions, no database."""

from __future__ import annotations

import base64
import dataclasses
import io
import itertools
import math
import re
import shutil
import struct
import subprocess
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import segno
from django.core.exceptions import ImproperlyConfigured
from PIL import Image
from reportlab.pdfbase import pdfmetrics

from yiwang.licenses import fonts, pdf
from yiwang.licenses.fonts import FontMissing, cjk_font_path
from yiwang.licenses.pdf import LicenseSheet, render_license_pdf
from yiwang.licenses.picture import draw_seal, picture_size_mm

SEAL_NAME = "明湖市市场监督管理局"
LONG_NAME = "明湖市明湖区人民政府政务服务和大数据管理局行政审批"  # 25 characters
IDENTIFIER = "41980000000001234X.11330100MA2CDXYZ3F.JY13301060012345.20261207.001.F"
VERIFY_URL = "https://zwfw.minghu.gov.cn/licenses/verify/41980000000001234X.11330100MA2CDXYZ3F.JY13301060012345"
OTHER_URL = "https://zwfw.minghu.gov.cn/licenses/verify/41980000000001234X.11330100MA2CDXYZ3F.JY13301060099999"


@pytest.fixture(autouse=True)
def fresh_font_lookup() -> Iterator[None]:
    """Each test looks the font up again, and leaves no configured font cached for the next."""
    cjk_font_path.cache_clear()
    yield
    cjk_font_path.cache_clear()


# --- fonts -------------------------------------------------------------------------------------------------


def _font_file(directory: Path, name: str, content: bytes) -> Path:
    path = directory / name
    path.write_bytes(content)
    return path


def _collection(*face_tags: bytes) -> bytes:
    """A TrueType collection header whose faces start with the given tags."""
    header_size = 12 + 4 * len(face_tags)
    offsets = [header_size + 16 * index for index in range(len(face_tags))]
    header = b"ttcf" + struct.pack(">HHI", 1, 0, len(face_tags)) + struct.pack(f">{len(face_tags)}I", *offsets)
    return header + b"".join(tag + bytes(12) for tag in face_tags)


def test_the_configured_truetype_font_is_used(settings, tmp_path):
    path = _font_file(tmp_path, "song.ttf", b"\x00\x01\x00\x00" + bytes(60))
    settings.YIWANG_CJK_FONT = str(path)
    assert cjk_font_path() == path


def test_a_configured_collection_of_truetype_faces_is_used(settings, tmp_path):
    path = _font_file(tmp_path, "song.ttc", _collection(b"\x00\x01\x00\x00", b"true"))
    settings.YIWANG_CJK_FONT = str(path)
    assert cjk_font_path() == path


def test_a_configured_font_that_does_not_exist_is_refused(settings, tmp_path):
    settings.YIWANG_CJK_FONT = str(tmp_path / "missing.ttf")
    with pytest.raises(FontMissing, match="does not exist") as raised:
        cjk_font_path()
    assert fonts.INSTALL_HINT in str(raised.value)


@pytest.mark.parametrize(
    ("name", "content"),
    [("NotoSansCJK-Regular.otf", b"OTTO" + bytes(60)), ("NotoSansCJK.ttc", _collection(b"OTTO", b"OTTO"))],
)
def test_an_opentype_cff_font_is_refused_with_the_reason(settings, tmp_path, name, content):
    settings.YIWANG_CJK_FONT = str(_font_file(tmp_path, name, content))
    with pytest.raises(FontMissing, match=r"CFF outlines .* which reportlab cannot embed in a PDF") as raised:
        cjk_font_path()
    assert fonts.INSTALL_HINT in str(raised.value)


def test_a_configured_file_that_is_no_font_is_refused(settings, tmp_path):
    settings.YIWANG_CJK_FONT = str(_font_file(tmp_path, "song.ttf", b"<html>not a font</html>"))
    with pytest.raises(FontMissing, match=r"not a TrueType font \(.ttf/.ttc\)"):
        cjk_font_path()


def test_without_configuration_the_first_installed_candidate_is_used(settings, tmp_path, monkeypatch):
    installed = _font_file(tmp_path, "wqy-zenhei.ttc", _collection(b"\x00\x01\x00\x00"))
    monkeypatch.setattr(fonts, "CANDIDATE_FONTS", (tmp_path / "uming.ttc", installed, tmp_path / "ukai.ttc"))
    settings.YIWANG_CJK_FONT = ""
    assert cjk_font_path() == installed


def test_without_any_font_the_error_says_what_to_install(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "CANDIDATE_FONTS", (tmp_path / "uming.ttc", tmp_path / "wqy-zenhei.ttc"))
    settings.YIWANG_CJK_FONT = ""
    with pytest.raises(ImproperlyConfigured) as raised:
        cjk_font_path()
    assert isinstance(raised.value, FontMissing)
    message = str(raised.value)
    assert "apt-get install -y fonts-arphic-uming or set YIWANG_CJK_FONT to a .ttf/.ttc with Chinese characters" in (
        message
    )
    assert str(tmp_path / "uming.ttc") in message


def test_the_lookup_is_cached_until_cleared(settings, tmp_path):
    first = _font_file(tmp_path, "first.ttf", b"true" + bytes(60))
    second = _font_file(tmp_path, "second.ttf", b"true" + bytes(60))
    settings.YIWANG_CJK_FONT = str(first)
    assert cjk_font_path() == first
    settings.YIWANG_CJK_FONT = str(second)
    assert cjk_font_path() == first
    cjk_font_path.cache_clear()
    assert cjk_font_path() == second


# --- the seal picture -------------------------------------------------------------------------------------


def _picture(png: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(png))
    picture.load()
    return picture


def _rgba(picture: Image.Image, x: int, y: int) -> tuple[int, ...]:
    pixel = picture.getpixel((x, y))
    assert isinstance(pixel, tuple)
    return pixel


def _level(channel: Image.Image, x: int, y: int) -> float:
    value = channel.getpixel((x, y))
    assert isinstance(value, int | float)
    return value


def _is_seal_red(pixel: tuple[int, ...]) -> bool:
    red, green, blue, alpha = pixel
    return alpha == 255 and red > 180 and green < 40 and blue < 60


def _png_chunk_types(png: bytes) -> list[bytes]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    types, position = [], 8
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        types.append(png[position + 4 : position + 8])
        position += 12 + length
    return types


def test_the_seal_is_a_transparent_png_of_the_requested_size():
    picture = _picture(draw_seal(SEAL_NAME, purpose="行政审批专用章", code="4198000012345", size=400))
    assert (picture.format, picture.mode, picture.size) == ("PNG", "RGBA", (400, 400))
    for corner in [(0, 0), (399, 0), (0, 399), (399, 399), (30, 30), (370, 370)]:
        assert _rgba(picture, *corner)[3] == 0, corner


def test_the_ring_and_the_star_are_red():
    picture = _picture(draw_seal(SEAL_NAME, size=400))
    middle_of_ring = round(200 * (0.975 - 0.03))  # the ring runs from 0.915 to 0.975 of the radius
    for x, y in [(200, 200 - middle_of_ring), (200, 200 + middle_of_ring), (200 - middle_of_ring, 200)]:
        assert _is_seal_red(_rgba(picture, x, y)), (x, y)
    assert _is_seal_red(_rgba(picture, 200, 200))  # the star's centre
    assert _is_seal_red(_rgba(picture, 200, 200 - 50))  # its upper point reaches 0.31 of the radius
    assert _rgba(picture, 200, 200 + 110)[3] == 0  # nothing below the star without purpose or code


def test_nothing_is_drawn_outside_the_circle():
    picture = _picture(draw_seal(LONG_NAME, purpose="行政审批专用章", code="4198000012345", size=300))
    alpha = picture.getchannel("A")
    for y in range(300):
        for x in range(300):
            if math.hypot(x + 0.5 - 150, y + 0.5 - 150) > 151.5:
                assert _level(alpha, x, y) < 8, (x, y)


@pytest.mark.parametrize("name", ["公安机关", LONG_NAME])
def test_names_of_four_to_twenty_five_characters_are_set_along_the_upper_arc(name):
    assert len(name) in (4, 25)
    picture = _picture(draw_seal(name, size=400))
    alpha = picture.getchannel("A")
    # Ink between the ring and the star in the upper half, left, top and right: the name.
    upper_left = alpha.crop((40, 60, 160, 200))
    upper_right = alpha.crop((240, 60, 360, 200))
    top = alpha.crop((120, 30, 280, 110))
    with_purpose = _picture(draw_seal(name, purpose="专用章", size=400)).getchannel("A")
    assert upper_left.getextrema()[1] == 255
    assert upper_right.getextrema()[1] == 255
    assert top.getextrema()[1] == 255 or len(name) == 4  # four characters leave the very top free
    assert with_purpose.crop((120, 270, 280, 330)).getbbox() is not None


def test_the_code_is_set_along_the_bottom_arc():
    without = _picture(draw_seal(SEAL_NAME, size=400)).getchannel("A")
    with_code = _picture(draw_seal(SEAL_NAME, code="4198000012345", size=400)).getchannel("A")
    bottom = (150, 340, 250, 372)  # between the star and the ring
    assert without.crop(bottom).getbbox() is None
    assert with_code.crop(bottom).getbbox() is not None


def test_the_seal_is_deterministic_and_carries_no_timestamp():
    first = draw_seal(SEAL_NAME, purpose="行政审批专用章", code="4198000012345")
    assert draw_seal(SEAL_NAME, purpose="行政审批专用章", code="4198000012345") == first
    assert draw_seal(SEAL_NAME, purpose="行政审批专用章", code="4198000012346") != first
    assert _png_chunk_types(first) == [b"IHDR", b"IDAT", b"IEND"]


@pytest.mark.parametrize("name", ["", "   "])
def test_an_empty_name_is_refused(name):
    with pytest.raises(ValueError, match="needs the department's name; got an empty name"):
        draw_seal(name)


def test_a_name_longer_than_twenty_five_characters_is_refused():
    with pytest.raises(ValueError, match="at most 25 characters; got 26"):
        draw_seal(LONG_NAME + "科")


@pytest.mark.parametrize("size", [119, 1201, 0, -400, 400.0, True])
def test_a_size_outside_120_to_1200_pixels_is_refused(size):
    with pytest.raises(ValueError, match="between 120 and 1200 pixels"):
        draw_seal(SEAL_NAME, size=size)


@pytest.mark.parametrize("size", [120, 1200])
def test_the_smallest_and_largest_sizes_are_drawn(size):
    assert _picture(draw_seal(SEAL_NAME, purpose="行政审批专用章", code="4198000012345", size=size)).size == (
        size,
        size,
    )


def test_the_picture_is_42_mm_square():
    assert picture_size_mm() == (42, 42)


# --- the license PDF --------------------------------------------------------------------------------------

LABELS = {
    "identifier": "电子证照标识",
    "issuer": "发证机关",
    "issued_on": "签发日期",
    "validity": "有效期限",
    "verify": "使用政务服务App扫描二维码，核验本证照的真实性和当前状态。",
    "status_note": "本电子证照与纸质证照具有同等法律效力。",
}


def _sheet(**changes: Any) -> LicenseSheet:
    sheet = LicenseSheet(
        title="食品经营许可证",
        identifier=IDENTIFIER,
        rows=[
            ("经营者名称", "明湖市湖畔小吃店（个体工商户）"),
            ("统一社会信用代码", "92330106MA2CDXYZ3F"),
            ("法定代表人（负责人）", "王小明"),
            ("经营场所", "明湖市明湖区湖滨路188号湖畔广场一层A-12号商铺及二层B-3号仓储间（仅用于食品原料存放）"),
            (
                "经营项目",
                "预包装食品（含冷藏冷冻食品）销售；散装食品（含冷藏冷冻食品、熟食）销售；热食类食品制售；"
                "冷食类食品制售（不含生食类食品）；自制饮品制售（不含自酿酒）；糕点类食品制售（含裱花蛋糕）",
            ),
            ("许可证编号", "JY13301060012345"),
        ],
        issuer=SEAL_NAME,
        issued_on="2026年12月07日",
        validity="2026-12-07 至 2031-12-06",
        seal_png=draw_seal(SEAL_NAME, purpose="行政审批专用章", code="4198000012345"),
        verify_url=VERIFY_URL,
        labels=LABELS,
    )
    return dataclasses.replace(sheet, **changes)


def _decoded_streams(document: bytes) -> list[bytes]:
    """Every ASCII85- and/or Flate-encoded stream of the PDF, decoded (fonts, images, pages)."""
    streams = []
    pattern = rb"/Filter \[ ((?:/\w+ )+)\][^>]*>>\s*stream\r?\n(.*?)endstream"
    for match in re.finditer(pattern, document, re.DOTALL):
        data = match.group(2)
        for name in match.group(1).split():
            if name == b"/ASCII85Decode":
                data = base64.a85decode(data.strip().removesuffix(b"~>"), ignorechars=b" \t\r\n")
            elif name == b"/FlateDecode":
                data = zlib.decompress(data)
        streams.append(data)
    return streams


def _page_content(document: bytes) -> bytes:
    pages = [stream for stream in _decoded_streams(document) if b" Tf" in stream and b" re" in stream]
    assert len(pages) == 1
    return pages[0]


def _info_string(document: bytes, key: bytes) -> str:
    """A text entry of the document information dictionary, decoded from its PDF literal string."""
    match = re.search(rb"/" + key + rb" \(((?:\\.|[^\\)])*)\)", document, re.DOTALL)
    assert match is not None
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

    def unescape(escape: re.Match[bytes]) -> bytes:
        code = escape.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8)])
        return escapes.get(code, code)

    raw = re.sub(rb"\\([0-7]{1,3}|.)", unescape, match.group(1), flags=re.DOTALL)
    return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


def _drawn_qr_code(document: bytes) -> tuple[list[list[bool]], tuple[float, float, float]]:
    """The module matrix drawn as the page's largest path of filled rectangles, and its left, top, module size.

    Read with PDF's own geometry (y grows upwards), independent of how the renderer computed the runs.
    """
    number = rb"-?[\d.]+"
    rectangle = rb"(" + number + rb") (" + number + rb") (" + number + rb") (" + number + rb") re"
    paths = re.findall(rb"((?:" + rectangle + rb"\s+)+)f\*?", _page_content(document))
    largest = max((path[0] for path in paths), key=lambda path: path.count(b" re"))
    rectangles = [tuple(map(float, found)) for found in re.findall(rectangle, largest)]
    module = min(height for _, _, _, height in rectangles)
    left = min(x for x, _, _, _ in rectangles)
    top = max(y + height for _, y, _, height in rectangles)
    size = round((max(x + width for x, _, width, _ in rectangles) - left) / module)
    matrix = [[False] * size for _ in range(size)]
    for x, y, width, height in rectangles:
        assert math.isclose(height, module, rel_tol=1e-3)
        row = round((top - y - height) / module)
        start = round((x - left) / module)
        for column in range(start, start + round(width / module)):
            matrix[row][column] = True
    return matrix, (left, top, module)


def _expected_qr_code(url: str) -> list[list[bool]]:
    code = segno.make(url, error="m", micro=False, boost_error=False)
    return [[bool(module) for module in row] for row in code.matrix]


def test_the_pdf_is_a_deterministic_one_page_document():
    document = render_license_pdf(_sheet())
    assert document.startswith(b"%PDF-1.")
    assert document.rstrip().endswith(b"%%EOF")
    assert document.count(b"/Type /Page\n") + document.count(b"/Type /Page ") == 1
    assert render_license_pdf(_sheet()) == document
    assert render_license_pdf(_sheet(identifier=IDENTIFIER.replace("001.F", "002.F"))) != document


def test_the_cjk_font_is_embedded_as_a_truetype_subset():
    document = render_license_pdf(_sheet())
    assert b"/FontFile2" in document
    assert re.search(rb"/BaseFont /[A-Z]{6}\+", document)


def test_the_metadata_names_the_license():
    document = render_license_pdf(_sheet())
    assert _info_string(document, b"Title") == "食品经营许可证"
    assert _info_string(document, b"Subject") == IDENTIFIER
    assert _info_string(document, b"Creator") == "Yiwang"


def test_the_identifier_is_drawn_in_courier():
    content = _page_content(render_license_pdf(_sheet()))
    courier = re.search(rb"/(F\d+) [\d.]+ Tf[^()]*\(" + re.escape(IDENTIFIER.encode()) + rb"\) Tj", content)
    assert courier is not None
    assert re.search(rb"/" + courier.group(1) + rb" \d+ 0 R", render_license_pdf(_sheet()))
    assert b"/BaseFont /Courier" in render_license_pdf(_sheet())


def test_the_qr_code_encodes_the_verification_address():
    drawn, _ = _drawn_qr_code(render_license_pdf(_sheet()))
    assert drawn == _expected_qr_code(VERIFY_URL)
    assert drawn != _expected_qr_code(OTHER_URL)
    other, _ = _drawn_qr_code(render_license_pdf(_sheet(verify_url=OTHER_URL)))
    assert other == _expected_qr_code(OTHER_URL)


def test_a_watermark_is_stamped_translucent_without_touching_the_qr_code():
    plain = render_license_pdf(_sheet())
    stamped = render_license_pdf(_sheet(watermark="此件由明湖市政务服务中心提供，仅供办理政务服务事项时使用"))
    assert stamped != plain
    assert b"/ca .22" in stamped
    assert b"/ca " not in plain
    assert _drawn_qr_code(stamped)[0] == _expected_qr_code(VERIFY_URL)


def test_values_with_markup_characters_are_printed_as_written():
    sheet = _sheet(rows=[("经营者名称", "A&B <b>小吃</b> 店")], labels={**LABELS, "status_note": ""})
    assert render_license_pdf(sheet).startswith(b"%PDF-")


def test_data_too_long_for_one_page_is_refused():
    rows = [(f"事项{index}", "很长的经营范围说明文字，" * 12) for index in range(40)]
    with pytest.raises(ValueError, match="does not fit on one page"):
        render_license_pdf(_sheet(rows=rows))


def test_lines_never_start_with_closing_punctuation_nor_end_with_an_opening_one():
    font = pdf._register_cjk_font(cjk_font_path())
    text = dict(_sheet().rows)["经营项目"] * 3
    for width in (150.0, 200.0, 257.0, 300.0):
        lines = pdf._break_lines(text, font, 11, width)
        assert "".join(lines) == text
        for line in lines:
            assert pdfmetrics.stringWidth(line, font, 11) <= width
        for before, after in itertools.pairwise(lines):
            assert after[0] not in "，。、；：！？）》", (before, after)
            assert before[-1] not in "（《", (before, after)


def test_latin_words_and_numbers_are_not_split():
    font = pdf._register_cjk_font(cjk_font_path())
    lines = pdf._break_lines("许可证编号JY13301060012345，有效", font, 10, 100.0)
    assert any("JY13301060012345" in line for line in lines)


requires_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils is not installed (apt-get install -y poppler-utils)",
)


@requires_poppler
def test_the_text_is_extractable_chinese(tmp_path):
    sheet = _sheet(rows=[*_sheet().rows, ("备注", "A&B <b>小吃</b> 店")])
    path = tmp_path / "license.pdf"
    path.write_bytes(render_license_pdf(sheet))
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True).stdout.decode()
    # The title is spaced out and long values wrap: compare without white space.
    squeezed = "".join(text.split())
    for expected in [
        "食品经营许可证",
        "明湖市湖畔小吃店（个体工商户）",
        "92330106MA2CDXYZ3F",
        IDENTIFIER,
        "A&B<b>小吃</b>店",
    ]:
        assert expected in squeezed


@requires_poppler
def test_the_rendered_qr_code_shows_the_modules_on_a_clear_background(tmp_path):
    document = render_license_pdf(_sheet(watermark="此件仅供办理政务服务事项时使用"))
    path = tmp_path / "license.pdf"
    path.write_bytes(document)
    dots_per_inch = 300
    subprocess.run(
        ["pdftoppm", "-r", str(dots_per_inch), "-gray", "-png", "-singlefile", str(path), str(tmp_path / "page")],
        check=True,
    )
    page = Image.open(tmp_path / "page.png").convert("L")
    matrix, (left, top, module) = _drawn_qr_code(document)
    scale = dots_per_inch / 72
    page_height = 297 / 25.4 * 72
    for row in range(-2, len(matrix) + 2):  # two modules of the quiet zone all around
        for column in range(-2, len(matrix) + 2):
            x = (left + (column + 0.5) * module) * scale
            y = (page_height - top + (row + 0.5) * module) * scale
            inside = 0 <= row < len(matrix) and 0 <= column < len(matrix)
            dark = _level(page, round(x), round(y)) < 128
            assert dark == (inside and matrix[row][column]), (row, column)
