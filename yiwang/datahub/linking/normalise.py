"""Normalisation of names, identifiers, addresses and phones before linking, in bulk.

Text work that needs Python (traditional→simplified with OpenCC, regular expressions, pinyin) runs once over a
whole column joined into one string, so that its cost is a few C-level passes, not millions of Python calls;
NFKC runs per value behind Python's quick check. The rest (identifier checks, address canonical form, phone
digits) is SQL that DuckDB runs in parallel. The SQL check of
ID numbers agrees exactly with `yiwang.core.identifiers.validate_id_number(strict=False)`, and the credit-code
check with `validate_credit_code(strict=True)`: the tests compare them on random valid and corrupted values.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import cache

import duckdb
import opencc
import pyarrow as pa
from pypinyin import Style, lazy_pinyin

from yiwang.core.identifiers import (
    CREDIT_CODE_ALPHABET,
    PROVINCE_CODES,
    InvalidIdentifier,
    validate_credit_code,
    validate_id_number,
)

# A private-use character joins the values of a column into one string: NFKC, OpenCC and str.translate leave
# it alone and never join it to a neighbour, so splitting on it gives back one value per input.
_SEPARATOR = "\ue000"
_IDENTIFIER_JUNK = re.compile(r"[\s\-]")  # what core.identifiers strips, in the same order (NFKC, strip, upper)
_NAME_JUNK = re.compile(r"[\s·•・.‧∙⋅\-_]+")  # spaces and every middle dot departments use in 买买提·艾力
_WHITESPACE = re.compile(r"\s+")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@cache
def _to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _map_column(values: Sequence[str | None], transform: Callable[[str], str]) -> list[str | None]:
    """Apply a length-agnostic text transform to every value at once; None stays None."""
    present = [value for value in values if value is not None]
    joined = _SEPARATOR.join(present)
    parts = transform(joined).split(_SEPARATOR)
    if len(parts) != len(present):
        parts = [transform(value) for value in present]  # a value contained the separator itself
    iterator = iter(parts)
    return [None if value is None else next(iterator) for value in values]


def _blank_to_none(values: list[str | None]) -> list[str | None]:
    return [value or None for value in values]


def nfkc_texts(values: Sequence[str | None]) -> list[str | None]:
    """NFKC of each value; the quick check skips the many values that are already normal."""
    is_normalized, normalize = unicodedata.is_normalized, unicodedata.normalize
    # Per value, not on the joined column: one full-width digit would send the whole column down the slow path.
    return [value if value is None or is_normalized("NFKC", value) else normalize("NFKC", value) for value in values]


def identifier_texts(values: Sequence[str | None]) -> list[str | None]:
    """ID numbers or credit codes as core.identifiers normalises them: NFKC, no spaces or dashes, upper case."""
    return _map_column(nfkc_texts(values), lambda text: _IDENTIFIER_JUNK.sub("", text).upper())


def simplified_texts(values: Sequence[str | None]) -> list[str | None]:
    """NFKC, traditional→simplified (OpenCC t2s) and no whitespace: the common ground of two spellings."""
    converter = _to_simplified()
    return _blank_to_none(_map_column(nfkc_texts(values), lambda text: _WHITESPACE.sub("", converter.convert(text))))


def name_texts(values: Sequence[str | None]) -> tuple[list[str | None], list[str | None]]:
    """Names in simplified characters without spaces or middle dots, and their pinyin syllables (spaced)."""
    converter = _to_simplified()
    names = _blank_to_none(_map_column(nfkc_texts(values), lambda text: _NAME_JUNK.sub("", converter.convert(text))))
    table = _pinyin_table(names)
    spaced = _map_column(names, lambda text: text.translate(table))
    return names, [text.rstrip() if text is not None else None for text in spaced]


_pinyin_cache: dict[int, str] = {}


def _pinyin_table(texts: Sequence[str | None]) -> dict[int, str]:
    """Each character's toneless pinyin followed by a space; characters without a reading stand for themselves."""
    characters = set(_SEPARATOR.join(text for text in texts if text is not None)) - {_SEPARATOR}
    for character in characters:
        code = ord(character)
        if code not in _pinyin_cache:
            # One character at a time: names have no phrase context, and both sides get the same reading.
            syllable = lazy_pinyin(character, style=Style.NORMAL)[0]
            _pinyin_cache[code] = syllable.lower() + " "
    return _pinyin_cache


def pinyin(text: str) -> str:
    """Toneless pinyin of a (simplified) name, syllables separated by spaces: 张伟 → 'zhang wei'."""
    return text.translate(_pinyin_table([text])).strip()


