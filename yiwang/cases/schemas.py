"""Schemas of the cases API (/api/v1/cases): what a caller sends and what it gets back.

Requests carry only what the lifecycle services take; the services check everything else and name the field of
whatever they refuse. Responses are built from the selectors' dataclasses, so a handling unit never receives a
reporter that was hidden from it, and a citizen never receives internal events.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

CaseTypeName = Literal["consultation", "help", "complaint", "report", "suggestion", "praise"]
IntakeChannel = Literal["portal", "phone", "grid", "api"]
BoxName = Literal[
    "all", "to_dispatch", "returns", "extensions", "to_sign", "in_progress", "overdue", "follow_up", "mine"
]
SatisfactionName = Literal["satisfied", "basically", "unsatisfied"]
AttachmentKindName = Literal["photo", "evidence", "document"]


# --- intake --------------------------------------------------------------------------------------------------------


class CaseIntakeIn(Schema):
    """A request as a reporter makes it. `channel` is optional: the caller's account decides it (see the guide)."""

    case_type: CaseTypeName = Field(description="诉求类型: 咨询 consultation, 求助 help, 投诉 complaint, …")
    content: str = Field(max_length=4000, description="what the reporter says (required)")
    title: str = Field("", max_length=100, description="default: the content's first sentence, cut at 30 characters")
    category_code: str = Field("", max_length=12, description="a leaf of the taxonomy; may be left to the dispatcher")
    division_code: str = Field("", max_length=12, description="community, street or district code (GB/T 2260)")
    grid_cell_code: str = Field("", max_length=16, description="a grid cell (required of nothing, checked if given)")
    address: str = Field("", max_length=200)
    latitude: Decimal | None = Field(None, description="WGS 84 degrees; with longitude or not at all")
    longitude: Decimal | None = Field(None, description="WGS 84 degrees; with latitude or not at all")
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20, description="mobile or landline; required by phone and portal")
    hide_reporter: bool = Field(False, description="hide the reporter's name and phone from the handling units")
    channel: IntakeChannel | None = Field(
        None,
        description="citizens: portal (the default); staff: phone (hotline), grid (grid workers) or api; "
        "the default follows the account's roles",
    )


class CaseCreatedOut(Schema):
    number: str = Field(description="YYYYMMDD and six digits")
    status: str
    status_label: str
    case_type: str
    channel: str
    title: str
    received_at: datetime.datetime
    links: dict[str, str] = Field(description="self: this case in the API")


# --- reading -------------------------------------------------------------------------------------------------------


class CaseSummaryOut(Schema):
    """A case in a list: never the reporter's contact."""

    number: str
    case_type: str
    case_type_label: str
    channel_label: str
    title: str
    status: str
    status_label: str
    category: str
    lead_unit: str
    received_at: datetime.datetime
    due_at: datetime.datetime | None
    overdue: bool
    escalation_level: int


class CasePageOut(Schema):
    items: list[CaseSummaryOut]
    limit: int
    offset: int
    next_offset: int | None = Field(description="the offset of the next page; null on the last page")


class EventOut(Schema):
    kind: str
    kind_label: str
    at: datetime.datetime
    actor: str = Field(description="empty for citizens and for the platform's own steps")
    department: str
    text: str
    public: bool


class AssignmentOut(Schema):
    id: int
    department_id: int
    department: str
    role: str = Field(description="lead (主办) or co (协办)")
    role_label: str
    status: str
    status_label: str
    active: bool
    dispatched_at: datetime.datetime
    sign_due_at: datetime.datetime | None
    signed_at: datetime.datetime | None
    replied_at: datetime.datetime | None
    reply: str


class PendingOut(Schema):
    id: int = Field(description="the return's or extension's id, for its review or decision")
    kind: str = Field(description="return or extension")
    department: str
    text: str
    basis: str
    days: int
    suggested_department: str
    requested_at: datetime.datetime
    department_id: int | None = Field(description="the unit asking")
    role: str = Field(description="a return: the asking unit's part, lead (主办) or co (协办); empty for an extension")
    suggested_department_id: int | None = Field(
        description="a return: the unit it belongs to in the asking unit's view, for `reassign_to_id`"
    )


class FollowUpSummaryOut(Schema):
    at: datetime.datetime
    resolved: bool
    satisfaction: str
    note: str


class AttachmentOut(Schema):
    id: int
    name: str
    kind: str
    content_type: str
    size: int
    url: str = Field(description="where the file is downloaded: GET, for whoever may see the case")


