"""The console's pages of the dispatch catalogue (派单目录) and what surrounds it: the catalogue with its filters,
entries, Excel workbook out and in, the taxonomy, the units' responsibility lists, the time-limit table and the grid
cells with their workers.

The hotline, the units and their oversight read; dispatchers and platform administrators change (the services
check it again). Every form works without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.cases import catalogue
from yiwang.cases.catalogue.places import platform_cities
from yiwang.cases.catalogue_excel import (
    XLSX_CONTENT_TYPE,
    CatalogueImportRejected,
    catalogue_import,
    catalogue_workbook,
)
from yiwang.cases.forms_catalogue import (
    CatalogueFilterForm,
    CatalogueImportForm,
    CategoryForm,
    DispatchRuleForm,
    GridCellForm,
    GridFilterForm,
    GridWorkersForm,
    ResponsibilityForm,
    TimeLimitForm,
)
from yiwang.cases.views.common import add_error, place_options, refuse_unreachable, unit_options
from yiwang.core.errors import Conflict, YiwangError
from yiwang.identity.access import staff_required
from yiwang.org.selectors import department_get, division_get

READERS = catalogue.READ_ROLES
EDITORS = catalogue.EDIT_ROLES
GRID_READERS = catalogue.GRID_READ_ROLES
EXPORT_NAME = "dispatch-catalogue.xlsx"


def _editor(request: HttpRequest) -> bool:
    return catalogue.may_edit_catalogue(request.user)


def _require_editor(request: HttpRequest) -> None:
    if not _editor(request):
        raise PermissionDenied(_("Only dispatchers and platform administrators change the dispatch catalogue."))


def _category_options(*, leaves_only: bool = False, active_only: bool = True) -> list[tuple[str, str]]:
    """Every class (indented under its heading), or only the leaves."""
    rows = catalogue.category_leaves() if leaves_only else catalogue.categories_all(active_only=active_only)
    return [(row.code, f"{'　' * (row.level - 1)}{row.code} {row.name}") for row in rows]


def _service_failed(
    request: HttpRequest,
    error: YiwangError,
    form: Any,
    template: str,
    context: dict[str, Any],
    renamed: dict[str, str] | None = None,
) -> HttpResponse:
    """A service's refusal on the form's page: 404/403 as such, a conflict above the form, the rest by the field."""
    refuse_unreachable(error)
    if isinstance(error, Conflict):
        context["conflict"] = str(error)
        return render(request, template, context, status=409)
    add_error(form, error, renamed)
    return render(request, template, context, status=400)


# --- the catalogue ------------------------------------------------------------------------------------------------


@staff_required(*READERS)
@require_http_methods(["GET", "HEAD"])
def catalogue_list(request: HttpRequest) -> HttpResponse:
    """The dispatch catalogue, filtered by category, area and unit."""
    form = CatalogueFilterForm(
        request.GET or None,
        categories=_category_options(active_only=False),
        places=place_options(),
        units=unit_options(),
    )
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = {
            "category_code": form.cleaned_data["category"] or "",
            "division_code": form.cleaned_data["area"] or "",
            "department_id": form.cleaned_data["unit"],
        }
    rules = catalogue.dispatch_rules_list(**filters)
    context = {"form": form, "rules": rules, "editor": _editor(request), "filtered": any(filters.values())}
    return render(request, "cases/catalogue/list.html", context)


def _rule_form(data: Any = None, **kwargs: Any) -> DispatchRuleForm:
    return DispatchRuleForm(
        data, categories=_category_options(), places=place_options(), units=unit_options(), **kwargs
    )


def _save_rule(request: HttpRequest, form: DispatchRuleForm, rule: catalogue.DispatchRuleInfo | None) -> HttpResponse:
    template = "cases/catalogue/rule_form.html"
    context: dict[str, Any] = {"form": form, "rule": rule}
    if not form.is_valid():
        return render(request, template, context, status=400)
    try:
        saved = catalogue.dispatch_rule_save(
            actor=request.user, rule_id=rule.id if rule else None, **form.rule_values()
        )
    except YiwangError as error:
        return _service_failed(request, error, form, template, context, DispatchRuleForm.RENAMED)
    messages.success(
        request,
        _("The catalogue's entry for %(category)s in %(area)s is saved.")
        % {"category": f"{saved.category_code} {saved.category_name}", "area": saved.division_name},
    )
    return redirect("cases:catalogue")


@staff_required(*EDITORS)
@require_http_methods(["GET", "HEAD", "POST"])
def catalogue_rule_new(request: HttpRequest) -> HttpResponse:
    """A new entry of the catalogue."""
    if request.method == "POST":
        return _save_rule(request, _rule_form(request.POST), None)
    initial = {"category_code": request.GET.get("category", ""), "lead_kind": "department"}
    return render(request, "cases/catalogue/rule_form.html", {"form": _rule_form(initial=initial), "rule": None})


def _rule_or_404(rule_id: int) -> catalogue.DispatchRuleInfo:
    rule = catalogue.dispatch_rule_get(rule_id)
    if rule is None:
        raise Http404(_("The catalogue has no entry %(id)s.") % {"id": rule_id})
    return rule


@staff_required(*EDITORS)
@require_http_methods(["GET", "HEAD", "POST"])
def catalogue_rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    """Change an entry of the catalogue."""
    rule = _rule_or_404(rule_id)
    if request.method == "POST":
        return _save_rule(request, _rule_form(request.POST), rule)
    initial = {
        "category_code": rule.category_code,
        "division_code": rule.division_code,
        "lead_kind": rule.lead_kind,
        "lead_department": rule.lead_department_id,
        "co_departments": [unit_id for unit_id, _name in rule.co_departments],
        "basis": rule.basis,
    }
    return render(request, "cases/catalogue/rule_form.html", {"form": _rule_form(initial=initial), "rule": rule})


@staff_required(*EDITORS)
@require_http_methods(["GET", "HEAD", "POST"])
def catalogue_rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    """Confirm, then remove an entry of the catalogue."""
    rule = _rule_or_404(rule_id)
    if request.method != "POST":
        return render(request, "cases/catalogue/rule_delete.html", {"rule": rule})
    try:
        catalogue.dispatch_rule_delete(actor=request.user, rule_id=rule.id)
    except YiwangError as error:
        refuse_unreachable(error)
        raise
    messages.success(
        request,
        _("The catalogue's entry for %(category)s in %(area)s is removed.")
        % {"category": f"{rule.category_code} {rule.category_name}", "area": rule.division_name},
    )
    return redirect("cases:catalogue")


@staff_required(*READERS)
@require_http_methods(["GET", "HEAD"])
def catalogue_export(request: HttpRequest) -> HttpResponse:
    """The catalogue as an Excel workbook."""
    response = HttpResponse(catalogue_workbook(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{EXPORT_NAME}"'
    return response


@staff_required(*EDITORS)
@require_http_methods(["GET", "HEAD", "POST"])
def catalogue_import_page(request: HttpRequest) -> HttpResponse:
    """Upload the workbook: every row is written, or none and every problem is listed."""
    template = "cases/catalogue/import.html"
    if request.method != "POST":
        return render(request, template, {"form": CatalogueImportForm(), "report": []})
    form = CatalogueImportForm(request.POST, request.FILES)
    context: dict[str, Any] = {"form": form, "report": []}
    if not form.is_valid():
        return render(request, template, context, status=400)
    try:
        result = catalogue_import(actor=request.user, data=form.cleaned_data["file"])
    except CatalogueImportRejected as rejected:
        context["report"] = rejected.report
        context["summary"] = str(rejected)
        return render(request, template, context, status=400)
    except YiwangError as error:
        return _service_failed(request, error, form, template, context)
    messages.success(
        request,
        _("The workbook is imported: %(created)d entries added, %(updated)d changed, %(unchanged)d as they were.")
        % result.__dict__,
    )
    return redirect("cases:catalogue")


# --- the taxonomy --------------------------------------------------------------------------------------------------


@staff_required(*READERS)
@require_http_methods(["GET", "HEAD"])
def catalogue_categories(request: HttpRequest) -> HttpResponse:
    """The taxonomy as a tree, with the classes out of use marked."""
    context = {"tree": catalogue.category_tree(), "editor": _editor(request)}
    return render(request, "cases/catalogue/categories.html", context)


def _save_category(request: HttpRequest, form: CategoryForm, existing: catalogue.CategoryInfo | None) -> HttpResponse:
    template = "cases/catalogue/category_form.html"
    context: dict[str, Any] = {"form": form, "category": existing}
    if not form.is_valid():
        return render(request, template, context, status=400)
    data = form.cleaned_data
    try:
        saved = catalogue.category_save(
            actor=request.user,
            code=existing.code if existing else data["code"],
            name=data["name"],
            description=data["description"],
            keywords=data["keywords"],
            active=data["active"],
        )
    except YiwangError as error:
        return _service_failed(request, error, form, template, context)
    messages.success(request, _("Category %(code)s %(name)s is saved.") % {"code": saved.code, "name": saved.name})
    return redirect("cases:catalogue_categories")


@staff_required(*EDITORS)
@require_http_methods(["GET", "HEAD", "POST"])
def catalogue_category_new(request: HttpRequest) -> HttpResponse:
    """A new class of the taxonomy (a heading, or a subcategory of one)."""
    if request.method == "POST":
        return _save_category(request, CategoryForm(request.POST), None)
    form = CategoryForm(initial={"code": _next_code(request.GET.get("parent", "")), "active": True})
    return render(request, "cases/catalogue/category_form.html", {"form": form, "category": None})


@staff_required(*EDITORS)
@require_http_methods(["GET", "HEAD", "POST"])
def catalogue_category_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Rename, describe, take out of use or delete a class."""
    category = catalogue.category_get(code)
    if category is None:
        raise Http404(_("No category has code %(code)s.") % {"code": code})
    if request.method == "POST" and request.POST.get("action") == "delete":
        try:
            outcome = catalogue.category_delete(actor=request.user, code=category.code)
        except YiwangError as error:
            refuse_unreachable(error)
            form = CategoryForm(initial=_category_initial(category), fixed_code=True)
            context = {"form": form, "category": category, "conflict": str(error)}
            return render(request, "cases/catalogue/category_form.html", context, status=409)
        if outcome == "deleted":
            messages.success(request, _("Category %(code)s is deleted.") % {"code": category.code})
        else:
            messages.success(
                request,
                _("Cases name category %(code)s: it is taken out of use instead of deleted.") % {"code": category.code},
            )
        return redirect("cases:catalogue_categories")
    if request.method == "POST":
        form = CategoryForm(request.POST, fixed_code=True, initial={"code": category.code})
        return _save_category(request, form, category)
    form = CategoryForm(initial=_category_initial(category), fixed_code=True)
    return render(request, "cases/catalogue/category_form.html", {"form": form, "category": category})


