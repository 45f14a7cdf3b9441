"""XLSX: cells read the way a person sees them in Excel; merged cells, missing formula values and mangled numbers
refused with the cell to fix."""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest

from yiwang.datahub.ingestion.errors import UnreadableFile
from yiwang.datahub.ingestion.readers import SourceRow, open_tabular

SHEET = "xl/worksheets/sheet1.xml"


def workbook(tmp_path: Path, rows: Sequence[Sequence[object]], name: str = "people.xlsx") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def rewrite(path: Path, member: str, old: str, new: str) -> None:
    """Edit one part of a saved workbook, as a program other than openpyxl would have written it."""
    with zipfile.ZipFile(path) as archive:
        parts = {item: archive.read(item) for item in archive.namelist()}
    # openpyxl writes an empty element as `<v />` with its own writer and as `<v></v>` when lxml is installed.
    text = re.sub(r"<(\w+)></\1>", r"<\1/>", parts[member].decode()).replace(" />", "/>")
    old = old.replace(" />", "/>")
    assert old in text
    parts[member] = text.replace(old, new).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item, data in parts.items():
            archive.writestr(item, data)


def test_values_read_as_a_person_sees_them(tmp_path):
    path = workbook(
        tmp_path,
        [
            [" 姓名 ", "公民身份号码", "出生日期", "登记时间", "电话", "日期编码", "面积", "份额", "人数", "在册"],
            [
                "张三",
                "110101199003070011",
                datetime.date(1990, 3, 7),
                datetime.datetime(2023, 1, 5, 8, 30, 15),
                13800138000.0,
                20230101.0,
                0.1 + 0.2,
                3.25,
                12,
                True,
            ],
            ["李四", "11010119900307003X", None, None, None, None, None, None, 0, False],
        ],
    )

    source = open_tabular(path)

    assert (source.format, source.encoding, source.header_row) == ("xlsx", "", 1)
    assert source.header == [
        "姓名",
        "公民身份号码",
        "出生日期",
        "登记时间",
        "电话",
        "日期编码",
        "面积",
        "份额",
        "人数",
        "在册",
    ]
    assert list(source.rows()) == [
        SourceRow(
            2,
            [
                "张三",
                "110101199003070011",
                "1990-03-07",
                "2023-01-05T08:30:15",
                "13800138000",
                "20230101",
                "0.3",
                "3.25",
                "12",
                "true",
            ],
        ),
        SourceRow(3, ["李四", "11010119900307003X", "", "", "", "", "", "", "0", "false"]),
    ]


def test_row_numbers_are_excel_rows_and_empty_rows_are_skipped(tmp_path):
    path = workbook(tmp_path, [[], ["姓名", "年龄"], ["张三", 30], [], [None, None], ["李四", 40]])

    source = open_tabular(path)

    assert source.header_row == 2
    assert list(source.rows()) == [SourceRow(3, ["张三", "30"]), SourceRow(6, ["李四", "40"])]


def test_an_id_number_stored_as_a_number_names_the_cell(tmp_path):
    path = workbook(tmp_path, [["姓名", "公民身份号码"], ["张三", "110101199003070011"], ["李四", 110101199003070038]])
    source = open_tabular(path)

    with pytest.raises(UnreadableFile) as caught:
        list(source.rows())

    assert caught.value.message == (
        "people.xlsx, cell B3: the number 110101199003070000 is longer than the 15 digits Excel keeps, so its last "
        "digits are lost. ID numbers and other long codes must be stored as text in Excel: format the column as Text "
        "and enter them again."
    )
    assert (caught.value.row, caught.value.column) == (3, "B")


def test_an_id_number_that_excel_turned_into_a_float_names_the_cell(tmp_path):
    path = workbook(tmp_path, [["姓名", "公民身份号码"], ["张三", 1.10101199003070e17]])

    with pytest.raises(UnreadableFile) as caught:
        list(open_tabular(path).rows())

    assert caught.value.message.startswith("people.xlsx, cell B2: the number 110101199003070000 is longer")


def test_merged_cells_in_the_data_are_refused_with_their_ranges(tmp_path):
    path = tmp_path / "people.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [["社区", "姓名"], ["东城", "张三"], [None, "李四"], [None, "王五"], ["西城", "赵六"], [None, "钱七"]]:
        sheet.append(row)
    sheet.merge_cells("A2:A4")
    sheet.merge_cells("A5:A6")
    book.save(path)

    with pytest.raises(UnreadableFile) as caught:
        open_tabular(path)

    assert caught.value.message == (
        "people.xlsx: merged cells A2:A4, A5:A6. Unmerge them and fill in every row, then upload the file again."
    )
    assert (caught.value.row, caught.value.column) == (2, "A")


def test_a_merged_title_above_the_header_is_skipped(tmp_path):
    path = tmp_path / "people.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [["2023年明湖市人口登记表"], ["姓名", "年龄", "住址"], ["张三", 30, "东城"]]:
        sheet.append(row)
    sheet.merge_cells("A1:C1")
    book.save(path)

    source = open_tabular(path)

    assert (source.header, source.header_row) == (["姓名", "年龄", "住址"], 2)
    assert source.warnings == ["people.xlsx: row 1 looks like a title (one merged cell) and was skipped."]
    assert list(source.rows()) == [SourceRow(3, ["张三", "30", "东城"])]


