"""The bulk identifier checks agree exactly with yiwang.core.identifiers, value by value."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.core import identifiers
from yiwang.core.identifiers import InvalidIdentifier
from yiwang.datahub.ingestion.bulk_identifiers import validate_credit_codes, validate_id_numbers

pytestmark = pytest.mark.django_db

CURRENT = sorted(code for code, area in identifiers.national_areas().items() if area.current and code[2:] != "0000")
ABOLISHED = sorted(code for code, area in identifiers.national_areas().items() if not area.current)


def _single(function, value, strict):
    try:
        return function(value, strict=strict)
    except InvalidIdentifier as error:
        return (error.part, error.position, error.message)


def _bulk(outcome):
    return outcome if isinstance(outcome, str) else (outcome.part, outcome.position, outcome.message)


@st.composite
def id_like(draw):
    kind = draw(st.sampled_from(["valid", "abolished", "mutated", "random", "fullwidth", "short", "lower-x"]))
    born = draw(st.dates(datetime.date(1900, 1, 1), datetime.date(2020, 12, 31)))
    area = draw(st.sampled_from(ABOLISHED if kind == "abolished" else CURRENT))
    number = identifiers.compose_id_number(area, born, draw(st.integers(0, 999)))
    if kind == "mutated":
        position = draw(st.integers(0, 17))
        replacement = draw(st.sampled_from("0123456789X"))
        number = number[:position] + replacement + number[position + 1 :]
    elif kind == "random":
        number = draw(st.text(alphabet="0123456789Xx", min_size=16, max_size=19))
    elif kind == "fullwidth":
        number = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    elif kind == "short":
        number = number[:-1]
    elif kind == "lower-x":
        number = number.lower()
    return number


@settings(max_examples=300, deadline=None)
@given(st.lists(id_like(), min_size=1, max_size=40), st.booleans())
def test_id_numbers_agree_with_the_single_validator(values, strict):
    bulk = [_bulk(outcome) for outcome in validate_id_numbers(values, strict=strict)]
    single = [_single(identifiers.validate_id_number, value, strict) for value in values]
    assert bulk == single


@st.composite
def credit_like(draw):
    body = draw(st.text(alphabet="0123456789", min_size=8, max_size=8)) + draw(
        st.text(alphabet=identifiers.CREDIT_CODE_ALPHABET, min_size=9, max_size=9)
    )
    code = identifiers.compose_credit_code(body)
    kind = draw(st.sampled_from(["valid", "mutated", "forbidden-letter", "lower", "random"]))
    if kind == "mutated":
        position = draw(st.integers(0, 17))
        code = code[:position] + draw(st.sampled_from(identifiers.CREDIT_CODE_ALPHABET)) + code[position + 1 :]
    elif kind == "forbidden-letter":
        position = draw(st.integers(0, 17))
        code = code[:position] + draw(st.sampled_from("IOZSV")) + code[position + 1 :]
    elif kind == "lower":
        code = code.lower()
    elif kind == "random":
        code = draw(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=17, max_size=19))
    return code


@settings(max_examples=300, deadline=None)
@given(st.lists(credit_like(), min_size=1, max_size=40), st.booleans())
def test_credit_codes_agree_with_the_single_validator(values, strict):
    bulk = [_bulk(outcome) for outcome in validate_credit_codes(values, strict=strict)]
    single = [_single(identifiers.validate_credit_code, value, strict) for value in values]
    assert bulk == single


def test_the_platforms_own_districts_count_as_current(city):
    number = identifiers.compose_id_number("419802", datetime.date(1990, 1, 1), 7)
    assert validate_id_numbers([number]) == [number]
