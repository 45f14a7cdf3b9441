"""CSV: encodings detected, delimiters sniffed, line numbers a person can find, rows that are wrong on their own."""

from __future__ import annotations

from pathlib import Path

import pytest

from yiwang.datahub.ingestion.errors import UnreadableFile
from yiwang.datahub.ingestion.readers import SourceRow, open_tabular

PEOPLE = "姓名,公民身份号码,住址\n张三,110101199003070011,北京市东城区\n李四,110101199003070038,上海市黄浦区\n"


def write(tmp_path: Path, data: bytes, name: str = "people.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_utf8_without_bom(tmp_path):
    source = open_tabular(write(tmp_path, PEOPLE.encode("utf-8")))

    assert (source.format, source.encoding, source.header_row) == ("csv", "utf-8", 1)
    assert source.header == ["姓名", "公民身份号码", "住址"]
    assert source.warnings == []
    assert list(source.rows()) == [
        SourceRow(2, ["张三", "110101199003070011", "北京市东城区"]),
        SourceRow(3, ["李四", "110101199003070038", "上海市黄浦区"]),
    ]


def test_utf8_with_bom_and_padded_headings(tmp_path):
    data = "\ufeff 姓名 ,公民身份号码\r\n张三,110101199003070011\r\n".encode()

    source = open_tabular(write(tmp_path, data))

    assert source.encoding == "utf-8"
    assert source.header == ["姓名", "公民身份号码"]
    assert list(source.rows()) == [SourceRow(2, ["张三", "110101199003070011"])]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_excel_unicode_text_utf16_with_tabs(tmp_path, codec):
    # Excel's "Unicode text (*.txt)": UTF-16 (little-endian on Windows) with a byte-order mark, tabs, CRLF.
    text = (
        "姓名\t公民身份号码\t住址\r\n张三\t110101199003070011\t北京市东城区\r\n\r\n李四\t110101199003070038\t𠀀路\r\n"
    )
    data = text.encode(codec) if codec == "utf-16" else b"\xfe\xff" + text.encode(codec)

    source = open_tabular(write(tmp_path, data, "people.txt"))

    assert (source.format, source.encoding, source.warnings) == ("csv", "utf-16", [])
    assert source.header == ["姓名", "公民身份号码", "住址"]
    assert list(source.rows()) == [
        SourceRow(2, ["张三", "110101199003070011", "北京市东城区"]),
        SourceRow(4, ["李四", "110101199003070038", "𠀀路"]),
    ]


def test_damaged_utf16_names_the_line(tmp_path):
    good = "姓名\t年龄\r\n张三\t30\r\n".encode("utf-16")
    path = write(tmp_path, good + "李四\t".encode("utf-16-le") + b"\x00\xdc" + "\r\n".encode("utf-16-le"), "people.txt")

    with pytest.raises(UnreadableFile) as raised:  # on opening or while reading, as far as the decoder has read
        list(open_tabular(path).rows())
    assert raised.value.message.startswith("people.txt, line 3: this line cannot be read as UTF-16")


def test_utf16_over_many_blocks_keeps_line_numbers(tmp_path):
    # Over several read blocks: characters (a surrogate pair among them) cut at block ends, lines counted on.
    rows = "".join(f"𠀀{index}\t{index}\r\n" for index in range(200_000))
    data = ("姓名\t序号\r\n" + rows).encode("utf-16") + b"\x00\xdc" + "\r\n".encode("utf-16-le")

    with pytest.raises(UnreadableFile) as raised:
        for row in open_tabular(write(tmp_path, data, "big.txt")).rows():
            assert row.cells == [f"𠀀{row.number - 2}", str(row.number - 2)]
    assert raised.value.message.startswith("big.txt, line 200002: this line cannot be read as UTF-16")


def test_gbk(tmp_path):
    source = open_tabular(write(tmp_path, PEOPLE.encode("gbk")))

    assert source.encoding == "gb18030"
    assert source.header == ["姓名", "公民身份号码", "住址"]
    assert [row.cells[2] for row in source.rows()] == ["北京市东城区", "上海市黄浦区"]


def test_gb18030_with_a_character_outside_gbk(tmp_path):
    text = PEOPLE + "王𠀀,110101199003070054,河南省济源市\n"
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")

    source = open_tabular(write(tmp_path, text.encode("gb18030")))

    assert source.encoding == "gb18030"
    assert list(source.rows())[-1] == SourceRow(4, ["王𠀀", "110101199003070054", "河南省济源市"])


def test_gbk_after_a_long_ascii_start_is_still_gbk(tmp_path):
    # The encoding is decided by the first non-ASCII text, even beyond the first MiB.
    ascii_rows = "".join(f"{number},110101199003070011,Beijing\n" for number in range(40_000))
    data = ("name,id,address\n" + ascii_rows).encode() + "张三,110101199003070011,北京市东城区\n".encode("gbk")
    assert len(data) > 1 << 20

    source = open_tabular(write(tmp_path, data))

    assert source.encoding == "gb18030"
    assert list(source.rows())[-1] == SourceRow(40_002, ["张三", "110101199003070011", "北京市东城区"])


def test_utf8_file_switching_to_gbk_names_the_line(tmp_path):
    lines = ["姓名,公民身份号码,住址\n"] + [f"张{number},110101199003070011,北京市东城区\n" for number in range(3000)]
    data = "".join(lines).encode("utf-8") + "李四,110101199003070038,上海市黄浦区\n".encode("gbk")
    source = open_tabular(write(tmp_path, data))
    assert source.encoding == "utf-8"

    with pytest.raises(UnreadableFile) as caught:
        list(source.rows())

    assert caught.value.message == (
        "people.csv, line 3002: this line is not valid UTF-8 (the encoding of the lines before it), so the file "
        "mixes encodings. Save the whole file again in one encoding, preferably UTF-8."
    )
    assert caught.value.row == 3002


def test_gbk_file_with_a_utf8_line_names_the_line(tmp_path):
    data = PEOPLE.encode("gbk") + "王五,110101199003070054,河南省济源市沁园街道办事处北海大道一百号\n".encode()

    source = open_tabular(write(tmp_path, data))

    assert source.encoding == "gb18030"
    with pytest.raises(UnreadableFile) as caught:
        list(source.rows())
    assert caught.value.message == (
        "people.csv, line 4: this line is written in UTF-8 while the file is in GBK or GB18030, so the file mixes "
        "encodings. Save the whole file again in one encoding, preferably UTF-8."
    )
    assert caught.value.row == 4


def test_text_in_no_known_encoding_is_refused(tmp_path):
    with pytest.raises(UnreadableFile) as caught:
        open_tabular(write(tmp_path, b"name,value\n\x80\x80\xff\xff\n"))

    assert caught.value.message == (
        "people.csv cannot be read as text in UTF-8, GBK or GB18030. Save it as “CSV UTF-8” and upload it again."
    )


def test_ragged_rows_are_problems_of_their_row(tmp_path):
    data = "姓名,年龄,住址\n张三,30,北京\n李四,40\n王五,50,上海,多余\n赵六,60,济源,,\n".encode()

    source = open_tabular(write(tmp_path, data))

    assert len(source.header) == 3
    assert list(source.rows()) == [
        SourceRow(2, ["张三", "30", "北京"]),
        SourceRow(3, ["李四", "40", ""]),
        SourceRow(4, ["王五", "50", "上海", "多余"], "This row has 4 cells, but the header has 3 columns."),
        SourceRow(5, ["赵六", "60", "济源"]),
    ]


def test_quoted_line_breaks_and_blank_lines_keep_line_numbers(tmp_path):
    data = '姓名,住址\n张三,"北京市\n东城区"\n\n,\n李四,"上海市\n黄浦区\n外滩"\n王五,济源\n'.encode()

    rows = list(open_tabular(write(tmp_path, data)).rows())

    assert rows == [
        SourceRow(2, ["张三", "北京市\n东城区"]),
        SourceRow(6, ["李四", "上海市\n黄浦区\n外滩"]),
        SourceRow(9, ["王五", "济源"]),
    ]


def test_header_after_blank_lines(tmp_path):
    source = open_tabular(write(tmp_path, "\n\n姓名,年龄\n张三,30\n".encode()))

    assert (source.header, source.header_row) == (["姓名", "年龄"], 3)
    assert list(source.rows()) == [SourceRow(4, ["张三", "30"])]


@pytest.mark.parametrize("delimiter", ["\t", ";", "|"])
def test_other_delimiters_are_sniffed_from_the_header(tmp_path, delimiter):
    data = delimiter.join(["姓名", "住址", "备注"]) + "\n" + delimiter.join(["张三", "北京,东城", ""]) + "\n"

    source = open_tabular(write(tmp_path, data.encode(), name="people.tsv"))

    assert source.header == ["姓名", "住址", "备注"]
    assert list(source.rows()) == [SourceRow(2, ["张三", "北京,东城", ""])]


def test_quotes_inside_an_unquoted_cell_are_text(tmp_path):
    rows = list(open_tabular(write(tmp_path, '备注,数量\n他说"好",3\n'.encode())).rows())

    assert rows == [SourceRow(2, ['他说"好"', "3"])]


def test_a_quote_never_closed_names_the_line_where_it_opened(tmp_path):
    source = open_tabular(write(tmp_path, '姓名,住址\n张三,北京\n李四,"上海\n王五,济源\n'.encode()))

    with pytest.raises(UnreadableFile) as caught:
        list(source.rows())

    assert caught.value.message == (
        'people.csv, line 3: a quote (") opened in this row is never closed, so the rest of the file reads as one '
        "cell. Close the quote or remove it."
    )
    assert caught.value.row == 3


def test_duplicate_headings_are_refused(tmp_path):
    with pytest.raises(UnreadableFile) as caught:
        open_tabular(write(tmp_path, "姓名,年龄,姓名\n张三,30,张三\n".encode()))

    assert caught.value.message == (
        "people.csv: the heading “姓名” appears in column 1 and in column 3; each column needs its own heading."
    )
    assert caught.value.column == "姓名"


def test_empty_file(tmp_path):
    with pytest.raises(UnreadableFile) as caught:
        open_tabular(write(tmp_path, b""))

    assert caught.value.message == "people.csv is empty."


def test_blank_file_is_empty(tmp_path):
    with pytest.raises(UnreadableFile) as caught:
        open_tabular(write(tmp_path, b"\xef\xbb\xbf \r\n\r\n"))

    assert caught.value.message == "people.csv is empty."


def test_header_only_gives_zero_rows_and_a_warning(tmp_path):
    source = open_tabular(write(tmp_path, "姓名,年龄\n\n".encode()))

    assert source.header == ["姓名", "年龄"]
    assert list(source.rows()) == []
    assert source.warnings == ["people.csv has a header but no rows."]


def test_rows_can_be_read_again(tmp_path):
    source = open_tabular(write(tmp_path, PEOPLE.encode()))

    assert list(source.rows()) == list(source.rows())


def test_lone_carriage_returns_get_advice(tmp_path):
    with pytest.raises(UnreadableFile) as caught:
        open_tabular(write(tmp_path, "姓名,年龄\r张三,30\r".encode()))

    assert caught.value.message == (
        "people.csv, line 1: the lines end with a lone carriage return (an old Mac format). Save the file again as "
        "“CSV UTF-8”."
    )


def test_a_client_path_in_the_declared_name_is_cut_to_the_file_name(tmp_path):
    with pytest.raises(UnreadableFile) as caught:
        open_tabular(write(tmp_path, b""), declared_name="C:\\fakepath\\人口.csv")

    assert caught.value.message == "人口.csv is empty."
