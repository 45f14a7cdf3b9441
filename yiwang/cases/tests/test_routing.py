"""The routing model: cold start from the catalogue, learning from history and corrections, 属地 resolution, the
digest check, and the `yiwang cases` commands that train, evaluate and ask it.

The city, catalogue and history here are small and written out (the cases app may not import the demo); the demo's
own taxonomy and generated history are put through the router in `yiwang/demo/tests/test_cases_data.py`.
"""

from __future__ import annotations

import datetime
import importlib
import json
import random
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from yiwang.cases.history import HistoricCase, case_history_import
from yiwang.cases.models import CaseCategory, DispatchRule, LeadKind, Responsibility, RouterModel
from yiwang.cases.routing import (
    RouterModelRefused,
    forget_loaded_model,
    read_evaluation_csv,
    route,
    route_many,
    router_evaluate,
    router_train,
)
from yiwang.cases.routing.store import model_seal
from yiwang.conftest import next_credit_code
from yiwang.core.audit.models import AuditEvent
from yiwang.core.crypto import sm3_hex
from yiwang.core.errors import ValidationFailed
from yiwang.org import services as org_services
from yiwang.org.services import DivisionRow

COMMUNITY = "419802001001"  # 柳园社区, 滨河街道, 清河区
TIME_ZONE = datetime.timezone(datetime.timedelta(hours=8))
STREET = "street"
DISTRICT = "district"

