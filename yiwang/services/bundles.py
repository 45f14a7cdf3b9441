"""Bundles (一件事一次办): one form, one set of materials and one submission for items of several departments.

The platform's administrators define a bundle from published items of at least two departments. Its merged form
joins the items' forms, one field per data element: a property's `x-element` annotation (e.g.
"population:name") when it has one, otherwise its name; the merged form's property is named by that element and
the first item that asks for it defines it. An applicant starts a bundle application, which drafts one ordinary
application per item; the merged answers are handed to each of them (each gets the answers its own form asks
for), an uploaded file goes to every item that asks for a material of that name, and one submission submits them
all or none. Each department then handles its own application in its own inbox; the bundle's one status is
computed from theirs when read, and its conclusion recorded the first time it is found (or by the sweep).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.audit.services import record_event
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, lazy_format
from yiwang.identity.roles import Role, UserKind
from yiwang.identity.selectors import can_act_for
from yiwang.services.applications import services as application_services
from yiwang.services.applications.form_schema import FormInvalid, check_answers
from yiwang.services.applications.materials import material_upload, materials_missing
from yiwang.services.applications.selectors import OPEN, ApplicationSummary, application_summary
from yiwang.services.models import (
    Application,
    ApplicationCounter,
    ApplicationMaterial,
    ApplicationStatus,
    Bundle,
    BundleApplication,
    BundleApplicationStatus,
    BundleItem,
    BundleStatus,
    ItemVersion,
    MaterialSource,
    VersionStatus,
    WarningLevel,
)
from yiwang.services.supervision import supervision_warnings

S = ApplicationStatus
CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,49}$")
APPROVED = frozenset({S.APPROVED, S.APPROVED_WITH_TOLERANCE})
# A sub-application is over once its department decided, refused or it was taken back (or an approval revoked).
ENDED = frozenset({*APPROVED, S.NOT_APPROVED, S.REFUSED, S.NOT_ACCEPTED, S.WITHDRAWN, S.RECALLED, S.REVOKED})


# --- what crosses the boundary -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BundleItemInfo:
    task_code: str
    name: str
    department: str


@dataclass(frozen=True)
class BundleMaterial:
    """A material of the merged list: uploaded once (applicant) or fetched by the departments (免提交)."""

    name: str
    required: bool
    source: str
    items: tuple[str, ...]  # the task codes of the items that ask for it


@dataclass(frozen=True)
class BundleForm:
    schema: dict[str, Any]  # the merged JSON Schema, its properties named by data element
    materials: tuple[BundleMaterial, ...]  # what the applicant uploads, once for every item asking for it
    fetched: tuple[BundleMaterial, ...]  # what the departments obtain themselves: nothing to upload


@dataclass(frozen=True)
class BundleInfo:
    code: str
    name: str
    description: str
    status: str
    published_at: datetime.datetime | None
    items: tuple[BundleItemInfo, ...]


@dataclass(frozen=True)
class BundleProgress:
    """The one status an applicant sees: draft, in_progress, approved or refused (concluded with refusals)."""

    code: str
    label: str
    concluded: int
    total: int
    late: bool  # a sub-application is past its promised or statutory limit (a red card)
    concluded_at: datetime.datetime | None


PROGRESS_LABELS = {
    "draft": _("Draft"),
    "in_progress": _("In progress"),
    "approved": _("Concluded: approved"),
    "refused": _("Concluded with refusals"),
}


# --- helpers -----------------------------------------------------------------------------------------------------


def element_of(name: str, definition: Any) -> str:
    """The data element a form property stands for: its `x-element`, else its own name."""
    element = definition.get("x-element") if isinstance(definition, dict) else None
    return str(element) if isinstance(element, str) and element.strip() else name


def _published_versions(bundle: Bundle) -> list[ItemVersion]:
    """The published version of each item of the bundle, in the bundle's order (NotFound for a retired one)."""
    entries = list(bundle.items.select_related("item").order_by("position", "pk"))
    versions = {
        version.item_id: version
        for version in ItemVersion.objects.select_related("item", "item__department")
        .prefetch_related("materials", "handling_items")
        .filter(item_id__in=[entry.item_id for entry in entries], status=VersionStatus.PUBLISHED)
    }
    missing = [entry.item.task_code for entry in entries if entry.item_id not in versions]
    if missing:
        raise NotFound(
            lazy_format(
                _("Items of the bundle are not in the service guide: %(codes)s."), {"codes": ", ".join(missing)}
            )
        )
    return [versions[entry.item_id] for entry in entries]


