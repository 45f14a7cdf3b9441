"""Fixtures of the service pages: a small catalog of published items, and accounts of every role of the matrix."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from yiwang.conftest import City, next_credit_code
from yiwang.datahub.tests.conftest import clients  # noqa: F401 - the fixture, signing in the `people` below
from yiwang.identity.roles import Role
from yiwang.org import services as org_services
from yiwang.services.catalog.services import MaterialInput
from yiwang.services.models import ItemVersion
from yiwang.services.tests.factories import draft_item, published_item

# The roles of the services' authorization matrices: "staff" is a clerk of 公安局, "item_admin" its item
# administrator; "staff_other" and "item_admin_other" the same of 民政局; "admin" a platform administrator.
ROLES = ["anonymous", "citizen", "agent", "staff", "staff_other", "item_admin", "item_admin_other", "admin"]


def row(*codes: int) -> dict[str, int]:
    """The expected status code per role, in the order of ROLES."""
    return dict(zip(ROLES, codes, strict=True))


@dataclass
class Catalog:
    """Published items of three departments, and 公安局's item that was never published."""

    police: int
    civil: int
    social_security: int
    market: int
    residence: ItemVersion  # 公安局: 户口迁移, a 承诺件 with materials and a fee
    insurance: ItemVersion  # 人力资源和社会保障局: 社会保险登记, free
    licence: ItemVersion  # 市场监督管理局: 个体工商户营业执照, answered on the spot
    unpublished: ItemVersion  # 公安局: a draft, not in the guide


@pytest.fixture
def catalog(city: City) -> Catalog:
    def department(name: str) -> int:
        return org_services.department_create(
            actor=None,
            name=name,
            credit_code=next_credit_code("11419800"),
            kind="government_department",
            division_code=city.city_code,
        ).id

    social_security = department("人力资源和社会保障局")
    market = department("市场监督管理局")
    return Catalog(
        police=city.public_security,
        civil=city.civil_affairs,
        social_security=social_security,
        market=market,
        residence=published_item(
            department_id=city.public_security,
            catalog_code="000105011000",
            task_code="11419800-HUKOU-001",
            name="户口迁移登记",
            result_name="准予迁入证明",
        ),
        insurance=published_item(
            department_id=social_security,
            catalog_code="000112001000",
            task_code="11419800-SHEBAO-001",
            name="社会保险参保登记",
            item_type="20",
            online_depth="4",
            visits=0,
            promised_limit=5,
            result_type="other",
            result_name="参保登记回执",
            materials=(MaterialInput(name="参保人员信息表", source="applicant", form="electronic"),),
            fees=(),
        ),
        licence=published_item(
            department_id=market,
            catalog_code="000109002000",
            task_code="11419800-GETI-001",
            name="个体工商户设立登记",
            project_type="immediate",
            promised_limit=0,
            result_name="营业执照",
            materials=(
                MaterialInput(name="经营场所使用证明", source="applicant", form="paper"),
                MaterialInput(name="经营者身份证", source="license", form="electronic", source_reference="resident_id"),
            ),
        ),
        unpublished=draft_item(department_id=city.public_security, task_code="11419800-DRAFT-001", name="临时身份证明"),
    )


@pytest.fixture
def people(accounts: Any, make_staff: Callable[..., Any], city: City) -> dict[str, Any]:
    """The account of each role of the matrix but anonymous (`clients(role)` signs a test client in as one)."""
    return {
        "citizen": accounts.citizen,
        "agent": accounts.agent,
        "staff": accounts.staff,
        "staff_other": accounts.staff_other,
        "item_admin": make_staff(city.public_security, (Role.ITEM_ADMIN,), real_name="事项员"),
        "item_admin_other": make_staff(city.civil_affairs, (Role.ITEM_ADMIN,), real_name="民政事项员"),
        "admin": accounts.admin,
    }
