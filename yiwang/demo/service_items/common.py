"""The shape of a demo catalog entry, the departments' service desks, and the materials many items share.

A `DemoItem` holds what differs between items; the desk of its department supplies the place and phone, and
`item_input` turns both into the services app's `ItemInput`. Materials the government already holds are fetched
(registry or e-license), never asked for: see `ID_CARD`, `HOUSEHOLD_REGISTER`, `BUSINESS_LICENSE`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from yiwang.demo.licenses import license_type_code
from yiwang.services.catalog.services import FeeInput, HandlingItemInput, ItemInput, MaterialInput

# National item type codes (reference/services.md §2); the demo may not import the services app's models.
LICENSING, PAYMENT, CONFIRMATION, OTHER_POWER, PUBLIC_SERVICE = "01", "05", "07", "10", "20"
PERSON, ENTERPRISE, BOTH = "person", "enterprise", "both"
WORKING, NATURAL = "working_days", "natural_days"
MUNICIPAL, COUNTY = "municipal", "county"
STATUTORY, DEVOLVED, ENTRUSTED = "1", "2", "5"
LICENSE, APPROVAL, OTHER = "license", "approval", "other"

CENTRE = "明湖市政务服务中心（明湖大道188号）"
HOURS = "工作日 9:00-12:00, 13:30-17:30（法定节假日除外）"
COMPLAINTS = "0398-12345"


@dataclass(frozen=True)
class Desk:
    """Where a department receives applicants, how to reach it, and the 4-character sector of its basic codes."""

    sector: str
    place: str
    phone: str


DESKS: dict[str, Desk] = {
    "发展和改革委员会": Desk("1001", f"{CENTRE}三楼投资项目审批窗口", "0398-2861101"),
    "教育局": Desk("1002", f"{CENTRE}二楼教育窗口", "0398-2861202"),
    "科学技术局": Desk("1003", f"{CENTRE}三楼科技窗口", "0398-2861303"),
    "工业和信息化局": Desk("1004", f"{CENTRE}三楼投资项目审批窗口", "0398-2861404"),
    "公安局": Desk("1005", f"户籍所在地公安派出所户籍窗口，或{CENTRE}二楼公安窗口", "0398-2861505"),
    "民政局": Desk("1006", f"{CENTRE}二楼民政窗口", "0398-2861606"),
    "司法局": Desk("1007", "明湖市公共法律服务中心（府前路16号）法律援助窗口", "0398-2861707"),
    "财政局": Desk("1008", f"{CENTRE}三楼财政窗口", "0398-2861808"),
    "人力资源和社会保障局": Desk("1009", f"{CENTRE}二楼人社窗口", "0398-2861909"),
    "自然资源和规划局": Desk("1010", f"{CENTRE}四楼不动产登记和规划窗口", "0398-2862010"),
    "生态环境局": Desk("1011", f"{CENTRE}三楼生态环境窗口", "0398-2862111"),
    "住房和城乡建设局": Desk("1012", f"{CENTRE}三楼工程建设项目审批窗口", "0398-2862212"),
    "城市管理局": Desk("1013", f"{CENTRE}三楼城市管理窗口", "0398-2862313"),
    "交通运输局": Desk("1014", f"{CENTRE}三楼交通运输窗口", "0398-2862414"),
    "水利局": Desk("1015", f"{CENTRE}三楼水利窗口", "0398-2862515"),
    "农业农村局": Desk("1016", f"{CENTRE}二楼农业农村窗口", "0398-2862616"),
    "商务局": Desk("1017", f"{CENTRE}一楼商务窗口", "0398-2862717"),
    "文化和旅游局": Desk("1018", f"{CENTRE}二楼文化旅游窗口", "0398-2862818"),
    "卫生健康委员会": Desk("1019", f"{CENTRE}二楼卫生健康窗口", "0398-2862919"),
    "退役军人事务局": Desk("1020", f"{CENTRE}二楼退役军人服务窗口", "0398-2863020"),
    "应急管理局": Desk("1021", f"{CENTRE}三楼应急管理窗口", "0398-2863121"),
    "市场监督管理局": Desk("1022", f"{CENTRE}一楼市场监管窗口", "0398-2863222"),
    "医疗保障局": Desk("1023", f"{CENTRE}二楼医保窗口", "0398-2863323"),
    "税务局": Desk("1024", f"{CENTRE}一楼税务窗口", "0398-2863424"),
    "供水公司": Desk("1025", f"{CENTRE}一楼水电气报装窗口", "0398-2863525"),
    "供电公司": Desk("1026", f"{CENTRE}一楼水电气报装窗口", "0398-2863626"),
    "燃气公司": Desk("1027", f"{CENTRE}一楼水电气报装窗口", "0398-2863727"),
}


@dataclass(frozen=True)
class DemoItem:
    """One item of a department's implementation list; `number` is unique within the department.

    `promised` 0 makes a 即办件 (answered on the spot); `statutory` 0 means the law sets no limit beyond the spot.
    Visits follow the online depth unless given: none when fully online, one otherwise.
    """

    department: str
    number: int
    name: str
    item_type: str
    legal_basis: str
    statutory: int
    promised: int
    served: str
    conditions: str
    materials: tuple[MaterialInput, ...]
    result: str
    result_type: str = LICENSE
    handling: tuple[str, ...] = ()
    fees: tuple[FeeInput, ...] = ()
    online: str = "4"
    visits: int | None = None
    level: str = MUNICIPAL
    power: str = STATUTORY
    statutory_unit: str = WORKING
    promised_unit: str = WORKING
    place: str = ""
    form: Mapping[str, Any] | None = None  # the application form (JSON Schema)
    # The slug of the demo license type its approval issues (demo/licenses.py); its form asks the type's elements.
    license_type: str = ""
    process: str = ""  # one of the example BPMN processes shipped with the platform; "" for the default

    @property
    def catalog_code(self) -> str:
        """The 12-character basic code: department sector, item type, main item number, sub-item 000."""
        return f"{DESKS[self.department].sector}{self.item_type}{self.number:03d}000"

    def task_code(self, credit_code: str) -> str:
        """The implementation code: the implementing body's credit code followed by the basic code (30 chars)."""
        return f"{credit_code}{self.catalog_code}"


