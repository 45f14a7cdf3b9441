"""Console pages of the catalog (信息资源目录): list and search, one entry with its elements and versions,
drafting with the elements editor, review and publication, authoritative sources, and Excel out and in.

Who sees what: every staff member sees the published entries (an entry being revised shows its published
version); data administrators also see their own department's working copies, drafts included; platform
administrators see every entry as it is now. Who may change what is decided again by catalog.services.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.core.audit.selectors import audit_events_for_object
from yiwang.core.errors import NotFound, YiwangError
from yiwang.core.errors import PermissionDenied as ServicePermissionDenied
from yiwang.core.forms import add_service_error
from yiwang.datahub.catalog import excel, selectors, services
from yiwang.datahub.catalog.forms import (
    ELEMENT_CODE,
    AuthorityForm,
    BaseElementFormSet,
    ImportForm,
    ResourceForm,
    ReturnForm,
    element_formset,
    element_initial,
    form_as_initial,
    planned_snapshot,
    resource_initial,
    rows_as_initial,
)
from yiwang.datahub.catalog.selectors import ResourceSummary
from yiwang.datahub.models import (
    ElementType,
    Openness,
    Resource,
    ResourceStatus,
    SharingMethod,
    SharingType,
    UpdateCycle,
)
from yiwang.identity.access import staff_required
from yiwang.identity.roles import Role
from yiwang.org.selectors import department_get, department_list

EDITORS = (Role.DATA_ADMIN, Role.PLATFORM_ADMIN)
PAGE_SIZE = 50
SEARCH_LIMIT = 500
IMPORT_SALT = "yiwang.datahub.catalog.import"
IMPORT_MAX_AGE = 2 * 3600  # seconds a preview may be confirmed

STATUS_LABELS = dict(ResourceStatus.choices)
SHARING_LABELS = dict(SharingType.choices)
OPENNESS_LABELS = dict(Openness.choices)
CYCLE_LABELS = dict(UpdateCycle.choices)
METHOD_LABELS = dict(SharingMethod.choices)
TYPE_LABELS = dict(ElementType.choices)
EVENT_LABELS = {
    "datahub.resource.create": gettext_lazy("Created"),
    "datahub.resource.update": gettext_lazy("Metadata changed"),
    "datahub.resource.elements": gettext_lazy("Data elements changed"),
    "datahub.resource.submit": gettext_lazy("Submitted for review"),
    "datahub.resource.publish": gettext_lazy("Published"),
    "datahub.resource.return": gettext_lazy("Returned to the department"),
    "datahub.element.authority": gettext_lazy("Authoritative source assigned"),
}
# What a version history compares between two published snapshots.
SNAPSHOT_LABELS = {
    "code": gettext_lazy("code"),
    "slug": gettext_lazy("slug"),
    "name": gettext_lazy("name"),
    "category": gettext_lazy("category"),
    "source_department_id": gettext_lazy("source department"),
    "summary": gettext_lazy("summary"),
    "format": gettext_lazy("format"),
    "sharing_type": gettext_lazy("sharing type"),
    "sharing_condition": gettext_lazy("sharing condition"),
    "sharing_methods": gettext_lazy("sharing methods"),
    "openness": gettext_lazy("openness"),
    "openness_condition": gettext_lazy("openness condition"),
    "update_cycle": gettext_lazy("update cycle"),
    "release_date": gettext_lazy("release date"),
    "related": gettext_lazy("related resources"),
    "lenient_identifiers": gettext_lazy("lenient identifiers"),
}


# --- who sees what ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """The signed-in staff member, as far as the catalog is concerned."""

    user: Any
    is_platform_admin: bool
    data_admin_department_id: int | None

    def edits(self, department_id: int | None) -> bool:
        """Platform administrators work on every entry; data administrators on their own department's."""
        if self.is_platform_admin:
            return True
        return self.data_admin_department_id is not None and department_id == self.data_admin_department_id

    @property
    def is_editor(self) -> bool:
        return self.is_platform_admin or self.data_admin_department_id is not None