def _answers_for(schema: dict[str, Any], merged: dict[str, Any]) -> dict[str, Any]:
    """The merged answers an item's form asks for, under its own property names."""
    answers: dict[str, Any] = {}
    for name, definition in (schema.get("properties") or {}).items():
        element = element_of(name, definition)
        if element in merged:
            answers[name] = merged[element]
    return answers


def _is_applicant(actor: Any, bundle_application: BundleApplication) -> bool:
    if actor is None or actor.pk is None:
        return False
    if bundle_application.applicant_id == actor.pk:
        return True
    enterprise_id = bundle_application.enterprise_id
    return (
        getattr(actor, "kind", None) == UserKind.CITIZEN
        and enterprise_id is not None
        and can_act_for(actor, enterprise_id)
    )


def _locked(actor: Any, bundle_application_id: int, *, draft: bool = True) -> BundleApplication:
    found = BundleApplication.objects.select_for_update().select_related("bundle").filter(pk=bundle_application_id)
    bundle_application = found.first()
    if bundle_application is None or not _is_applicant(actor, bundle_application):
        raise NotFound(_("No bundle application of yours has this id."))
    if draft and bundle_application.status != BundleApplicationStatus.DRAFT:
        raise Conflict(
            lazy_format(
                _("Bundle application %(number)s is submitted: it can no longer be changed."),
                {"number": bundle_application.number or ""},
            ),
            code="status_changed",
        )
    return bundle_application


def _subs(bundle_application: BundleApplication) -> list[Application]:
    return list(
        bundle_application.applications.select_related("item_version", "item_version__item", "department").order_by(
            "pk"
        )
    )


def _form_data(form_data: Any) -> dict[str, Any]:
    if not isinstance(form_data, dict):
        raise ValidationFailed(_("The form's answers must be an object."), field="form_data")
    return form_data


# --- the platform: defining bundles ----------------------------------------------------------------------------


def _require_platform_admin(actor: Any) -> None:
    if actor is not None and not actor.has_role(Role.PLATFORM_ADMIN):
        raise PermissionDenied(_("Only platform administrators define and publish bundles."))


def _check_items(versions: Sequence[ItemVersion]) -> None:
    if len({version.item.department_id for version in versions}) < 2:
        raise ValidationFailed(_("A bundle joins published items of at least two departments."), field="task_codes")


@transaction.atomic
def bundle_create(*, actor: Any, code: str, name: str, description: str = "", task_codes: Sequence[str]) -> Bundle:
    """Define a bundle (a draft) from published items of at least two departments, in the order given."""
    _require_platform_admin(actor)
    if not CODE.match(code or ""):
        raise ValidationFailed(_("A code is 2 to 50 lowercase letters, digits and hyphens."), field="code")
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationFailed(_("Name the bundle (at most 200 characters)."), field="name")
    codes = list(dict.fromkeys(task_codes))
    versions = {
        version.item.task_code: version
        for version in ItemVersion.objects.select_related("item").filter(
            item__task_code__in=codes, status=VersionStatus.PUBLISHED
        )
    }
    unknown = [task_code for task_code in codes if task_code not in versions]
    if unknown:
        raise ValidationFailed(
            lazy_format(_("No published item has these codes: %(codes)s."), {"codes": ", ".join(unknown)}),
            field="task_codes",
        )
    _check_items(list(versions.values()))
    if Bundle.objects.filter(code=code).exists():
        raise Conflict(lazy_format(_("A bundle with code %(code)s exists."), {"code": code}), field="code")
    bundle = Bundle.objects.create(code=code, name=name, description=(description or "").strip())
    BundleItem.objects.bulk_create(
        BundleItem(bundle=bundle, item_id=versions[task_code].item_id, position=position)
        for position, task_code in enumerate(codes)
    )
    record_event(
        actor=actor,
        action="services.bundle.create",
        object_type="services.Bundle",
        object_id=bundle.pk,
        changes={"code": code, "task_codes": codes},
    )
    return bundle


