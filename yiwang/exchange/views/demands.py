"""Data demands: raise, route, answer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.core.errors import NotFound, YiwangError
from yiwang.datahub.catalog.selectors import resource_list
from yiwang.exchange import forms as exchange_forms
from yiwang.exchange import selectors, services
from yiwang.exchange.models import DemandStatus
from yiwang.exchange.views.common import (
    EXCHANGE_ADMINS,
    Viewer,
    department_choices,
    form_error,
    tabs_of,
    viewer_of,
)
from yiwang.identity.access import staff_required
from yiwang.identity.roles import Role
from yiwang.org.selectors import department_list

# --- data demands ------------------------------------------------------------------------------------------


def _demand_tabs(viewer: Viewer) -> list[tuple[str, Any]]:
    tabs: list[tuple[str, Any]] = [
        ("ours", gettext_lazy("Our demands")),
        ("to_us", gettext_lazy("Routed to us")),
    ]
    if viewer.is_platform_admin:
        tabs += [("triage", gettext_lazy("Waiting to be routed")), ("all", gettext_lazy("Every demand"))]
    return tabs


def _demands_on_tab(
    items: Iterable[selectors.DemandSummary], tab: str, viewer: Viewer
) -> list[selectors.DemandSummary]:
    own = viewer.own_departments
    if tab == "ours":
        return [item for item in items if item.department_id in own]
    if tab == "to_us":
        return [item for item in items if item.routed_to_id in own]
    if tab == "triage":
        return [item for item in items if item.status == DemandStatus.TRIAGE]
    return list(items)


@staff_required(*EXCHANGE_ADMINS)
@require_http_methods(["GET", "POST"])
def demands(request: HttpRequest) -> HttpResponse:
    """Data demands (数据需求) for data the catalog does not list: ours, those routed to us; raise one."""
    viewer = viewer_of(request)
    form = exchange_forms.DemandForm(
        request.POST or None,
        departments=department_choices(viewer),
        initial={"department": viewer.department_id},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            demand = services.data_demand_submit(
                actor=viewer.user,
                department_id=data["department"],
                title=data["title"],
                description=data["description"],
                purpose=data["purpose"],
                legal_basis=data["legal_basis"],
            )
        except YiwangError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The demand is submitted."))
            return redirect("exchange:demand", demand_id=demand.pk)
    tab, tabs = tabs_of(request, _demand_tabs(viewer), "triage" if viewer.is_platform_admin else "ours")
    items = _demands_on_tab(selectors.demand_list(viewer=viewer.user), tab, viewer)
    context = {"items": items, "tab": tab, "tabs": tabs, "form": form}
    return render(request, "exchange/demands.html", context, status=400 if request.method == "POST" else 200)


def _demand_or_404(viewer: Viewer, demand_id: int) -> selectors.DemandSummary:
    try:
        return selectors.demand_get(viewer=viewer.user, demand_id=demand_id)
    except NotFound as error:
        raise Http404(str(error)) from None


def _route_choices(demand: selectors.DemandSummary) -> list[tuple[int, str]]:
    """Departments a demand may be routed to: any but the one that raised it."""
    return [(item.id, item.name) for item in department_list() if item.id != demand.department_id]


def _answer_resources(demand: selectors.DemandSummary) -> list[tuple[str, str]]:
    """The published resources of the department a demand is routed to, one of which may answer it."""
    if demand.routed_to_id is None:
        return []
    return [
        (item.slug, f"{item.code} {item.name}")
        for item in resource_list(department_id=demand.routed_to_id, published_only=True)
    ]


def _render_demand(
    request: HttpRequest,
    demand_id: int,
    *,
    route: exchange_forms.DemandRouteForm | None = None,
    answer: exchange_forms.DemandAnswerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    viewer = viewer_of(request)
    demand = _demand_or_404(viewer, demand_id)
    may_answer = demand.status == DemandStatus.ROUTED and viewer.administers(demand.routed_to_id)
    context = {
        "demand": demand,
        "may_route": viewer.is_platform_admin and demand.status in {DemandStatus.TRIAGE, DemandStatus.ROUTED},
        "may_answer": may_answer,
        "route_form": route or exchange_forms.DemandRouteForm(departments=_route_choices(demand)),
        "answer_form": answer
        or exchange_forms.DemandAnswerForm(resources=_answer_resources(demand) if may_answer else []),
    }
    return render(request, "exchange/demand.html", context, status=status)


@staff_required(*EXCHANGE_ADMINS)
@require_GET
def demand(request: HttpRequest, demand_id: int) -> HttpResponse:
    """One data demand: what is needed, where it was routed, and the answer."""
    return _render_demand(request, demand_id)


@staff_required(Role.PLATFORM_ADMIN)
@require_POST
def demand_route(request: HttpRequest, demand_id: int) -> HttpResponse:
    """The platform administrator sends a demand to the department that should answer it."""
    demand = _demand_or_404(viewer_of(request), demand_id)
    form = exchange_forms.DemandRouteForm(request.POST, departments=_route_choices(demand))
    if form.is_valid():
        try:
            services.data_demand_route(
                actor=request.user, demand_id=demand_id, department_id=form.cleaned_data["department"]
            )
        except YiwangError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The demand is routed."))
            return redirect("exchange:demand", demand_id=demand_id)
    return _render_demand(request, demand_id, route=form, status=400)


@staff_required(*EXCHANGE_ADMINS)
@require_POST
def demand_answer(request: HttpRequest, demand_id: int) -> HttpResponse:
    """The routed department provides the data (naming its resource) or declines, saying why."""
    viewer = viewer_of(request)
    demand = _demand_or_404(viewer, demand_id)
    form = exchange_forms.DemandAnswerForm(request.POST, resources=_answer_resources(demand))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.data_demand_answer(
                actor=viewer.user,
                demand_id=demand_id,
                answer=data["answer"],
                provide=data["decision"] == exchange_forms.PROVIDE,
                resource=data["resource"] if data["decision"] == exchange_forms.PROVIDE else "",
            )
        except YiwangError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The answer is sent to the requesting department."))
            return redirect("exchange:demand", demand_id=demand_id)
    return _render_demand(request, demand_id, answer=form, status=400)
