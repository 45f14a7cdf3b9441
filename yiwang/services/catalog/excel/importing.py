"""Checking the rows of an item-list workbook with the catalog's rules and writing them as drafts."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.core.errors import NotFound, PermissionDenied, ValidationFailed, YiwangError, lazy_format
from yiwang.datahub.catalog.excel.problems import ImportProblem
from yiwang.org.selectors import department_get
from yiwang.services.catalog.excel.columns import CHILD_SHEETS, ITEM_SHEET
from yiwang.services.catalog.excel.reading import ParsedItem, ParsedItems, items_read
from yiwang.services.catalog.selectors import ItemSummary, item_version_get, item_versions
from yiwang.services.catalog.services import (
    ItemInput,
    check_item,
    input_of,
    item_create,
    item_draft_update,
    item_new_draft,
    require_editor,
)
from yiwang.services.models import (
    ExerciseLevel,
    ItemType,
    OnlineDepth,
    ProjectType,
    ResultType,
    ServiceObject,
    VersionStatus,
)

_SHEET_ORDER = [ITEM_SHEET, *CHILD_SHEETS.values()]
# Each child row is checked on its own, attached to an item known to be valid, so that every wrong row is
# reported and not only the first one of its item (check_item stops at the first problem).
_VALID_ITEM = ItemInput(
    name="-",
    item_type=ItemType.LICENSING,
    legal_basis="-",
    exercise_level=ExerciseLevel.MUNICIPAL,
    service_object=ServiceObject.PERSON,
    project_type=ProjectType.PROMISED,
    statutory_limit=20,
    promised_limit=10,
    online_depth=OnlineDepth.INFORMATION,
    result_type=ResultType.OTHER,
)
_NO_CHILDREN: dict[str, Any] = dict.fromkeys(CHILD_SHEETS, ())


@dataclass(frozen=True)
class ImportResult:
    """The outcome of an import: the items created, changed and left as they were, or the problems."""

    created: list[str]  # 实施编码 of new items, each a draft version 1
    updated: list[str]  # existing items, with a new or changed draft
    unchanged: list[str]  # existing items whose newest version already says what the file says
    problems: list[ImportProblem]
    notes: list[str]  # what was not read (columns the workbook does not know)
    written: bool

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Plan:
    item: ParsedItem
    data: ItemInput | None = None
    current: ItemSummary | None = None  # the item's newest version, when it exists
    current_data: ItemInput | None = None  # what that version says


def _child_field(error_field: str) -> tuple[str, int, str] | None:
    """("materials", 2, "source_reference") for the field materials.2.source_reference."""
    parts = error_field.split(".", 2)
    if len(parts) == 3 and parts[0] in CHILD_SHEETS and parts[1].isdigit():
        return parts[0], int(parts[1]), parts[2]
    return None


def _service_problem(parsed: ParsedItems, item: ParsedItem, error: YiwangError) -> ImportProblem:
    """The problem at the sheet, row and column the error's field comes from."""
    message = str(error.message)
    child = _child_field(error.field or "")
    if child is not None:
        kind, index, key = child
        rows = item.children[kind]
        if CHILD_SHEETS[kind] in parsed.titles and index < len(rows):
            return parsed.problem(CHILD_SHEETS[kind], rows[index].row, key, message)
    return parsed.problem(ITEM_SHEET, item.row, error.field, message)


def _check(parsed: ParsedItems, plan: _Plan) -> list[ImportProblem]:
    """Every problem check_item finds: the item's own first one, and the first of each child row."""
    item, data = plan.item, plan.data
    assert data is not None
    problems = []
    if item.readable:
        try:
            check_item(dataclasses.replace(data, **_NO_CHILDREN))
        except ValidationFailed as error:
            problems.append(_service_problem(parsed, item, error))
    for kind, sheet in CHILD_SHEETS.items():
        for row in item.children[kind]:
            if not row.readable:
                continue
            try:
                one_child: dict[str, Any] = {kind: (row.value,)}
                check_item(dataclasses.replace(_VALID_ITEM, **one_child))
            except ValidationFailed as error:
                child = _child_field(error.field or "")
                problems.append(parsed.problem(sheet, row.row, child[2] if child else None, str(error.message)))
    return problems


