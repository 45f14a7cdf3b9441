import datetime
import unicodedata

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiwang.core.identifiers import (
    CREDIT_CODE_ALPHABET,
    InvalidIdentifier,
    compose_credit_code,
    compose_id_number,
    validate_credit_code,
    validate_id_number,
)
from yiwang.datahub.linking import normalise
from yiwang.datahub.linking.generator import person_sources_table

# --- names, addresses, phones -------------------------------------------------------------------------


def test_names_become_simplified_without_spaces_or_middle_dots():
    names, pinyin = normalise.name_texts(["張偉", "王　伟", "买买提•艾力", "买买提．艾力", "歐陽 修", None, " "])
    assert names == ["张伟", "王伟", "买买提艾力", "买买提艾力", "欧阳修", None, None]
    assert pinyin == ["zhang wei", "wang wei", "mai mai ti ai li", "mai mai ti ai li", "ou yang xiu", None, None]


def test_homophones_share_their_pinyin():
    assert normalise.pinyin("张伟") == normalise.pinyin("张玮") == "zhang wei"


def test_full_width_characters_and_traditional_addresses_are_simplified():
    assert normalise.simplified_texts(["河南省明湖市清河區 濱河路１２８號"]) == ["河南省明湖市清河区滨河路128号"]


def test_a_value_holding_the_internal_separator_still_maps_one_to_one():
    assert normalise.simplified_texts(["甲\ue000乙", "號"]) == ["甲\ue000乙", "号"]


def _canonical(addresses):
    connection = duckdb.connect()
    rows = []
    for address in addresses:
        text = normalise.simplified_texts([address])[0]
        canonical = normalise.address_canonical_sql("a")
        house, road = normalise.address_house_sql(canonical), normalise.address_road_sql(canonical)
        query = f"SELECT {canonical}, {house}, {road} FROM (SELECT ? AS a)"
        rows.append(connection.execute(query, [text]).fetchall()[0])
    return rows


def test_address_variants_have_one_canonical_form():
    variants = [
        "河南省明湖市清河区滨河大道128号锦绣小区5栋2单元301室",
        "明湖市清河區濱河大道128號錦繡小區5幢2單元301室",
        "清河区 滨河路 １２８号 锦绣小区 5号楼 2单元 301",
        "滨河大道128号锦绣小区5栋2单元301室",
    ]
    rows = _canonical(variants)
    assert {row[0] for row in rows} == {"滨河路128号锦绣苑5栋2单元301"}
    assert rows[0][1:] == ("滨河路128号", "滨河路")


def test_a_compound_is_not_mistaken_for_a_district():
    assert _canonical(["锦绣小区5栋2单元301室"]) == [("锦绣苑5栋2单元301", None, None)]


def test_a_rural_house_is_known_by_its_town_and_village():
    assert _canonical(["明湖市东湖区新店镇柳庄村4组23号"]) == [("新店镇柳庄村4组23号", "新店镇柳庄村", "新店镇")]


def test_phones_keep_their_digits_without_the_country_code():
    connection = duckdb.connect()
    values = ["+86 138 1234 5678", "138-1234-5678", "008613812345678", "0371-6543 2100", "", None]
    texts = normalise.nfkc_texts(values)
    rows = [
        connection.execute(f"SELECT {normalise.phone_sql('p')} FROM (SELECT ? AS p)", [text]).fetchall()[0][0]
        for text in texts
    ]
    assert rows == ["13812345678", "13812345678", "13812345678", "037165432100", None, None]


def test_sex_codes_of_every_department_are_understood():
    connection = duckdb.connect()
    values = ["1", "男", "Male", "M", "2", "女", "female", "9", None]
    rows = [
        connection.execute(f"SELECT {normalise.sex_sql('s')} FROM (SELECT ? AS s)", [value]).fetchall()[0][0]
        for value in values
    ]
    assert rows == ["male"] * 4 + ["female"] * 3 + [None, None]


# --- the bulk identifier checks agree with core.identifiers -----------------------------------------