def _next_code(parent: str) -> str:
    """The code after the last subcategory of `parent` (the last heading when empty), to start the form with."""
    parent = parent.strip()
    if parent and catalogue.category_get(parent) is None:
        return ""
    siblings = [row.code for row in catalogue.categories_all() if row.parent_code == parent]
    number = int(max(siblings)[-2:]) + 1 if siblings else 1
    return f"{parent}{number:02d}" if number < 100 else parent


def _category_initial(category: catalogue.CategoryInfo) -> dict[str, Any]:
    return {
        "code": category.code,
        "name": category.name,
        "description": category.description,
        "keywords": "\n".join(category.keywords),
        "active": category.active,
    }


# --- responsibility lists ----------------------------------------------------------------------------------------


@staff_required(*READERS)
@require_http_methods(["GET", "HEAD"])
def catalogue_responsibilities(request: HttpRequest) -> HttpResponse:
    """Every unit with the size of its responsibility list."""
    return render(request, "cases/catalogue/responsibilities.html", {"units": catalogue.responsibility_units()})


@staff_required(*READERS)
@require_http_methods(["GET", "HEAD", "POST"])
def catalogue_responsibility_edit(request: HttpRequest, department_id: int) -> HttpResponse:
    """A unit's responsibility list: read by all who read the catalogue, changed by dispatchers."""
    unit = department_get(department_id=department_id)
    if unit is None:
        raise Http404(_("No unit has id %(id)s.") % {"id": department_id})
    template = "cases/catalogue/responsibility.html"
    matters = catalogue.responsibility_list(department_id)
    editor = _editor(request)
    if request.method != "POST":
        form = ResponsibilityForm(initial={"matters": "\n".join(item.title for item in matters)})
        return render(request, template, {"unit": unit, "matters": matters, "form": form, "editor": editor})
    _require_editor(request)
    form = ResponsibilityForm(request.POST)
    context: dict[str, Any] = {"unit": unit, "matters": matters, "form": form, "editor": editor}
    if not form.is_valid():
        return render(request, template, context, status=400)
    try:
        size = catalogue.responsibility_replace(actor=request.user, department_id=unit.id, titles=form.titles())
    except YiwangError as error:
        return _service_failed(request, error, form, template, context)
    messages.success(request, _("The list of %(unit)s holds %(count)d matters.") % {"unit": unit.name, "count": size})
    return redirect("cases:catalogue_responsibility", department_id=unit.id)


