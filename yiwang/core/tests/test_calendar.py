import datetime

import chinese_calendar
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from yiwang.core.audit.selectors import audit_events_for_object
from yiwang.core.calendar.models import CalendarOverride, CalendarYear
from yiwang.core.calendar.selectors import (
    WorkingDate,
    calendar_add_working_days,
    calendar_count_working_days,
    calendar_day_status,
)
from yiwang.core.calendar.services import calendar_import, calendar_override_set, parse_override_rows
from yiwang.core.calendar.statutory import rule_days, statutory_holidays
from yiwang.core.errors import ValidationFailed

D = datetime.date


def test_national_day_2026_with_its_make_up_saturday(db):
    # Reference: find_workday(20, 2026-09-28) → 2026-10-30; the 7-day holiday and the Saturday 10-10 workday.
    result = calendar_add_working_days(D(2026, 9, 28), 20)
    assert result.date == D(2026, 10, 30)
    assert not result.provisional


def test_make_up_workdays_and_holidays(db):
    assert calendar_day_status(D(2026, 2, 14)).workday  # Saturday make-up workday before 春节
    assert not calendar_day_status(D(2026, 2, 16)).workday  # Monday in 春节
    status = calendar_day_status(D(2026, 10, 1))
    assert (status.workday, status.name, status.source) == (False, "国庆节", "official")


def test_the_start_day_is_not_counted(db):
    # Friday 2026-11-20 + 1 working day is Monday 2026-11-23.
    assert calendar_add_working_days(D(2026, 11, 20), 1).date == D(2026, 11, 23)
    assert calendar_add_working_days(D(2026, 11, 23), 0).date == D(2026, 11, 23)
    assert calendar_add_working_days(D(2026, 11, 22), 0).date == D(2026, 11, 23)


def test_going_backwards(db):
    assert calendar_add_working_days(D(2026, 10, 8), -1).date == D(2026, 9, 30)


def test_counting_between_dates(db):
    counted = calendar_count_working_days(D(2026, 9, 28), D(2026, 10, 30))
    assert (counted.days, counted.provisional) == (20, False)
    assert calendar_count_working_days(D(2026, 10, 30), D(2026, 9, 28)).days == -20
    assert calendar_count_working_days(D(2026, 10, 1), D(2026, 10, 1)).days == 0


class TestAgreesWithThePackage(HypothesisTestCase):
    @settings(max_examples=150, deadline=None)
    @given(st.dates(D(2010, 1, 1), D(2026, 10, 31)), st.integers(1, 40))
    def test_add_matches_find_workday(self, start, days):
        # find_workday(0, d) is the first workday on or after d; ours counts the days *after* the start,
        # so the N-th working day after `start` is find_workday(N - 1, start + 1 day).
        expected = chinese_calendar.find_workday(days - 1, start + datetime.timedelta(days=1))
        assert calendar_add_working_days(start, days).date == expected

    @settings(max_examples=100, deadline=None)
    @given(st.dates(D(2015, 1, 1), D(2026, 6, 30)), st.integers(-30, 30))
    def test_count_inverts_add(self, start, days):
        end = calendar_add_working_days(start, days).date
        if days != 0:
            assert calendar_count_working_days(start, end).days == days


def test_a_year_without_data_falls_back_to_the_statutory_holidays_and_weekends_and_says_so(db):
    result = calendar_add_working_days(D(2026, 12, 30), 3)
    # 12-31 (Thu, official 2026 data); 2027-01-01 (Fri) is 元旦 by law, 01-02/03 a weekend; then 01-04 and 01-05.
    assert result.date == D(2027, 1, 5)
    assert result.provisional
    status = calendar_day_status(D(2027, 1, 1))
    assert (status.workday, status.provisional, status.source, status.name) == (False, True, "statutory-rule", "元旦")
    monday = calendar_day_status(D(2027, 1, 4))
    assert (monday.workday, monday.provisional, monday.source) == (True, True, "weekend-rule")
    # The Spring Festival of 2027: 除夕 (Fri 02-05) to 初三 (Mon 02-08) by law, the weekend between them too.
    assert [calendar_day_status(D(2027, 2, day)).workday for day in range(4, 11)] == [
        True,  # 02-04 Thu
        False,  # 02-05 除夕
        False,  # 02-06 初一 (Sat)
        False,  # 02-07 初二 (Sun)
        False,  # 02-08 初三
        True,  # 02-09 Tue: the notice may well add bridging days, which is why it stays provisional
        True,
    ]
    assert calendar_day_status(D(2027, 2, 8)).name == "春节"
    assert calendar_add_working_days(D(2027, 2, 4), 1) == WorkingDate(D(2027, 2, 9), True)


