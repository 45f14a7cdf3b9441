"""Reading the organisation: typed views of divisions and departments for other apps."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Q

from yiwang.org.models import LEVEL_DIGITS, Department, DepartmentKind, Division, DivisionLevel


@dataclass(frozen=True)
class DivisionInfo:
    """A division as other apps see it."""

    id: int
    code: str
    name: str
    level: str
    parent_id: int | None


@dataclass(frozen=True)
class DepartmentInfo:
    """A department as other apps see it."""

    id: int
    name: str
    short_name: str
    credit_code: str
    kind: str
    kind_label: str
    division_id: int
    division_code: str
    division_name: str
    parent_id: int | None
    is_active: bool


def division_info_from_model(division: Division) -> DivisionInfo:
    return DivisionInfo(
        id=division.pk,
        code=division.code,
        name=division.name,
        level=division.level,
        parent_id=division.parent_id,
    )


def department_info_from_model(department: Department) -> DepartmentInfo:
    return DepartmentInfo(
        id=department.pk,
        name=department.name,
        short_name=department.short_name,
        credit_code=department.credit_code,
        kind=department.kind,
        kind_label=str(DepartmentKind(department.kind).label),
        division_id=department.division_id,
        division_code=department.division.code,
        division_name=department.division.name,
        parent_id=department.parent_id,
        is_active=department.is_active,
    )


def division_get(*, code: str) -> DivisionInfo | None:
    """The division with this code, if any."""
    division = Division.objects.filter(code=code).first()
    return division_info_from_model(division) if division else None


def division_children(*, parent_code: str | None) -> list[DivisionInfo]:
    """Divisions directly under `parent_code` (the top level when None)."""
    queryset = (
        Division.objects.filter(parent__code=parent_code) if parent_code else Division.objects.filter(parent=None)
    )
    return [division_info_from_model(item) for item in queryset.order_by("code")]


def division_count_by_level() -> dict[str, int]:
    """How many divisions there are at each level."""
    counts = {level.value: 0 for level in DivisionLevel}
    for level in Division.objects.values_list("level", flat=True):
        counts[level] += 1
    return counts


def division_subtree_prefix(division: DivisionInfo) -> str:
    """The code prefix shared by a division and everything under it."""
    significant, _length = LEVEL_DIGITS[DivisionLevel(division.level)]
    return division.code[:significant]


def local_area_names() -> Mapping[str, str]:
    """Six-digit codes of the platform's own divisions (province to county) → name, for ID validation."""
    return dict(
        Division.objects.filter(
            level__in=[DivisionLevel.PROVINCE, DivisionLevel.CITY, DivisionLevel.COUNTY]
        ).values_list("code", "name")
    )


def department_get(*, department_id: int) -> DepartmentInfo | None:
    """One department by id."""
    department = Department.objects.select_related("division").filter(pk=department_id).first()
    return department_info_from_model(department) if department else None


def department_get_by_name(*, name: str) -> DepartmentInfo | None:
    """One department by its exact name (names are unique within a division; the first by division code)."""
    department = Department.objects.select_related("division").filter(name=name).order_by("division__code").first()
    return department_info_from_model(department) if department else None


def departments_by_reference(*, reference: str) -> list[DepartmentInfo]:
    """Active departments a person would mean by `reference`: its unified social credit code, else its exact name
    (several when a name repeats across divisions: the caller says it is ambiguous)."""
    queryset = Department.objects.select_related("division").filter(is_active=True)
    reference = reference.strip()
    found = list(queryset.filter(credit_code=reference.upper())) or list(queryset.filter(name=reference))
    return [department_info_from_model(department) for department in found]


def department_list(
    *, kind: str | None = None, division_code: str | None = None, search: str = ""
) -> list[DepartmentInfo]:
    """Departments, optionally of one kind, under one division (by code prefix) or matching a name."""
    queryset = Department.objects.select_related("division").filter(is_active=True)
    if kind:
        queryset = queryset.filter(kind=kind)
    if division_code:
        division = Division.objects.filter(code=division_code).first()
        if division is None:
            return []
        prefix = division_subtree_prefix(division_info_from_model(division))
        queryset = queryset.filter(division__code__startswith=prefix)
    if search:
        queryset = queryset.filter(Q(name__contains=search) | Q(short_name__contains=search))
    return [department_info_from_model(item) for item in queryset.order_by("division__code", "name")]


def _children_map() -> dict[int | None, list[int]]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for department_id, parent_id in Department.objects.values_list("id", "parent_id"):
        children[parent_id].append(department_id)
    return children


def department_subtree_ids(*, department_id: int) -> frozenset[int]:
    """A department and every department below it in the department tree."""
    children = _children_map()
    found = {department_id}
    stack = [department_id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return frozenset(found)


def department_ids_in_division_subtree(*, department_id: int) -> frozenset[int]:
    """Every department located in the division of `department_id` or below it."""
    department = Department.objects.select_related("division").filter(pk=department_id).first()
    if department is None:
        return frozenset()
    prefix = division_subtree_prefix(division_info_from_model(department.division))
    return frozenset(Department.objects.filter(division__code__startswith=prefix).values_list("id", flat=True))


def department_ancestor_ids(*, department_id: int) -> list[int]:
    """The chain of parents of a department, nearest first."""
    parents = dict(Department.objects.values_list("id", "parent_id"))
    chain: list[int] = []
    current = parents.get(department_id)
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain
