"""ID numbers and credit codes checked a chunk at a time with numpy, agreeing exactly with core.identifiers.

Most values in a department's file are well-formed: for them the checks (characters, province and area code,
birth date, check character) run as array operations. Every value the arrays do not accept — and every value
that is not plain ASCII of the right length, such as full-width digits — goes to `yiwang.core.identifiers`,
so that the outcome and the message are exactly what the single-value validator says (a property-based test
holds the two to that).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from functools import cache

import numpy as np

from yiwang.core import identifiers
from yiwang.core.identifiers import InvalidIdentifier

_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_ID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
_PROVINCES = np.array(sorted(int(code) for code in identifiers.PROVINCE_CODES), dtype=np.int64)
_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_AREA_PLACES = np.array([100000, 10000, 1000, 100, 10, 1], dtype=np.int64)
_DATE_PLACES = np.array([10000000, 1000000, 100000, 10000, 1000, 100, 10, 1], dtype=np.int64)

_CREDIT_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28], dtype=np.int64)
_CREDIT_VALUE = np.full(256, 255, dtype=np.int64)
for _value, _character in enumerate(identifiers.CREDIT_CODE_ALPHABET):
    _CREDIT_VALUE[ord(_character)] = _value
_CREDIT_ALPHABET = np.frombuffer(identifiers.CREDIT_CODE_ALPHABET.encode("ascii"), dtype=np.uint8)

Outcome = str | InvalidIdentifier


@cache
def _national_current_codes() -> np.ndarray:
    return np.array(sorted(int(code) for code in identifiers.current_national_codes()), dtype=np.int64)


def _current_codes() -> np.ndarray:
    local = np.array(
        sorted(int(code) for code in identifiers.local_area_codes() if code.isdigit() and len(code) == 6),
        dtype=np.int64,
    )
    return np.union1d(_national_current_codes(), local)


def _single_id_number(value: str, strict: bool) -> Outcome:
    try:
        return identifiers.validate_id_number(value, strict=strict)
    except InvalidIdentifier as error:
        return error


def validate_id_numbers(values: Sequence[str], *, strict: bool = True) -> list[Outcome]:
    """For each value: the normalised ID number, or the InvalidIdentifier that validate_id_number raises."""
    results: list[Outcome | None] = [None] * len(values)
    fast = [index for index, value in enumerate(values) if len(value) == 18 and value.isascii() and value.isalnum()]
    if fast:
        text = "".join(values[index] for index in fast).upper().encode("ascii")
        characters = np.frombuffer(text, dtype=np.uint8).reshape(len(fast), 18)
        digits = characters[:, :17].astype(np.int64) - 48
        shape_ok = ((digits >= 0) & (digits <= 9)).all(axis=1)
        last = characters[:, 17]
        shape_ok &= ((last >= 48) & (last <= 57)) | (last == 88)
        safe = np.where(shape_ok[:, None], digits, 0)
        area = safe[:, :6] @ _AREA_PLACES
        ok = shape_ok & np.isin(area // 10000, _PROVINCES)
        if strict:
            ok &= np.isin(area, _current_codes())
        birth = safe[:, 6:14] @ _DATE_PLACES
        year, month, day = birth // 10000, birth // 100 % 100, birth % 100
        leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
        month_ok = (month >= 1) & (month <= 12)
        days = _DAYS[np.where(month_ok, month, 1)] + ((month == 2) & leap)
        today = datetime.date.today()
        ok &= month_ok & (day >= 1) & (day <= days)
        ok &= (year >= identifiers.EARLIEST_BIRTH_YEAR) & (birth <= today.year * 10000 + today.month * 100 + today.day)
        ok &= _ID_CHECK[(safe @ _ID_WEIGHTS) % 11] == last
        for position, index in enumerate(fast):
            if ok[position]:
                results[index] = values[index].upper()
    return [
        result if result is not None else _single_id_number(values[index], strict)
        for index, result in enumerate(results)
    ]


def _single_credit_code(value: str, strict: bool) -> Outcome:
    try:
        return identifiers.validate_credit_code(value, strict=strict)
    except InvalidIdentifier as error:
        return error


def validate_credit_codes(values: Sequence[str], *, strict: bool = True) -> list[Outcome]:
    """For each value: the normalised credit code, or the InvalidIdentifier that validate_credit_code raises."""
    results: list[Outcome | None] = [None] * len(values)
    fast = [index for index, value in enumerate(values) if len(value) == 18 and value.isascii() and value.isalnum()]
    if fast:
        text = "".join(values[index] for index in fast).upper().encode("ascii")
        characters = np.frombuffer(text, dtype=np.uint8).reshape(len(fast), 18)
        numbers = _CREDIT_VALUE[characters]
        ok = (numbers != 255).all(axis=1)
        ok &= ((characters[:, 2:8] >= 48) & (characters[:, 2:8] <= 57)).all(axis=1)
        if strict:
            safe = np.where(numbers[:, :17] == 255, 0, numbers[:, :17])
            expected = _CREDIT_ALPHABET[(31 - (safe @ _CREDIT_WEIGHTS) % 31) % 31]
            ok &= expected == characters[:, 17]
        for position, index in enumerate(fast):
            if ok[position]:
                results[index] = values[index].upper()
    return [
        result if result is not None else _single_credit_code(values[index], strict)
        for index, result in enumerate(results)
    ]
