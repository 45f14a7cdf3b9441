"""Case analytics (issue 7) over millions of cases: p50 and p95 of each analytics query, against a plain count of
the same period measured in the same rounds.

    .venv/bin/python -m bench.cases_analytics_bench [--cases 5000000] [--rounds 30]
        [--database postgres://postgres@127.0.0.1:5432/yiwang_bench_cases]

`--database` names a PostgreSQL database that is dropped and created again, as in the other benchmarks; without it
a throw-away SQLite file under /tmp is used. `--cases 50000` runs in a minute.

Set-up, not measured: a freshly migrated database; the city 419800 with 4 districts, 20 streets and 100
communities; 13 category headings with 61 leaves; 16 city departments and utilities, the 4 district governments
and the 20 street offices (40 units); a platform administrator (who sees every unit) and a supervisor of one
district government (who sees the units located in that district). Then the cases, written in bulk with the
engine's fastest path (PostgreSQL: COPY; SQLite: executemany), in the order they were received, about 10,000 a
day (a mid-sized city) over `cases / 10,000` days (at least 120):

- channel: phone 60 %, grid 18 %, portal 15 %, API 5 %, Open311 2 %; type: complaint 35 %, help 25 %,
  consultation 20 %, report 8 %, suggestion 10 %, praise 2 %; a leaf category drawn with Zipf-like weights;
  a community 88 %, a street 5 %, a district 2 %, no place 5 %; title and content from the category's phrases,
  a place and the hotline's usual words; in the last week one category (电动车充电) grows threefold.
- a fifth of the consultations are concluded by the operator (no assignment); every other case has a lead
  assignment (the category's department, or the street office of the place for street matters), 10 % a co-unit
  too; the lead signs within its limit 90 % of the time, late 7 %, never 3 %; 5 % of lead assignments are
  returned (退单), four in five of those approved and reassigned (a second lead assignment);
- cases received more than three weeks before the end are closed (86 %) or concluded (6 %) or still open (8 %);
  more recent ones are open in proportion to their age; 8 % of conclusions are late; 85 % of concluded cases
  have a follow-up (resolved 90 %; satisfied 75 %, basically 15 %, not satisfied 10 %), and half of the
  unsatisfied ones a second, later follow-up after the case was handled again.

Each round picks a random whole month, a random week end and a random 90-day window inside the data and times,
in an order that rotates from round to round:

1. `units_report` (三率, returns, overdue) for the month, as the platform administrator (every unit), and as the
   district supervisor;
2. `hot_topics` for the 7 days before the week end against the 7 before (categories, and terms over at most
   `YIWANG_CASES_TERMS_SAMPLE` texts a week);
3. `heat_table` for the month;
4. `daily_trend` for the 90 days.

Baseline for each, in the same round: `SELECT count(*)` of the cases received in the same period (the floor of
any figure over that period). The first round (cold caches) is printed apart and left out of the percentiles.
"""

from __future__ import annotations

import argparse
import datetime
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from bench.audit_write import _setup

CASES_PER_DAY = 10_000
BATCH = 50_000
END = datetime.date(2026, 12, 1)  # the day after the last day of cases; "now" is its noon