# --- time limits ---------------------------------------------------------------------------------------------------


def _time_limits_page(
    request: HttpRequest, form: TimeLimitForm, *, status: int = 200, conflict: str = ""
) -> HttpResponse:
    context = {
        "rows": catalogue.time_limits_list(),
        "form": form,
        "editor": _editor(request),
        "conflict": conflict,
    }
    return render(request, "cases/catalogue/time_limits.html", context, status=status)


@staff_required(*READERS)
@require_http_methods(["GET", "HEAD", "POST"])
def time_limits(request: HttpRequest) -> HttpResponse:
    """The time-limit table; dispatchers set a row (a new pair of type and category, or an existing one)."""
    categories = _category_options(active_only=False)
    if request.method != "POST":
        initial: dict[str, Any] = {"sign_days": 1, "warning_days": 1}
        row = next((item for item in catalogue.time_limits_list() if str(item.id) == request.GET.get("row")), None)
        if row is not None:  # "change" on a row fills the form with it
            initial = {
                "case_type": row.case_type,
                "category_code": row.category_code,
                "sign_days": row.sign_days,
                "handle_days": row.handle_days,
                "warning_days": row.warning_days,
            }
        return _time_limits_page(request, TimeLimitForm(initial=initial, categories=categories))
    _require_editor(request)
    form = TimeLimitForm(request.POST, categories=categories)
    if not form.is_valid():
        return _time_limits_page(request, form, status=400)
    try:
        saved = catalogue.time_limit_save(actor=request.user, **form.cleaned_data)
    except YiwangError as error:
        refuse_unreachable(error)
        add_error(form, error)
        return _time_limits_page(request, form, status=400)
    messages.success(
        request,
        _("Time limit saved: sign within %(sign)d, conclude within %(handle)d working days.")
        % {"sign": saved.sign_days, "handle": saved.handle_days},
    )
    return redirect("cases:time_limits")