def _viewer(request: HttpRequest) -> Viewer:
    user: Any = request.user
    return Viewer(
        user=user,
        is_platform_admin=user.has_role(Role.PLATFORM_ADMIN),
        data_admin_department_id=user.department_id if user.has_role(Role.DATA_ADMIN) else None,
    )


@dataclass(frozen=True)
class ListedEntry:
    """A catalog entry in the list; `live` when the viewer sees its working copy, not only what is published."""

    summary: ResourceSummary
    live: bool

    @property
    def status(self) -> str:
        return self.summary.status if self.live else ResourceStatus.PUBLISHED

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def sharing_label(self) -> str:
        return str(SHARING_LABELS.get(self.summary.sharing_type, self.summary.sharing_type))

    @property
    def openness_label(self) -> str:
        return str(OPENNESS_LABELS.get(self.summary.openness, self.summary.openness))

    @property
    def cycle_label(self) -> str:
        return str(CYCLE_LABELS.get(self.summary.update_cycle, self.summary.update_cycle))


def _visible(viewer: Viewer, summaries: Sequence[ResourceSummary]) -> list[ListedEntry]:
    own: set[int] = set()
    if viewer.data_admin_department_id is not None and not viewer.is_platform_admin:
        own = {item.id for item in selectors.resource_list(department_id=viewer.data_admin_department_id)}
    entries = []
    for summary in summaries:
        if viewer.is_platform_admin or summary.id in own:
            entries.append(ListedEntry(summary, live=True))
        elif summary.version > 0 and summary.status != ResourceStatus.RETIRED:
            entries.append(ListedEntry(summary, live=False))
    return entries


def _catalog_entries(viewer: Viewer, *, query: str, status: str) -> list[ListedEntry]:
    if query:
        summaries = selectors.catalog_search(query=query, include_unpublished=True, limit=SEARCH_LIMIT)
    else:
        summaries = selectors.resource_list()
    entries = _visible(viewer, summaries)
    if status:
        entries = [entry for entry in entries if entry.status == status]
    return entries


def _entry_or_404(viewer: Viewer, slug: str) -> tuple[Resource, bool]:
    """The entry and whether the viewer sees its working copy; 404 when they may not know it exists."""
    try:
        resource = selectors.resource_detail(slug=slug)
    except NotFound:
        raise Http404(_("No such catalog entry.")) from None
    if viewer.edits(resource.source_department_id):
        return resource, True
    if resource.version > 0 and resource.status != ResourceStatus.RETIRED:
        return resource, False
    raise Http404(_("No such catalog entry."))


def _editable_or_403(viewer: Viewer, slug: str) -> Resource:
    resource, live = _entry_or_404(viewer, slug)
    if not live:
        raise PermissionDenied(_("Only the source department's data administrators change this entry."))
    return resource


def _latest_snapshot(resource: Resource) -> dict[str, Any]:
    versions = sorted(resource.versions.all(), key=lambda item: item.version)
    if not versions:
        raise Http404(_("No such catalog entry."))
    return dict(versions[-1].snapshot)


def _department_choices(viewer: Viewer) -> list[tuple[int, str]]:
    departments = department_list()
    if not viewer.is_platform_admin:
        departments = [item for item in departments if item.id == viewer.data_admin_department_id]
    return [(item.id, f"{item.name}（{item.division_name}）") for item in departments]


def _department_name(department_id: int | None, known: Mapping[int, str] | None = None) -> str:
    if department_id is None:
        return ""
    if known and department_id in known:
        return known[department_id]
    department = department_get(department_id=department_id)
    return department.name if department else ""


# --- list -------------------------------------------------------------------------------------------------