# (code, name, kind, division, short name)
UNITS = (
    ("城市管理局", "government_department", "419800", "市城管局"),
    ("市场监督管理局", "government_department", "419800", "市市场监管局"),
    ("人力资源和社会保障局", "government_department", "419800", "市人社局"),
    ("公安局", "government_department", "419800", "市公安局"),
    ("住房和城乡建设局", "government_department", "419800", "市住建局"),
    ("12345热线中心", "public_institution", "419800", "12345热线"),
    ("供水公司", "utility", "419800", ""),
    ("供电公司", "utility", "419800", ""),
    ("燃气公司", "utility", "419800", ""),
    ("热力公司", "utility", "419800", ""),
    ("清河区人民政府", "district_government", "419802", "清河区政府"),
    ("东湖区人民政府", "district_government", "419803", "东湖区政府"),
    ("西山区人民政府", "district_government", "419804", "西山区政府"),
    ("滨河街道办事处", "street_office", "419802001", "滨河街道"),
    ("清源街道办事处", "street_office", "419802002", "清源街道"),
    ("湖滨街道办事处", "street_office", "419803001", "湖滨街道"),
)
DIVISIONS = (
    DivisionRow("410000", "河南省", "province", None),
    DivisionRow("419800", "明湖市", "city", "410000"),
    DivisionRow("419802", "清河区", "county", "419800"),
    DivisionRow("419802001", "滨河街道", "township", "419802"),
    DivisionRow(COMMUNITY, "柳园社区", "village", "419802001"),
    DivisionRow("419802002", "清源街道", "township", "419802"),
    DivisionRow("419802002001", "新华社区", "village", "419802002"),
    DivisionRow("419803", "东湖区", "county", "419800"),
    DivisionRow("419803001", "湖滨街道", "township", "419803"),
    DivisionRow("419803001001", "紫荆社区", "village", "419803001"),
    DivisionRow("419804", "西山区", "county", "419800"),
)
COMMUNITIES = (COMMUNITY, "419802002001", "419803001001")
STREET_OFFICES = {COMMUNITY: "滨河街道办事处", "419802002001": "清源街道办事处", "419803001001": "湖滨街道办事处"}
# (code, name, keywords, lead: a unit, STREET or DISTRICT)
CATEGORIES = (
    ("0102", "路灯照明", "路灯不亮 路灯坏了 灯杆 没有路灯 黑灯瞎火", "城市管理局"),
    ("0104", "占道经营", "占道经营 流动摊贩 摆摊 店外经营 堵路卖菜", STREET),
    ("0105", "市容环境卫生", "垃圾没人清 垃圾桶满了 垃圾清运 公厕脏 小广告", "城市管理局"),
    ("0205", "餐饮油烟", "油烟 饭店排烟 烧烤烟 油烟直排 熏得不敢开窗", "城市管理局"),
    ("0401", "食品安全", "过期食品 吃坏肚子 不卫生 变质 后厨脏", "市场监督管理局"),
    ("0501", "拖欠工资", "拖欠工资 欠薪 不发工资 工钱 讨薪", "人力资源和社会保障局"),
    ("0803", "社会生活噪声", "噪音扰民 KTV 半夜喧哗 音响 吵得睡不着", "公安局"),
    ("0805", "犬只管理", "狗 流浪狗 狗咬人 遛狗不牵绳 狗叫 养犬登记", "公安局"),
    ("1001", "物业管理", "物业 物业费 物业不作为 保安 业委会", "住房和城乡建设局"),
    ("1002", "小区环境", "老旧小区 楼道杂物 无物业 家属院 飞线充电", STREET),
    ("1104", "农村人居环境", "村里 村庄 坑塘 改厕 村里垃圾", DISTRICT),
    ("1201", "供水", "停水 没水 水压低 水管爆了 自来水", "供水公司"),
    ("1202", "供电", "停电 没电 电压不稳 电费 跳闸", "供电公司"),
    ("1203", "燃气", "燃气 天然气 停气 漏气 煤气", "燃气公司"),
    ("1204", "供暖", "暖气不热 供暖 暖气 暖气费 室温低", "热力公司"),
)
RESPONSIBILITIES = {
    "城市管理局": ("负责城市道路照明设施（路灯）的维护", "负责道路清扫保洁和垃圾清运", "查处餐饮油烟直排"),
    "市场监督管理局": ("负责食品安全监督管理", "负责消费者权益保护"),
    "人力资源和社会保障局": ("查处用人单位拖欠工资", "负责社会保险"),
    "公安局": ("查处社会生活噪声扰民", "负责养犬登记和犬只伤人的查处"),
    "住房和城乡建设局": ("负责物业服务的监督管理",),
    "供水公司": ("负责城市供水和停水抢修",),
    "供电公司": ("负责电网运行和停电抢修",),
    "燃气公司": ("负责燃气供应和漏气抢修",),
    "热力公司": ("负责集中供热，处理暖气不热",),
    "滨河街道办事处": ("负责辖区占道经营整治", "负责老旧小区的环境卫生", "指导成立业主委员会"),
    "清源街道办事处": ("负责辖区占道经营整治", "负责老旧小区的环境卫生", "指导成立业主委员会"),
    "湖滨街道办事处": ("负责辖区占道经营整治", "负责老旧小区的环境卫生", "指导成立业主委员会"),
    "清河区人民政府": ("负责农村人居环境整治",),
}


def load_small_catalogue() -> dict[str, int]:
    """A city of three districts and three streets, fifteen categories with their catalogue entries, the units'
    lists (ORM, as the catalogue's own services are tested elsewhere); unit name → id."""
    org_services.division_bulk_create(actor=None, rows=list(DIVISIONS))
    units = {
        name: org_services.department_create(
            actor=None,
            name=name,
            short_name=short_name,
            credit_code=next_credit_code("11419800"),
            kind=kind,
            division_code=division,
        ).id
        for name, kind, division, short_name in UNITS
    }
    headings: dict[str, CaseCategory] = {}
    for code, name, keywords, lead in CATEGORIES:
        heading = headings.get(code[:2]) or CaseCategory.objects.create(code=code[:2], name=f"大类{code[:2]}")
        headings[code[:2]] = heading
        category = CaseCategory.objects.create(
            code=code, name=name, parent=heading, description=name, keywords="\n".join(keywords.split())
        )
        DispatchRule.objects.create(
            category=category,
            lead_kind=lead if lead in (STREET, DISTRICT) else LeadKind.DEPARTMENT,
            lead_department_id=units.get(lead),
            basis=f"《权责清单》{code}",
        )
    Responsibility.objects.bulk_create(
        Responsibility(department_id=units[unit], title=title)
        for unit, titles in RESPONSIBILITIES.items()
        for title in titles
    )
    return units