# Headings and their leaves: (code, name, lead, phrases). Lead: a department's key, or "street" (属地).
TAXONOMY: list[tuple[str, str, list[tuple[str, str, str, tuple[str, ...]]]]] = [
    ("01", "城乡建设", [
        ("0101", "市容环境", "street", ("垃圾堆放没人清理", "小广告贴满墙面", "占道经营影响通行")),
        ("0102", "电动车充电", "street", ("电动车在楼道充电", "小区没有充电桩", "飞线充电存在火灾隐患")),
        ("0103", "违章建筑", "urban", ("楼顶私搭乱建", "违建阳光房", "占用绿地搭建板房")),
        ("0104", "道路设施", "housing", ("人行道破损", "井盖缺失", "路面坑洼积水")),
        ("0105", "园林绿化", "urban", ("树枝遮挡路灯", "绿化带杂草丛生", "行道树倒伏")),
    ]),
    ("02", "生态环境", [
        ("0201", "噪声扰民", "ecology", ("夜间施工噪音", "广场舞音响太吵", "商铺外放音乐")),
        ("0202", "大气污染", "ecology", ("工厂排放黑烟", "餐馆油烟扰民", "露天焚烧垃圾")),
        ("0203", "水污染", "ecology", ("河道发臭", "企业偷排污水", "水面漂浮垃圾")),
        ("0204", "固体废物", "ecology", ("建筑垃圾乱倒", "工业废料堆放", "危废处置不规范")),
    ]),
    ("03", "交通运输", [
        ("0301", "公交线路", "transport", ("公交车班次太少", "公交站台缺少遮雨棚", "希望增开公交线路")),
        ("0302", "出租网约车", "transport", ("出租车拒载", "网约车绕路", "出租车不打表")),
        ("0303", "停车管理", "police", ("违章停车堵塞通道", "占用消防通道停车", "停车位被地锁占用")),
        ("0304", "道路拥堵", "police", ("路口信号灯时间不合理", "上下学时段拥堵", "道路施工导致拥堵")),
        ("0305", "交通设施", "transport", ("路口缺少红绿灯", "斑马线标线模糊", "护栏损坏")),
    ]),
    ("04", "市场监管", [
        ("0401", "食品安全", "market", ("餐馆卫生差", "超市卖过期食品", "外卖吃出异物")),
        ("0402", "价格收费", "market", ("商家乱收费", "明码标价不一致", "停车场收费过高")),
        ("0403", "消费纠纷", "market", ("预付卡退费难", "健身房跑路", "商品质量问题不退货")),
        ("0404", "无证经营", "market", ("无证照经营", "黑作坊生产食品", "流动摊贩售卖")),
        ("0405", "特种设备", "market", ("电梯经常困人", "电梯年检过期", "锅炉安全隐患")),
    ]),
    ("05", "劳动社保", [
        ("0501", "拖欠工资", "labour", ("公司拖欠工资", "农民工工资未发放", "离职后工资不结算")),
        ("0502", "社保缴纳", "labour", ("单位不缴社保", "社保转移接续", "养老保险补缴")),
        ("0503", "就业创业", "labour", ("就业补贴申请", "创业担保贷款", "招聘会信息")),
        ("0504", "劳动合同", "labour", ("不签劳动合同", "违法解除合同", "加班费不支付")),
    ]),
    ("06", "教育", [
        ("0601", "入学招生", "education", ("孩子入学划片", "转学手续", "招生政策咨询")),
        ("0602", "校外培训", "education", ("培训机构退费难", "违规补课", "培训机构跑路")),
        ("0603", "学校管理", "education", ("学校乱收费", "校车安全", "食堂饭菜质量")),
        ("0604", "幼儿园", "education", ("幼儿园收费", "普惠园名额", "幼儿园安全")),
    ]),
    ("07", "卫生健康", [
        ("0701", "医疗服务", "health", ("医院挂号难", "医生态度差", "检查收费不合理")),
        ("0702", "医保报销", "health", ("医保报销比例", "异地就医备案", "门诊慢特病")),
        ("0703", "疫苗接种", "health", ("疫苗接种预约", "接种点咨询", "儿童疫苗")),
        ("0704", "公共卫生", "health", ("病媒生物滋生", "公共厕所脏乱", "蚊虫多")),
        ("0705", "计划生育", "health", ("生育登记", "育儿补贴", "独生子女奖励")),
    ]),
    ("08", "公安政法", [
        ("0801", "治安管理", "police", ("有人聚众赌博", "夜间有人打架", "可疑人员出没")),
        ("0802", "户籍证件", "police", ("户口迁移", "身份证补办", "居住证办理")),
        ("0803", "出入境", "police", ("护照办理", "港澳通行证续签", "出入境预约")),
        ("0804", "电信诈骗", "police", ("接到诈骗电话", "网络刷单被骗", "冒充客服诈骗")),
    ]),
    ("09", "民政", [
        ("0901", "养老服务", "civil", ("养老院收费", "居家养老服务", "老年食堂")),
        ("0902", "社会救助", "civil", ("低保申请", "临时救助", "特困供养")),
        ("0903", "殡葬管理", "civil", ("墓地价格高", "殡葬服务收费", "散埋乱葬")),
        ("0904", "婚姻登记", "civil", ("结婚登记预约", "离婚冷静期", "婚姻登记材料")),
    ]),
    ("10", "住房", [
        ("1001", "物业管理", "street", ("物业不作为", "物业费上涨", "小区门禁坏了")),
        ("1002", "公租房", "housing", ("公租房申请", "保障房分配", "租金补贴")),
        ("1003", "房屋质量", "housing", ("新房漏水", "墙体开裂", "交房延期")),
        ("1004", "不动产登记", "housing", ("房产证办理", "不动产登记预约", "产权过户")),
        ("1005", "老旧小区改造", "street", ("老旧小区加装电梯", "外墙保温改造", "管网改造")),
    ]),
    ("11", "农业农村", [
        ("1101", "农村道路", "agriculture", ("村道破损", "农村公路没有路灯", "桥梁损坏")),
        ("1102", "土地承包", "agriculture", ("土地流转纠纷", "承包地确权", "宅基地审批")),
        ("1103", "农资农技", "agriculture", ("假种子", "化肥质量问题", "农技指导")),
        ("1104", "动物防疫", "agriculture", ("病死猪乱扔", "犬只免疫", "养殖污染")),
    ]),
    ("12", "水电气暖", [
        ("1201", "供水", "water", ("停水没有通知", "自来水发黄", "水压太低")),
        ("1202", "供电", "power", ("频繁停电", "电压不稳", "电表读数异常")),
        ("1203", "燃气", "gas", ("燃气泄漏气味", "燃气费计费异常", "燃气报装")),
        ("1204", "供暖", "heat", ("暖气不热", "供暖费收费", "暖气管道漏水")),
        ("1205", "排水", "water", ("下水道堵塞", "雨污管道溢流", "化粪池满溢")),
    ]),
    ("13", "其他", [
        ("1301", "表扬感谢", "street", ("感谢社区工作人员", "表扬热心民警", "感谢医生")),
        ("1302", "政策咨询", "street", ("政策咨询", "办事流程咨询", "证明开具")),
        ("1303", "其他事项", "street", ("其他问题", "邻里纠纷", "宠物扰民")),
    ]),
]  # fmt: skip

