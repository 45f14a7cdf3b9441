from yiwang.core.identifiers import validate_credit_code
from yiwang.demo.city import CITY_CODE, city_plan, organisation_code
from yiwang.identity.roles import Role

REQUIRED_UNITS = [
    "市政府办公室",
    "发展和改革委员会",
    "教育局",
    "科学技术局",
    "工业和信息化局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "生态环境局",
    "住房和城乡建设局",
    "城市管理局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "政务服务和大数据管理局",
    "信访局",
    "税务局",
    "12345热线中心",
    "供水公司",
    "供电公司",
    "燃气公司",
    "热力公司",
]


def test_the_city_has_every_required_unit_in_the_city_division():
    plan = city_plan()
    city_units = [department.name for department in plan.departments if department.division_code == CITY_CODE]
    assert city_units == REQUIRED_UNITS


def test_unit_kinds():
    kinds = {department.name: department.kind for department in city_plan().departments}
    assert kinds["12345热线中心"] == "public_institution"
    assert [kinds[name] for name in ("供水公司", "供电公司", "燃气公司", "热力公司")] == ["utility"] * 4
    assert kinds["税务局"] == "government_department"
    assert kinds["清河区人民政府"] == "district_government"
    assert kinds["滨河街道办事处"] == "street_office"


def test_four_districts_twenty_streets_a_hundred_communities_under_their_parents():
    plan = city_plan()
    by_level: dict[str, list[str]] = {}
    parents = {}
    for row in plan.divisions:
        by_level.setdefault(row.level, []).append(row.code)
        parents[row.code] = row.parent_code
    assert {level: len(codes) for level, codes in by_level.items()} == {
        "province": 1,
        "city": 1,
        "county": 4,
        "township": 20,
        "village": 100,
    }
    assert by_level["county"] == ["419802", "419803", "419804", "419805"]
    for code in by_level["township"]:
        assert len(code) == 9
        assert parents[code] == code[:6]
    for code in by_level["village"]:
        assert len(code) == 12
        assert parents[code] == code[:9]
    names = {row.code: row.name for row in plan.divisions}
    assert (names["419802"], names["419803"]) == ("清河区", "东湖区")
    assert (names["419802001"], names["419802001001"]) == ("滨河街道", "柳园社区")


def test_one_district_government_per_district_and_one_office_per_street():
    plan = city_plan()
    governments = {d.division_code: d.name for d in plan.departments if d.kind == "district_government"}
    assert governments == {
        "419802": "清河区人民政府",
        "419803": "东湖区人民政府",
        "419804": "西山区人民政府",
        "419805": "南城区人民政府",
    }
    offices = [d for d in plan.departments if d.kind == "street_office"]
    streets = [row for row in plan.divisions if row.level == "township"]
    assert [office.division_code for office in offices] == [street.code for street in streets]
    assert [office.name for office in offices] == [f"{street.name}办事处" for street in streets]
    assert {office.parent for office in offices} == set(governments.values())
    assert all(office.parent == governments[office.division_code[:6]] for office in offices)


def test_credit_codes_are_valid_unique_and_typed_by_kind():
    plan = city_plan()
    codes = [department.credit_code for department in plan.departments] + [plan.enterprise.credit_code]
    assert len(set(codes)) == len(codes)
    for department in plan.departments:
        assert validate_credit_code(department.credit_code, strict=True) == department.credit_code
        expected = {"public_institution": "12", "utility": "91"}.get(department.kind, "11")
        assert department.credit_code[:2] == expected
        assert department.credit_code[2:8] == department.division_code[:6]
    assert plan.enterprise.credit_code[:8] == "91419803"


def test_organisation_codes_carry_the_gb_11714_check_character():
    # The organisation codes inside two published credit codes: 91110000600037341L and 91350100M000100Y43.
    assert organisation_code("60003734") == "600037341"
    assert organisation_code("M000100Y") == "M000100Y4"


def test_credit_codes_follow_the_seed_and_nothing_else_does():
    first, again, other = city_plan(seed=1), city_plan(seed=1), city_plan(seed=2)
    assert first == again
    assert [d.credit_code for d in first.departments] != [d.credit_code for d in other.departments]
    assert first.divisions == other.divisions
    assert first.staff == other.staff


def test_every_role_has_a_staff_account_in_a_sensible_place():
    plan = city_plan()
    roles = {role for member in plan.staff for role in member.roles}
    assert roles == set(Role.values)
    placed = {member.username: member.department for member in plan.staff}
    assert placed["admin"] == "政务服务和大数据管理局"
    assert placed["supervisor"] == "政务服务和大数据管理局"
    assert placed["leader"] == "市政府办公室"
    assert placed["dispatcher"] == placed["operator"] == "12345热线中心"
    assert placed["clerk.market"] == "市场监督管理局"
    assert placed["clerk.police"] == "公安局"
    assert placed["grid.qinghe1"] == "滨河街道办事处"
    assert placed["handler.qinghe"] == "清河区人民政府"
    departments = {department.name for department in plan.departments}
    assert set(placed.values()) <= departments
    assert len(placed) == len(plan.staff) == 83
