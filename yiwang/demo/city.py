"""The plan of the demo city 明湖市: divisions, departments, staff and named citizens, without a database.

Everything but the credit codes is fixed, so that the printed logins stay the same; the credit codes come
from the seed like the rest of the generated data.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from yiwang.core.identifiers import compose_credit_code
from yiwang.demo.vocabulary import COMMUNITY_NAMES, DISTRICTS
from yiwang.identity.roles import Role
from yiwang.org.services import DivisionRow

DEFAULT_SEED = 2026
# Shared by every demo account and printed with the logins: never use the demo on a public server.
DEMO_PASSWORD = "Yiwang-Demo-2026"
PROVINCE_CODE, PROVINCE_NAME = "410000", "河南省"
CITY_CODE, CITY_NAME = "419800", "明湖市"
BIG_DATA_BUREAU = "政务服务和大数据管理局"

GOVERNMENT_DEPARTMENT = "government_department"
PUBLIC_INSTITUTION = "public_institution"
UTILITY = "utility"
DISTRICT_GOVERNMENT = "district_government"
STREET_OFFICE = "street_office"

# The units of the city government the issue names, with their kind and everyday short name.
CITY_UNITS: tuple[tuple[str, str, str], ...] = (
    ("市政府办公室", GOVERNMENT_DEPARTMENT, "市政府办"),
    ("发展和改革委员会", GOVERNMENT_DEPARTMENT, "市发展改革委"),
    ("教育局", GOVERNMENT_DEPARTMENT, "市教育局"),
    ("科学技术局", GOVERNMENT_DEPARTMENT, "市科技局"),
    ("工业和信息化局", GOVERNMENT_DEPARTMENT, "市工信局"),
    ("公安局", GOVERNMENT_DEPARTMENT, "市公安局"),
    ("民政局", GOVERNMENT_DEPARTMENT, "市民政局"),
    ("司法局", GOVERNMENT_DEPARTMENT, "市司法局"),
    ("财政局", GOVERNMENT_DEPARTMENT, "市财政局"),
    ("人力资源和社会保障局", GOVERNMENT_DEPARTMENT, "市人社局"),
    ("自然资源和规划局", GOVERNMENT_DEPARTMENT, "市自然资源规划局"),
    ("生态环境局", GOVERNMENT_DEPARTMENT, "市生态环境局"),
    ("住房和城乡建设局", GOVERNMENT_DEPARTMENT, "市住建局"),
    ("城市管理局", GOVERNMENT_DEPARTMENT, "市城管局"),
    ("交通运输局", GOVERNMENT_DEPARTMENT, "市交通运输局"),
    ("水利局", GOVERNMENT_DEPARTMENT, "市水利局"),
    ("农业农村局", GOVERNMENT_DEPARTMENT, "市农业农村局"),
    ("商务局", GOVERNMENT_DEPARTMENT, "市商务局"),
    ("文化和旅游局", GOVERNMENT_DEPARTMENT, "市文旅局"),
    ("卫生健康委员会", GOVERNMENT_DEPARTMENT, "市卫生健康委"),
    ("退役军人事务局", GOVERNMENT_DEPARTMENT, "市退役军人局"),
    ("应急管理局", GOVERNMENT_DEPARTMENT, "市应急局"),
    ("市场监督管理局", GOVERNMENT_DEPARTMENT, "市市场监管局"),
    ("统计局", GOVERNMENT_DEPARTMENT, "市统计局"),
    ("医疗保障局", GOVERNMENT_DEPARTMENT, "市医保局"),
    (BIG_DATA_BUREAU, GOVERNMENT_DEPARTMENT, "市大数据局"),
    ("信访局", GOVERNMENT_DEPARTMENT, "市信访局"),
    ("税务局", GOVERNMENT_DEPARTMENT, "市税务局"),
    ("12345热线中心", PUBLIC_INSTITUTION, "12345热线"),
    ("供水公司", UTILITY, "供水公司"),
    ("供电公司", UTILITY, "供电公司"),
    ("燃气公司", UTILITY, "燃气公司"),
    ("热力公司", UTILITY, "热力公司"),
)
# The hotline centre is run by the big-data bureau, so its cases are within the bureau's reach.
CITY_UNIT_PARENTS = {"12345热线中心": BIG_DATA_BUREAU}
COMMUNITIES_PER_STREET = 5

# The first character pair of a credit code: registration authority and kind of entity (GB 32100 table 1).
CREDIT_CODE_PREFIX = {
    GOVERNMENT_DEPARTMENT: "11",
    DISTRICT_GOVERNMENT: "11",
    STREET_OFFICE: "11",
    PUBLIC_INSTITUTION: "12",
    UTILITY: "91",
}
_ORGANISATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORGANISATION_CODE_VALUES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def organisation_code(body: str) -> str:
    """Complete an 8-character organisation code (GB 11714) with its check character."""
    total = sum(
        _ORGANISATION_CODE_VALUES.index(character) * weight
        for character, weight in zip(body, _ORGANISATION_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


@dataclass(frozen=True)
class District:
    """A district of the city with its streets."""

    code: str
    name: str
    romanised: str
    streets: tuple[Street, ...]

    @property
    def government(self) -> str:
        """The district's 人民政府."""
        return f"{self.name}人民政府"


@dataclass(frozen=True)
class Street:
    """A street (街道) with its communities."""

    code: str
    name: str
    communities: tuple[tuple[str, str], ...]  # (code, name)

    @property
    def office(self) -> str:
        """The street's 办事处."""
        return f"{self.name}办事处"


@dataclass(frozen=True)
class DepartmentPlan:
    """A department to create; `parent` is the name of another planned department."""

    name: str
    short_name: str
    kind: str
    division_code: str
    credit_code: str
    parent: str | None


@dataclass(frozen=True)
class StaffPlan:
    """A staff account to create, with the name of its department."""

    username: str
    real_name: str
    department: str
    roles: tuple[str, ...]
    position: str


@dataclass(frozen=True)
class NamedCitizen:
    """A citizen whose login is printed; their ID number is issued like everyone else's."""

    username: str
    real_name: str
    district_code: str
    birth_date: datetime.date
    male: bool
    phone: str


@dataclass(frozen=True)
class NamedEnterprise:
    """The enterprise the demo's legal representative registered, and its authorised agent."""

    name: str
    credit_code: str
    representative: str  # username
    agent: str  # username
    business_scope: str  # 经营范围, as the legal-entity registry and its 营业执照 state it


@dataclass(frozen=True)
class CityPlan:
    """Everything of the city that is created in one transaction."""

    districts: tuple[District, ...]
    divisions: tuple[DivisionRow, ...]
    departments: tuple[DepartmentPlan, ...]
    staff: tuple[StaffPlan, ...]
    citizens: tuple[NamedCitizen, ...]
    enterprise: NamedEnterprise


def districts() -> tuple[District, ...]:
    """The four districts with their streets and communities (fixed, not seeded)."""
    result = []
    community_names = iter(COMMUNITY_NAMES)
    for code, name, romanised, street_names in DISTRICTS:
        streets = []
        for number, street_name in enumerate(street_names, start=1):
            street_code = f"{code}{number:03d}"
            communities = tuple(
                (f"{street_code}{index:03d}", f"{next(community_names)}社区")
                for index in range(1, COMMUNITIES_PER_STREET + 1)
            )
            streets.append(Street(code=street_code, name=street_name, communities=communities))
        result.append(District(code=code, name=name, romanised=romanised, streets=tuple(streets)))
    return tuple(result)


def _divisions(city: tuple[District, ...]) -> tuple[DivisionRow, ...]:
    """The division rows of province, city, districts, streets and communities, parents first."""
    rows = [
        DivisionRow(PROVINCE_CODE, PROVINCE_NAME, "province", None),
        DivisionRow(CITY_CODE, CITY_NAME, "city", PROVINCE_CODE),
    ]
    for district in city:
        rows.append(DivisionRow(district.code, district.name, "county", CITY_CODE))
        for street in district.streets:
            rows.append(DivisionRow(street.code, street.name, "township", district.code))
            rows.extend(DivisionRow(code, name, "village", street.code) for code, name in street.communities)
    return tuple(rows)


class _CreditCodes:
    """Seeded credit codes for the planned units, never the same twice."""

    def __init__(self, seed: int) -> None:
        # Demo data, not secrets: a seeded generator is the point.
        self._random = random.Random(f"{seed}:departments")  # noqa: S311
        self._issued: set[str] = set()

    def issue(self, prefix: str, division_code: str) -> str:
        """A new valid credit code with this two-character prefix, registered in this division."""
        while True:
            # Codes of the planned units begin with 0; generated enterprises' never do, so they cannot clash.
            body = organisation_code(f"{self._random.randrange(10**7):08d}")
            code = compose_credit_code(prefix + division_code + body)
            if code not in self._issued:
                self._issued.add(code)
                return code


