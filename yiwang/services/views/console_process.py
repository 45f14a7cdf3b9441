"""The console's pages for an item version's BPMN process (ADR 0018): its steps on the item page, the file to
download, and for a draft: upload, check only, and back to the platform's default."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.core.errors import Conflict, YiwangError
from yiwang.core.forms import add_service_error
from yiwang.identity.access import staff_required
from yiwang.identity.roles import Role
from yiwang.services.applications.process import process_problems
from yiwang.services.catalog.process_selectors import item_process_list, version_process_file
from yiwang.services.catalog.selectors import ItemSummary, item_versions
from yiwang.services.catalog.services import item_process_set
from yiwang.services.forms import ActionForm
from yiwang.services.forms_process import ProcessUploadForm
from yiwang.services.views.common import Viewer, refuse_unreachable, viewer_of
from yiwang.services.workflow.engine import Problem

ITEM_EDITORS = (Role.ITEM_ADMIN, Role.PLATFORM_ADMIN)
BPMN_TYPE = "application/xml; charset=utf-8"
CONFLICT = 409


def process_context(viewer: Viewer, item: ItemSummary) -> dict[str, Any]:
    """The item page's process section: for those who edit the item (its department's item administrators and the
    platform's); nothing for other staff."""
    if not viewer.drafts(item.department_id):
        return {"processes": []}
    return {"processes": item_process_list(task_code=item.task_code), "process_form": ProcessUploadForm()}


def _version_or_404(request: HttpRequest, task_code: str, version_id: int) -> tuple[ItemSummary, ItemSummary]:
    """The item (its newest version) and the version asked for; another department's item is as unknown as a
    missing one, and staff who see it but do not edit it are refused."""
    viewer = viewer_of(request)
    versions = item_versions(task_code=task_code)
    if not versions or not viewer.sees(versions[0].department_id):
        raise Http404(_("No service item has this implementation code."))
    if not viewer.drafts(versions[0].department_id):
        raise PermissionDenied(_("Only the implementing department's item administrators edit this item."))
    for version in versions:
        if version.version_id == version_id:
            return versions[0], version
    raise Http404(_("The item has no such version."))


def _render_process(
    request: HttpRequest,
    item: ItemSummary,
    version: ItemSummary,
    *,
    form: ProcessUploadForm | None = None,
    refusal: ActionForm | None = None,
    problems: list[Problem] | None = None,
    checked: bool = False,
    status: int = 200,
) -> HttpResponse:
    """The page of one version's process: what a check found or why a change was refused, then its section."""
    process_form = form if form is not None else ProcessUploadForm()
    context = {
        "item": item,
        "version": version,
        "processes": item_process_list(task_code=item.task_code, version_id=version.version_id),
        "process_form": process_form,
        "summary_form": refusal if refusal is not None else process_form,
        "problems": problems,
        "checked": checked,
    }
    return render(request, "services/console/process.html", context, status=status)


def _back_to_item(task_code: str, version_id: int) -> HttpResponse:
    return redirect(f"{reverse('services:console_item', args=[task_code])}#process-{version_id}")


@staff_required(*ITEM_EDITORS)
@require_GET
def process_download(request: HttpRequest, task_code: str, version_id: int) -> HttpResponse:
    """The BPMN file a version runs, to open in the department's modeller."""
    _version_or_404(request, task_code, version_id)
    file = version_process_file(version_id=version_id)
    disposition = content_disposition_header(as_attachment=True, filename=file.filename)
    return HttpResponse(file.text, content_type=BPMN_TYPE, headers={"Content-Disposition": disposition})


@staff_required(*ITEM_EDITORS)
@require_http_methods(["GET", "POST"])
def process(request: HttpRequest, task_code: str, version_id: int) -> HttpResponse:
    """A version's process on a page of its own (GET); a draft given the uploaded process (POST)."""
    item, version = _version_or_404(request, task_code, version_id)
    if request.method == "GET":
        return _render_process(request, item, version)
    form = ProcessUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_process(request, item, version, form=form, status=400)
    text = form.cleaned_data["file"]
    try:
        item_process_set(actor=request.user, version_id=version_id, bpmn=text)
    except YiwangError as error:
        refuse_unreachable(error)
        if isinstance(error, Conflict):
            form.add_error(None, str(error.message))
            return _render_process(request, item, version, form=form, status=CONFLICT)
        # The service refuses with every problem; the page lists them with their line and element, as a check does.
        problems = process_problems(text)
        if problems:
            form.add_error("file", _problems_found(len(problems)))
        else:
            add_service_error(form, error)
        return _render_process(request, item, version, form=form, problems=problems, status=400)
    messages.success(request, _("Version %(number)s now runs its own process.") % {"number": version.version})
    return _back_to_item(task_code, version_id)


def _problems_found(count: int) -> str:
    return ngettext(
        "The process cannot be used: %(count)s problem, listed below.",
        "The process cannot be used: %(count)s problems, listed below.",
        count,
    ) % {"count": count}


@staff_required(*ITEM_EDITORS)
@require_POST
def process_check(request: HttpRequest, task_code: str, version_id: int) -> HttpResponse:
    """Check a BPMN file without saving it: every problem with its line and element, or none."""
    item, version = _version_or_404(request, task_code, version_id)
    form = ProcessUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_process(request, item, version, form=form, status=400)
    problems = process_problems(form.cleaned_data["file"])
    return _render_process(request, item, version, problems=problems, checked=True)


@staff_required(*ITEM_EDITORS)
@require_POST
def process_reset(request: HttpRequest, task_code: str, version_id: int) -> HttpResponse:
    """A draft returns to the platform's default process for its kind of case."""
    item, version = _version_or_404(request, task_code, version_id)
    refusal = ActionForm(request.POST)
    try:
        item_process_set(actor=request.user, version_id=version_id, bpmn="")
    except YiwangError as error:
        refuse_unreachable(error)
        add_service_error(refusal, error)
        status = CONFLICT if isinstance(error, Conflict) else 400
        return _render_process(request, item, version, refusal=refusal, status=status)
    messages.success(
        request, _("Version %(number)s runs the platform's default process again.") % {"number": version.version}
    )
    return _back_to_item(task_code, version_id)