DEPARTMENTS = {
    "urban": "城市管理局",
    "housing": "住房和城乡建设局",
    "ecology": "生态环境局",
    "transport": "交通运输局",
    "police": "公安局",
    "market": "市场监督管理局",
    "labour": "人力资源和社会保障局",
    "education": "教育局",
    "health": "卫生健康委员会",
    "civil": "民政局",
    "agriculture": "农业农村局",
    "water": "供水公司",
    "power": "供电公司",
    "gas": "燃气公司",
    "heat": "热力公司",
    "hotline": "12345热线中心",
}
INSTITUTIONS = {"water", "power", "gas", "heat", "hotline"}
DISTRICTS = ("清河区", "东湖区", "西山区", "南湖区")
STREET_WORDS = ("滨河", "文昌", "新华", "解放", "人民")
COMMUNITY_WORDS = ("柳园", "枫林", "桃源", "锦绣", "和平")
FILLERS = (
    "已经好几天了",
    "持续一个多月",
    "多次反映没有结果",
    "影响周边居民生活",
    "晚上尤其严重",
    "老人孩子出行不便",
    "希望相关部门尽快处理",
    "请派人来看看",
)
CHANNELS = (("phone", 60), ("grid", 18), ("portal", 15), ("api", 5), ("open311", 2))
TYPES = (("complaint", 35), ("help", 25), ("consultation", 20), ("suggestion", 10), ("report", 8), ("praise", 2))
RISING = "0102"  # grows threefold in the last week


@dataclass
class City:
    communities: list[tuple[int, str, int]]  # (division id, name, street office department id)
    streets: list[tuple[int, str, int]]
    districts: list[tuple[int, str]]
    departments: dict[str, int]
    leaves: list[tuple[int, str, str, tuple[str, ...]]]  # (category id, code, lead, phrases)
    admin: Any
    supervisor: Any


def _credit(serial: int) -> str:
    from yiwang.core.identifiers import compose_credit_code

    return compose_credit_code(f"11419800{serial:09d}")


