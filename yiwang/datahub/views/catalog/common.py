"""What every catalog page needs: who is looking, which entries they may see, labels of the vocabularies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.core.errors import NotFound
from yiwang.datahub.catalog import selectors
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
from yiwang.identity.roles import Role
from yiwang.org.selectors import department_get, department_list

EDITORS = (Role.DATA_ADMIN, Role.PLATFORM_ADMIN)
SEARCH_LIMIT = 500

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


def viewer_of(request: HttpRequest) -> Viewer:
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


def catalog_entries(viewer: Viewer, *, query: str, status: str) -> list[ListedEntry]:
    if query:
        summaries = selectors.catalog_search(query=query, include_unpublished=True, limit=SEARCH_LIMIT)
    else:
        summaries = selectors.resource_list()
    entries = _visible(viewer, summaries)
    if status:
        entries = [entry for entry in entries if entry.status == status]
    return entries


def entry_or_404(viewer: Viewer, slug: str) -> tuple[Resource, bool]:
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


def editable_or_403(viewer: Viewer, slug: str) -> Resource:
    resource, live = entry_or_404(viewer, slug)
    if not live:
        raise PermissionDenied(_("Only the source department's data administrators change this entry."))
    return resource


def latest_snapshot(resource: Resource) -> dict[str, Any]:
    versions = sorted(resource.versions.all(), key=lambda item: item.version)
    if not versions:
        raise Http404(_("No such catalog entry."))
    return dict(versions[-1].snapshot)


def department_choices(viewer: Viewer) -> list[tuple[int, str]]:
    departments = department_list()
    if not viewer.is_platform_admin:
        departments = [item for item in departments if item.id == viewer.data_admin_department_id]
    return [(item.id, f"{item.name}（{item.division_name}）") for item in departments]


def department_name(department_id: int | None, known: Mapping[int, str] | None = None) -> str:
    if department_id is None:
        return ""
    if known and department_id in known:
        return known[department_id]
    department = department_get(department_id=department_id)
    return department.name if department else ""


def detail_url(slug: str) -> str:
    return reverse("datahub:catalog_detail", kwargs={"slug": slug})
