"""The Open311 server read by real HTTP clients against a live server: the `georeport` PyPI client (services,
definitions, requests with filters, one request; in JSON and XML) as a partner's software would use it, and a POST
with a real form-encoded body through `requests` (georeport cannot post), followed to its token and its request."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from georeport import GeoReport

from yiwang.cases.models import Case, Channel
from yiwang.cases.tests.test_open311 import COMMUNITY, REPORTER_NAME, REPORTER_PHONE, Open311World, open311_world

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

__all__ = ["open311_world"]  # the fixture, shared with the tests of the server itself

TIMEOUT = 10


def root_of(live_server: Any) -> str:
    return f"{live_server.url}/open311/v2"


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_reads_services_and_definitions(
    live_server: Any, open311_world: Open311World, output_format: str
) -> None:
    client = GeoReport(root_of(live_server), jurisdiction="minghu.gov.cn", output_format=output_format)
    services = client.get_service_list()
    assert [service["service_code"] for service in services] == ["010101", "010102", "0201", "04"]
    assert services[0]["service_name"] == "占道经营"
    assert services[0]["group"] == "城乡建设"
    assert str(services[0]["metadata"]).lower() == "true"

    definition = client.get_service_definition("010102")
    assert definition["service_code"] == "010102"
    attributes = definition["attributes"]
    if output_format == "xml":  # xmltodict keeps the wrapping elements
        attributes = attributes["attribute"]
    assert [attribute["code"] for attribute in attributes] == [
        "case_type",
        "hide_reporter",
        "division_code",
        "grid_cell",
    ]


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_reads_requests(live_server: Any, open311_world: Open311World, output_format: str) -> None:
    cases = open311_world.cases
    client = GeoReport(root_of(live_server), jurisdiction="minghu.gov.cn", output_format=output_format)

    found = client.get_service_requests()
    assert [item["service_request_id"] for item in found] == [
        cases["merged"].number,
        cases["open"].number,
        cases["uncategorised"].number,
        cases["concluded"].number,
        cases["hidden"].number,
    ]
    closed = client.get_service_requests(status="closed", service_code="010101,010102")
    assert [item["service_request_id"] for item in closed] == [cases["concluded"].number, cases["hidden"].number]
    by_id = client.get_service_requests(service_request_id=f"{cases['open'].number},{cases['concluded'].number}")
    assert [item["service_request_id"] for item in by_id] == [cases["open"].number, cases["concluded"].number]

    one = client.get_service_request(cases["open"].number)
    assert one["service_request_id"] == cases["open"].number
    assert (one["status"], one["service_code"], one["agency_responsible"]) == ("open", "010102", "清河区人民政府")
    assert one["address_id"] == COMMUNITY
    assert one["requested_datetime"].endswith("+08:00")
    for item in found:
        text = str(item)
        assert REPORTER_NAME not in text
        assert REPORTER_PHONE not in text
        assert "李秘密" not in text


def test_georeport_sees_the_spec_errors(live_server: Any, open311_world: Open311World) -> None:
    client = GeoReport(root_of(live_server), jurisdiction="minghu.gov.cn")
    with pytest.raises(requests.HTTPError) as caught:
        client.get_service_definition("999999")
    assert caught.value.response.status_code == 404
    assert caught.value.response.json() == [{"code": 404, "description": "service_code 999999 was not found."}]
    elsewhere = GeoReport(root_of(live_server), jurisdiction="sfgov.org")
    with pytest.raises(requests.HTTPError) as caught:
        elsewhere.get_service_list()
    assert caught.value.response.status_code == 404
    with pytest.raises(requests.HTTPError) as caught:
        client.get_service_requests(start_date="2026-01-01T00:00:00Z", end_date="2026-06-01T00:00:00Z")
    assert caught.value.response.status_code == 400


def test_a_partner_posts_form_encoded_and_follows_its_request(live_server: Any, open311_world: Open311World) -> None:
    root = root_of(live_server)
    body = {
        "api_key": open311_world.api_key,
        "jurisdiction_id": "minghu.gov.cn",
        "service_code": "010101",
        "lat": "34.75",
        "long": "113.62",
        "first_name": "小红",
        "last_name": "李",
        "phone": "13966667777",
        "description": "菜市场门口有人摆摊占道，车辆无法通行。",
        "attribute[case_type]": "complaint",
        "attribute[hide_reporter]": "true",
        "attribute[division_code]": COMMUNITY,
    }
    # `requests` sends a dict as application/x-www-form-urlencoded, UTF-8 percent-encoded: the spec's POST body.
    response = requests.post(f"{root}/requests.json", data=body, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    assert response.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    [receipt] = response.json()
    case = Case.objects.get(channel=Channel.OPEN311)
    assert receipt["service_request_id"] == case.number
    assert "token" not in receipt
    assert (case.category.code, case.hide_reporter, case.contact_name) == ("010101", True, "李小红")

    tokens = requests.get(f"{root}/tokens/{case.open311_token}.json", timeout=TIMEOUT).json()
    assert tokens == [{"service_request_id": case.number, "token": case.open311_token}]
    client = GeoReport(root, jurisdiction="minghu.gov.cn")
    one = client.get_service_request(case.number)
    assert (one["status"], one["service_code"], one["description"]) == ("open", "010101", None)
    assert "李小红" not in str(one) and "13966667777" not in str(one)

    refused = requests.post(f"{root}/requests.xml", data={**body, "api_key": "wrong"}, timeout=TIMEOUT)
    assert refused.status_code == 403
    assert refused.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert "<code>403</code>" in refused.text


def test_discovery_over_http(live_server: Any, open311_world: Open311World) -> None:
    document = requests.get(f"{root_of(live_server)}/discovery.json", timeout=TIMEOUT).json()
    [endpoint] = document["endpoints"]
    assert endpoint["url"] == f"{live_server.url}/open311/v2/"
    # The advertised URL is where a client finds the resources.
    services = GeoReport(endpoint["url"]).get_service_list()
    assert len(services) == 4