def _departments(city: tuple[District, ...], codes: _CreditCodes) -> tuple[DepartmentPlan, ...]:
    """City units, district governments and street offices with their seeded credit codes."""
    plans = [
        DepartmentPlan(
            name=name,
            short_name=short_name,
            kind=kind,
            division_code=CITY_CODE,
            credit_code=codes.issue(CREDIT_CODE_PREFIX[kind], CITY_CODE),
            parent=CITY_UNIT_PARENTS.get(name),
        )
        for name, kind, short_name in CITY_UNITS
    ]
    for district in city:
        plans.append(
            DepartmentPlan(
                name=district.government,
                short_name=f"{district.name}政府",
                kind=DISTRICT_GOVERNMENT,
                division_code=district.code,
                credit_code=codes.issue(CREDIT_CODE_PREFIX[DISTRICT_GOVERNMENT], district.code),
                parent=None,
            )
        )
        plans.extend(
            DepartmentPlan(
                name=street.office,
                short_name=street.name,
                kind=STREET_OFFICE,
                division_code=street.code,
                # A street office registers with its district: positions 3–8 hold a six-digit county code.
                credit_code=codes.issue(CREDIT_CODE_PREFIX[STREET_OFFICE], district.code),
                parent=district.government,
            )
            for street in district.streets
        )
    return tuple(plans)


# (username suffix, department) of the four departments whose window staff the demo walks through.
_SERVICE_DEPARTMENTS = (
    ("market", "市场监督管理局"),
    ("police", "公安局"),
    ("civil", "民政局"),
    ("hrss", "人力资源和社会保障局"),
)
_DATA_DEPARTMENTS = (
    ("bigdata", BIG_DATA_BUREAU),
    ("market", "市场监督管理局"),
    ("police", "公安局"),
    ("hrss", "人力资源和社会保障局"),
)
_HANDLER_DEPARTMENTS = (
    ("housing", "住房和城乡建设局"),
    ("urban", "城市管理局"),
    ("environment", "生态环境局"),
    ("water", "供水公司"),
    ("power", "供电公司"),
)
# (username suffix, department) of the departments whose service items the demo catalog holds: each has an item
# administrator (事项管理员) who maintains its implementation list. Kept in step with yiwang/demo/service_items.
_ITEM_DEPARTMENTS = (
    ("market", "市场监督管理局"),
    ("development", "发展和改革委员会"),
    ("industry", "工业和信息化局"),
    ("science", "科学技术局"),
    ("finance", "财政局"),
    ("commerce", "商务局"),
    ("tax", "税务局"),
    ("police", "公安局"),
    ("civil", "民政局"),
    ("justice", "司法局"),
    ("veterans", "退役军人事务局"),
    ("hrss", "人力资源和社会保障局"),
    ("medicare", "医疗保障局"),
    ("health", "卫生健康委员会"),
    ("education", "教育局"),
    ("resources", "自然资源和规划局"),
    ("housing", "住房和城乡建设局"),
    ("urban", "城市管理局"),
    ("transport", "交通运输局"),
    ("conservancy", "水利局"),
    ("environment", "生态环境局"),
    ("emergency", "应急管理局"),
    ("agriculture", "农业农村局"),
    ("culture", "文化和旅游局"),
    ("power", "供电公司"),
    ("water", "供水公司"),
    ("gas", "燃气公司"),
)
# Enough fixed names for every planned staff account, so that the printed logins never change.
_STAFF_NAMES = (
    "周建国",
    "吴敏",
    "陈立新",
    "刘芳",
    "孙浩",
    "赵磊",
    "钱丽",
    "王强",
    "李静",
    "张伟",
    "杨帆",
    "黄敏",
    "徐涛",
    "马丽",
    "胡军",
    "朱琳",
    "郭鹏",
    "何娟",
    "罗斌",
    "高洁",
    "林峰",
    "郑秀英",
    "梁超",
    "谢婷",
    "宋志强",
    "唐慧",
    "许明",
    "邓颖",
    "冯刚",
    "韩雪",
    "曹宇",
    "曾燕",
    "彭辉",
    "蔡玲",
    "潘勇",
    "田甜",
    "董建华",
    "袁梅",
    "于洋",
    "余佳",
    "叶平",
    "蒋欣",
    "杜鑫",
    "苏晓",
    "魏东",
    "程琪",
    "吕亮",
    "丁倩",
    "沈杰",
    "任芳",
    "姚军",
    "卢桂英",
    "傅宁",
    "钟晨",
    "姜蕾",
    "崔海",
    "谭霞",
    "廖凯",
    "龚磊",
    "万丽",
    "段伟",
    "雷蕾",
    "侯涛",
    "龙飞",
    "史静",
    "陶然",
    "黎明",
    "贺敏",
    "顾晨",
    "毛婷",
    "郝建军",
    "邱红",
    "秦川",
    "江涛",
    "史文",
    "薛梅",
    "尹超",
    "白露",
    "孔亮",
    "易欣",
    "冯雪",
    "曹阳",
    "欧阳娜",
    "夏雨",
)


