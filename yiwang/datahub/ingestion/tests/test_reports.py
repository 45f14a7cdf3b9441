"""The error report: a CSV Excel opens in Chinese, an XLSX with text cells, formula-like values made harmless."""

from __future__ import annotations

import csv

import openpyxl
import pytest

from yiwang.datahub.ingestion.reports import ErrorReport, ReportFiles


def csv_rows(files: ReportFiles | None) -> list[list[str]]:
    assert files is not None
    with files.csv.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))


def xlsx_rows(files: ReportFiles | None) -> list[tuple[object, ...]]:
    assert files is not None
    book = openpyxl.load_workbook(files.xlsx)
    return [tuple(cell.value for cell in row) for row in book.active.iter_rows()]


def test_round_trip_csv_and_xlsx(tmp_path):
    report = ErrorReport(tmp_path / "reports", "batch-7")
    report.add(2, "公民身份号码", "110101199003070012", "check digit is wrong: expected 1")
    report.add(5, "住址", "北京市\n东城区", "longer than 5 characters")
    assert report.count == 2

    files = report.close()

    assert files == ReportFiles(csv=tmp_path / "reports" / "batch-7.csv", xlsx=tmp_path / "reports" / "batch-7.xlsx")
    assert files.csv.read_bytes().startswith(b"\xef\xbb\xbfRow,Column,Value,Reason\r\n")
    assert csv_rows(files) == [
        ["Row", "Column", "Value", "Reason"],
        ["2", "公民身份号码", "110101199003070012", "check digit is wrong: expected 1"],
        ["5", "住址", "北京市\n东城区", "longer than 5 characters"],
    ]
    assert xlsx_rows(files) == [
        ("Row", "Column", "Value", "Reason"),
        (2, "公民身份号码", "110101199003070012", "check digit is wrong: expected 1"),
        (5, "住址", "北京市\n东城区", "longer than 5 characters"),
    ]
    sheet = openpyxl.load_workbook(files.xlsx).active
    assert [sheet.cell(1, column).font.bold for column in range(1, 5)] == [True, True, True, True]
    assert (sheet["C2"].data_type, sheet["C2"].number_format) == ("s", "@")
    assert sorted(path.name for path in (tmp_path / "reports").iterdir()) == ["batch-7.csv", "batch-7.xlsx"]


def test_formula_like_values_are_neutralised(tmp_path):
    report = ErrorReport(tmp_path, "batch-8")
    values = ['=HYPERLINK("http://x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "'=1+1", "-12.5", "+86", "'x"]
    for number, value in enumerate(values, start=2):
        report.add(number, "=A1", value, "not valid")

    files = report.close()

    assert [row[2] for row in csv_rows(files)[1:]] == [
        '\'=HYPERLINK("http://x")',
        "'+1+cmd|' /C calc'!A0",
        "'-2+3",
        "'@SUM(A1)",
        "''=1+1",
        "-12.5",
        "+86",
        "'x",
    ]
    assert {row[1] for row in csv_rows(files)[1:]} == {"'=A1"}
    sheet = openpyxl.load_workbook(files.xlsx).active
    # Typed text in the workbook, exactly as read: nothing to run, nothing added.
    assert [sheet.cell(row, 3).value for row in range(2, 10)] == values
    assert {sheet.cell(row, 3).data_type for row in range(2, 10)} == {"s"}
    assert {sheet.cell(row, 2).value for row in range(2, 10)} == {"=A1"}


def test_control_characters_do_not_break_the_workbook(tmp_path):
    report = ErrorReport(tmp_path, "batch-9")
    report.add(3, "姓名", "张\x00三\x07", "contains control characters")

    files = report.close()

    assert xlsx_rows(files)[1] == (3, "姓名", "张\ufffd三\ufffd", "contains control characters")
    assert csv_rows(files)[1][2] == "张\x00三\x07"


def test_an_empty_report_leaves_no_files(tmp_path):
    (tmp_path / "batch-10.csv").write_text("stale", encoding="utf-8")
    report = ErrorReport(tmp_path, "batch-10")

    assert report.close() is None
    assert list(tmp_path.iterdir()) == []


def test_entries_beyond_the_excel_limit_are_pointed_to_the_csv(tmp_path):
    report = ErrorReport(tmp_path, "batch-11", xlsx_row_limit=5)
    for number in range(2, 12):
        report.add(number, "姓名", f"v{number}", "required")

    files = report.close()

    assert len(csv_rows(files)) == 11
    assert xlsx_rows(files) == [
        ("Row", "Column", "Value", "Reason"),
        (2, "姓名", "v2", "required"),
        (3, "姓名", "v3", "required"),
        (4, "姓名", "v4", "required"),
        (
            "Only the first 3 of 10 entries fit in an Excel sheet; all of them are in the CSV file batch-11.csv.",
            None,
            None,
            None,
        ),
    ]


def test_entries_that_just_fit_need_no_notice(tmp_path):
    report = ErrorReport(tmp_path, "batch-12", xlsx_row_limit=5)
    for number in range(2, 6):
        report.add(number, "姓名", "", "required")

    assert len(xlsx_rows(report.close())) == 5


def test_close_twice_gives_the_same_files_and_add_after_close_fails(tmp_path):
    report = ErrorReport(tmp_path, "batch-13")
    report.add(2, "姓名", "", "required")

    files = report.close()

    assert report.close() == files
    with pytest.raises(RuntimeError):
        report.add(3, "姓名", "", "required")


def test_a_report_not_closed_in_its_block_is_removed(tmp_path):
    with pytest.raises(ZeroDivisionError), ErrorReport(tmp_path, "batch-14") as report:
        report.add(2, "姓名", "", "required")
        _ = 1 / 0

    assert list(tmp_path.iterdir()) == []


def test_long_values_are_clipped_to_what_a_cell_holds(tmp_path):
    report = ErrorReport(tmp_path, "batch-15")
    report.add(2, "备注", "长" * 40_000, "too long")

    files = report.close()

    assert xlsx_rows(files)[1][2] == "长" * 31_999 + "…"


@pytest.mark.parametrize("base_name", ["", "../batch", "a/b", ".."])
def test_the_base_name_is_a_plain_file_name(tmp_path, base_name):
    with pytest.raises(ValueError):
        ErrorReport(tmp_path, base_name)


def test_excel_error_codes_and_formulas_in_any_column_stay_text(tmp_path):
    report = ErrorReport(tmp_path, "batch-16")
    report.add(2, "#N/A", "#DIV/0!", "=SUM(A1:A2)")

    files = report.close()

    sheet = openpyxl.load_workbook(files.xlsx).active
    assert [(cell.value, cell.data_type) for cell in sheet[2]] == [
        (2, "n"),
        ("#N/A", "s"),
        ("#DIV/0!", "s"),
        ("=SUM(A1:A2)", "s"),
    ]
    assert csv_rows(files)[1] == ["2", "#N/A", "#DIV/0!", "'=SUM(A1:A2)"]
