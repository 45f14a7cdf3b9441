"""The cases API (/api/v1/cases): intake, the work lists, a case's page, every step of the lifecycle, and the
operators' helpers (the caller's earlier cases, likely duplicates, the routing model's proposal, overdue lists).

Authentication as everywhere in /api/v1: a bearer token from the platform's OpenID Connect provider (no CSRF), or
a browser session (staff after the second factor; CSRF on writes). Each endpoint parses, calls one service or
selector, and answers. A case the caller may not see is 404, never 403: its existence does not leak. A step the
caller may see but not take is 403; a step the case's status does not allow (typically someone got there first)
is 409; refused input is 422 naming the field. See docs/api/cases.md.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from yiwang.cases import services
from yiwang.cases.models import Case, CaseExtension, CaseFollowUp, CaseReturn, Channel, Escalation
from yiwang.cases.schemas import (
    AttachmentCreatedOut,
    AttachmentKindName,
    BoxName,
    CaseCreatedOut,
    CaseDetailOut,
    CaseIntakeIn,
    CasePageOut,
    CaseSummaryOut,
    ConcludeDirectlyIn,
    ConcludeIn,
    DispatchIn,
    DuplicateOut,
    DuplicatesIn,
    EscalationIn,
    EscalationOut,
    ExtensionDecisionIn,
    ExtensionIn,
    ExtensionOut,
    FollowUpIn,
    FollowUpOut,
    MergeIn,
    ReturnIn,
    ReturnOut,
    ReturnReviewIn,
    RouteIn,
    RouteOut,
    TextIn,
    UnitOverdueOut,
)
from yiwang.cases.selectors import (
    CaseDetail,
    caller_history,
    case_attachment,
    case_box,
    case_by_number,
    case_detail,
    duplicate_candidates,
    overdue_by_unit,
)
from yiwang.cases.services.access import is_hotline, is_staff
from yiwang.cases.services.intake import ATTACHMENT_TYPES
from yiwang.core.errors import NotFound, PermissionDenied, ValidationFailed
from yiwang.identity.api_auth import session_or_bearer
from yiwang.identity.roles import Role, UserKind

router = Router(auth=session_or_bearer)

PREFIX = "/api/v1/cases"
BINARY = {"type": "string", "format": "binary"}
MAX_OFFSET = 10_000


# --- helpers -------------------------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _links(number: str) -> dict[str, str]:
    return {"self": f"{PREFIX}/{number}"}


def _no_such_case(field: str = "number") -> NotFound:
    # The same answer whether the case does not exist or the caller may not see it.
    return NotFound(_("There is no such case."), field=field)


def _case_id(request: HttpRequest, number: str, *, field: str = "number") -> int:
    """The id of a case the caller may see, or 404."""
    case = case_by_number(_user(request), number)
    if case is None:
        raise _no_such_case(field)
    return case.pk


def _attachment_url(number: str, attachment_id: int) -> str:
    return f"{PREFIX}/{number}/attachments/{attachment_id}"


def _detail_out(detail: CaseDetail) -> dict[str, Any]:
    body = dataclasses.asdict(detail)
    for attachment in body["attachments"]:
        attachment["url"] = _attachment_url(detail.number, attachment["id"])
    body["actions"] = sorted(detail.actions)
    body["links"] = _links(detail.number)
    return body


def _detail(request: HttpRequest, number: str) -> dict[str, Any]:
    detail = case_detail(_user(request), number=number)
    if detail is None:
        raise _no_such_case()
    return _detail_out(detail)


def _require_hotline(request: HttpRequest) -> Any:
    user = _user(request)
    if not is_hotline(user):
        raise PermissionDenied(_("Only the hotline's operators and dispatchers may do this."))
    return user


def _intake_channel(user: Any, asked: str | None) -> str:
    """Citizens report through the portal; staff by default through the channel of their role."""
    if user.kind == UserKind.CITIZEN:
        if asked not in (None, Channel.PORTAL):
            raise PermissionDenied(_("Citizens report through the portal channel."), field="channel")
        return Channel.PORTAL
    if asked:
        return asked  # the service checks that the account may use it
    if is_hotline(user):
        return Channel.PHONE
    if user.has_role(Role.GRID_WORKER):
        return Channel.GRID
    return Channel.API


def _return_out(returned: CaseReturn) -> dict[str, Any]:
    return {
        "id": returned.pk,
        "case_number": returned.case.number,
        "department_id": returned.assignment.department_id,
        "role": returned.assignment.role,
        "reason": returned.reason,
        "basis": returned.basis,
        "suggested_department_id": returned.suggested_department_id,
        "requested_at": returned.requested_at,
        "decision": returned.decision,
        "decided_at": returned.decided_at,
        "decision_note": returned.decision_note,
    }


def _extension_out(extension: CaseExtension) -> dict[str, Any]:
    return {
        "id": extension.pk,
        "case_number": extension.case.number,
        "department_id": extension.department_id,
        "days": extension.days,
        "reason": extension.reason,
        "requested_at": extension.requested_at,
        "decision": extension.decision,
        "decided_at": extension.decided_at,
        "decision_note": extension.decision_note,
        "due_at": extension.case.due_at,
    }


def _follow_up_out(follow_up: CaseFollowUp) -> dict[str, Any]:
    return {
        "id": follow_up.pk,
        "case_number": follow_up.case.number,
        "resolved": follow_up.resolved,
        "satisfaction": follow_up.satisfaction,
        "note": follow_up.note,
        "at": follow_up.at,
        "case_status": follow_up.case.status,
        "reopen_count": follow_up.case.reopen_count,
    }


def _escalation_out(escalation: Escalation) -> dict[str, Any]:
    return {
        "id": escalation.pk,
        "case_number": escalation.case.number,
        "level": escalation.level,
        "reason": escalation.reason,
        "at": escalation.at,
    }


def _created(case: Case) -> dict[str, Any]:
    return {
        "number": case.number,
        "status": case.status,
        "status_label": case.get_status_display(),
        "case_type": case.case_type,
        "channel": case.channel,
        "title": case.title,
        "received_at": case.received_at,
        "links": _links(case.number),
    }


# --- intake and lists ----------------------------------------------------------------------------------------------


@router.post(
    "",
    response={201: CaseCreatedOut},
    summary="受理: take in a case (citizens: portal; operators: phone; grid workers: grid; other staff: api)",
)
def intake(request: HttpRequest, response: HttpResponse, payload: CaseIntakeIn) -> Any:
    user = _user(request)
    data = payload.model_dump()
    channel = _intake_channel(user, data.pop("channel"))
    case = services.case_intake(
        actor=user,
        intake=services.CaseIntake(
            **data,
            channel=channel,
            reporter_id=user.pk if user.kind == UserKind.CITIZEN else None,
        ),
    )
    response["Location"] = _links(case.number)["self"]
    return Status(201, _created(case))


class CaseListQuery(Schema):
    box: BoxName = Field("all", description="a work list: to_dispatch, returns, extensions, to_sign, in_progress, …")
    q: str = Field("", max_length=100, description="a case number, or words of the title or content")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


@router.get("", response=CasePageOut, summary="The cases the caller may see, newest first, by work list")
def cases_list(request: HttpRequest, filters: Query[CaseListQuery]) -> Any:
    end = filters.offset + filters.limit
    found = case_box(_user(request), box=filters.box, query=filters.q, limit=end + 1)
    return {
        "items": found[filters.offset : end],
        "limit": filters.limit,
        "offset": filters.offset,
        "next_offset": end if len(found) > end else None,
    }


# Fixed paths before /{number}, which would otherwise take them.


class PhoneQuery(Schema):
    phone: str = Field(max_length=20, description="the caller's phone as they give it")


@router.get(
    "/caller-history",
    response=list[CaseSummaryOut],
    summary="The caller's earlier cases, by phone (the hotline, during a call)",
)
def caller_history_list(request: HttpRequest, filters: Query[PhoneQuery]) -> Any:
    _require_hotline(request)
    return caller_history(phone=filters.phone)


@router.get(
    "/overdue",
    response=list[UnitOverdueOut],
    summary="Overdue lists per unit: late cases as lead, parts not signed for in time, escalations (staff)",
)
def overdue(request: HttpRequest) -> Any:
    user = _user(request)
    if not is_staff(user):
        raise PermissionDenied(_("Overdue lists are for staff."))
    return overdue_by_unit(user)


@router.post(
    "/duplicates",
    response=list[DuplicateOut],
    summary="Likely duplicates of a request: same caller, same category and place, or similar text (the hotline)",
)
def duplicates(request: HttpRequest, payload: DuplicatesIn) -> Any:
    _require_hotline(request)
    exclude = _case_id(request, payload.exclude_number, field="exclude_number") if payload.exclude_number else None
    return duplicate_candidates(
        content=payload.content,
        phone=payload.phone,
        category_code=payload.category_code,
        division_code=payload.division_code,
        exclude_case_id=exclude,
    )


@router.post(
    "/route",
    response=RouteOut,
    summary="The routing model's three likeliest lead units and categories for a text (the hotline)",
)
def route(request: HttpRequest, payload: RouteIn) -> Any:
    _require_hotline(request)
    from yiwang.cases.routing import route as route_text  # loads scikit-learn: on first use, not at start-up

    return route_text(payload.text, division_code=payload.division_code, top=3)


# --- one case ------------------------------------------------------------------------------------------------------


@router.get("/{number}", response=CaseDetailOut, summary="One case as the caller may see it (404 if they may not)")
def case_get(request: HttpRequest, number: str) -> Any:
    return _detail(request, number)


@router.post("/{number}/dispatch", response=CaseDetailOut, summary="派单: category, lead unit and co-units (hotline)")
def dispatch(request: HttpRequest, number: str, payload: DispatchIn) -> Any:
    services.case_dispatch(
        actor=_user(request),
        case_id=_case_id(request, number),
        category_code=payload.category_code,
        lead_department_id=payload.lead_department_id,
        co_department_ids=payload.co_department_ids,
        note=payload.note,
    )
    return _detail(request, number)


@router.post("/{number}/sign", response=CaseDetailOut, summary="签收: the caller's unit takes its part of the case on")
def sign(request: HttpRequest, number: str) -> Any:
    services.case_sign(actor=_user(request), case_id=_case_id(request, number))
    return _detail(request, number)


@router.post("/{number}/notes", response={201: CaseDetailOut}, summary="A progress note of a handling unit (internal)")
def note(request: HttpRequest, number: str, payload: TextIn) -> Any:
    services.case_note(actor=_user(request), case_id=_case_id(request, number), text=payload.text)
    return Status(201, _detail(request, number))


@router.post("/{number}/co-reply", response=CaseDetailOut, summary="协办: a co-unit's answer to the lead unit")
def co_reply(request: HttpRequest, number: str, payload: TextIn) -> Any:
    services.case_co_reply(actor=_user(request), case_id=_case_id(request, number), text=payload.text)
    return _detail(request, number)


@router.post(
    "/{number}/returns",
    response={201: ReturnOut},
    summary="退单: the caller's unit says the case is not its job, with the reason and basis",
)
def return_request(request: HttpRequest, number: str, payload: ReturnIn) -> Any:
    returned = services.case_return_request(
        actor=_user(request),
        case_id=_case_id(request, number),
        reason=payload.reason,
        basis=payload.basis,
        suggested_department_id=payload.suggested_department_id,
    )
    return Status(201, _return_out(returned))


@router.post(
    "/returns/{return_id}/review",
    response=ReturnOut,
    summary="派单异议审核: reassign (改派) or refuse (驳回) a return (dispatchers)",
)
def return_review(request: HttpRequest, return_id: int, payload: ReturnReviewIn) -> Any:
    returned = services.case_return_review(
        actor=_user(request),
        return_id=return_id,
        reassign_to_id=payload.reassign_to_id,
        co_department_ids=payload.co_department_ids,
        note=payload.note,
        drop_co_unit=payload.drop_co_unit,
    )
    return _return_out(returned)


@router.post(
    "/{number}/extensions",
    response={201: ExtensionOut},
    summary="延期: the lead unit asks for more working days before the limit",
)
def extension_request(request: HttpRequest, number: str, payload: ExtensionIn) -> Any:
    extension = services.case_extension_request(
        actor=_user(request), case_id=_case_id(request, number), days=payload.days, reason=payload.reason
    )
    return Status(201, _extension_out(extension))


@router.post(
    "/extensions/{extension_id}/decision",
    response=ExtensionOut,
    summary="Grant or refuse an extension (dispatchers)",
)
def extension_decision(request: HttpRequest, extension_id: int, payload: ExtensionDecisionIn) -> Any:
    extension = services.case_extension_decide(
        actor=_user(request), extension_id=extension_id, approve=payload.approve, note=payload.note
    )
    return _extension_out(extension)


@router.post("/{number}/conclude", response=CaseDetailOut, summary="办结: the lead unit's reply to the reporter")
def conclude(request: HttpRequest, number: str, payload: ConcludeIn) -> Any:
    services.case_conclude(actor=_user(request), case_id=_case_id(request, number), reply=payload.reply)
    return _detail(request, number)


@router.post(
    "/{number}/conclude-directly",
    response=CaseDetailOut,
    summary="直接办结: the hotline answers a consultation itself, from the knowledge base",
)
def conclude_directly(request: HttpRequest, number: str, payload: ConcludeDirectlyIn) -> Any:
    services.case_conclude_directly(
        actor=_user(request), case_id=_case_id(request, number), reply=payload.reply, article_id=payload.article_id
    )
    return _detail(request, number)


@router.post(
    "/{number}/follow-ups",
    response={201: FollowUpOut},
    summary="回访: the reporter's verdict (the hotline, or the reporter online); not satisfied reopens (重办)",
)
def follow_up(request: HttpRequest, number: str, payload: FollowUpIn) -> Any:
    recorded = services.case_follow_up(
        actor=_user(request),
        case_id=_case_id(request, number),
        resolved=payload.resolved,
        satisfaction=payload.satisfaction,
        note=payload.note,
    )
    return Status(201, _follow_up_out(recorded))


@router.post("/{number}/merge", response=CaseDetailOut, summary="并单: merge this case into a main case (hotline)")
def merge(request: HttpRequest, number: str, payload: MergeIn) -> Any:
    try:
        services.case_merge(
            actor=_user(request),
            case_id=_case_id(request, number),
            into_case_id=_case_id(request, payload.into_number, field="into_number"),
            note=payload.note,
        )
    except ValidationFailed as error:
        if error.field == "into_case_id":  # the service names its parameter; the caller sent a number
            error.field = "into_number"
        raise
    return _detail(request, number)


@router.post(
    "/{number}/escalations",
    response={201: EscalationOut},
    summary="督办: raise the case's escalation by one level (dispatchers, supervisors, leaders)",
)
def escalate(request: HttpRequest, number: str, payload: EscalationIn) -> Any:
    escalation = services.case_escalate(actor=_user(request), case_id=_case_id(request, number), reason=payload.reason)
    return Status(201, _escalation_out(escalation))


@router.post(
    "/{number}/attachments",
    response={201: AttachmentCreatedOut},
    summary="Attach a photo or file (multipart `upload`: JPEG, PNG, WebP or PDF up to 10 MB; optional `kind`)",
)
def attach(
    request: HttpRequest,
    number: str,
    upload: File[UploadedFile],
    kind: Form[AttachmentKindName | None] = None,
) -> Any:
    attachment = services.case_attach(
        actor=_user(request), case_id=_case_id(request, number), upload=upload, kind=kind or ""
    )
    return Status(
        201,
        {
            "id": attachment.pk,
            "case_number": number,
            "name": attachment.name,
            "kind": attachment.kind,
            "content_type": attachment.content_type,
            "size": attachment.size,
            "url": _attachment_url(number, attachment.pk),
        },
    )


@router.get(
    "/{number}/attachments/{attachment_id}",
    summary="Download a file of the case (its stored bytes and content type)",
    description="For whoever may see the case. 404 when the case or the file is not there for this caller.",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as attached (`Content-Disposition: attachment` with its name)",
                "content": {media: {"schema": BINARY} for media in sorted(ATTACHMENT_TYPES)},
            }
        }
    },
)
def attachment_download(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    stored = case_attachment(_user(request), number=number, attachment_id=attachment_id)
    if stored is None:
        raise NotFound(_("There is no such file."), field="attachment_id")
    response = FileResponse(
        stored.file.open("rb"), as_attachment=True, filename=stored.name, content_type=stored.content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post(
    "/{number}/resolve-on-spot",
    response=CaseDetailOut,
    summary="自处置: the reporting grid worker resolved it on the spot (multipart: `reply` and the photo `upload`)",
)
def resolve_on_spot(request: HttpRequest, number: str, reply: Form[str], upload: File[UploadedFile]) -> Any:
    services.case_resolve_on_spot(actor=_user(request), case_id=_case_id(request, number), reply=reply, upload=upload)
    return _detail(request, number)
