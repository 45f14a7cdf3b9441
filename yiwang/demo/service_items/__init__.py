"""The demo city's service item catalog (政务服务事项): some 130 published items across its departments.

Each item is drafted and published through the services app, as a department's item administrator and the
platform would. Codes are stable for a seed: the implementation code is the department's credit code followed
by the item's basic code. Loading again skips the items that exist, so an interrupted demo load resumes.
"""

from __future__ import annotations

from django.db import transaction

from yiwang.core.errors import NotFound
from yiwang.demo.service_items import construction, enterprises, residents, sectors, welfare
from yiwang.demo.service_items.common import DemoItem, item_input
from yiwang.org import selectors as org_selectors
from yiwang.services.catalog import services as catalog_services
from yiwang.services.catalog.selectors import item_list
from yiwang.services.workflow.engine import example_process_text

CATALOG: tuple[DemoItem, ...] = enterprises.ITEMS + residents.ITEMS + welfare.ITEMS + construction.ITEMS + sectors.ITEMS


def catalog_departments() -> list[str]:
    """The departments that implement items of the demo catalog, in catalog order."""
    return list(dict.fromkeys(item.department for item in CATALOG))


def load_service_items() -> dict[str, int]:
    """Create and publish every demo item not yet stored; returns the catalog's items, departments and additions."""
    credit_codes: dict[str, tuple[int, str]] = {}
    for name in catalog_departments():
        department = org_selectors.department_get_by_name(name=name)
        if department is None:
            raise NotFound(f"The demo city's {name} is missing.")
        credit_codes[name] = (department.id, department.credit_code)
    stored = {summary.task_code for summary in item_list()}
    created = 0
    for item in CATALOG:
        department_id, credit_code = credit_codes[item.department]
        task_code = item.task_code(credit_code)
        if task_code in stored:
            continue
        with transaction.atomic():  # never leave a draft behind that a resumed load would skip
            draft = catalog_services.item_create(
                actor=None,
                department_id=department_id,
                catalog_code=item.catalog_code,
                task_code=task_code,
                data=item_input(item, task_code=task_code),
            )
            if item.process:
                catalog_services.item_process_set(
                    actor=None, version_id=draft.pk, bpmn=example_process_text(item.process)
                )
            catalog_services.item_publish(actor=None, version_id=draft.pk)
        created += 1
    return {"items": len(CATALOG), "departments": len(credit_codes), "created": created}
