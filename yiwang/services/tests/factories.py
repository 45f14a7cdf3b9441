"""Service items for tests, built through the catalog's services as a department and the platform build them.

`item_input(...)` is a complete, valid item (a 承诺件 of 10 working days with three materials and one fee); change
any field by keyword. `published_item(department_id=..., ...)` creates the item and publishes it; `draft_item`
only creates it. Codes are fresh in each call unless given.
"""

from __future__ import annotations

import itertools
from typing import Any

from yiwang.services.catalog.services import (
    FeeInput,
    HandlingItemInput,
    ItemInput,
    MaterialInput,
    item_create,
    item_publish,
)
from yiwang.services.models import ItemVersion

_sequence = itertools.count(1)

# An application form the applicant fills in, an identity card fetched from e-licenses, and the registered address
# fetched from the population registry (the last two are 免提交).
MATERIALS = (
    MaterialInput(name="申请表", required=True, form="paper", copies=1, source="applicant", notes="现场填写"),
    MaterialInput(
        name="居民身份证", required=True, form="electronic", copies=0, source="license", source_reference="resident_id"
    ),
    MaterialInput(
        name="户籍信息", required=False, form="electronic", copies=0, source="registry",
        source_reference="population:registered_address",
    ),
)  # fmt: skip
FEES = (FeeInput(name="工本费", standard="每证10元", legal_basis="《收费标准通知》", reducible=True),)


def item_input(**changes: Any) -> ItemInput:
    """A valid item as a department would draft it; keyword arguments replace any field."""
    values: dict[str, Any] = {
        "name": "测试事项",
        "item_type": "01",
        "legal_basis": "《中华人民共和国行政许可法》第十二条",
        "exercise_level": "municipal",
        "service_object": "person",
        "project_type": "promised",
        "statutory_limit": 20,
        "promised_limit": 10,
        "online_depth": "3",
        "result_type": "license",
        "acceptance_conditions": "申请人为本市户籍居民。",
        "handling_place": "明湖市政务服务中心一楼综合窗口",
        "handling_hours": "工作日 9:00-17:00",
        "consult_phone": "0379-12345",
        "complaint_phone": "12345",
        "visits": 1,
        "result_name": "准予许可决定书",
        "handling_items": (HandlingItemInput(code="01", name="首次申请"),),
        "materials": MATERIALS,
        "fees": FEES,
    }
    values.update(changes)
    return ItemInput(**values)


def _codes(catalog_code: str | None, task_code: str | None) -> tuple[str, str]:
    number = next(_sequence)
    catalog = catalog_code or f"T{number:011d}"
    return catalog, task_code or f"{catalog}-{number:04d}"


def draft_item(
    *,
    department_id: int,
    catalog_code: str | None = None,
    task_code: str | None = None,
    actor: Any = None,
    **changes: Any,
) -> ItemVersion:
    """A new item of the department, as its draft version 1 (`actor` None: the system, past every role check)."""
    catalog, task = _codes(catalog_code, task_code)
    return item_create(
        actor=actor, department_id=department_id, catalog_code=catalog, task_code=task, data=item_input(**changes)
    )


def published_item(*, department_id: int, actor: Any = None, **fields: Any) -> ItemVersion:
    """A new item of the department with version 1 published in the service guide (fields as for `draft_item`)."""
    draft = draft_item(department_id=department_id, actor=actor, **fields)
    return item_publish(actor=actor, version_id=draft.pk)