@transaction.atomic
def bundle_publish(*, actor: Any, code: str) -> Bundle:
    """Publish a bundle: its items must all still be published, and of at least two departments."""
    _require_platform_admin(actor)
    bundle = Bundle.objects.select_for_update().filter(code=code).first()
    if bundle is None:
        raise NotFound(lazy_format(_("No bundle has code %(code)s."), {"code": code}))
    if bundle.status == BundleStatus.PUBLISHED:
        raise Conflict(lazy_format(_("Bundle %(code)s is published already."), {"code": code}))
    _check_items(_published_versions(bundle))
    bundle.status = BundleStatus.PUBLISHED
    bundle.published_at = timezone.now()
    bundle.save(update_fields=["status", "published_at"])
    record_event(
        actor=actor,
        action="services.bundle.publish",
        object_type="services.Bundle",
        object_id=bundle.pk,
        changes={"code": code},
    )
    return bundle


# --- reading bundles -------------------------------------------------------------------------------------------


def _info(bundle: Bundle) -> BundleInfo:
    return BundleInfo(
        code=bundle.code,
        name=bundle.name,
        description=bundle.description,
        status=bundle.status,
        published_at=bundle.published_at,
        items=tuple(
            BundleItemInfo(task_code=version.item.task_code, name=version.name, department=version.item.department.name)
            for version in _published_versions(bundle)
        ),
    )


def bundles_published() -> list[BundleInfo]:
    """The published bundles with their items, by code."""
    return [_info(bundle) for bundle in Bundle.objects.filter(status=BundleStatus.PUBLISHED)]


def bundle_get(*, code: str) -> Bundle:
    """A published bundle by its code."""
    bundle = Bundle.objects.filter(code=code, status=BundleStatus.PUBLISHED).first()
    if bundle is None:
        raise NotFound(lazy_format(_("No published bundle has code %(code)s."), {"code": code}))
    return bundle


def bundle_info(bundle: Bundle) -> BundleInfo:
    """The bundle as the guide shows it, with its items' names and departments."""
    return _info(bundle)


def bundle_form(bundle: Bundle) -> BundleForm:
    """The merged form (fields deduplicated by data element, the first definition kept, `required` the union,
    the order of first appearance) and the merged materials of the bundle's published items."""
    properties: dict[str, Any] = {}
    required: set[str] = set()
    materials: dict[str, tuple[bool, list[str]]] = {}
    fetched: dict[tuple[str, str], list[str]] = {}
    for version in _published_versions(bundle):
        form = version.form_schema
        asked = set(form.get("required") or ())
        for name, definition in (form.get("properties") or {}).items():
            element = element_of(name, definition)
            properties.setdefault(element, definition)
            if name in asked:
                required.add(element)
        task_code = version.item.task_code
        for material in version.materials.all():
            if material.source == MaterialSource.APPLICANT:
                was_required, items = materials.setdefault(material.name, (False, []))
                materials[material.name] = (was_required or material.required, [*items, task_code])
            else:
                fetched.setdefault((material.name, material.source), []).append(task_code)
    schema: dict[str, Any] = {}
    if properties:
        schema = {
            "type": "object",
            "properties": properties,
            "required": [element for element in properties if element in required],
        }
    return BundleForm(
        schema=schema,
        materials=tuple(
            BundleMaterial(name=name, required=needed, source=MaterialSource.APPLICANT, items=tuple(items))
            for name, (needed, items) in materials.items()
        ),
        fetched=tuple(
            BundleMaterial(name=name, required=False, source=source, items=tuple(items))
            for (name, source), items in fetched.items()
        ),
    )


# --- the applicant ---------------------------------------------------------------------------------------------


