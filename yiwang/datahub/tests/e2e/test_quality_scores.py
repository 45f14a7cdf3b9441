"""Data quality in the browser: the scores a batch leaves, and the rules and counts behind one of them."""

from __future__ import annotations

import pytest
from django.template.defaultfilters import floatformat
from playwright.sync_api import expect

from yiwang.datahub.quality.selectors import quality_latest
from yiwang.datahub.registries import LEGAL_ENTITIES, POPULATION
from yiwang.datahub.tests.test_quality import entity, person, send
from yiwang.identity.roles import Role

QUALITY = "/console/datahub/quality/"


@pytest.fixture
def scored(registries):
    """公安局 sends two people; 市场监督管理局 two companies, one of whose legal representative is not among them.

    Each committed batch has its resource scored again (a task run on commit), as the worker does in production.
    """
    first, stranger = person(1), person(3)
    send(registries, "police", POPULATION, [first, person(2)])
    send(registries, "market", LEGAL_ENTITIES, [entity(1, first["公民身份号码"]), entity(2, stranger["公民身份号码"])])
    return {score.resource_slug: score for score in quality_latest()}


def one_decimal(value: float) -> str:
    """A score as the pages show it (Django's floatformat rounds half up, Python's format half to even)."""
    return str(floatformat(value, 1))


def test_the_quality_page_lists_each_resource_and_its_page_shows_the_rules_behind_the_score(
    live_server, page, registries, scored, make_staff, sign_in
):
    assert set(scored) == {POPULATION, LEGAL_ENTITIES}
    clerk = make_staff(registries["civil"], (Role.CLERK,), real_name="周九")  # every staff member reads quality
    sign_in(clerk, QUALITY)

    latest = page.locator("main table").nth(1).locator("tbody tr")
    expect(latest.locator("th a")).to_have_text(["人口基础信息", "法人单位基础信息"])
    for index, slug in enumerate([POPULATION, LEGAL_ENTITIES]):
        expect(latest.nth(index).locator("td").nth(0)).to_have_text("2")  # records
        expect(latest.nth(index).locator("td strong")).to_have_text(one_decimal(scored[slug].overall))
    ranking = page.locator("main table").nth(0).locator("tbody th[scope=row]")
    by_score = sorted(
        [("公安局", scored[POPULATION].overall), ("市场监督管理局", scored[LEGAL_ENTITIES].overall)],
        key=lambda item: -item[1],
    )
    # The sources of the built-ins that hold no records yet come last, by name: the platform's license library
    # (政务服务和大数据管理局) and 统计局's indicators.
    expect(ranking).to_have_text([name for name, _overall in by_score] + ["政务服务和大数据管理局", "统计局"])

    latest.get_by_role("link", name="法人单位基础信息").click()

    page.wait_for_url(f"{live_server.url}{QUALITY}{LEGAL_ENTITIES}/")
    score = scored[LEGAL_ENTITIES]
    sources = page.locator("main table").nth(0).locator("tbody tr")
    expect(sources).to_have_count(2)  # all sources together, then 市场监督管理局 alone
    expect(sources.nth(1).locator("th")).to_have_text("市场监督管理局")
    expect(sources.nth(0).locator("td").nth(2)).to_have_text(one_decimal(score.validity))
    expect(sources.nth(0).locator("td strong")).to_have_text(one_decimal(score.overall))

    # The rules behind validity: the legal representative must be in population, the capital at least 0.
    together, market = page.locator("main section").nth(0), page.locator("main section").nth(1)
    rules = together.locator("table").nth(1)  # the validity rules follow the completeness table
    reference = rules.locator("tr", has=page.locator("th", has_text="(legal_representative_id_number)"))
    expect(reference).to_be_visible()  # the first source's details are open
    expect(reference.locator("td").nth(0)).to_contain_text("人口基础信息")  # the target by its name, not its slug
    expect(reference.locator("td").nth(0)).to_contain_text("公民身份号码")
    expect(reference.locator("td").nth(1)).to_have_text("2")  # values checked
    expect(reference.locator("td").nth(2)).to_have_text("1")  # values failing: the stranger
    minimum = rules.locator("tr", has=page.locator("th", has_text="(registered_capital)"))
    expect(minimum.locator("td").nth(0)).to_contain_text("0")
    expect(minimum.locator("td").nth(1)).to_have_text("2")
    expect(minimum.locator("td").nth(2)).to_have_text("0")

    market_reference = (
        market.locator("table")
        .nth(1)
        .locator("tr", has=page.locator("th", has_text="(legal_representative_id_number)"))
    )
    expect(market_reference).to_be_hidden()  # folded until asked for
    market.locator("summary").click()
    expect(market_reference).to_be_visible()
    expect(market_reference.locator("td").nth(2)).to_have_text("1")
