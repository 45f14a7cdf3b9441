"""Writing the catalog: resources and their elements, review and publication, authoritative sources."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.core.audit.services import Actor, record_model_event
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.datahub.catalog.schema import ElementSpec, header_token
from yiwang.datahub.models import (
    Element,
    ElementType,
    Openness,
    Resource,
    ResourceStatus,
    ResourceVersion,
    SharingMethod,
    SharingType,
    UpdateCycle,
)
from yiwang.datahub.registries import BUILTIN_REGISTRIES
from yiwang.identity.roles import Role
from yiwang.org.selectors import department_get, department_get_by_name

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")
_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-_.]{0,63}$")
_ELEMENT_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


@dataclass(frozen=True)
class ResourceFields:
    """What a data administrator fills in for a catalog entry (GB/T 21063 core metadata and the 2017 guide)."""

    slug: str
    code: str
    name: str
    source_department_id: int
    sharing_type: str
    openness: str
    update_cycle: str
    summary: str = ""
    format: str = ""
    category_class: str = ""
    category_item: str = ""
    category_catalog: str = ""
    category_detail: str = ""
    sharing_condition: str = ""
    sharing_methods: Sequence[str] = field(default_factory=lambda: [SharingMethod.API])
    openness_condition: str = ""
    release_date: Any = None
    lenient_identifiers: bool = False
    related_codes: Sequence[str] = ()


def _is_platform_admin(actor: Any) -> bool:
    return actor is not None and actor.has_role(Role.PLATFORM_ADMIN)


def _require_editor(actor: Any, department_id: int | None) -> None:
    """Data administrators of the source department edit its resources; platform administrators edit all."""
    if actor is None or _is_platform_admin(actor):
        return
    if not actor.has_role(Role.DATA_ADMIN) or actor.department_id != department_id:
        raise PermissionDenied(_("Only the source department's data administrators edit this resource."))


def _require_platform_admin(actor: Any) -> None:
    if actor is not None and not _is_platform_admin(actor):
        raise PermissionDenied(_("Only platform administrators review and publish the catalog."))


# Paths of the console's catalog pages that a slug would shadow.
RESERVED_SLUGS = frozenset({"new", "import", "export"})


def _check_fields(fields: ResourceFields) -> None:
    if not _SLUG.match(fields.slug):
        raise ValidationFailed(_("A slug has 3 to 64 lower-case letters, digits and hyphens."), field="slug")
    if fields.slug in RESERVED_SLUGS:
        raise ValidationFailed(_("%(slug)s is reserved; choose another slug.") % {"slug": fields.slug}, field="slug")
    if not _CODE.match(fields.code):
        raise ValidationFailed(_("A resource code has up to 64 letters, digits, - _ or ."), field="code")
    if not fields.name.strip():
        raise ValidationFailed(_("Give the resource a name."), field="name")
    for value, choices, name in (
        (fields.sharing_type, SharingType, "sharing_type"),
        (fields.openness, Openness, "openness"),
        (fields.update_cycle, UpdateCycle, "update_cycle"),
    ):
        if value not in choices.values:
            raise ValidationFailed(_("%(value)s is not a valid choice.") % {"value": value}, field=name)
    for method in fields.sharing_methods:
        if method not in SharingMethod.values:
            raise ValidationFailed(_("%(value)s is not a valid choice.") % {"value": method}, field="sharing_methods")
    if fields.sharing_type == SharingType.CONDITIONAL and not fields.sharing_condition.strip():
        raise ValidationFailed(_("Conditional sharing needs its condition."), field="sharing_condition")
    if fields.sharing_type == SharingType.NONE and not fields.sharing_condition.strip():
        raise ValidationFailed(_("A resource that is not shared needs its legal basis."), field="sharing_condition")
    if fields.openness == Openness.CONDITIONAL and not fields.openness_condition.strip():
        raise ValidationFailed(_("Conditional openness needs its condition."), field="openness_condition")
    if department_get(department_id=fields.source_department_id) is None:
        raise NotFound(
            _("No department has id %(id)s.") % {"id": fields.source_department_id}, field="source_department"
        )


def _search_text(resource: Resource) -> str:
    elements = " ".join(f"{element.name} {element.code}" for element in resource.elements.all())
    department = resource.source_department.name if resource.source_department is not None else ""
    return " ".join(
        [
            resource.code,
            resource.name,
            resource.summary,
            resource.category_class,
            resource.category_item,
            resource.category_catalog,
            resource.category_detail,
            department,
            elements,
        ]
    )


def _apply_fields(resource: Resource, fields: ResourceFields) -> None:
    for name in (
        "slug", "code", "name", "source_department_id", "sharing_type", "openness", "update_cycle", "summary",
        "format", "category_class", "category_item", "category_catalog", "category_detail", "sharing_condition",
        "openness_condition", "release_date", "lenient_identifiers",
    ):  # fmt: skip
        value = getattr(fields, name)
        setattr(resource, name, value.strip() if isinstance(value, str) else value)
    resource.sharing_methods = list(dict.fromkeys(fields.sharing_methods))


def _set_related(resource: Resource, codes: Sequence[str]) -> None:
    related = list(Resource.objects.filter(code__in=list(codes)).exclude(pk=resource.pk))
    missing = set(codes) - {item.code for item in related} - {resource.code}
    if missing:
        raise NotFound(
            _("No resource has code %(code)s.") % {"code": ", ".join(sorted(missing))}, field="related_codes"
        )
    resource.related.set(related)


def resource_create(*, actor: Actor | None, fields: ResourceFields, elements: Sequence[ElementSpec] = ()) -> Resource:
    """A data administrator starts a catalog entry for their department (a draft)."""
    _require_editor(actor, fields.source_department_id)
    _check_fields(fields)
    with transaction.atomic():
        if Resource.objects.filter(slug=fields.slug).exists():
            raise Conflict(_("The slug %(slug)s is taken.") % {"slug": fields.slug}, field="slug")
        if Resource.objects.filter(code=fields.code).exists():
            raise Conflict(_("The resource code %(code)s is taken.") % {"code": fields.code}, field="code")
        resource = Resource()
        _apply_fields(resource, fields)
        resource.save()
        _set_related(resource, fields.related_codes)
        if elements:
            _replace_elements(resource, elements)
        resource.search_text = _search_text(resource)
        resource.save(update_fields=["search_text"])
        record_model_event(
            actor=actor, action="datahub.resource.create", instance=resource, changes={"code": resource.code}
        )
    return resource


def resource_update(*, actor: Actor | None, resource_id: int, fields: ResourceFields) -> Resource:
    """Change a resource's metadata; a published resource goes back to draft until it is published again."""
    with transaction.atomic():
        resource = Resource.objects.select_for_update().filter(pk=resource_id).first()
        if resource is None:
            raise NotFound(_("No such resource."))
        _require_editor(actor, resource.source_department_id)
        _require_editor(actor, fields.source_department_id)
        _check_fields(fields)
        if resource.builtin and (fields.slug != resource.slug or fields.code != resource.code):
            raise ValidationFailed(_("A built-in registry keeps its slug and code."), field="slug")
        if Resource.objects.filter(slug=fields.slug).exclude(pk=resource.pk).exists():
            raise Conflict(_("The slug %(slug)s is taken.") % {"slug": fields.slug}, field="slug")
        if Resource.objects.filter(code=fields.code).exclude(pk=resource.pk).exists():
            raise Conflict(_("The resource code %(code)s is taken.") % {"code": fields.code}, field="code")
        before = {"name": resource.name, "code": resource.code, "sharing_type": resource.sharing_type}
        _apply_fields(resource, fields)
        if resource.status in {ResourceStatus.PUBLISHED, ResourceStatus.SUBMITTED}:
            resource.status = ResourceStatus.DRAFT
        resource.search_text = _search_text(resource)
        resource.save()
        _set_related(resource, fields.related_codes)
        record_model_event(
            actor=actor,
            action="datahub.resource.update",
            instance=resource,
            changes={"before": before, "after": {"name": resource.name, "code": resource.code}},
        )
    return resource


