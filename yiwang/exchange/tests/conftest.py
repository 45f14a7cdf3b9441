"""Fixtures of the exchange: the data hub's registries with a few people, a consumer system and its grant."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from yiwang.datahub.tests.conftest import clients, people, registries  # noqa: F401 - fixtures shared
from yiwang.exchange.client import GatewayClient, InProcessTransport

# Three people of the test city; 张三's record has every element.
PEOPLE = [
    {
        "公民身份号码": "419802199003070031",
        "姓名": "张三丰",
        "性别": "男",
        "出生日期": "1990-03-07",
        "民族": "汉族",
        "户籍地址": "明湖市清河区滨河路12号3栋402",
        "现住址": "明湖市清河区滨河街道滨河路12号",
        "联系电话": "13812345678",
        "所属区划": "419802",
    },
    {
        "公民身份号码": "41980219850512068X",
        "姓名": "李四",
        "性别": "女",
        "出生日期": "1985-05-12",
        "民族": "回族",
        "户籍地址": "明湖市湖东区湖滨大道88号",
        "现住址": "",
        "联系电话": "13900001111",
        "所属区划": "419803",
    },
    {
        "公民身份号码": "419802200001010014",
        "姓名": "王五",
        "性别": "男",
        "出生日期": "2000-01-01",
        "民族": "汉族",
        "户籍地址": "明湖市清河区",
        "现住址": "",
        "联系电话": "",
        "所属区划": "419802",
    },
]

ELEMENTS = ["id_number", "name", "sex", "birth_date", "registered_address", "phone", "division"]


def django_transport() -> InProcessTransport:
    """The gateway client's transport through the whole Django stack (middleware included)."""
    return InProcessTransport(host="testserver")


@dataclass
class Exchange:
    registries: dict[str, Any]
    consumer_id: int
    app_key: str
    secret: str
    grant_request_id: int
    client: GatewayClient

    def client_with(self, **changes: Any) -> GatewayClient:
        values: dict[str, Any] = {
            "base_url": "http://testserver",
            "app_key": self.app_key,
            "secret": self.secret,
            "user_id": "civil-clerk-7",
            "purpose": "最低生活保障审核",
            "case_ref": "DB-2026-0001",
            "transport": django_transport(),
        }
        values.update(changes)
        return GatewayClient(**values)


@pytest.fixture
def exchange(registries: dict[str, Any]) -> Exchange:  # noqa: F811 - the fixture imported above
    """Population with three people (from 公安局), and 民政局's system granted seven of its elements."""
    from yiwang.datahub.ingestion.pipeline import ingest_rows
    from yiwang.exchange import services

    ingest_rows(actor=None, resource_slug="population", source_department_id=registries["police"], rows=PEOPLE)
    credentials = services.consumer_register(
        actor=registries["civil_data_admin"], department_id=registries["civil"], name="低保审核系统"
    )
    today = timezone.localdate()
    request = services.access_request_submit(
        actor=registries["civil_data_admin"],
        data=services.AccessRequestInput(
            consumer_id=credentials.consumer_id,
            resource="population",
            elements=ELEMENTS,
            purpose="最低生活保障资格审核",
            legal_basis="《社会救助暂行办法》第十一条",
            valid_from=today,
            valid_until=today + datetime.timedelta(days=365),
            expected_volume=500,
        ),
    )
    if request.status == "compliance":  # population is shared on conditions: the platform, then 公安局 decide
        services.access_request_compliance_decide(actor=None, request_id=request.pk, approve=True)
        services.access_request_source_decide(
            actor=registries["police_data_admin"], request_id=request.pk, approve=True
        )
    exchange = Exchange(
        registries=registries,
        consumer_id=credentials.consumer_id,
        app_key=credentials.app_key,
        secret=credentials.secret,
        grant_request_id=request.pk,
        client=None,  # type: ignore[arg-type]
    )
    exchange.client = exchange.client_with()
    return exchange