def _city() -> City:
    from yiwang.cases.models import CaseCategory
    from yiwang.identity import services as identity_services
    from yiwang.identity.roles import Role
    from yiwang.org import services as org_services
    from yiwang.org.services import DivisionRow

    rows = [DivisionRow("410000", "河南省", "province", None), DivisionRow("419800", "明湖市", "city", "410000")]
    for district_index, district in enumerate(DISTRICTS, start=2):
        district_code = f"4198{district_index:02d}"
        rows.append(DivisionRow(district_code, district, "county", "419800"))
        for street_index, street in enumerate(STREET_WORDS, start=1):
            street_code = f"{district_code}{street_index:03d}"
            rows.append(DivisionRow(street_code, f"{street}街道", "township", district_code))
            for community_index, community in enumerate(COMMUNITY_WORDS, start=1):
                rows.append(
                    DivisionRow(f"{street_code}{community_index:03d}", f"{community}社区", "village", street_code)
                )
    org_services.division_bulk_create(actor=None, rows=rows)
    serial = iter(range(1, 1000))
    departments = {
        key: org_services.department_create(
            actor=None,
            name=name,
            credit_code=_credit(next(serial)),
            kind="public_institution"
            if key in {"water", "power", "gas", "heat", "hotline"}
            else "government_department",
            division_code="419800",
        ).id
        for key, name in DEPARTMENTS.items()
    }
    divisions = {row.code: row for row in rows}
    from yiwang.org.selectors import division_get

    ids = {code: info.id for code in divisions if (info := division_get(code=code)) is not None}
    districts: list[tuple[int, str]] = []
    streets: list[tuple[int, str, int]] = []
    communities: list[tuple[int, str, int]] = []
    district_governments: dict[str, int] = {}
    for code, row in divisions.items():
        if row.level == "county":
            district_governments[code] = org_services.department_create(
                actor=None,
                name=f"{row.name}人民政府",
                credit_code=_credit(next(serial)),
                kind="district_government",
                division_code=code,
            ).id
            districts.append((ids[code], code))
    for code, row in divisions.items():
        if row.level == "township":
            office = org_services.department_create(
                actor=None,
                name=f"{divisions[code[:6]].name}{row.name}办事处",
                credit_code=_credit(next(serial)),
                kind="street_office",
                division_code=code,
                parent_id=district_governments[code[:6]],
            ).id
            streets.append((ids[code], code, office))
    offices = {code: office for _id, code, office in streets}
    for code, row in divisions.items():
        if row.level == "village":
            communities.append((ids[code], code, offices[code[:9]]))
    leaves: list[tuple[int, str, str, tuple[str, ...]]] = []
    for heading_code, heading_name, children in TAXONOMY:
        heading = CaseCategory.objects.create(code=heading_code, name=heading_name)
        for code, name, lead, phrases in children:
            leaf = CaseCategory.objects.create(code=code, name=name, parent=heading, keywords="\n".join(phrases))
            leaves.append((leaf.pk, code, lead, phrases))

    def staff(username: str, department: int, role: str) -> Any:
        return identity_services.staff_create(
            actor=None,
            details=identity_services.StaffDetails(
                username=username, real_name="测试", department_id=department, roles=(role,),
                password="Bench-password-2026", phone="", email="",
            ),
        )  # fmt: skip

    return City(
        communities=communities,
        streets=streets,
        districts=districts,
        departments=departments,
        leaves=leaves,
        admin=staff("bench-admin", departments["hotline"], Role.PLATFORM_ADMIN),
        supervisor=staff("bench-supervisor", district_governments["419802"], Role.SUPERVISOR),
    )


def _weighted(pairs: tuple[tuple[str, int], ...]) -> list[str]:
    return [key for key, weight in pairs for _repeat in range(weight)]


CASE_COLUMNS = (
    "id", "number", "case_type", "channel", "category_id", "title", "content", "status", "division_id",
    "grid_cell_id", "address", "latitude", "longitude", "reporter_id", "contact_name", "contact_phone",
    "contact_phone_index", "hide_reporter", "received_by_id", "lead_department_id", "suggested", "received_at",
    "dispatched_at", "sign_due_at", "signed_at", "due_at", "warn_at", "extended_days", "concluded_at", "closed_at",
    "escalation_level", "reply", "concluded_directly", "resolved_on_spot", "reopen_count", "merged_into_id",
    "return_count", "open311_token", "service_notice", "updated_at",
)  # fmt: skip
ASSIGNMENT_COLUMNS = (
    "id", "case_id", "department_id", "role", "status", "dispatched_at", "dispatched_by_id", "sign_due_at",
    "signed_at", "signed_by_id", "replied_at", "reply", "active",
)  # fmt: skip
FOLLOW_UP_COLUMNS = ("id", "case_id", "resolved", "satisfaction", "note", "by_id", "at", "lead_department_id")
RETURN_COLUMNS = (
    "id", "case_id", "assignment_id", "reason", "basis", "suggested_department_id", "requested_by_id",
    "requested_at", "decision", "decided_by_id", "decided_at", "decision_note",
)  # fmt: skip