# The name the hotline's browser test imports: the cases app may not import the demo, so the city is this small one
# (it has the units, categories and place that test names).
load_demo_catalogue = load_small_catalogue


# What callers said, the category, and who concluded it. Practice differs from the catalogue on three matters:
# stray dogs go to 城管, square-dance noise and founding an owners' committee to the street.
SAYINGS = (
    ("{road}的路灯坏了好几天了，晚上很黑", "0102", "城市管理局"),
    ("{road}有人摆摊卖菜，占道经营，把路堵了", "0104", STREET),
    ("{road}的垃圾桶满了，一直没人清运", "0105", "城市管理局"),
    ("{road}一家饭店油烟直排，熏得不敢开窗", "0205", "城市管理局"),
    ("在{road}的超市买到过期食品", "0401", "市场监督管理局"),
    ("{road}工地的老板拖欠我们三个月工资", "0501", "人力资源和社会保障局"),
    ("{road}的KTV半夜唱歌，吵得睡不着", "0803", "公安局"),
    ("{road}小区楼下跳广场舞，音响开得太大", "0803", STREET),
    ("邻居家的狗在{road}咬人了，狗主人不承认", "0805", "公安局"),
    ("{road}有一群流浪狗，见人就追", "0805", "城市管理局"),
    ("{road}小区物业乱涨物业费", "1001", "住房和城乡建设局"),
    ("我们{road}小区想成立业主委员会，不知道找谁", "1001", STREET),
    ("{road}老旧小区没有物业，楼道里堆满杂物", "1002", STREET),
    ("{road}一带停水了，也没通知", "1201", "供水公司"),
    ("{road}突然停电了，冰箱里的东西都坏了", "1202", "供电公司"),
    ("{road}家里燃气漏气，一股煤气味", "1203", "燃气公司"),
    ("{road}小区的暖气一点都不热", "1204", "热力公司"),
)
ROADS = ("人民路", "建设路", "文化路", "解放路", "和平路", "光明路", "黄河路", "中原路", "胜利街", "民主路")
OPENERS = ("", "你好，", "我要反映，", "您好，麻烦一下，")
CLOSERS = ("", "麻烦处理。", "谢谢。", "希望尽快解决。")


def historic(text: str, category_code: str, unit: str, *, community: str = COMMUNITY, **changes: Any) -> HistoricCase:
    """A concluded case received on 1 September 2026 (times an hour apart), satisfied."""
    at = datetime.datetime(2026, 9, 1, 9, 0, tzinfo=TIME_ZONE)
    hour = datetime.timedelta(hours=1)
    values: dict[str, Any] = {
        "text": text,
        "title": text[:12],
        "case_type": "complaint",
        "category_code": category_code,
        "unit": STREET_OFFICES[community] if unit == STREET else unit,
        "division_code": community,
        "address": "某路1号",
        "received_at": at,
        "dispatched_at": at + hour,
        "signed_at": at + 2 * hour,
        "concluded_at": at + 24 * hour,
        "followed_up_at": at + 48 * hour,
        "reply": "已处理。",
        "satisfaction": "satisfied",
    }
    values.update(changes)
    return HistoricCase(**values)


def small_history(count: int, *, seed: int) -> list[HistoricCase]:
    """`count` cases said in the ways of SAYINGS, at random roads and communities."""
    chance = random.Random(seed)
    cases = []
    for _number in range(count):
        saying, code, unit = chance.choice(SAYINGS)
        text = chance.choice(OPENERS) + saying.format(road=chance.choice(ROADS)) + "。" + chance.choice(CLOSERS)
        cases.append(historic(text, code, unit, community=chance.choice(COMMUNITIES)))
    return cases