@staff_required(*EDITORS)
@require_POST
def time_limit_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    """Remove a row of the table (never the default row)."""
    try:
        catalogue.time_limit_delete(actor=request.user, rule_id=rule_id)
    except YiwangError as error:
        refuse_unreachable(error)
        form = TimeLimitForm(initial={"sign_days": 1, "warning_days": 1}, categories=_category_options())
        return _time_limits_page(request, form, status=409, conflict=str(error))
    messages.success(request, _("The row is removed from the time-limit table."))
    return redirect("cases:time_limits")


# --- the grid --------------------------------------------------------------------------------------------------------


@staff_required(*GRID_READERS)
@require_http_methods(["GET", "HEAD"])
def grid_cells(request: HttpRequest) -> HttpResponse:
    """The grid cells of the city, a district, a street or a community, with their workers."""
    places = place_options()
    form = GridFilterForm(request.GET or None, places=places)
    area = form.cleaned_data["area"] if form.is_bound and form.is_valid() else ""
    scope = area or next((city.code for city in platform_cities()), "")
    cells = catalogue.grid_cells_in(scope) if scope else []
    mine = catalogue.grid_cells_for_worker(request.user)
    context = {"form": form, "cells": cells, "mine": mine, "editor": _editor(request), "area": area}
    return render(request, "cases/catalogue/grid_cells.html", context)


def _candidates(cell: catalogue.GridCellInfo) -> list[tuple[int, str]]:
    district = cell.division_code[:6]
    workers = {worker.id: worker for worker in catalogue.grid_worker_candidates(division_code=district)}
    for worker in cell.workers:  # those assigned stay choosable even if they moved elsewhere
        workers.setdefault(worker.id, worker)
    return [
        (worker.id, f"{worker.real_name}（{worker.username}，{worker.department_name}）")
        for worker in sorted(workers.values(), key=lambda item: item.username)
    ]