@dataclass
class Rows:
    cases: list[tuple[Any, ...]]
    assignments: list[tuple[Any, ...]]
    follow_ups: list[tuple[Any, ...]]
    returns: list[tuple[Any, ...]]


def _generate(city: City, count: int, days: int, requester: int, seed: int = 2026) -> Iterator[Rows]:
    """The cases in the order received, in batches, with their assignments, follow-ups and returns."""
    from django.utils import timezone

    rng = random.Random(seed)
    zone = timezone.get_default_timezone()
    first_day = END - datetime.timedelta(days=days)
    end_at = datetime.datetime.combine(END, datetime.time(12), tzinfo=zone)
    channels, types = _weighted(CHANNELS), _weighted(TYPES)
    weights = [1 / (rank + 1) ** 0.6 for rank in range(len(city.leaves))]
    rng.shuffle(weights)
    rising_index = next(index for index, leaf in enumerate(city.leaves) if leaf[1] == RISING)
    rising_weights = list(weights)
    rising_weights[rising_index] *= 3
    departments = list(city.departments.values())
    hour_weights = [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 12, 10, 12, 14, 14, 12, 10, 8, 6, 5, 4, 2, 1]
    assignment_id = follow_up_id = return_id = 0
    rows = Rows([], [], [], [])
    per_day = count / days
    for case_id in range(1, count + 1):
        day = first_day + datetime.timedelta(days=int((case_id - 1) / per_day))
        hour = rng.choices(range(24), hour_weights)[0]
        received = datetime.datetime.combine(day, datetime.time(hour, rng.randrange(60), rng.randrange(60)), zone)
        age_days = (END - day).days
        leaf_index = rng.choices(range(len(city.leaves)), rising_weights if age_days <= 7 else weights)[0]
        category_id, _code, lead_kind, phrases = city.leaves[leaf_index]
        place = rng.random()
        community = rng.choice(city.communities)
        if place < 0.88:
            division, street_office, where = community[0], community[2], community[1]
        elif place < 0.93:
            street = rng.choice(city.streets)
            division, street_office, where = street[0], street[2], street[1]
        elif place < 0.95:
            district = rng.choice(city.districts)
            division, street_office, where = district[0], community[2], district[1]
        else:
            division, street_office, where = None, community[2], ""
        phrase = rng.choice(phrases)
        title = phrase[:30]
        content = f"{where}附近{phrase}，{rng.choice(FILLERS)}，{rng.choice(FILLERS)}。"
        case_type = rng.choice(types)
        channel = rng.choice(channels)
        direct = case_type == "consultation" and rng.random() < 0.2
        lead = street_office if lead_kind == "street" else city.departments[lead_kind]
        sign_due = received + datetime.timedelta(days=1)
        due = received + datetime.timedelta(days=rng.choice((3, 5, 13)) * 7 / 5)
        # Whether and when it was concluded: older cases mostly are.
        done_share = 0.92 if age_days > 21 else age_days / 23
        concluded = rng.random() < done_share
        late = rng.random() < 0.08
        concluded_at = None
        if concluded:
            concluded_at = (
                due + datetime.timedelta(hours=rng.randint(1, 96))
                if late
                else received + (due - received) * rng.uniform(0.1, 0.95)
            )
            if concluded_at > end_at:
                concluded_at, concluded = None, False
        status = "in_progress"
        signed_at = None
        current_lead: int | None = lead
        return_count = 0
        if direct:
            status, current_lead, concluded, concluded_at = (
                "closed",
                None,
                True,
                received + datetime.timedelta(minutes=10),
            )
        else:
            sign = rng.random()
            sign_at = received + datetime.timedelta(hours=rng.uniform(0.2, 20) if sign < 0.9 else rng.uniform(26, 60))
            never = sign >= 0.97 and not concluded
            signed_at = None if never or sign_at > end_at else sign_at
            assignment_id += 1
            lead_assignment = assignment_id
            returned = rng.random() < 0.05
            approved = returned and rng.random() < 0.8
            # An approved return leaves the first assignment unsigned and inactive; a refused one changes nothing.
            rows.assignments.append(
                (
                    lead_assignment, case_id, lead, "lead", "returned" if approved else "signed", received, None,
                    sign_due, None if approved else signed_at, None, None, "", not approved,
                )
            )  # fmt: skip
            if returned:
                return_id += 1
                asked = received + datetime.timedelta(hours=rng.uniform(1, 30))
                rows.returns.append(
                    (
                        return_id, case_id, lead_assignment, "不属于本单位职责", "", None, requester, asked,
                        "approved" if approved else "refused", requester, asked + datetime.timedelta(hours=2), "",
                    )
                )  # fmt: skip
                return_count = 1
            if approved:
                current_lead = rng.choice(departments)
                assignment_id += 1
                again = asked + datetime.timedelta(hours=2)
                rows.assignments.append(
                    (
                        assignment_id, case_id, current_lead, "lead", "signed", again, None,
                        again + datetime.timedelta(days=1), signed_at and again + datetime.timedelta(hours=3),
                        None, None, "", True,
                    )
                )  # fmt: skip
            if rng.random() < 0.1:
                assignment_id += 1
                co_unit = rng.choice(departments)
                rows.assignments.append(
                    (
                        assignment_id, case_id, co_unit, "co", "replied", received, None, sign_due, signed_at,
                        None, None, "", True,
                    )
                )  # fmt: skip
            if concluded:
                status = "concluded"
                if rng.random() < 0.85:
                    status = "closed"
                    follow_up_id += 1
                    asked_at = concluded_at + datetime.timedelta(hours=rng.uniform(2, 30))  # type: ignore[operator]
                    satisfied = rng.choices(("satisfied", "basically", "unsatisfied"), (75, 15, 10))[0]
                    resolved = rng.random() < (0.95 if satisfied != "unsatisfied" else 0.5)
                    rows.follow_ups.append(
                        (follow_up_id, case_id, resolved, satisfied, "", None, asked_at, current_lead)
                    )
                    if satisfied == "unsatisfied" and rng.random() < 0.5:
                        follow_up_id += 1
                        rows.follow_ups.append(
                            (
                                follow_up_id, case_id, True, rng.choice(("satisfied", "basically")), "", None,
                                asked_at + datetime.timedelta(days=rng.uniform(2, 6)), current_lead,
                            )
                        )  # fmt: skip
            elif signed_at is None:
                status = "dispatched"
        rows.cases.append(
            (
                case_id, f"{day:%Y%m%d}{case_id % 1_000_000:06d}{case_id // 1_000_000}", case_type, channel,
                category_id, title, content, status, division, None, "", None, None, None, "", "", "", False, None,
                current_lead, "{}", received, None if direct else received, None if direct else sign_due,
                signed_at, None if direct else due, None, 0, concluded_at if concluded else None,
                concluded_at if status == "closed" else None, 0, "", direct, False, 0, None, return_count, "", "",
                received,
            )
        )  # fmt: skip
        if len(rows.cases) == BATCH:
            yield rows
            rows = Rows([], [], [], [])
    if rows.cases:
        yield rows