@transaction.atomic
def bundle_application_start(
    *, actor: Any, bundle_code: str, form_data: dict[str, Any], enterprise_id: int | None = None
) -> BundleApplication:
    """Start a bundle application: one draft application per item (an item with handling items is applied for
    under its first), each given the answers its form asks for."""
    if actor is None or getattr(actor, "kind", None) != UserKind.CITIZEN:
        raise PermissionDenied(_("Applications are made by citizens, for themselves or for an enterprise."))
    form_data = _form_data(form_data)
    bundle = bundle_get(code=bundle_code)
    if enterprise_id is not None and not can_act_for(actor, enterprise_id):
        raise PermissionDenied(_("You are not an agent of this enterprise."), field="enterprise_id")
    bundle_application = BundleApplication.objects.create(
        bundle=bundle, applicant=actor, enterprise_id=enterprise_id, form_data=form_data
    )
    for version in _published_versions(bundle):
        handling = version.handling_items.all()
        draft = application_services.application_draft_save(
            actor=actor,
            task_code=version.item.task_code,
            form_data=_answers_for(version.form_schema, form_data),
            handling_item_code=handling[0].code if handling else "",
            enterprise_id=enterprise_id,
        )
        Application.objects.filter(pk=draft.pk).update(bundle_application=bundle_application)
    record_event(
        actor=actor,
        action="services.bundle_application.draft",
        object_type="services.BundleApplication",
        object_id=bundle_application.pk,
        changes={"bundle": bundle.code},
    )
    return bundle_application


def _distribute(actor: Any, bundle_application: BundleApplication, subs: Iterable[Application]) -> None:
    for application in subs:
        application_services.application_draft_save(
            actor=actor,
            application_id=application.pk,
            form_data=_answers_for(application.item_version.form_schema, bundle_application.form_data),
            in_bundle=True,
        )


@transaction.atomic
def bundle_application_save(*, actor: Any, bundle_application_id: int, form_data: dict[str, Any]) -> BundleApplication:
    """Save the merged answers of one's draft, and hand each sub-application the answers its form asks for."""
    bundle_application = _locked(actor, bundle_application_id)
    bundle_application.form_data = _form_data(form_data)
    bundle_application.save(update_fields=["form_data"])
    _distribute(actor, bundle_application, _subs(bundle_application))
    return bundle_application


def bundle_material_upload(
    *, actor: Any, bundle_application_id: int, material_name: str, file: File[Any]
) -> list[ApplicationMaterial]:
    """Upload one file for every sub-application whose item asks for a material of that name: all or none."""
    uploads: list[ApplicationMaterial] = []
    try:
        with transaction.atomic():
            bundle_application = _locked(actor, bundle_application_id)
            for application in _subs(bundle_application):
                material = (
                    application.item_version.materials.filter(name=material_name, source=MaterialSource.APPLICANT)
                    .order_by("position", "pk")
                    .first()
                )
                if material is None:
                    continue
                file.seek(0)  # each upload reads the whole file
                uploads.append(
                    material_upload(
                        actor=actor, application_id=application.pk, material_id=material.pk, file=file, in_bundle=True
                    )
                )
            if not uploads:
                raise NotFound(
                    lazy_format(_("No item of the bundle asks you for %(material)s."), {"material": material_name}),
                    field="material_name",
                )
            record_event(
                actor=actor,
                action="services.bundle_application.material_upload",
                object_type="services.BundleApplication",
                object_id=bundle_application.pk,
                changes={"upload_ids": [upload.pk for upload in uploads], "sm3": uploads[0].sm3},
            )
            return uploads
    except BaseException:
        # The uploads committed their own savepoints: their files must go with this transaction's rollback.
        for upload in uploads:
            default_storage.delete(upload.file.name or "")
        raise


def _next_number(day: datetime.date) -> str:
    """The bundle's own number: YJS (一件事), the date and a 6-digit serial of that day."""
    prefix = f"YJS{day:%Y%m%d}"
    counter, _created = ApplicationCounter.objects.select_for_update().get_or_create(prefix=prefix)
    ApplicationCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db()
    return f"{prefix}{counter.last:06d}"


@dataclass(frozen=True)
class BundleMaterialLine:
    """A material of the merged list as the applicant sees it: uploaded (the file's name) or still needed."""

    name: str
    required: bool
    missing: bool
    uploaded: str
    items: tuple[str, ...]  # the names of the items that receive it


