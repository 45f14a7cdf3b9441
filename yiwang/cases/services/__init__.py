"""The lifecycle of a case, one module per stage; import from here (`yiwang.cases.services`)."""

from __future__ import annotations

from yiwang.cases.services.after import (
    RecountResult,
    WatchResult,
    case_escalate,
    case_follow_up,
    case_follow_up_by_link,
    case_merge,
    cases_recount_provisional_deadlines,
    cases_watch_deadlines,
    escalation_level_for,
)
from yiwang.cases.services.handling import (
    case_co_reply,
    case_conclude,
    case_conclude_directly,
    case_dispatch,
    case_extension_decide,
    case_extension_request,
    case_note,
    case_resolve_on_spot,
    case_return_request,
    case_return_review,
    case_sign,
)
from yiwang.cases.services.intake import CaseIntake, case_attach, case_intake, phone_index, title_from

__all__ = [
    "CaseIntake",
    "RecountResult",
    "WatchResult",
    "case_attach",
    "case_co_reply",
    "case_conclude",
    "case_conclude_directly",
    "case_dispatch",
    "case_escalate",
    "case_extension_decide",
    "case_extension_request",
    "case_follow_up",
    "case_follow_up_by_link",
    "case_intake",
    "case_merge",
    "case_note",
    "case_resolve_on_spot",
    "case_return_request",
    "case_return_review",
    "case_sign",
    "cases_recount_provisional_deadlines",
    "cases_watch_deadlines",
    "escalation_level_for",
    "phone_index",
    "title_from",
]
