"""The conflict pages: who may open and decide what, the three decisions, feedback (纠错) and the audited reads."""

from typing import Any

import pytest
from django.test import Client

from yiwang.conftest import sign_in, url_routes
from yiwang.core.audit.models import AuditEvent
from yiwang.datahub.models import Conflict, ConflictStatus
from yiwang.datahub.registries import POPULATION
from yiwang.datahub.tests.builders import ROLES, row
from yiwang.datahub.tests.test_authority import CIVIL_PHONE, POLICE_PHONE, phone_of_person_1
from yiwang.datahub.tests.test_quality import person, send
from yiwang.identity.roles import Role

OK, REDIRECT, BAD, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 403, 404, 405


DATA_ADMINS = row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK)

# route pattern → [(method, path, body, expected per role)]. 公安局 is the authority of population's phone;
# 民政局 sent the other value. "data_admin" is 公安局's data administrator, "other_data_admin" 民政局's.
PAGES: dict[str, list[tuple[Any, ...]]] = {
    "console/datahub/conflicts/": [("get", "/console/datahub/conflicts/", None, DATA_ADMINS)],
    "console/datahub/conflicts/feedback/": [("get", "/console/datahub/conflicts/feedback/", None, DATA_ADMINS)],
    "console/datahub/conflicts/<int:conflict_id>/": [
        ("get", "/console/datahub/conflicts/{conflict}/", None, DATA_ADMINS),
        (
            "post",
            "/console/datahub/conflicts/{conflict}/",
            {"outcome": "confirmed", "note": "以我方为准"},
            row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, REDIRECT),
        ),
    ],
}
CASES = [(route, index) for route, cases in sorted(PAGES.items()) for index in range(len(cases))]


@pytest.fixture
def conflict(registries):
    send(registries, "police", POPULATION, [person(1), person(2)])
    send(registries, "civil", POPULATION, [person(1, **{"联系电话": CIVIL_PHONE}), person(2)])
    return Conflict.objects.get()


def test_every_conflict_route_is_in_the_matrix():
    routes = {route for route in url_routes() if route.startswith("console/datahub/conflicts")}
    assert routes == set(PAGES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("route", "index"), CASES)
def test_pages(clients, conflict, route, index, role):
    method, path, body, expected = PAGES[route][index]
    client = clients(role)
    path = path.format(conflict=conflict.pk)
    response = client.get(path) if method == "get" else client.post(path, body or {})
    assert response.status_code == expected[role], (method, path, role)


def test_departments_outside_the_conflict_do_not_find_it(conflict, registries, make_staff):
    outsider = make_staff(registries["market"], (Role.DATA_ADMIN,), real_name="市场数据员")
    client = sign_in(Client(), outsider)
    assert client.get(f"/console/datahub/conflicts/{conflict.pk}/").status_code == NOT_FOUND
    assert client.post(f"/console/datahub/conflicts/{conflict.pk}/", {"outcome": "confirmed"}).status_code == (
        NOT_FOUND
    )
    assert client.get("/console/datahub/conflicts/999999/").status_code == NOT_FOUND


def main(response):
    page = response.content.decode()
    return page[page.index("<main") :]


def test_the_queue_is_the_authoritys_and_filters(clients, conflict):
    police = main(clients("data_admin").get("/console/datahub/conflicts/"))
    assert f"/console/datahub/conflicts/{conflict.pk}/" in police
    assert "139****9999" in police and CIVIL_PHONE not in police  # masked in the list
    civil = main(clients("other_data_admin").get("/console/datahub/conflicts/"))
    assert f"/console/datahub/conflicts/{conflict.pk}/" not in civil
    everyone = main(clients("admin").get("/console/datahub/conflicts/"))
    assert f"/console/datahub/conflicts/{conflict.pk}/" in everyone
    for query, shown in [
        ("?resource=population", True),
        ("?resource=indicators", False),
        ("?element=phone", True),
        ("?element=name", False),
        ("?status=confirmed", False),
        ("?status=nonsense", True),  # an unknown status falls back to open
    ]:
        page = main(clients("data_admin").get("/console/datahub/conflicts/" + query))
        assert (f"/console/datahub/conflicts/{conflict.pk}/" in page) is shown, query


