"""The grid worker's pages (网格员), made for a phone: report an event in one's grid cell with a photo and the
place, or record a small matter resolved on the spot (自处置) with a photo of the result; and one's reports.

A report is one transaction: the event, its photo and, when resolved on the spot, the resolution with its evidence.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yiwang.cases import catalogue, services
from yiwang.cases.forms import GridReportForm
from yiwang.cases.models import Case, CaseType, Channel
from yiwang.cases.selectors import case_box
from yiwang.cases.views.common import add_error, choices_for, refuse_unreachable
from yiwang.core.errors import Conflict, YiwangError
from yiwang.identity.access import staff_required
from yiwang.identity.roles import Role


def _render(request: HttpRequest, form: GridReportForm, *, conflict: str = "", status: int = 200) -> HttpResponse:
    context = {"form": form, "conflict": conflict, "has_cells": bool(form.choices.cells)}
    return render(request, "cases/grid/report.html", context, status=status)


@staff_required(Role.GRID_WORKER)
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """Report an event found in one's grid cell (channel 网格), or record one resolved on the spot."""
    choices = choices_for(cells=catalogue.grid_cells_for_worker(request.user), categories=True)
    if request.method != "POST":
        return _render(request, GridReportForm(choices=choices))
    form = GridReportForm(request.POST, request.FILES, choices=choices)
    if not form.is_valid():
        return _render(request, form, status=400)
    try:
        case = _report(request.user, form.cleaned_data)
    except YiwangError as error:
        refuse_unreachable(error)
        if isinstance(error, Conflict):
            return _render(request, form, conflict=str(error), status=409)
        add_error(form, error)
        return _render(request, form, status=400)
    if case.resolved_on_spot:
        messages.success(request, _("Event %(number)s is recorded as resolved on the spot.") % {"number": case.number})
    else:
        messages.success(
            request, _("Event %(number)s is reported; the hotline dispatches it.") % {"number": case.number}
        )
    return redirect("cases:grid_mine")


def _report(actor: Any, data: dict[str, Any]) -> Case:
    with transaction.atomic():
        case = services.case_intake(
            actor=actor,
            intake=services.CaseIntake(
                case_type=CaseType.REPORT,
                channel=Channel.GRID,
                content=data["content"],
                category_code=data["category_code"],
                grid_cell_code=data["grid_cell_code"],
                address=data.get("address") or "",
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
            ),
        )
        if data.get("photo"):
            services.case_attach(actor=actor, case_id=case.pk, upload=data["photo"])
        if data.get("resolved_on_spot"):
            case = services.case_resolve_on_spot(
                actor=actor, case_id=case.pk, reply=data["reply"], upload=data["upload"]
            )
    return case


@staff_required(Role.GRID_WORKER)
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The events the grid worker reported, newest first, with their status."""
    return render(request, "cases/grid/mine.html", {"cases": case_box(request.user, box="mine")})
