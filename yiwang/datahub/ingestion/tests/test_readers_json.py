"""JSON arrays and NDJSON: numbers as written, null empty, nested values and unknown keys refused per row."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from yiwang.datahub.ingestion.errors import UnreadableFile
from yiwang.datahub.ingestion.readers import SourceRow, open_tabular

NESTED = "The value of “住址” is a nested object or list; only text, numbers, true/false and null can be loaded."


def write(tmp_path: Path, text: str, name: str = "people.json", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_json_array(tmp_path):
    text = """
    [
      {"姓名": "张三", "公民身份号码": 110101199003070011, "面积": 1.50, "指数": 1e2, "在册": true, "备注": null},
      {"姓名": "李四", "面积": -0.25, "在册": false, "住址": {"区": "东城"}},
      {"姓名": "王五", "电话": "13800138000"},
      ["赵六"]
    ]
    """

    source = open_tabular(write(tmp_path, text))

    assert (source.format, source.encoding, source.header_row) == ("json", "", 0)
    assert source.header == ["姓名", "公民身份号码", "面积", "指数", "在册", "备注"]
    assert list(source.rows()) == [
        SourceRow(1, ["张三", "110101199003070011", "1.50", "1E+2", "true", ""]),
        SourceRow(
            2,
            ["李四", "", "-0.25", "", "false", ""],
            "The key “住址” is not in the first record, so it has no column.",
        ),
        SourceRow(3, ["王五", "", "", "", "", ""], "The key “电话” is not in the first record, so it has no column."),
        SourceRow(4, [], "This record is not an object with named values."),
    ]


def test_nested_value_under_a_known_key(tmp_path):
    text = '[{"姓名": "张三", "住址": "东城"}, {"姓名": "李四", "住址": {"区": "西城"}}, {"姓名": "王五", "住址": [1]}]'

    rows = list(open_tabular(write(tmp_path, text)).rows())

    assert rows == [
        SourceRow(1, ["张三", "东城"]),
        SourceRow(2, ["李四", ""], NESTED),
        SourceRow(3, ["王五", ""], NESTED),
    ]


def test_json_with_bom(tmp_path):
    source = open_tabular(write(tmp_path, '\ufeff[{"姓名": "张三"}]'))

    assert list(source.rows()) == [SourceRow(1, ["张三"])]


def test_empty_json_array_has_no_rows(tmp_path):
    source = open_tabular(write(tmp_path, " [ ] "))

    assert (source.header, list(source.rows())) == ([], [])
    assert source.warnings == ["people.json holds no records."]


def test_first_record_must_be_an_object(tmp_path):
    with pytest.raises(UnreadableFile) as caught:
        open_tabular(write(tmp_path, '[["姓名"], ["张三"]]'))

    assert caught.value.message == (
        "people.json: the first record is not an object with named values, so it gives no columns."
    )


def test_malformed_json_names_the_record_it_follows(tmp_path):
    source = open_tabular(write(tmp_path, '[{"姓名": "张三"}, {"姓名": "李四"}, {"姓名": 王五}]'))

    with pytest.raises(UnreadableFile) as caught:
        list(source.rows())

    assert caught.value.message == (
        "people.json: the JSON is malformed after record 2 (lexical error: invalid char in json text.)."
    )
    assert caught.value.row == 3


def test_gbk_json_is_refused(tmp_path):
    path = write(tmp_path, '[{"姓名": "张三", "住址": "北京市东城区"}]', encoding="gbk")

    with pytest.raises(UnreadableFile) as caught:
        open_tabular(path)

    assert caught.value.message == (
        "people.json is JSON in the GBK or GB18030 encoding; JSON files must be saved in UTF-8."
    )


def test_ndjson(tmp_path):
    text = (
        '{"姓名": "张三", "面积": 1.50, "在册": true, "备注": null}\n'
        "\n"
        '{"姓名": "李四", "面积": 12345678901234567890, "在册": false, "备注": "x"}\r\n'
        '{"姓名": "王五", "住址": {"区": "东城"}}\n'
        '{"姓名": "赵六", "面积": }\n'
        '{"姓名": "钱七", "面积": NaN}\n'
        '"孙八"\n'
    )

    source = open_tabular(write(tmp_path, text, name="people.ndjson"))

    assert (source.format, source.header) == ("ndjson", ["姓名", "面积", "在册", "备注"])
    assert source.warnings == []
    assert list(source.rows()) == [
        SourceRow(1, ["张三", "1.50", "true", ""]),
        SourceRow(3, ["李四", "12345678901234567890", "false", "x"]),
        SourceRow(4, ["王五", "", "", ""], "The key “住址” is not in the first record, so it has no column."),
        SourceRow(5, [], "This line is not valid JSON (Expecting value at column 20)."),
        SourceRow(6, [], "This line is not valid JSON (NaN is not a JSON number)."),
        SourceRow(7, [], "This record is not an object with named values."),
    ]


def test_a_pretty_printed_object_is_not_ndjson(tmp_path):
    with pytest.raises(UnreadableFile) as caught:
        open_tabular(write(tmp_path, '{\n  "data": [{"姓名": "张三"}]\n}\n'))

    assert caught.value.message == (
        "people.json, line 1: this line is not a complete JSON object. An NDJSON file has one object per line; "
        "a JSON file is an array of objects: [{…}, {…}]."
    )
    assert caught.value.row == 1


def test_ndjson_line_that_is_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "people.ndjson"
    path.write_bytes('{"姓名": "张三"}\n'.encode() * 40 + '{"姓名": "李四"}\n'.encode("gbk"))
    source = open_tabular(path)

    with pytest.raises(UnreadableFile) as caught:
        list(source.rows())

    assert caught.value.message == (
        "people.ndjson, line 41: this line is not valid UTF-8; JSON files must be saved in UTF-8."
    )


def test_deep_nesting_is_refused_per_row_without_memory_growth(tmp_path):
    # ijson.items would build a prefix per level (quadratic: about 1 GB for these 40 kB); nested values are skipped.
    depth = 20_000
    text = '[{"姓名": "张三", "住址": ' + "[" * depth + "]" * depth + '}, {"姓名": "李四", "住址": "东城"}]'
    source = open_tabular(write(tmp_path, text))

    tracemalloc.start()
    try:
        rows = list(source.rows())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert rows == [SourceRow(1, ["张三", ""], NESTED), SourceRow(2, ["李四", "东城"])]
    assert peak < 8 * 1024 * 1024  # ijson's events for one 64 KiB read at most


def test_an_endless_number_is_refused_before_the_parser_sees_it(tmp_path):
    # ijson's C parser crashes the process on an integer longer than 4,300 digits.
    text = '[\n{"姓名": "张三", "编号": 1},\n{"姓名": "李四", "编号": ' + "7" * 5000 + "}\n]"

    with pytest.raises(UnreadableFile) as caught:
        open_tabular(write(tmp_path, text))

    assert caught.value.message == (
        "people.json, line 3: a number is longer than 1000 digits. Store long codes as text (in quotes)."
    )


def test_a_long_number_split_across_reads_is_refused(tmp_path):
    text = '[{"姓名": "张三", "编号": "' + "x" * (64 * 1024 - 600) + '"}, {"编号": ' + "7" * 2000 + "}]"
    source = open_tabular(write(tmp_path, text))

    with pytest.raises(UnreadableFile) as caught:
        list(source.rows())

    assert caught.value.message.startswith("people.json, line 1: a number is longer than 1000 digits.")


def test_ndjson_lines_nested_too_deeply_or_with_endless_numbers_are_row_problems(tmp_path):
    text = '{"姓名": "张三"}\n{"姓名": ' + "[" * 5000 + "]" * 5000 + '}\n{"姓名": ' + "7" * 5000 + "}\n"

    rows = list(open_tabular(write(tmp_path, text, name="people.ndjson")).rows())

    assert rows[0] == SourceRow(1, ["张三"])
    assert rows[1] == SourceRow(2, [], "This line is not valid JSON (nested too deeply).")
    assert rows[2].number == 3
    assert rows[2].problem is not None and rows[2].problem.startswith("This line is not valid JSON (Exceeds the limit")
