import datetime

from yiwang.core.identifiers import compose_id_number
from yiwang.datahub.catalog.selectors import resource_schema
from yiwang.datahub.ingestion.validation import RowChecker

ID = compose_id_number("419802", datetime.date(1985, 3, 15), 123)  # odd sequence: male
HEADER = ["公民身份号码", "姓名", "性别", "出生日期", "民族", "户籍地址", "现住址", "联系电话", "所属区划"]
CODES = [
    "id_number",
    "name",
    "sex",
    "birth_date",
    "ethnicity",
    "registered_address",
    "current_address",
    "phone",
    "division",
]


def checker():
    schema = resource_schema(slug="population")
    columns = {index: schema.element(code) for index, code in enumerate(CODES)}
    return RowChecker(schema, columns)


def row(number=2, **cells):
    values = {
        "公民身份号码": ID, "姓名": "张三", "性别": "男", "出生日期": "1985-03-15", "民族": "汉族",
        "户籍地址": "明湖市清河区滨河路1号", "现住址": "", "联系电话": "13800138000", "所属区划": "419802001001",
    }  # fmt: skip
    values.update(cells)
    return (number, [values[name] for name in HEADER])


def test_a_good_row_comes_out_canonical(registries):
    accepted, errors = checker().check([row(**{"出生日期": "1985/3/15", "联系电话": "+86 138-0013-8000"})])
    assert errors == []
    [checked] = accepted
    assert checked.values["birth_date"] == "1985-03-15"
    assert checked.values["phone"] == "13800138000"
    assert "current_address" not in checked.values  # empty optional cell


def test_each_problem_names_row_column_and_reason(registries):
    rows = [
        row(2, **{"公民身份号码": ID[:-1] + ("0" if ID[-1] != "0" else "1")}),
        row(3, **{"性别": "女"}),
        row(4, **{"出生日期": "1985-03-16"}),
        row(5, **{"民族": "火星族"}),
        row(6, **{"姓名": ""}),
        row(7, **{"联系电话": "12345"}),
        row(8, **{"所属区划": "4198"}),
        row(9, **{"出生日期": "1985-02-30"}),
        row(10, **{"姓名": "张" * 51}),
    ]
    accepted, errors = checker().check(rows)
    assert accepted == []
    found = {(error.row, error.column) for error in errors}
    assert found == {
        (2, "公民身份号码"),
        (3, "性别"),
        (4, "出生日期"),
        (5, "民族"),
        (6, "姓名"),
        (7, "联系电话"),
        (8, "所属区划"),
        (9, "出生日期"),
        (10, "姓名"),
    }
    reasons = {error.row: error.reason for error in errors}
    assert "18" in reasons[2] and "男" in reasons[3] and "1985-03-15" in reasons[4]
    assert reasons[6] == "required, but empty"


def test_lenient_resources_accept_abolished_area_codes(registries):
    from yiwang.datahub.catalog.schema import ResourceSchema

    old = compose_id_number("110103", datetime.date(1970, 1, 1), 11)
    strict = checker()
    lenient_schema = ResourceSchema(**{**strict.schema.__dict__, "lenient_identifiers": True})
    lenient = RowChecker(lenient_schema, strict.columns)
    birth = {"出生日期": "1970-01-01", "公民身份号码": old}
    assert strict.check([row(**birth)])[0] == []
    assert len(lenient.check([row(**birth)])[0]) == 1
