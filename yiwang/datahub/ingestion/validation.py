"""Checking rows against a resource's elements, a chunk at a time, with messages a person can act on.

Each element type has a column checker that turns raw cells into canonical text (dates as YYYY-MM-DD,
decimals without insignificant zeros, identifiers normalised) or an error. ID numbers and credit codes go
through the numpy bulk path (`bulk_identifiers`), which agrees exactly with `yiwang.core.identifiers`.
After the columns, rows are checked for consistency (sex and birth date against the ID number).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from yiwang.core.identifiers import (
    InvalidIdentifier,
    id_number_birth_date,
    id_number_sex,
    validate_phone,
)
from yiwang.datahub.catalog.schema import ElementSpec, ResourceSchema
from yiwang.datahub.ingestion.bulk_identifiers import validate_credit_codes, validate_id_numbers


@dataclass(frozen=True)
class RowError:
    """Why one cell (or one row) was refused."""

    row: int
    column: str
    value: str
    reason: str


@dataclass(frozen=True)
class CheckedRow:
    """A row that passed every check: canonical values by element code (empty cells left out)."""

    row: int
    values: dict[str, str]


Checked = str | None  # canonical text, or None for an empty optional cell


class str_error(str):  # noqa: N801 - a marker type: an error message in the checked column
    """An error message in a checked column (a str subclass, so columns stay plain lists)."""


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M")
_TRUE = {"是", "true", "1", "y", "yes", "t"}
_FALSE = {"否", "false", "0", "n", "no", "f"}
_DIVISION = re.compile(r"^(\d{6}|\d{9}|\d{12})$")


def _text(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip() if not value.isascii() else value.strip()


def _date(value: str) -> Checked | str_error:
    text = _text(value)
    try:
        parsed = datetime.date.fromisoformat(text)
    except ValueError:
        parsed = None
        for pattern in _DATE_FORMATS[1:]:
            try:
                parsed = datetime.datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
    if parsed is None:
        return str_error(_("not a date: write it as YYYY-MM-DD"))
    if parsed.year < 1800 or parsed > datetime.date.today() + datetime.timedelta(days=366 * 50):
        return str_error(_("the date %(date)s is not plausible") % {"date": parsed.isoformat()})
    return parsed.isoformat()


def _datetime(value: str) -> Checked | str_error:
    text = _text(value)
    try:
        return datetime.datetime.fromisoformat(text).replace(microsecond=0).isoformat()
    except ValueError:
        pass
    for pattern in _DATETIME_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).isoformat()
        except ValueError:
            continue
    return str_error(_("not a date and time: write it as YYYY-MM-DD HH:MM:SS"))


def _integer(value: str) -> Checked | str_error:
    text = _text(value).replace(",", "")
    if re.fullmatch(r"[+-]?\d+", text) is None:
        return str_error(_("not a whole number"))
    return str(int(text))


def _decimal(value: str) -> Checked | str_error:
    text = _text(value).replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return str_error(_("not a number"))
    if not number.is_finite():
        return str_error(_("not a number"))
    normalised = number.normalize()
    return format(normalised, "f") if normalised != 0 else "0"


def _boolean(value: str) -> Checked | str_error:
    text = _text(value).lower()
    if text in _TRUE:
        return "true"
    if text in _FALSE:
        return "false"
    return str_error(_("not yes or no (是/否)"))


def _phone(value: str) -> Checked | str_error:
    try:
        return validate_phone(value)
    except InvalidIdentifier as error:
        return str_error(error.message)


def _division(value: str) -> Checked | str_error:
    text = _text(value)
    if not _DIVISION.match(text):
        return str_error(_("a division code has 6, 9 or 12 digits"))
    return text


def _single(function: Callable[[str], Checked | str_error]) -> Callable[[Sequence[str], ElementSpec], list[object]]:
    def column(values: Sequence[str], element: ElementSpec) -> list[object]:
        return [function(value) for value in values]

    return column


def _string(values: Sequence[str], element: ElementSpec) -> list[object]:
    return [_text(value) if not value.isascii() else value.strip() for value in values]


def _enumeration(values: Sequence[str], element: ElementSpec) -> list[object]:
    allowed = set(element.enumeration)
    results: list[object] = []
    for value in values:
        text = _text(value)
        results.append(
            text
            if text in allowed
            else str_error(
                _("not one of the allowed values: %(values)s") % {"values": "、".join(element.enumeration[:12])}
            )
        )
    return results


class IdentifierColumns:
    """ID-number and credit-code columns, strict or lenient per resource."""

    def __init__(self, *, strict: bool) -> None:
        self.strict = strict

    def id_numbers(self, values: Sequence[str], element: ElementSpec) -> list[object]:
        return [
            outcome if isinstance(outcome, str) else str_error(outcome.message)
            for outcome in validate_id_numbers([value.strip() for value in values], strict=self.strict)
        ]

    def credit_codes(self, values: Sequence[str], element: ElementSpec) -> list[object]:
        return [
            outcome if isinstance(outcome, str) else str_error(outcome.message)
            for outcome in validate_credit_codes([value.strip() for value in values], strict=self.strict)
        ]


class RowChecker:
    """Checks chunks of rows of one file against one resource's published elements."""

    def __init__(self, schema: ResourceSchema, columns: dict[int, ElementSpec]) -> None:
        self.schema = schema
        self.columns = columns  # cell index → element
        identifiers = IdentifierColumns(strict=not schema.lenient_identifiers)
        self.checkers: dict[str, Callable[[Sequence[str], ElementSpec], list[object]]] = {
            "string": _string,
            "enum": _enumeration,
            "integer": _single(_integer),
            "decimal": _single(_decimal),
            "date": _single(_date),
            "datetime": _single(_datetime),
            "boolean": _single(_boolean),
            "phone": _single(_phone),
            "division": _single(_division),
            "id_number": identifiers.id_numbers,
            "credit_code": identifiers.credit_codes,
        }
        concepts = {element.concept: element for element in schema.elements if element.concept}
        self.id_element = concepts.get("person.id_number")
        self.sex_element = concepts.get("person.sex")
        self.birth_element = concepts.get("person.birth_date")
        self.required = [element for element in schema.elements if element.required]

    def check(self, rows: Sequence[tuple[int, Sequence[str]]]) -> tuple[list[CheckedRow], list[RowError]]:
        """Check a chunk of (row number, cells); return the rows that pass and every error found."""
        errors: list[RowError] = []
        values: list[dict[str, str]] = [{} for _ in rows]
        errored: dict[int, set[str]] = {}
        for index, element in self.columns.items():
            raw = [cells[index] if index < len(cells) else "" for _number, cells in rows]
            present = [position for position, value in enumerate(raw) if value and not value.isspace()]
            checked = self.checkers[element.data_type]([raw[position] for position in present], element)
            code, length = element.code, element.length
            for position, outcome in zip(present, checked, strict=True):
                if type(outcome) is str_error or (length is not None and len(outcome) > length):  # type: ignore[arg-type]
                    reason = self._problem(outcome, element)
                    errors.append(RowError(rows[position][0], element.name, raw[position], reason or ""))
                    errored.setdefault(position, set()).add(code)
                else:
                    values[position][code] = outcome  # type: ignore[assignment]
        accepted = []
        required = self.required
        for position, (number, _cells) in enumerate(rows):
            row_values = values[position]
            failed = errored.get(position, set())
            for element in required:
                if element.code not in row_values and element.code not in failed:
                    errors.append(RowError(number, element.name, "", _("required, but empty")))
                    failed.add(element.code)
            if failed:
                continue
            problem = self._consistency(row_values)
            if problem is not None:
                errors.append(RowError(number, *problem))
                continue
            accepted.append(CheckedRow(number, values[position]))
        return accepted, errors

    @staticmethod
    def _problem(outcome: object, element: ElementSpec) -> str | None:
        if isinstance(outcome, str_error):
            return str(outcome)
        text = str(outcome)
        if element.length is not None and len(text) > element.length:
            return _("longer than %(length)d characters (%(count)d)") % {"length": element.length, "count": len(text)}
        return None

    def _consistency(self, values: dict[str, str]) -> tuple[str, str, str] | None:
        if self.id_element is None or self.id_element.code not in values:
            return None
        id_number = values[self.id_element.code]
        if self.sex_element is not None and values.get(self.sex_element.code) in {"男", "女"}:
            expected = "男" if id_number_sex(id_number) == "male" else "女"
            if values[self.sex_element.code] != expected:
                return (
                    self.sex_element.name,
                    values[self.sex_element.code],
                    _("does not match the ID number, which says %(sex)s") % {"sex": expected},
                )
        if self.birth_element is not None and self.birth_element.code in values:
            expected_date = id_number_birth_date(id_number).isoformat()
            if values[self.birth_element.code] != expected_date:
                return (
                    self.birth_element.name,
                    values[self.birth_element.code],
                    _("does not match the ID number, which says %(date)s") % {"date": expected_date},
                )
        return None