def bundle_material_lines(merged: BundleForm, subs: Sequence[Application]) -> list[BundleMaterialLine]:
    """The merged materials of a bundle application's items (`subs`): which file each has, which are missing."""
    missing = {name for application in subs for name in materials_missing(application)}
    uploaded: dict[str, str] = {}
    for application in subs:
        for upload in sorted(application.materials.all(), key=lambda upload: upload.uploaded_at):
            if upload.superseded_at is None and upload.material_id is not None:
                uploaded[upload.name] = upload.original_name
    names = {application.item_version.item.task_code: application.item_version.name for application in subs}
    return [
        BundleMaterialLine(
            name=material.name,
            required=material.required,
            missing=material.name in missing,
            uploaded=uploaded.get(material.name, ""),
            items=tuple(names.get(task_code, task_code) for task_code in material.items),
        )
        for material in merged.materials
    ]


def _problems_by_element(problems: list[tuple[str, Any]], application: Application) -> list[tuple[str, Any]]:
    """An item's own check names its own property: name the merged field of its data element instead."""
    properties = application.item_version.form_schema.get("properties") or {}
    elements = {name: element_of(name, definition) for name, definition in properties.items()}
    mapped = []
    for path, message in problems:
        top, _dot, rest = path.partition(".")
        element = elements.get(top, top)
        mapped.append((f"{element}.{rest}" if rest else element, message))
    return mapped


@transaction.atomic
def bundle_application_submit(*, actor: Any, bundle_application_id: int) -> BundleApplication:
    """Check the merged form once (every problem listed) and every item's materials, then submit every
    sub-application and number the bundle, all in one transaction."""
    bundle_application = _locked(actor, bundle_application_id)
    check_answers(bundle_form(bundle_application.bundle).schema, bundle_application.form_data)
    subs = _subs(bundle_application)
    missing = list(dict.fromkeys(name for application in subs for name in materials_missing(application)))
    if missing:
        raise ValidationFailed(
            lazy_format(_("Upload the required materials first: %(materials)s."), {"materials": "、".join(missing)}),
            field="materials",
            code="materials_missing",
        )
    _distribute(actor, bundle_application, subs)  # the merged answers are the truth, whatever a draft was given
    for application in subs:
        try:
            application_services.application_submit(actor=actor, application_id=application.pk, in_bundle=True)
        except FormInvalid as invalid:  # a department's stricter rule: said at the merged field the applicant fills
            raise FormInvalid(_problems_by_element(invalid.problems, application)) from None
    now = timezone.now()
    bundle_application.number = _next_number(timezone.localdate(now))
    bundle_application.status = BundleApplicationStatus.SUBMITTED
    bundle_application.submitted_at = now
    bundle_application.save(update_fields=["number", "status", "submitted_at"])
    record_event(
        actor=actor,
        action="services.bundle_application.submit",
        object_type="services.BundleApplication",
        object_id=bundle_application.pk,
        changes={"number": bundle_application.number, "applications": [application.pk for application in subs]},
    )
    return bundle_application


# --- its one status --------------------------------------------------------------------------------------------


def _late(subs: Sequence[Application], today: datetime.date) -> bool:
    ids = [application.pk for application in subs if application.status in OPEN]
    return bool(ids) and bool(supervision_warnings(application_ids=ids, level=WarningLevel.RED, today=today))


def _progress(
    bundle_application: BundleApplication, subs: Sequence[Application], today: datetime.date
) -> BundleProgress:
    ended = [application for application in subs if application.status in ENDED]
    code = "draft"
    concluded_at = None
    if bundle_application.status != BundleApplicationStatus.DRAFT:
        code = "in_progress"
        if subs and len(ended) == len(subs):
            code = "approved" if all(application.status in APPROVED for application in subs) else "refused"
            # A withdrawal before acceptance records no conclusion time: its last change is when it ended.
            concluded_at = max(application.concluded_at or application.updated_at for application in subs)
    return BundleProgress(
        code=code,
        label=str(PROGRESS_LABELS[code]),
        concluded=len(ended),
        total=len(subs),
        late=code == "in_progress" and _late(subs, today),
        concluded_at=concluded_at,
    )


