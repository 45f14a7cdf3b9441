"""The cases API: the dispatch catalogue (/api/v1/cases/catalogue/…).

Public: the taxonomy. The hotline, the units and oversight (operators, dispatchers, handlers, supervisors, leaders,
platform administrators) read the catalogue, its proposal for a category and place, the time limits and the
workbook; dispatchers and platform administrators change them and import the workbook.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from yiwang.cases import catalogue
from yiwang.cases.catalogue import DispatchRuleInfo, TimeLimitInfo
from yiwang.cases.catalogue_excel import (
    MAX_BYTES,
    XLSX_CONTENT_TYPE,
    CatalogueImportRejected,
    catalogue_import,
    catalogue_workbook,
)
from yiwang.core.errors import PermissionDenied, ValidationFailed
from yiwang.identity.api_auth import session_or_bearer

router = Router(tags=["cases"])

LeadKindLiteral = Literal["department", "street", "district"]
# 派单目录.xlsx, with an ASCII name for older clients.
EXPORT_DISPOSITION = (
    "attachment; filename=\"dispatch-catalogue.xlsx\"; filename*=UTF-8''%E6%B4%BE%E5%8D%95%E7%9B%AE%E5%BD%95.xlsx"
)


# --- schemas -----------------------------------------------------------------------------------------------------


class CategoryOut(Schema):
    code: str = Field(description="two digits per level: 01, 0103, 010302")
    name: str
    parent_code: str = Field(description="empty for a heading")
    level: int
    description: str
    keywords: list[str]
    active: bool
    leaf: bool = Field(description="no subcategories: what a case is filed under")


class UnitOut(Schema):
    id: int
    name: str


class RuleOut(Schema):
    id: int
    category_code: str
    category_name: str
    division_code: str = Field(description="empty: the whole city")
    division_name: str
    lead_kind: LeadKindLiteral = Field(description="department: the named unit; street, district: the locality (属地)")
    lead_department_id: int | None
    lead_name: str
    co_departments: list[UnitOut]
    basis: str
    updated_at: datetime.datetime


class RuleIn(Schema):
    category_code: str = Field(max_length=12)
    division_code: str = Field("", max_length=12, description="a district, street or community; empty: the city")
    lead_kind: LeadKindLiteral = "department"
    lead_department_id: int | None = Field(None, description="required when lead_kind is department, else empty")
    co_department_ids: list[int] = Field(default_factory=list, max_length=50)
    basis: str = Field("", max_length=1000, description="the item of the lead's responsibility list (≤ 300)")


class ProposalOut(Schema):
    lead_department_id: int
    lead_name: str
    co_departments: list[UnitOut]
    rule_id: int
    basis: str
    locality: bool = Field(description="the place's street office or district government leads (属地)")
    category_code: str = Field(description="the rule's category: the case's or a heading above it")
    division_code: str = Field(description="the rule's area; empty: the whole city")


class LookupOut(Schema):
    proposal: ProposalOut | None
    code: Literal["found", "unknown_category", "no_rule", "no_place", "no_local_unit"]
    reason: str = Field(description="why there is no proposal; empty when there is one")


class TimeLimitOut(Schema):
    id: int
    case_type: str = Field(description="empty: any type")
    category_code: str = Field(description="empty: any category (a heading covers its subcategories)")
    category_name: str
    sign_days: int
    handle_days: int
    warning_days: int
    default: bool


class TimeLimitIn(Schema):
    case_type: str = Field("", max_length=20)
    category_code: str = Field("", max_length=12)
    sign_days: int = Field(ge=0, le=1000)
    handle_days: int = Field(ge=0, le=1000)
    warning_days: int = Field(1, ge=0, le=1000)


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int


# --- helpers -----------------------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _reader(request: HttpRequest) -> Any:
    user = _user(request)
    if not catalogue.may_read_catalogue(user):
        raise PermissionDenied(_("The dispatch catalogue is for the hotline, the units and their oversight."))
    return user


def _editor(request: HttpRequest) -> Any:
    user = _user(request)
    if not catalogue.may_edit_catalogue(user):
        raise PermissionDenied(_("Only dispatchers and platform administrators change the dispatch catalogue."))
    return user


def _units(pairs: tuple[tuple[int, str], ...]) -> list[dict[str, Any]]:
    return [{"id": unit_id, "name": name} for unit_id, name in pairs]


def _rule(rule: DispatchRuleInfo) -> dict[str, Any]:
    return {**rule.__dict__, "co_departments": _units(rule.co_departments)}


def _time_limit(row: TimeLimitInfo) -> dict[str, Any]:
    return {**row.__dict__, "default": row.is_default}


# --- the taxonomy ------------------------------------------------------------------------------------------------


@router.get("/categories", response=list[CategoryOut], auth=None, summary="The taxonomy of cases (诉求分类)")
def categories(request: HttpRequest, include_inactive: bool = False) -> Any:
    rows = catalogue.categories_all(active_only=not include_inactive)
    parents = {row.parent_code for row in rows}
    return [{**row.__dict__, "keywords": list(row.keywords), "leaf": row.code not in parents} for row in rows]


# --- the catalogue -----------------------------------------------------------------------------------------------


@router.get("/rules", response=list[RuleOut], auth=session_or_bearer, summary="The dispatch catalogue (派单目录)")
def rules(request: HttpRequest, category: str = "", division: str = "", department_id: int | None = None) -> Any:
    _reader(request)
    return [
        _rule(rule)
        for rule in catalogue.dispatch_rules_list(
            category_code=category, division_code=division, department_id=department_id
        )
    ]


@router.post("/rules", response={201: RuleOut}, auth=session_or_bearer, summary="Add an entry to the catalogue")
def rule_create(request: HttpRequest, payload: RuleIn) -> Any:
    saved = catalogue.dispatch_rule_save(actor=_editor(request), **payload.model_dump())
    return Status(201, _rule(saved))


@router.put("/rules/{rule_id}", response=RuleOut, auth=session_or_bearer, summary="Change an entry of the catalogue")
def rule_update(request: HttpRequest, rule_id: int, payload: RuleIn) -> Any:
    return _rule(catalogue.dispatch_rule_save(actor=_editor(request), rule_id=rule_id, **payload.model_dump()))


@router.delete(
    "/rules/{rule_id}", response={204: None}, auth=session_or_bearer, summary="Remove an entry of the catalogue"
)
def rule_delete(request: HttpRequest, rule_id: int) -> Any:
    catalogue.dispatch_rule_delete(actor=_editor(request), rule_id=rule_id)
    return Status(204, None)


@router.get(
    "/proposal",
    response=LookupOut,
    auth=session_or_bearer,
    summary="Where the catalogue sends a case of a category at a place (the most specific entry), or why nowhere",
)
def proposal(request: HttpRequest, category: str, division: str = "") -> Any:
    _reader(request)
    lookup = catalogue.dispatch_lookup(category_code=category, division_code=division)
    found = lookup.proposal
    return {
        "proposal": {**found.__dict__, "co_departments": _units(found.co_departments)} if found else None,
        "code": lookup.code,
        "reason": lookup.reason,
    }


# --- time limits -------------------------------------------------------------------------------------------------


@router.get(
    "/time-limits", response=list[TimeLimitOut], auth=session_or_bearer, summary="The time-limit table (working days)"
)
def time_limits(request: HttpRequest) -> Any:
    _reader(request)
    return [_time_limit(row) for row in catalogue.time_limits_list()]


@router.put(
    "/time-limits",
    response=TimeLimitOut,
    auth=session_or_bearer,
    summary="Set the time limit of a type and category (either empty: any)",
)
def time_limit_save(request: HttpRequest, payload: TimeLimitIn) -> Any:
    return _time_limit(catalogue.time_limit_save(actor=_editor(request), **payload.model_dump()))


@router.delete(
    "/time-limits/{rule_id}",
    response={204: None},
    auth=session_or_bearer,
    summary="Remove a row of the time-limit table (not the default row)",
)
def time_limit_delete(request: HttpRequest, rule_id: int) -> Any:
    catalogue.time_limit_delete(actor=_editor(request), rule_id=rule_id)
    return Status(204, None)


# --- the workbook ------------------------------------------------------------------------------------------------


@router.get("/export", auth=session_or_bearer, summary="The catalogue as an Excel workbook (sheet 派单目录)")
def export(request: HttpRequest) -> HttpResponse:
    _reader(request)
    response = HttpResponse(catalogue_workbook(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = EXPORT_DISPOSITION
    return response


@router.post(
    "/import",
    response=ImportOut,
    auth=session_or_bearer,
    summary="Import the workbook (multipart `file`): every row or, on any problem, none (422 listing every problem)",
)
def import_workbook(request: HttpRequest, file: File[UploadedFile]) -> Any:
    actor = _editor(request)
    if file.size is not None and file.size > MAX_BYTES:
        raise ValidationFailed(_("The workbook is larger than 5 MB."), field="file")
    try:
        result = catalogue_import(actor=actor, data=file.read())
    except CatalogueImportRejected as rejected:
        return JsonResponse(
            {
                "type": "about:blank",
                "title": "Unprocessable Entity",
                "status": 422,
                "detail": str(rejected),
                "code": "invalid_workbook",
                "errors": [
                    {
                        "field": "file",
                        "row": problem.row,
                        "column": problem.column,
                        "value": problem.value,
                        "message": problem.reason,
                    }
                    for problem in rejected.report
                ],
            },
            status=422,
            content_type="application/problem+json",
            json_dumps_params={"ensure_ascii": False},
        )
    return result.__dict__
