"""The demo city's data sharing: systems of 民政局 and 人社局, their access requests, a data demand, sample calls.

Everything goes through the exchange's services, and the sample calls through the gateway itself (signed,
in process), so the console's log, statistics and a named citizen's "who used my data" page have content.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from yiwang.core.errors import Conflict, NotFound
from yiwang.demo.population import named_citizen_rows
from yiwang.exchange import services as exchange_services
from yiwang.exchange.client import GatewayClient, InProcessTransport
from yiwang.org import selectors as org_selectors

WELFARE_ELEMENTS = ["id_number", "name", "sex", "birth_date", "registered_address", "division"]


def _department(name: str) -> int:
    department = org_selectors.department_get_by_name(name=name)
    if department is None:
        raise NotFound(f"The demo city's {name} is missing.")
    return department.id


def load_exchange() -> dict[str, int]:
    """Two consumer systems, one granted request and one waiting for the compliance check, a data demand, and
    a few verified look-ups of the named citizens; returns counts for the progress line."""
    civil, hrss = _department("民政局"), _department("人力资源和社会保障局")
    today = timezone.localdate()
    try:
        welfare = exchange_services.consumer_register(
            actor=None, department_id=civil, name="最低生活保障信息系统", description="低保申请受理与动态管理"
        )
    except Conflict:  # a resumed load that had got this far
        return {"systems": 0, "requests": 0, "calls": 0}
    granted = exchange_services.access_request_submit(
        actor=None,
        data=exchange_services.AccessRequestInput(
            consumer_id=welfare.consumer_id,
            resource="population",
            elements=WELFARE_ELEMENTS,
            purpose="最低生活保障申请对象身份与户籍核查",
            legal_basis="《社会救助暂行办法》第十一条",
            valid_from=today,
            valid_until=today + datetime.timedelta(days=365),
            expected_volume=2_000,
        ),
    )
    if granted.status == "compliance":
        exchange_services.access_request_compliance_decide(actor=None, request_id=granted.pk, approve=True)
        exchange_services.access_request_source_decide(actor=None, request_id=granted.pk, approve=True)
    insurance = exchange_services.consumer_register(
        actor=None, department_id=hrss, name="社会保险经办系统", description="参保登记与待遇资格认证"
    )
    exchange_services.access_request_submit(
        actor=None,
        data=exchange_services.AccessRequestInput(
            consumer_id=insurance.consumer_id,
            resource="population",
            elements=["id_number", "name", "birth_date", "phone"],
            clear_elements={"phone": "待遇资格认证短信通知参保人本人"},
            purpose="养老保险待遇领取资格认证",
            legal_basis="《社会保险法》第七十四条",
            valid_from=today,
            valid_until=today + datetime.timedelta(days=730),
            expected_volume=10_000,
        ),
    )
    exchange_services.data_demand_submit(
        actor=None,
        department_id=civil,
        title="户籍人口死亡注销信息",
        description="需要公安部门户籍注销（死亡）记录，按月推送，用于及时停发低保金和特困供养金",
        purpose="社会救助资金监管",
        legal_basis="《社会救助暂行办法》第十一条",
    )
    client = GatewayClient(
        "http://127.0.0.1",
        welfare.app_key,
        welfare.secret,
        user_id="minzheng.clerk",
        purpose="最低生活保障申请审核",
        transport=InProcessTransport(),
    )
    calls = 0
    for index, citizen in enumerate(named_citizen_rows()):
        client.case_ref = f"DB-{today:%Y}-{index + 1:04d}"
        client.verify("population", {"id_number": citizen.id_number, "name": citizen.real_name})
        client.record("population", citizen.id_number)
        calls += 2
    return {"systems": 2, "requests": 2, "calls": calls}