def _check_elements(elements: Sequence[ElementSpec]) -> None:
    """Refuse a set of elements that cannot hold records; `field` names the row and attribute at fault."""
    if not elements:
        raise ValidationFailed(_("A resource needs at least one data element."), field="elements")
    codes: set[str] = set()
    names: set[str] = set()
    for index, element in enumerate(elements):
        where = _("Element %(position)d (%(name)s)") % {"position": index + 1, "name": element.name or element.code}

        def fail(message: str, attribute: str, where: str = where, index: int = index) -> ValidationFailed:
            return ValidationFailed(message % {"where": where}, field=f"elements.{index}.{attribute}")

        if not _ELEMENT_CODE.match(element.code):
            raise fail(_("%(where)s: a code starts with a letter and has letters, digits and _."), "code")
        if not element.name.strip():
            raise fail(_("%(where)s needs a name."), "name")
        if element.data_type not in ElementType.values:
            raise ValidationFailed(
                _("%(where)s: unknown type %(type)s.") % {"where": where, "type": element.data_type},
                field=f"elements.{index}.data_type",
            )
        if element.data_type == ElementType.ENUM and not element.enumeration:
            raise fail(_("%(where)s: a code list needs its values."), "enumeration")
        if element.code.lower() in codes:
            raise fail(_("%(where)s appears twice."), "code")
        if header_token(element.name) in names:
            raise fail(_("%(where)s appears twice."), "name")
        pattern = element.rules.get("pattern")
        if pattern is not None:
            try:
                re.compile(str(pattern))
            except re.error:
                raise fail(_("%(where)s: the pattern is not a valid regular expression."), "rules") from None
        if element.is_key and not element.required:
            raise ValidationFailed(
                _("Key element %(name)s must be required.") % {"name": element.name}, field=f"elements.{index}.required"
            )
        codes.add(element.code.lower())
        names.add(header_token(element.name))
    if not any(element.is_key for element in elements):
        raise ValidationFailed(_("Mark the element(s) that identify a record as the key."), field="elements")