def _write(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection

    if not rows:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw: Any = cursor.cursor  # psycopg's cursor, for COPY
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    adapt = connection.ops.adapt_datetimefield_value
    converted = [
        tuple(adapt(value) if isinstance(value, datetime.datetime) else value for value in row) for row in rows
    ]
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(columns))
        # Table and column names are this module's constants.
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", converted)  # noqa: S608


TABLES = ("cases_case", "cases_caseassignment", "cases_casefollowup", "cases_casereturn")


def _secondary_indexes_dropped() -> list[tuple[str, str]]:
    """PostgreSQL: drop the tables' indexes that back no constraint, for a fast load; their definitions are kept so
    that `_indexes_rebuilt` makes the same schema again. Triggers (the foreign-key checks) are off for the session
    while loading: the rows are consistent by construction."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [list(TABLES)],
        )
        indexes: list[tuple[str, str]] = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    return indexes


def _indexes_rebuilt(indexes: list[tuple[str, str]]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("RESET maintenance_work_mem")
        cursor.execute("SET session_replication_role = DEFAULT")
        for table in TABLES:
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            cursor.execute(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))")  # noqa: S608
    connection.ensure_connection()
    raw: Any = connection.connection
    autocommit = raw.autocommit
    raw.autocommit = True  # VACUUM runs outside a transaction
    with raw.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    raw.autocommit = autocommit


def _populate(city: City, count: int, days: int) -> dict[str, int]:
    from django.db import connection, transaction

    from yiwang.cases.models import Case

    names = {field.column for field in Case._meta.concrete_fields}
    assert names == set(CASE_COLUMNS), names ^ set(CASE_COLUMNS)
    totals = {"cases": 0, "assignments": 0, "follow_ups": 0, "returns": 0}
    postgres = connection.vendor == "postgresql"
    indexes = _secondary_indexes_dropped() if postgres else []
    if not postgres:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -524288")  # 512 MiB, as the demo loader does
    began = time.perf_counter()
    for rows in _generate(city, count, days, requester=city.admin.pk):
        with transaction.atomic():
            _write("cases_case", CASE_COLUMNS, rows.cases)
            _write("cases_caseassignment", ASSIGNMENT_COLUMNS, rows.assignments)
            _write("cases_casefollowup", FOLLOW_UP_COLUMNS, rows.follow_ups)
            _write("cases_casereturn", RETURN_COLUMNS, rows.returns)
        totals["cases"] += len(rows.cases)
        totals["assignments"] += len(rows.assignments)
        totals["follow_ups"] += len(rows.follow_ups)
        totals["returns"] += len(rows.returns)
        if totals["cases"] % 500_000 == 0:
            rate = totals["cases"] / (time.perf_counter() - began)
            print(f"  {totals['cases']:,} cases written ({rate:,.0f}/s)", file=sys.stderr, flush=True)
    if postgres:
        began = time.perf_counter()
        _indexes_rebuilt(indexes)
        print(
            f"  {len(indexes)} indexes rebuilt, VACUUM ANALYZE in {time.perf_counter() - began:.0f} s", file=sys.stderr
        )
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return totals


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _count(start: datetime.date, end: datetime.date) -> int:
    from yiwang.cases.analytics import day_start
    from yiwang.cases.models import Case

    return Case.objects.filter(received_at__gte=day_start(start), received_at__lt=day_start(end)).count()


def _existing_city() -> City:
    """The city of an earlier run (`--reuse`): only its two readers are needed."""
    from yiwang.identity.selectors import user_find_by_login

    admin, supervisor = user_find_by_login("bench-admin"), user_find_by_login("bench-supervisor")
    assert admin is not None and supervisor is not None, "no earlier run in this database: run without --reuse"
    return City([], [], [], {}, [], admin, supervisor)


Query = tuple[Callable[[], Any], Callable[[Any], Callable[[], Any]]]


def _measure(queries: dict[str, Query], rounds: int) -> None:
    """Run every query once per round (the first round cold, left out), each followed by its baseline count."""
    timings: dict[str, list[float]] = {name: [] for name in queries}
    baselines: dict[str, list[float]] = {name: [] for name in queries}
    cold: dict[str, float] = {}
    names = list(queries)
    for round_index in range(rounds + 1):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            pick, make = queries[name]
            argument = pick()
            if hasattr(argument, "bounds"):  # a period
                start, end = argument.start, argument.end
            else:  # the end of the hot topics' two weeks
                start, end = argument - datetime.timedelta(days=14), argument
            run = make(argument)
            clock = time.perf_counter()
            run()
            took = (time.perf_counter() - clock) * 1000
            clock = time.perf_counter()
            _count(start, end)
            floor = (time.perf_counter() - clock) * 1000
            if round_index == 0:
                cold[name] = took
            else:
                timings[name].append(took)
                baselines[name].append(floor)
    print(f"{rounds} rounds (+1 cold, left out); times in ms")
    print(f"{'query':<26} {'cold':>8} {'p50':>8} {'p95':>8} | {'count p50':>9} {'count p95':>9} | {'p95 ratio':>9}")
    for name in names:
        p50, p95 = statistics.median(timings[name]), _percentile(timings[name], 0.95)
        b50, b95 = statistics.median(baselines[name]), _percentile(baselines[name], 0.95)
        print(f"{name:<26} {cold[name]:>8.0f} {p50:>8.0f} {p95:>8.0f} | {b50:>9.0f} {b95:>9.0f} | {p95 / b95:>9.1f}")


def _setup_database(database: str | None, reuse: bool) -> None:
    if not reuse:
        _setup(database)
        return
    import os

    os.environ["DJANGO_SETTINGS_MODULE"] = "yiwang.config.settings"
    os.environ["YIWANG_DATABASE_POOL"] = "0"
    os.environ["DATABASE_URL"] = database or ""
    assert database, "--reuse needs --database"
    import tempfile
    from pathlib import Path

    from yiwang.config.secrets import ensure_development_secrets

    var_dir = Path(tempfile.mkdtemp(prefix="yiwang-bench-cases-"))
    os.environ["YIWANG_VAR_DIR"] = str(var_dir)
    ensure_development_secrets(var_dir)
    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=5_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--database", default=None)
    parser.add_argument(
        "--reuse", action="store_true", help="measure the database of an earlier run with the same --cases again"
    )
    options = parser.parse_args()
    _setup_database(options.database, options.reuse)
    from django.db import connection
    from django.utils import timezone

    from yiwang.cases.analytics import Period, PeriodKind, daily_trend, heat_table, hot_topics, units_report

    days = max(120, options.cases // CASES_PER_DAY)
    if options.reuse:
        city = _existing_city()
    else:
        began = time.perf_counter()
        city = _city()
        totals = _populate(city, options.cases, days)
        print(
            f"{totals['cases']:,} cases over {days} days, {totals['assignments']:,} assignments, "
            f"{totals['follow_ups']:,} follow-ups, {totals['returns']:,} returns on {connection.vendor}, "
            f"made in {time.perf_counter() - began:.0f} s (not measured)"
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database())), version()")
            size, version = cursor.fetchone()
            print(f"database size {size}; {version.split(' on ')[0]}")
    now = datetime.datetime.combine(
        END - datetime.timedelta(days=1), datetime.time(12), timezone.get_default_timezone()
    )
    first_day = END - datetime.timedelta(days=days)
    rng = random.Random(7)
    months = []
    month = (first_day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    while (month + datetime.timedelta(days=32)).replace(day=1) <= END:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)

    def month_period() -> Period:
        first = rng.choice(months)
        return Period(PeriodKind.CUSTOM, first, (first + datetime.timedelta(days=32)).replace(day=1))

    def week_end() -> datetime.date:
        return first_day + datetime.timedelta(days=rng.randint(14, days))

    def window() -> Period:
        start = first_day + datetime.timedelta(days=rng.randint(0, days - 90))
        return Period(PeriodKind.CUSTOM, start, start + datetime.timedelta(days=90))

    queries: dict[str, Query] = {
        "units (month, all)": (month_period, lambda p: lambda: units_report(actor=city.admin, period=p, now=now)),
        "units (month, district)": (
            month_period,
            lambda p: lambda: units_report(actor=city.supervisor, period=p, now=now),
        ),
        "hot topics (week)": (week_end, lambda end: lambda: hot_topics(actor=city.admin, end=end)),
        "heat (month)": (month_period, lambda p: lambda: heat_table(actor=city.admin, period=p)),
        "trend (90 days)": (window, lambda p: lambda: daily_trend(actor=city.admin, period=p)),
    }
    if connection.vendor == "postgresql":
        print("\nJIT as the server has it (PostgreSQL's default: on)")
        _measure(queries, options.rounds)
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        print("\nJIT off for the session (SET jit = off)")
    _measure(queries, options.rounds)
    sample = units_report(actor=city.admin, period=Period(PeriodKind.CUSTOM, months[-2], months[-1]), now=now)
    total = sample.total
    print(
        f"\nmonth {months[-2]:%Y-%m}: {len(sample.units)} units, volume {total.volume:,}, response "
        f"{total.response.percent}%, resolution {total.resolution.percent}%, satisfaction "
        f"{total.satisfaction.percent}%, returns {total.returns.percent}%, overdue {total.overdue:,}"
    )
    hot = hot_topics(actor=city.admin, end=END)
    rising = [trend.name for trend in hot.categories if trend.rising]
    terms = [trend.key for trend in hot.terms[:5]]
    print(f"last week: {hot.cases_this_week:,} cases, rising {rising}, terms {terms}, sample 1 in {hot.sample_step}")


if __name__ == "__main__":
    main()
