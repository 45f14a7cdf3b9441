"""The catalog out to Excel and in from Excel, with a preview to confirm before anything is written."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yiwang.datahub.catalog import excel, selectors, services
from yiwang.datahub.catalog.forms import (
    ImportForm,
)
from yiwang.datahub.models import (
    ResourceStatus,
)
from yiwang.datahub.views.catalog.common import (
    EDITORS,
    Viewer,
    catalog_entries,
    department_name,
    latest_snapshot,
    viewer_of,
)
from yiwang.identity.access import staff_required
from yiwang.org.selectors import department_list

IMPORT_SALT = "yiwang.datahub.catalog.import"
IMPORT_MAX_AGE = 2 * 3600  # seconds a preview may be confirmed


@staff_required()
@require_GET
def catalog_export_view(request: HttpRequest) -> HttpResponse:
    """The catalog (or the entries the search and filter select) as the Excel workbook departments use."""
    viewer = viewer_of(request)
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    if status not in ResourceStatus.values or not viewer.is_editor:
        status = ""
    snapshots = []
    for entry in catalog_entries(viewer, query=query, status=status):
        resource = selectors.resource_detail(slug=entry.summary.slug)
        snapshots.append(services.resource_snapshot(resource) if entry.live else latest_snapshot(resource))
    known = {item.id: item.name for item in department_list()}
    names = {
        department_id: department_name(department_id, known)
        for department_id in {item.get("source_department_id") for item in snapshots}
        if department_id is not None
    }
    content = excel.catalog_workbook(entries=snapshots, department_names=names)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = HttpResponse(content, content_type=excel.XLSX_CONTENT_TYPE)
    # An ASCII name for old clients, the Chinese one (信息资源目录) for the others (RFC 6266).
    chinese = quote(f"信息资源目录-{stamp}.xlsx")
    response["Content-Disposition"] = f"attachment; filename=\"catalog-{stamp}.xlsx\"; filename*=UTF-8''{chinese}"
    return response


def _import_token(viewer: Viewer, parsed: excel.ParsedWorkbook) -> str:
    return signing.dumps({"user": viewer.user.pk, "workbook": parsed.to_json()}, salt=IMPORT_SALT, compress=True)


def _import_from_token(viewer: Viewer, token: str) -> excel.ParsedWorkbook | None:
    try:
        payload = signing.loads(token, salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
    except signing.BadSignature:  # also an expired one
        return None
    if not isinstance(payload, dict) or payload.get("user") != viewer.user.pk:
        return None
    return excel.ParsedWorkbook.from_json(payload["workbook"])


@staff_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def catalog_import_view(request: HttpRequest) -> HttpResponse:
    """Upload a catalog workbook, see what it would create and change (or what is wrong), then confirm."""
    viewer = viewer_of(request)
    form = ImportForm()
    report: excel.ImportReport | None = None
    expired = ""
    token = ""
    file_name = ""
    status = 200
    if request.method == "POST" and request.POST.get("action") == "apply":
        parsed = _import_from_token(viewer, request.POST.get("token", ""))
        if parsed is None:
            expired = _("The preview has expired. Upload the workbook again.")
            status = 400
        else:
            report = excel.catalog_import(actor=viewer.user, parsed=parsed, apply=True)
            if report.applied:
                messages.success(
                    request,
                    _("The workbook is imported: %(created)d entries created, %(updated)d updated, %(same)d unchanged.")
                    % {
                        "created": report.count(excel.ImportAction.CREATE),
                        "updated": report.count(excel.ImportAction.UPDATE),
                        "same": report.count(excel.ImportAction.UNCHANGED),
                    },
                )
                return redirect("datahub:catalog")
            file_name = parsed.file_name
            status = 400
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["workbook"]
            file_name = upload.name or ""
            parsed = excel.workbook_read(data=upload.read(), name=file_name)
            report = excel.catalog_import(actor=viewer.user, parsed=parsed, apply=False)
            if report.problems:
                status = 400
            else:
                token = _import_token(viewer, parsed)
        else:
            status = 400
    context = {"form": form, "report": report, "token": token, "file_name": file_name, "expired": expired}
    return render(request, "datahub/catalog/import.html", context, status=status)