@staff_required()
@require_GET
def catalog_list_view(request: HttpRequest) -> HttpResponse:
    """The catalog: search in Chinese, and for platform administrators every status (the review queue)."""
    viewer = _viewer(request)
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    if status not in ResourceStatus.values or not viewer.is_editor:
        status = ""
    entries = _catalog_entries(viewer, query=query, status=status)
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


def _render_detail(
    request: HttpRequest,
    viewer: Viewer,
    resource: Resource,
    live: bool,
    *,
    return_form: ReturnForm | None = None,
    authority_form: AuthorityForm | None = None,
    status: int = 200,
) -> HttpResponse:
    snapshot = services.resource_snapshot(resource) if live else _latest_snapshot(resource)
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
        "department": _department_name(department_id, known),
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
    viewer = _viewer(request)
    resource, live = _entry_or_404(viewer, slug)
    return _render_detail(request, viewer, resource, live)


# --- review -----------------------------------------------------------------------------------------------


def _detail_url(slug: str) -> str:
    return reverse("datahub:catalog_detail", kwargs={"slug": slug})


@staff_required(*EDITORS)
@require_POST
def catalog_submit_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The source department submits its draft for review."""
    viewer = _viewer(request)
    resource = _editable_or_403(viewer, slug)
    try:
        services.resource_submit(actor=viewer.user, resource_id=resource.pk)
    except ServicePermissionDenied as error:
        raise PermissionDenied(str(error)) from None
    except YiwangError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s is submitted for review.") % {"name": resource.name})
    return redirect(_detail_url(resource.slug))


@staff_required(Role.PLATFORM_ADMIN)
@require_POST
def catalog_publish_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The platform administrator publishes a submitted entry as its next version."""
    viewer = _viewer(request)
    resource, _live = _entry_or_404(viewer, slug)
    try:
        version = services.resource_publish(actor=viewer.user, resource_id=resource.pk)
    except YiwangError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(name)s is published as version %(version)d.") % {"name": resource.name, "version": version.version},
        )
    return redirect(_detail_url(resource.slug))


