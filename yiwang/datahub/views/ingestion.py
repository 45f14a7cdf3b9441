"""Console pages for sending data: upload a file (ingested in the background), follow it, read batches."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from yiwang.core.audit.services import record_event
from yiwang.core.forms import AccessibleFormMixin
from yiwang.datahub.catalog.selectors import resource_list
from yiwang.datahub.ingestion.progress import progress_read, progress_write
from yiwang.datahub.ingestion.selectors import batch_for, batch_list, batch_report_path
from yiwang.datahub.ingestion.uploads import upload_store
from yiwang.datahub.tasks import ingest_uploaded_file
from yiwang.identity.access import staff_required
from yiwang.identity.roles import Role
from yiwang.org.selectors import department_list

UPLOAD_LIMIT_BYTES = getattr(settings, "YIWANG_UPLOAD_LIMIT_BYTES", 512 * 1024 * 1024)


class UploadForm(AccessibleFormMixin, forms.Form):
    resource = forms.ChoiceField(label=gettext_lazy("Resource"))
    source = forms.TypedChoiceField(label=gettext_lazy("Sending department"), coerce=int)
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (UTF-8, GBK, GB18030, or Excel's Unicode text), Excel (.xlsx), JSON or NDJSON; headers by element "
            "name or code."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [  # type: ignore[attr-defined]
            (item.slug, f"{item.code} {item.name}") for item in resource_list(published_only=True)
        ]
        if user.has_role(Role.PLATFORM_ADMIN):
            choices = [(item.id, item.name) for item in department_list()]
        else:
            choices = [(user.department_id, user.department.name)]
        self.fields["source"].choices = choices  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_LIMIT_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)d MB; the limit is %(limit)d MB. Split it, or send it with `yiwang ingest`.")
                % {"size": upload.size // (1024 * 1024) + 1, "limit": UPLOAD_LIMIT_BYTES // (1024 * 1024)}
            )
        return upload


@staff_required(Role.DATA_ADMIN, Role.PLATFORM_ADMIN)
@require_http_methods(["GET", "POST"])
def upload_view(request: HttpRequest) -> HttpResponse:
    """Upload a department's file; it is checked and loaded in the background."""
    user: Any = request.user
    form = UploadForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        token = uuid.uuid4().hex
        path = upload_store(form.cleaned_data["file"])
        progress_write(token, stage="queued", rows=0, rejected=0, owner=user.pk)
        ingest_uploaded_file.enqueue(
            token=token,
            path=str(path),
            resource_slug=form.cleaned_data["resource"],
            source_department_id=form.cleaned_data["source"],
            actor_id=user.pk,
            file_name=form.cleaned_data["file"].name[:255],
        )
        return redirect("datahub:upload_status", token=token)
    status = 400 if request.method == "POST" else 200
    return render(request, "datahub/ingestion/upload.html", {"form": form}, status=status)


def _progress_for(request: HttpRequest, token: str) -> dict[str, Any]:
    state = progress_read(token) if len(token) == 32 and token.isalnum() else None
    user: Any = request.user
    if state is None or (state.get("owner") not in {None, user.pk} and not user.has_role(Role.PLATFORM_ADMIN)):
        raise Http404(_("No such upload."))
    return state


@staff_required(Role.DATA_ADMIN, Role.PLATFORM_ADMIN)
@require_GET
def upload_status_view(request: HttpRequest, token: str) -> HttpResponse:
    """How far an uploaded file has come; the page polls itself (htmx) until the batch is done."""
    state = _progress_for(request, token)
    template = (
        "datahub/ingestion/_progress.html" if request.headers.get("HX-Request") else "datahub/ingestion/progress.html"
    )
    return render(request, template, {"state": state, "token": token})


@staff_required()
@require_GET
def batches_view(request: HttpRequest) -> HttpResponse:
    """Batches the viewer's department sent or received."""
    resource = request.GET.get("resource", "").strip()[:64]
    return render(
        request,
        "datahub/ingestion/batches.html",
        {"batches": batch_list(viewer=request.user, resource_slug=resource), "resource": resource},
    )


@staff_required()
@require_GET
def batch_view(request: HttpRequest, batch_id: int) -> HttpResponse:
    """One batch: counts, unknown columns, and (for its sender) the error report."""
    batch = batch_for(viewer=request.user, batch_id=batch_id)
    if batch is None:
        raise Http404(_("No such batch."))
    user: Any = request.user
    may_download = batch_report_path(viewer=user, batch_id=batch_id, kind="csv") is not None
    return render(request, "datahub/ingestion/batch.html", {"batch": batch, "may_download": may_download})


@staff_required(Role.DATA_ADMIN, Role.PLATFORM_ADMIN)
@require_GET
def batch_report_view(request: HttpRequest, batch_id: int, kind: str) -> HttpResponseBase:
    """Download a batch's error report (it holds the rejected rows' values: the read is audited)."""
    path = batch_report_path(viewer=request.user, batch_id=batch_id, kind=kind) if kind in {"csv", "xlsx"} else None
    if path is None:
        raise Http404(_("No report to download."))
    record_event(
        actor=request.user,
        action="datahub.batch.report.read",
        object_type="datahub.batch",
        object_id=batch_id,
        purpose="correcting rejected rows",
    )
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"batch-{batch_id}-errors.{kind}")
