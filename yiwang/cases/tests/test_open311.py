"""The Open311 GeoReport v2 server: every resource in XML and JSON, the spec's filters and limits, POST with an API
key and attributes, every error path as the spec's error document, and what is never published (the reporter,
reports of wrongdoing).

`open311_world` makes a small taxonomy with the ORM and cases of several states with the ORM (so that statuses,
replies and clocks are set exactly); POSTed requests go through the lifecycle's `case_intake`.
"""

from __future__ import annotations

import datetime
import itertools
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.utils import timezone

from yiwang.cases.models import Case, CaseCategory, CaseEvent, CaseStatus, CaseType, Channel, EventKind, Open311Client
from yiwang.cases.open311.services import open311_client_create, open311_client_revoke
from yiwang.conftest import City
from yiwang.core.audit.models import AuditEvent
from yiwang.core.crypto import sm3_hex
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.identity.roles import Role
from yiwang.org.selectors import division_get

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"
COMMUNITY = "419802001001"
REPORTER_NAME = "欧阳明月"
REPORTER_PHONE = "13912345678"
_numbers = itertools.count(1)


@dataclass(frozen=True)
class Open311World:
    """The taxonomy's leaves and headings by code, the cases by a short name, a partner's API key."""

    categories: dict[str, CaseCategory]
    cases: dict[str, Case]
    api_key: str
    client_id: int


def category(code: str, name: str, parent: CaseCategory | None = None, **fields: Any) -> CaseCategory:
    return CaseCategory.objects.create(code=code, name=name, parent=parent, **fields)


def make_case(**fields: Any) -> Case:
    now = timezone.now()
    values: dict[str, Any] = {
        "number": f"20261207{next(_numbers):06d}",
        "case_type": CaseType.COMPLAINT,
        "channel": Channel.PHONE,
        "title": "路灯不亮",
        "content": "柳园社区3号楼前路灯坏了一个星期，晚上很黑。",
        "received_at": now - datetime.timedelta(hours=1),
        "updated_at": now - datetime.timedelta(minutes=30),
    }
    values.update(fields)
    return Case.objects.create(**values)


@pytest.fixture
def open311_world(city: City) -> Open311World:
    construction = category("01", "城乡建设")
    appearance = category("0101", "市容环境", construction)
    categories = {
        "010101": category("010101", "占道经营", appearance, keywords="摆摊\n占道\n", description="商贩占用道路经营"),
        "010102": category("010102", "路灯不亮", appearance),
        "010103": category("010103", "停用的分类", appearance, active=False),
    }
    utilities = category("02", "水电气暖")
    categories["0201"] = category("0201", "停水", utilities)
    withdrawn = category("03", "撤销的大类", active=False)
    categories["0301"] = category("0301", "撤销大类下的分类", withdrawn)
    # A heading whose only subcategory is out of use is a service itself, as intake takes it.
    heating = category("04", "供暖")
    category("0401", "停用的供暖分类", heating, active=False)
    categories["04"] = heating

    division_id = division_get(code=COMMUNITY).id
    now = timezone.now()
    lamp = categories["010102"]
    cases = {
        "open": make_case(
            category=lamp,
            division_id=division_id,
            address="清河区滨河街道柳园社区3号楼前",
            latitude="34.123456",
            longitude="113.654321",
            contact_name=REPORTER_NAME,
            contact_phone=REPORTER_PHONE,
            content=f"我是{REPORTER_NAME}，电话{REPORTER_PHONE}，3号楼前路灯坏了。",
            status=CaseStatus.IN_PROGRESS,
            lead_department_id=city.district_government,
            due_at=now + datetime.timedelta(days=10),
            service_notice="将在13个工作日内办结",
        ),
        "concluded": make_case(
            category=categories["010101"],
            division_id=division_id,
            contact_name="张伟",
            contact_phone="13800001111",
            status=CaseStatus.CONCLUDED,
            reply="张先生您好，城管执法队已劝离占道商贩。",
            lead_department_id=city.district_government,
            concluded_at=now - datetime.timedelta(minutes=10),
            received_at=now - datetime.timedelta(days=3),
        ),
        "hidden": make_case(
            category=lamp,
            division_id=division_id,
            address="柳园社区5号楼2单元301我家门口",
            latitude="31.987654",
            longitude="117.876543",
            contact_name="李秘密",
            contact_phone="13700002222",
            content="我是5号楼2单元301的住户，楼道灯坏了。",
            hide_reporter=True,
            status=CaseStatus.CLOSED,
            reply="李女士您好，已修复。",
            lead_department_id=city.district_government,
            concluded_at=now - datetime.timedelta(hours=2),
            closed_at=now - datetime.timedelta(minutes=5),
            received_at=now - datetime.timedelta(days=5),
        ),
        "report": make_case(
            category=lamp,
            case_type=CaseType.REPORT,
            content="举报某单位私接路灯电线。",
            received_at=now - datetime.timedelta(hours=2),
        ),
        "old": make_case(category=categories["0201"], received_at=now - datetime.timedelta(days=100)),
        "uncategorised": make_case(received_at=now - datetime.timedelta(days=1)),
    }
    cases["merged"] = make_case(
        category=lamp,
        status=CaseStatus.MERGED,
        merged_into=cases["open"],
        received_at=now - datetime.timedelta(minutes=50),
    )
    cases["merged_into_report"] = make_case(
        category=lamp, status=CaseStatus.MERGED, merged_into=cases["report"], received_at=now
    )
    client, key = open311_client_create(actor=None, name="明湖随手拍")
    return Open311World(categories=categories, cases=cases, api_key=key, client_id=client.pk)