def _replace_elements(resource: Resource, elements: Sequence[ElementSpec]) -> None:
    _check_elements(elements)
    authorities = dict(resource.elements.values_list("code", "authoritative_department_id"))
    resource.elements.all().delete()
    Element.objects.bulk_create(
        [
            Element(
                resource=resource,
                position=position,
                code=element.code,
                name=element.name.strip(),
                data_type=element.data_type,
                length=element.length,
                required=element.required,
                enumeration=list(element.enumeration),
                sensitive=element.sensitive,
                is_key=element.is_key,
                lookup=element.lookup,
                concept=element.concept,
                rules=element.rules,
                authoritative_department_id=authorities.get(element.code),
            )
            for position, element in enumerate(elements)
        ]
    )


def resource_set_elements(*, actor: Actor | None, resource_id: int, elements: Sequence[ElementSpec]) -> Resource:
    """Replace a resource's data elements (authoritative sources of kept codes stay); back to draft."""
    with transaction.atomic():
        resource = Resource.objects.select_for_update().filter(pk=resource_id).first()
        if resource is None:
            raise NotFound(_("No such resource."))
        _require_editor(actor, resource.source_department_id)
        published = _published_snapshot(resource)
        if published is not None:
            # Records already hold these elements: a published key cannot change under them.
            old_keys = [item["code"] for item in published["elements"] if item["is_key"]]
            new_keys = [element.code for element in elements if element.is_key]
            if old_keys != new_keys and resource.records.exists():
                raise ValidationFailed(_("The key cannot change while the resource holds records."), field="elements")
        _replace_elements(resource, elements)
        if resource.status in {ResourceStatus.PUBLISHED, ResourceStatus.SUBMITTED}:
            resource.status = ResourceStatus.DRAFT
        resource.search_text = _search_text(resource)
        resource.save()
        record_model_event(
            actor=actor,
            action="datahub.resource.elements",
            instance=resource,
            changes={"elements": [element.code for element in elements]},
        )
    return resource