def _cell_page(
    request: HttpRequest,
    cell: catalogue.GridCellInfo | None,
    form: GridCellForm,
    workers_form: GridWorkersForm | None = None,
    *,
    status: int = 200,
    conflict: str = "",
) -> HttpResponse:
    if cell is not None and workers_form is None:
        workers_form = GridWorkersForm(
            initial={"workers": [worker.id for worker in cell.workers]}, candidates=_candidates(cell)
        )
    context = {"cell": cell, "form": form, "workers_form": workers_form, "conflict": conflict}
    return render(request, "cases/catalogue/grid_cell_form.html", context, status=status)


def _cell_or_404(code: str) -> catalogue.GridCellInfo:
    cell = catalogue.grid_cell_get(code)
    if cell is None:
        raise Http404(_("No grid cell has code %(code)s.") % {"code": code})
    return cell


def _save_cell(request: HttpRequest, form: GridCellForm, cell: catalogue.GridCellInfo | None) -> HttpResponse:
    if not form.is_valid():
        return _cell_page(request, cell, form, status=400)
    data = form.cleaned_data
    try:
        saved = catalogue.grid_cell_save(
            actor=request.user,
            code=cell.code if cell else data["code"],
            name=data["name"],
            description=data["description"],
        )
    except YiwangError as error:
        refuse_unreachable(error)
        add_error(form, error)
        return _cell_page(request, cell, form, status=409 if isinstance(error, Conflict) else 400)
    messages.success(request, _("Grid cell %(code)s %(name)s is saved.") % {"code": saved.code, "name": saved.name})
    return redirect("cases:grid_cell_edit", code=saved.code)


@staff_required(*EDITORS)
@require_http_methods(["GET", "HEAD", "POST"])
def grid_cell_new(request: HttpRequest) -> HttpResponse:
    """A new grid cell in a community."""
    if request.method == "POST":
        return _save_cell(request, GridCellForm(request.POST), None)
    community = request.GET.get("community", "")
    initial: dict[str, Any] = {}
    division = division_get(code=community) if community else None
    if division is not None and division.level == "village":
        taken = {cell.code for cell in catalogue.grid_cells_in(division.code)}
        number = next(index for index in range(1, 100) if f"{division.code}{index:02d}" not in taken)
        initial = {"code": f"{division.code}{number:02d}", "name": f"{division.name}第{number}网格"}
    return _cell_page(request, None, GridCellForm(initial=initial))


@staff_required(*EDITORS)
@require_http_methods(["GET", "HEAD", "POST"])
def grid_cell_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Rename or redescribe a cell; its workers are set on the same page."""
    cell = _cell_or_404(code)
    if request.method == "POST":
        return _save_cell(request, GridCellForm(request.POST, fixed_code=True, initial={"code": cell.code}), cell)
    form = GridCellForm(
        initial={"code": cell.code, "name": cell.name, "description": cell.description}, fixed_code=True
    )
    return _cell_page(request, cell, form)


@staff_required(*EDITORS)
@require_POST
def grid_cell_workers(request: HttpRequest, code: str) -> HttpResponse:
    """Set the grid workers of a cell."""
    cell = _cell_or_404(code)
    workers_form = GridWorkersForm(request.POST, candidates=_candidates(cell))
    form = GridCellForm(
        initial={"code": cell.code, "name": cell.name, "description": cell.description}, fixed_code=True
    )
    if not workers_form.is_valid():
        return _cell_page(request, cell, form, workers_form, status=400)
    try:
        saved = catalogue.grid_cell_assign_workers(
            actor=request.user, cell_code=cell.code, worker_ids=workers_form.cleaned_data["workers"]
        )
    except YiwangError as error:
        refuse_unreachable(error)
        add_error(workers_form, error, {"worker_ids": "workers"})
        return _cell_page(request, cell, form, workers_form, status=400)
    messages.success(
        request,
        _("%(name)s is walked by %(count)d grid workers.") % {"name": saved.name, "count": len(saved.workers)},
    )
    return redirect("cases:grid_cell_edit", code=saved.code)