def xml_of(response: Any) -> ElementTree.Element:
    """Our own server's answer, parsed (a trusted document, not external input)."""
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(response.content)  # noqa: S314 - our own output


def json_of(response: Any) -> Any:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def errors_of(response: Any, fmt: str) -> list[tuple[int, str]]:
    if fmt == "json":
        return [(item["code"], item["description"]) for item in json_of(response)]
    root = xml_of(response)
    assert root.tag == "errors"
    return [(int(error.findtext("code") or 0), error.findtext("description") or "") for error in root]


def numbers(response: Any) -> list[str]:
    return [item["service_request_id"] for item in json_of(response)]


# --- discovery and services ----------------------------------------------------------------------------------


def test_discovery_in_both_formats(client: Client) -> None:
    document = json_of(client.get(BASE + "discovery.json"))
    assert document == {
        "changeset": "2026-12-07T00:00:00+08:00",
        "contact": "12345政务服务便民热线 (12345 hotline centre), dial 12345",
        "key_service": (
            "API keys for posting requests are issued by the platform's administrators at the 12345 hotline centre "
            "(12345热线中心) to partner systems on request."
        ),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": "http://testserver/open311/v2/",
                "changeset": "2026-12-07T00:00:00+08:00",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    root = xml_of(client.get(BASE + "discovery.xml"))
    assert root.tag == "discovery"
    endpoint = root.find("endpoints/endpoint")
    assert endpoint is not None
    assert endpoint.findtext("url") == "http://testserver/open311/v2/"
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("type") == "production"
    assert [item.text for item in endpoint.findall("formats/format")] == ["text/xml", "application/json"]


def test_discovery_reads_the_settings(client: Client, settings: Any) -> None:
    settings.YIWANG_OPEN311_CONTACT = "明湖市12345热线"
    settings.YIWANG_OPEN311_KEY_SERVICE = "Write to open311@minghu.gov.cn"
    document = json_of(client.get(BASE + "discovery.json"))
    assert (document["contact"], document["key_service"]) == ("明湖市12345热线", "Write to open311@minghu.gov.cn")


def test_services_are_the_active_leaf_categories(client: Client, open311_world: Open311World) -> None:
    expected = [
        {
            "service_code": "010101",
            "service_name": "占道经营",
            "description": "商贩占用道路经营",
            "metadata": True,
            "type": "realtime",
            "keywords": "摆摊, 占道",
            "group": "城乡建设",
        },
        {
            "service_code": "010102",
            "service_name": "路灯不亮",
            "description": "路灯不亮",
            "metadata": True,
            "type": "realtime",
            "keywords": "",
            "group": "城乡建设",
        },
        {
            "service_code": "0201",
            "service_name": "停水",
            "description": "停水",
            "metadata": True,
            "type": "realtime",
            "keywords": "",
            "group": "水电气暖",
        },
        {
            "service_code": "04",
            "service_name": "供暖",
            "description": "供暖",
            "metadata": True,
            "type": "realtime",
            "keywords": "",
            "group": "",
        },
    ]
    assert json_of(client.get(BASE + "services.json")) == expected
    root = xml_of(client.get(BASE + "services.xml"))
    assert root.tag == "services"
    services = root.findall("service")
    assert [service.findtext("service_code") for service in services] == ["010101", "010102", "0201", "04"]
    first = services[0]
    assert {child.tag: child.text for child in first} == {
        "service_code": "010101",
        "service_name": "占道经营",
        "description": "商贩占用道路经营",
        "metadata": "true",
        "type": "realtime",
        "keywords": "摆摊, 占道",
        "group": "城乡建设",
    }


def test_service_definition_in_both_formats(client: Client, open311_world: Open311World) -> None:
    document = json_of(client.get(BASE + "services/010102.json"))
    assert document["service_code"] == "010102"
    attributes = document["attributes"]
    assert [attribute["code"] for attribute in attributes] == [
        "case_type",
        "hide_reporter",
        "division_code",
        "grid_cell",
    ]
    assert [attribute["order"] for attribute in attributes] == [1, 2, 3, 4]
    case_type = attributes[0]
    assert (case_type["datatype"], case_type["required"], case_type["variable"]) == ("singlevaluelist", True, True)
    assert case_type["values"] == [
        {"key": "consultation", "name": "咨询"},
        {"key": "help", "name": "求助"},
        {"key": "complaint", "name": "投诉"},
        {"key": "report", "name": "举报"},
        {"key": "suggestion", "name": "建议"},
        {"key": "praise", "name": "表扬"},
    ]
    assert attributes[1]["values"] == [{"key": "true", "name": "是 (yes)"}, {"key": "false", "name": "否 (no)"}]
    assert (attributes[2]["datatype"], attributes[2]["required"], attributes[2]["values"]) == ("string", False, [])
    assert (attributes[3]["datatype"], attributes[3]["required"]) == ("string", False)

    root = xml_of(client.get(BASE + "services/010102.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "010102"
    xml_attributes = root.findall("attributes/attribute")
    assert [attribute.findtext("code") for attribute in xml_attributes] == [
        "case_type",
        "hide_reporter",
        "division_code",
        "grid_cell",
    ]
    assert xml_attributes[0].findtext("required") == "true"
    assert xml_attributes[0].findtext("datatype") == "singlevaluelist"
    assert [value.findtext("key") for value in xml_attributes[0].findall("values/value")] == [
        "consultation",
        "help",
        "complaint",
        "report",
        "suggestion",
        "praise",
    ]
    assert xml_attributes[2].find("values") is not None
    assert list(xml_attributes[2].find("values") or []) == []


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("code", ["999999", "01", "0101", "010103", "0301", "0401"])
def test_service_definition_of_no_service_is_404(
    client: Client, open311_world: Open311World, code: str, fmt: str
) -> None:
    response = client.get(f"{BASE}services/{code}.{fmt}")
    assert response.status_code == 404
    assert errors_of(response, fmt) == [(404, f"service_code {code} was not found.")]


# --- GET requests --------------------------------------------------------------------------------------------


def test_requests_json_fields_of_an_open_case(client: Client, open311_world: Open311World, city: City) -> None:
    case = open311_world.cases["open"]
    found = json_of(client.get(BASE + "requests.json"))
    item = next(item for item in found if item["service_request_id"] == case.number)
    assert item == {
        "service_request_id": case.number,
        "status": "open",
        "status_notes": None,
        "service_name": "路灯不亮",
        "service_code": "010102",
        "description": "我是****，电话139****5678，3号楼前路灯坏了。",
        "agency_responsible": "清河区人民政府",
        "service_notice": "将在13个工作日内办结",
        "requested_datetime": timezone.localtime(case.received_at).isoformat(timespec="seconds"),
        "updated_datetime": timezone.localtime(case.updated_at).isoformat(timespec="seconds"),
        "expected_datetime": timezone.localtime(case.due_at).isoformat(timespec="seconds"),
        "address": "清河区滨河街道柳园社区3号楼前",
        "address_id": COMMUNITY,
        "zipcode": None,
        "lat": 34.123456,
        "long": 113.654321,
        "media_url": None,
    }
    assert item["requested_datetime"].endswith("+08:00")


def test_requests_xml_carries_the_same(client: Client, open311_world: Open311World) -> None:
    case = open311_world.cases["open"]
    root = xml_of(client.get(BASE + "requests.xml"))
    assert root.tag == "service_requests"
    request = next(item for item in root.findall("request") if item.findtext("service_request_id") == case.number)
    fields = {child.tag: child.text for child in request}
    assert fields == {
        "service_request_id": case.number,
        "status": "open",
        "status_notes": None,
        "service_name": "路灯不亮",
        "service_code": "010102",
        "description": "我是****，电话139****5678，3号楼前路灯坏了。",
        "agency_responsible": "清河区人民政府",
        "service_notice": "将在13个工作日内办结",
        "requested_datetime": timezone.localtime(case.received_at).isoformat(timespec="seconds"),
        "updated_datetime": timezone.localtime(case.updated_at).isoformat(timespec="seconds"),
        "expected_datetime": timezone.localtime(case.due_at).isoformat(timespec="seconds"),
        "address": "清河区滨河街道柳园社区3号楼前",
        "address_id": COMMUNITY,
        "zipcode": None,
        "lat": "34.123456",
        "long": "113.654321",
        "media_url": None,
    }


def test_requests_default_to_the_last_90_days_newest_first_without_reports(
    client: Client, open311_world: Open311World
) -> None:
    cases = open311_world.cases
    assert numbers(client.get(BASE + "requests.json")) == [
        cases["merged"].number,
        cases["open"].number,
        cases["uncategorised"].number,
        cases["concluded"].number,
        cases["hidden"].number,
    ]


def test_a_concluded_case_is_closed_with_the_reply_without_the_reporter(
    client: Client, open311_world: Open311World
) -> None:
    case = open311_world.cases["concluded"]
    [item] = json_of(client.get(f"{BASE}requests/{case.number}.json"))
    assert item["status"] == "closed"
    assert item["status_notes"] == "*先生您好，城管执法队已劝离占道商贩。"
    assert item["updated_datetime"] == timezone.localtime(case.concluded_at).isoformat(timespec="seconds")
    assert item["description"] == case.content
    assert item["address"] == "柳园社区"  # no address given: the division's name


def test_a_hidden_reporter_is_not_published(client: Client, open311_world: Open311World) -> None:
    case = open311_world.cases["hidden"]
    for fmt in ("json", "xml"):
        body = client.get(f"{BASE}requests.{fmt}").content.decode()
        for secret in ("李秘密", "13700002222", "5号楼2单元301", "31.98", "117.87", "李女士", "已修复"):
            assert secret not in body
    [item] = json_of(client.get(f"{BASE}requests/{case.number}.json"))
    assert item["status"] == "closed"
    assert (item["description"], item["status_notes"], item["lat"], item["long"]) == (None, None, None, None)
    assert item["address"] == "柳园社区"
    assert item["address_id"] == COMMUNITY


def test_no_reporter_name_or_phone_anywhere(client: Client, open311_world: Open311World) -> None:
    for fmt in ("json", "xml"):
        body = client.get(f"{BASE}requests.{fmt}").content.decode()
        for secret in (REPORTER_NAME, REPORTER_PHONE, "张伟", "13800001111", "张先生"):
            assert secret not in body


def test_reports_of_wrongdoing_are_never_published(client: Client, open311_world: Open311World) -> None:
    report = open311_world.cases["report"]
    for fmt in ("json", "xml"):
        assert client.get(f"{BASE}requests/{report.number}.{fmt}").status_code == 404
        merged = open311_world.cases["merged_into_report"]
        assert client.get(f"{BASE}requests/{merged.number}.{fmt}").status_code == 404
    found = numbers(client.get(f"{BASE}requests.json?service_request_id={report.number}"))
    assert found == []


def test_a_merged_case_shows_the_main_case(client: Client, open311_world: Open311World) -> None:
    merged = open311_world.cases["merged"]
    [item] = json_of(client.get(f"{BASE}requests/{merged.number}.json"))
    assert (item["status"], item["agency_responsible"]) == ("open", "清河区人民政府")
    main = open311_world.cases["open"]
    assert item["expected_datetime"] == timezone.localtime(main.due_at).isoformat(timespec="seconds")

    Case.objects.filter(pk=main.pk).update(
        status=CaseStatus.CONCLUDED, reply="路灯已修复。", concluded_at=timezone.now()
    )
    [item] = json_of(client.get(f"{BASE}requests/{merged.number}.json"))
    assert (item["status"], item["status_notes"]) == ("closed", "路灯已修复。")
    closed = numbers(client.get(BASE + "requests.json?status=closed"))
    assert merged.number in closed


def test_status_filter(client: Client, open311_world: Open311World) -> None:
    cases = open311_world.cases
    assert numbers(client.get(BASE + "requests.json?status=open")) == [
        cases["merged"].number,
        cases["open"].number,
        cases["uncategorised"].number,
    ]
    assert numbers(client.get(BASE + "requests.json?status=closed")) == [
        cases["concluded"].number,
        cases["hidden"].number,
    ]
    assert len(numbers(client.get(BASE + "requests.json?status=open,closed"))) == 5
    assert len(numbers(client.get(BASE + "requests.json?status=CLOSED&status="))) == 2


def test_service_code_filter(client: Client, open311_world: Open311World) -> None:
    cases = open311_world.cases
    assert numbers(client.get(BASE + "requests.json?service_code=010101,0201")) == [cases["concluded"].number]
    assert numbers(client.get(BASE + "requests.json?service_code=010101&service_code=010102&status=closed")) == [
        cases["concluded"].number,
        cases["hidden"].number,
    ]
    assert numbers(client.get(BASE + "requests.json?service_code=")) == numbers(client.get(BASE + "requests.json"))


def test_service_request_id_overrides_every_other_filter(client: Client, open311_world: Open311World) -> None:
    cases = open311_world.cases
    query = f"service_request_id={cases['old'].number},{cases['concluded'].number},NOPE&status=open&service_code=9"
    assert numbers(client.get(BASE + "requests.json?" + query)) == [cases["concluded"].number, cases["old"].number]


def test_the_90_day_window(client: Client, open311_world: Open311World) -> None:
    old = open311_world.cases["old"]
    received = timezone.localtime(old.received_at)
    start = (received - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S%z")
    start = start[:-2] + ":" + start[-2:]
    assert numbers(client.get(BASE + "requests.json", {"start_date": start})) == [old.number]
    end = (received + datetime.timedelta(days=89)).isoformat(timespec="seconds")
    assert numbers(client.get(BASE + "requests.json", {"end_date": end})) == [old.number]
    both = {"start_date": start, "end_date": (received + datetime.timedelta(days=88)).isoformat()}
    assert numbers(client.get(BASE + "requests.json", both)) == [old.number]

    too_long = {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-01T00:00:01Z"}
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}requests.{fmt}", too_long)
        assert response.status_code == 400
        assert errors_of(response, fmt) == [(400, "start_date and end_date may not span more than 90 days.")]
    exactly = {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-01T00:00:00Z"}
    assert client.get(BASE + "requests.json", exactly).status_code == 200
    backwards = client.get(BASE + "requests.json", {"start_date": "2026-02-01", "end_date": "2026-01-01"})
    assert errors_of(backwards, "json") == [(400, "start_date is after end_date.")]


def test_w3c_dates_in_every_form(client: Client, open311_world: Open311World) -> None:
    concluded = open311_world.cases["concluded"]
    day = timezone.localtime(concluded.received_at).date()
    for start in (
        day.isoformat(),
        f"{day.isoformat()}T00:00:00+08:00",
        f"{day.isoformat()}T00:00:00 08:00",  # a "+" the client did not encode
        f"{(day - datetime.timedelta(days=1)).isoformat()}T16:00:00Z",
        f"{day.isoformat()}T00:00",
    ):
        found = numbers(
            client.get(BASE + "requests.json", {"start_date": start, "end_date": f"{day.isoformat()}T23:59:59+08:00"})
        )
        assert found == [concluded.number], start


@pytest.mark.parametrize(
    ("query", "description"),
    [
        ("start_date=yesterday", "start_date is not a valid date and time. Use the W3C format, for example "),
        ("end_date=2026-13-45T00:00:00Z", "end_date is not a valid date and time. Use the W3C format, for example "),
        ("start_date=2026-02-30", "start_date is not a valid date and time. Use the W3C format, for example "),
        ("end_date=2026-01-01T00:00:00%2B99:00", "end_date is not a valid date and time."),
        ("status=pending", "status must be open, closed or both (comma separated), not pending."),
        ("page=0", "page must be a positive whole number."),
        ("page=-1", "page must be a positive whole number."),
        ("page=１", "page must be a positive whole number."),
        ("page_size=abc", "page_size must be a positive whole number."),
        ("page_size=1001", "page_size may not exceed 1000."),
        ("page=99999999999", "page must be a positive whole number."),
        ("service_code=" + "1" * 41, "service_code has a value longer than 40 characters."),
    ],
)
def test_bad_request_arguments_are_400(
    client: Client, open311_world: Open311World, query: str, description: str
) -> None:
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}requests.{fmt}?{query}")
        assert response.status_code == 400
        [(code, text)] = errors_of(response, fmt)
        assert code == 400
        assert text.startswith(description)


def test_pages_and_the_limit(client: Client, open311_world: Open311World, settings: Any) -> None:
    every = numbers(client.get(BASE + "requests.json"))
    assert numbers(client.get(BASE + "requests.json?page_size=2")) == every[:2]
    assert numbers(client.get(BASE + "requests.json?page_size=2&page=2")) == every[2:4]
    assert numbers(client.get(BASE + "requests.json?page_size=2&page=3")) == every[4:]
    assert numbers(client.get(BASE + "requests.json?page_size=2&page=4")) == []
    settings.YIWANG_OPEN311_MAX_REQUESTS = 3
    assert numbers(client.get(BASE + "requests.json")) == every[:3]
    assert numbers(client.get(BASE + "requests.json?page=2")) == every[3:]
    assert client.get(BASE + "requests.json?page_size=4").status_code == 400


def test_empty_lists(client: Client, open311_world: Open311World) -> None:
    assert json_of(client.get(BASE + "requests.json?service_code=0201")) == []
    root = xml_of(client.get(BASE + "requests.xml?service_code=0201"))
    assert (root.tag, list(root)) == ("service_requests", [])


def test_one_request_in_both_formats(client: Client, open311_world: Open311World) -> None:
    case = open311_world.cases["open"]
    [item] = json_of(client.get(f"{BASE}requests/{case.number}.json"))
    assert item["service_request_id"] == case.number
    root = xml_of(client.get(f"{BASE}requests/{case.number}.xml"))
    assert [request.findtext("service_request_id") for request in root.findall("request")] == [case.number]
    # Older than 90 days: still there by its id.
    old = open311_world.cases["old"]
    [item] = json_of(client.get(f"{BASE}requests/{old.number}.json"))
    assert (item["service_code"], item["service_name"], item["status"]) == ("0201", "停水", "open")
    # Not yet categorised: no service.
    [item] = json_of(client.get(f"{BASE}requests/{open311_world.cases['uncategorised'].number}.json"))
    assert (item["service_code"], item["service_name"]) == (None, None)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_request_and_token_are_404(client: Client, open311_world: Open311World, fmt: str) -> None:
    response = client.get(f"{BASE}requests/20990101000001.{fmt}")
    assert (response.status_code, errors_of(response, fmt)) == (
        404,
        [(404, "service_request_id 20990101000001 was not found.")],
    )
    response = client.get(f"{BASE}tokens/nope.{fmt}")
    assert (response.status_code, errors_of(response, fmt)) == (404, [(404, "token nope was not found.")])


# --- jurisdiction, formats, methods, paths -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_jurisdiction(client: Client, open311_world: Open311World, settings: Any, fmt: str) -> None:
    assert client.get(f"{BASE}services.{fmt}?jurisdiction_id=minghu.gov.cn").status_code == 200
    assert client.get(f"{BASE}services.{fmt}?jurisdiction_id=").status_code == 200
    response = client.get(f"{BASE}services.{fmt}?jurisdiction_id=sfgov.org")
    assert response.status_code == 404
    assert errors_of(response, fmt) == [
        (404, "jurisdiction_id sfgov.org was not found: this endpoint serves minghu.gov.cn.")
    ]
    settings.YIWANG_OPEN311_JURISDICTION = "example.gov.cn"
    assert client.get(f"{BASE}requests.{fmt}?jurisdiction_id=example.gov.cn").status_code == 200
    assert client.get(f"{BASE}requests.{fmt}?jurisdiction_id=minghu.gov.cn").status_code == 404


def test_unknown_format_and_paths(client: Client, open311_world: Open311World) -> None:
    response = client.get(BASE + "services.html")
    assert response.status_code == 400
    assert errors_of(response, "xml") == [(400, "Unknown format html: use .xml or .json.")]
    for path in ("services", "nothing.json", "services/010102", "requests/1/2.json", "", "tokens/.json"):
        response = client.get(BASE + path)
        assert response.status_code == 404, path
        fmt = "json" if path.endswith(".json") else "xml"
        assert errors_of(response, fmt) == [(404, "No such Open311 resource: see discovery.xml.")]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("post", "services.json", "GET, HEAD"),
        ("put", "requests.json", "GET, HEAD, POST"),
        ("delete", "requests/1.xml", "GET, HEAD"),
        ("post", "discovery.xml", "GET, HEAD"),
        ("post", "tokens/abc.json", "GET, HEAD"),
        ("patch", "services/010102.json", "GET, HEAD"),
    ],
)
def test_wrong_method_is_405(client: Client, open311_world: Open311World, method: str, path: str, allowed: str) -> None:
    response = getattr(client, method)(BASE + path)
    assert response.status_code == 405
    assert response["Allow"] == allowed
    fmt = path.rsplit(".", 1)[1]
    [(code, _description)] = errors_of(response, fmt)
    assert code == 405


def test_answers_are_english_whatever_the_language(client: Client, open311_world: Open311World) -> None:
    response = client.get(BASE + "requests/1.json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert errors_of(response, "json") == [(404, "service_request_id 1 was not found.")]


# --- POST requests -------------------------------------------------------------------------------------------


FORM = "application/x-www-form-urlencoded; charset=utf-8"


def post(client: Client, fmt: str = "json", **fields: Any) -> Any:
    """A form-encoded POST, as the spec has it (lists become repeated fields)."""
    return client.post(f"{BASE}requests.{fmt}", urlencode(fields, doseq=True), content_type=FORM)


def valid_fields(world: Open311World, **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "api_key": world.api_key,
        "jurisdiction_id": "minghu.gov.cn",
        "service_code": "010102",
        "lat": "34.5",
        "long": "113.25",
        "address_string": "清河区滨河街道柳园社区7号楼",
        "first_name": "小明",
        "last_name": "王",
        "phone": "13955556666",
        "email": "xiaoming@example.com",
        "device_id": "dev-1",
        "account_id": "acct-42",
        "description": "7号楼前路灯不亮，已经三天了。\n请尽快修理。",
        "media_url": "https://photos.example.com/lamp.jpg",
        "attribute[case_type]": "help",
        "attribute[hide_reporter]": "false",
        "attribute[division_code]": COMMUNITY,
    }
    fields.update(changes)
    return {name: value for name, value in fields.items() if value is not None}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_creates_a_case(open311_world: Open311World, fmt: str) -> None:
    client = Client(enforce_csrf_checks=True)  # partners have no session nor CSRF token: the api_key is enough
    response = post(client, fmt, **valid_fields(open311_world))
    assert response.status_code == 200
    case = Case.objects.get(channel=Channel.OPEN311)
    notice = "您的诉求已由12345热线受理，将按规定时限交承办单位办理并答复。"
    if fmt == "json":
        assert json_of(response) == [
            {"service_request_id": case.number, "service_notice": notice, "account_id": "acct-42"}
        ]
    else:
        root = xml_of(response)
        assert root.tag == "service_requests"
        [request] = root.findall("request")
        assert {child.tag: child.text for child in request} == {
            "service_request_id": case.number,
            "service_notice": notice,
            "account_id": "acct-42",
        }
    assert "token" not in response.content.decode()  # the spec: never both the id and a token
    assert case.case_type == CaseType.HELP
    assert case.category.code == "010102"
    assert case.content == "7号楼前路灯不亮，已经三天了。\n请尽快修理。"
    assert (case.contact_name, case.contact_phone, case.hide_reporter) == ("王小明", "13955556666", False)
    assert case.division.code == COMMUNITY
    assert (str(case.latitude), str(case.longitude)) == ("34.500000", "113.250000")
    assert case.address == "清河区滨河街道柳园社区7号楼"
    assert case.status == CaseStatus.RECEIVED
    assert len(case.open311_token) == 32
    event = CaseEvent.objects.get(case=case, kind=EventKind.RECEIVED)
    assert event.data["open311"] == {
        "client_id": open311_world.client_id,
        "client": "明湖随手拍",
        "account_id": "acct-42",
        "device_id": "dev-1",
        "media_url": "https://photos.example.com/lamp.jpg",
    }
    assert AuditEvent.objects.filter(action="cases.open311.request_received", object_id=case.number).count() == 1

    # The token leads to the id; the request is public at once, with the partner's media and without the reporter.
    tokens = json_of(Client().get(f"{BASE}tokens/{case.open311_token}.json"))
    assert tokens == [{"service_request_id": case.number, "token": case.open311_token}]
    root = xml_of(Client().get(f"{BASE}tokens/{case.open311_token}.xml"))
    assert root.findtext("request/service_request_id") == case.number
    [item] = json_of(Client().get(f"{BASE}requests/{case.number}.json"))
    assert (item["status"], item["service_code"], item["media_url"]) == (
        "open",
        "010102",
        "https://photos.example.com/lamp.jpg",
    )
    assert item["service_notice"] == notice


def test_post_with_the_least(client: Client, open311_world: Open311World) -> None:
    response = post(client, api_key=open311_world.api_key, service_code="0201", address_id=COMMUNITY)
    assert response.status_code == 200
    case = Case.objects.get(channel=Channel.OPEN311)
    assert json_of(response) == [
        {
            "service_request_id": case.number,
            "service_notice": "您的诉求已由12345热线受理，将按规定时限交承办单位办理并答复。",
            "account_id": None,
        }
    ]
    # No description: the service's name says what it is about; no type: a complaint.
    assert (case.content, case.case_type, case.division.code) == ("停水", CaseType.COMPLAINT, COMMUNITY)
    assert (case.contact_name, case.contact_phone) == ("", "")


def test_post_attributes_as_lists_and_a_hidden_reporter(client: Client, open311_world: Open311World) -> None:
    fields = valid_fields(open311_world)
    fields.pop("attribute[case_type]")
    fields.pop("attribute[hide_reporter]")
    fields["attribute[case_type][]"] = ["suggestion"]
    fields["attribute[hide_reporter][]"] = "true"
    fields["first_name"], fields["last_name"] = "John", "Smith"
    response = post(client, **fields)
    assert response.status_code == 200
    case = Case.objects.get(channel=Channel.OPEN311)
    assert (case.case_type, case.hide_reporter, case.contact_name) == (CaseType.SUGGESTION, True, "John Smith")
    [item] = json_of(client.get(f"{BASE}requests/{case.number}.json"))
    assert (item["description"], item["lat"], item["media_url"]) == (None, None, None)
    assert item["address"] == "柳园社区"


def test_a_reported_wrongdoing_is_taken_but_not_published(client: Client, open311_world: Open311World) -> None:
    response = post(client, **valid_fields(open311_world, **{"attribute[case_type]": "report"}))
    [receipt] = json_of(response)
    case = Case.objects.get(number=receipt["service_request_id"])
    assert case.case_type == CaseType.REPORT
    assert client.get(f"{BASE}requests/{case.number}.json").status_code == 404


@pytest.mark.parametrize(
    ("changes", "status", "description"),
    [
        ({"api_key": None}, 403, "Invalid or missing api_key: a valid key is required to post service requests."),
        ({"api_key": "guess"}, 403, "Invalid or missing api_key: a valid key is required to post service requests."),
        ({"api_key": ""}, 403, "Invalid or missing api_key: a valid key is required to post service requests."),
        ({"jurisdiction_id": "sfgov.org"}, 404, "jurisdiction_id sfgov.org was not found: this endpoint serves "),
        ({"service_code": None}, 400, "service_code is required."),
        ({"service_code": " "}, 400, "service_code is required."),
        ({"service_code": "999"}, 404, "service_code 999 was not found."),
        ({"service_code": "01"}, 404, "service_code 01 was not found."),
        ({"service_code": "010103"}, 404, "service_code 010103 was not found."),
        (
            {"lat": None, "long": None, "address_string": None, "attribute[division_code]": None},
            400,
            "A location is required: lat and long, or address_string, or address_id.",
        ),
        ({"long": None}, 400, "lat and long must be sent together."),
        ({"lat": "north"}, 400, "lat must be a decimal number (WGS84 degrees)."),
        ({"lat": "NaN"}, 400, "lat must be a decimal number (WGS84 degrees)."),
        ({"long": "Infinity"}, 400, "long must be a decimal number (WGS84 degrees)."),
        ({"lat": "1e999999999"}, 400, "lat must lie between -90 and 90."),
        ({"long": "-180.5"}, 400, "long must lie between -180 and 180."),
        ({"description": "路" * 4001}, 400, "description is too long: at most 4000 characters, 4001 sent."),
        ({"description": "灯坏了<script>alert(1)</script>"}, 400, "description may not contain HTML or code"),
        ({"description": '<a href="x">链接</a>'}, 400, "description may not contain HTML or code"),
        ({"address_string": "路" * 201}, 400, "address_string is too long: at most 200 characters."),
        ({"first_name": "名" * 51}, 400, "first_name is too long: at most 50 characters."),
        ({"account_id": "a" * 101}, 400, "account_id is too long: at most 100 characters."),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url must be an http or https URL."),
        ({"media_url": "https://" + "a" * 500}, 400, "media_url is too long: at most 500 characters."),
        ({"email": "not-an-address"}, 400, "email is not a valid e-mail address."),
        ({"phone": "12345"}, 400, "phone: "),
        ({"attribute[case_type]": "rumour"}, 400, "attribute[case_type] must be one of: consultation, help, "),
        ({"attribute[hide_reporter]": "yes"}, 400, "attribute[hide_reporter] must be one of: true, false."),
        ({"attribute[case_type]": ["help", "praise"]}, 400, "attribute[case_type] takes one value."),
        ({"attribute[colour]": "red"}, 400, "attribute[colour] is not an attribute of this service (known: "),
        ({"attribute[case_type": "help"}, 400, "attribute[case_type is not an attribute: send attribute[code]=value."),
        ({"attribute[division_code]": "419802999999"}, 400, "attribute[division_code]: There is no division with "),
        ({"attribute[division_code]": "1" * 17}, 400, "attribute[division_code] is too long: at most 16 characters."),
        ({"attribute[grid_cell]": "41980200100199"}, 400, "attribute[grid_cell]: There is no grid cell with the code"),
        ({"address_id": "1" * 17}, 400, "address_id is too long: at most 16 characters."),
    ],
)
def test_post_errors(
    client: Client, open311_world: Open311World, changes: dict[str, Any], status: int, description: str
) -> None:
    for fmt in ("json", "xml"):
        response = post(client, fmt, **valid_fields(open311_world, **changes))
        assert response.status_code == status, response.content
        [(code, text)] = errors_of(response, fmt)
        assert code == status
        assert text.startswith(description), text
    assert not Case.objects.filter(channel=Channel.OPEN311).exists()


def test_post_with_a_revoked_key_is_403(client: Client, open311_world: Open311World) -> None:
    open311_client_revoke(actor=None, client_id=open311_world.client_id)
    response = post(client, **valid_fields(open311_world))
    assert response.status_code == 403


def test_post_must_be_form_encoded(client: Client, open311_world: Open311World) -> None:
    body = json.dumps(valid_fields(open311_world))
    response = client.post(BASE + "requests.json", body, content_type="application/json")
    assert response.status_code == 400
    assert errors_of(response, "json") == [
        (400, "Send the request form-encoded: application/x-www-form-urlencoded; charset=utf-8.")
    ]


def test_post_as_multipart_is_read_too(client: Client, open311_world: Open311World) -> None:
    from django.test.client import MULTIPART_CONTENT

    response = client.post(BASE + "requests.json", valid_fields(open311_world), content_type=MULTIPART_CONTENT)
    assert response.status_code == 200


def test_post_body_too_large_is_400(client: Client, open311_world: Open311World, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    fields = valid_fields(open311_world, description="路" * 900)
    response = post(client, **fields)
    assert response.status_code == 400
    assert errors_of(response, "json") == [(400, "The request body is too large.")]


def test_post_with_too_many_fields_is_400(client: Client, open311_world: Open311World, settings: Any) -> None:
    # The NUL check of the core's middleware reads the form first: Django's 400 answers before any view.
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    fields = valid_fields(open311_world, **{f"extra{index}": "x" for index in range(30)})
    response = post(client, "xml", **fields)
    assert response.status_code == 400


def test_control_characters_never_break_the_xml(client: Client, open311_world: Open311World) -> None:
    fields = valid_fields(open311_world, description="路灯\x01坏了\x1f\ufffe")
    [receipt] = json_of(post(client, **fields))
    root = xml_of(client.get(f"{BASE}requests/{receipt['service_request_id']}.xml"))
    assert root.findtext("request/description") == "路灯坏了"


# --- client keys ---------------------------------------------------------------------------------------------


def test_client_create_keeps_only_the_digest(city: City, make_staff: Any) -> None:
    admin = make_staff(city.big_data_bureau, (Role.PLATFORM_ADMIN,))
    client, key = open311_client_create(actor=admin, name="  明湖随手拍  ", department_id=city.big_data_bureau)
    stored = Open311Client.objects.get(pk=client.pk)
    assert (stored.name, stored.department_id, stored.active) == ("明湖随手拍", city.big_data_bureau, True)
    assert stored.key_digest == sm3_hex(key.encode())
    assert key not in stored.key_digest
    assert len(key) >= 43
    event = AuditEvent.objects.get(action="cases.open311_client.create")
    assert key not in event.changes
    with pytest.raises(Conflict):
        open311_client_create(actor=admin, name="明湖随手拍")
    with pytest.raises(ValidationFailed):
        open311_client_create(actor=admin, name=" ")
    with pytest.raises(ValidationFailed):
        open311_client_create(actor=admin, name="x", department_id=987654)


def test_only_platform_administrators_manage_keys(city: City, make_staff: Any) -> None:
    dispatcher = make_staff(city.big_data_bureau, (Role.DISPATCHER,))
    with pytest.raises(PermissionDenied):
        open311_client_create(actor=dispatcher, name="随手拍")
    client, _key = open311_client_create(actor=None, name="随手拍")
    with pytest.raises(PermissionDenied):
        open311_client_revoke(actor=dispatcher, client_id=client.pk)


def test_client_revoke(city: City, make_staff: Any) -> None:
    admin = make_staff(city.big_data_bureau, (Role.PLATFORM_ADMIN,))
    client, _key = open311_client_create(actor=admin, name="随手拍")
    revoked = open311_client_revoke(actor=admin, client_id=client.pk)
    assert revoked.active is False
    assert AuditEvent.objects.filter(action="cases.open311_client.revoke").count() == 1
    with pytest.raises(Conflict):
        open311_client_revoke(actor=admin, client_id=client.pk)
    with pytest.raises(NotFound):
        open311_client_revoke(actor=admin, client_id=987654)
    # A new client may take the name of a revoked one.
    open311_client_create(actor=admin, name="随手拍")


@pytest.mark.parametrize(
    "query",
    [
        "start_date=0001-01-01T00:00:00Z",
        "end_date=0001-01-01T00:00:00Z",
        "start_date=9999-12-31T23:59:59Z",
        "end_date=9999-12-31T23:59:59%2B14:00",
        "start_date=0001-01-01&end_date=0001-01-02",
        "page=1000000&page_size=1000",
        "service_request_id=" + ",".join(str(number) for number in range(1001)),
        "service_request_id=%E2%80%AE,%F0%9F%98%80",
        "status=open,closed,open",
        "service_code=%25&status=closed",
        "start_date=2026-01-01T25:00:00Z",
        "start_date=" + "9" * 300,
        "jurisdiction_id=" + "x" * 5000,
    ],
)
def test_odd_arguments_never_fail_the_server(client: Client, open311_world: Open311World, query: str) -> None:
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}requests.{fmt}?{query}")
        assert response.status_code in {200, 400, 404}, response.content
        assert response["Content-Type"].startswith(("application/json", "text/xml"))


@pytest.mark.parametrize(
    "path",
    ["requests/%E2%80%AE.json", "services/%F0%9F%98%80.xml", "tokens/" + "a" * 3000 + ".json", "requests/..json"],
)
def test_odd_paths_never_fail_the_server(client: Client, open311_world: Open311World, path: str) -> None:
    response = client.get(BASE + path)
    assert response.status_code == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_nul_character_is_refused_in_the_specs_error_format(
    client: Client, open311_world: Open311World, fmt: str
) -> None:
    response = client.post(
        f"{BASE}requests.{fmt}",
        urlencode({"api_key": open311_world.api_key, "service_code": "010102", "description": "路灯\x00坏了"}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    if fmt == "json":
        assert json.loads(response.content) == [
            {"code": 400, "description": "form.description contains a NUL character (U+0000), which is not accepted."}
        ]
    else:
        assert xml_of(response).findtext("error/code") == "400"
    known = [case.pk for case in open311_world.cases.values()]
    assert not Case.objects.exclude(pk__in=known).exists()