def _published_snapshot(resource: Resource) -> dict[str, Any] | None:
    latest = resource.versions.order_by("-version").first()
    return latest.snapshot if latest else None


def resource_snapshot(resource: Resource) -> dict[str, Any]:
    """The metadata and elements of a resource as they would be published now."""
    return {
        "slug": resource.slug,
        "code": resource.code,
        "name": resource.name,
        "source_department_id": resource.source_department_id,
        "summary": resource.summary,
        "format": resource.format,
        "category": [
            resource.category_class,
            resource.category_item,
            resource.category_catalog,
            resource.category_detail,
        ],
        "sharing_type": resource.sharing_type,
        "sharing_condition": resource.sharing_condition,
        "sharing_methods": list(resource.sharing_methods),
        "openness": resource.openness,
        "openness_condition": resource.openness_condition,
        "update_cycle": resource.update_cycle,
        "release_date": resource.release_date.isoformat() if resource.release_date else None,
        "lenient_identifiers": resource.lenient_identifiers,
        "related": sorted(item.code for item in resource.related.all()),
        "elements": [
            ElementSpec.from_object(element).to_json()
            # Sorted here, not by the database, so that a prefetch of the elements serves it.
            for element in sorted(resource.elements.all(), key=lambda item: (item.position, item.id))
        ],
    }


def resource_submit(*, actor: Actor | None, resource_id: int) -> Resource:
    """The source department submits its draft for the platform administrator's review."""
    with transaction.atomic():
        resource = Resource.objects.select_for_update().filter(pk=resource_id).first()
        if resource is None:
            raise NotFound(_("No such resource."))
        _require_editor(actor, resource.source_department_id)
        if resource.status != ResourceStatus.DRAFT:
            raise Conflict(_("Only a draft can be submitted."))
        _check_elements([ElementSpec.from_json(item) for item in resource_snapshot(resource)["elements"]])
        resource.status = ResourceStatus.SUBMITTED
        resource.save(update_fields=["status", "updated_at"])
        record_model_event(actor=actor, action="datahub.resource.submit", instance=resource)
    return resource


def resource_publish(*, actor: Actor | None, resource_id: int) -> ResourceVersion:
    """The platform administrator publishes a submitted resource as its next version."""
    _require_platform_admin(actor)
    with transaction.atomic():
        resource = Resource.objects.select_for_update().filter(pk=resource_id).first()
        if resource is None:
            raise NotFound(_("No such resource."))
        # The platform itself (actor None) publishes the built-in registries straight away.
        publishable = resource.status == ResourceStatus.SUBMITTED or (
            actor is None and resource.status == ResourceStatus.DRAFT
        )
        if not publishable:
            raise Conflict(_("Only a submitted resource can be published."))
        if resource.source_department_id is None:
            raise ValidationFailed(_("Assign a source department first."), field="source_department")
        snapshot = resource_snapshot(resource)
        _check_elements([ElementSpec.from_json(item) for item in snapshot["elements"]])
        resource.version += 1
        resource.status = ResourceStatus.PUBLISHED
        resource.review_note = ""
        if resource.release_date is None:
            resource.release_date = timezone.localdate()
            snapshot["release_date"] = resource.release_date.isoformat()
        resource.save()
        version = ResourceVersion.objects.create(
            resource=resource, version=resource.version, snapshot=snapshot, published_by_id=getattr(actor, "pk", None)
        )
        record_model_event(
            actor=actor, action="datahub.resource.publish", instance=resource, changes={"version": resource.version}
        )
    return version


def resource_return(*, actor: Actor | None, resource_id: int, note: str) -> Resource:
    """The platform administrator sends a submitted resource back to its department with a reason."""
    _require_platform_admin(actor)
    if not note.strip():
        raise ValidationFailed(_("Say what needs to change."), field="note")
    with transaction.atomic():
        resource = Resource.objects.select_for_update().filter(pk=resource_id).first()
        if resource is None:
            raise NotFound(_("No such resource."))
        if resource.status != ResourceStatus.SUBMITTED:
            raise Conflict(_("Only a submitted resource can be returned."))
        resource.status = ResourceStatus.DRAFT
        resource.review_note = note.strip()
        resource.save(update_fields=["status", "review_note", "updated_at"])
        record_model_event(
            actor=actor, action="datahub.resource.return", instance=resource, changes={"note": resource.review_note}
        )
    return resource