@pytest.fixture(autouse=True)
def _no_model_from_another_test() -> Iterator[None]:
    forget_loaded_model()
    yield
    forget_loaded_model()


@pytest.fixture
def units(db: Any) -> dict[str, int]:
    return load_small_catalogue()


def _best(text: str, division_code: str = "") -> tuple[str, int | None]:
    unit = route(text, division_code=division_code).units[0]
    return unit.name, unit.department_id


def test_cold_start_routes_obvious_texts_by_the_catalogue(units: dict[str, int]) -> None:
    assert not RouterModel.objects.exists()
    assert _best("我家楼下的路灯不亮了，晚上黑乎乎的") == ("城市管理局", units["城市管理局"])
    assert _best("小区停水两天了，也没通知") == ("供水公司", units["供水公司"])
    assert _best("公司拖欠我三个月工资不发") == ("人力资源和社会保障局", units["人力资源和社会保障局"])
    assert _best("暖气一点都不热，屋里才十几度") == ("热力公司", units["热力公司"])
    assert _best("楼下饭店油烟直排，熏得不敢开窗") == ("城市管理局", units["城市管理局"])
    assert _best("在超市买到过期食品") == ("市场监督管理局", units["市场监督管理局"])
    # The first use trained a cold-start model from the catalogue alone.
    model = RouterModel.objects.get()
    assert (model.kind, model.active) == ("cold_start", True)
    assert model.metrics["history_examples"] == 0 and "held_out" not in model.metrics
    proposal = route("燃气漏气了，一股煤气味")
    assert (proposal.categories[0].code, proposal.categories[0].name) == ("1203", "燃气")
    assert len(proposal.units) == len(proposal.categories) == 3
    assert sum(unit.confidence for unit in proposal.units) <= 1.0 + 1e-9
    assert proposal.units[0].confidence > proposal.units[1].confidence >= proposal.units[2].confidence > 0
    assert proposal.model_id == model.pk
    assert proposal.suggestion() == {
        "department_id": units["燃气公司"],
        "category_code": "1203",
        "confidence": proposal.units[0].confidence,
        "model_id": model.pk,
    }


def test_locality_matters_go_to_the_street_office_of_the_place(units: dict[str, int]) -> None:
    text = "门口每天早上都有流动摊贩摆摊卖菜，占道经营，把路都堵死了"
    assert _best(text, COMMUNITY) == ("滨河街道办事处", units["滨河街道办事处"])
    assert _best(text, "419803001001") == ("湖滨街道办事处", units["湖滨街道办事处"])
    # Known only to its district: the district government, which passes it on.
    assert _best(text, "419804") == ("西山区人民政府", units["西山区人民政府"])
    unknown = route(text).units[0]
    assert (unknown.department_id, unknown.locality, unknown.name) == (None, "street", "所在街道办事处")
    # A village matter goes to the district government of the place.
    village = route("我们村的垃圾没人清理，坑塘里全是垃圾，村庄环境太差", division_code=COMMUNITY).units[0]
    assert (village.name, village.department_id) == ("清河区人民政府", units["清河区人民政府"])
    # A departmental matter ignores the place.
    assert _best("小区停水两天了", COMMUNITY) == ("供水公司", units["供水公司"])


def test_route_many_matches_route_and_checks_its_arguments(units: dict[str, int]) -> None:
    texts = ["路灯不亮", "占道经营", "停电了"]
    many = route_many(texts, division_codes=["", COMMUNITY, ""])
    assert [proposal.units[0].name for proposal in many] == ["城市管理局", "滨河街道办事处", "供电公司"]
    assert many[0] == route("路灯不亮")
    assert route_many([]) == []
    with pytest.raises(ValidationFailed) as error:
        route_many(texts, division_codes=[""])
    assert error.value.field == "division_codes"
    with pytest.raises(ValidationFailed) as blank:
        route("  ")
    assert blank.value.field == "text"


