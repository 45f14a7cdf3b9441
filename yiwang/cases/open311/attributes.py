"""The attributes every Open311 service of the platform defines (GET services/{code}), and what POST accepts."""

from __future__ import annotations

from dataclasses import dataclass

from yiwang.cases.models import CaseType

STRING = "string"
SINGLE_VALUE_LIST = "singlevaluelist"

CASE_TYPE = "case_type"
HIDE_REPORTER = "hide_reporter"
DIVISION_CODE = "division_code"
GRID_CELL = "grid_cell"

DEFAULT_CASE_TYPE = CaseType.COMPLAINT  # a request that names no type is a complaint (投诉), as most are

CASE_TYPE_NAMES = {
    CaseType.CONSULTATION: "咨询",
    CaseType.HELP: "求助",
    CaseType.COMPLAINT: "投诉",
    CaseType.REPORT: "举报",
    CaseType.SUGGESTION: "建议",
    CaseType.PRAISE: "表扬",
}
TRUE = "true"
FALSE = "false"


@dataclass(frozen=True)
class AttributeValue:
    key: str
    name: str


@dataclass(frozen=True)
class AttributeInfo:
    """One attribute of a service definition, as the spec names its fields."""

    code: str
    datatype: str
    required: bool
    order: int
    description: str
    datatype_description: str = ""
    values: tuple[AttributeValue, ...] = ()
    variable: bool = True


ATTRIBUTES: tuple[AttributeInfo, ...] = (
    AttributeInfo(
        code=CASE_TYPE,
        datatype=SINGLE_VALUE_LIST,
        required=True,
        order=1,
        description="诉求类型 (type of request)",
        datatype_description=(
            "One key of the list. A request sent without it is taken as a complaint (投诉). "
            "Reports of wrongdoing (举报) are accepted but never listed publicly."
        ),
        values=tuple(AttributeValue(str(key), name) for key, name in CASE_TYPE_NAMES.items()),
    ),
    AttributeInfo(
        code=HIDE_REPORTER,
        datatype=SINGLE_VALUE_LIST,
        required=False,
        order=2,
        description="不向承办单位透露反映人信息 (hide the reporter's name and phone from the handling unit)",
        datatype_description="true or false; false when not sent.",
        values=(AttributeValue(TRUE, "是 (yes)"), AttributeValue(FALSE, "否 (no)")),
    ),
    AttributeInfo(
        code=DIVISION_CODE,
        datatype=STRING,
        required=False,
        order=3,
        description="所在社区或街道的区划代码 (code of the community or street where the matter is)",
        datatype_description="A 12-digit community or 9-digit street code, for example 419802001001.",
    ),
    AttributeInfo(
        code=GRID_CELL,
        datatype=STRING,
        required=False,
        order=4,
        description="网格编码 (code of the grid cell where the matter is), if known",
        datatype_description="The community code followed by two digits, for example 41980200100101.",
    ),
)
ATTRIBUTE_CODES = frozenset(attribute.code for attribute in ATTRIBUTES)