@pytest.mark.parametrize("year", range(2008, 2027))
def test_the_statutory_rule_agrees_with_every_official_schedule(year):
    """Every day the law names is a holiday in the State Council's schedule of that year (from the package). Before
    2025 the Measures named neither 除夕 nor 2 May; the package covers those years, so the rule is only a check."""
    days = rule_days(year)
    assert len(days) == 13 - ("中秋节、国庆节" in days.values())  # some years 中秋 falls on 1–3 October (2009, 2020)
    for day, name in days.items():
        new_in_2025 = day == min(d for d, n in days.items() if n == "春节") or (day.month, day.day) == (5, 2)
        if year < 2025 and new_in_2025:
            continue
        assert chinese_calendar.is_holiday(day), (day, name)
        assert not chinese_calendar.is_workday(day), (day, name)


def test_the_rule_is_applied_only_where_the_revised_law_governs_and_lunar_dates_are_known():
    assert statutory_holidays(2024) == {} and statutory_holidays(2100) == {}
    assert set(statutory_holidays(2027).values()) == {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"}
    assert statutory_holidays(2028)[D(2028, 10, 3)] == "中秋节、国庆节"  # the same day: one holiday, both names
    assert D(2028, 1, 25) in statutory_holidays(2028)  # 除夕 of an early Spring Festival, still in January


def test_loading_a_years_schedule_makes_it_official(db):
    rows = parse_override_rows("date,kind,name\n2027-01-01,休,元旦\n2027-01-02,休,元旦\n2027-01-03,休,元旦\n")
    calendar_import(actor=None, rows=rows, official_year=2027, notice="国办发明电〔2026〕X号")
    result = calendar_add_working_days(D(2026, 12, 30), 3)
    assert result.date == D(2027, 1, 5)
    assert not result.provisional
    assert calendar_day_status(D(2027, 1, 4)).source == "staff-official-year"
    assert audit_events_for_object(object_type="core.calendaryear", object_id=2027).exists()


def test_an_override_corrects_a_covered_year(db):
    calendar_override_set(actor=None, date=D(2026, 11, 24), kind="holiday", name="临时调整")
    assert calendar_add_working_days(D(2026, 11, 23), 1).date == D(2026, 11, 25)
    assert calendar_day_status(D(2026, 11, 24)).source == "override"
    assert audit_events_for_object(object_type="core.calendaroverride", object_id="2026-11-24").count() == 1


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("2027-01-01,休\n2027-13-01,休\n", "Line 2, column 1"),
        ("2027-01-01,maybe\n", "Line 1, column 2"),
        ("2027-01-01\n", "Line 1"),
        ("2027-01-01,休\n2027-01-01,班\n", "Line 2"),
    ],
)
def test_bad_import_files_name_the_line(db, text, where):
    with pytest.raises(ValidationFailed) as raised:
        parse_override_rows(text)
    assert where in str(raised.value)


def test_an_official_year_rejects_dates_of_another_year_and_writes_nothing(db):
    rows = parse_override_rows("2027-01-01,休\n2028-01-01,休\n")
    with pytest.raises(ValidationFailed, match="2028-01-01"):
        calendar_import(actor=None, rows=rows, official_year=2027)
    assert not CalendarOverride.objects.exists()
    assert not CalendarYear.objects.exists()


def test_too_many_days_are_refused(db):
    with pytest.raises(ValueError, match="at most"):
        calendar_add_working_days(D(2026, 1, 1), 100000)


def test_command_prints_the_date_and_provisional(db, capsys):
    call_command("calendar", "add", "2026-09-28", "20")
    assert capsys.readouterr().out.strip() == "2026-10-30"
    call_command("calendar", "add", "2026-12-30", "3")
    assert capsys.readouterr().out.strip() == "2027-01-05 provisional"  # 2027-01-01 is 元旦 by law


def test_command_imports_a_file(db, tmp_path, capsys):
    path = tmp_path / "2027.csv"
    path.write_text("日期,类型,名称\n2027-01-01,休,元旦\n2027-02-06,班,春节\n", encoding="utf-8")
    call_command("calendar", "import", str(path), "--year", "2027", "--notice", "test notice")
    assert "loaded 2 dates" in capsys.readouterr().out
    call_command("calendar", "add", "2027-02-05", "1")
    assert capsys.readouterr().out.strip() == "2027-02-06"


def test_command_reports_bad_input(db, tmp_path):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("calendar", "add", "2026-02-30", "1")
    path = tmp_path / "bad.csv"
    path.write_text("2027-01-01,休\nnot-a-date,休\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Line 2"):
        call_command("calendar", "import", str(path))
    assert not CalendarOverride.objects.exists()