@staff_required(Role.PLATFORM_ADMIN)
@require_POST
def catalog_return_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The platform administrator sends a submitted entry back with the reason."""
    viewer = _viewer(request)
    resource, live = _entry_or_404(viewer, slug)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.resource_return(actor=viewer.user, resource_id=resource.pk, note=form.cleaned_data["note"])
        except YiwangError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(name)s is returned to its department.") % {"name": resource.name})
            return redirect(_detail_url(resource.slug))
    return _render_detail(request, viewer, resource, live, return_form=form, status=400)


@staff_required(Role.PLATFORM_ADMIN)
@require_POST
def catalog_authority_view(request: HttpRequest, slug: str) -> HttpResponse:
    """一数一源: the platform administrator names the authoritative source of one element."""
    viewer = _viewer(request)
    resource, live = _entry_or_404(viewer, slug)
    departments = [(item.id, f"{item.name}（{item.division_name}）") for item in department_list()]
    code = request.POST.get("element", "")
    # The code becomes part of the fields' ids only when it is a well-formed element code.
    prefix = f"id_authority_{code}_" if ELEMENT_CODE.match(code) else "id_authority_"
    form = AuthorityForm(request.POST, departments=departments, auto_id=prefix + "%s")
    if form.is_valid():
        try:
            services.element_assign_authority(
                actor=viewer.user,
                resource_id=resource.pk,
                element_code=form.cleaned_data["element"],
                department_id=form.cleaned_data["department"],
            )
        except YiwangError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The authoritative source of %(element)s is saved.") % {"element": code})
            return redirect(_detail_url(resource.slug) + f"#element-{form.cleaned_data['element']}")
    return _render_detail(request, viewer, resource, live, authority_form=form, status=400)


# --- drafting ---------------------------------------------------------------------------------------------


def _render_form(
    request: HttpRequest,
    *,
    form: ResourceForm,
    formset: BaseElementFormSet,
    resource: Resource | None,
    elements_errors: Sequence[str] = (),
    status: int = 200,
) -> HttpResponse:
    errors = [str(error) for error in formset.non_form_errors()] if formset.is_bound else []
    context = {
        "form": form,
        "formset": formset,
        "resource": resource,
        "elements_errors": [*errors, *elements_errors],
        "type_labels": TYPE_LABELS,
    }
    return render(request, "datahub/catalog/form.html", context, status=status)


def _service_error(form: ResourceForm, error: YiwangError) -> list[str]:
    """Errors about the elements go above the elements table; the others next to their field."""
    if error.field == "elements":
        return [str(error.message)]
    add_service_error(form, error)
    return []


@staff_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def catalog_create_view(request: HttpRequest) -> HttpResponse:
    """A data administrator drafts a new entry for their department, with its data elements."""
    viewer = _viewer(request)
    departments = _department_choices(viewer)
    if request.method != "POST":
        initial = {"source_department": viewer.data_admin_department_id, "update_cycle": UpdateCycle.MONTHLY}
        form = ResourceForm(departments=departments, initial=initial)
        return _render_form(request, form=form, formset=element_formset(), resource=None)
    form = ResourceForm(request.POST, departments=departments)
    formset = element_formset(request.POST)
    if request.POST.get("action") == "add_row":
        form = ResourceForm(departments=departments, initial=form_as_initial(form))
        return _render_form(
            request, form=form, formset=element_formset(initial=rows_as_initial(formset)), resource=None
        )
    elements_errors: list[str] = []
    if all([form.is_valid(), formset.is_valid()]):
        try:
            created = services.resource_create(
                actor=viewer.user, fields=form.resource_fields(), elements=formset.element_specs({})
            )
        except YiwangError as error:
            elements_errors = _service_error(form, error)
        else:
            messages.success(request, _("Draft %(name)s is saved.") % {"name": created.name})
            return redirect(_detail_url(created.slug))
    return _render_form(request, form=form, formset=formset, resource=None, elements_errors=elements_errors, status=400)


@staff_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def catalog_edit_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The source department revises an entry; a published entry stays published until the revision is."""
    viewer = _viewer(request)
    resource = _editable_or_403(viewer, slug)
    snapshot = services.resource_snapshot(resource)
    departments = _department_choices(viewer)
    initial = resource_initial(snapshot)
    if request.method != "POST":
        form = ResourceForm(departments=departments, builtin=resource.builtin, initial=initial)
        formset = element_formset(initial=[element_initial(item) for item in snapshot["elements"]])
        return _render_form(request, form=form, formset=formset, resource=resource)
    form = ResourceForm(request.POST, departments=departments, builtin=resource.builtin, initial=initial)
    formset = element_formset(request.POST)
    if request.POST.get("action") == "add_row":
        form = ResourceForm(departments=departments, builtin=resource.builtin, initial=form_as_initial(form))
        return _render_form(
            request, form=form, formset=element_formset(initial=rows_as_initial(formset)), resource=resource
        )
    elements_errors: list[str] = []
    if all([form.is_valid(), formset.is_valid()]):
        kept_rules = {item["code"]: item.get("rules") or {} for item in snapshot["elements"]}
        fields = form.resource_fields()
        elements = formset.element_specs(kept_rules)
        planned = planned_snapshot(fields, elements)
        metadata_changed = {key: value for key, value in planned.items() if key != "elements"} != {
            key: value for key, value in snapshot.items() if key != "elements"
        }
        elements_changed = planned["elements"] != snapshot["elements"]
        if not metadata_changed and not elements_changed:
            messages.info(request, _("Nothing was changed."))
            return redirect(_detail_url(resource.slug))
        try:
            # Metadata and elements are one revision: both are saved or neither.
            with transaction.atomic():
                if metadata_changed:
                    resource = services.resource_update(actor=viewer.user, resource_id=resource.pk, fields=fields)
                if elements_changed:
                    resource = services.resource_set_elements(
                        actor=viewer.user, resource_id=resource.pk, elements=elements
                    )
        except ServicePermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        except YiwangError as error:
            elements_errors = _service_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is saved as a draft. Submit it for review to publish the change.")
                % {"name": resource.name},
            )
            return redirect(_detail_url(resource.slug))
    return _render_form(
        request, form=form, formset=formset, resource=resource, elements_errors=elements_errors, status=400
    )