class CaseDetailOut(Schema):
    """One case as this caller may see it, with the steps open to them now."""

    number: str
    summary: CaseSummaryOut
    content: str
    channel: str
    category_code: str
    division_code: str
    division_name: str
    grid_cell: str
    address: str
    latitude: str
    longitude: str
    reporter_shown: bool = Field(description="false: contact_name and contact_phone read 保密")
    contact_name: str
    contact_phone: str
    hide_reporter: bool
    reply: str
    concluded_at: datetime.datetime | None
    merged_into: str
    merged_cases: list[str]
    reopen_count: int
    extended_days: int
    suggested: dict[str, Any] = Field(description="what the routing model proposed (staff only)")
    events: list[EventOut] = Field(description="citizens see only the public ones")
    assignments: list[AssignmentOut] = Field(description="empty for citizens")
    pending: list[PendingOut] = Field(description="returns and extensions awaiting a decision")
    follow_ups: list[FollowUpSummaryOut]
    attachments: list[AttachmentOut]
    actions: list[str] = Field(description="the steps open to this caller now, e.g. sign, return, conclude")
    my_assignment: AssignmentOut | None
    links: dict[str, str]


# --- steps ---------------------------------------------------------------------------------------------------------


class DispatchIn(Schema):
    category_code: str = Field(max_length=12)
    lead_department_id: int
    co_department_ids: list[int] = Field(default_factory=list, max_length=20)
    note: str = Field("", max_length=2000)


class TextIn(Schema):
    text: str = Field(max_length=4000)


class ReturnIn(Schema):
    reason: str = Field(max_length=2000)
    basis: str = Field("", max_length=300, description="三定 / 权责清单 item the unit relies on")
    suggested_department_id: int | None = None


class ReturnReviewIn(Schema):
    reassign_to_id: int | None = Field(
        None, description="改派 to this unit; null refuses the return (驳回, with a note) unless drop_co_unit"
    )
    co_department_ids: list[int] = Field(default_factory=list, max_length=20)
    note: str = Field("", max_length=2000)
    drop_co_unit: bool = Field(False, description="a co-unit's return accepted without a replacement")


class ExtensionIn(Schema):
    days: int = Field(description="working days, 1 to 30")
    reason: str = Field(max_length=2000)


class ExtensionDecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=2000, description="required when refusing")


class ConcludeIn(Schema):
    reply: str = Field(max_length=4000)


class ConcludeDirectlyIn(Schema):
    reply: str = Field(max_length=4000)
    article_id: int | None = Field(None, description="the knowledge base article read out")


class FollowUpIn(Schema):
    resolved: bool
    satisfaction: SatisfactionName
    note: str = Field("", max_length=2000)


class MergeIn(Schema):
    into_number: str = Field(max_length=20, description="the main case")
    note: str = Field("", max_length=2000)


class EscalationIn(Schema):
    reason: str = Field(max_length=2000)


class ReturnOut(Schema):
    id: int
    case_number: str
    department_id: int
    role: str
    reason: str
    basis: str
    suggested_department_id: int | None
    requested_at: datetime.datetime
    decision: str = Field(description="pending, approved (改派) or refused (驳回)")
    decided_at: datetime.datetime | None
    decision_note: str


class ExtensionOut(Schema):
    id: int
    case_number: str
    department_id: int
    days: int
    reason: str
    requested_at: datetime.datetime
    decision: str
    decided_at: datetime.datetime | None
    decision_note: str
    due_at: datetime.datetime | None = Field(description="the case's limit after the decision")


class FollowUpOut(Schema):
    id: int
    case_number: str
    resolved: bool
    satisfaction: str
    note: str
    at: datetime.datetime
    case_status: str = Field(description="closed, or dispatched/received again when reopened (重办)")
    reopen_count: int


class EscalationOut(Schema):
    id: int
    case_number: str
    level: int
    reason: str
    at: datetime.datetime


class AttachmentCreatedOut(AttachmentOut):
    case_number: str


# --- operators' helpers --------------------------------------------------------------------------------------------


class DuplicatesIn(Schema):
    content: str = Field("", max_length=4000)
    phone: str = Field("", max_length=20)
    category_code: str = Field("", max_length=12)
    division_code: str = Field("", max_length=12)
    exclude_number: str = Field("", max_length=20, description="the case being dispatched, if any")


class DuplicateOut(Schema):
    case: CaseSummaryOut
    reasons: list[str] = Field(description="same_caller, same_category_and_place, similar_text")
    similarity: float = Field(description="Jaccard similarity of character bigrams, 0–1")


class RouteIn(Schema):
    text: str = Field(max_length=4000)
    division_code: str = Field("", max_length=12)


class RoutedUnitOut(Schema):
    department_id: int | None = Field(
        description="null for a 属地 matter whose place (division_code) does not say which street or district"
    )
    name: str
    confidence: float = Field(description="0–1; the confidences of a proposal sum to at most 1")
    locality: str = Field("", description="street or district when department_id is null")


class RoutedCategoryOut(Schema):
    code: str
    name: str
    confidence: float


class RouteOut(Schema):
    units: list[RoutedUnitOut] = Field(description="the three likeliest lead units, best first")
    categories: list[RoutedCategoryOut] = Field(description="the three likeliest leaf categories, best first")
    model_id: int | None = Field(description="the routing model that answered; null when there is none yet")


class UnitOverdueOut(Schema):
    department_id: int
    department: str
    overdue: int = Field(description="open cases past their limit as lead unit")
    unsigned_late: int = Field(description="parts not signed for in time")
    escalated: int = Field(description="open cases under escalation (督办)")
