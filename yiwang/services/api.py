"""API of online services (/api/v1/services): the item catalog, public to read."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from yiwang.services.catalog.selectors import item_guide, item_search
from yiwang.services.models import ItemType

router = Router(tags=["services"])


class ItemSummaryOut(Schema):
    task_code: str = Field(description="implementation code (实施编码)")
    catalog_code: str = Field(description="basic code (基本编码)")
    name: str
    item_type: str = Field(description="national item type code: 01–10, 20")
    item_type_label: str
    department: str = Field(description="implementing body")
    version: int
    project_type: str = Field(description="immediate (即办件) or promised (承诺件)")
    promised_limit: int
    promised_unit: str
    online_depth: str
    visits: int


class HandlingItemOut(Schema):
    code: str
    name: str


class MaterialOut(Schema):
    name: str
    required: bool
    form: str
    copies: int
    source: str = Field(description="applicant, license, registry or department: only 'applicant' is uploaded")
    source_reference: str
    legal_basis: str
    notes: str


class FeeOut(Schema):
    name: str
    standard: str
    legal_basis: str
    reducible: bool


class ItemGuideOut(ItemSummaryOut):
    legal_basis: str
    power_source: str
    exercise_level: str
    service_object: str
    statutory_limit: int
    statutory_unit: str
    acceptance_conditions: str
    handling_place: str
    handling_hours: str
    consult_phone: str
    complaint_phone: str
    result_type: str
    result_name: str
    published_at: Any
    handling_items: list[HandlingItemOut]
    materials: list[MaterialOut]
    fees: list[FeeOut]


class ItemFilter(Schema):
    q: str = Field("", max_length=100, description="words in Chinese; abbreviations such as 社保 are expanded")
    item_type: ItemType | None = None
    department: int | None = Field(None, description="implementing department's id")
    limit: int = Field(50, ge=1, le=200)


@router.get("/items", response=list[ItemSummaryOut], auth=None, summary="Search the published service items")
def items(request: HttpRequest, filters: Query[ItemFilter]) -> Any:
    return item_search(
        query=filters.q,
        item_type=filters.item_type or "",
        department_id=filters.department,
        limit=filters.limit,
    )


@router.get("/items/{task_code}", response=ItemGuideOut, auth=None, summary="The service guide of one item")
def item(request: HttpRequest, task_code: str) -> Any:
    version = item_guide(task_code=task_code)
    return {
        "task_code": version.item.task_code,
        "catalog_code": version.item.catalog_code,
        "name": version.name,
        "item_type": version.item_type,
        "item_type_label": str(version.get_item_type_display()),
        "department": version.item.department.name,
        "version": version.number,
        "project_type": version.project_type,
        "promised_limit": version.promised_limit,
        "promised_unit": version.promised_unit,
        "online_depth": version.online_depth,
        "visits": version.visits,
        "legal_basis": version.legal_basis,
        "power_source": version.power_source,
        "exercise_level": version.exercise_level,
        "service_object": version.service_object,
        "statutory_limit": version.statutory_limit,
        "statutory_unit": version.statutory_unit,
        "acceptance_conditions": version.acceptance_conditions,
        "handling_place": version.handling_place,
        "handling_hours": version.handling_hours,
        "consult_phone": version.consult_phone,
        "complaint_phone": version.complaint_phone,
        "result_type": version.result_type,
        "result_name": version.result_name,
        "published_at": version.published_at,
        "handling_items": list(version.handling_items.all()),
        "materials": list(version.materials.all()),
        "fees": list(version.fees.all()),
    }