# --- Excel ------------------------------------------------------------------------------------------------


@staff_required()
@require_GET
def catalog_export_view(request: HttpRequest) -> HttpResponse:
    """The catalog (or the entries the search and filter select) as the Excel workbook departments use."""
    viewer = _viewer(request)
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    if status not in ResourceStatus.values or not viewer.is_editor:
        status = ""
    snapshots = []
    for entry in _catalog_entries(viewer, query=query, status=status):
        resource = selectors.resource_detail(slug=entry.summary.slug)
        snapshots.append(services.resource_snapshot(resource) if entry.live else _latest_snapshot(resource))
    known = {item.id: item.name for item in department_list()}
    names = {
        department_id: _department_name(department_id, known)
        for department_id in {item.get("source_department_id") for item in snapshots}
        if department_id is not None
    }
    content = excel.catalog_workbook(entries=snapshots, department_names=names)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = HttpResponse(content, content_type=excel.XLSX_CONTENT_TYPE)
    # An ASCII name for old clients, the Chinese one (信息资源目录) for the others (RFC 6266).
    chinese = quote(f"信息资源目录-{stamp}.xlsx")
    response["Content-Disposition"] = f"attachment; filename=\"catalog-{stamp}.xlsx\"; filename*=UTF-8''{chinese}"
    return response


def _import_token(viewer: Viewer, parsed: excel.ParsedWorkbook) -> str:
    return signing.dumps({"user": viewer.user.pk, "workbook": parsed.to_json()}, salt=IMPORT_SALT, compress=True)


def _import_from_token(viewer: Viewer, token: str) -> excel.ParsedWorkbook | None:
    try:
        payload = signing.loads(token, salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
    except signing.BadSignature:  # also an expired one
        return None
    if not isinstance(payload, dict) or payload.get("user") != viewer.user.pk:
        return None
    return excel.ParsedWorkbook.from_json(payload["workbook"])


@staff_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def catalog_import_view(request: HttpRequest) -> HttpResponse:
    """Upload a catalog workbook, see what it would create and change (or what is wrong), then confirm."""
    viewer = _viewer(request)
    form = ImportForm()
    report: excel.ImportReport | None = None
    expired = ""
    token = ""
    file_name = ""
    status = 200
    if request.method == "POST" and request.POST.get("action") == "apply":
        parsed = _import_from_token(viewer, request.POST.get("token", ""))
        if parsed is None:
            expired = _("The preview has expired. Upload the workbook again.")
            status = 400
        else:
            report = excel.catalog_import(actor=viewer.user, parsed=parsed, apply=True)
            if report.applied:
                messages.success(
                    request,
                    _("The workbook is imported: %(created)d entries created, %(updated)d updated, %(same)d unchanged.")
                    % {
                        "created": report.count(excel.ImportAction.CREATE),
                        "updated": report.count(excel.ImportAction.UPDATE),
                        "same": report.count(excel.ImportAction.UNCHANGED),
                    },
                )
                return redirect("datahub:catalog")
            file_name = parsed.file_name
            status = 400
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["workbook"]
            file_name = upload.name or ""
            parsed = excel.workbook_read(data=upload.read(), name=file_name)
            report = excel.catalog_import(actor=viewer.user, parsed=parsed, apply=False)
            if report.problems:
                status = 400
            else:
                token = _import_token(viewer, parsed)
        else:
            status = 400
    context = {"form": form, "report": report, "token": token, "file_name": file_name, "expired": expired}
    return render(request, "datahub/catalog/import.html", context, status=status)
