"""Writing the service item catalog: items drafted by their department, published by the platform, versioned.

A department's item administrators draft and edit items of their department; the platform's administrators
(政务服务管理局) review and publish them. A published version is never changed: editing a published item starts a
new draft from it, and publishing the draft supersedes the old version. Applications keep the version they
started under. Every step is audited in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from yiwang.core.audit.services import record_event
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, lazy_format
from yiwang.identity.roles import Role
from yiwang.org.selectors import department_get
from yiwang.services.applications.form_schema import check_form_schema
from yiwang.services.applications.process import require_process
from yiwang.services.models import (
    ExerciseLevel,
    Fee,
    HandlingItem,
    ItemType,
    ItemVersion,
    LimitUnit,
    Material,
    MaterialForm,
    MaterialSource,
    OnlineDepth,
    PowerSource,
    ProjectType,
    ResultType,
    ServiceItem,
    ServiceObject,
    VersionStatus,
)

CATALOG_CODE = re.compile(r"^[0-9A-Z]{12}$")
TASK_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{0,35}$")
HANDLING_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,49}$")
REGISTRY_REFERENCE = re.compile(r"^[a-z0-9-]{3,64}:[a-z0-9_]{1,64}$")
LICENSE_REFERENCE = re.compile(r"^[0-9A-Za-z._-]{1,100}$")


@dataclass(frozen=True)
class HandlingItemInput:
    code: str
    name: str


@dataclass(frozen=True)
class MaterialInput:
    name: str
    required: bool = True
    form: str = MaterialForm.EITHER
    copies: int = 1
    source: str = MaterialSource.APPLICANT
    source_reference: str = ""
    legal_basis: str = ""
    notes: str = ""


@dataclass(frozen=True)
class FeeInput:
    name: str
    standard: str
    legal_basis: str
    reducible: bool = False


@dataclass(frozen=True)
class ItemInput:
    """Everything the service guide says about an item (the national item fields)."""

    name: str
    item_type: str
    legal_basis: str
    exercise_level: str
    service_object: str
    project_type: str
    statutory_limit: int
    promised_limit: int
    online_depth: str
    result_type: str
    power_source: str = PowerSource.STATUTORY
    statutory_unit: str = LimitUnit.WORKING_DAYS
    promised_unit: str = LimitUnit.WORKING_DAYS
    acceptance_conditions: str = ""
    handling_place: str = ""
    handling_hours: str = ""
    consult_phone: str = ""
    complaint_phone: str = ""
    visits: int = 0
    result_name: str = ""
    result_license_type: str = ""  # the license type's code when the result is an e-license the approval issues
    handling_items: Sequence[HandlingItemInput] = field(default_factory=tuple)
    materials: Sequence[MaterialInput] = field(default_factory=tuple)
    fees: Sequence[FeeInput] = field(default_factory=tuple)
    form_schema: dict[str, Any] = field(default_factory=dict)  # JSON Schema of the application form


# --- permissions ---------------------------------------------------------------------------------------------


def _is_platform_admin(actor: Any) -> bool:
    return actor is not None and actor.has_role(Role.PLATFORM_ADMIN)


def require_editor(actor: Any, department_id: int) -> None:
    """A department's item administrators edit its items; platform administrators edit all."""
    if actor is None or _is_platform_admin(actor):
        return
    if not actor.has_role(Role.ITEM_ADMIN) or actor.department_id != department_id:
        raise PermissionDenied(_("Only the implementing department's item administrators edit this item."))


def _require_publisher(actor: Any) -> None:
    if actor is not None and not _is_platform_admin(actor):
        raise PermissionDenied(_("Only platform administrators review and publish service items."))


# --- validation ----------------------------------------------------------------------------------------------


def _choice(value: str, choices: Any, name: str) -> None:
    if value not in choices.values:
        raise ValidationFailed(lazy_format(_("%(value)s is not a valid choice."), {"value": value}), field=name)


def _text(value: str, name: str, message: Any, *, limit: int | None = None) -> None:
    if not value.strip():
        raise ValidationFailed(message, field=name)
    if limit is not None and len(value) > limit:
        raise ValidationFailed(
            lazy_format(_("At most %(limit)s characters."), {"limit": limit}),
            field=name,
        )


