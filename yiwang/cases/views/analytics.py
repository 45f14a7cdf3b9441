"""The console's case analytics (/console/cases/analytics/): 三率 per unit, hot topics, the heat table by place and
the daily trend, for a period chosen on the page. Charts are drawn by a static script from JSON in the page; every
chart's figures are also in a table, and the page works without JavaScript."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from yiwang.cases.analytics import (
    ANALYTICS_ROLES,
    SORT_KEYS,
    Overview,
    Period,
    PeriodKind,
    analytics_overview,
    parse_day,
    period_resolve,
    units_sorted,
)
from yiwang.core.errors import PermissionDenied as NotPermitted
from yiwang.core.errors import ValidationFailed
from yiwang.core.forms import AccessibleFormMixin, add_service_error
from yiwang.identity.access import staff_required

DATE_HINT = _("YYYY-MM-DD")


class PeriodForm(AccessibleFormMixin, forms.Form):
    """A named period, or days of one's choice (both days included). Dates alone mean days of one's choice."""

    period = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices, required=False)
    start = forms.CharField(
        label=_("From"), required=False, help_text=DATE_HINT, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.CharField(
        label=_("To (included)"), required=False, help_text=DATE_HINT, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.resolved: Period | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("period") or ""
        start, end = data.get("start") or "", data.get("end") or ""
        if not kind:
            kind = PeriodKind.CUSTOM if (start or end) else PeriodKind.THIS_MONTH
        try:
            last = parse_day(end, field="end") if kind == PeriodKind.CUSTOM else None
            after = last + datetime.timedelta(days=1) if last is not None else None
            self.resolved = period_resolve(kind=kind, start=start, end=after, today=self.today)
        except ValidationFailed as error:
            if error.field == "end" and str(error) == str(_("The period must end after it starts.")):
                error = ValidationFailed(_("The last day cannot be before the first."), field="end")
            add_service_error(self, error)
        return data


@dataclass(frozen=True)
class SortLink:
    """A sortable column's header: its link and state for aria-sort."""

    key: str
    label: str
    url: str
    state: str  # ascending, descending or none


SORT_LABELS = {
    "rank": _("Rank"),
    "name": _("Unit"),
    "volume": _("Cases"),
    "response": _("Response rate"),
    "resolution": _("Resolution rate"),
    "satisfaction": _("Satisfaction rate"),
    "returns": _("Return rate"),
    "overdue": _("Overdue"),
}
# First click on a rate or count puts the largest first; on rank and name the natural order.
DESCENDING_FIRST = {"volume", "response", "resolution", "satisfaction", "returns", "overdue"}


def _sort_links(request: HttpRequest, key: str, descending: bool) -> list[SortLink]:
    kept = {name: value for name, value in request.GET.items() if name in ("period", "start", "end") and value}
    links = []
    for column in SORT_KEYS:
        current = column == key
        wants_descending = (not descending) if current else column in DESCENDING_FIRST
        query = urlencode({**kept, "sort": column, "order": "desc" if wants_descending else "asc"})
        state = ("descending" if descending else "ascending") if current else "none"
        links.append(SortLink(column, str(SORT_LABELS[column]), f"?{query}#units", state))
    return links


def _charts(overview: Overview) -> dict[str, Any]:
    """The charts' data, put in the page by json_script and drawn by cases/analytics.js."""
    trend = overview.trend
    days = [day.isoformat() for day in trend.days]
    rising = [topic for topic in overview.topics.categories if topic.this_week or topic.last_week][:10]
    return {
        "trend_channels": {
            "labels": days,
            "series": [{"name": s.name, "counts": s.counts} for s in trend.by_channel if s.total],
        },
        "trend_types": {
            "labels": days,
            "series": [{"name": s.name, "counts": s.counts} for s in trend.by_type if s.total],
        },
        "topics": {
            "labels": [topic.name for topic in rising],
            "series": [
                {"name": str(_("Last seven days")), "counts": [topic.this_week for topic in rising]},
                {"name": str(_("Seven days before")), "counts": [topic.last_week for topic in rising]},
            ],
        },
    }


@dataclass(frozen=True)
class TrendRow:
    day: datetime.date
    total: int
    counts: list[int]  # by channel, then by type, in the order of the table's columns


def _trend_rows(overview: Overview) -> list[TrendRow]:
    trend = overview.trend
    series = [*trend.by_channel, *trend.by_type]
    return [
        TrendRow(day, trend.totals[index], [line.counts[index] for line in series])
        for index, day in enumerate(trend.days)
    ]


@dataclass(frozen=True)
class LegendLine:
    kind: str
    label: str
    ranges: list[tuple[int, str]]  # (level, the counts it covers)


def _heat_legend(overview: Overview) -> list[LegendLine]:
    """What each shade stands for, in numbers: quartiles of the non-zero counts among rows of the same kind."""
    lines = []
    for kind, label in (("district", _("Districts and other rows")), ("street", _("Streets"))):
        bounds = overview.heat.quartiles.get(kind)
        if not bounds or not any(bounds):
            continue
        first, second, third = (f"{bound:g}" for bound in bounds)
        ranges = [(1, f"≤ {first}"), (2, f"≤ {second}"), (3, f"≤ {third}"), (4, f"> {third}")]
        lines.append(LegendLine(kind, str(label), ranges))
    return lines


@staff_required(*ANALYTICS_ROLES)
@require_GET
def analytics_page(request: HttpRequest) -> HttpResponse:
    """The period form, then the four sections; a bad period shows the form's errors and no figures (400)."""
    today = timezone.localdate()
    form = PeriodForm(request.GET or None, today=today, initial={"period": PeriodKind.THIS_MONTH})
    period = period_resolve(today=today) if not request.GET else (form.resolved if form.is_valid() else None)
    key = request.GET.get("sort", "rank")
    key = key if key in SORT_KEYS else "rank"
    descending = request.GET.get("order") == "desc"
    context: dict[str, Any] = {"form": form, "period": period, "sort": key, "descending": descending}
    if period is not None:
        try:
            overview = analytics_overview(actor=request.user, period=period, today=today)
        except NotPermitted as error:
            raise PermissionDenied(str(error)) from None
        context.update(
            overview=overview,
            units=units_sorted(overview.units.units, key=key, descending=descending),
            sort_links=_sort_links(request, key, descending),
            charts=_charts(overview),
            heat_legend=_heat_legend(overview),
            trend_rows=_trend_rows(overview),
        )
    return render(request, "cases/analytics/index.html", context, status=400 if form.errors else 200)
