"""Hot topics: categories and terms rising in the last seven days against the seven before (week over week).

Categories are counted in the database (one GROUP BY). Terms come from titles and contents segmented with rjieba:
a term counts once per case that uses it; over a large week the texts read are a systematic sample (one case in
k by id, k the same for both weeks) and the counts are scaled back by k."""

from __future__ import annotations

import datetime
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import rjieba
from django.conf import settings
from django.db.models import Count, Q, Value
from django.db.models.functions import Mod
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.cases.analytics.period import EARLIEST, LATEST, Period, PeriodKind, parse_day
from yiwang.cases.analytics.scope import analytics_scope
from yiwang.cases.analytics.stopwords import STOPWORDS
from yiwang.cases.models import Case, CaseCategory
from yiwang.core.errors import ValidationFailed

WEEK = datetime.timedelta(days=7)
DEFAULT_MINIMUM_COUNT = 10  # fewer cases than this in the week: noise, never "rising"
DEFAULT_TERMS_SAMPLE = 10_000  # texts read per week at most
RISING_GROWTH = 0.5  # rising: at least half as many again as the week before (or new)
RISING_Z = 2.0  # ... and a change at least twice its standard error (counts as Poisson): not chance
TERMS_SHOWN = 20
MEANINGFUL = re.compile(r"[\u3400-\u9fffA-Za-z]")


@dataclass(frozen=True)
class TopicTrend:
    """A category (key: its code) or a term (key: the term) this week against last week."""

    key: str
    name: str
    this_week: int
    last_week: int
    growth: float | None  # (this - last) / last; None when there was none last week
    rising: bool

    @property
    def change(self) -> int:
        return self.this_week - self.last_week

    @property
    def growth_percent(self) -> float | None:
        return None if self.growth is None else round(100 * self.growth, 1)


@dataclass(frozen=True)
class HotTopics:
    this_week: Period
    last_week: Period
    minimum_count: int
    cases_this_week: int
    cases_last_week: int
    categories: list[TopicTrend]  # every category with cases in either week: rising first, then by change
    terms: list[TopicTrend]  # the rising terms, largest change first (at most TERMS_SHOWN)
    sample_step: int  # 1: every text read for the terms; k: one case in k, counts scaled by k


def minimum_count() -> int:
    return int(getattr(settings, "YIWANG_CASES_HOT_MIN_COUNT", DEFAULT_MINIMUM_COUNT))


def terms_sample() -> int:
    return int(getattr(settings, "YIWANG_CASES_TERMS_SAMPLE", DEFAULT_TERMS_SAMPLE))


def is_rising(this_week: int, last_week: int, minimum: int, *, step: int = 1) -> bool:
    """Enough cases this week to mean something, at least half as many again as last week (or new), and a change
    too large for chance: (this - last) / sqrt(this + last) >= 2, on the counts actually read (a sample's counts
    are scaled by `step`, its error is not)."""
    if this_week < minimum or this_week <= last_week or this_week < last_week * (1 + RISING_GROWTH):
        return False
    read_this, read_last = this_week / step, last_week / step
    return (read_this - read_last) >= RISING_Z * math.sqrt(read_this + read_last)


def _trend(key: str, name: str, this_week: int, last_week: int, minimum: int, step: int = 1) -> TopicTrend:
    growth = None if last_week == 0 else (this_week - last_week) / last_week
    return TopicTrend(key, name, this_week, last_week, growth, is_rising(this_week, last_week, minimum, step=step))


def _ordered(trends: list[TopicTrend]) -> list[TopicTrend]:
    return sorted(trends, key=lambda trend: (not trend.rising, -trend.change, -trend.this_week, trend.key))


def terms_of(text: str) -> set[str]:
    """The words of a text worth counting: two characters or more, with a letter or a Chinese character, no
    stopword."""
    return {word for word in rjieba.cut(text) if len(word) >= 2 and word not in STOPWORDS and MEANINGFUL.search(word)}


def _weeks(end: datetime.date) -> tuple[Period, Period]:
    this_week = Period(PeriodKind.CUSTOM, end - WEEK, end)
    return this_week, Period(PeriodKind.CUSTOM, end - 2 * WEEK, end - WEEK)


def hot_topics_for_scope(*, scope: frozenset[int] | None, end: datetime.date) -> HotTopics:
    """Categories and terms of cases received in the 7 days before `end` against the 7 days before those."""
    this_week, last_week = _weeks(end)
    minimum = minimum_count()
    start, middle = last_week.bounds()
    finish = this_week.bounds()[1]
    cases = Case.objects.filter(received_at__gte=start, received_at__lt=finish)
    if scope is not None:
        cases = cases.filter(lead_department_id__in=scope)
    recent = Q(received_at__gte=middle)
    rows = (
        cases.values("category_id")
        .annotate(this_week=Count("pk", filter=recent), last_week=Count("pk", filter=~recent))
        .order_by()
    )
    by_category = {row["category_id"]: (row["this_week"], row["last_week"]) for row in rows}
    in_this_week = sum(counts[0] for counts in by_category.values())
    in_last_week = sum(counts[1] for counts in by_category.values())
    known = CaseCategory.objects.filter(pk__in=[pk for pk in by_category if pk is not None])
    names = {pk: (code, name) for pk, code, name in known.values_list("pk", "code", "name")}
    categories = _ordered(
        [_trend(*names[pk], *by_category[pk], minimum) for pk in names]  # cases without a category: no topic
    )
    step = max(1, math.ceil(max(in_this_week, in_last_week) / max(1, terms_sample())))
    terms = _term_trends(cases, middle, step, minimum) if (in_this_week or in_last_week) else []
    return HotTopics(this_week, last_week, minimum, in_this_week, in_last_week, categories, terms, step)


def _term_counts(cases: Any, step: int) -> Counter[str]:
    """In how many of these cases (one in `step`) each term occurs."""
    if step > 1:
        cases = cases.annotate(sample=Mod("pk", Value(step))).filter(sample=0)
    counts: Counter[str] = Counter()
    for title, content in cases.values_list("title", "content").order_by().iterator(chunk_size=2000):
        counts.update(terms_of(f"{title}\n{content}"))
    return counts


def _term_trends(cases: Any, middle: datetime.datetime, step: int, minimum: int) -> list[TopicTrend]:
    this_week = _term_counts(cases.filter(received_at__gte=middle), step)
    last_week = _term_counts(cases.filter(received_at__lt=middle), step)
    trends = [
        _trend(term, term, this * step, last_week.get(term, 0) * step, minimum, step)
        for term, this in this_week.items()
    ]
    rising = [trend for trend in trends if trend.rising]
    return _ordered(rising)[:TERMS_SHOWN]


def hot_topics(*, actor: Any, end: str | datetime.date | None = None) -> HotTopics:
    """Rising categories and terms among the cases the actor may see: the 7 days before `end` (default today, so
    seven whole days) against the 7 days before."""
    scope = analytics_scope(actor)
    day = parse_day(end, field="end") or timezone.localdate()
    if not EARLIEST <= day <= LATEST:
        raise ValidationFailed(_("Choose a day between 2000-01-01 and 2999-12-31."), field="end")
    return hot_topics_for_scope(scope=scope, end=day)
