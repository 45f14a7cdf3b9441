"""The sheets and columns of the item-list workbook, and the words departments write in its cells."""

from __future__ import annotations

from collections.abc import Mapping

from yiwang.datahub.catalog.excel.columns import Column
from yiwang.services.models import (
    ExerciseLevel,
    ItemType,
    LimitUnit,
    MaterialForm,
    MaterialSource,
    OnlineDepth,
    PowerSource,
    ProjectType,
    ResultType,
    ServiceObject,
)

ITEM_SHEET = "事项"
HANDLING_SHEET = "办理项"
MATERIAL_SHEET = "材料"
FEE_SHEET = "收费"

# The ItemInput list each child sheet fills (also the prefix of a ValidationFailed field, e.g. materials.2.name).
CHILD_SHEETS = {"handling_items": HANDLING_SHEET, "materials": MATERIAL_SHEET, "fees": FEE_SHEET}

# A column's key is the ItemInput (or child input) field it fills, and is accepted as a header too.
ITEM_COLUMNS = (
    Column("catalog_code", "基本编码", ("事项基本编码",), width=14),
    Column("task_code", "实施编码", ("事项实施编码",), width=32),
    Column("name", "事项名称", width=28),
    Column("item_type", "事项类型", width=16),
    Column("department", "实施主体", ("实施机关",), width=20),
    Column("legal_basis", "设定依据", width=40),
    Column("power_source", "权力来源", width=14),
    Column("exercise_level", "行使层级", width=10),
    Column("service_object", "服务对象", width=12),
    Column("project_type", "办件类型", width=10),
    Column("statutory_limit", "法定办结时限", width=10),
    Column("statutory_unit", "法定时限单位", width=10),
    Column("promised_limit", "承诺办结时限", width=10),
    Column("promised_unit", "承诺时限单位", width=10),
    Column("acceptance_conditions", "受理条件", width=40),
    Column("handling_place", "办理地点", width=30),
    Column("handling_hours", "办理时间", width=24),
    Column("consult_phone", "咨询电话", ("咨询方式",), width=16),
    Column("complaint_phone", "监督投诉电话", ("监督投诉方式",), width=16),
    Column("online_depth", "网上办理深度", width=10),
    Column("visits", "到现场次数", ("到办事现场次数",), width=8),
    Column("result_type", "审批结果类型", width=12),
    Column("result_name", "审批结果名称", width=24),
    Column("result_license_type", "结果证照类型代码", ("证照类型代码",), width=24),
)
HANDLING_COLUMNS = (
    Column("task_code", "实施编码", width=32),
    Column("code", "办理项编码", ("业务办理项编码",), width=36),
    Column("name", "办理项名称", ("业务办理项名称",), width=28),
)
MATERIAL_COLUMNS = (
    Column("task_code", "实施编码", width=32),
    Column("name", "材料名称", width=28),
    Column("required", "是否必要", ("材料必要性",), width=8),
    Column("form", "材料形式", width=12),
    Column("copies", "份数", ("纸质材料份数",), width=6),
    Column("source", "来源渠道", width=14),
    Column("source_reference", "来源说明", width=24),
    Column("legal_basis", "设定依据", ("要求提供材料的依据",), width=30),
    Column("notes", "备注", width=24),
)
FEE_COLUMNS = (
    Column("task_code", "实施编码", width=32),
    Column("name", "收费项目", ("收费项目名称",), width=24),
    Column("standard", "收费标准", width=24),
    Column("legal_basis", "收费依据", width=30),
    Column("reducible", "是否允许减免", width=10),
)
SHEET_COLUMNS = {
    ITEM_SHEET: ITEM_COLUMNS,
    HANDLING_SHEET: HANDLING_COLUMNS,
    MATERIAL_SHEET: MATERIAL_COLUMNS,
    FEE_SHEET: FEE_COLUMNS,
}
# The item fields without a default in ItemInput: a new item cannot be created without them.
REQUIRED_COLUMNS = {
    ITEM_SHEET: (
        "catalog_code", "task_code", "name", "item_type", "legal_basis", "exercise_level", "service_object",
        "project_type", "statutory_limit", "promised_limit", "online_depth", "result_type",
    ),
    HANDLING_SHEET: ("task_code", "code", "name"),
    MATERIAL_SHEET: ("task_code", "name"),
    FEE_SHEET: ("task_code", "name", "standard", "legal_basis"),
}  # fmt: skip

