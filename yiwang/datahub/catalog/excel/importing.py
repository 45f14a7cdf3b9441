"""Checking parsed rows against the database and applying them through `catalog.services`."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.core.audit.services import Actor
from yiwang.core.errors import PermissionDenied, YiwangError
from yiwang.datahub.catalog import selectors, services
from yiwang.datahub.catalog.excel.problems import ImportProblem, ParsedResource, ParsedWorkbook
from yiwang.datahub.catalog.forms import planned_snapshot, slug_from_code
from yiwang.datahub.catalog.schema import ElementSpec
from yiwang.org.selectors import department_get_by_name


class ImportAction:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class PlannedChange:
    """What the import does to one resource."""

    row: int
    code: str
    name: str
    department: str
    action: str
    elements: int


@dataclass(frozen=True)
class ImportReport:
    """The outcome of an import: the changes (planned, or made when `applied`) or the problems."""

    changes: list[PlannedChange]
    problems: list[ImportProblem]
    notes: list[str]
    applied: bool

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)


# A service error names the field it is about; the column of that field is where the problem is shown.
_FIELD_COLUMNS = {
    "slug": "slug",
    "code": "code",
    "name": "name",
    "sharing_type": "sharing_type",
    "sharing_condition": "sharing_condition",
    "sharing_methods": "sharing_methods",
    "openness": "openness",
    "openness_condition": "openness_condition",
    "update_cycle": "update_cycle",
    "source_department": "source_department",
    "related_codes": "related_codes",
}


def _service_problem(parsed: ParsedWorkbook, resource: ParsedResource, error: YiwangError) -> ImportProblem:
    message = str(error.message)
    if error.field == "elements" and resource.elements:
        return parsed.element_problem(resource.elements[0].row, None, message)
    if isinstance(error, PermissionDenied):
        return parsed.resource_problem(resource.row, "source_department", message)
    return parsed.resource_problem(resource.row, _FIELD_COLUMNS.get(error.field or ""), message)


def _comparable(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in snapshot.items() if key != "elements"}


def _fields(
    resource: ParsedResource, department_id: int, slug: str, lenient: bool, related: Sequence[str]
) -> services.ResourceFields:
    values = dict(resource.values)
    release = values.pop("release_date")
    return services.ResourceFields(
        slug=slug,
        code=resource.code,
        source_department_id=department_id,
        release_date=datetime.date.fromisoformat(release) if release else None,
        lenient_identifiers=lenient,
        related_codes=list(related),
        **values,
    )


def catalog_import(*, actor: Actor | None, parsed: ParsedWorkbook, apply: bool) -> ImportReport:
    """Check a read workbook against the catalog and, when `apply` and all is well, write it in one transaction.

    Every resource is created or updated through catalog.services, so their rules and permissions hold and
    each change is audited; a preview runs the same calls and rolls them back.
    """
    problems = list(parsed.problems)
    if problems:
        return ImportReport(changes=[], problems=problems, notes=list(parsed.notes), applied=False)
    existing = {summary.code: summary for summary in selectors.resource_list()}
    codes_in_file = {resource.code for resource in parsed.resources}
    departments: dict[str, int] = {}
    for resource in parsed.resources:
        department = department_get_by_name(name=resource.department_name)
        if department is None:
            problems.append(
                parsed.resource_problem(
                    resource.row,
                    "source_department",
                    _("No department is named %(name)s.") % {"name": resource.department_name},
                )
            )
        else:
            departments[resource.code] = department.id
        unknown = [code for code in resource.related_codes if code not in existing and code not in codes_in_file]
        if unknown:
            problems.append(
                parsed.resource_problem(
                    resource.row,
                    "related_codes",
                    _("No resource has the code %(codes)s.") % {"codes": "、".join(unknown)},
                )
            )
    if problems:
        return ImportReport(changes=[], problems=problems, notes=list(parsed.notes), applied=False)

    changes: list[PlannedChange] = []
    with transaction.atomic():
        present = set(existing)
        pending_related: list[tuple[ParsedResource, services.ResourceFields, int]] = []
        for resource in parsed.resources:
            try:
                with transaction.atomic():
                    change, fields, resource_id = _apply_one(
                        actor, resource, departments[resource.code], existing.get(resource.code), present
                    )
            except YiwangError as error:
                problems.append(_service_problem(parsed, resource, error))
                continue
            present.add(resource.code)
            changes.append(change)
            if sorted(fields.related_codes) != sorted(resource.related_codes):
                pending_related.append((resource, fields, resource_id))
        # Relations to resources created later in the same file, once they all exist.
        for resource, fields, resource_id in pending_related:
            try:
                with transaction.atomic():
                    services.resource_update(
                        actor=actor,
                        resource_id=resource_id,
                        fields=_with_related(fields, resource.related_codes),
                    )
            except YiwangError as error:
                problems.append(_service_problem(parsed, resource, error))
        if problems or not apply:
            transaction.set_rollback(True)
    problems.sort(key=lambda item: (item.sheet != parsed.resource_sheet, item.row or 0))
    return ImportReport(
        changes=changes if not problems else [],
        problems=problems,
        notes=list(parsed.notes),
        applied=apply and not problems,
    )


def _with_related(fields: services.ResourceFields, related: Sequence[str]) -> services.ResourceFields:
    values = {name: getattr(fields, name) for name in services.ResourceFields.__dataclass_fields__}
    values["related_codes"] = list(related)
    return services.ResourceFields(**values)


def _apply_one(
    actor: Actor | None,
    resource: ParsedResource,
    department_id: int,
    current: selectors.ResourceSummary | None,
    present: set[str],
) -> tuple[PlannedChange, services.ResourceFields, int]:
    elements = [ElementSpec.from_json(item.spec) for item in resource.elements]
    related = [code for code in resource.related_codes if code in present]
    if current is None:
        fields = _fields(resource, department_id, resource.slug or slug_from_code(resource.code), False, related)
        created = services.resource_create(actor=actor, fields=fields, elements=elements)
        action, resource_id = ImportAction.CREATE, created.pk
    else:
        live = selectors.resource_detail(slug=current.slug)
        snapshot = services.resource_snapshot(live)
        fields = _fields(resource, department_id, resource.slug or current.slug, live.lenient_identifiers, related)
        planned = planned_snapshot(fields, elements)
        action, resource_id = ImportAction.UNCHANGED, live.pk
        if _comparable(planned) != _comparable(snapshot):
            services.resource_update(actor=actor, resource_id=live.pk, fields=fields)
            action = ImportAction.UPDATE
        if planned["elements"] != snapshot["elements"]:
            services.resource_set_elements(actor=actor, resource_id=live.pk, elements=elements)
            action = ImportAction.UPDATE
    change = PlannedChange(
        row=resource.row,
        code=resource.code,
        name=str(resource.values["name"]),
        department=resource.department_name,
        action=action,
        elements=len(elements),
    )
    return change, fields, resource_id