def _plan(parsed: ParsedItems, item: ParsedItem, department_id: int, department_name: str) -> _Plan:
    plan = _Plan(item=item)
    versions = item_versions(task_code=item.task_code) if item.task_code else []
    plan.current = versions[0] if versions else None
    if item.department and item.department != department_name:
        parsed.problems.append(
            parsed.problem(
                ITEM_SHEET,
                item.row,
                "department",
                _("The workbook is imported for %(department)s: this row names another implementing body.")
                % {"department": department_name},
            )
        )
    if plan.current is not None and plan.current.department_id != department_id:
        parsed.problems.append(
            parsed.problem(
                ITEM_SHEET,
                item.row,
                "task_code",
                _("An item of %(department)s has this implementation code.") % {"department": plan.current.department},
            )
        )
        return plan
    if plan.current is not None and item.catalog_code and item.catalog_code.upper() != plan.current.catalog_code:
        parsed.problems.append(
            parsed.problem(
                ITEM_SHEET,
                item.row,
                "catalog_code",
                _("The item's basic code is %(code)s; it does not change.") % {"code": plan.current.catalog_code},
            )
        )
    if not item.readable and plan.current is None:
        return plan  # a new item whose row could not be read: nothing to check it with
    children: dict[str, Any] = {
        kind: tuple(row.value for row in rows)
        for kind, rows in item.children.items()
        if CHILD_SHEETS[kind] in parsed.titles
    }
    if plan.current is None:
        plan.data = ItemInput(**item.values, **children)
    else:
        # A column or a sheet the workbook does not have leaves what the item says there as it is.
        plan.current_data = input_of(item_version_get(version_id=plan.current.version_id))
        plan.data = dataclasses.replace(plan.current_data, **item.values, **children)
    parsed.problems.extend(_check(parsed, plan))
    return plan


def _write(actor: Any, department_id: int, plan: _Plan) -> ItemInput | None:
    """Create the item or draft its change; None when the newest version already says the same."""
    data, current = plan.data, plan.current
    assert data is not None
    if current is None:
        item_create(
            actor=actor,
            department_id=department_id,
            catalog_code=plan.item.catalog_code,
            task_code=plan.item.task_code,
            data=data,
        )
        return data
    if plan.current_data == data:
        return None
    version_id = current.version_id
    if current.status != VersionStatus.DRAFT:
        version_id = item_new_draft(actor=actor, item_id=current.item_id).pk
    item_draft_update(actor=actor, version_id=version_id, data=data)
    return data


def import_items(
    *, actor: Any, department_id: int, data: bytes, dry_run: bool, file_name: str = "workbook.xlsx"
) -> ImportResult:
    """Import a department's item list: every row checked, then all of it written as drafts, or nothing.

    New 实施编码 become new items (draft version 1); an existing item gets its draft changed, or a new draft
    started from its published version. Nothing is published. Any problem, or a dry run, writes nothing.
    Raises PermissionDenied when the actor may not edit the department's items.
    """
    department = department_get(department_id=department_id)
    if department is None:
        raise NotFound(lazy_format(_("No department has id %(id)s."), {"id": department_id}), field="department")
    # The services' own rule, checked before the file is read: it holds even when no row would be written.
    require_editor(actor, department_id)
    parsed = items_read(data=data, name=file_name)
    plans = [_plan(parsed, item, department_id, department.name) for item in parsed.items]
    created: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    with transaction.atomic():
        # Every item is written, in its own savepoint, so that the problems of all of them are found; the
        # whole transaction is rolled back unless every row is right.
        reported = {(problem.sheet, problem.row) for problem in parsed.problems}
        for plan in plans:
            rows = {(parsed.titles[ITEM_SHEET], plan.item.row)}
            for kind, children in plan.item.children.items():
                rows |= {(parsed.titles.get(CHILD_SHEETS[kind], ""), child.row) for child in children}
            if plan.data is None or rows & reported:
                continue
            try:
                with transaction.atomic():
                    written = _write(actor, department_id, plan)
            except PermissionDenied:
                raise
            except YiwangError as error:
                parsed.problems.append(_service_problem(parsed, plan.item, error))
                continue
            if written is None:
                unchanged.append(plan.item.task_code)
            else:
                (updated if plan.current is not None else created).append(plan.item.task_code)
        written_all = not parsed.problems and not dry_run
        if not written_all:
            transaction.set_rollback(True)
    order = {parsed.titles.get(sheet, sheet): index for index, sheet in enumerate(_SHEET_ORDER)}
    problems = sorted(parsed.problems, key=lambda item: (order.get(item.sheet, -1), item.row or 0, item.column))
    return ImportResult(
        created=created,
        updated=updated,
        unchanged=unchanged,
        problems=problems,
        notes=parsed.notes,
        written=written_all,
    )
