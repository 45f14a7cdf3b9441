"""The console's supervision board (电子监察): the warnings on open applications, computed when the page is read,
filtered by department, item and level, with the count of each level.

Supervisors and leaders see their own department's board; platform administrators every department's. The service
decides who may read it; the page only offers a department choice to those who may make it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from yiwang.core.errors import YiwangError
from yiwang.identity.access import staff_required
from yiwang.org.selectors import DepartmentInfo, department_get, department_list
from yiwang.services.catalog.selectors import item_list
from yiwang.services.forms_supervision import BoardFilterForm
from yiwang.services.models.supervision import WarningLevel
from yiwang.services.supervision import BOARD_ROLES, SupervisionWarning, supervision_board
from yiwang.services.views.applications.display import Countdown, countdown_of
from yiwang.services.views.common import Viewer, refuse_unreachable, viewer_of

LEVEL_LABELS = dict(WarningLevel.choices)


@dataclass(frozen=True)
class BoardLine:
    """One warning as the board shows it: its level and reasons in words, its countdown, and whether to link it."""

    warning: SupervisionWarning
    level_label: str
    reasons: list[str]  # the service's sentences, with their dates and days, in the request's language
    countdown: Countdown | None
    linked: bool


@dataclass(frozen=True)
class LevelCount:
    level: int
    label: str
    count: int


def _line(warning: SupervisionWarning, viewer: Viewer) -> BoardLine:
    return BoardLine(
        warning=warning,
        level_label=str(LEVEL_LABELS[WarningLevel(warning.level)]),
        reasons=[str(message) for message in warning.messages],
        countdown=countdown_of(warning.application.clock),
        # The console's application page is the handling department's and the platform administrators'.
        linked=viewer.is_platform_admin or warning.department_id == viewer.department_id,
    )


def _chosen_department(request: HttpRequest, departments: list[tuple[int, str]]) -> int | None:
    """The department asked for, if it is one of the choices: its items are the item field's choices."""
    raw = request.GET.get("department", "")
    return next((pk for pk, _name in departments if str(pk) == raw), None)


@staff_required(*BOARD_ROLES)
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """The warnings, red first then by promised deadline; the counts by level cover the department and item asked."""
    viewer = viewer_of(request)
    fixed_department: DepartmentInfo | None = None
    if viewer.is_platform_admin:
        departments: list[tuple[int, str]] | None = [
            (department.id, department.name) for department in department_list()
        ]
        scope = _chosen_department(request, departments or [])
    else:
        departments = None
        scope = viewer.department_id
        fixed_department = department_get(department_id=scope) if scope is not None else None
    # Everyone's items for the platform until it picks a department; otherwise the department's own.
    items = [] if not viewer.is_platform_admin and scope is None else item_list(department_id=scope)
    item_choices = [(item.task_code, f"{item.name} ({item.task_code})") for item in items]
    form = BoardFilterForm(request.GET, departments=departments, items=item_choices)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    warnings: list[SupervisionWarning] = []
    if form.is_valid() and (viewer.is_platform_admin or viewer.department_id is not None):
        try:
            # Every level at once, so that the summary counts each; the table shows the level asked for.
            warnings = supervision_board(
                actor=request.user,
                department_id=data.get("department") if viewer.is_platform_admin else None,
                task_code=data.get("item") or "",
            )
        except YiwangError as error:
            refuse_unreachable(error)
            raise
    level = data.get("level")
    counts = [
        LevelCount(int(value), str(LEVEL_LABELS[value]), sum(1 for warning in warnings if warning.level == value))
        for value in (WarningLevel.RED, WarningLevel.YELLOW)
    ]
    lines = [_line(warning, viewer) for warning in warnings if level is None or warning.level == level]
    context = {
        "form": form,
        "chooses_department": departments is not None,
        "fixed_department": fixed_department,
        "counts": counts,
        "lines": lines,
        "filtered": any(data.get(name) for name in ("department", "item", "level")),
    }
    return render(request, "services/supervision/board.html", context, status=400 if form.errors else 200)
