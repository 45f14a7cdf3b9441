"""API of online services (/api/v1/services): the item catalog, public to read; applications, for their applicants
and the handling department's staff (sessions or bearer tokens)."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from yiwang.core.errors import NotFound, PermissionDenied
from yiwang.identity.api_auth import session_or_bearer
from yiwang.identity.roles import UserKind
from yiwang.services.applications import prefill
from yiwang.services.applications import services as application_services
from yiwang.services.applications.materials import material_remove, material_upload, materials_missing
from yiwang.services.applications.prefill import prefill_fields
from yiwang.services.applications.selectors import (
    application_detail,
    application_exchange_record,
    application_summary,
    applications_of,
    department_inbox,
)
from yiwang.services.catalog.selectors import item_guide, item_search
from yiwang.services.models import ItemType
from yiwang.services.supervision import supervision_board

router = Router(tags=["services"])


class ItemSummaryOut(Schema):
    task_code: str = Field(description="implementation code (实施编码)")
    catalog_code: str = Field(description="basic code (基本编码)")
    name: str
    item_type: str = Field(description="national item type code: 01–10, 20")
    item_type_label: str
    department: str = Field(description="implementing body")
    version: int
    project_type: str = Field(description="immediate (即办件) or promised (承诺件)")
    promised_limit: int
    promised_unit: str
    online_depth: str
    visits: int


class HandlingItemOut(Schema):
    code: str
    name: str


class MaterialOut(Schema):
    name: str
    required: bool
    form: str
    copies: int
    source: str = Field(description="applicant, license, registry or department: only 'applicant' is uploaded")
    source_reference: str
    legal_basis: str
    notes: str


class FeeOut(Schema):
    name: str
    standard: str
    legal_basis: str
    reducible: bool


class ItemGuideOut(ItemSummaryOut):
    legal_basis: str
    power_source: str
    exercise_level: str
    service_object: str
    statutory_limit: int
    statutory_unit: str
    acceptance_conditions: str
    handling_place: str
    handling_hours: str
    consult_phone: str
    complaint_phone: str
    result_type: str
    result_name: str
    result_license_type: str = Field("", description="the e-license type (GB/T 36904 type code) an approval issues")
    published_at: Any
    handling_items: list[HandlingItemOut]
    materials: list[MaterialOut]
    fees: list[FeeOut]


class ItemFilter(Schema):
    q: str = Field("", max_length=100, description="words in Chinese; abbreviations such as 社保 are expanded")
    item_type: ItemType | None = None
    department: int | None = Field(None, description="implementing department's id")
    limit: int = Field(50, ge=1, le=200)


@router.get("/items", response=list[ItemSummaryOut], auth=None, summary="Search the published service items")
def items(request: HttpRequest, filters: Query[ItemFilter]) -> Any:
    return item_search(
        query=filters.q,
        item_type=filters.item_type or "",
        department_id=filters.department,
        limit=filters.limit,
    )


@router.get("/items/{task_code}", response=ItemGuideOut, auth=None, summary="The service guide of one item")
def item(request: HttpRequest, task_code: str) -> Any:
    version = item_guide(task_code=task_code)
    return {
        "task_code": version.item.task_code,
        "catalog_code": version.item.catalog_code,
        "name": version.name,
        "item_type": version.item_type,
        "item_type_label": str(version.get_item_type_display()),
        "department": version.item.department.name,
        "version": version.number,
        "project_type": version.project_type,
        "promised_limit": version.promised_limit,
        "promised_unit": version.promised_unit,
        "online_depth": version.online_depth,
        "visits": version.visits,
        "legal_basis": version.legal_basis,
        "power_source": version.power_source,
        "exercise_level": version.exercise_level,
        "service_object": version.service_object,
        "statutory_limit": version.statutory_limit,
        "statutory_unit": version.statutory_unit,
        "acceptance_conditions": version.acceptance_conditions,
        "handling_place": version.handling_place,
        "handling_hours": version.handling_hours,
        "consult_phone": version.consult_phone,
        "complaint_phone": version.complaint_phone,
        "result_type": version.result_type,
        "result_name": version.result_name,
        "result_license_type": version.result_license_type,
        "published_at": version.published_at,
        "handling_items": list(version.handling_items.all()),
        "materials": list(version.materials.all()),
        "fees": list(version.fees.all()),
    }


# --- applications ---------------------------------------------------------------------------------------------------


class DeadlineOut(Schema):
    due: datetime.date
    remaining: int = Field(description="days left in the limit's unit: 0 on the due day, negative when late")
    unit: str


class ClockOut(Schema):
    accepted_on: datetime.date
    statutory: DeadlineOut
    promised: DeadlineOut
    paused: bool
    paused_working_days: int
    extension_days: int
    provisional: bool = Field(description="a year involved has no published holiday calendar yet")


class ApplicationSummaryOut(Schema):
    id: int
    number: str = Field(description="办件编号; empty for a draft")
    task_code: str
    item_name: str
    version: int
    department: str
    status: int = Field(description="national status code 1–15; 0 is a draft")
    status_label: str
    submitted_at: datetime.datetime | None
    accepted_on: datetime.date | None
    concluded_at: datetime.datetime | None
    clock: ClockOut | None
    supplement_deadline: datetime.date | None = Field(description="art. 32: last day to request a supplement")


class EventOut(Schema):
    action: str
    status: int | None
    actor_name: str
    at: datetime.datetime
    opinion: str
    details: dict[str, Any]


class AskedMaterialOut(Schema):
    id: int
    name: str
    required: bool
    form: str
    source: str = Field(description="only 'applicant' materials are uploaded; the others are fetched (免提交)")


class UploadOut(Schema):
    id: int
    material_id: int | None
    name: str
    original_name: str
    size: int
    content_type: str
    sm3: str
    trust_level: str = Field(description="证照可信等级: A an e-license the government issued (免提交), C an upload")
    license_identifier: str = Field(description="the e-license shared by its holder, for trust level A")
    uploaded_at: datetime.datetime


class ProcessStepOut(Schema):
    id: int
    name: str
    kind: str = Field(description="accept, review or decide")
    role: str
    department: str = Field(alias="department.name")
    countersign: int = Field(description="how many must sign this step (0: one person's step)")
    instance: int
    status: str = Field(description="open, done or cancelled")
    opened_at: datetime.datetime
    due_on: datetime.date | None = Field(description="the stage limit, when the process sets one")
    done_at: datetime.datetime | None
    done_by_name: str
    verdict: str
    opinion: str


class PrefillFieldOut(Schema):
    field: str
    title: str
    resource: str = Field(description="the registry (population, legal-entities)")
    element: str


class ChargedFeeOut(Schema):
    name: str
    amount: str
    listed: bool = Field(description="whether the item's fee list has this fee (supervision flags the others)")
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_amount(fee: Any) -> str:
        return str(fee.amount)

    @staticmethod
    def resolve_listed(fee: Any) -> bool:
        return fee.fee_id is not None


class FeeIn(Schema):
    name: str = Field(max_length=200)
    amount: str = Field(max_length=20, description="yuan, e.g. 10 or 12.50")


class ApplicationOut(ApplicationSummaryOut):
    form_data: dict[str, Any]
    form_schema: dict[str, Any]
    prefill_fields: list[PrefillFieldOut] = Field(
        description="fields the base registries can answer: name them when asking the applicant's consent"
    )
    events: list[EventOut]
    process_steps: list[ProcessStepOut] = Field(description="the steps of the item's BPMN process, in order")
    fees: list[ChargedFeeOut] = Field(description="fees charged")
    materials_asked: list[AskedMaterialOut]
    uploads: list[UploadOut] = Field(description="the current file of each material (replaced files are kept)")
    materials_missing: list[str] = Field(description="required materials still to upload before submission")
    result_license: str = Field(description="结果证照编号: the e-license the approval issued (GB/T 36904 identifier)")


class DraftIn(Schema):
    task_code: str = Field(max_length=36)
    handling_item: str = Field("", max_length=50)
    enterprise_id: int | None = None
    form_data: dict[str, Any] = Field(default_factory=dict)


class FormIn(Schema):
    form_data: dict[str, Any]


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000)


class SupplementAnswerIn(Schema):
    form_data: dict[str, Any] | None = None
    note: str = Field("", max_length=2000)


class StepIn(Schema):
    """The fields a step uses; the others are ignored."""

    opinion: str = Field("", max_length=2000)
    reasons: str = Field("", max_length=2000)
    not_ours: bool = False
    missing: list[str] = Field(default_factory=list, max_length=50)
    notice: str = Field("", max_length=2000)
    kind: str = Field("", max_length=20)
    reason: str = Field("", max_length=2000)
    result: str = Field("", max_length=2000)
    days: int = 0
    outcome: str = Field("", max_length=30)
    tolerated: list[str] = Field(default_factory=list, max_length=50)
    verdict: str = Field("", max_length=10, description="review: agree or disagree (reasons in `opinion`)")
    step_id: int | None = Field(None, description="review: which open step (one of `process_steps`); else the first")


class Step(StrEnum):
    ACCEPT = "accept"
    REFUSE = "refuse"
    REQUEST_SUPPLEMENT = "request-supplement"
    START_HANDLING = "start-handling"
    REVIEW = "review"
    SPECIAL_START = "special-start"
    SPECIAL_END = "special-end"
    EXTEND = "extend"
    DECIDE = "decide"
    REVOKE = "revoke"


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _detail(request: HttpRequest, application_id: int) -> dict[str, Any]:
    application = application_detail(actor=_user(request), application_id=application_id)
    summary = application_summary(application)
    return {
        **dataclasses.asdict(summary),
        "clock": summary.clock,
        "form_data": application.form_data,
        "form_schema": application.item_version.form_schema,
        "prefill_fields": prefill_fields(application.item_version.form_schema),
        "events": list(application.events.all()),
        "process_steps": list(application.steps.select_related("department")),
        "fees": list(application.fees.all()),
        "materials_asked": list(application.item_version.materials.order_by("position")),
        "uploads": list(application.materials.filter(superseded_at__isnull=True).order_by("uploaded_at", "pk")),
        "materials_missing": materials_missing(application),
        "result_license": application.result_license,
    }


@router.get(
    "/applications",
    response=list[ApplicationSummaryOut],
    auth=session_or_bearer,
    summary="A citizen's own applications; for staff, the department's open applications, most urgent first",
)
def applications(request: HttpRequest) -> Any:
    user = _user(request)
    if user.kind == UserKind.STAFF:
        return department_inbox(actor=user)
    return applications_of(actor=user)


@router.post("/applications", response={201: ApplicationOut}, auth=session_or_bearer, summary="Start a draft")
def application_start(request: HttpRequest, payload: DraftIn) -> Any:
    draft = application_services.application_draft_save(
        actor=_user(request),
        task_code=payload.task_code,
        handling_item_code=payload.handling_item,
        enterprise_id=payload.enterprise_id,
        form_data=payload.form_data,
    )
    return Status(201, _detail(request, draft.pk))


@router.get(
    "/applications/{application_id}", response=ApplicationOut, auth=session_or_bearer, summary="One application"
)
def application(request: HttpRequest, application_id: int) -> Any:
    return _detail(request, application_id)


@router.put(
    "/applications/{application_id}/form",
    response=ApplicationOut,
    auth=session_or_bearer,
    summary="Save a draft's form",
)
def application_form(request: HttpRequest, application_id: int, payload: FormIn) -> Any:
    application_services.application_draft_save(
        actor=_user(request), application_id=application_id, form_data=payload.form_data
    )
    return _detail(request, application_id)


@router.post(
    "/applications/{application_id}/prefill",
    response=ApplicationOut,
    auth=session_or_bearer,
    summary="With the applicant's consent (this request, recorded), fill the draft's empty answers from the registries",
)
def application_prefill(request: HttpRequest, application_id: int) -> Any:
    prefill.application_prefill(actor=_user(request), application_id=application_id)
    return _detail(request, application_id)


@router.post(
    "/applications/{application_id}/submit",
    response=ApplicationOut,
    auth=session_or_bearer,
    summary="Submit a draft (the form is checked; every problem is listed in `errors`)",
)
def application_submit(request: HttpRequest, application_id: int) -> Any:
    application_services.application_submit(actor=_user(request), application_id=application_id)
    return _detail(request, application_id)


@router.post(
    "/applications/{application_id}/withdraw",
    response=ApplicationOut,
    auth=session_or_bearer,
    summary="Withdraw before acceptance (2), recall after (14)",
)
def application_withdraw(request: HttpRequest, application_id: int, payload: ReasonIn) -> Any:
    application_services.application_withdraw(
        actor=_user(request), application_id=application_id, reason=payload.reason
    )
    return _detail(request, application_id)


@router.post(
    "/applications/{application_id}/materials",
    response=ApplicationOut,
    auth=session_or_bearer,
    summary="Upload a file for a material (material_id) or an extra document (name), while a draft or supplement",
)
def application_material_upload(
    request: HttpRequest,
    application_id: int,
    file: File[UploadedFile],
    material_id: Form[int | None] = None,
    name: Form[str] = "",
) -> Any:
    material_upload(actor=_user(request), application_id=application_id, material_id=material_id, name=name, file=file)
    return _detail(request, application_id)


@router.delete(
    "/applications/{application_id}/materials/{upload_id}",
    response=ApplicationOut,
    auth=session_or_bearer,
    summary="Remove an uploaded file (kept as history) while the application can be changed",
)
def application_material_remove(request: HttpRequest, application_id: int, upload_id: int) -> Any:
    material_remove(actor=_user(request), upload_id=upload_id, application_id=application_id)
    return _detail(request, application_id)


@router.get(
    "/applications/{application_id}/materials/{upload_id}/file",
    auth=session_or_bearer,
    summary="The file of an uploaded material, for the applicant and the handling department",
)
def application_material_file(request: HttpRequest, application_id: int, upload_id: int) -> FileResponse:
    application = application_detail(actor=_user(request), application_id=application_id)
    upload = application.materials.filter(pk=upload_id).first()
    if upload is None:
        raise NotFound(_("No uploaded file of yours has id %(id)s.") % {"id": upload_id})
    return FileResponse(upload.file.open("rb"), content_type=upload.content_type, filename=upload.original_name)


@router.post(
    "/applications/{application_id}/supplement",
    response=ApplicationOut,
    auth=session_or_bearer,
    summary="Answer the supplement notice",
)
def application_supplement(request: HttpRequest, application_id: int, payload: SupplementAnswerIn) -> Any:
    application_services.application_answer_supplement(
        actor=_user(request), application_id=application_id, form_data=payload.form_data, note=payload.note
    )
    return _detail(request, application_id)


@router.post(
    "/applications/{application_id}/steps/{step}",
    response=ApplicationOut,
    auth=session_or_bearer,
    summary="A step of the handling department (who may take which step: see the services' documentation)",
)
def application_step(request: HttpRequest, application_id: int, step: Step, payload: StepIn) -> Any:
    actor = _user(request)
    services = application_services
    calls: dict[Step, Callable[[], Any]] = {
        Step.ACCEPT: lambda: services.application_accept(
            actor=actor, application_id=application_id, opinion=payload.opinion
        ),
        Step.REFUSE: lambda: services.application_refuse(
            actor=actor, application_id=application_id, reasons=payload.reasons, not_ours=payload.not_ours
        ),
        Step.REQUEST_SUPPLEMENT: lambda: services.application_request_supplement(
            actor=actor, application_id=application_id, missing=payload.missing, notice=payload.notice
        ),
        Step.START_HANDLING: lambda: services.application_start_handling(
            actor=actor, application_id=application_id, opinion=payload.opinion
        ),
        Step.REVIEW: lambda: services.application_review(
            actor=actor,
            application_id=application_id,
            verdict=payload.verdict,
            opinion=payload.opinion,
            step_id=payload.step_id,
        ),
        Step.SPECIAL_START: lambda: services.application_special_start(
            actor=actor, application_id=application_id, kind=payload.kind, reason=payload.reason
        ),
        Step.SPECIAL_END: lambda: services.application_special_end(
            actor=actor, application_id=application_id, result=payload.result
        ),
        Step.EXTEND: lambda: services.application_extend(
            actor=actor, application_id=application_id, days=payload.days, reason=payload.reason
        ),
        Step.DECIDE: lambda: services.application_decide(
            actor=actor,
            application_id=application_id,
            outcome=payload.outcome,
            opinion=payload.opinion,
            tolerated=payload.tolerated,
        ),
        Step.REVOKE: lambda: services.application_revoke(
            actor=actor, application_id=application_id, reasons=payload.reasons
        ),
    }
    calls[step]()
    return _detail(request, application_id)


@router.post(
    "/applications/{application_id}/fees",
    response=ApplicationOut,
    auth=session_or_bearer,
    summary="Record a fee charged (the department's window clerks and approvers); one not in the fee list is flagged",
)
def application_fee(request: HttpRequest, application_id: int, payload: FeeIn) -> Any:
    application_services.application_fee_record(
        actor=_user(request), application_id=application_id, name=payload.name, amount=payload.amount
    )
    return _detail(request, application_id)


@router.get(
    "/applications/{application_id}/exchange-record",
    response=dict[str, Any],
    auth=session_or_bearer,
    summary="The case in the national exchange layout (受理, 过程, 特别程序, 结果), for the department's staff",
)
def application_record(request: HttpRequest, application_id: int) -> Any:
    user = _user(request)
    application = application_detail(actor=user, application_id=application_id)
    if user.kind != UserKind.STAFF:
        raise PermissionDenied(_("The exchange record is for the handling department's staff."))
    return application_exchange_record(application)


# --- electronic supervision -----------------------------------------------------------------------------------------


class WarningOut(Schema):
    application: ApplicationSummaryOut
    department_id: int
    level: int = Field(description="1 yellow card (预警), 2 red card (超期)")
    reasons: list[str] = Field(
        description="promised_overdue, statutory_overdue, few_days_left, share_elapsed, intake_late"
    )
    messages: list[str]


class BoardFilter(Schema):
    department: int | None = None
    task_code: str = Field("", max_length=36)
    level: int | None = Field(None, ge=1, le=2)


@router.get(
    "/supervision/warnings",
    response=list[WarningOut],
    auth=session_or_bearer,
    summary="The supervision board: warnings on open applications, computed now (supervisors, leaders, platform)",
)
def supervision_warnings_list(request: HttpRequest, filters: Query[BoardFilter]) -> Any:
    warnings = supervision_board(
        actor=_user(request), department_id=filters.department, task_code=filters.task_code, level=filters.level
    )
    return [
        {
            **dataclasses.asdict(warning),
            "application": warning.application,
            "messages": [str(m) for m in warning.messages],
        }
        for warning in warnings
    ]