# --- SQL ---------------------------------------------------------------------------------------------


def _check_sum_sql(column: str, weights: Sequence[int], value: Callable[[str], str]) -> str:
    return " + ".join(f"{value(f'substr({column}, {index}, 1)')} * {weight}" for index, weight in enumerate(weights, 1))


def id_number_body_sql(column: str) -> str:
    """SQL for the first 17 digits of a normalised ASCII ID number (15-digit ones with 19 inserted), or NULL."""
    return f"""(CASE
        WHEN length({column}) = 18 AND regexp_full_match({column}, '[0-9]{{17}}[0-9X]') THEN substr({column}, 1, 17)
        WHEN length({column}) = 15 AND regexp_full_match({column}, '[0-9]{{15}}')
            THEN substr({column}, 1, 6) || '19' || substr({column}, 7, 9)
    END)"""


def id_number_key_sql(column: str, body: str, today: datetime.date) -> str:
    """SQL giving the valid 18-character ID number, or NULL; `body` names a column of `id_number_body_sql`.

    Mirrors `validate_id_number(strict=False)`: 18 characters (17 digits and a digit or X) or 15 digits
    (first generation, upgraded with 19 and a check character), a province code, a real birth date between
    1880 and `today`, and the MOD 11-2 check character.
    """
    provinces = ", ".join(f"'{code}'" for code in sorted(PROVINCE_CODES))
    year, month, day = (
        f"CAST(substr({body}, {start}, {length}) AS INTEGER)" for start, length in ((7, 4), (11, 2), (13, 2))
    )
    leap = f"({year} % 4 = 0 AND ({year} % 100 <> 0 OR {year} % 400 = 0))"
    february = f"CASE WHEN {leap} THEN 29 ELSE 28 END"
    days_in_month = f"(CASE WHEN {month} = 2 THEN {february} WHEN {month} IN (4, 6, 9, 11) THEN 30 ELSE 31 END)"
    checksum = _check_sum_sql(body, _ID_WEIGHTS, lambda digit: f"CAST({digit} AS INTEGER)")
    check = f"substr('10X98765432', ({checksum}) % 11 + 1, 1)"
    valid = f"""substr({body}, 1, 2) IN ({provinces})
        AND {month} BETWEEN 1 AND 12 AND {day} BETWEEN 1 AND {days_in_month} AND {year} >= 1880
        AND {year} * 10000 + {month} * 100 + {day} <= {today:%Y%m%d}
        AND (length({column}) = 15 OR substr({column}, 18, 1) = {check})"""
    return f"(CASE WHEN {body} IS NOT NULL AND {valid} THEN {body} || {check} END)"


def credit_code_key_sql(column: str) -> str:
    """SQL giving the valid credit code for a normalised ASCII `column`, or NULL (as `validate_credit_code`)."""
    alphabet = CREDIT_CODE_ALPHABET
    checksum = _check_sum_sql(column, _CREDIT_WEIGHTS, lambda character: f"(instr('{alphabet}', {character}) - 1)")
    check = f"substr('{alphabet}', (31 - ({checksum}) % 31) % 31 + 1, 1)"
    pattern = f"[{alphabet}]{{18}}"
    return f"""(CASE WHEN length({column}) = 18 AND regexp_full_match({column}, '{pattern}')
        AND regexp_full_match(substr({column}, 3, 6), '[0-9]{{6}}') AND substr({column}, 18, 1) = {check}
        THEN {column} END)"""


# Synonyms first (a compound is a 苑 whatever it calls itself; 幢 and 号楼 are 栋; 大道 shortens to 路), with plain
# replace (several times faster than regexp_replace), then the province, city and district prefix that some
# departments write and others leave out.
_ADDRESS_SYNONYMS = (
    ("小区", "苑"), ("花园", "苑"), ("家园", "苑"), ("新村", "苑"),
    ("号楼", "栋"), ("幢", "栋"), ("大道", "路"), ("室", ""),
)  # fmt: skip
_ADDRESS_PREFIX = "^([^省]{2,7}省)?([^市]{2,7}市)?([^区县]{2,7}?(区|县))?"
# The road and house number (滨河路128号), or the town and village (新店镇柳庄村), at the start of a canonical address.
_ADDRESS_HOUSE = r"^(\p{Han}+?(路|街|巷|道)[0-9]+号|\p{Han}+?(镇|乡)\p{Han}+?村)"
_ADDRESS_ROAD = r"^\p{Han}+?(路|街|巷|道|镇|乡)"