def license_type_name(code: str) -> str | None:
    """The name of the license type with this code, or None: asked of the licenses app through the setting
    YIWANG_LICENSE_TYPE_RESOLVER (empty when there is no licenses app: then no code is known)."""
    resolver = getattr(settings, "YIWANG_LICENSE_TYPE_RESOLVER", "")
    if not resolver:
        return None
    name: str | None = import_string(resolver)(code)
    return name


def _check_result_license(data: ItemInput) -> None:
    code = data.result_license_type.strip()
    if not code:
        return
    if data.result_type != ResultType.LICENSE:
        raise ValidationFailed(
            _("Only an item whose result is a license names a license type."), field="result_license_type"
        )
    if license_type_name(code.upper()) is None:
        raise ValidationFailed(
            lazy_format(_("No license type has the code %(code)s."), {"code": code}), field="result_license_type"
        )


def check_item(data: ItemInput) -> None:
    """Raise ValidationFailed naming the first field that is wrong."""
    _text(data.name, "name", _("Give the item a name."), limit=200)
    _choice(data.item_type, ItemType, "item_type")
    _text(data.legal_basis, "legal_basis", _("Name the law or regulation that sets up the item."))
    _choice(data.power_source, PowerSource, "power_source")
    _choice(data.exercise_level, ExerciseLevel, "exercise_level")
    _choice(data.service_object, ServiceObject, "service_object")
    _choice(data.project_type, ProjectType, "project_type")
    _choice(data.statutory_unit, LimitUnit, "statutory_unit")
    _choice(data.promised_unit, LimitUnit, "promised_unit")
    _choice(data.online_depth, OnlineDepth, "online_depth")
    _choice(data.result_type, ResultType, "result_type")
    for value, name in ((data.statutory_limit, "statutory_limit"), (data.promised_limit, "promised_limit")):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 3650:
            raise ValidationFailed(_("A time limit is a whole number of days from 0 to 3,650."), field=name)
    if data.project_type == ProjectType.IMMEDIATE and data.promised_limit != 0:
        raise ValidationFailed(
            _("An item answered on the spot (即办件) has a promised limit of 0 days."), field="promised_limit"
        )
    if data.project_type == ProjectType.PROMISED and data.promised_limit < 1:
        raise ValidationFailed(
            _("An item answered within a promised limit (承诺件) needs a limit of at least 1 day."),
            field="promised_limit",
        )
    if data.statutory_unit == data.promised_unit and data.promised_limit > data.statutory_limit > 0:
        raise ValidationFailed(
            _("The promised limit cannot be longer than the statutory limit."), field="promised_limit"
        )
    if not isinstance(data.visits, int) or isinstance(data.visits, bool) or not 0 <= data.visits <= 10:
        raise ValidationFailed(_("Visits needed is a whole number from 0 to 10."), field="visits")
    if data.online_depth == OnlineDepth.FULLY_ONLINE and data.visits != 0:
        raise ValidationFailed(_("A fully online item needs no visit."), field="visits")
    for limit, name in (
        (200, "handling_hours"),
        (100, "consult_phone"),
        (100, "complaint_phone"),
        (200, "result_name"),
    ):
        if len(getattr(data, name)) > limit:
            raise ValidationFailed(lazy_format(_("At most %(limit)s characters."), {"limit": limit}), field=name)
    _check_result_license(data)
    codes: set[str] = set()
    for index, handling in enumerate(data.handling_items):
        if not HANDLING_CODE.match(handling.code):
            raise ValidationFailed(
                _("A handling-item code has up to 50 letters, digits, '-', '_' or '.'."),
                field=f"handling_items.{index}.code",
            )
        if handling.code in codes:
            raise ValidationFailed(
                lazy_format(_("Handling-item code %(code)s appears twice."), {"code": handling.code}),
                field=f"handling_items.{index}.code",
            )
        codes.add(handling.code)
        _text(handling.name, f"handling_items.{index}.name", _("Give the handling item a name."), limit=200)
    for index, material in enumerate(data.materials):
        _check_material(material, f"materials.{index}")
    if not isinstance(data.form_schema, dict):
        raise ValidationFailed(_("The form must be an object with properties."), field="form_schema")
    check_form_schema(data.form_schema)
    for index, fee in enumerate(data.fees):
        where = f"fees.{index}"
        _text(fee.name, f"{where}.name", _("Give the fee a name."), limit=200)
        _text(fee.standard, f"{where}.standard", _("Give the fee's standard (amount or rate)."), limit=300)
        _text(fee.legal_basis, f"{where}.legal_basis", _("Name the document that allows the fee."))


