"""The catalog list with search and filters, and one entry with its elements, versions and related entries."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from yiwang.core.audit.selectors import audit_events_for_object
from yiwang.datahub.catalog import selectors, services
from yiwang.datahub.catalog.forms import (
    AuthorityForm,
    ReturnForm,
)
from yiwang.datahub.models import (
    Resource,
    ResourceStatus,
)
from yiwang.datahub.views.catalog.common import (
    CYCLE_LABELS,
    EVENT_LABELS,
    METHOD_LABELS,
    OPENNESS_LABELS,
    SHARING_LABELS,
    SNAPSHOT_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    Viewer,
    catalog_entries,
    department_name,
    entry_or_404,
    latest_snapshot,
    viewer_of,
)
from yiwang.identity.access import staff_required
from yiwang.org.selectors import department_list

PAGE_SIZE = 50


@staff_required()
@require_GET
def catalog_list_view(request: HttpRequest) -> HttpResponse:
    """The catalog: search in Chinese, and for platform administrators every status (the review queue)."""
    viewer = viewer_of(request)
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    if status not in ResourceStatus.values or not viewer.is_editor:
        status = ""
    entries = catalog_entries(viewer, query=query, status=status)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "entries": page.object_list,
        "total": len(entries),
        "query": query,
        "status": status,
        "statuses": ResourceStatus.choices,
        "viewer": viewer,
        "review_count": len(selectors.resource_list(status=ResourceStatus.SUBMITTED))
        if viewer.is_platform_admin
        else 0,
        "filters": _filter_query(query, status),
    }
    return render(request, "datahub/catalog/list.html", context)


def _filter_query(query: str, status: str) -> str:
    return urlencode({key: value for key, value in (("q", query), ("status", status)) if value})


# --- detail -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ElementLine:
    """A data element as the entry page shows it."""

    code: str
    name: str
    type_label: str
    length: int | None
    required: bool
    is_key: bool
    sensitive: bool
    lookup: bool
    concept: str
    enumeration: tuple[str, ...]
    rules: tuple[tuple[str, str], ...]
    authority: str
    form: AuthorityForm | None


@dataclass(frozen=True)
class RelatedLine:
    code: str
    name: str
    slug: str


@dataclass(frozen=True)
class VersionLine:
    version: int
    published_at: datetime.datetime
    published_by: str
    changes: tuple[str, ...]


def _rule_lines(rules: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    labels = {"pattern": _("Pattern"), "minimum": _("Minimum"), "maximum": _("Maximum")}
    lines = []
    for key, value in rules.items():
        if key == "reference" and isinstance(value, Mapping):
            lines.append((_("Refers to"), f"{value.get('resource', '')} · {value.get('element', '')}"))
        else:
            lines.append((labels.get(key, key), str(value)))
    return tuple(lines)


def _element_lines(
    resource: Resource, snapshot: Mapping[str, Any], forms: Mapping[str, AuthorityForm] | None
) -> list[ElementLine]:
    authorities = {
        element.code: (element.authoritative_department.name if element.authoritative_department else "")
        for element in resource.elements.all()
    }
    lines = []
    for element in snapshot["elements"]:
        lines.append(
            ElementLine(
                code=element["code"],
                name=element["name"],
                type_label=str(TYPE_LABELS.get(element["data_type"], element["data_type"])),
                length=element.get("length"),
                required=bool(element.get("required")),
                is_key=bool(element.get("is_key")),
                sensitive=bool(element.get("sensitive")),
                lookup=bool(element.get("lookup")),
                concept=element.get("concept", ""),
                enumeration=tuple(element.get("enumeration") or ()),
                rules=_rule_lines(element.get("rules") or {}),
                authority=authorities.get(element["code"], ""),
                form=forms.get(element["code"]) if forms is not None else None,
            )
        )
    return lines


def _version_changes(previous: Mapping[str, Any] | None, current: Mapping[str, Any]) -> tuple[str, ...]:
    if previous is None:
        return (_("First publication"),)
    changes = []
    fields = [str(label) for key, label in SNAPSHOT_LABELS.items() if previous.get(key) != current.get(key)]
    if fields:
        changes.append(_("Changed: %(fields)s") % {"fields": ", ".join(fields)})
    old = {item["code"]: item for item in previous.get("elements", [])}
    new = {item["code"]: item for item in current.get("elements", [])}
    for codes, text in (
        ([code for code in new if code not in old], _("Elements added: %(codes)s")),
        ([code for code in old if code not in new], _("Elements removed: %(codes)s")),
        ([code for code in new if code in old and new[code] != old[code]], _("Elements changed: %(codes)s")),
    ):
        if codes:
            changes.append(text % {"codes": ", ".join(codes)})
    return tuple(changes) or (_("No changes to the metadata or elements"),)


def _version_lines(resource: Resource) -> list[VersionLine]:
    versions = sorted(resource.versions.all(), key=lambda item: item.version)
    lines = []
    previous: Mapping[str, Any] | None = None
    for version in versions:
        publisher: Any = version.published_by
        lines.append(
            VersionLine(
                version=version.version,
                published_at=version.published_at,
                published_by=(publisher.real_name or publisher.username) if publisher else _("the platform"),
                changes=_version_changes(previous, version.snapshot),
            )
        )
        previous = version.snapshot
    return list(reversed(lines))


def _authority_forms(resource: Resource, bound: AuthorityForm | None = None) -> dict[str, AuthorityForm]:
    departments = [(item.id, f"{item.name}（{item.division_name}）") for item in department_list()]
    forms = {}
    for element in resource.elements.all():
        if bound is not None and bound.data.get("element") == element.code:
            forms[element.code] = bound
            continue
        forms[element.code] = AuthorityForm(
            initial={"element": element.code, "department": element.authoritative_department_id},
            departments=departments,
            auto_id=f"id_authority_{element.code}_%s",
        )
    return forms


def render_detail(
    request: HttpRequest,
    viewer: Viewer,
    resource: Resource,
    live: bool,
    *,
    return_form: ReturnForm | None = None,
    authority_form: AuthorityForm | None = None,
    status: int = 200,
) -> HttpResponse:
    snapshot = services.resource_snapshot(resource) if live else latest_snapshot(resource)
    state = resource.status if live else ResourceStatus.PUBLISHED
    forms = _authority_forms(resource, authority_form) if viewer.is_platform_admin else None
    # An error about an element the entry does not have has no row to stand next to.
    page_errors = []
    if authority_form is not None and (forms is None or authority_form not in forms.values()):
        page_errors = [str(error) for errors in authority_form.errors.values() for error in errors]
    live_related = {item.code: item for item in resource.related.all()}
    category = [item for item in snapshot.get("category") or [] if item]
    release = snapshot.get("release_date")
    department_id = snapshot.get("source_department_id")
    known = {resource.source_department.pk: resource.source_department.name} if resource.source_department else {}
    context = {
        "resource": resource,
        "entry": snapshot,
        "live": live,
        "state": state,
        "state_label": STATUS_LABELS.get(state, state),
        "showing_published_copy": not live,
        "revising": live and resource.version > 0 and resource.status != ResourceStatus.PUBLISHED,
        "category": category,
        "department": department_name(department_id, known),
        "sharing_label": SHARING_LABELS.get(snapshot["sharing_type"], snapshot["sharing_type"]),
        "openness_label": OPENNESS_LABELS.get(snapshot["openness"], snapshot["openness"]),
        "cycle_label": CYCLE_LABELS.get(snapshot["update_cycle"], snapshot["update_cycle"]),
        "methods": [METHOD_LABELS.get(item, item) for item in snapshot.get("sharing_methods") or []],
        "release_date": datetime.date.fromisoformat(release) if release else None,
        "related": [
            RelatedLine(
                code=code,
                name=live_related[code].name if code in live_related else "",
                slug=live_related[code].slug if code in live_related else "",
            )
            for code in snapshot.get("related") or []
        ],
        "elements": _element_lines(resource, snapshot, forms),
        "versions": _version_lines(resource),
        "events": list(audit_events_for_object(object_type="datahub.resource", object_id=resource.pk)[:50])
        if live
        else [],
        "event_labels": EVENT_LABELS,
        "can_edit": live and resource.status != ResourceStatus.RETIRED,
        "can_submit": live and resource.status == ResourceStatus.DRAFT,
        "can_review": viewer.is_platform_admin and resource.status == ResourceStatus.SUBMITTED,
        "can_assign": viewer.is_platform_admin,
        "return_form": return_form or ReturnForm(),
        "page_errors": page_errors,
        "viewer": viewer,
    }
    return render(request, "datahub/catalog/detail.html", context, status=status)


@staff_required()
@require_GET
def catalog_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    """One catalog entry: metadata, data elements, versions, related entries, and what the viewer may do."""
    viewer = viewer_of(request)
    resource, live = entry_or_404(viewer, slug)
    return render_detail(request, viewer, resource, live)


# --- review -----------------------------------------------------------------------------------------------
