"""What reading a workbook finds: the parsed rows and every problem, by sheet, row and column."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from yiwang.datahub.catalog.excel.columns import ELEMENT_SHEET, RESOURCE_SHEET


@dataclass(frozen=True)
class ImportProblem:
    """Something wrong in the workbook, and where: sheet, row and column as Excel shows them."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""  # the column letter
    header: str = ""  # the column's header in the file

    def where(self) -> str:
        """The place, in words: 信息项, row 5, column G (是否必填)."""
        if self.row is not None and self.column and not self.header:
            return _("%(sheet)s, row %(row)d, column %(column)s") % {
                "sheet": self.sheet,
                "row": self.row,
                "column": self.column,
            }
        if self.row is not None and self.column:
            return _("%(sheet)s, row %(row)d, column %(column)s (%(header)s)") % {
                "sheet": self.sheet,
                "row": self.row,
                "column": self.column,
                "header": self.header,
            }
        if self.row is not None:
            return _("%(sheet)s, row %(row)d") % {"sheet": self.sheet, "row": self.row}
        if self.column:
            return _("%(sheet)s, column %(column)s (%(header)s)") % {
                "sheet": self.sheet,
                "column": self.column,
                "header": self.header,
            }
        return self.sheet

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


@dataclass
class ParsedElement:
    """A row of sheet 信息项."""

    row: int
    resource_code: str
    position: int | None
    spec: dict[str, Any]  # ElementSpec.to_json()


@dataclass
class ParsedResource:
    """A row of sheet 信息资源, with its elements."""

    row: int
    code: str
    slug: str
    department_name: str
    values: dict[str, Any]  # the other ResourceFields, release_date as ISO text
    related_codes: list[str]
    elements: list[ParsedElement] = field(default_factory=list)


@dataclass
class ParsedWorkbook:
    """What a workbook holds, where each column is, and what is wrong with it."""

    file_name: str
    resources: list[ParsedResource] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    resource_sheet: str = RESOURCE_SHEET
    element_sheet: str = ELEMENT_SHEET
    resource_columns: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (letter, header)
    element_columns: dict[str, tuple[str, str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ParsedWorkbook:
        resources = [
            ParsedResource(
                **{key: value for key, value in item.items() if key != "elements"},
                elements=[ParsedElement(**element) for element in item["elements"]],
            )
            for item in data["resources"]
        ]
        return cls(
            file_name=data["file_name"],
            resources=resources,
            problems=[ImportProblem(**item) for item in data["problems"]],
            notes=list(data["notes"]),
            resource_sheet=data["resource_sheet"],
            element_sheet=data["element_sheet"],
            resource_columns={key: (value[0], value[1]) for key, value in data["resource_columns"].items()},
            element_columns={key: (value[0], value[1]) for key, value in data["element_columns"].items()},
        )

    def resource_problem(self, row: int | None, key: str | None, message: str) -> ImportProblem:
        """A problem in sheet 信息资源, at the column of `key` when the file has it."""
        return _problem(self.resource_sheet, self.resource_columns, row, key, message)

    def element_problem(self, row: int | None, key: str | None, message: str) -> ImportProblem:
        """A problem in sheet 信息项, at the column of `key` when the file has it."""
        return _problem(self.element_sheet, self.element_columns, row, key, message)


def _problem(
    sheet: str, columns: Mapping[str, tuple[str, str]], row: int | None, key: str | None, message: str
) -> ImportProblem:
    letter, header = columns.get(key or "", ("", ""))
    return ImportProblem(message=message, sheet=sheet, row=row, column=letter, header=header)


class Unreadable(Exception):
    """The workbook cannot be read at all; the problems say why."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__("unreadable workbook")
        self.problems = problems