def _check_material(material: MaterialInput, where: str) -> None:
    _text(material.name, f"{where}.name", _("Give the material a name."), limit=200)
    _choice(material.form, MaterialForm, f"{where}.form")
    _choice(material.source, MaterialSource, f"{where}.source")
    if not isinstance(material.copies, int) or isinstance(material.copies, bool) or not 0 <= material.copies <= 20:
        raise ValidationFailed(_("Copies is a whole number from 0 to 20."), field=f"{where}.copies")
    reference = material.source_reference.strip()
    if material.source == MaterialSource.REGISTRY and not REGISTRY_REFERENCE.match(reference):
        raise ValidationFailed(
            _("A material fetched from a registry names it as resource:element, e.g. population:name."),
            field=f"{where}.source_reference",
        )
    if material.source == MaterialSource.LICENSE and not LICENSE_REFERENCE.match(reference):
        raise ValidationFailed(
            _("A material fetched from e-licenses names the license type's code."), field=f"{where}.source_reference"
        )


def _check_codes(catalog_code: str, task_code: str) -> None:
    if not CATALOG_CODE.match(catalog_code):
        raise ValidationFailed(
            _("A basic code (基本编码) has exactly 12 digits or capital letters."), field="catalog_code"
        )
    if not TASK_CODE.match(task_code):
        raise ValidationFailed(
            _("An implementation code (实施编码) has up to 36 letters, digits or '-'."), field="task_code"
        )


# --- writing ---------------------------------------------------------------------------------------------------


def _search_text(version: ItemVersion, data: ItemInput, department_name: str) -> str:
    parts = [version.name, version.item.task_code, version.item.catalog_code, department_name, data.result_name]
    parts += [handling.name for handling in data.handling_items]
    parts += [material.name for material in data.materials]
    # Upper-cased once here, so that search compares codes without upper() on every row.
    return "\n".join(part for part in parts if part).upper()


def _fill(version: ItemVersion, data: ItemInput, department_name: str) -> None:
    """Write the version's fields and replace its handling items, materials and fees."""
    for name in (
        "name", "item_type", "legal_basis", "power_source", "exercise_level", "service_object", "project_type",
        "statutory_limit", "statutory_unit", "promised_limit", "promised_unit", "acceptance_conditions",
        "handling_place", "handling_hours", "consult_phone", "complaint_phone", "online_depth", "visits",
        "result_type", "result_name", "result_license_type",
    ):  # fmt: skip
        value = getattr(data, name)
        setattr(version, name, value.strip() if isinstance(value, str) else value)
    version.result_license_type = version.result_license_type.upper()
    version.form_json = json.dumps(data.form_schema, ensure_ascii=False) if data.form_schema else ""
    version.search_text = _search_text(version, data, department_name)
    version.save()
    version.handling_items.all().delete()
    version.materials.all().delete()
    version.fees.all().delete()
    HandlingItem.objects.bulk_create(
        HandlingItem(version=version, position=index, code=handling.code, name=handling.name.strip())
        for index, handling in enumerate(data.handling_items)
    )
    Material.objects.bulk_create(
        Material(
            version=version,
            position=index,
            name=material.name.strip(),
            required=material.required,
            form=material.form,
            copies=material.copies,
            source=material.source,
            source_reference=material.source_reference.strip(),
            legal_basis=material.legal_basis.strip(),
            notes=material.notes.strip(),
        )
        for index, material in enumerate(data.materials)
    )
    Fee.objects.bulk_create(
        Fee(
            version=version,
            position=index,
            name=fee.name.strip(),
            standard=fee.standard.strip(),
            legal_basis=fee.legal_basis.strip(),
            reducible=fee.reducible,
        )
        for index, fee in enumerate(data.fees)
    )


