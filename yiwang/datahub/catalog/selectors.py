"""Reading the catalog: published schemas, lists, and search in Chinese."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from yiwang.core.errors import NotFound
from yiwang.core.search import search_terms
from yiwang.datahub.catalog.schema import ElementSpec, ResourceSchema
from yiwang.datahub.models import Resource, ResourceStatus, ResourceVersion, SharingMethod


@dataclass(frozen=True)
class ResourceSummary:
    """A catalog entry in a list or search result."""

    id: int
    slug: str
    code: str
    name: str
    status: str
    version: int
    source_department: str
    sharing_type: str
    openness: str
    update_cycle: str
    summary: str
    element_names: tuple[str, ...]
    builtin: bool


def _summary(resource: Resource) -> ResourceSummary:
    return ResourceSummary(
        id=resource.pk,
        slug=resource.slug,
        code=resource.code,
        name=resource.name,
        status=resource.status,
        version=resource.version,
        source_department=resource.source_department.name if resource.source_department is not None else "",
        sharing_type=resource.sharing_type,
        openness=resource.openness,
        update_cycle=resource.update_cycle,
        summary=resource.summary,
        element_names=tuple(element.name for element in resource.elements.all()),
        builtin=resource.builtin,
    )


def resource_schema(*, slug: str) -> ResourceSchema:
    """The latest published version of a resource; NotFound when it has never been published."""
    resource = Resource.objects.filter(slug=slug).first()
    if resource is None:
        raise NotFound(_("No resource has slug %(slug)s.") % {"slug": slug}, field="resource")
    version = ResourceVersion.objects.filter(resource=resource).order_by("-version").first()
    if version is None or resource.status == ResourceStatus.RETIRED:
        raise NotFound(_("Resource %(slug)s is not published.") % {"slug": slug}, field="resource")
    return schema_from_snapshot(resource.pk, version.version, version.snapshot)


def schema_from_snapshot(resource_id: int, version: int, snapshot: dict[str, Any]) -> ResourceSchema:
    """Build the schema object from a stored snapshot."""
    return ResourceSchema(
        resource_id=resource_id,
        slug=snapshot["slug"],
        code=snapshot["code"],
        name=snapshot["name"],
        version=version,
        source_department_id=snapshot.get("source_department_id"),
        lenient_identifiers=bool(snapshot.get("lenient_identifiers")),
        update_cycle=snapshot.get("update_cycle", "irregular"),
        elements=tuple(ElementSpec.from_json(item) for item in snapshot["elements"]),
    )


def element_authorities(*, resource_id: int) -> dict[str, int | None]:
    """The authoritative department of each element (the live assignment, not the published snapshot)."""
    from yiwang.datahub.models import Element

    return dict(Element.objects.filter(resource_id=resource_id).values_list("code", "authoritative_department_id"))


def _published(queryset: QuerySet[Resource]) -> QuerySet[Resource]:
    # An entry being revised (back to draft) still offers its last published version to everyone.
    return queryset.filter(version__gt=0).exclude(status=ResourceStatus.RETIRED)


def resource_list(
    *, status: str | None = None, department_id: int | None = None, published_only: bool = False
) -> list[ResourceSummary]:
    """Catalog entries: of one status, of one source department, or those with a published version."""
    queryset = Resource.objects.select_related("source_department").prefetch_related("elements")
    if published_only:
        queryset = _published(queryset)
    if status:
        queryset = queryset.filter(status=status)
    if department_id is not None:
        queryset = queryset.filter(source_department_id=department_id)
    return [_summary(item) for item in queryset.order_by("code")]


def catalog_search(*, query: str, include_unpublished: bool = False, limit: int = 50) -> list[ResourceSummary]:
    """Resources matching a query in Chinese, best first: name hits before element hits before summary hits.

    Chinese has no spaces to split on, so a term matches as a substring; short abbreviations are expanded
    first (社保 → 社会保险, 社会保障), and a match that only straddles a longer word (民政 inside 人民政府)
    ranks below a match in the resource's own name.
    """
    terms = search_terms(query)
    if not terms:
        return []
    condition = Q()
    for term in terms:
        condition |= Q(search_text__icontains=term)
    queryset = Resource.objects.filter(condition).select_related("source_department").prefetch_related("elements")
    if not include_unpublished:
        queryset = _published(queryset)

    def score(resource: Resource) -> tuple[int, str]:
        points = 0
        for term in terms:
            if term in resource.name:
                points += 100 + (50 if resource.name.startswith(term) else 0)
            if any(term in element.name for element in resource.elements.all()):
                points += 30
            if term in resource.category_item or term in resource.category_catalog:
                points += 20
            if term in resource.summary:
                points += 10
            if resource.source_department is not None and term in resource.source_department.name:
                points += 5
        return (-points, resource.code)

    ranked = sorted(queryset[:500], key=score)
    return [_summary(item) for item in ranked[:limit]]


def resource_detail(*, slug: str) -> Resource:
    """A resource with its elements, versions and related entries (for pages of this app)."""
    resource = (
        Resource.objects.select_related("source_department")
        .prefetch_related("elements__authoritative_department", "versions", "related")
        .filter(slug=slug)
        .first()
    )
    if resource is None:
        raise NotFound(_("No resource has slug %(slug)s.") % {"slug": slug})
    return resource


@dataclass(frozen=True)
class SharedResource:
    """A published resource as the exchange sees it: its elements and who may have it on what terms."""

    schema: ResourceSchema
    source_department_id: int | None
    source_department: str
    sharing_type: str
    sharing_condition: str
    sharing_methods: tuple[str, ...]
    verification_only: bool = False  # shared by verification alone: values are checked, never handed out


def shared_resource(*, slug: str) -> SharedResource:
    """The latest published version of a resource with its live sharing attributes; NotFound otherwise."""
    schema = resource_schema(slug=slug)
    resource = Resource.objects.select_related("source_department").get(pk=schema.resource_id)
    return SharedResource(
        schema=schema,
        source_department_id=resource.source_department_id,
        source_department=resource.source_department.name if resource.source_department else "",
        sharing_type=resource.sharing_type,
        sharing_condition=resource.sharing_condition,
        sharing_methods=tuple(resource.sharing_methods or ()),
        verification_only=set(resource.sharing_methods or ()) == {SharingMethod.VERIFICATION},
    )


def shared_resource_by_id(*, resource_id: int) -> SharedResource:
    resource = Resource.objects.filter(pk=resource_id).first()
    if resource is None:
        raise NotFound(_("No such resource."), field="resource")
    return shared_resource(slug=resource.slug)


def _bigrams(text: str) -> set[str]:
    """Pairs of adjacent Han characters or alphanumerics (Chinese has no spaces to split words on)."""
    cleaned = "".join(char if char.isalnum() else " " for char in text)
    pairs: set[str] = set()
    for chunk in cleaned.split():
        pairs.update(chunk[index : index + 2] for index in range(len(chunk) - 1))
    return pairs


def source_departments_for(*, query: str, minimum: float = 1.0) -> list[int]:
    """Source departments of the published resources that resemble a free text (a data demand), best first.

    Each published resource is scored by the character pairs it shares with the text, each pair weighted by how
    rare it is in the catalog (inverse document frequency), so that 户籍 counts and 信息 hardly does; a department
    scores its best resource. Departments under `minimum` are not suggested.
    """
    import math

    wanted = set()
    for term in [*search_terms(query), query]:
        wanted |= _bigrams(term)
    resources = list(
        _published(Resource.objects.filter(source_department__isnull=False)).values_list(
            "source_department_id", "search_text"
        )
    )
    if not wanted or not resources:
        return []
    documents = [(department_id, _bigrams(text)) for department_id, text in resources]
    frequency: Counter[str] = Counter()
    for _department, pairs in documents:
        frequency.update(pairs & wanted)
    best: dict[int, float] = {}
    for department_id, pairs in documents:
        score = sum(math.log(1 + len(documents) / frequency[pair]) for pair in pairs & wanted)
        best[department_id] = max(best.get(department_id, 0.0), score)
    ranked = sorted(best.items(), key=lambda item: -item[1])
    return [department_id for department_id, score in ranked if score >= minimum]
