"""The JSON API of the items' BPMN processes: the steps waiting for me, checking a process file, a version's
process, and a department giving its draft its own process (ADR 0018)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Router, Schema, UploadedFile

from yiwang.core.errors import PermissionDenied, ValidationFailed
from yiwang.identity.api_auth import session_or_bearer
from yiwang.identity.roles import UserKind
from yiwang.services.applications.process import process_problems, process_text
from yiwang.services.applications.selectors import steps_waiting_for
from yiwang.services.catalog.selectors import item_guide, item_version_get
from yiwang.services.catalog.services import item_process_set, require_editor
from yiwang.services.workflow.engine import MAX_BYTES

router = Router(tags=["services: processes"])
BPMN_TYPE = "application/xml; charset=utf-8"


class WaitingStepOut(Schema):
    id: int
    application_id: int
    number: str = Field(alias="application.number")
    item: str = Field(alias="application.item_version.name")
    name: str
    kind: str
    role: str
    department: str = Field(alias="department.name")
    countersign: int
    instance: int
    opened_at: datetime.datetime
    due_on: datetime.date | None


class ProblemOut(Schema):
    message: str
    line: int | None
    element: str


class CheckOut(Schema):
    ok: bool
    problems: list[ProblemOut]


def _staff(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if getattr(user, "kind", None) != UserKind.STAFF:
        raise PermissionDenied(_("This is for government staff."))
    return user


def _read(file: UploadedFile) -> bytes:
    if file.size is not None and file.size > MAX_BYTES:
        raise ValidationFailed(_("A BPMN file is at most 1 MB."), field="file")
    return bytes(file.read(MAX_BYTES + 1))


@router.get(
    "/steps",
    response=list[WaitingStepOut],
    auth=session_or_bearer,
    summary="The open process steps I may take (my department's, for my roles), the nearest stage limit first",
)
def waiting_steps(request: HttpRequest) -> Any:
    return steps_waiting_for(actor=_staff(request))


@router.post(
    "/processes/check",
    response=CheckOut,
    auth=session_or_bearer,
    summary="Check a BPMN 2.0 file before use: every problem, with its line and element",
)
def process_check(request: HttpRequest, file: File[UploadedFile]) -> Any:
    _staff(request)
    problems = process_problems(_read(file))
    return {"ok": not problems, "problems": problems}


@router.get(
    "/items/{task_code}/process",
    auth=None,
    response={200: None},
    summary="The BPMN 2.0 process the item's published version runs (its own, or the platform's default)",
)
def item_process(request: HttpRequest, task_code: str) -> HttpResponse:
    version = item_guide(task_code=task_code)
    return HttpResponse(process_text(version), content_type=BPMN_TYPE)


@router.get(
    "/item-versions/{version_id}/process",
    auth=session_or_bearer,
    response={200: None},
    summary="The BPMN 2.0 process of a version (a draft's: for the department's item administrators)",
)
def version_process(request: HttpRequest, version_id: int) -> HttpResponse:
    version = item_version_get(version_id=version_id)
    require_editor(request.auth, version.item.department_id)  # type: ignore[attr-defined]
    return HttpResponse(process_text(version), content_type=BPMN_TYPE)


@router.post(
    "/item-versions/{version_id}/process",
    auth=session_or_bearer,
    response={200: CheckOut},
    summary="Give a draft its own BPMN process (made in any BPMN modeller; refused with every problem listed)",
)
def version_process_set(request: HttpRequest, version_id: int, file: File[UploadedFile]) -> Any:
    item_process_set(actor=request.auth, version_id=version_id, bpmn=_read(file))  # type: ignore[attr-defined]
    return {"ok": True, "problems": []}


@router.delete(
    "/item-versions/{version_id}/process",
    auth=session_or_bearer,
    response={200: CheckOut},
    summary="Return a draft to the platform's default process for its kind of case",
)
def version_process_reset(request: HttpRequest, version_id: int) -> Any:
    item_process_set(actor=request.auth, version_id=version_id, bpmn="")  # type: ignore[attr-defined]
    return {"ok": True, "problems": []}