def _summary_of(data: ItemInput) -> dict[str, Any]:
    summary = asdict(data)
    summary["handling_items"] = len(data.handling_items)
    summary["materials"] = len(data.materials)
    summary["fees"] = len(data.fees)
    summary["form_fields"] = len(data.form_schema.get("properties", {}))
    summary.pop("form_schema")
    summary.pop("legal_basis")
    summary.pop("acceptance_conditions")
    return summary


@transaction.atomic
def item_create(*, actor: Any, department_id: int, catalog_code: str, task_code: str, data: ItemInput) -> ItemVersion:
    """A new item of a department's implementation list, as draft version 1."""
    department = department_get(department_id=department_id)
    if department is None:
        raise NotFound(lazy_format(_("No department has id %(id)s."), {"id": department_id}), field="department")
    require_editor(actor, department_id)
    catalog_code = catalog_code.strip().upper()
    task_code = task_code.strip()
    _check_codes(catalog_code, task_code)
    check_item(data)
    if ServiceItem.objects.filter(task_code=task_code).exists():
        raise Conflict(
            lazy_format(_("An item with implementation code %(code)s exists already."), {"code": task_code}),
            field="task_code",
        )
    try:
        with transaction.atomic():
            item = ServiceItem.objects.create(
                department_id=department_id, catalog_code=catalog_code, task_code=task_code
            )
    except IntegrityError:  # created by someone else between the check and the insert
        raise Conflict(
            lazy_format(_("An item with implementation code %(code)s exists already."), {"code": task_code}),
            field="task_code",
        ) from None
    version = ItemVersion(item=item, number=1, status=VersionStatus.DRAFT, created_by=_user(actor))
    _fill(version, data, department.name)
    record_event(
        actor=actor,
        action="services.item.create",
        object_type="services.ServiceItem",
        object_id=item.pk,
        changes={"task_code": task_code, "catalog_code": catalog_code, "version": 1, **_summary_of(data)},
    )
    return version


def _user(actor: Any) -> Any:
    return actor if actor is not None and actor.pk is not None else None


def _locked_version(version_id: int) -> ItemVersion:
    version = (
        ItemVersion.objects.select_for_update().select_related("item", "item__department").filter(pk=version_id).first()
    )
    if version is None:
        raise NotFound(lazy_format(_("No item version has id %(id)s."), {"id": version_id}))
    return version


@transaction.atomic
def item_draft_update(*, actor: Any, version_id: int, data: ItemInput) -> ItemVersion:
    """Change a draft. Published versions never change: start a new draft with `item_new_draft`."""
    version = _locked_version(version_id)
    require_editor(actor, version.item.department_id)
    if version.status != VersionStatus.DRAFT:
        raise Conflict(
            _("Only a draft can be changed; a published version stays as it was published. Start a new draft.")
        )
    check_item(data)
    _fill(version, data, version.item.department.name)
    record_event(
        actor=actor,
        action="services.item.update",
        object_type="services.ItemVersion",
        object_id=version.pk,
        changes={"task_code": version.item.task_code, "version": version.number, **_summary_of(data)},
    )
    return version


@transaction.atomic
def item_process_set(*, actor: Any, version_id: int, bpmn: str | bytes) -> ItemVersion:
    """Give a draft its own BPMN process (checked first: every problem is listed), or "" for the platform's
    default for its kind of case."""
    version = _locked_version(version_id)
    require_editor(actor, version.item.department_id)
    if version.status != VersionStatus.DRAFT:
        raise Conflict(
            _("Only a draft can be changed; a published version stays as it was published. Start a new draft.")
        )
    text = require_process(bpmn) if bpmn else ""
    version.process_bpmn = text
    version.save(update_fields=["process_bpmn"])
    record_event(
        actor=actor,
        action="services.item.process",
        object_type="services.ItemVersion",
        object_id=version.pk,
        changes={
            "task_code": version.item.task_code,
            "version": version.number,
            "process_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest() if text else "",
        },
    )
    return version