def test_a_formula_without_a_cached_value_names_the_cell(tmp_path):
    # openpyxl saves formulas without computing them: the file carries no value for D2 and D3.
    path = workbook(tmp_path, [["姓名", "单价", "数量", "金额"], ["张三", 2, 3, "=B2*C2"], ["李四", 4, 5, "=B3*C3"]])

    with pytest.raises(UnreadableFile) as caught:
        open_tabular(path)

    assert caught.value.message == (
        "people.xlsx: cells D2, D3 hold formulas without a computed value; the file was saved by a program that does "
        "not calculate formulas. Open it in Excel or WPS and save it again, or replace the formulas by their values."
    )
    assert (caught.value.row, caught.value.column) == (2, "D")


def test_a_formula_with_a_cached_value_gives_the_value(tmp_path):
    path = workbook(tmp_path, [["姓名", "单价", "数量", "金额"], ["张三", 2, 3, "=B2*C2"]])
    rewrite(path, SHEET, "<f>B2*C2</f><v />", "<f>B2*C2</f><v>6</v>")

    assert list(open_tabular(path).rows()) == [SourceRow(2, ["张三", "2", "3", "6"])]


def test_an_excel_error_value_is_a_problem_of_its_row(tmp_path):
    path = workbook(tmp_path, [["姓名", "比例"], ["张三", "=1/0"], ["李四", 0.5]])
    rewrite(path, SHEET, '<c r="B2"><f>1/0</f><v /></c>', '<c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c>')

    assert list(open_tabular(path).rows()) == [
        SourceRow(2, ["张三", "#DIV/0!"], "Cell B2 shows the Excel error #DIV/0!."),
        SourceRow(3, ["李四", "0.5"]),
    ]


def test_values_under_no_heading_are_a_problem_of_their_row(tmp_path):
    path = workbook(tmp_path, [["姓名", "年龄"], ["张三", 30, None, "多余"], ["李四", 40, None, " "]])

    assert list(open_tabular(path).rows()) == [
        SourceRow(2, ["张三", "30", "", "多余"], "This row has values in columns without a heading: D."),
        SourceRow(3, ["李四", "40"]),
    ]


def test_a_wrong_dimension_does_not_cut_rows(tmp_path):
    path = workbook(tmp_path, [["姓名"], ["张三"], ["李四"]])
    rewrite(path, SHEET, '<dimension ref="A1:A3" />', '<dimension ref="A1" />')

    assert [row.cells for row in open_tabular(path).rows()] == [["张三"], ["李四"]]


def test_a_named_sheet(tmp_path):
    path = tmp_path / "people.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["本表由民政局填报"])
    data = book.create_sheet("数据")
    data.append(["姓名"])
    data.append(["张三"])
    book.save(path)

    assert open_tabular(path).header == ["本表由民政局填报"]
    assert list(open_tabular(path, sheet="数据").rows()) == [SourceRow(2, ["张三"])]
    with pytest.raises(UnreadableFile) as caught:
        open_tabular(path, sheet="人口")
    assert caught.value.message == "people.xlsx has no sheet named “人口”; its sheets are: 说明、数据."


def test_header_only_workbook(tmp_path):
    source = open_tabular(workbook(tmp_path, [["姓名", "年龄"]]))

    assert list(source.rows()) == []
    assert source.warnings == ["people.xlsx has a header but no rows."]


def test_empty_workbook(tmp_path):
    with pytest.raises(UnreadableFile) as caught:
        open_tabular(workbook(tmp_path, []))

    assert caught.value.message == "people.xlsx is empty: its sheet “Sheet” has no cells."


def test_a_csv_that_is_really_a_workbook_is_read_as_one(tmp_path):
    path = workbook(tmp_path, [["姓名"], ["张三"]], name="people.csv")

    source = open_tabular(path)

    assert source.format == "xlsx"
    assert source.warnings == [
        "people.csv is named .csv but holds an Excel workbook (XLSX); it was read by its content."
    ]
    assert list(source.rows()) == [SourceRow(2, ["张三"])]


def test_a_damaged_workbook_is_refused(tmp_path):
    path = workbook(tmp_path, [["姓名"], ["张三"]])
    rewrite(path, SHEET, "<sheetData>", "<sheetData><row")

    with pytest.raises(UnreadableFile) as caught:
        open_tabular(path)

    assert caught.value.message == "people.xlsx could not be opened as an Excel workbook: it is damaged or incomplete."


def test_a_sheet_damaged_further_down_names_the_last_good_row(tmp_path):
    path = workbook(tmp_path, [["编号", "姓名"]] + [[number, f"张{number}"] for number in range(2, 3001)])
    rewrite(path, SHEET, '<row r="2500">', '<row r="2500"><c r="A2500"')
    source = open_tabular(path)

    with pytest.raises(UnreadableFile) as caught:
        list(source.rows())

    # How far the parser got depends on its read size; the message names the last row it delivered.
    assert caught.value.row is not None
    rows_read = caught.value.row - 1
    assert caught.value.message == (
        f"people.xlsx, after row {rows_read}: the worksheet is damaged and cannot be read further."
    )
    assert 1 <= rows_read < 2500
