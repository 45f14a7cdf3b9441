"""What a file is, decided by its content: disguised files, files that are no table, oversized files; the
streaming digest; and memory that stays flat on many rows."""

from __future__ import annotations

import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest

from yiwang.core.crypto import sm3_hex
from yiwang.datahub.ingestion.errors import UnreadableFile
from yiwang.datahub.ingestion.readers import BLOCK_SIZE, open_tabular


def refusal(path: Path, **options) -> str:
    with pytest.raises(UnreadableFile) as caught:
        open_tabular(path, **options)
    return caught.value.message


def test_an_xlsx_that_is_really_a_png_is_refused(tmp_path):
    path = tmp_path / "people.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))

    assert refusal(path) == (
        "people.xlsx is not a table: its content is a PNG image. Upload a CSV, Excel (.xlsx) or JSON file."
    )


def test_an_old_xls_is_refused_with_advice(tmp_path):
    path = tmp_path / "people.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))

    assert refusal(path) == (
        "people.xls is an old Excel 97–2003 workbook (.xls) or a password-protected workbook, which cannot be read. "
        "Open it in Excel or WPS, remove any password, and save it as .xlsx or as CSV."
    )


def test_a_zip_without_a_workbook_is_not_a_table(tmp_path):
    path = tmp_path / "people.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("people.csv", "姓名\n张三\n")

    assert refusal(path) == (
        "people.xlsx is not a table: its content is a ZIP archive (unpack it and upload the table inside). "
        "Upload a CSV, Excel (.xlsx) or JSON file."
    )


def test_a_pdf_is_not_a_table(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    assert refusal(path) == (
        "people.csv is not a table: its content is a PDF document. Upload a CSV, Excel (.xlsx) or JSON file."
    )


def test_binary_data_is_not_a_table(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(b"ab\x00\x01\x02cd" * 10)

    assert refusal(path) == (
        "people.csv is not a table: its content is binary data. Upload a CSV, Excel (.xlsx) or JSON file."
    )


def test_a_web_page_saved_as_xls_is_not_a_table(tmp_path):
    path = tmp_path / "people.xls"
    path.write_text("<html><table><tr><td>姓名</td></tr></table></html>", encoding="utf-8")

    assert refusal(path) == (
        "people.xls is not a table: its content is a web page or an XML document (some systems export these as "
        ".xls). Upload a CSV, Excel (.xlsx) or JSON file."
    )


def test_json_saved_as_utf16_is_refused_with_advice(tmp_path):
    path = tmp_path / "people.json"
    path.write_bytes('[{"姓名": "张三"}]'.encode("utf-16"))

    assert refusal(path) == "people.json is JSON saved as UTF-16; JSON files must be saved in UTF-8."


def test_a_csv_named_xls_is_read_with_a_warning(tmp_path):
    path = tmp_path / "export.xls"
    path.write_bytes("姓名,年龄\n张三,30\n".encode("gbk"))

    source = open_tabular(path)

    assert (source.format, source.encoding) == ("csv", "gb18030")
    assert source.warnings == ["export.xls is named .xls but holds CSV text; it was read by its content."]


def test_the_declared_name_is_what_messages_and_warnings_use(tmp_path):
    path = tmp_path / "upload-7f3a"
    path.write_bytes(b"\x89PNG\r\n\x1a\n")

    assert refusal(path, declared_name="人口.xlsx") == (
        "人口.xlsx is not a table: its content is a PNG image. Upload a CSV, Excel (.xlsx) or JSON file."
    )


def test_an_oversized_file_is_refused_with_both_sizes(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(b"a\n" * (3 * 1024 * 1024 // 4))

    assert refusal(path, max_bytes=1024 * 1024) == (
        "people.csv is 1.5 MB, more than the limit of 1.0 MB. Split it into smaller files."
    )


def test_a_file_just_over_the_limit_still_shows_different_sizes(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(b"a\n" * (5 * 1024 * 1024 // 2 + 1))

    assert refusal(path, max_bytes=5 * 1024 * 1024) == (
        "people.csv is 5.1 MB, more than the limit of 5.0 MB. Split it into smaller files."
    )


def test_a_file_at_the_limit_is_read(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(b"name\nx\n")

    assert open_tabular(path, max_bytes=7).size == 7


def test_streaming_digest_equals_sm3_of_the_whole_file(tmp_path):
    path = tmp_path / "people.csv"
    row = "张三,110101199003070011,北京市东城区\n".encode()
    path.write_bytes("姓名,公民身份号码,住址\n".encode() + row * (3 * BLOCK_SIZE // len(row) + 7))
    data = path.read_bytes()
    assert len(data) > 3 * BLOCK_SIZE

    source = open_tabular(path)

    assert source.digest == sm3_hex(data)
    assert source.size == len(data)


def test_workbook_digest_is_of_its_bytes(tmp_path):
    path = tmp_path / "people.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["姓名"])
    book.save(path)

    assert open_tabular(path).digest == sm3_hex(path.read_bytes())


def test_memory_stays_flat_over_200000_rows(tmp_path):
    path = tmp_path / "people.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        stream.write("姓名,公民身份号码,住址,电话\n")
        for number in range(200_000):
            stream.write(f"张{number},1101011990030{number:05d},明湖市东城区第{number}号,138{number:08d}\n")

    tracemalloc.start()
    try:
        source = open_tabular(path)
        opened_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        count = 0
        last = None
        for row in source.rows():
            count += 1
            last = row
        rows_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert count == 200_000
    assert last is not None and last.number == 200_001
    # Opening holds one 1 MiB block and a slice of it decoded; reading holds a line and a row at a time.
    assert opened_peak < 4 * 1024 * 1024
    assert rows_peak < 512 * 1024