@transaction.atomic
def item_new_draft(*, actor: Any, item_id: int) -> ItemVersion:
    """A new draft copied from the item's newest version (there is at most one draft per item)."""
    item = ServiceItem.objects.select_for_update().select_related("department").filter(pk=item_id).first()
    if item is None:
        raise NotFound(lazy_format(_("No service item has id %(id)s."), {"id": item_id}))
    require_editor(actor, item.department_id)
    if item.versions.filter(status=VersionStatus.DRAFT).exists():
        raise Conflict(_("This item already has a draft: edit that one."))
    newest = item.versions.order_by("-number").first()
    assert newest is not None  # every item is created with version 1
    draft = ItemVersion(item=item, number=newest.number + 1, status=VersionStatus.DRAFT, created_by=_user(actor))
    draft.process_bpmn = newest.process_bpmn
    _fill(draft, input_of(newest), item.department.name)
    record_event(
        actor=actor,
        action="services.item.new_draft",
        object_type="services.ItemVersion",
        object_id=draft.pk,
        changes={"task_code": item.task_code, "version": draft.number, "from_version": newest.number},
    )
    return draft


@transaction.atomic
def item_publish(*, actor: Any, version_id: int) -> ItemVersion:
    """Publish a draft: it becomes the item's guide, and the version published before is superseded."""
    _require_publisher(actor)
    version = _locked_version(version_id)
    if version.status != VersionStatus.DRAFT:
        raise Conflict(_("Only a draft can be published."))
    check_item(input_of(version))
    previous = ItemVersion.objects.filter(item_id=version.item_id, status=VersionStatus.PUBLISHED).first()
    if previous is not None:
        previous.status = VersionStatus.SUPERSEDED
        previous.save(update_fields=["status"])
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = _user(actor)
    version.save(update_fields=["status", "published_at", "published_by"])
    record_event(
        actor=actor,
        action="services.item.publish",
        object_type="services.ItemVersion",
        object_id=version.pk,
        changes={
            "task_code": version.item.task_code,
            "version": version.number,
            "superseded": previous.number if previous is not None else None,
        },
    )
    return version


@transaction.atomic
def item_retire(*, actor: Any, item_id: int, reason: str) -> ItemVersion:
    """Withdraw an item from the guide (its published version is retired; applications keep their version)."""
    _require_publisher(actor)
    if not reason.strip():
        raise ValidationFailed(_("Say why the item is retired."), field="reason")
    version = (
        ItemVersion.objects.select_for_update()
        .select_related("item")
        .filter(item_id=item_id, status=VersionStatus.PUBLISHED)
        .first()
    )
    if version is None:
        raise Conflict(_("The item has no published version to retire."))
    version.status = VersionStatus.RETIRED
    version.save(update_fields=["status"])
    record_event(
        actor=actor,
        action="services.item.retire",
        object_type="services.ItemVersion",
        object_id=version.pk,
        changes={"task_code": version.item.task_code, "version": version.number, "reason": reason.strip()},
    )
    return version


def input_of(version: ItemVersion) -> ItemInput:
    """A version's content as the input that would recreate it."""
    return ItemInput(
        name=version.name,
        item_type=version.item_type,
        legal_basis=version.legal_basis,
        power_source=version.power_source,
        exercise_level=version.exercise_level,
        service_object=version.service_object,
        project_type=version.project_type,
        statutory_limit=version.statutory_limit,
        statutory_unit=version.statutory_unit,
        promised_limit=version.promised_limit,
        promised_unit=version.promised_unit,
        acceptance_conditions=version.acceptance_conditions,
        handling_place=version.handling_place,
        handling_hours=version.handling_hours,
        consult_phone=version.consult_phone,
        complaint_phone=version.complaint_phone,
        online_depth=version.online_depth,
        visits=version.visits,
        result_type=version.result_type,
        result_name=version.result_name,
        result_license_type=version.result_license_type,
        form_schema=version.form_schema,
        handling_items=tuple(HandlingItemInput(code=h.code, name=h.name) for h in version.handling_items.all()),
        materials=tuple(
            MaterialInput(
                name=m.name,
                required=m.required,
                form=m.form,
                copies=m.copies,
                source=m.source,
                source_reference=m.source_reference,
                legal_basis=m.legal_basis,
                notes=m.notes,
            )
            for m in version.materials.all()
        ),
        fees=tuple(
            FeeInput(name=f.name, standard=f.standard, legal_basis=f.legal_basis, reducible=f.reducible)
            for f in version.fees.all()
        ),
    )
