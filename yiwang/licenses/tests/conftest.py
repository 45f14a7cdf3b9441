"""Fixtures of the licenses app: a department with a seal, a license type, an item whose approval issues it, and
the people who apply for it and handle it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from yiwang.conftest import City, next_credit_code
from yiwang.identity.roles import Role
from yiwang.licenses import services
from yiwang.licenses.models import License, LicenseType, Seal
from yiwang.org import services as org_services
from yiwang.services.applications import services as application_services
from yiwang.services.catalog.services import MaterialInput
from yiwang.services.tests.factories import published_item

FORM = {
    "type": "object",
    "properties": {
        "shop_name": {"type": "string", "title": "名称", "minLength": 2, "maxLength": 50},
        "scope": {"type": "string", "title": "经营范围", "minLength": 2},
        "address": {"type": "string", "title": "经营场所"},
    },
    "required": ["shop_name", "scope"],
}
ANSWERS = {"shop_name": "明湖小吃店", "scope": "小吃服务；预包装食品销售", "address": "明湖市清河区滨河路1号"}


@dataclass
class Licensing:
    market: int  # 市场监督管理局 (its seal issues the licenses)
    admin: Any
    approver: Any
    reviewer: Any
    clerk: Any
    item_admin: Any
    applicant: Any
    other_citizen: Any
    seal: Seal
    license_type: LicenseType  # 个体工商户营业执照, issued to a person
    item: Any  # an ItemVersion: 个体工商户设立登记: approval issues the license
    reuse_item: Any  # an ItemVersion: 食品经营许可: asks for the business license as a material (免提交)


def license_type_input(department_id: int, **changes: Any) -> services.LicenseTypeInput:
    values: dict[str, Any] = {
        "code": "11100000000013338W001",
        "name": "个体工商户营业执照",
        "department_id": department_id,
        "holder_kind": "person",
        "elements": (
            services.ElementInput("shop_name", "名称", required=True),
            services.ElementInput("scope", "经营范围", required=True),
            services.ElementInput("address", "经营场所"),
        ),
        "validity_years": 5,
    }
    values.update(changes)
    return services.LicenseTypeInput(**values)


@pytest.fixture
def licensing(city: City, make_citizen: Callable[..., Any], make_staff: Callable[..., Any]) -> Licensing:
    market = org_services.department_create(
        actor=None,
        name="明湖市市场监督管理局",
        credit_code=next_credit_code("11419800"),
        kind="government_department",
        division_code=city.city_code,
    ).id
    admin = make_staff(city.big_data_bureau, (Role.PLATFORM_ADMIN,), real_name="平台管理员")
    seal = services.seal_create(actor=admin, data=services.SealInput(department_id=market))
    license_type = services.license_type_save(actor=admin, data=license_type_input(market))
    item = published_item(
        department_id=market,
        name="个体工商户设立登记",
        form_schema=FORM,
        handling_items=(),
        materials=(),
        fees=(),
        result_name="个体工商户营业执照",
        result_license_type=license_type.code,
    )
    reuse_item = published_item(
        department_id=market,
        name="食品经营许可",
        handling_items=(),
        fees=(),
        result_type="approval",
        result_name="食品经营许可决定",
        materials=(
            MaterialInput(
                name="营业执照",
                source="license",
                form="electronic",
                copies=0,
                source_reference=license_type.code,
            ),
        ),
    )
    return Licensing(
        market=market,
        admin=admin,
        approver=make_staff(market, (Role.APPROVER,), real_name="审批丁"),
        reviewer=make_staff(market, (Role.REVIEWER,), real_name="审查丙"),
        clerk=make_staff(market, (Role.CLERK,), real_name="窗口甲"),
        item_admin=make_staff(market, (Role.ITEM_ADMIN,), real_name="事项员"),
        applicant=make_citizen("王小明"),
        other_citizen=make_citizen("李四"),
        seal=seal,
        license_type=license_type,
        item=item,
        reuse_item=reuse_item,
    )


def approve(licensing: Licensing, *, applicant: Any = None, answers: dict[str, Any] | None = None) -> Any:
    """An application for the item, submitted, accepted and approved (the license is issued on commit)."""
    draft = application_services.application_draft_save(
        actor=applicant or licensing.applicant, task_code=licensing.item.item.task_code, form_data=answers or ANSWERS
    )
    application_services.application_submit(actor=applicant or licensing.applicant, application_id=draft.pk)
    application_services.application_accept(actor=licensing.clerk, application_id=draft.pk)
    application_services.application_review(actor=licensing.reviewer, application_id=draft.pk, verdict="agree")
    return application_services.application_decide(
        actor=licensing.approver, application_id=draft.pk, outcome="approved", opinion="准予登记"
    )


def issued(licensing: Licensing, **kwargs: Any) -> License:
    """A license issued from an approved application."""
    application = approve(licensing, **kwargs)
    return services.license_issue_for_application(application_id=application.pk)
