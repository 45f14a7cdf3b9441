"""The analytics page and API: who may open them (the authorization matrix), what each role sees, the period form
and its errors, sorting, the heat table and charts as markup (data in JSON, no inline script), and the API's JSON.

The cases are test_analytics.py's hand-made week (2–8 March 2026), seen on 20 March at noon in the city."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from freezegun import freeze_time

from yiwang.cases.models import CaseCategory
from yiwang.cases.tests.test_analytics import Sample, at, make_case, sample, taxonomy  # noqa: F401 - fixtures
from yiwang.conftest import Accounts, City, sign_in
from yiwang.identity.roles import Role

pytestmark = pytest.mark.django_db
OK, REDIRECT, BAD, UNAUTHORIZED, FORBIDDEN, UNPROCESSABLE = 200, 302, 400, 401, 403, 422

PAGE = "/console/cases/analytics/"
API = "/api/v1/cases/analytics"
WEEK = "start=2026-03-02&end=2026-03-09"  # the API's end is the day after the last
WEEK_FORM = "period=custom&start=2026-03-02&end=2026-03-08"  # the page's last day is included

# "staff" and "staff_other" are clerks (window staff: no analytics role) of 公安局 and 民政局; "handler" and
# "handler_other" handle cases for 公安局 and 民政局; "supervisor" supervises in 公安局 (the whole city's units);
# "dispatcher" works at the hotline centre.
ROLES = [
    "anonymous", "citizen", "agent", "staff", "staff_other", "handler", "handler_other", "supervisor", "dispatcher",
    "admin",
]  # fmt: skip


def row(*codes: int) -> dict[str, int]:
    return dict(zip(ROLES, codes, strict=True))


PAGE_ACCESS = row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK, OK, OK)
API_ACCESS = row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK, OK, OK)
ROUTES = {
    PAGE: PAGE_ACCESS,
    f"{API}/units?{WEEK}": API_ACCESS,
    f"{API}/hot-topics?end=2026-03-16": API_ACCESS,
    f"{API}/heat?{WEEK}": API_ACCESS,
    f"{API}/trend?{WEEK}": API_ACCESS,
}


@pytest.fixture
def frozen() -> Iterator[None]:
    with freeze_time("2026-03-20T04:00:00Z"):  # noon in the city
        yield


@pytest.fixture
def people(accounts: Accounts, city: City, make_staff: Callable[..., Any]) -> dict[str, Any]:
    return {
        "citizen": accounts.citizen,
        "agent": accounts.agent,
        "staff": accounts.staff,
        "staff_other": accounts.staff_other,
        "handler": make_staff(city.public_security, (Role.HANDLER,)),
        "handler_other": make_staff(city.civil_affairs, (Role.HANDLER,)),
        "supervisor": accounts.supervisor,
        "dispatcher": make_staff(city.big_data_bureau, (Role.DISPATCHER,)),
        "admin": accounts.admin,
    }


@pytest.fixture
def client_of(people: dict[str, Any]) -> Callable[[str], Client]:
    def make(role: str) -> Client:
        client = Client()
        client.cookies["yiwang_language"] = "en"  # the page's own words, as written (translations come later)
        return client if role == "anonymous" else sign_in(client, people[role])

    return make


def test_every_analytics_route_is_in_the_matrix() -> None:
    from yiwang.conftest import url_routes

    pages = {route for route in url_routes() if route.startswith("console/cases/analytics")}
    assert pages == {"console/cases/analytics/"}
    schema = Client().get("/api/v1/openapi.json").json()
    endpoints = {path for path in schema["paths"] if path.startswith(API)}
    assert endpoints == {route.split("?")[0] for route in ROUTES if route.startswith(API)}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_who_may_open_what(client_of: Callable[[str], Client], role: str, route: str) -> None:
    response = client_of(role).get(route)
    assert response.status_code == ROUTES[route][role], (route, role)
    if route.startswith(API) and response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"


def _units(client: Client) -> dict[int, dict[str, Any]]:
    body = client.get(f"{API}/units?{WEEK}").json()
    return {unit["department_id"]: unit for unit in body["units"]}


def test_each_role_reads_the_units_in_its_view(
    sample: Sample,  # noqa: F811 - the fixture imported above
    client_of: Callable[[str], Client],
    frozen: None,
) -> None:
    everyone = {sample.a, sample.b, sample.station}
    assert set(_units(client_of("handler"))) == {sample.a, sample.station}
    assert set(_units(client_of("handler_other"))) == set()
    assert set(_units(client_of("supervisor"))) == everyone
    assert set(_units(client_of("dispatcher"))) == everyone
    assert set(_units(client_of("admin"))) == everyone


def test_the_units_as_json(sample: Sample, client_of: Callable[[str], Client], frozen: None) -> None:  # noqa: F811
    body = client_of("admin").get(f"{API}/units?{WEEK}&sort=volume&descending=true").json()
    assert body["period"] == {"start": "2026-03-02", "end": "2026-03-09", "days": 7}
    assert body["minimum_volume"] == 30
    assert [unit["name"] for unit in body["units"]] == ["公安局", "清河区人民政府", "滨河派出所"]
    police = body["units"][0]
    assert police == {
        "department_id": sample.a,
        "name": "公安局",
        "volume": 5,
        "awaiting_signature": 1,
        "satisfied": 1,
        "basically_satisfied": 0,
        "unsatisfied": 1,
        "returns_approved": 1,
        "overdue": 2,
        "composite": 50.0,
        "ranked": False,
        "rank": None,
        "response": {"numerator": 2, "denominator": 4, "value": 0.5},
        "resolution": {"numerator": 1, "denominator": 2, "value": 0.5},
        "satisfaction": {"numerator": 1, "denominator": 2, "value": 0.5},
        "returns": {"numerator": 1, "denominator": 5, "value": 0.2},
    }
    assert body["total"]["department_id"] is None
    assert body["total"]["volume"] == 7


def test_the_api_refuses_bad_periods(client_of: Callable[[str], Client]) -> None:
    client = client_of("admin")
    for query, field in (
        ("start=2026-03-09&end=2026-03-02", "end"),
        ("start=03/02/2026&end=2026-03-09", "start"),
        ("start=2026-03-02", "end"),
        ("start=2024-01-01&end=2026-03-09", "end"),
        ("period=fortnight", "period"),
    ):
        response = client.get(f"{API}/units?{query}")
        assert response.status_code == UNPROCESSABLE, query
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == field, query
    response = client.get(f"{API}/hot-topics?end=yesterday")
    assert (response.status_code, response.json()["errors"][0]["field"]) == (UNPROCESSABLE, "end")


def test_hot_topics_heat_and_trend_as_json(
    city: City,
    taxonomy: dict[str, CaseCategory],  # noqa: F811
    client_of: Callable[[str], Client],
) -> None:
    for day in (3, 10, 10, 11):
        make_case(received_at=at(day), lead=city.public_security, category=taxonomy["0101"], division="419802001001")
    client = client_of("admin")
    hot = client.get(f"{API}/hot-topics?end=2026-03-16").json()
    assert hot["this_week"] == {"start": "2026-03-09", "end": "2026-03-16", "days": 7}
    assert (hot["cases_this_week"], hot["cases_last_week"], hot["sample_step"]) == (3, 1, 1)
    assert hot["categories"] == [
        {"key": "0101", "name": "路灯照明", "this_week": 3, "last_week": 1, "growth": 2.0, "rising": False}
    ]
    heat = client.get(f"{API}/heat?start=2026-03-01&end=2026-03-16").json()
    assert [column["code"] for column in heat["columns"]] == ["01", "02", "03"]
    assert [(r["kind"], r["name"], r["counts"], r["total"]) for r in heat["rows"]] == [
        ("district", "清河区", [4, 0, 0], 4),
        ("street", "滨河街道", [4, 0, 0], 4),
    ]
    assert (heat["column_totals"], heat["total"]) == ([4, 0, 0], 4)
    trend = client.get(f"{API}/trend?start=2026-03-09&end=2026-03-12").json()
    assert trend["days"] == ["2026-03-09", "2026-03-10", "2026-03-11"]
    assert trend["totals"] == [0, 2, 1]
    assert trend["by_channel"][0] == {"key": "phone", "name": "Hotline call", "counts": [0, 2, 1]}


# --- the page ------------------------------------------------------------------------------------------------


def _html(client: Client, query: str = WEEK_FORM, status: int = OK) -> str:
    response = client.get(f"{PAGE}?{query}")
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def test_the_page_shows_the_units_their_rates_and_the_unranked(
    sample: Sample,  # noqa: F811 - the fixture imported above
    client_of: Callable[[str], Client],
    frozen: None,
) -> None:
    html = _html(client_of("admin"))
    assert "Cases received from 2026-03-02 to 2026-03-08 (7 days)." in html
    assert "Every unit is shown." in html
    rows = re.findall(r'data-testid="unit-row" data-department="(\d+)" data-rank="(\d*)"', html)
    assert rows == [(str(sample.a), ""), (str(sample.b), ""), (str(sample.station), "")]
    assert html.count('data-testid="too-few"') == 3  # listed, never dropped
    assert "50.0%" in html and "2/4" in html  # 公安局's response rate, with what it was counted from
    assert 'data-testid="units-total"' in html


def test_sorting_the_units_table(
    sample: Sample,  # noqa: F811 - the fixture imported above
    client_of: Callable[[str], Client],
    frozen: None,
    settings: Any,
) -> None:
    settings.YIWANG_CASES_RANKING_MIN_VOLUME = 1
    client = client_of("admin")
    html = _html(client)
    ranks = re.findall(r'data-testid="unit-row" data-department="(\d+)" data-rank="(\d*)"', html)
    assert ranks == [(str(sample.b), "1"), (str(sample.a), "2"), (str(sample.station), "")]
    assert re.search(r'aria-sort="ascending"><a href="[^"]*sort=rank&amp;order=desc', html)
    # Other columns start with the largest first, keeping the period.
    link = re.search(r'aria-sort="none"><a href="([^"]*sort=volume[^"]*)"', html)
    assert link is not None
    assert "period=custom" in link.group(1) and "order=desc" in link.group(1)
    html = _html(client, f"{WEEK_FORM}&sort=volume&order=desc")
    order = re.findall(r'data-testid="unit-row" data-department="(\d+)"', html)
    assert order == [str(sample.a), str(sample.b), str(sample.station)]
    assert re.search(r'aria-sort="descending"><a href="[^"]*sort=volume&amp;order=asc', html)


def test_the_page_shows_only_the_handlers_units(
    sample: Sample,  # noqa: F811 - the fixture imported above
    client_of: Callable[[str], Client],
    frozen: None,
) -> None:
    html = _html(client_of("handler"))
    departments = re.findall(r'data-testid="unit-row" data-department="(\d+)"', html)
    assert departments == [str(sample.a), str(sample.station)]
    assert "Only the units you may see are shown" in html
    html = _html(client_of("handler_other"))
    assert 'data-testid="units-empty"' in html


def test_bad_periods_are_form_errors(client_of: Callable[[str], Client]) -> None:
    client = client_of("admin")
    for query, field in (
        ("period=custom&start=2026-03-09&end=2026-03-02", "end"),
        ("period=custom&start=2026-02-30&end=2026-03-02", "start"),
        ("period=custom&start=&end=2026-03-02", "start"),
        ("period=custom&start=2026-03-02&end=", "end"),
        ("period=custom&start=2024-01-01&end=2026-03-02", "end"),
        ("period=someday", "period"),
    ):
        html = _html(client, query, status=BAD)
        assert 'class="error-summary"' in html, query
        assert f'id="id_{field}_error"' in html, query
        assert 'aria-invalid="true"' in html
        assert 'data-testid="units"' not in html  # no figures for a period that is not one
    html = _html(client, "period=custom&start=2026-03-09&end=2026-03-02", status=BAD)
    assert "The last day cannot be before the first." in html
    html = _html(client, "period=custom&start=2026-02-30&end=2026-03-02", status=BAD)
    assert "Write the date as YYYY-MM-DD, for example 2026-03-01." in html


def test_dates_alone_mean_a_period_of_ones_own_and_the_last_day_is_included(
    city: City, client_of: Callable[[str], Client]
) -> None:
    make_case(received_at=at(8, 23), lead=city.public_security)  # the last minutes of the 8th
    make_case(received_at=at(9, 0), lead=city.public_security)  # the first of the 9th: outside
    html = _html(client_of("admin"), "start=2026-03-02&end=2026-03-08")
    assert re.findall(r'data-testid="trend-row"><th scope="row">([\d-]+)</th><td class="number">(\d+)', html)[-1] == (
        "2026-03-08",
        "1",
    )
    assert len(re.findall(r'data-testid="trend-row"', html)) == 7


def test_without_a_query_the_page_shows_this_month(client_of: Callable[[str], Client], frozen: None) -> None:
    html = _html(client_of("dispatcher"), "")
    assert "2026-03-01" in html and "2026-03-31" in html
    assert '<option value="this_month" selected>' in html


def test_heat_table_prints_every_number_and_shades_by_class(
    city: City,
    taxonomy: dict[str, CaseCategory],  # noqa: F811
    client_of: Callable[[str], Client],
) -> None:
    for category in ("0101", "0101", "0201"):
        make_case(received_at=at(3), lead=city.public_security, category=taxonomy[category], division="419802001001")
    html = _html(client_of("admin"))
    district = re.search(r'data-kind="district" data-code="419802">(.*?)</tr>', html, re.S)
    assert district is not None
    cells = re.findall(r'<td class="number heat-(\d)">(\d+)</td>', district.group(1))
    assert cells == [("4", "2"), ("1", "1"), ("0", "0")]
    assert 'data-kind="street" data-code="419802001"' in html
    assert 'data-testid="heat-legend"' in html
    assert re.search(r'data-testid="heat-total">.*?<strong>3</strong>', html, re.S)


def test_charts_are_drawn_from_json_by_a_static_script(
    city: City,
    taxonomy: dict[str, CaseCategory],  # noqa: F811
    client_of: Callable[[str], Client],
) -> None:
    make_case(received_at=at(3), lead=city.public_security, category=taxonomy["0101"])
    response = client_of("admin").get(f"{PAGE}?{WEEK_FORM}")
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    # No inline script: JSON data blocks, and scripts from our own static files (the CSP allows 'self' only).
    assert all('type="application/json"' in attributes or "src=" in attributes for attributes in scripts)
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert any(source.endswith("cases/vendor/chartjs/chart-4.6.2.umd.min.js") for source in sources)
    assert any(source.endswith("cases/analytics.js") for source in sources)
    assert not any(source.startswith(("http:", "https:", "//")) for source in sources)
    data = re.search(r'<script id="trend_channels-data" type="application/json">(.*?)</script>', html, re.S)
    assert data is not None
    channels = json.loads(data.group(1))
    assert channels["labels"][0] == "2026-03-02"
    assert channels["series"] == [{"name": "Hotline call", "counts": [0, 1, 0, 0, 0, 0, 0]}]
    # Each chart is hidden until the script draws it, and has an accessible name pointing to its table.
    assert len(re.findall(r'<figure class="chart" data-chart="\w+" hidden>', html)) == 3
    assert html.count('role="img" aria-label=') == 3
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_static_files_are_served(client_of: Callable[[str], Client]) -> None:
    from django.contrib.staticfiles import finders

    for name in ("cases/vendor/chartjs/chart-4.6.2.umd.min.js", "cases/vendor/chartjs/LICENSE.md",
                 "cases/analytics.js", "cases/analytics.css"):  # fmt: skip
        assert finders.find(name), name
    chart = finders.find("cases/vendor/chartjs/chart-4.6.2.umd.min.js")
    assert isinstance(chart, str)
    text = Path(chart).read_text(encoding="utf-8")
    assert text.startswith("/*!\n * Chart.js v4.6.2")
    assert "sourceMappingURL" not in text  # the manifest storage would demand the map file