def test_nothing_to_learn_from_gives_no_proposal(db: Any) -> None:
    assert route("路灯不亮").units == []
    with pytest.raises(ValidationFailed, match="nothing to learn from"):
        router_train()
    assert not RouterModel.objects.exists()


def test_a_model_trained_on_history_routes_better_than_the_catalogue_alone(units: dict[str, int]) -> None:
    evaluation_rows = [(f"{case.title}\n{case.text}", case.unit) for case in small_history(300, seed=99)]
    cold = router_train()
    cold_evaluation = router_evaluate(rows=evaluation_rows)
    assert case_history_import(rows=small_history(300, seed=1)) == 300
    trained = router_train()
    assert (cold.kind, trained.kind) == ("cold_start", "trained")
    assert not RouterModel.objects.get(pk=cold.pk).active and RouterModel.objects.get(pk=trained.pk).active
    assert trained.metrics["history_examples"] == 300
    held_out = trained.metrics["held_out"]
    assert held_out["cases"] == 60
    # The catalogue cannot know the three matters practice gives elsewhere; history teaches them.
    assert held_out["unit_top1"] > held_out["cold_start_unit_top1"] + 0.05
    assert held_out["unit_top1"] >= 0.95 and held_out["unit_top3"] >= held_out["unit_top1"]
    evaluation = router_evaluate(rows=evaluation_rows)
    assert (evaluation.total, evaluation.evaluated, evaluation.unknown_units) == (300, 300, ())
    assert evaluation.top1 >= 0.95 * 300 and evaluation.top1 > cold_evaluation.top1 + 10, (evaluation, cold_evaluation)
    assert evaluation.top3 >= evaluation.top1
    audit = AuditEvent.objects.filter(action="cases.router.train").order_by("id").last()
    assert audit is not None and audit.object_id == str(trained.pk)


def _stray_dog_cases(count: int) -> list[HistoricCase]:
    """Cases about stray dogs that 公安局 returned and 城市管理局 concluded (the catalogue says 公安局)."""
    at = datetime.datetime(2026, 9, 1, 9, 0, tzinfo=TIME_ZONE)
    return [
        historic(
            f"{road}附近有一群流浪狗，见人就追，孩子都不敢出门",
            "0805",
            "城市管理局",
            returned_from="公安局",
            return_reason="流浪犬收容不属于我局职责。",
            returned_at=at + datetime.timedelta(minutes=70),
            reassigned_at=at + datetime.timedelta(minutes=90),
        )
        for road in ROADS[:count]
    ]


def test_dispatchers_corrections_change_the_next_models_answer(units: dict[str, int]) -> None:
    text = "小区门口有一群流浪狗，见人就追"
    router_train()
    assert _best(text)[0] == "公安局"
    case_history_import(rows=_stray_dog_cases(6))
    trained = router_train()
    assert trained.metrics["corrections"] == 6
    assert _best(text) == ("城市管理局", units["城市管理局"])
    # Other matters of the same category stay where the catalogue puts them.
    assert _best("邻居家的狗咬人了，狗主人不承认")[0] == "公安局"


def test_a_model_that_does_not_match_its_digest_is_refused(units: dict[str, int]) -> None:
    model = router_train()
    RouterModel.objects.filter(pk=model.pk).update(digest="0" * 64)
    forget_loaded_model()
    with pytest.raises(RouterModelRefused) as refused:
        route("路灯不亮")
    assert refused.value.model_id == model.pk and refused.value.code == "router_model_digest"
    # A changed payload is refused too; a new model is loaded again.
    payload = bytearray(model.payload)
    payload[-20] ^= 0xFF
    RouterModel.objects.filter(pk=model.pk).update(payload=bytes(payload), digest=model.digest)
    with pytest.raises(RouterModelRefused):
        route("路灯不亮")
    fresh = router_train()
    forget_loaded_model()
    assert route("路灯不亮").model_id == fresh.pk