# The words written in the cells → the codes the catalog stores. The first word of a code is the one exported;
# the code itself is accepted as well.
ITEM_TYPES = {
    "01 行政许可": ItemType.LICENSING,
    "02 行政处罚": ItemType.PENALTY,
    "03 行政强制": ItemType.COERCION,
    "04 行政征收": ItemType.LEVY,
    "05 行政给付": ItemType.PAYMENT,
    "06 行政检查": ItemType.INSPECTION,
    "07 行政确认": ItemType.CONFIRMATION,
    "08 行政奖励": ItemType.REWARD,
    "09 行政裁决": ItemType.ADJUDICATION,
    "10 其他行政权力": ItemType.OTHER_POWER,
    "20 公共服务": ItemType.PUBLIC_SERVICE,
}
# The type's name without its code ("行政许可"), as many departments write it.
ITEM_TYPE_NAMES = {label.split(" ", 1)[1]: code for label, code in ITEM_TYPES.items()}
POWER_SOURCES = {
    "法定本级行使": PowerSource.STATUTORY,
    "上级下放": PowerSource.DELEGATED_DOWN,
    "上级授权": PowerSource.AUTHORISED_ABOVE,
    "同级授权": PowerSource.AUTHORISED_PEER,
    "上级委托": PowerSource.ENTRUSTED_ABOVE,
    "同级委托": PowerSource.ENTRUSTED_PEER,
}
EXERCISE_LEVELS = {
    "国家级": ExerciseLevel.NATIONAL,
    "省级": ExerciseLevel.PROVINCIAL,
    "市级": ExerciseLevel.MUNICIPAL,
    "县级": ExerciseLevel.COUNTY,
    "乡(镇、街道)级": ExerciseLevel.TOWNSHIP,
    "村(社区)级": ExerciseLevel.VILLAGE,
    "区县级": ExerciseLevel.COUNTY,
    "乡镇级": ExerciseLevel.TOWNSHIP,
    "村级": ExerciseLevel.VILLAGE,
}
SERVICE_OBJECTS = {
    "自然人": ServiceObject.PERSON,
    "法人": ServiceObject.ENTERPRISE,
    "自然人、法人": ServiceObject.BOTH,
    "法人和其他组织": ServiceObject.ENTERPRISE,
}
PROJECT_TYPES = {"即办件": ProjectType.IMMEDIATE, "承诺件": ProjectType.PROMISED}
LIMIT_UNITS = {"工作日": LimitUnit.WORKING_DAYS, "自然日": LimitUnit.NATURAL_DAYS}
ONLINE_DEPTHS = {
    "一级": OnlineDepth.INFORMATION,
    "二级": OnlineDepth.PRE_REVIEW,
    "三级": OnlineDepth.ONLINE_ACCEPTANCE,
    "四级": OnlineDepth.FULLY_ONLINE,
}
RESULT_TYPES = {"证照": ResultType.LICENSE, "批文": ResultType.APPROVAL, "其他": ResultType.OTHER}
MATERIAL_FORMS = {"纸质": MaterialForm.PAPER, "电子": MaterialForm.ELECTRONIC, "纸质或电子": MaterialForm.EITHER}
MATERIAL_SOURCES = {
    "申请人自备": MaterialSource.APPLICANT,
    "电子证照": MaterialSource.LICENSE,
    "基础数据库": MaterialSource.REGISTRY,
    "部门自行产生": MaterialSource.DEPARTMENT,
}
# Item fields read through a vocabulary, with the choices each accepts.
ITEM_CHOICES: dict[str, tuple[Mapping[str, str], list[str]]] = {
    "power_source": (POWER_SOURCES, PowerSource.values),
    "exercise_level": (EXERCISE_LEVELS, ExerciseLevel.values),
    "service_object": (SERVICE_OBJECTS, ServiceObject.values),
    "project_type": (PROJECT_TYPES, ProjectType.values),
    "statutory_unit": (LIMIT_UNITS, LimitUnit.values),
    "promised_unit": (LIMIT_UNITS, LimitUnit.values),
    "online_depth": (ONLINE_DEPTHS, OnlineDepth.values),
    "result_type": (RESULT_TYPES, ResultType.values),
}
ITEM_NUMBERS = ("statutory_limit", "promised_limit", "visits")
ITEM_TEXTS = (
    "name", "legal_basis", "acceptance_conditions", "handling_place", "handling_hours", "consult_phone",
    "complaint_phone", "result_name", "result_license_type",
)  # fmt: skip
