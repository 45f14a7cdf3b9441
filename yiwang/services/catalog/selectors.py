"""Reading the service item catalog: the public guide (published versions), search, and staff lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from yiwang.core.errors import NotFound, lazy_format
from yiwang.core.search import search_terms
from yiwang.services.models import Fee, HandlingItem, ItemType, ItemVersion, Material, VersionStatus

# Django's get_FOO_display hashes the whole choice list per call: a dict is a hundred times cheaper.
ITEM_TYPE_LABELS = dict(ItemType.choices)
SUMMARY_FIELDS = (
    "item_id", "number", "status", "name", "item_type", "project_type", "promised_limit", "promised_unit",
    "online_depth", "visits", "result_name", "item__task_code", "item__catalog_code", "item__department_id",
    "item__department__name",
)  # fmt: skip


@dataclass(frozen=True)
class ItemSummary:
    """An item in a list or a search result: its published (or newest) version."""

    item_id: int
    version_id: int
    task_code: str
    catalog_code: str
    name: str
    item_type: str
    item_type_label: str
    department_id: int
    department: str
    version: int
    status: str
    project_type: str
    promised_limit: int
    promised_unit: str
    online_depth: str
    visits: int


def _summary(version: ItemVersion) -> ItemSummary:
    return ItemSummary(
        item_id=version.item_id,
        version_id=version.pk,
        task_code=version.item.task_code,
        catalog_code=version.item.catalog_code,
        name=version.name,
        item_type=version.item_type,
        item_type_label=str(ITEM_TYPE_LABELS.get(version.item_type, version.item_type)),
        department_id=version.item.department_id,
        department=version.item.department.name,
        version=version.number,
        status=version.status,
        project_type=version.project_type,
        promised_limit=version.promised_limit,
        promised_unit=version.promised_unit,
        online_depth=version.online_depth,
        visits=version.visits,
    )


def _published() -> QuerySet[ItemVersion]:
    return ItemVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related("item", "item__department")


def item_search(
    *, query: str = "", item_type: str = "", department_id: int | None = None, limit: int = 50
) -> list[ItemSummary]:
    """Published items matching a query in Chinese, best first: a hit in the name before one in the materials.

    Terms match as substrings, after abbreviations are expanded (社保 → 社会保险, 户口 → 户籍); an empty query
    lists items by implementation code.
    """
    queryset = _published()
    if item_type:
        queryset = queryset.filter(item_type=item_type)
    if department_id is not None:
        queryset = queryset.filter(item__department_id=department_id)
    terms = search_terms(query) if query.strip() else []
    if not terms:
        return [_summary(version) for version in queryset.only(*SUMMARY_FIELDS).order_by("item__task_code")[:limit]]
    condition = Q()
    score: Any = Value(0)
    for term in terms:
        condition |= Q(search_text__contains=term.upper())  # stored upper-cased: no upper() per row
        score = score + Case(
            When(name__startswith=term, then=Value(150)),
            When(name__contains=term, then=Value(100)),
            When(result_name__contains=term, then=Value(40)),
            When(item__department__name__contains=term, then=Value(20)),
            When(search_text__contains=term.upper(), then=Value(10)),
            default=Value(0),
            output_field=IntegerField(),
        )
    # Ranked and cut in the database: only the rows shown are built (a broad query such as 证 matches thousands).
    ranked = (
        queryset.filter(condition).only(*SUMMARY_FIELDS).annotate(score=score).order_by("-score", "item__task_code")
    )
    return [_summary(version) for version in ranked[:limit]]


def item_list(*, department_id: int | None = None, status: str = "") -> list[ItemSummary]:
    """Every item's newest version (staff lists), optionally of one department or in one status."""
    queryset = ItemVersion.objects.select_related("item", "item__department").order_by("item__task_code", "-number")
    if department_id is not None:
        queryset = queryset.filter(item__department_id=department_id)
    newest: dict[int, ItemVersion] = {}
    for version in queryset:
        newest.setdefault(version.item_id, version)
    summaries = [_summary(version) for version in newest.values()]
    return [summary for summary in summaries if not status or summary.status == status]


def _with_children(queryset: QuerySet[ItemVersion]) -> QuerySet[ItemVersion]:
    return queryset.select_related("item", "item__department").prefetch_related(
        Prefetch("handling_items", queryset=HandlingItem.objects.order_by("position")),
        Prefetch("materials", queryset=Material.objects.order_by("position")),
        Prefetch("fees", queryset=Fee.objects.order_by("position")),
    )


def item_guide(*, task_code: str) -> ItemVersion:
    """The service guide (办事指南) of an item: its published version with handling items, materials and fees."""
    version = _with_children(_published()).filter(item__task_code=task_code).first()
    if version is None:
        raise NotFound(lazy_format(_("No published item has implementation code %(code)s."), {"code": task_code}))
    return version


def item_version_get(*, version_id: int) -> ItemVersion:
    """One version of an item, any status, with its children (for staff and for applications under it)."""
    version = _with_children(ItemVersion.objects.all()).filter(pk=version_id).first()
    if version is None:
        raise NotFound(lazy_format(_("No item version has id %(id)s."), {"id": version_id}))
    return version


def item_versions(*, task_code: str) -> list[ItemSummary]:
    """Every version of an item, newest first."""
    versions = ItemVersion.objects.filter(item__task_code=task_code).select_related("item", "item__department")
    return [_summary(version) for version in versions.order_by("-number")]