def item_input(item: DemoItem, *, task_code: str) -> ItemInput:
    """The services app's input for a demo item, with the department's desk filled in."""
    desk = DESKS[item.department]
    visits = item.visits if item.visits is not None else (0 if item.online == "4" else 1)
    return ItemInput(
        name=item.name,
        item_type=item.item_type,
        legal_basis=item.legal_basis,
        power_source=item.power,
        exercise_level=item.level,
        service_object=item.served,
        project_type="immediate" if item.promised == 0 else "promised",
        statutory_limit=item.statutory,
        statutory_unit=item.statutory_unit,
        promised_limit=item.promised,
        promised_unit=item.promised_unit,
        acceptance_conditions=item.conditions,
        handling_place=item.place or desk.place,
        handling_hours=HOURS,
        consult_phone=desk.phone,
        complaint_phone=COMPLAINTS,
        online_depth=item.online,
        visits=visits,
        result_type=item.result_type,
        result_name=item.result,
        result_license_type=license_type_code(item.license_type) if item.license_type else "",
        handling_items=tuple(
            HandlingItemInput(code=f"{task_code}{index:02d}", name=name)
            for index, name in enumerate(item.handling, start=1)
        ),
        materials=item.materials,
        fees=item.fees,
        form_schema=dict(item.form or {}),
    )


# --- materials ------------------------------------------------------------------------------------------------


def id_card(holder: str = "申请人", *, required: bool = True) -> MaterialInput:
    """A resident ID card, checked against the population registry instead of copied (免提交)."""
    return MaterialInput(
        f"{holder}居民身份证",
        required=required,
        form="electronic",
        copies=0,
        source="registry",
        source_reference="population:id_number",
        notes="通过人口基础信息库核验，免提交复印件",
    )


def fetched_license(name: str, slug: str, *, required: bool = True, notes: str = "") -> MaterialInput:
    """A certificate the government issued, fetched from the applicant's e-licenses: named by the type code of a demo
    license type, else by its slug (a type the demo does not define)."""
    return MaterialInput(
        name,
        required=required,
        form="electronic",
        copies=0,
        source="license",
        source_reference=license_type_code(slug),
        notes=notes or "调用电子证照，免提交",
    )


def applicant(
    name: str, *, required: bool = True, copies: int = 1, form: str = "either", notes: str = ""
) -> MaterialInput:
    """A material only the applicant has (application forms, contracts, plans, declarations)."""
    return MaterialInput(name, required=required, form=form, copies=copies, source="applicant", notes=notes)


def on_site(name: str, notes: str = "") -> MaterialInput:
    """A material the handling department produces itself (photos taken at the window, printed forms)."""
    return MaterialInput(name, form="electronic", copies=0, source="department", notes=notes)


ID_CARD = id_card()
HOUSEHOLD_REGISTER = MaterialInput(
    "居民户口簿",
    form="electronic",
    copies=0,
    source="registry",
    source_reference="population:registered_address",
    notes="户籍信息由人口基础信息库共享，免提交",
)
BUSINESS_LICENSE = fetched_license("营业执照", "business-license", notes="调用电子营业执照，免提交")
ENTITY_RECORD = MaterialInput(
    "企业登记信息（名称、统一社会信用代码、法定代表人、住所）",
    form="electronic",
    copies=0,
    source="registry",
    source_reference="legal-entities:credit_code",
    notes="由法人单位基础信息库共享，免提交",
)
REPRESENTATIVE_ID = id_card("法定代表人")
AGENT_MANDATE = applicant("授权委托书（委托他人办理的）", required=False, notes="受托人身份通过人口基础信息库核验")


# --- forms ----------------------------------------------------------------------------------------------------


def registered(element: str, title: str, **rules: Any) -> dict[str, Any]:
    """A text field the legal-entity registry answers (pre-filled for the enterprise applied for)."""
    return {"type": "string", "title": title, "x-registry": f"legal-entities:{element}", **rules}


def business_license_form(*, representative: str = "法定代表人", address: str = "住所") -> dict[str, Any]:
    """The form of a change of registration: the 营业执照's elements, pre-filled from the legal-entity registry, for
    the applicant to change what changes (the approval issues the new license with the answers)."""
    return {
        "type": "object",
        "properties": {
            "name": registered("name", "名称", maxLength=200),
            "type": registered("entity_type", "类型", maxLength=50),
            "legal_representative": registered("legal_representative", representative, maxLength=50),
            "registered_capital": registered("registered_capital", "注册资本（万元）", pattern=r"^\d+(\.\d+)?$"),
            "established_on": registered("established_on", "成立日期", format="date"),
            "address": registered("address", address, maxLength=200),
            "scope": registered("business_scope", "经营范围", maxLength=2000),
        },
        "required": ["name", "type", "legal_representative", "established_on", "address", "scope"],
    }