def _staff(city: tuple[District, ...]) -> tuple[StaffPlan, ...]:
    """One account per planned post: every role, placed where it works in a real city."""
    rows: list[tuple[str, str, tuple[str, ...], str]] = [
        ("admin", BIG_DATA_BUREAU, (Role.PLATFORM_ADMIN,), "平台管理员"),
        ("supervisor", BIG_DATA_BUREAU, (Role.SUPERVISOR,), "电子监察科科长"),
        ("leader", "市政府办公室", (Role.LEADER,), "市政府副秘书长"),
        ("dispatcher", "12345热线中心", (Role.DISPATCHER,), "派单员"),
    ]
    for suffix, department in _SERVICE_DEPARTMENTS:
        rows += [
            (f"clerk.{suffix}", department, (Role.CLERK,), "窗口受理"),
            (f"reviewer.{suffix}", department, (Role.REVIEWER,), "审查"),
            (f"approver.{suffix}", department, (Role.APPROVER,), "审批科科长"),
            (f"handler.{suffix}", department, (Role.HANDLER,), "工单承办"),
        ]
    rows += [
        (f"data.{suffix}", department, (Role.DATA_ADMIN,), "数据管理员") for suffix, department in _DATA_DEPARTMENTS
    ]
    rows += [
        (f"handler.{suffix}", department, (Role.HANDLER,), "工单承办") for suffix, department in _HANDLER_DEPARTMENTS
    ]
    for district in city:
        rows.append((f"handler.{district.romanised}", district.government, (Role.HANDLER,), "工单承办"))
        rows += [
            (f"grid.{district.romanised}{number}", street.office, (Role.GRID_WORKER,), "网格员")
            for number, street in enumerate(district.streets, start=1)
        ]
    # Appended last, so that the accounts planned before them keep their names.
    rows += [
        (f"items.{suffix}", department, (Role.ITEM_ADMIN,), "事项管理员") for suffix, department in _ITEM_DEPARTMENTS
    ]
    # 民政局's collective review (集体审议) of 最低生活保障 is a countersign of three approvers (its BPMN process).
    rows += [(f"approver{number}.civil", "民政局", (Role.APPROVER,), "分管副局长") for number in (2, 3)]
    # The hotline's operators take calls (话务员); the dispatcher above routes them (派单员).
    rows += [("operator", "12345热线中心", (Role.OPERATOR,), "话务员")]
    if len(rows) > len(_STAFF_NAMES):  # pragma: no cover - a guard for whoever adds accounts
        raise ValueError("add names to _STAFF_NAMES for the new staff accounts")
    return tuple(
        StaffPlan(username=username, real_name=name, department=department, roles=roles, position=position)
        for (username, department, roles, position), name in zip(rows, _STAFF_NAMES, strict=False)
    )


NAMED_CITIZENS = (
    NamedCitizen("citizen", "张明", "419802", datetime.date(1985, 3, 15), male=True, phone="19900000001"),
    NamedCitizen("boss", "王建国", "419803", datetime.date(1972, 8, 8), male=True, phone="19900000002"),
    NamedCitizen("agent", "李娜", "419802", datetime.date(1990, 11, 20), male=False, phone="19900000003"),
)


def city_plan(*, seed: int = DEFAULT_SEED) -> CityPlan:
    """The whole organisation of the demo city; only the credit codes depend on the seed."""
    city = districts()
    codes = _CreditCodes(seed)
    departments = _departments(city, codes)
    enterprise = NamedEnterprise(
        name="明湖示范科技有限公司",
        credit_code=codes.issue("91", "419803"),
        representative="boss",
        agent="agent",
        # A staff canteen (单位食堂) is why a software company applies for 食品经营许可 in the demo.
        business_scope="软件开发；信息系统集成服务；信息技术咨询服务；数据处理和存储支持服务；餐饮管理（单位食堂）",
    )
    return CityPlan(
        districts=city,
        divisions=_divisions(city),
        departments=departments,
        staff=_staff(city),
        citizens=NAMED_CITIZENS,
        enterprise=enterprise,
    )
