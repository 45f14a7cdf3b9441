"""A small hotline: two categories, three units, the 12345 centre's operator and dispatcher, handlers, a grid
worker with a cell, a supervisor and a citizen."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from yiwang.cases.models import CaseCategory, GridCell
from yiwang.cases.services import CaseIntake, case_intake
from yiwang.conftest import City
from yiwang.identity.roles import Role
from yiwang.org import services as org_services
from yiwang.org.selectors import division_get


@pytest.fixture(autouse=True)
def _default_time_limits(request: pytest.FixtureRequest) -> None:
    """The default time limits come from a data migration; transactional tests (the browser's) flush every table
    after them, so put the default rows back before each database test of the app."""
    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or bool({"db", "transactional_db", "live_server"} & set(request.fixturenames))
    if not uses_db:
        return
    transactional = "live_server" in request.fixturenames or "transactional_db" in request.fixturenames
    if marker is not None and marker.kwargs.get("transaction"):
        transactional = True
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.apps import apps

    defaults = importlib.import_module("yiwang.cases.migrations.0002_default_time_limits")
    defaults.add_defaults(apps, None)


@dataclass
class Hotline:
    """Who and what a case meets on its way."""

    city: City
    centre: int  # 12345热线中心
    urban: int  # 城市管理局
    housing: int  # 住房和城乡建设局
    street_office: int  # 滨河街道办事处
    operator: Any
    dispatcher: Any
    urban_handler: Any
    housing_handler: Any
    police_handler: Any  # a handler of 公安局, never assigned
    grid_worker: Any
    supervisor: Any
    citizen: Any
    community: str  # 柳园社区's code
    cell: str  # its grid cell
    lamp: str  # 0102 路灯照明 (leaf)
    noise: str  # 0201 噪声污染 (leaf)
    consultation_article: int | None = None


@pytest.fixture
def hotline(city: City, make_staff: Callable[..., Any], make_citizen: Callable[..., Any]) -> Hotline:
    def unit(name: str, kind: str = "government_department", division: str = "419800") -> int:
        from yiwang.conftest import next_credit_code

        return org_services.department_create(
            actor=None, name=name, credit_code=next_credit_code("11419800"), kind=kind, division_code=division
        ).id

    centre = unit("12345热线中心", "public_institution")
    urban = unit("城市管理局")
    housing = unit("住房和城乡建设局")
    street_office = unit("滨河街道办事处", "street_office", city.street_code)
    heading = CaseCategory.objects.create(code="01", name="城乡建设")
    CaseCategory.objects.create(code="0102", name="路灯照明", parent=heading, keywords="路灯\n不亮")
    environment = CaseCategory.objects.create(code="02", name="生态环境")
    CaseCategory.objects.create(code="0201", name="噪声污染", parent=environment, keywords="噪音\n扰民")
    community = "419802001001"
    division = division_get(code=community)
    assert division is not None
    grid_worker = make_staff(street_office, (Role.GRID_WORKER,), real_name="网格员甲")
    cell = GridCell.objects.create(code=f"{community}01", name="柳园社区第一网格", division_id=division.id)
    cell.workers.add(grid_worker)
    return Hotline(
        city=city,
        centre=centre,
        urban=urban,
        housing=housing,
        street_office=street_office,
        operator=make_staff(centre, (Role.OPERATOR,), real_name="话务员甲", email="operator@example.cn"),
        dispatcher=make_staff(centre, (Role.DISPATCHER,), real_name="派单员甲"),
        urban_handler=make_staff(urban, (Role.HANDLER,), real_name="承办人甲", email="urban@example.cn"),
        housing_handler=make_staff(housing, (Role.HANDLER,), real_name="承办人乙"),
        police_handler=make_staff(city.public_security, (Role.HANDLER,), real_name="承办人丙"),
        grid_worker=grid_worker,
        supervisor=make_staff(city.big_data_bureau, (Role.SUPERVISOR,), real_name="督办员", email="sup@example.cn"),
        citizen=make_citizen("陈小明", phone="13812345678"),
        community=community,
        cell=cell.code,
        lamp="0102",
        noise="0201",
    )


def take_call(hotline: Hotline, **changes: Any) -> Any:
    """An operator takes a complaint about a street lamp by phone."""
    values: dict[str, Any] = {
        "case_type": "complaint",
        "channel": "phone",
        "content": "柳园社区3号楼门口的路灯坏了一个星期了，晚上出门很黑，麻烦尽快修一下。",
        "division_code": hotline.community,
        "address": "柳园社区3号楼",
        "contact_name": "刘女士",
        "contact_phone": "13900001111",
    }
    values.update(changes)
    return case_intake(actor=values.pop("actor", hotline.operator), intake=CaseIntake(**values))