def address_canonical_sql(column: str) -> str:
    """SQL for the canonical form of a simplified, space-free address."""
    expression = column
    for old, new in _ADDRESS_SYNONYMS:
        expression = f"replace({expression}, '{old}', '{new}')"
    return f"regexp_replace({expression}, '{_ADDRESS_PREFIX}', '')"


def address_house_sql(column: str) -> str:
    """SQL for the house a canonical address names (road and number, or town and village); NULL if none."""
    return f"nullif(regexp_extract({column}, '{_ADDRESS_HOUSE}', 0), '')"


def address_road_sql(column: str) -> str:
    """SQL for the road (or town) a canonical address starts with; NULL if none."""
    return f"nullif(regexp_extract({column}, '{_ADDRESS_ROAD}', 0), '')"


def phone_sql(column: str) -> str:
    """SQL keeping the digits of an NFKC phone number, without a +86 / 0086 country code; NULL when empty."""
    digits = f"regexp_replace({column}, '[^0-9]', '', 'g')"
    return f"""(CASE
        WHEN {digits} = '' THEN NULL
        WHEN length({digits}) = 13 AND {digits} LIKE '861%' THEN substr({digits}, 3)
        WHEN length({digits}) = 15 AND {digits} LIKE '00861%' THEN substr({digits}, 5)
        ELSE {digits} END)"""


def sex_sql(column: str) -> str:
    """SQL mapping 男/女, male/female, M/F and the GB/T 2261.1 codes 1/2 to 'male'/'female'; NULL otherwise."""
    return f"""(CASE lower(trim({column}))
        WHEN '1' THEN 'male' WHEN '男' THEN 'male' WHEN 'male' THEN 'male' WHEN 'm' THEN 'male'
        WHEN '2' THEN 'female' WHEN '女' THEN 'female' WHEN 'female' THEN 'female' WHEN 'f' THEN 'female'
    END)"""


# --- bulk helpers (Python in, Python out) ------------------------------------------------------------


def id_number_keys(
    values: Sequence[str | None], *, connection: duckdb.DuckDBPyConnection | None = None
) -> list[str | None]:
    """The valid normalised ID number for each value, or None: `validate_id_number(strict=False)` in bulk."""
    today = datetime.date.today()
    return _keys(
        values,
        connection,
        f"""SELECT position, {id_number_key_sql("text", "body", today)} AS key
            FROM (SELECT position, text, {id_number_body_sql("text")} AS body FROM identifier_input)""",  # noqa: S608
        id_number_key,
    )


def credit_code_keys(
    values: Sequence[str | None], *, connection: duckdb.DuckDBPyConnection | None = None
) -> list[str | None]:
    """The valid normalised credit code for each value, or None: `validate_credit_code(strict=True)` in bulk."""
    return _keys(
        values,
        connection,
        f"SELECT position, {credit_code_key_sql('text')} AS key FROM identifier_input",  # noqa: S608
        credit_code_key,
    )


def id_number_key(value: str) -> str | None:
    """The valid normalised ID number, or None: `validate_id_number(strict=False)` without the exception."""
    try:
        return validate_id_number(value, strict=False)
    except InvalidIdentifier:
        return None


def credit_code_key(value: str) -> str | None:
    """The valid normalised credit code, or None: `validate_credit_code(strict=True)` without the exception."""
    try:
        return validate_credit_code(value, strict=True)
    except InvalidIdentifier:
        return None


def _keys(
    values: Sequence[str | None],
    connection: duckdb.DuckDBPyConnection | None,
    query: str,
    slow_path: Callable[[str], str | None],
) -> list[str | None]:
    texts = identifier_texts(values)
    ascii_texts = [text if text is not None and text.isascii() else None for text in texts]
    con = connection or duckdb.connect()
    table = pa.table({"position": pa.array(range(len(texts)), pa.int64()), "text": pa.array(ascii_texts, pa.string())})
    con.register("identifier_input", table)
    try:
        rows = con.execute(f"SELECT key FROM ({query}) ORDER BY position").fetchall()  # noqa: S608 (our SQL)
    finally:
        con.unregister("identifier_input")
    keys: list[str | None] = [row[0] for row in rows]
    for index, (value, text) in enumerate(zip(values, texts, strict=True)):
        # Non-ASCII survivors of NFKC are rare (Arabic-Indic digits...): ask the reference validator itself.
        if value is not None and text is not None and not text.isascii():
            keys[index] = slow_path(value)
    return keys
