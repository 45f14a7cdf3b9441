"""The entity-resolution pages: who may see and decide a pair, the audited read, and every data hub route claimed."""

from typing import Any

import pytest
from django.test import Client

from yiwang.conftest import sign_in, url_routes
from yiwang.core.audit.models import AuditEvent
from yiwang.datahub.ingestion.pipeline import ingest_rows
from yiwang.datahub.models import LinkKind, LinkReview, LinkRun, Record, ReviewDecision
from yiwang.datahub.tests.builders import ROLES, row
from yiwang.datahub.tests.test_linking import people, publish_roster
from yiwang.identity.roles import Role

OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404


DATA_ADMINS = row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK)
PAGES: dict[str, list[tuple[Any, ...]]] = {
    "console/datahub/linking/": [("get", "/console/datahub/linking/", None, DATA_ADMINS)],
    "console/datahub/linking/reviews/<int:review_id>/": [
        ("get", "/console/datahub/linking/reviews/{review}/", None, DATA_ADMINS),
        (
            "post",
            "/console/datahub/linking/reviews/{review}/",
            {"decision": "same", "note": "核对一致"},
            row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT, REDIRECT),
        ),
    ],
}
CASES = [(route, index) for route, cases in sorted(PAGES.items()) for index in range(len(cases))]
# Every console route of the data hub belongs to one page test's matrix, by its prefix.
MATRICES = {
    "console/datahub/catalog": "test_catalog_pages",
    "console/datahub/ingest": "test_ingestion_pages",
    "console/datahub/batches": "test_ingestion_pages",
    "console/datahub/conflicts": "test_authority_pages",
    "console/datahub/quality": "test_quality_pages",
    "console/datahub/linking": "test_linking_pages",
}


@pytest.fixture
def review(registries):
    """A pair between a person of the population registry (公安局) and a row of 民政局's roster."""
    person = people()[0]
    ingest_rows(actor=None, resource_slug="population", source_department_id=registries["police"], rows=[person])
    publish_roster(registries)
    roster_row = {
        "救助编号": "MB00001",
        "姓名": person["姓名"],
        "出生日期": person["出生日期"],
        "联系电话": "13700000001",
    }
    ingest_rows(actor=None, resource_slug="minimum-living", source_department_id=registries["civil"], rows=[roster_row])
    run = LinkRun.objects.create(kind=LinkKind.PERSONS, status="finished", sources=["population", "minimum-living"])
    return LinkReview.objects.create(
        run=run,
        kind=LinkKind.PERSONS,
        left_source="population",
        left_record=Record.objects.get(resource__slug="population").key,
        right_source="minimum-living",
        right_record="MB00001",
        match_weight=6.5,
        match_probability=0.9,
        reason="uncertain",
        comparison={"name": "exact", "birth_date": "exact", "phone": "different"},
    )


def test_every_datahub_console_route_is_in_a_matrix():
    routes = {route for route in url_routes() if route.startswith("console/datahub/")}
    unclaimed = {route for route in routes if not route.startswith(tuple(MATRICES))}
    assert unclaimed == set()
    assert {route for route in routes if route.startswith("console/datahub/linking")} == set(PAGES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("route", "index"), CASES)
def test_pages(clients, review, route, index, role):
    method, path, body, expected = PAGES[route][index]
    path = path.format(review=review.pk)
    client = clients(role)
    response = client.get(path) if method == "get" else client.post(path, body or {})
    assert response.status_code == expected[role], (method, path, role)


def test_the_pair_shows_both_records_and_the_read_is_audited(clients, review):
    page = clients("other_data_admin").get(f"/console/datahub/linking/reviews/{review.pk}/").content.decode()
    assert people()[0]["姓名"] in page and "13700000001" in page and people()[0]["联系电话"] in page
    event = AuditEvent.objects.get(action="datahub.link.review.read")
    assert event.object_id == str(review.pk) and "entity resolution" in event.purpose


def test_a_decided_pair_leaves_the_queue_and_cannot_be_decided_again(clients, review):
    client = clients("data_admin")
    assert f"/console/datahub/linking/reviews/{review.pk}/" in client.get("/console/datahub/linking/").content.decode()
    client.post(f"/console/datahub/linking/reviews/{review.pk}/", {"decision": "different"})
    review.refresh_from_db()
    assert review.decision == ReviewDecision.DIFFERENT
    assert f"/reviews/{review.pk}/" not in client.get("/console/datahub/linking/").content.decode()
    again = client.post(f"/console/datahub/linking/reviews/{review.pk}/", {"decision": "same"})
    assert again.status_code == FORBIDDEN


def test_a_missing_decision_is_shown_next_to_the_question(clients, review):
    response = clients("admin").post(f"/console/datahub/linking/reviews/{review.pk}/", {"decision": ""})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def test_departments_outside_the_pair_do_not_find_it(review, registries, make_staff):
    outsider = make_staff(registries["market"], (Role.DATA_ADMIN,), real_name="市场数据员")
    client = sign_in(Client(), outsider)
    assert client.get(f"/console/datahub/linking/reviews/{review.pk}/").status_code == NOT_FOUND
    assert f"/reviews/{review.pk}/" not in client.get("/console/datahub/linking/").content.decode()
