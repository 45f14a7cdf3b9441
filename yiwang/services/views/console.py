"""The console's item pages: the department's items, each item's versions, and publishing, drafting, retiring."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yiwang.core.errors import YiwangError
from yiwang.core.forms import add_service_error
from yiwang.identity.access import staff_required
from yiwang.identity.roles import Role
from yiwang.org.selectors import department_list
from yiwang.services.catalog import services
from yiwang.services.catalog.selectors import ItemSummary, item_list, item_versions
from yiwang.services.forms import ActionForm, DepartmentFilterForm, RetireForm
from yiwang.services.models import VersionStatus
from yiwang.services.views.common import STATUS_LABELS, Viewer, refuse_unreachable, viewer_of
from yiwang.services.views.console_process import process_context

ITEM_EDITORS = (Role.ITEM_ADMIN, Role.PLATFORM_ADMIN)


@dataclass(frozen=True)
class ItemLine:
    """An item, or one of its versions, with the label of its status."""

    item: ItemSummary
    status_label: str


def _line(item: ItemSummary) -> ItemLine:
    return ItemLine(item=item, status_label=str(STATUS_LABELS.get(item.status, item.status)))


@staff_required()
@require_GET
def items(request: HttpRequest) -> HttpResponse:
    """The items of the staff member's department with their newest version; every department's for the platform."""
    viewer = viewer_of(request)
    department_form = None
    if viewer.is_platform_admin:
        choices = [(department.id, department.name) for department in department_list()]
        department_form = DepartmentFilterForm(request.GET, departments=choices)
        department_id = department_form.cleaned_data["department"] if department_form.is_valid() else None
        summaries = item_list(department_id=department_id)
    elif viewer.department_id is not None:
        summaries = item_list(department_id=viewer.department_id)
    else:
        summaries = []
    context = {"lines": [_line(item) for item in summaries], "department_form": department_form, "viewer": viewer}
    status = 400 if department_form is not None and department_form.errors else 200
    return render(request, "services/console/items.html", context, status=status)


def _versions_or_404(viewer: Viewer, task_code: str) -> list[ItemSummary]:
    """The item's versions, newest first; another department's item is as unknown as a missing one."""
    versions = item_versions(task_code=task_code)
    if not versions or not viewer.sees(versions[0].department_id):
        raise Http404(_("No service item has this implementation code."))
    return versions


def _render_item(
    request: HttpRequest,
    task_code: str,
    *,
    action: ActionForm | None = None,
    retire: RetireForm | None = None,
    status: int = 200,
) -> HttpResponse:
    viewer = viewer_of(request)
    versions = _versions_or_404(viewer, task_code)
    newest = versions[0]
    statuses = {version.status for version in versions}
    context = {
        "item": newest,
        "lines": [_line(version) for version in versions],
        "published": VersionStatus.PUBLISHED in statuses,
        "may_publish": viewer.is_platform_admin,
        "may_draft": VersionStatus.DRAFT not in statuses and viewer.drafts(newest.department_id),
        "may_retire": viewer.is_platform_admin and VersionStatus.PUBLISHED in statuses,
        "action_form": action if action is not None else ActionForm(),
        "retire_form": retire if retire is not None else RetireForm(),
        **process_context(viewer, newest),
    }
    return render(request, "services/console/item.html", context, status=status)


@staff_required()
@require_GET
def item(request: HttpRequest, task_code: str) -> HttpResponse:
    """One item: its versions with their status, and what the viewer may do with them."""
    return _render_item(request, task_code)


def _act(
    request: HttpRequest,
    task_code: str,
    act: Callable[[], str],
    *,
    action: ActionForm,
    retire: RetireForm | None = None,
) -> HttpResponse:
    """Run one service call from the item page: back to the page with its message, or with its refusal shown."""
    try:
        message = act()
    except YiwangError as error:
        refuse_unreachable(error)
        # an error about the reason goes next to it; any other above the versions (the retire form may be gone)
        add_service_error(retire if retire is not None and error.field in retire.fields else action, error)
        return _render_item(request, task_code, action=action, retire=retire, status=400)
    messages.success(request, message)
    return redirect("services:console_item", task_code=task_code)


@staff_required(Role.PLATFORM_ADMIN)
@require_POST
def version_publish(request: HttpRequest, task_code: str, version_id: int) -> HttpResponse:
    """The platform publishes a draft: it becomes the item's guide and supersedes the version before."""
    versions = _versions_or_404(viewer_of(request), task_code)
    if version_id not in {version.version_id for version in versions}:
        raise Http404(_("The item has no such version."))

    def publish() -> str:
        published = services.item_publish(actor=request.user, version_id=version_id)
        return _("Version %(number)s is published.") % {"number": published.number}

    return _act(request, task_code, publish, action=ActionForm(request.POST))


@staff_required(*ITEM_EDITORS)
@require_POST
def item_new_draft(request: HttpRequest, task_code: str) -> HttpResponse:
    """The department starts a new draft from the item's newest version."""
    item_id = _versions_or_404(viewer_of(request), task_code)[0].item_id

    def start() -> str:
        draft = services.item_new_draft(actor=request.user, item_id=item_id)
        return _("Version %(number)s is started as a draft.") % {"number": draft.number}

    return _act(request, task_code, start, action=ActionForm(request.POST))


@staff_required(Role.PLATFORM_ADMIN)
@require_POST
def item_retire(request: HttpRequest, task_code: str) -> HttpResponse:
    """The platform withdraws an item from the guide, saying why."""
    item_id = _versions_or_404(viewer_of(request), task_code)[0].item_id
    form = RetireForm(request.POST)
    if not form.is_valid():
        return _render_item(request, task_code, retire=form, status=400)

    def retire() -> str:
        services.item_retire(actor=request.user, item_id=item_id, reason=form.cleaned_data["reason"])
        return _("The item is retired: it no longer appears in the service guide.")

    return _act(request, task_code, retire, action=ActionForm(request.POST), retire=form)