def _reference_id(value):
    if value is None:
        return None
    try:
        return validate_id_number(value, strict=False)
    except InvalidIdentifier:
        return None


def _reference_credit(value):
    if value is None:
        return None
    try:
        return validate_credit_code(value, strict=True)
    except InvalidIdentifier:
        return None


_AREAS = st.sampled_from(["419802", "419805", "110105", "440305", "810000", "990101", "000000"])
_BIRTH_DATES = st.dates(min_value=datetime.date(1870, 1, 1), max_value=datetime.date(2030, 12, 31))
_VALID_ID_NUMBERS = st.builds(compose_id_number, _AREAS, _BIRTH_DATES, st.integers(0, 999))
_FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


@st.composite
def _id_number_inputs(draw):
    """Valid numbers, the ways departments write them, the ways they break them, and arbitrary text."""
    number = draw(_VALID_ID_NUMBERS)
    kind = draw(st.integers(0, 11))
    if kind == 0:
        return number
    if kind == 1:
        index = draw(st.integers(0, 16))
        return number[:index] + number[index + 1] + number[index] + number[index + 2 :]
    if kind == 2:
        index = draw(st.integers(0, 17))
        return number[:index] + draw(st.sampled_from("0123456789X")) + number[index + 1 :]
    if kind == 3:
        return number[: draw(st.integers(0, 17))]
    if kind == 4:
        return number.translate(_FULL_WIDTH)
    if kind == 5:
        return f" {number[:6]} {number[6:14]}-{number[14:]}\t".lower()
    if kind == 6:
        return number[:6] + number[8:17]  # the first-generation 15-digit form
    if kind == 7:
        return draw(st.text(alphabet="0123456789X", min_size=14, max_size=19))
    if kind == 8:
        return number[:-1] + "\u0663"  # an Arabic-Indic digit, which NFKC leaves alone
    if kind == 9:
        return draw(st.text(max_size=20))
    if kind == 10:
        return number + draw(st.sampled_from(["", "\u3000", "\ue000", "ß", "Ⅻ"]))
    return draw(st.sampled_from(["", " ", "\u3000", "－", "None"]))


@pytest.fixture(scope="module")
def connection():
    return duckdb.connect()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.one_of(st.none(), _id_number_inputs()), min_size=1, max_size=60))
def test_bulk_id_number_check_agrees_with_validate_id_number(connection, values):
    assert normalise.id_number_keys(values, connection=connection) == [_reference_id(value) for value in values]


@st.composite
def _credit_code_inputs(draw):
    body = draw(st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17))
    code = compose_credit_code(body)
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return code
    if kind == 1:
        index = draw(st.integers(0, 16))
        return code[:index] + code[index + 1] + code[index] + code[index + 2 :]
    if kind == 2:
        index = draw(st.integers(0, 17))
        return code[:index] + draw(st.sampled_from(CREDIT_CODE_ALPHABET + "IOZSV")) + code[index + 1 :]
    if kind == 3:
        return " " + unicodedata.normalize("NFKC", code).lower().translate(_FULL_WIDTH) + " "
    if kind == 4:
        return "91419802" + draw(st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=9, max_size=10))
    return draw(st.text(max_size=20))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.one_of(st.none(), _credit_code_inputs()), min_size=1, max_size=60))
def test_bulk_credit_code_check_agrees_with_validate_credit_code(connection, values):
    assert normalise.credit_code_keys(values, connection=connection) == [_reference_credit(value) for value in values]


def test_bulk_check_agrees_on_every_record_of_a_generated_extract(connection):
    values = person_sources_table(seed=9, people=4_000).column("id_number").to_pylist()
    assert normalise.id_number_keys(values, connection=connection) == [_reference_id(value) for value in values]


def test_bulk_check_examples():
    number = compose_id_number("419802", datetime.date(1985, 3, 2), 123)
    swapped = number[:3] + number[4] + number[3] + number[5:]
    assert normalise.id_number_keys([number, swapped, number[:17], number.translate(_FULL_WIDTH), None, ""]) == [
        number,
        None,
        None,
        number,
        None,
        None,
    ]
