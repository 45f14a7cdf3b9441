"""The columns of the catalog workbook and the words its cells may hold."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from yiwang.datahub.models import ElementType, Openness, SharingMethod, SharingType, UpdateCycle

RESOURCE_SHEET = "信息资源"
ELEMENT_SHEET = "信息项"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 50_000  # per sheet: far above any city's catalog, low enough to refuse a runaway file early
LIST_JOINER = "、"


@dataclass(frozen=True)
class Column:
    """A column of the workbook: its key (the English code, also accepted as a header) and its Chinese label."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    width: int = 16


RESOURCE_COLUMNS = (
    Column("code", "信息资源代码", width=14),
    Column("name", "信息资源名称", width=24),
    Column("slug", "资源标识", ("资源标识(slug)",), width=18),
    Column("category_class", "信息资源分类(类)", ("类",)),
    Column("category_item", "信息资源分类(项)", ("项",)),
    Column("category_catalog", "信息资源分类(目)", ("目",)),
    Column("category_detail", "信息资源分类(细目)", ("细目",)),
    Column("source_department", "信息资源提供方", ("数源部门", "信息资源提供方(部门名称)"), width=20),
    Column("summary", "信息资源摘要", width=40),
    Column("format", "信息资源格式", width=12),
    Column("sharing_type", "共享类型", width=12),
    Column("sharing_condition", "共享条件", width=30),
    Column("sharing_methods", "共享方式", width=14),
    Column("openness", "开放类型", ("开放属性",), width=12),
    Column("openness_condition", "开放条件", width=24),
    Column("update_cycle", "更新周期", width=10),
    Column("release_date", "发布日期", width=12),
    Column("related_codes", "关联资源代码", width=18),
)
ELEMENT_COLUMNS = (
    Column("resource_code", "信息资源代码", width=14),
    Column("position", "序号", width=6),
    Column("code", "信息项编码", width=18),
    Column("name", "信息项名称", width=18),
    Column("data_type", "数据类型", width=12),
    Column("length", "数据长度", width=8),
    Column("required", "是否必填", width=8),
    Column("is_key", "是否主键", width=8),
    Column("sensitive", "是否敏感", width=8),
    Column("lookup", "是否被引用", ("是否被引用(lookup)",), width=10),
    Column("enumeration", "代码值", width=30),
    Column("concept", "概念", ("概念(concept)",), width=18),
    Column("rules", "校验规则", ("校验规则(pattern)", "pattern"), width=24),
)
REQUIRED_RESOURCE_COLUMNS = ("code", "name", "source_department", "sharing_type", "openness", "update_cycle")
REQUIRED_ELEMENT_COLUMNS = ("resource_code", "code", "name", "data_type")

# The words departments write in the cells → the codes the catalog stores (each code is accepted as well).
SHARING_TYPES = {"无条件共享": SharingType.OPEN, "有条件共享": SharingType.CONDITIONAL, "不予共享": SharingType.NONE}
OPENNESS_TYPES = {"无条件开放": Openness.OPEN, "有条件开放": Openness.CONDITIONAL, "不予开放": Openness.NONE}
SHARING_METHODS = {"接口": SharingMethod.API, "文件": SharingMethod.FILE, "核验": SharingMethod.VERIFICATION}
UPDATE_CYCLES = {
    "实时": UpdateCycle.REALTIME,
    "每日": UpdateCycle.DAILY,
    "每周": UpdateCycle.WEEKLY,
    "每月": UpdateCycle.MONTHLY,
    "每季度": UpdateCycle.QUARTERLY,
    "每半年": UpdateCycle.HALF_YEARLY,
    "每年": UpdateCycle.YEARLY,
    "不定期": UpdateCycle.IRREGULAR,
}
DATA_TYPES = {
    "字符型": ElementType.STRING,
    "整数型": ElementType.INTEGER,
    "数值型": ElementType.DECIMAL,
    "日期型": ElementType.DATE,
    "日期时间型": ElementType.DATETIME,
    "布尔型": ElementType.BOOLEAN,
    "代码型": ElementType.ENUM,
    "身份证号": ElementType.ID_NUMBER,
    "统一社会信用代码": ElementType.CREDIT_CODE,
    "电话号码": ElementType.PHONE,
    "行政区划代码": ElementType.DIVISION,
}
YES_WORDS = {"是", "y", "yes", "true", "1", "√", "✓"}
NO_WORDS = {"否", "n", "no", "false", "0", "×", "✗"}
DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def label_of(vocabulary: Mapping[str, str], code: str) -> str:
    for label, value in vocabulary.items():
        if value == code:
            return label
    return code
