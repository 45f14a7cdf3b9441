"""Reading the rows of both sheets into a `ParsedWorkbook`."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from yiwang.datahub.catalog.excel.columns import (
    DATA_TYPES,
    DATE_TEXT,
    ELEMENT_COLUMNS,
    NO_WORDS,
    OPENNESS_TYPES,
    REQUIRED_ELEMENT_COLUMNS,
    REQUIRED_RESOURCE_COLUMNS,
    RESOURCE_COLUMNS,
    SHARING_METHODS,
    SHARING_TYPES,
    UPDATE_CYCLES,
    YES_WORDS,
)
from yiwang.datahub.catalog.excel.problems import (
    ImportProblem,
    ParsedElement,
    ParsedResource,
    ParsedWorkbook,
    Unreadable,
)
from yiwang.datahub.catalog.excel.workbook import header_read, sheet_rows, workbook_open
from yiwang.datahub.catalog.forms import ELEMENT_CODE, split_list
from yiwang.datahub.catalog.schema import ElementSpec, header_token
from yiwang.datahub.models import ElementType, Openness, SharingMethod, SharingType, UpdateCycle


class RowReader:
    """Typed values of one row, with a problem per bad cell."""

    def __init__(
        self,
        values: tuple[Any, ...],
        number: int,
        found: Mapping[str, int],
        problem: Any,
        problems: list[ImportProblem],
    ) -> None:
        self.values = values
        self.number = number
        self.found = found
        self.problem = problem
        self.problems = problems

    def raw(self, key: str) -> Any:
        index = self.found.get(key)
        if index is None or index >= len(self.values):
            return None
        return self.values[index]

    def fail(self, key: str, message: str) -> None:
        self.problems.append(self.problem(self.number, key, message))

    def text(self, key: str, *, required: bool = False, limit: int = 4000) -> str:
        value = self.raw(key)
        if value is None:
            text = ""
        elif isinstance(value, bool):
            text = "是" if value else "否"
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))
        elif isinstance(value, datetime.datetime):
            text = value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
        elif isinstance(value, datetime.date):
            text = value.isoformat()
        else:
            text = str(value).strip()
        if required and not text:
            self.fail(key, _("This cell is required."))
        elif len(text) > limit:
            self.fail(key, _("At most %(limit)d characters.") % {"limit": limit})
        return text

    def choice(self, key: str, vocabulary: Mapping[str, str], values: Sequence[str]) -> str:
        text = self.text(key, required=True)
        if not text:
            return ""
        found = _choose(text, vocabulary, values)
        if found is None:
            self.fail(
                key,
                _("“%(value)s” is not one of %(allowed)s.") % {"value": text, "allowed": "、".join(vocabulary)},
            )
            return ""
        return found

    def choices(self, key: str, vocabulary: Mapping[str, str], values: Sequence[str]) -> list[str]:
        chosen = []
        for item in split_list(self.text(key)):
            found = _choose(item, vocabulary, values)
            if found is None:
                self.fail(
                    key,
                    _("“%(value)s” is not one of %(allowed)s.") % {"value": item, "allowed": "、".join(vocabulary)},
                )
            else:
                chosen.append(found)
        return list(dict.fromkeys(chosen))

    def flag(self, key: str) -> bool:
        value = self.raw(key)
        if isinstance(value, bool):
            return value
        text = self.text(key).lower()
        if not text or text in NO_WORDS:
            return False
        if text in YES_WORDS:
            return True
        self.fail(key, _("Write 是 or 否, not “%(value)s”.") % {"value": text})
        return False

    def integer(self, key: str, *, minimum: int = 1) -> int | None:
        value = self.raw(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        else:
            text = str(value).strip()
            number = int(text) if text.isdigit() else None
        if number is None or number < minimum:
            self.fail(
                key,
                _("“%(value)s” is not a whole number of at least %(minimum)d.")
                % {
                    "value": value,
                    "minimum": minimum,
                },
            )
            return None
        return number

    def date(self, key: str) -> str | None:
        value = self.raw(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, datetime.datetime):
            return value.date().isoformat()
        if isinstance(value, datetime.date):
            return value.isoformat()
        text = str(value).strip()
        match = DATE_TEXT.match(text)
        if match is None and re.fullmatch(r"\d{8}", text):
            match = re.match(r"(\d{4})(\d{2})(\d{2})", text)
        if match is not None:
            try:
                return datetime.date(int(match[1]), int(match[2]), int(match[3])).isoformat()
            except ValueError:
                pass
        self.fail(key, _("“%(value)s” is not a date such as 2024-03-01.") % {"value": text})
        return None


def _choose(text: str, vocabulary: Mapping[str, str], values: Sequence[str]) -> str | None:
    token = header_token(text)
    for label, value in vocabulary.items():
        if token in {header_token(label), value}:
            return value
    return token if token in values else None


def _rules(reader: RowReader) -> dict[str, Any]:
    text = reader.text("rules", limit=2000)
    if not text:
        return {}
    if text.startswith("{"):
        try:
            rules = json.loads(text)
        except ValueError:
            rules = None
        if isinstance(rules, dict):
            pattern = rules.get("pattern")
            if pattern is not None and not _compiles(str(pattern)):
                reader.fail("rules", _("The pattern is not a valid regular expression."))
            return rules
    if not _compiles(text):
        reader.fail("rules", _("The pattern is not a valid regular expression."))
    return {"pattern": text}


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def _read_resources(sheet: Any, parsed: ParsedWorkbook) -> None:
    rows = list(sheet_rows(sheet, parsed.resource_sheet))
    header, found, parsed.resource_columns = header_read(
        rows, RESOURCE_COLUMNS, REQUIRED_RESOURCE_COLUMNS, parsed.resource_sheet, parsed.notes
    )
    codes: dict[str, int] = {}
    slugs: dict[str, int] = {}
    for number, values in rows:
        if number <= header:
            continue
        reader = RowReader(values, number, found, parsed.resource_problem, parsed.problems)
        code = reader.text("code", required=True, limit=64)
        slug = reader.text("slug", limit=64)
        values_read = {
            "name": reader.text("name", required=True, limit=200),
            "category_class": reader.text("category_class", limit=40),
            "category_item": reader.text("category_item", limit=40),
            "category_catalog": reader.text("category_catalog", limit=40),
            "category_detail": reader.text("category_detail", limit=80),
            "summary": reader.text("summary"),
            "format": reader.text("format", limit=60),
            "sharing_type": reader.choice("sharing_type", SHARING_TYPES, SharingType.values),
            "sharing_condition": reader.text("sharing_condition"),
            "sharing_methods": reader.choices("sharing_methods", SHARING_METHODS, SharingMethod.values),
            "openness": reader.choice("openness", OPENNESS_TYPES, Openness.values),
            "openness_condition": reader.text("openness_condition"),
            "update_cycle": reader.choice("update_cycle", UPDATE_CYCLES, UpdateCycle.values),
            "release_date": reader.date("release_date"),
        }
        department = reader.text("source_department", required=True, limit=200)
        related = split_list(reader.text("related_codes"))
        if code in related:
            reader.fail("related_codes", _("A resource is not related to itself."))
        if code:
            if code in codes:
                reader.fail("code", _("Row %(row)d has this resource code already.") % {"row": codes[code]})
            codes.setdefault(code, number)
        if slug:
            if slug in slugs:
                reader.fail("slug", _("Row %(row)d has this slug already.") % {"row": slugs[slug]})
            slugs.setdefault(slug, number)
        parsed.resources.append(
            ParsedResource(
                row=number,
                code=code,
                slug=slug,
                department_name=department,
                values=values_read,
                related_codes=[item for item in related if item != code],
            )
        )


def _read_elements(sheet: Any, parsed: ParsedWorkbook) -> None:
    rows = list(sheet_rows(sheet, parsed.element_sheet))
    header, found, parsed.element_columns = header_read(
        rows, ELEMENT_COLUMNS, REQUIRED_ELEMENT_COLUMNS, parsed.element_sheet, parsed.notes
    )
    by_code: dict[str, ParsedResource] = {}
    for entry in parsed.resources:
        if entry.code:
            by_code.setdefault(entry.code, entry)  # a repeated code is reported on its own row
    for number, values in rows:
        if number <= header:
            continue
        reader = RowReader(values, number, found, parsed.element_problem, parsed.problems)
        resource_code = reader.text("resource_code", required=True, limit=64)
        code = reader.text("code", required=True, limit=64)
        if code and not ELEMENT_CODE.match(code):
            reader.fail("code", _("An element code starts with a letter and has only letters, digits and _."))
        data_type = reader.choice("data_type", DATA_TYPES, ElementType.values)
        enumeration = split_list(reader.text("enumeration", limit=20000))
        spec = ElementSpec(
            code=code,
            name=reader.text("name", required=True, limit=100),
            data_type=data_type or ElementType.STRING,
            length=reader.integer("length"),
            required=reader.flag("required"),
            enumeration=tuple(enumeration),
            sensitive=reader.flag("sensitive"),
            is_key=reader.flag("is_key"),
            lookup=reader.flag("lookup"),
            concept=reader.text("concept", limit=40),
            rules=_rules(reader),
        )
        if spec.is_key and not spec.required:
            reader.fail("required", _("A key element (是否主键 = 是) must be required (是否必填 = 是)."))
        if data_type == ElementType.ENUM and not enumeration:
            reader.fail("enumeration", _("A code list (代码型) needs its values, separated by 、."))
        position = reader.integer("position", minimum=0)
        resource = by_code.get(resource_code)
        if resource is None:
            if resource_code:
                reader.fail(
                    "resource_code",
                    _("No row of sheet %(sheet)s has the resource code %(code)s.")
                    % {"sheet": parsed.resource_sheet, "code": resource_code},
                )
            continue
        resource.elements.append(
            ParsedElement(row=number, resource_code=resource_code, position=position, spec=spec.to_json())
        )
    for entry in by_code.values():
        _check_resource_elements(entry, parsed)


def _check_resource_elements(resource: ParsedResource, parsed: ParsedWorkbook) -> None:
    if not resource.code:
        return
    if not resource.elements:
        parsed.problems.append(
            parsed.resource_problem(
                resource.row,
                "code",
                _("Sheet %(sheet)s has no data elements for this resource.") % {"sheet": parsed.element_sheet},
            )
        )
        return
    resource.elements.sort(key=lambda item: (item.position is None, item.position or 0, item.row))
    codes: dict[str, int] = {}
    names: dict[str, int] = {}
    for element in resource.elements:
        code = str(element.spec["code"]).lower()
        name = header_token(str(element.spec["name"]))
        if code and code in codes:
            parsed.problems.append(
                parsed.element_problem(
                    element.row,
                    "code",
                    _("Row %(row)d has this element code for the same resource.") % {"row": codes[code]},
                )
            )
        if name and name in names:
            parsed.problems.append(
                parsed.element_problem(
                    element.row,
                    "name",
                    _("Row %(row)d has this element name for the same resource.") % {"row": names[name]},
                )
            )
        codes.setdefault(code, element.row)
        names.setdefault(name, element.row)
    if not any(element.spec["is_key"] for element in resource.elements):
        parsed.problems.append(
            parsed.element_problem(
                resource.elements[0].row,
                "is_key",
                _("None of the elements of %(code)s is marked as the key (是否主键 = 是).") % {"code": resource.code},
            )
        )


def workbook_read(*, data: bytes, name: str) -> ParsedWorkbook:
    """Read a catalog workbook; every problem found is in the result's `problems`, nothing is written."""
    parsed = ParsedWorkbook(file_name=name)
    try:
        workbook, parsed.resource_sheet, parsed.element_sheet = workbook_open(data, name)
        try:
            _read_resources(workbook[parsed.resource_sheet], parsed)
            _read_elements(workbook[parsed.element_sheet], parsed)
        finally:
            workbook.close()
    except Unreadable as unreadable:
        parsed.problems.extend(unreadable.problems)
        parsed.resources = []
    if not parsed.problems and not parsed.resources:
        parsed.problems.append(
            ImportProblem(_("The sheet has no resources below its header."), sheet=parsed.resource_sheet)
        )
    parsed.problems.sort(key=lambda item: (item.sheet != parsed.resource_sheet, item.sheet, item.row or 0))
    return parsed
