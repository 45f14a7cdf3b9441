"""Public API of the organisation: divisions and departments are public information."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema

from yiwang.org import selectors

router = Router(tags=["organisation"])


class DivisionOut(Schema):
    code: str
    name: str
    level: str


class DepartmentOut(Schema):
    id: int
    name: str
    short_name: str
    credit_code: str
    kind: str
    division_code: str
    division_name: str
    parent_id: int | None


class DivisionQuery(Schema):
    parent: str | None = None


class DepartmentQuery(Schema):
    kind: str | None = None
    division: str | None = None
    q: str = ""


@router.get("/divisions", response=list[DivisionOut], summary="Divisions under a parent (top level without one)")
def divisions(request: HttpRequest, query: Query[DivisionQuery]) -> list[DivisionOut]:
    return [
        DivisionOut(code=d.code, name=d.name, level=d.level)
        for d in selectors.division_children(parent_code=query.parent)
    ]


@router.get("/departments", response=list[DepartmentOut], summary="Active departments")
def departments(request: HttpRequest, query: Query[DepartmentQuery]) -> list[DepartmentOut]:
    found = selectors.department_list(kind=query.kind, division_code=query.division, search=query.q[:50])
    return [
        DepartmentOut(
            id=d.id,
            name=d.name,
            short_name=d.short_name,
            credit_code=d.credit_code,
            kind=d.kind,
            division_code=d.division_code,
            division_name=d.division_name,
            parent_id=d.parent_id,
        )
        for d in found
    ]