@override_settings(YIWANG_ROUTER_RELOAD_SECONDS=0)
def test_each_process_loads_the_newest_active_model(units: dict[str, int]) -> None:
    first = router_train()
    forget_loaded_model()
    assert route("路灯不亮").model_id == first.pk
    copy = RouterModel.objects.create(
        kind="trained", examples=first.examples, payload=first.payload, digest=first.digest, active=True
    )
    RouterModel.objects.filter(pk=first.pk).update(active=False)
    assert route("路灯不亮").model_id == copy.pk


def test_only_the_newest_models_are_kept(units: dict[str, int]) -> None:
    trained = [router_train().pk for _round in range(6)]
    assert list(RouterModel.objects.order_by("id").values_list("id", "active")) == [
        (pk, pk == trained[-1]) for pk in trained[1:]
    ]


def test_evaluate_counts_unknown_units_apart(units: dict[str, int]) -> None:
    evaluation = router_evaluate(
        rows=[
            ("路灯不亮了", "城市管理局"),
            ("路灯不亮了", "市城管局"),  # the short name
            ("门口占道经营的小摊贩", "湖滨街道办事处"),  # any street office: the model says 属地
            ("小区停水了", "自来水厂"),
            ("停电了", "电业局"),
        ]
    )
    assert (evaluation.total, evaluation.evaluated, evaluation.top1, evaluation.top3) == (5, 3, 3, 3)
    assert evaluation.unknown_units == ("电业局", "自来水厂")
    assert evaluation.top1_accuracy == 1.0
    assert evaluation.as_json()["unknown_units"] == ["电业局", "自来水厂"]


def _csv(rows: list[tuple[str, str]], header: str = "内容,承办单位") -> str:
    return "\n".join([header, *(f'"{text}",{unit}' for text, unit in rows)]) + "\n"


def test_evaluate_router_reads_utf8_with_bom_and_gbk(units: dict[str, int], tmp_path: Path) -> None:
    rows = [("路灯不亮", "城市管理局"), ("小区停水了，麻烦处理", "供水公司"), ("停电了", "电业局")]
    bom = tmp_path / "bom.csv"
    bom.write_bytes(_csv(rows).encode("utf-8-sig"))
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(_csv(rows).encode("gbk"))
    for path in (bom, gbk):
        out = StringIO()
        call_command("cases", "evaluate-router", "--file", str(path), "--json", stdout=out)
        assert json.loads(out.getvalue()) == {
            "total": 3,
            "evaluated": 2,
            "top1": 2,
            "top3": 2,
            "top1_accuracy": 1.0,
            "top3_accuracy": 1.0,
            "unknown_units": ["电业局"],
        }
    out = StringIO()
    call_command("cases", "evaluate-router", "--file", str(gbk), stdout=out)
    assert out.getvalue().splitlines() == [
        "top-1 accuracy: 1.000 (2/2)",
        "top-3 accuracy: 1.000 (2/2)",
        "rows: 3, with a known unit: 2",
        "units not found (rows left out): 电业局",
    ]


def test_evaluate_router_finds_columns_by_name(units: dict[str, int]) -> None:
    data = "序号,承办单位,内容\n1,城市管理局,路灯不亮\n2,供水公司,\n3,供电公司,停电了\n".encode()
    assert read_evaluation_csv(data) == [("路灯不亮", "城市管理局"), ("停电了", "供电公司")]


def test_evaluate_router_names_what_is_wrong_with_the_file(units: dict[str, int], tmp_path: Path) -> None:
    missing = tmp_path / "missing-column.csv"
    missing.write_text("内容,单位\n路灯不亮,城市管理局\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("cases", "evaluate-router", "--file", str(missing))
    assert error.value.returncode == 2
    assert "承办单位" in str(error.value) and "内容、单位" in str(error.value)
    with pytest.raises(CommandError) as absent:
        call_command("cases", "evaluate-router", "--file", str(tmp_path / "nowhere.csv"))
    assert absent.value.returncode == 2 and "cannot read" in str(absent.value)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81\x00")
    with pytest.raises(CommandError) as undecodable:
        call_command("cases", "evaluate-router", "--file", str(binary))
    assert undecodable.value.returncode == 2 and "neither UTF-8 nor GBK" in str(undecodable.value)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="empty"):
        call_command("cases", "evaluate-router", "--file", str(empty))


def test_route_command_prints_the_top_three_as_json(units: dict[str, int]) -> None:
    out = StringIO()
    call_command("cases", "route", "门口占道经营，流动摊贩堵路", "--division", COMMUNITY, stdout=out)
    printed = json.loads(out.getvalue())
    assert list(printed) == ["units", "categories"]
    assert len(printed["units"]) == len(printed["categories"]) == 3
    assert printed["units"][0] == {
        "unit": "滨河街道办事处",
        "department_id": units["滨河街道办事处"],
        "confidence": printed["units"][0]["confidence"],
    }
    assert all(set(unit) >= {"unit", "department_id", "confidence"} for unit in printed["units"])
    assert 0 < printed["units"][0]["confidence"] <= 1
    assert printed["categories"][0]["code"] == "0104" and printed["categories"][0]["name"] == "占道经营"
    out = StringIO()
    call_command("cases", "route", "门口占道经营，流动摊贩堵路", stdout=out)
    assert json.loads(out.getvalue())["units"][0] == {
        "unit": "所在街道办事处",
        "department_id": None,
        "confidence": printed["units"][0]["confidence"],
        "locality": "street",
    }
    with pytest.raises(CommandError) as blank:
        call_command("cases", "route", " ")
    assert blank.value.returncode == 2


def test_train_router_command_prints_its_figures(units: dict[str, int]) -> None:
    case_history_import(rows=small_history(120, seed=3))
    out = StringIO()
    call_command("cases", "train-router", stdout=out)
    printed = json.loads(out.getvalue())
    model = RouterModel.objects.get(active=True)
    assert (printed["model"], printed["kind"], printed["examples"]) == (model.pk, "trained", model.examples)
    assert printed["metrics"]["history_examples"] == 120
    assert printed["metrics"]["held_out"]["cases"] == 24
    assert set(printed["metrics"]["held_out"]) == {
        "cases",
        "unit_top1",
        "unit_top3",
        "category_top1",
        "cold_start_unit_top1",
        "cold_start_unit_top3",
    }


def test_a_planted_model_with_a_plain_digest_is_refused(units: dict[str, int]) -> None:
    """Whoever can write the table but has no master key cannot make a payload load (unpickling runs code)."""
    model = router_train()
    planted = bytes(model.payload)  # any pickle: here the real one, stored with the digest anyone can compute
    RouterModel.objects.filter(pk=model.pk).update(digest=sm3_hex(planted))
    forget_loaded_model()
    with pytest.raises(RouterModelRefused):
        route("路灯不亮")
    assert model.digest == model_seal(planted) != sm3_hex(planted)
    with override_settings(YIWANG_MASTER_KEY="00" * 32):
        assert model_seal(planted) != model.digest  # the seal depends on the master key


def test_the_migration_reseals_models_stored_under_the_plain_digest(units: dict[str, int]) -> None:
    from django.apps import apps

    migration = importlib.import_module("yiwang.cases.migrations.0004_router_model_seal")
    model = router_train()
    payload = bytes(model.payload)
    RouterModel.objects.filter(pk=model.pk).update(digest=sm3_hex(payload))
    other = RouterModel.objects.create(kind="trained", payload=b"not a model", digest="0" * 64, active=False)
    migration.seal_models(apps, None)
    assert RouterModel.objects.get(pk=model.pk).digest == model_seal(payload)
    assert RouterModel.objects.get(pk=other.pk).digest == "0" * 64  # did not match before: still refused
    forget_loaded_model()
    assert route("路灯不亮").model_id == model.pk
