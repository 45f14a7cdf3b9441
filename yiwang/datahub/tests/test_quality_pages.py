"""The quality pages: who may open what, what they show, the audited examples and the recompute button."""

import datetime

import pytest
from django.test import Client

from yiwang.conftest import sign_in, url_routes
from yiwang.core.audit.models import AuditEvent
from yiwang.core.identifiers import mask_id_number
from yiwang.datahub.models import Batch, QualityScore, Resource
from yiwang.datahub.quality.services import quality_compute
from yiwang.datahub.registries import LEGAL_ENTITIES, POPULATION
from yiwang.datahub.tests.builders import ROLES, row
from yiwang.datahub.tests.test_quality import entity, person, send
from yiwang.identity.roles import Role

OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 403, 404, 405


STAFF = row(REDIRECT, FORBIDDEN, OK, OK, OK, OK, OK)

# route pattern → (method, path, expected per role). 公安局 is the source (and authority) of population;
# 民政局 also sent population data, so its data administrators read the examples of their own score.
PAGES = {
    "console/datahub/quality/": ("get", "/console/datahub/quality/", STAFF),
    "console/datahub/quality/<slug:slug>/": ("get", "/console/datahub/quality/population/", STAFF),
    "console/datahub/quality/<slug:slug>/examples/": (
        "get",
        "/console/datahub/quality/population/examples/",
        row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK),
    ),
    "console/datahub/quality/<slug:slug>/recompute/": (
        "post",
        "/console/datahub/quality/population/recompute/",
        row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, REDIRECT),
    ),
}


@pytest.fixture
def scored(registries):
    """Population from 公安局 and 民政局 (one conflict), scored."""
    send(registries, "police", POPULATION, [person(sequence) for sequence in range(1, 6)])
    send(registries, "civil", POPULATION, [person(1, **{"联系电话": "13900009999"}), person(2)])
    return quality_compute(resource_id=Resource.objects.get(slug=POPULATION).pk)


def main(response):
    """The page's main content (the shell around it names the viewer's department)."""
    page = response.content.decode()
    return page[page.index("<main") :]


def test_every_quality_route_is_in_the_matrix():
    routes = {route for route in url_routes() if route.startswith("console/datahub/quality")}
    assert routes == set(PAGES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(PAGES))
def test_pages(clients, scored, route, role):
    method, path, expected = PAGES[route]
    response = getattr(clients(role), method)(path)
    assert response.status_code == expected[role], (path, role)


def test_the_recompute_route_takes_only_posts(clients, scored):
    assert clients("admin").get("/console/datahub/quality/population/recompute/").status_code == NOT_ALLOWED


@pytest.mark.parametrize("path", ["/console/datahub/quality/nowhere/", "/console/datahub/quality/nowhere/examples/"])
def test_unknown_resources_are_not_found(clients, scored, path):
    assert clients("admin").get(path).status_code == NOT_FOUND


def test_the_ranking_and_the_latest_scores_for_every_staff_member(clients, scored):
    page = main(clients("staff_other").get("/console/datahub/quality/"))
    assert page.index("公安局") < page.index("民政局") < page.index("统计局")  # 统计局 sent nothing: last
    assert "人口基础信息" in page and "/console/datahub/quality/population/" in page


def test_a_resource_page_shows_the_rules_and_counts_behind_each_score(clients, scored):
    page = clients("staff").get("/console/datahub/quality/population/").content.decode()
    assert "联系电话" in page and "公安局" in page and "民政局" in page
    # 民政局's two rows met 公安局's values in 8 elements each: 16 values compared, the phone of one disagreed.
    assert "Agreement with the authoritative source: 1 disagreements among 16 values compared" in page
    assert "/console/datahub/quality/population/examples/" not in page  # a clerk reads no examples
    assert "recompute" not in page


def test_in_chinese_the_definitions_are_translated_and_dates_are_the_citys(registries, people, scored):
    # 17:30 UTC is 01:30 the next day in Beijing: the page shows the city's date.
    finished = datetime.datetime(2026, 11, 23, 17, 30, tzinfo=datetime.UTC)
    Batch.objects.filter(resource__slug=POPULATION).update(finished_at=finished)
    quality_compute(resource_id=Resource.objects.get(slug=POPULATION).pk)
    client = sign_in(Client(), people["staff"])
    client.cookies["yiwang_language"] = "zh-hans"
    page = main(client.get("/console/datahub/quality/population/"))
    assert "各适用维度的加权平均值" in page and "weighted mean" not in page
    last_delivery = page[page.index("<dt>最近报送</dt>") :].split("</dd>")[0]
    assert "2026-11-24" in last_delivery and "2026-11-23" not in last_delivery


def test_the_history_table_and_sparkline(clients, scored, registries):
    quality_compute(resource_id=Resource.objects.get(slug=POPULATION).pk)
    page = clients("data_admin").get("/console/datahub/quality/population/").content.decode()
    assert page.count("<polyline") == 1
    assert "/console/datahub/quality/population/recompute/" in page
    police = clients("data_admin").get(f"/console/datahub/quality/population/?source={registries['police']}")
    assert police.status_code == OK


@pytest.fixture
def entities(registries, make_staff):
    first, stranger = person(1), person(3)
    send(registries, "police", POPULATION, [first])
    send(
        registries,
        "market",
        LEGAL_ENTITIES,
        [entity(1, first["公民身份号码"]), entity(2, stranger["公民身份号码"])],
    )
    quality_compute(resource_id=Resource.objects.get(slug=LEGAL_ENTITIES).pk)
    return {
        "stranger": stranger["公民身份号码"],
        "market_data_admin": make_staff(registries["market"], (Role.DATA_ADMIN,), real_name="市场数据员"),
    }


def test_examples_are_masked_and_their_reading_audited(entities, registries):
    client = sign_in(Client(), entities["market_data_admin"])
    client.cookies["yiwang_language"] = "en"
    response = client.get("/console/datahub/quality/legal-entities/examples/")
    assert response.status_code == OK
    page = response.content.decode()
    assert mask_id_number(entities["stranger"]) in page
    assert entities["stranger"] not in page
    event = AuditEvent.objects.get(action="datahub.quality.examples.read")
    assert (event.actor_id, event.object_type, event.purpose) == (
        entities["market_data_admin"].pk,
        "datahub.resource",
        "correcting data quality (纠错)",
    )
    # 公安局 neither is the source of legal entities nor sent any: no examples for its data administrators.
    police = sign_in(Client(), registries["police_data_admin"])
    assert police.get("/console/datahub/quality/legal-entities/examples/").status_code == FORBIDDEN
    resource_page = client.get("/console/datahub/quality/legal-entities/").content.decode()
    assert entities["stranger"] not in resource_page and mask_id_number(entities["stranger"]) not in resource_page
    assert "exists in 法人单位基础信息" not in resource_page
    assert "exists in 人口基础信息 (公民身份号码)" in resource_page


def test_the_source_recomputes_in_the_background(clients, scored, django_capture_on_commit_callbacks):
    before = QualityScore.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = clients("data_admin").post("/console/datahub/quality/population/recompute/")
    assert response.status_code == REDIRECT
    assert response["Location"] == "/console/datahub/quality/population/"
    assert QualityScore.objects.count() == before + 3  # all sources, 公安局, 民政局
    assert AuditEvent.objects.filter(action="datahub.quality.recompute").count() == 1
    assert clients("other_data_admin").post("/console/datahub/quality/population/recompute/").status_code == FORBIDDEN
