"""Cases by division and category heading, for a heat table without a map: districts, each followed by its streets,
against the headings of the taxonomy. Counted by one GROUP BY (community, category) in the database and rolled up
here; every cell prints its number, its shading (a quartile class) only repeats it."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from yiwang.cases.analytics.period import Period
from yiwang.cases.analytics.scope import analytics_scope
from yiwang.cases.models import Case, CaseCategory
from yiwang.org.selectors import division_children, division_get

DISTRICT, STREET, CITY_WIDE, UNLOCATED = "district", "street", "city_wide", "unlocated"
DISTRICT_DIGITS, STREET_DIGITS = 6, 9
UNCATEGORISED = ""  # the column of cases not yet given a category


@dataclass(frozen=True)
class HeatColumn:
    code: str  # the heading's two-digit code; empty: not yet categorised
    name: str


@dataclass(frozen=True)
class HeatCell:
    count: int
    level: int  # 0: none; 1–4: the quartile of the count among the non-zero cells of rows of the same kind


@dataclass(frozen=True)
class HeatRow:
    code: str  # division code; empty for the city-wide and unlocated rows
    name: str
    kind: str  # district, street (under the district above it), city_wide, unlocated
    cells: list[HeatCell]
    total: int


@dataclass(frozen=True)
class HeatTable:
    period: Period
    columns: list[HeatColumn]
    rows: list[HeatRow]
    column_totals: list[int]  # each district's cases counted once (streets are inside their district)
    total: int
    quartiles: dict[str, tuple[float, float, float]]  # district and street rows: upper bounds of levels 1, 2, 3


def _levels(values: list[int]) -> tuple[float, float, float]:
    positive = sorted(value for value in values if value > 0)
    if not positive:
        return (0.0, 0.0, 0.0)
    if len(positive) == 1:
        return (float(positive[0]),) * 3
    first, second, third = statistics.quantiles(positive, n=4, method="inclusive")
    return (first, second, third)


def _level(count: int, bounds: tuple[float, float, float]) -> int:
    if count == 0:
        return 0
    return 1 + sum(1 for bound in bounds if count > bound)


def heat_for_scope(*, scope: frozenset[int] | None, period: Period) -> HeatTable:
    """Cases received in the period, by district and street, and by category heading."""
    start, end = period.bounds()
    cases = Case.objects.filter(received_at__gte=start, received_at__lt=end)
    if scope is not None:
        cases = cases.filter(lead_department_id__in=scope)
    grouped = cases.values("division__code", "category_id").annotate(count=Count("pk")).order_by()
    categories = dict(CaseCategory.objects.values_list("pk", "code"))
    headings = dict(CaseCategory.objects.filter(parent__isnull=True).values_list("code", "name"))
    counts: dict[tuple[str, str], int] = defaultdict(int)  # (division code or "", heading) → cases
    for row in grouped:
        code = categories.get(row["category_id"], "")[:2] if row["category_id"] else UNCATEGORISED
        counts[(row["division__code"] or "", code)] += row["count"]
    columns = [HeatColumn(code, name) for code, name in sorted(headings.items())]
    if any(code not in headings for _division, code in counts):
        # Cases of a heading no longer in the taxonomy would vanish: they go with the uncategorised ones.
        counts = _fold_unknown_headings(counts, set(headings))
        columns.append(HeatColumn(UNCATEGORISED, ""))
    rows = _rows(counts, columns)
    # Streets are shaded among streets; districts, the city-wide and the unlocated rows among themselves.
    quartiles = {
        group: _levels([cell.count for row in rows if _group(row.kind) == group for cell in row.cells])
        for group in (DISTRICT, STREET)
    }
    rows = [
        HeatRow(
            row.code,
            row.name,
            row.kind,
            [HeatCell(cell.count, _level(cell.count, quartiles[_group(row.kind)])) for cell in row.cells],
            row.total,
        )
        for row in rows
    ]
    top_rows = [row for row in rows if row.kind != STREET]
    column_totals = [sum(row.cells[index].count for row in top_rows) for index in range(len(columns))]
    return HeatTable(period, columns, rows, column_totals, sum(column_totals), quartiles)


def _group(kind: str) -> str:
    return STREET if kind == STREET else DISTRICT


def _fold_unknown_headings(counts: dict[tuple[str, str], int], known: set[str]) -> dict[tuple[str, str], int]:
    folded: dict[tuple[str, str], int] = defaultdict(int)
    for (division, heading), count in counts.items():
        folded[(division, heading if heading in known else UNCATEGORISED)] += count
    return folded


def _rows(counts: dict[tuple[str, str], int], columns: list[HeatColumn]) -> list[HeatRow]:
    """Districts (by code), each followed by all its streets; then cases placed only at the city or outside any
    district, then cases without a place."""
    by_place: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (division, heading), count in counts.items():
        by_place[division][heading] += count
    districts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    streets: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    city_wide: dict[str, int] = defaultdict(int)
    unlocated: dict[str, int] = defaultdict(int)
    district_info: dict[str, Any] = {}
    for code in {division[:DISTRICT_DIGITS] for division in by_place if division}:
        info = division_get(code=code)
        if info is not None and info.level == "county":
            district_info[code] = info
    for division, per_heading in by_place.items():
        district = division[:DISTRICT_DIGITS]
        for heading, count in per_heading.items():
            if not division:
                unlocated[heading] += count
            elif district not in district_info:
                city_wide[heading] += count
            else:
                districts[district][heading] += count
                if len(division) >= STREET_DIGITS:
                    streets[division[:STREET_DIGITS]][heading] += count

    def row(code: str, name: str, kind: str, per_heading: dict[str, int]) -> HeatRow:
        cells = [HeatCell(per_heading.get(column.code, 0), 0) for column in columns]
        return HeatRow(code, name, kind, cells, sum(cell.count for cell in cells))

    rows: list[HeatRow] = []
    for code in sorted(district_info):
        rows.append(row(code, district_info[code].name, DISTRICT, districts[code]))
        known_streets = {street.code: street.name for street in division_children(parent_code=code)}
        for street in sorted(set(known_streets) | {street for street in streets if street.startswith(code)}):
            rows.append(row(street, known_streets.get(street, street), STREET, streets.get(street, {})))
    if city_wide:
        rows.append(row("", "", CITY_WIDE, city_wide))
    if unlocated:
        rows.append(row("", "", UNLOCATED, unlocated))
    return rows


def heat_table(*, actor: Any, period: Period) -> HeatTable:
    """The heat table of the cases the actor may see (those led by units in view)."""
    return heat_for_scope(scope=analytics_scope(actor), period=period)