def element_assign_authority(
    *, actor: Actor | None, resource_id: int, element_code: str, department_id: int | None
) -> None:
    """一数一源: the platform administrator names the one department whose values of an element win."""
    _require_platform_admin(actor)
    if department_id is not None and department_get(department_id=department_id) is None:
        raise NotFound(_("No department has id %(id)s.") % {"id": department_id}, field="department")
    with transaction.atomic():
        element = Element.objects.select_for_update().filter(resource_id=resource_id, code=element_code).first()
        if element is None:
            raise NotFound(_("The resource has no element %(code)s.") % {"code": element_code}, field="element")
        before = element.authoritative_department_id
        element.authoritative_department_id = department_id
        element.save(update_fields=["authoritative_department"])
        record_model_event(
            actor=actor,
            action="datahub.element.authority",
            instance=element.resource,
            changes={"element": element_code, "authority": [before, department_id]},
        )


def registries_ensure(*, actor: Actor | None = None) -> list[Resource]:
    """Create and publish the built-in registries that are missing; assign sources by department name.

    The source department (and the authoritative source of every element) is the department named in the
    definition when it exists (公安局, 市场监督管理局, 统计局, 政务服务和大数据管理局); otherwise it stays
    unassigned and the registry waits for the platform administrator.
    """
    created = []
    for definition in BUILTIN_REGISTRIES:
        with transaction.atomic():
            resource = Resource.objects.select_for_update().filter(slug=definition.slug).first()
            department = department_get_by_name(name=definition.source_department_name)
            if resource is not None:
                if resource.source_department_id is None and department is not None:
                    resource.source_department_id = department.id
                    resource.save(update_fields=["source_department", "updated_at"])
                    resource.elements.filter(authoritative_department=None).update(
                        authoritative_department_id=department.id
                    )
                    if resource.version == 0:
                        resource_publish(actor=None, resource_id=resource.pk)
                continue
            try:
                with transaction.atomic():
                    resource = Resource.objects.create(
                        slug=definition.slug,
                        code=definition.code,
                        name=definition.name,
                        category_class=definition.category[0],
                        category_item=definition.category[1],
                        category_catalog=definition.category[2],
                        source_department_id=department.id if department else None,
                        summary=definition.summary,
                        format="数据库",
                        sharing_type=SharingType.CONDITIONAL,
                        sharing_condition=definition.sharing_condition,
                        sharing_methods=list(definition.sharing_methods),
                        openness=Openness.NONE,
                        update_cycle=definition.update_cycle,
                        builtin=True,
                    )
            except IntegrityError:
                continue  # another process created it at the same moment
            _replace_elements(
                resource,
                [ElementSpec.from_object(item) for item in definition.elements],
            )
            if department is not None:
                resource.elements.update(authoritative_department_id=department.id)
            resource.search_text = _search_text(resource)
            resource.status = ResourceStatus.SUBMITTED
            resource.save()
            record_model_event(
                actor=actor, action="datahub.resource.create", instance=resource, changes={"builtin": definition.slug}
            )
            if department is not None:
                resource_publish(actor=None, resource_id=resource.pk)
            created.append(resource)
    return created


def resource_retire(*, actor: Actor | None, resource_id: int) -> Resource:
    """The platform administrator withdraws a resource: no new data, no longer offered for sharing."""
    _require_platform_admin(actor)
    with transaction.atomic():
        resource = Resource.objects.select_for_update().filter(pk=resource_id).first()
        if resource is None:
            raise NotFound(_("No such resource."))
        if resource.builtin:
            raise ValidationFailed(_("A built-in registry cannot be retired."))
        resource.status = ResourceStatus.RETIRED
        resource.save(update_fields=["status", "updated_at"])
        record_model_event(actor=actor, action="datahub.resource.retire", instance=resource)
    return resource
