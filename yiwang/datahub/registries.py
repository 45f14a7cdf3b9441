"""The built-in registries: population (人口), legal entities (法人), macro-economic indicators (宏观经济) and
e-licenses (电子证照, kept by the licenses app and shared for verification only).

Their slugs, element codes and headers are stable: departments' files and other apps rely on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

POPULATION = "population"
LEGAL_ENTITIES = "legal-entities"
INDICATORS = "indicators"
E_LICENSES = "e-licenses"

SEXES = ["男", "女", "未知的性别", "未说明的性别"]
# GB/T 3304 names of China's ethnic groups, and the two special entries of the standard.
ETHNICITIES = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族", "瑶族",
    "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族", "水族",
    "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族",
    "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族", "其他",
    "外国血统中国籍人士",
]  # fmt: skip
REGISTRATION_STATES = ["存续", "在业", "吊销", "注销", "迁入", "迁出", "停业", "清算"]
LICENSE_VALID, LICENSE_REVOKED, LICENSE_EXPIRED = "有效", "已撤销", "已过期"
LICENSE_STATES = [LICENSE_VALID, LICENSE_REVOKED, LICENSE_EXPIRED]

# Sharing of the built-ins (SharingMethod values; this module stays free of models so any app may read it).
API_AND_VERIFICATION = ("api", "verification")
VERIFICATION_ONLY = ("verification",)
SHARED_ON_DUTY = "仅向依法履行职责需要的部门共享，敏感字段脱敏。"


@dataclass(frozen=True)
class ElementDefinition:
    """A data element of a built-in registry."""

    code: str
    name: str
    data_type: str
    required: bool = False
    length: int | None = None
    sensitive: bool = False
    is_key: bool = False
    lookup: bool = False
    concept: str = ""
    enumeration: list[str] = field(default_factory=list)
    rules: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class RegistryDefinition:
    """A built-in registry's catalog entry."""

    slug: str
    code: str
    name: str
    category: tuple[str, str, str]
    summary: str
    update_cycle: str
    elements: tuple[ElementDefinition, ...]
    source_department_name: str
    sharing_methods: tuple[str, ...] = API_AND_VERIFICATION
    sharing_condition: str = SHARED_ON_DUTY


BUILTIN_REGISTRIES = (
    RegistryDefinition(
        slug=POPULATION,
        code="1-01-001",
        name="人口基础信息",
        category=("1 基础信息资源", "01 人口", "001 人口基础信息"),
        summary="全市户籍和常住人口的基础信息，公民身份号码为主键。",
        update_cycle="daily",
        source_department_name="公安局",
        elements=(
            ElementDefinition(
                "id_number", "公民身份号码", "id_number", True, 18, True, True, concept="person.id_number"
            ),
            ElementDefinition("name", "姓名", "string", True, 50, True, concept="person.name"),
            ElementDefinition("sex", "性别", "enum", True, enumeration=SEXES, concept="person.sex"),
            ElementDefinition("birth_date", "出生日期", "date", True, concept="person.birth_date"),
            ElementDefinition("ethnicity", "民族", "enum", enumeration=ETHNICITIES),
            ElementDefinition(
                "registered_address", "户籍地址", "string", length=200, sensitive=True, concept="person.address"
            ),
            ElementDefinition("current_address", "现住址", "string", length=200, sensitive=True),
            ElementDefinition("phone", "联系电话", "phone", length=20, sensitive=True, concept="person.phone"),
            ElementDefinition("division", "所属区划", "division", length=12),
        ),
    ),
    RegistryDefinition(
        slug=LEGAL_ENTITIES,
        code="1-02-001",
        name="法人单位基础信息",
        category=("1 基础信息资源", "02 法人单位", "001 法人单位基础信息"),
        summary="在本市登记的企业、个体工商户、农民专业合作社等法人单位的基础信息，统一社会信用代码为主键。",
        update_cycle="daily",
        source_department_name="市场监督管理局",
        elements=(
            ElementDefinition(
                "credit_code", "统一社会信用代码", "credit_code", True, 18, is_key=True, concept="entity.credit_code"
            ),
            ElementDefinition("name", "名称", "string", True, 200, concept="entity.name"),
            ElementDefinition("entity_type", "类型", "string", length=50),
            ElementDefinition(
                "legal_representative", "法定代表人", "string", length=50, concept="entity.legal_representative"
            ),
            ElementDefinition(
                "legal_representative_id_number",
                "法定代表人身份证号",
                "id_number",
                length=18,
                sensitive=True,
                lookup=True,
                rules={"reference": {"resource": POPULATION, "element": "id_number"}},
            ),
            ElementDefinition("registered_capital", "注册资本(万元)", "decimal", rules={"minimum": 0}),
            ElementDefinition("established_on", "成立日期", "date"),
            ElementDefinition("address", "住所", "string", length=200, concept="entity.address"),
            ElementDefinition("registration_state", "登记状态", "enum", enumeration=REGISTRATION_STATES),
            ElementDefinition("business_scope", "经营范围", "string", length=4000),
            ElementDefinition("division", "所属区划", "division", length=12),
        ),
    ),
    RegistryDefinition(
        slug=INDICATORS,
        code="1-06-001",
        name="宏观经济指标",
        category=("1 基础信息资源", "06 宏观经济", "001 宏观经济指标"),
        summary="国民经济和社会发展统计指标，按指标代码和统计期唯一。",
        update_cycle="monthly",
        source_department_name="统计局",
        elements=(
            ElementDefinition("indicator_code", "指标代码", "string", True, 32, is_key=True),
            ElementDefinition(
                "period",
                "统计期",
                "string",
                True,
                10,
                is_key=True,
                rules={"pattern": r"^\d{4}(-(0[1-9]|1[0-2])|Q[1-4]|H[12])?$"},
            ),
            ElementDefinition("value", "指标值", "decimal", True),
            ElementDefinition("unit", "计量单位", "string", length=20),
            ElementDefinition("source", "数据来源", "string", length=100),
        ),
    ),
    RegistryDefinition(
        slug=E_LICENSES,
        code="1-05-001",
        name="电子证照库",
        category=("1 基础信息资源", "05 电子证照", "001 电子证照基础信息"),
        summary="本市各部门颁发的电子证照的标识、持证主体、颁发机构、有效期和状态，证照标识为主键；由证照系统在颁发和撤销时推送。",
        update_cycle="realtime",
        # The platform runs the license library for every issuing department (the licenses app pushes it).
        source_department_name="政务服务和大数据管理局",
        sharing_methods=VERIFICATION_ONLY,
        sharing_condition="仅供核验：依法履行职责需要的部门凭授权核验证照标识、持证主体和证照状态是否相符，不提供证照数据。",
        elements=(
            ElementDefinition("identifier", "证照标识", "string", True, 120, is_key=True),
            ElementDefinition("type_code", "证照类型代码", "string", True, 21),
            ElementDefinition("type_name", "证照名称", "string", True, 100),
            ElementDefinition("holder_name", "持证主体名称", "string", True, 200, sensitive=True),
            # A person's ID number or an organisation's credit code: neither identifier type takes both.
            ElementDefinition("holder_code", "持证主体代码", "string", True, 18, sensitive=True, lookup=True),
            ElementDefinition("issuer_code", "颁发机构代码", "string", True, 18),
            ElementDefinition("issued_on", "颁发日期", "date", True),
            ElementDefinition("valid_until", "有效期至", "date"),  # empty: 长期
            ElementDefinition("status", "证照状态", "enum", True, enumeration=LICENSE_STATES),
        ),
    ),
)
