"""The statutory public holidays, as the law fixes them, for a year whose official schedule is not published yet.

《全国年节及纪念日放假办法》 (as revised by State Council Decree No. 795, in force since 2025-01-01), art. 2: every
citizen has 元旦 1 day (1 January), 春节 4 days (农历除夕 and 正月初一 to 初三), 清明节 1 day (the day of the 清明 solar
term), 劳动节 2 days (1 and 2 May), 端午节 1 day (农历五月初五), 中秋节 1 day (农历八月十五) and 国庆节 3 days (1 to 3
October). Each year's notice then adds the bridging days and the weekend days worked in lieu (调休); those cannot be
known in advance, so a date computed over an unpublished year stays provisional. But the statutory days are certain,
and a clock that counts them as workdays is wrong for every case open over New Year or the Spring Festival.

Lunar dates come from `lunardate` (1900–2099); the solar term from chinesecalendar's own tables.
"""

from __future__ import annotations

import datetime
from functools import cache

import chinese_calendar
from lunardate import LunarDate

# The first year of the revised Measures (除夕 and 2 May added); before it other rules applied, and the package
# covers those years with the official schedules anyway.
FIRST_YEAR = 2025
LAST_YEAR = 2099  # the last year lunardate converts


@cache
def statutory_holidays(year: int) -> dict[datetime.date, str]:
    """The statutory holidays of `year` (date → name); empty outside the years the revised Measures govern."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return {}
    return rule_days(year)


def rule_days(year: int) -> dict[datetime.date, str]:
    """The days art. 2 of the revised Measures names for `year` (1900–2099), whatever rule was in force then.

    When two fall on the same day (中秋 on 1–3 October, as in 2020 and 2028) the day is one holiday with both names.
    """
    day = datetime.date
    spring = LunarDate(year, 1, 1).toSolarDate()
    named: list[tuple[datetime.date, str]] = [
        (day(year, 1, 1), "元旦"),
        *((spring + datetime.timedelta(days=offset), "春节") for offset in range(-1, 3)),
        *((term_day, "清明节") for term_day, term in _april_terms(year) if term == "清明"),
        (day(year, 5, 1), "劳动节"),
        (day(year, 5, 2), "劳动节"),
        (LunarDate(year, 5, 5).toSolarDate(), "端午节"),
        (LunarDate(year, 8, 15).toSolarDate(), "中秋节"),
        *((day(year, 10, offset), "国庆节") for offset in (1, 2, 3)),
    ]
    # 除夕 of an early Spring Festival (e.g. 2028-01-25) is still in January: every day stays in `year`.
    days: dict[datetime.date, str] = {}
    for found, name in named:
        days[found] = f"{days[found]}、{name}" if found in days else name
    return days


def _april_terms(year: int) -> list[tuple[datetime.date, str]]:
    terms: list[tuple[datetime.date, str]] = chinese_calendar.get_solar_terms(
        datetime.date(year, 4, 1), datetime.date(year, 4, 10)
    )
    return terms
