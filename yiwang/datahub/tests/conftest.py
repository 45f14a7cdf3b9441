"""Fixtures of the data hub: the built-in registries published in the test city."""

from __future__ import annotations

from typing import Any

import pytest

from yiwang.identity.roles import Role


@pytest.fixture
def registries(city: Any, make_staff: Any) -> dict[str, Any]:
    """The test city with 公安局, 市场监督管理局 and 统计局, and the built-in registries published."""
    from yiwang.conftest import next_credit_code
    from yiwang.datahub.catalog.services import registries_ensure
    from yiwang.org import services as org_services

    market = org_services.department_create(
        actor=None,
        name="市场监督管理局",
        credit_code=next_credit_code("11419800"),
        kind="government_department",
        division_code="419800",
    ).id
    statistics = org_services.department_create(
        actor=None,
        name="统计局",
        credit_code=next_credit_code("11419800"),
        kind="government_department",
        division_code="419800",
    ).id
    registries_ensure()
    return {
        "police": city.public_security,
        "civil": city.civil_affairs,
        "market": market,
        "statistics": statistics,
        "police_data_admin": make_staff(city.public_security, (Role.DATA_ADMIN,), real_name="数据员"),
        "civil_data_admin": make_staff(city.civil_affairs, (Role.DATA_ADMIN,), real_name="民政数据员"),
    }


@pytest.fixture
def people(registries: dict[str, Any], accounts: Any) -> dict[str, Any]:
    """The account of each role of the matrices (builders.ROLES) but anonymous."""
    return {
        "citizen": accounts.citizen,
        "staff": accounts.staff,
        "staff_other": accounts.staff_other,
        "data_admin": registries["police_data_admin"],
        "other_data_admin": registries["civil_data_admin"],
        "admin": accounts.admin,
    }


@pytest.fixture
def clients(people: dict[str, Any]) -> Any:
    """`clients(role)`: a test client signed in as that role (none for "anonymous"), reading English pages."""
    from django.test import Client

    from yiwang.conftest import sign_in

    def make(role: str) -> Client:
        client = Client()
        client.cookies["yiwang_language"] = "en"  # assertions read the English source strings
        return client if role == "anonymous" else sign_in(client, people[role])

    return make
