"""Case analytics (ADR 0022): exact 三率 on a small hand-made set, the minimum volume before ranking, hot topics,
the heat table's sums, the daily trend, who sees which units, and bad periods.

Cases are built with the ORM directly (not through the lifecycle services): these tests fix the arithmetic of the
definitions, whatever path a case took to reach its state."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from yiwang.cases.analytics import (
    Period,
    PeriodKind,
    Rate,
    analytics_scope,
    daily_trend,
    day_start,
    heat_for_scope,
    heat_table,
    hot_topics,
    hot_topics_for_scope,
    is_rising,
    period_resolve,
    received_cases,
    terms_of,
    trend_for_scope,
    units_for_scope,
    units_report,
    units_sorted,
)
from yiwang.cases.models import (
    AssignmentRole,
    AssignmentStatus,
    Case,
    CaseAssignment,
    CaseCategory,
    CaseFollowUp,
    CaseReturn,
    CaseStatus,
    CaseType,
    Channel,
    Decision,
    Satisfaction,
)
from yiwang.conftest import City
from yiwang.core.errors import PermissionDenied, ValidationFailed
from yiwang.identity.roles import Role
from yiwang.org.selectors import division_get

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)

WEEK = Period(PeriodKind.CUSTOM, datetime.date(2026, 3, 2), datetime.date(2026, 3, 9))  # Monday to Monday
NOW = day_start(datetime.date(2026, 3, 20)) + datetime.timedelta(hours=12)


def at(day: int, hour: int = 10, month: int = 3) -> datetime.datetime:
    """A time in March 2026 in the city (Asia/Shanghai)."""
    return day_start(datetime.date(2026, month, day)) + datetime.timedelta(hours=hour)


def division_id(code: str) -> int:
    info = division_get(code=code)
    assert info is not None
    return info.id


def make_case(
    *,
    received_at: datetime.datetime,
    lead: int | None = None,
    category: CaseCategory | None = None,
    division: str = "",
    channel: str = Channel.PHONE,
    case_type: str = CaseType.COMPLAINT,
    status: str = CaseStatus.IN_PROGRESS,
    due_at: datetime.datetime | None = None,
    concluded_at: datetime.datetime | None = None,
    title: str = "路灯不亮",
    content: str = "小区路灯坏了好几天，晚上很黑。",
) -> Case:
    number = next(_numbers)
    return Case.objects.create(
        number=f"{received_at:%Y%m%d}{number:06d}",
        case_type=case_type,
        channel=channel,
        category=category,
        title=title,
        content=content,
        status=status,
        division_id=division_id(division) if division else None,
        lead_department_id=lead,
        received_at=received_at,
        dispatched_at=received_at if lead else None,
        due_at=due_at,
        concluded_at=concluded_at,
    )


def assign(
    case: Case,
    department: int,
    *,
    sign_due_at: datetime.datetime | None,
    signed_at: datetime.datetime | None = None,
    role: str = AssignmentRole.LEAD,
    active: bool = True,
) -> CaseAssignment:
    return CaseAssignment.objects.create(
        case=case,
        department_id=department,
        role=role,
        status=AssignmentStatus.SIGNED if signed_at else AssignmentStatus.WAITING,
        dispatched_at=case.received_at,
        sign_due_at=sign_due_at,
        signed_at=signed_at,
        active=active,
    )


def follow_up(case: Case, department: int, *, resolved: bool, satisfaction: str, when: datetime.datetime) -> None:
    CaseFollowUp.objects.create(
        case=case, lead_department_id=department, resolved=resolved, satisfaction=satisfaction, at=when
    )


@dataclass(frozen=True)
class Sample:
    """Units A (公安局), B (清河区人民政府) and the police station under A, with the cases of WEEK."""

    a: int
    b: int
    station: int
    other: int  # 民政局: no case at all


@pytest.fixture
def sample(city: City, make_staff: Callable[..., Any]) -> Sample:
    a, b, station = city.public_security, city.district_government, city.police_station
    clerk = make_staff(a, (Role.HANDLER,))
    # 1. Signed in time, concluded in time; followed up twice: the reopened case's latest answer stands.
    one = make_case(received_at=at(2), lead=a, status=CaseStatus.CLOSED, due_at=at(10), concluded_at=at(6))
    assign(one, a, sign_due_at=at(3), signed_at=at(2, 15))
    follow_up(one, a, resolved=False, satisfaction=Satisfaction.UNSATISFIED, when=at(7))
    follow_up(one, a, resolved=True, satisfaction=Satisfaction.SATISFIED, when=at(9))
    assign(one, b, sign_due_at=at(3), role=AssignmentRole.CO)  # a co-unit's part is not a lead's: not counted
    # 2. Signed late, concluded late (overdue), followed up unresolved and not satisfied.
    two = make_case(received_at=at(3), lead=a, status=CaseStatus.CLOSED, due_at=at(10), concluded_at=at(12))
    assign(two, a, sign_due_at=at(4), signed_at=at(5))
    follow_up(two, a, resolved=False, satisfaction=Satisfaction.UNSATISFIED, when=at(13))
    # 3. Never signed, its sign limit passed: not responded; still open past its due time: overdue.
    three = make_case(received_at=at(4), lead=a, status=CaseStatus.DISPATCHED, due_at=at(18))
    assign(three, a, sign_due_at=at(5))
    # 4. Not signed yet, its sign limit still ahead (received on the week's last day): not counted yet.
    four = make_case(received_at=at(8, 23), lead=a, status=CaseStatus.DISPATCHED, due_at=at(30))
    assign(four, a, sign_due_at=at(21))
    # 5. A returned it (退单) within the sign limit, without signing: that is a response; the dispatcher reassigned
    #    it to B (改派), which signed in time and whose answer was basically satisfied and resolved.
    five = make_case(received_at=at(5), lead=b, status=CaseStatus.CLOSED, due_at=at(16), concluded_at=at(10))
    returned = assign(five, a, sign_due_at=at(6), active=False)
    CaseReturn.objects.create(
        case=five,
        assignment=returned,
        reason="不属于本单位职责",
        requested_by=clerk,
        requested_at=at(5, 16),
        decision=Decision.APPROVED,
    )
    assign(five, b, sign_due_at=at(7), signed_at=at(6, 9))
    follow_up(five, b, resolved=True, satisfaction=Satisfaction.BASICALLY, when=at(11))
    # 6. The police station (a sub-unit of A): signed in time, open, within its due time.
    six = make_case(received_at=at(6), lead=station, due_at=at(25))
    assign(six, station, sign_due_at=at(7), signed_at=at(6, 11))
    # Outside the week: received the day before it starts and the day it ends.
    for day in (1, 9):
        before = make_case(received_at=at(day), lead=a, status=CaseStatus.DISPATCHED, due_at=at(1))
        assign(before, a, sign_due_at=at(day))
    # A merged case past its due time is the main case's business, not an overdue case of its own.
    make_case(received_at=at(4), lead=a, status=CaseStatus.MERGED, due_at=at(5), concluded_at=at(7))
    return Sample(a=a, b=b, station=station, other=city.civil_affairs)


def test_the_three_rates_returns_and_overdue_cases_of_each_unit(sample: Sample) -> None:
    report = units_for_scope(scope=None, period=WEEK, now=NOW)
    units = {unit.department_id: unit for unit in report.units}
    assert set(units) == {sample.a, sample.b, sample.station}
    a = units[sample.a]
    assert a.name == "公安局"
    assert a.volume == 5
    assert a.awaiting_signature == 1
    assert a.response == Rate(2, 4)  # cases 1 (signed) and 5 (returned) in time; 2 late, 3 never; 4 not yet due
    assert a.resolution == Rate(1, 2)
    assert a.satisfaction == Rate(1, 2)
    assert (a.satisfied, a.basically_satisfied, a.unsatisfied) == (1, 0, 1)
    assert a.returns == Rate(1, 5)
    assert a.returns_approved == 1
    assert a.overdue == 2  # case 2 concluded late, case 3 open past its due time; not the merged one
    assert a.composite == 50.0
    b = units[sample.b]
    assert (b.volume, b.response, b.resolution, b.satisfaction) == (1, Rate(1, 1), Rate(1, 1), Rate(1, 1))
    assert (b.satisfied, b.basically_satisfied, b.unsatisfied) == (0, 1, 0)
    assert (b.returns, b.overdue, b.composite) == (Rate(0, 1), 0, 100.0)
    station = units[sample.station]
    # No follow-up yet: two rates unknown, so no composite score.
    assert (station.response, station.resolution, station.composite) == (Rate(1, 1), Rate(0, 0), None)
    total = report.total
    assert (total.volume, total.awaiting_signature, total.response) == (7, 1, Rate(4, 6))
    assert (total.resolution, total.satisfaction, total.returns, total.overdue) == (
        Rate(2, 3),
        Rate(2, 3),
        Rate(1, 7),
        2,
    )
    assert a.response.percent == 50.0
    assert Rate(2, 3).percent == 66.7
    assert Rate(0, 0).value is None


def test_the_id_range_of_a_period_is_used_alone_only_when_exact(city: City) -> None:
    unit = city.public_security
    for day in (1, 2, 5, 8, 9):  # received in id order
        case = make_case(received_at=at(day), lead=unit, status=CaseStatus.DISPATCHED, due_at=at(30))
        assign(case, unit, sign_due_at=at(day + 1), signed_at=at(day, 12))
    cases = received_cases(WEEK)
    assert cases is not None and cases.exact
    assert units_for_scope(scope=None, period=WEEK, now=NOW).total.response == Rate(3, 3)
    # A case entered late for a day outside the week gets an id inside the week's range: the range is not exact,
    # and the join on the received time keeps it out.
    late = make_case(received_at=at(1, 8), lead=unit, status=CaseStatus.DISPATCHED, due_at=at(30))
    assign(late, unit, sign_due_at=at(2))
    latest = make_case(received_at=at(3), lead=unit, status=CaseStatus.DISPATCHED, due_at=at(30))
    assign(latest, unit, sign_due_at=at(4))
    cases = received_cases(WEEK)
    assert cases is not None and not cases.exact
    total = units_for_scope(scope=None, period=WEEK, now=NOW).total
    assert (total.volume, total.response) == (4, Rate(3, 4))
    assert received_cases(Period(PeriodKind.CUSTOM, datetime.date(2025, 1, 1), datetime.date(2025, 1, 2))) is None


def test_units_below_the_minimum_volume_are_listed_unranked(sample: Sample, settings: Any) -> None:
    report = units_for_scope(scope=None, period=WEEK, now=NOW)
    assert report.minimum_volume == 30
    assert [(unit.name, unit.ranked, unit.rank) for unit in report.units] == [
        ("公安局", False, None),
        ("清河区人民政府", False, None),
        ("滨河派出所", False, None),
    ]  # nobody ranked, nobody dropped: by volume, then name
    settings.YIWANG_CASES_RANKING_MIN_VOLUME = 2
    report = units_for_scope(scope=None, period=WEEK, now=NOW)
    assert [(unit.name, unit.rank) for unit in report.units] == [
        ("公安局", 1),
        ("清河区人民政府", None),
        ("滨河派出所", None),
    ]
    settings.YIWANG_CASES_RANKING_MIN_VOLUME = 1
    report = units_for_scope(scope=None, period=WEEK, now=NOW)
    # The station has the volume but no composite (no follow-up): unranked, never dropped.
    assert [(unit.name, unit.rank) for unit in report.units] == [
        ("清河区人民政府", 1),
        ("公安局", 2),
        ("滨河派出所", None),
    ]


def test_equal_scores_share_a_rank(city: City, settings: Any) -> None:
    settings.YIWANG_CASES_RANKING_MIN_VOLUME = 1
    for unit in (city.public_security, city.civil_affairs, city.district_government):
        case = make_case(received_at=at(3), lead=unit, status=CaseStatus.CLOSED, due_at=at(10), concluded_at=at(5))
        assign(case, unit, sign_due_at=at(4), signed_at=at(3, 12))
        satisfied = unit != city.district_government
        satisfaction = Satisfaction.SATISFIED if satisfied else Satisfaction.UNSATISFIED
        follow_up(case, unit, resolved=True, satisfaction=satisfaction, when=at(6))
    report = units_for_scope(scope=None, period=WEEK, now=NOW)
    assert [(unit.name, unit.composite, unit.rank) for unit in report.units] == [
        ("公安局", 100.0, 1),
        ("民政局", 100.0, 1),
        ("清河区人民政府", 66.7, 3),
    ]


def test_sorting_the_units(sample: Sample, settings: Any) -> None:
    settings.YIWANG_CASES_RANKING_MIN_VOLUME = 1
    units = units_for_scope(scope=None, period=WEEK, now=NOW).units
    names = lambda ordered: [unit.name for unit in ordered]  # noqa: E731
    police, district, station = "公安局", "清河区人民政府", "滨河派出所"
    assert names(units_sorted(units, key="volume", descending=True)) == [police, district, station]
    # Units without a value for the column come last in either direction.
    assert names(units_sorted(units, key="satisfaction", descending=False)) == [police, district, station]
    assert names(units_sorted(units, key="satisfaction", descending=True)) == [district, police, station]
    assert names(units_sorted(units, key="overdue", descending=True))[0] == "公安局"
    assert names(units_sorted(units, key="rank", descending=False)) == ["清河区人民政府", "公安局", "滨河派出所"]
    assert names(units_sorted(units, key="nonsense", descending=False)) == ["清河区人民政府", "公安局", "滨河派出所"]


def test_each_role_sees_the_units_in_its_scope(sample: Sample, make_staff: Callable[..., Any], city: City) -> None:
    def seen(user: Any) -> set[int | None]:
        return {unit.department_id for unit in units_report(actor=user, period=WEEK, now=NOW).units}

    handler = make_staff(sample.a, (Role.HANDLER,))
    assert seen(handler) == {sample.a, sample.station}  # its unit and the unit's sub-units
    assert seen(make_staff(sample.b, (Role.HANDLER,))) == {sample.b}
    assert seen(make_staff(sample.other, (Role.HANDLER,))) == set()
    district_supervisor = make_staff(city.district_government, (Role.SUPERVISOR,))
    assert seen(district_supervisor) == {sample.b, sample.station}  # units located in 清河区
    assert seen(make_staff(sample.a, (Role.LEADER,))) == {sample.a, sample.b, sample.station}  # the whole city
    hotline = city.big_data_bureau
    for role in (Role.DISPATCHER, Role.OPERATOR, Role.PLATFORM_ADMIN):
        assert seen(make_staff(hotline, (role,))) == {sample.a, sample.b, sample.station}
    for role in (Role.CLERK, Role.GRID_WORKER, Role.APPROVER):
        with pytest.raises(PermissionDenied):
            analytics_scope(make_staff(sample.a, (role,)))
    assert analytics_scope(handler) == frozenset({sample.a, sample.station})


def test_a_scoped_report_counts_only_what_its_units_did(sample: Sample, make_staff: Callable[..., Any]) -> None:
    report = units_report(actor=make_staff(sample.b, (Role.HANDLER,)), period=WEEK, now=NOW)
    assert report.total.volume == 1
    assert report.total.returns == Rate(0, 1)  # A's return of case 5 is A's, not B's


def test_citizens_and_anonymous_users_read_no_analytics(accounts: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    for user in (accounts.citizen, accounts.agent, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            units_report(actor=user, period=WEEK)
        with pytest.raises(PermissionDenied):
            hot_topics(actor=user, end="2026-03-16")
        with pytest.raises(PermissionDenied):
            heat_table(actor=user, period=WEEK)
        with pytest.raises(PermissionDenied):
            daily_trend(actor=user, period=WEEK)


# --- hot topics -----------------------------------------------------------------------------------------------


@pytest.fixture
def taxonomy(db: Any) -> dict[str, CaseCategory]:
    heading = CaseCategory.objects.create(code="01", name="城乡建设")
    ecology = CaseCategory.objects.create(code="02", name="生态环境")
    return {
        "01": heading,
        "02": ecology,
        "03": CaseCategory.objects.create(code="03", name="交通运输"),
        "0101": CaseCategory.objects.create(code="0101", name="路灯照明", parent=heading),
        "0102": CaseCategory.objects.create(code="0102", name="电动车充电", parent=heading),
        "0103": CaseCategory.objects.create(code="0103", name="物业管理", parent=heading),
        "0104": CaseCategory.objects.create(code="0104", name="道路设施", parent=heading),
        "0201": CaseCategory.objects.create(code="0201", name="噪声扰民", parent=ecology),
    }


def _cases(count: int, *, day: int, category: CaseCategory, lead: int, title: str, content: str) -> None:
    for _index in range(count):
        make_case(received_at=at(day), lead=lead, category=category, title=title, content=content)


@pytest.fixture
def topics(city: City, taxonomy: dict[str, CaseCategory]) -> None:
    """Last week (2–8 March) against this week (9–15 March), seen on 16 March."""
    unit = city.public_security
    charging = "小区没有充电桩，电动车只能在楼道充电，存在火灾隐患。"
    _cases(2, day=3, category=taxonomy["0102"], lead=unit, title="电动车充电难", content=charging)
    _cases(12, day=10, category=taxonomy["0102"], lead=unit, title="电动车充电难", content=charging)
    lamp = "路灯坏了，晚上很黑。"
    _cases(10, day=4, category=taxonomy["0101"], lead=unit, title="路灯不亮", content=lamp)
    _cases(12, day=11, category=taxonomy["0101"], lead=unit, title="路灯不亮", content=lamp)  # +20 %: not rising
    noise = "夜间施工噪音"
    _cases(4, day=12, category=taxonomy["0201"], lead=city.district_government, title="工地噪音", content=noise)
    _cases(4, day=5, category=taxonomy["0103"], lead=unit, title="物业不作为", content="物业费上涨")  # gone
    _cases(1, day=15, category=taxonomy["0103"], lead=unit, title="物业", content="物业")
    make_case(received_at=at(16), lead=unit, category=taxonomy["0101"])  # the 16th itself: not in either week
    make_case(received_at=at(1, 23), lead=unit, category=taxonomy["0101"])  # before last week


def test_categories_rising_week_over_week(topics: None, city: City) -> None:
    hot = hot_topics_for_scope(scope=None, end=datetime.date(2026, 3, 16))
    assert (hot.this_week.start, hot.this_week.end) == (datetime.date(2026, 3, 9), datetime.date(2026, 3, 16))
    assert (hot.last_week.start, hot.last_week.end) == (datetime.date(2026, 3, 2), datetime.date(2026, 3, 9))
    assert (hot.cases_this_week, hot.cases_last_week, hot.minimum_count) == (29, 16, 10)
    assert [(t.key, t.name, t.this_week, t.last_week, t.growth_percent, t.rising) for t in hot.categories] == [
        ("0102", "电动车充电", 12, 2, 500.0, True),
        ("0201", "噪声扰民", 4, 0, None, False),  # new, but below the minimum count: noise
        ("0101", "路灯照明", 12, 10, 20.0, False),
        ("0103", "物业管理", 1, 4, -75.0, False),
    ]
    assert hot.sample_step == 1
    rising_terms = {trend.key: (trend.this_week, trend.last_week) for trend in hot.terms}
    assert rising_terms["充电"] == (12, 2)
    assert rising_terms["火灾"] == (12, 2)
    assert rising_terms["电动车"] == (12, 2)
    assert "路灯" not in rising_terms  # 12 against 10
    assert "物业" not in rising_terms
    assert all(trend.rising for trend in hot.terms)
    scoped = hot_topics_for_scope(scope=frozenset({city.district_government}), end=datetime.date(2026, 3, 16))
    assert [(t.key, t.this_week) for t in scoped.categories] == [("0201", 4)]


def test_the_minimum_count_is_a_setting(topics: None, settings: Any) -> None:
    settings.YIWANG_CASES_HOT_MIN_COUNT = 3
    hot = hot_topics_for_scope(scope=None, end=datetime.date(2026, 3, 16))
    assert [trend.key for trend in hot.categories if trend.rising] == ["0102", "0201"]  # 4 new: (4 - 0) / 2 = 2


def test_a_change_within_chance_is_not_rising() -> None:
    assert is_rising(12, 2, 10)  # (12 - 2) / sqrt(14) = 2.7
    assert is_rising(4, 0, 3)
    assert not is_rising(3, 0, 3)  # 3 / sqrt(3) = 1.7
    assert not is_rising(24, 15, 10)  # 60 % more, but (24 - 15) / sqrt(39) = 1.4
    assert is_rising(240, 150, 10)  # the same growth over ten times the cases
    assert not is_rising(240, 150, 10, step=10)  # ... unless only one case in ten was read
    assert not is_rising(14, 10, 10)  # 40 %: not enough growth


def test_terms_over_a_large_week_are_a_scaled_sample(
    topics: None, city: City, taxonomy: dict[str, CaseCategory], settings: Any
) -> None:
    # 30 cases of a new word this week, with consecutive ids: one in six read is exactly 5 of them, whatever the ids.
    _cases(30, day=13, category=taxonomy["0104"], lead=city.public_security, title="井盖丢失", content="路口井盖丢了")
    settings.YIWANG_CASES_TERMS_SAMPLE = 10
    hot = hot_topics_for_scope(scope=None, end=datetime.date(2026, 3, 16))
    assert hot.sample_step == 6  # 59 cases this week, at most 10 read per week: one in six, by id
    terms = {trend.key: (trend.this_week, trend.last_week) for trend in hot.terms}
    assert terms["井盖"] == (30, 0)  # 5 read, estimated 30; 5 / sqrt(5) = 2.2: rising
    assert all(trend.this_week % 6 == 0 and trend.last_week % 6 == 0 for trend in hot.terms)
    assert hot.categories[0].this_week == 30  # categories are always counted in full


def test_terms_drop_stopwords_single_characters_and_numbers() -> None:
    terms = terms_of("市民来电反映：小区2号楼的路灯坏了，希望尽快处理，谢谢！12345")
    assert "路灯" in terms
    assert "小区" in terms
    assert not {"市民", "来电", "反映", "希望", "尽快", "处理", "谢谢", "12345", "的", "了"} & terms
    assert all(len(term) >= 2 for term in terms)


def test_hot_topics_refuse_a_bad_day(accounts: Any) -> None:
    with pytest.raises(ValidationFailed) as error:
        hot_topics(actor=accounts.admin, end="16/03/2026")
    assert error.value.field == "end"
    with pytest.raises(ValidationFailed):
        hot_topics(actor=accounts.admin, end="0001-01-03")


# --- heat table and trend -----------------------------------------------------------------------------------


def test_heat_table_by_district_street_and_heading(city: City, taxonomy: dict[str, CaseCategory]) -> None:
    lead = city.public_security
    for category, division in (
        ("0101", "419802001001"),  # community of 滨河街道, 清河区
        ("0102", "419802001001"),
        ("0201", "419802001001"),
        ("0103", "419802001"),  # the street itself
        ("0201", "419802"),  # the district only
        ("0101", "419803"),  # 东湖区, which has no street here
        ("0101", "419803"),
        ("0101", "419800"),  # the city as a whole
    ):
        make_case(received_at=at(3), lead=lead, category=taxonomy[category], division=division)
    make_case(received_at=at(3), lead=lead)  # neither category nor place yet
    make_case(received_at=at(12), lead=lead, category=taxonomy["0101"], division="419803")  # another week
    heat = heat_for_scope(scope=None, period=WEEK)
    assert [(column.code, column.name) for column in heat.columns] == [
        ("01", "城乡建设"),
        ("02", "生态环境"),
        ("03", "交通运输"),
        ("", ""),
    ]
    assert [(row.kind, row.code, row.name, [cell.count for cell in row.cells], row.total) for row in heat.rows] == [
        ("district", "419802", "清河区", [3, 2, 0, 0], 5),
        ("street", "419802001", "滨河街道", [3, 1, 0, 0], 4),
        ("district", "419803", "东湖区", [2, 0, 0, 0], 2),
        ("city_wide", "", "", [1, 0, 0, 0], 1),
        ("unlocated", "", "", [0, 0, 0, 1], 1),
    ]
    assert heat.column_totals == [6, 2, 0, 1]
    assert heat.total == 9 == sum(row.total for row in heat.rows if row.kind != "street")
    # Shading by quartile among the top rows' non-zero cells (1, 1, 2, 2, 3); zero stays 0.
    assert heat.quartiles["district"] == (1.0, 2.0, 2.0)
    assert [[cell.level for cell in row.cells] for row in heat.rows if row.kind != "street"] == [
        [4, 2, 0, 0],
        [2, 0, 0, 0],
        [1, 0, 0, 0],
        [0, 0, 0, 1],
    ]
    scoped = heat_for_scope(scope=frozenset({city.civil_affairs}), period=WEEK)
    assert (scoped.rows, scoped.total) == ([], 0)


def test_heat_table_without_any_uncategorised_case_has_no_such_column(
    city: City, taxonomy: dict[str, CaseCategory]
) -> None:
    make_case(received_at=at(3), lead=city.public_security, category=taxonomy["0101"], division="419802001001")
    heat = heat_for_scope(scope=None, period=WEEK)
    assert [column.code for column in heat.columns] == ["01", "02", "03"]
    assert [(row.name, row.total) for row in heat.rows] == [("清河区", 1), ("滨河街道", 1)]


def test_daily_trend_by_channel_and_type(city: City) -> None:
    lead = city.public_security
    make_case(received_at=at(2, 0), lead=lead, channel=Channel.PHONE, case_type=CaseType.HELP)  # 00:00 local
    make_case(received_at=at(2, 23), lead=lead, channel=Channel.PORTAL, case_type=CaseType.HELP)
    make_case(received_at=at(4, 9), lead=lead, channel=Channel.GRID, case_type=CaseType.REPORT)
    make_case(received_at=at(8, 23), lead=city.civil_affairs, channel=Channel.PHONE, case_type=CaseType.COMPLAINT)
    make_case(received_at=at(9, 0), lead=lead)  # the day after the week
    trend = trend_for_scope(scope=None, period=WEEK)
    assert trend.days == [datetime.date(2026, 3, day) for day in range(2, 9)]
    assert trend.totals == [2, 0, 1, 0, 0, 0, 1]
    channels = {series.key: series.counts for series in trend.by_channel}
    assert list(channels) == ["phone", "portal", "api", "open311", "grid"]
    assert channels["phone"] == [1, 0, 0, 0, 0, 0, 1]
    assert channels["portal"] == [1, 0, 0, 0, 0, 0, 0]
    assert channels["grid"] == [0, 0, 1, 0, 0, 0, 0]
    types = {series.key: series.total for series in trend.by_type}
    assert types == {"consultation": 0, "help": 2, "complaint": 1, "report": 1, "suggestion": 0, "praise": 0}
    scoped = trend_for_scope(scope=frozenset({city.civil_affairs}), period=WEEK)
    assert scoped.totals == [0, 0, 0, 0, 0, 0, 1]


# --- periods ------------------------------------------------------------------------------------------------


def test_named_periods() -> None:
    wednesday = datetime.date(2026, 12, 16)
    cases = {
        PeriodKind.THIS_WEEK: (datetime.date(2026, 12, 14), datetime.date(2026, 12, 21)),
        PeriodKind.LAST_WEEK: (datetime.date(2026, 12, 7), datetime.date(2026, 12, 14)),
        PeriodKind.THIS_MONTH: (datetime.date(2026, 12, 1), datetime.date(2027, 1, 1)),
        PeriodKind.LAST_MONTH: (datetime.date(2026, 11, 1), datetime.date(2026, 12, 1)),
    }
    for kind, (start, end) in cases.items():
        period = period_resolve(kind=kind, today=wednesday)
        assert (period.kind, period.start, period.end) == (kind, start, end)
    january = period_resolve(kind=PeriodKind.LAST_MONTH, today=datetime.date(2027, 1, 1))
    assert (january.start, january.end, january.days) == (datetime.date(2026, 12, 1), datetime.date(2027, 1, 1), 31)
    start, end = WEEK.bounds()
    assert start.isoformat() == "2026-03-02T00:00:00+08:00"
    assert end.isoformat() == "2026-03-09T00:00:00+08:00"


def test_custom_periods_and_their_errors(settings: Any) -> None:
    period = period_resolve(kind="custom", start="2026-03-02", end="2026-03-09")
    assert (period.start, period.end, period.days, period.last_day) == (
        datetime.date(2026, 3, 2),
        datetime.date(2026, 3, 9),
        7,
        datetime.date(2026, 3, 8),
    )
    iso = "Write the date as YYYY-MM-DD, for example 2026-03-01."
    bad: list[tuple[dict[str, Any], str, str]] = [
        ({"kind": "fortnight"}, "period", "Choose one of the periods offered."),
        ({"start": "", "end": "2026-03-09"}, "start", "Give the first day of the period."),
        ({"start": "2026-03-02"}, "end", "Give the last day of the period."),
        ({"start": "2026-13-01", "end": "2026-03-09"}, "start", iso),
        ({"start": "2026-03-02", "end": "next week"}, "end", iso),
        ({"start": "2026-03-09", "end": "2026-03-09"}, "end", "The period must end after it starts."),
        ({"start": "2026-03-09", "end": "2026-03-02"}, "end", "The period must end after it starts."),
        ({"start": "1999-12-31", "end": "2026-03-02"}, "start", "The period cannot start before 2000-01-01."),
        (
            {"start": "2025-01-01", "end": "2026-03-02"},
            "end",
            "A period covers at most 366 days: choose a shorter one.",
        ),
        ({"start": "2999-12-01", "end": "3000-01-01"}, "end", "The period cannot end after 2999-12-31."),
    ]
    for arguments, field, message in bad:
        with pytest.raises(ValidationFailed) as error:
            period_resolve(**{"kind": "custom", **arguments})
        assert (error.value.field, str(error.value)) == (field, message), arguments
    settings.YIWANG_CASES_ANALYTICS_MAX_DAYS = 31
    with pytest.raises(ValidationFailed, match="at most 31 days"):
        period_resolve(kind="custom", start="2026-01-01", end="2026-03-01")