def test_both_sides_read_both_values_in_clear_and_the_read_is_audited(clients, conflict, people):
    police = main(clients("data_admin").get(f"/console/datahub/conflicts/{conflict.pk}/"))
    assert POLICE_PHONE in police and CIVIL_PHONE in police
    assert person(1)["公民身份号码"] in police  # the record, so the authority can look it up at home
    assert 'name="outcome"' in police  # the authority decides
    civil = main(clients("other_data_admin").get(f"/console/datahub/conflicts/{conflict.pk}/"))
    assert POLICE_PHONE in civil and CIVIL_PHONE in civil
    assert 'name="outcome"' not in civil  # the other side only reads
    reads = AuditEvent.objects.filter(action="datahub.conflict.read").order_by("id")
    assert [(event.actor_id, event.object_id) for event in reads] == [
        (people["data_admin"].pk, str(conflict.pk)),
        (people["other_data_admin"].pk, str(conflict.pk)),
    ]
    assert {event.purpose for event in reads} == {"deciding a conflict between sources (一数一源)"}
    assert all(CIVIL_PHONE not in event.changes for event in reads)


@pytest.mark.parametrize(
    ("outcome", "label"),
    [
        (ConflictStatus.CONFIRMED, "Authoritative value confirmed"),
        (ConflictStatus.OTHER_WRONG, "The other source is wrong"),
    ],
)
def test_a_decision_leaves_the_record_and_reaches_the_other_department(clients, conflict, registries, outcome, label):
    response = clients("data_admin").post(
        f"/console/datahub/conflicts/{conflict.pk}/", {"outcome": outcome, "note": "请贵局核对号码"}
    )
    assert response.status_code == REDIRECT
    conflict.refresh_from_db()
    assert conflict.status == outcome
    assert phone_of_person_1() == (POLICE_PHONE, registries["police"])
    feedback = main(clients("other_data_admin").get("/console/datahub/conflicts/feedback/"))
    assert label in feedback and "请贵局核对号码" in feedback and "公安局" in feedback
    assert f"/console/datahub/conflicts/{conflict.pk}/" in feedback
    assert f"/console/datahub/conflicts/{conflict.pk}/" not in main(
        clients("data_admin").get("/console/datahub/conflicts/feedback/")
    )
    assert AuditEvent.objects.filter(action="datahub.conflict.resolve", object_id=str(conflict.pk)).count() == 1
    again = main(clients("data_admin").get(f"/console/datahub/conflicts/{conflict.pk}/"))
    assert 'name="outcome"' not in again and "请贵局核对号码" in again


def test_correcting_changes_the_record(clients, conflict, registries):
    response = clients("data_admin").post(
        f"/console/datahub/conflicts/{conflict.pk}/", {"outcome": "corrected", "value": "13700001111", "note": "已更正"}
    )
    assert response.status_code == REDIRECT
    assert phone_of_person_1() == ("13700001111", registries["police"])
    feedback = main(clients("other_data_admin").get("/console/datahub/conflicts/feedback/"))
    assert "Authoritative value corrected" in feedback


def test_a_decision_needs_an_outcome_and_a_valid_value(clients, conflict):
    response = clients("data_admin").post(f"/console/datahub/conflicts/{conflict.pk}/", {"note": "x"})
    assert response.status_code == BAD
    assert 'aria-invalid="true"' in response.content.decode()
    response = clients("data_admin").post(
        f"/console/datahub/conflicts/{conflict.pk}/", {"outcome": "corrected", "value": "not a phone"}
    )
    assert response.status_code == BAD
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.OPEN
    assert phone_of_person_1()[0] == POLICE_PHONE