def bundle_application_status(
    bundle_application: BundleApplication, *, today: datetime.date | None = None
) -> BundleProgress:
    """The one status of a bundle application, computed from its sub-applications now."""
    return _progress(bundle_application, _subs(bundle_application), today or timezone.localdate())


@transaction.atomic
def _conclude(bundle_application_id: int) -> BundleApplication | None:
    """Record the bundle's conclusion if all its sub-applications have concluded (once)."""
    bundle_application = BundleApplication.objects.select_for_update().filter(pk=bundle_application_id).first()
    if bundle_application is None or bundle_application.status != BundleApplicationStatus.SUBMITTED:
        return None
    progress = bundle_application_status(bundle_application)
    if progress.concluded_at is None:
        return None
    bundle_application.status = BundleApplicationStatus.CONCLUDED
    bundle_application.concluded_at = progress.concluded_at
    bundle_application.save(update_fields=["status", "concluded_at"])
    record_event(
        actor=None,
        action="services.bundle_application.conclude",
        object_type="services.BundleApplication",
        object_id=bundle_application.pk,
        changes={"number": bundle_application.number, "outcome": progress.code},
    )
    return bundle_application


def bundle_applications_conclude() -> list[str]:
    """Record the conclusion of every submitted bundle whose sub-applications have all concluded; returns their
    numbers (for a periodic task; reading a bundle application records it too)."""
    pending = BundleApplication.objects.filter(status=BundleApplicationStatus.SUBMITTED).exclude(
        applications__status__in=[status for status in S if status not in ENDED]
    )
    done = [_conclude(pk) for pk in pending.values_list("pk", flat=True)]
    return [bundle_application.number or "" for bundle_application in done if bundle_application is not None]


@dataclass(frozen=True)
class BundleApplicationDetail:
    id: int
    number: str
    bundle: str
    bundle_name: str
    enterprise_id: int | None
    form_data: dict[str, Any]
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    progress: BundleProgress
    applications: tuple[ApplicationSummary, ...]


def _can_see(actor: Any, bundle_application: BundleApplication) -> bool:
    """The applicant (or an agent of the enterprise); once submitted, also the platform's administrators."""
    if _is_applicant(actor, bundle_application):
        return True
    submitted = bundle_application.status != BundleApplicationStatus.DRAFT
    return submitted and getattr(actor, "kind", None) == UserKind.STAFF and actor.has_role(Role.PLATFORM_ADMIN)


def _detail(bundle_application: BundleApplication, today: datetime.date) -> BundleApplicationDetail:
    subs = _subs(bundle_application)
    progress = _progress(bundle_application, subs, today)
    if progress.concluded_at is not None and bundle_application.status == BundleApplicationStatus.SUBMITTED:
        _conclude(bundle_application.pk)  # recorded lazily, the first time it is seen
    return BundleApplicationDetail(
        id=bundle_application.pk,
        number=bundle_application.number or "",
        bundle=bundle_application.bundle.code,
        bundle_name=bundle_application.bundle.name,
        enterprise_id=bundle_application.enterprise_id,
        form_data=bundle_application.form_data,
        created_at=bundle_application.created_at,
        submitted_at=bundle_application.submitted_at,
        progress=progress,
        applications=tuple(application_summary(application, today=today) for application in subs),
    )


def bundle_application_detail(
    *, actor: Any, bundle_application_id: int, today: datetime.date | None = None
) -> BundleApplicationDetail:
    """One bundle application with its one status and its sub-applications, if the actor may see it."""
    bundle_application = BundleApplication.objects.select_related("bundle").filter(pk=bundle_application_id).first()
    if bundle_application is None or not _can_see(actor, bundle_application):
        raise NotFound(_("No bundle application you may see has this id."))
    return _detail(bundle_application, today or timezone.localdate())


def bundle_applications_of(*, actor: Any, today: datetime.date | None = None) -> list[BundleApplicationDetail]:
    """The actor's own bundle applications, newest first."""
    if actor is None or getattr(actor, "kind", None) != UserKind.CITIZEN:
        return []
    today = today or timezone.localdate()
    found = BundleApplication.objects.select_related("bundle").filter(applicant=actor)
    return [_detail(bundle_application, today) for bundle_application in found]
