"""Reading cases: who sees which (a unit only its own; hidden reporters stay hidden), the case page's facts, the
caller's earlier cases, likely duplicates, the boxes of each role and the overdue lists."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from yiwang.cases.models import (
    OPEN_STATUSES,
    AssignmentRole,
    AssignmentStatus,
    Case,
    CaseAssignment,
    CaseAttachment,
    CaseReturn,
    CaseStatus,
    Channel,
    Decision,
    Escalation,
)
from yiwang.cases.services.access import OVERSIGHT_ROLES, is_dispatcher, is_hotline, is_staff
from yiwang.cases.services.intake import phone_index
from yiwang.core.identifiers import mask_name, mask_phone
from yiwang.identity.roles import Role, UserKind
from yiwang.identity.selectors import visible_department_ids

HIDDEN = "保密"


def case_queryset_for(user: Any) -> QuerySet[Case]:
    """The cases `user` may see: the hotline all; a unit those assigned to it (now or before) or its sub-units;
    oversight the units of its division; any staff account what it took in (a grid worker's events, a system's
    reports); a citizen their own."""
    cases = Case.objects.all()
    if user is None or not user.is_authenticated or not user.is_active:
        return cases.none()
    if user.kind == UserKind.CITIZEN:
        return cases.filter(reporter=user)
    if is_hotline(user):
        return cases
    visible = visible_department_ids(user)
    condition = Q(pk__in=[])
    if visible is None:
        return cases
    if user.has_role(Role.HANDLER) or user.role_set & OVERSIGHT_ROLES:
        condition |= Q(pk__in=CaseAssignment.objects.filter(department_id__in=visible).values("case_id"))
    # What one took in oneself (a grid worker's events, a department's system reporting through the API).
    condition |= Q(received_by=user)
    return cases.filter(condition)


def case_visible(user: Any, case_id: int) -> Case | None:
    """The case if `user` may see it."""
    return case_queryset_for(user).filter(pk=case_id).first()


def case_by_number(user: Any, number: str) -> Case | None:
    """The case with this number if `user` may see it."""
    return case_queryset_for(user).filter(number=number).first()


def reporter_visible_to(user: Any, case: Case) -> bool:
    """Whether `user` may see who reported the case: never a handling unit when the reporter asked to be hidden."""
    if user is not None and case.reporter_id is not None and case.reporter_id == getattr(user, "pk", None):
        return True
    if not case.hide_reporter:
        return is_staff(user)
    return is_hotline(user) or (is_staff(user) and case.received_by_id == user.pk)


@dataclass(frozen=True)
class CaseSummary:
    """A case in a list: never the reporter's contact."""

    id: int
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


def follow_ups_of(case: Case) -> list[dict[str, Any]]:
    """A case's follow-ups (回访) as its pages show them, oldest first, each with its satisfaction in words."""
    return [
        {
            "at": f.at,
            "resolved": f.resolved,
            "satisfaction": f.satisfaction,
            "satisfaction_label": f.get_satisfaction_display(),
            "note": f.note,
        }
        for f in case.follow_ups.all()
    ]


def summary_of(case: Case, *, now: datetime.datetime | None = None) -> CaseSummary:
    now = now or timezone.now()
    return CaseSummary(
        id=case.pk,
        number=case.number,
        case_type=case.case_type,
        case_type_label=case.get_case_type_display(),
        channel_label=case.get_channel_display(),
        title=case.title,
        status=case.status,
        status_label=case.get_status_display(),
        category=case.category.name if case.category is not None else "",
        lead_unit=case.lead_department.name if case.lead_department is not None else "",
        received_at=case.received_at,
        due_at=case.due_at,
        overdue=bool(
            case.due_at
            and (
                (case.status in OPEN_STATUSES and case.due_at < now)
                or (case.concluded_at is not None and case.concluded_at > case.due_at)
            )
        ),
        escalation_level=case.escalation_level,
    )


def _summaries(queryset: QuerySet[Case], limit: int) -> list[CaseSummary]:
    now = timezone.now()
    return [
        summary_of(case, now=now)
        for case in queryset.select_related("category", "lead_department").order_by("-received_at")[:limit]
    ]


BOXES = ("all", "to_dispatch", "returns", "extensions", "to_sign", "in_progress", "overdue", "follow_up", "mine")


def case_box(user: Any, *, box: str = "all", query: str = "", limit: int = 100) -> list[CaseSummary]:
    """A role's work list: to dispatch, returns and extensions to review, to sign, in progress, overdue, follow-up."""
    cases = case_queryset_for(user)
    now = timezone.now()
    visible = visible_department_ids(user) if is_staff(user) else frozenset()
    mine = CaseAssignment.objects.filter(active=True)
    if visible is not None:
        mine = mine.filter(department_id__in=visible)
    if box == "to_dispatch":
        cases = cases.filter(status=CaseStatus.RECEIVED)
    elif box == "returns":
        cases = cases.filter(returns__decision=Decision.PENDING)
    elif box == "extensions":
        cases = cases.filter(extensions__decision=Decision.PENDING)
    elif box == "to_sign":
        cases = cases.filter(pk__in=mine.filter(status=AssignmentStatus.WAITING).values("case_id"))
    elif box == "in_progress":
        cases = cases.filter(
            pk__in=mine.filter(status__in=[AssignmentStatus.SIGNED, AssignmentStatus.REPLIED]).values("case_id"),
            status__in=OPEN_STATUSES,
        )
    elif box == "overdue":
        cases = cases.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    elif box == "follow_up":
        cases = cases.filter(status=CaseStatus.CONCLUDED)
    elif box == "mine":
        cases = cases.filter(Q(reporter=user) | Q(received_by=user)) if getattr(user, "pk", None) else cases.none()
    query = query.strip()
    if query:
        cases = cases.filter(Q(number=query) | Q(title__icontains=query) | Q(content__icontains=query))
    return _summaries(cases.distinct(), limit)


def caller_history(*, phone: str, exclude_case_id: int | None = None, limit: int = 10) -> list[CaseSummary]:
    """The caller's earlier cases, found by the blind index of their phone (for the operator during a call)."""
    if not phone:
        return []
    from yiwang.core.identifiers import InvalidIdentifier, validate_phone

    try:
        normalised = validate_phone(phone)
    except InvalidIdentifier:
        return []
    cases = Case.objects.filter(contact_phone_index=phone_index(normalised))
    if exclude_case_id is not None:
        cases = cases.exclude(pk=exclude_case_id)
    return _summaries(cases, limit)


@dataclass(frozen=True)
class DuplicateCandidate:
    """A recent case that may be the same matter, and why it is suggested."""

    case: CaseSummary
    reasons: tuple[str, ...]
    similarity: float


def _bigrams(text: str) -> set[str]:
    characters = [character for character in text if character.isalnum()]
    return {a + b for a, b in itertools.pairwise(characters)}


def text_similarity(left: str, right: str) -> float:
    """Jaccard similarity of the character bigrams of two texts (0–1): cheap, and right for Chinese."""
    a, b = _bigrams(left), _bigrams(right)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def duplicate_candidates(
    *,
    content: str,
    phone: str = "",
    category_code: str = "",
    division_code: str = "",
    exclude_case_id: int | None = None,
    days: int = 7,
    limit: int = 5,
    threshold: float = 0.35,
) -> list[DuplicateCandidate]:
    """Likely duplicates among the open or recent cases of the last `days` days: same caller, same category and
    place, or similar text (suggested at intake and dispatch; the hotline decides)."""
    since = timezone.now() - datetime.timedelta(days=days)
    recent = Case.objects.filter(received_at__gte=since).exclude(status=CaseStatus.MERGED)
    if exclude_case_id is not None:
        recent = recent.exclude(pk=exclude_case_id)
    found: dict[int, tuple[Case, list[str], float]] = {}

    def add(case: Case, reason: str) -> None:
        entry = found.setdefault(case.pk, (case, [], text_similarity(content, f"{case.title}{case.content}")))
        if reason not in entry[1]:
            entry[1].append(reason)

    related = recent.select_related("category", "lead_department")
    if phone:
        from yiwang.core.identifiers import InvalidIdentifier, validate_phone

        try:
            index = phone_index(validate_phone(phone))
        except InvalidIdentifier:
            index = ""
        for case in related.filter(contact_phone_index=index)[:20] if index else []:
            add(case, "same_caller")
    place = division_code[:9] if len(division_code) >= 9 else division_code
    if category_code and place:
        for case in related.filter(category__code=category_code, division__code__startswith=place)[:50]:
            add(case, "same_category_and_place")
    # Similar text among the recent cases of the category or place, and those not yet categorised (fresh intakes);
    # all recent ones when neither category nor place is known.
    pool = related
    if category_code or place:
        pool = related.filter(
            Q(category__code=category_code) | Q(division__code__startswith=place or "-") | Q(category__isnull=True)
        )
    for case in pool.order_by("-received_at")[:500]:
        if text_similarity(content, f"{case.title}{case.content}") >= threshold:
            add(case, "similar_text")
    now = timezone.now()
    ranked = sorted(found.values(), key=lambda entry: (-len(entry[1]), -entry[2], -entry[0].received_at.timestamp()))
    return [
        DuplicateCandidate(case=summary_of(case, now=now), reasons=tuple(reasons), similarity=round(similarity, 2))
        for case, reasons, similarity in ranked[:limit]
    ]


@dataclass(frozen=True)
class EventView:
    kind: str
    kind_label: str
    at: datetime.datetime
    actor: str
    department: str
    text: str
    public: bool


@dataclass(frozen=True)
class AssignmentView:
    id: int
    department_id: int
    department: str
    role: str
    role_label: str
    status: str
    status_label: str
    active: bool
    dispatched_at: datetime.datetime
    sign_due_at: datetime.datetime | None
    signed_at: datetime.datetime | None
    replied_at: datetime.datetime | None
    reply: str


@dataclass(frozen=True)
class PendingDecision:
    id: int
    kind: str  # "return" or "extension"
    department: str
    text: str
    basis: str
    days: int
    suggested_department: str
    requested_at: datetime.datetime
    department_id: int | None = None  # the unit asking
    role: str = ""  # a return: the asking unit's part, "lead" (主办) or "co" (协办)
    suggested_department_id: int | None = None  # a return: where the unit says the case belongs


@dataclass(frozen=True)
class AttachmentView:
    id: int
    name: str
    kind: str
    content_type: str
    size: int
    url: str


@dataclass
class CaseDetail:
    """Everything the case page shows to this viewer, and the steps open to them."""

    id: int
    number: str
    summary: CaseSummary
    content: str
    channel: str
    category_code: str
    division_code: str
    division_name: str
    grid_cell: str
    address: str
    latitude: str
    longitude: str
    reporter_shown: bool
    contact_name: str
    contact_phone: str
    hide_reporter: bool
    reply: str
    concluded_at: datetime.datetime | None
    merged_into: str
    merged_cases: list[str]
    reopen_count: int
    extended_days: int
    suggested: dict[str, Any]
    events: list[EventView] = field(default_factory=list)
    assignments: list[AssignmentView] = field(default_factory=list)
    pending: list[PendingDecision] = field(default_factory=list)
    follow_ups: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[AttachmentView] = field(default_factory=list)
    actions: frozenset[str] = frozenset()
    my_assignment: AssignmentView | None = None


def _assignment_view(assignment: CaseAssignment) -> AssignmentView:
    return AssignmentView(
        id=assignment.pk,
        department_id=assignment.department_id,
        department=assignment.department.name,
        role=assignment.role,
        role_label=assignment.get_role_display(),
        status=assignment.status,
        status_label=assignment.get_status_display(),
        active=assignment.active,
        dispatched_at=assignment.dispatched_at,
        sign_due_at=assignment.sign_due_at,
        signed_at=assignment.signed_at,
        replied_at=assignment.replied_at,
        reply=assignment.reply,
    )


def _actions(user: Any, case: Case, mine: AssignmentView | None) -> frozenset[str]:
    """The steps this viewer may take now (the services check again when they are taken)."""
    actions: set[str] = set()
    status = case.status
    if is_hotline(user):
        if status in (CaseStatus.RECEIVED, CaseStatus.DISPATCHED):
            actions |= {"dispatch", "merge"}
        if status == CaseStatus.RECEIVED and case.case_type == "consultation":
            actions.add("conclude_directly")
        if status == CaseStatus.CONCLUDED:
            actions.add("follow_up")
    if is_dispatcher(user):
        if case.returns.filter(decision=Decision.PENDING).exists():
            actions.add("review_return")
        if case.extensions.filter(decision=Decision.PENDING).exists():
            actions.add("decide_extension")
    oversees = is_dispatcher(user) or (is_staff(user) and bool(user.role_set & OVERSIGHT_ROLES))
    if status in OPEN_STATUSES and oversees and case.escalation_level < 3:
        actions.add("escalate")
    if mine is not None and mine.active and status in OPEN_STATUSES:
        if mine.status == AssignmentStatus.WAITING:
            actions |= {"sign", "return"}
        elif mine.status == AssignmentStatus.SIGNED:
            actions |= {"note", "return"}
            if mine.role == AssignmentRole.LEAD and status == CaseStatus.IN_PROGRESS:
                actions |= {"conclude", "extension"}
            if mine.role == AssignmentRole.CO:
                actions.add("co_reply")
        if CaseReturn.objects.filter(assignment_id=mine.id, decision=Decision.PENDING).exists():
            actions.discard("return")
    if (
        is_staff(user)
        and user.has_role(Role.GRID_WORKER)
        and case.received_by_id == user.pk
        and case.channel == Channel.GRID
        and status == CaseStatus.RECEIVED
    ):
        actions.add("resolve_on_spot")
    if (
        getattr(user, "kind", None) == UserKind.CITIZEN
        and case.reporter_id == getattr(user, "pk", None)
        and status == CaseStatus.CONCLUDED
    ):
        actions.add("follow_up")
    return frozenset(actions)


def case_detail(user: Any, *, number: str) -> CaseDetail | None:
    """The case page of one case for this viewer, or None when they may not see it."""
    case = (
        case_queryset_for(user)
        .select_related("category", "division", "grid_cell", "lead_department", "merged_into")
        .filter(number=number)
        .first()
    )
    if case is None:
        return None
    citizen = getattr(user, "kind", None) == UserKind.CITIZEN
    shown = reporter_visible_to(user, case)
    visible = visible_department_ids(user) if is_staff(user) else frozenset()
    assignments = [
        _assignment_view(a) for a in case.assignments.select_related("department").order_by("dispatched_at", "id")
    ]
    mine = (
        next(
            (
                a
                for a in sorted(assignments, key=lambda a: (not a.active, a.role != AssignmentRole.LEAD))
                if a.active and (visible is None or a.department_id in visible) and user.has_role(Role.HANDLER)
            ),
            None,
        )
        if is_staff(user)
        else None
    )
    events = [
        EventView(
            kind=event.kind,
            kind_label=event.get_kind_display(),
            at=event.at,
            actor=(event.actor.real_name or event.actor.username) if event.actor is not None and not citizen else "",
            department=event.department.name if event.department is not None else "",
            text=event.text,
            public=event.public,
        )
        for event in case.events.select_related("actor", "department").order_by("at", "id")
        if event.public or not citizen
    ]
    pending: list[PendingDecision] = []
    if not citizen:
        for returned in case.returns.filter(decision=Decision.PENDING).select_related(
            "assignment__department", "suggested_department"
        ):
            pending.append(
                PendingDecision(
                    id=returned.pk,
                    kind="return",
                    department=returned.assignment.department.name,
                    text=returned.reason,
                    basis=returned.basis,
                    days=0,
                    suggested_department=returned.suggested_department.name
                    if returned.suggested_department is not None
                    else "",
                    requested_at=returned.requested_at,
                    department_id=returned.assignment.department_id,
                    role=returned.assignment.role,
                    suggested_department_id=returned.suggested_department_id,
                )
            )
        for extension in case.extensions.filter(decision=Decision.PENDING).select_related("department"):
            pending.append(
                PendingDecision(
                    id=extension.pk,
                    kind="extension",
                    department=extension.department.name,
                    text=extension.reason,
                    basis="",
                    days=extension.days,
                    suggested_department="",
                    requested_at=extension.requested_at,
                    department_id=extension.department_id,
                )
            )
    main = case.merged_into
    return CaseDetail(
        id=case.pk,
        number=case.number,
        summary=summary_of(case),
        content=case.content,
        channel=case.channel,
        category_code=case.category.code if case.category is not None else "",
        division_code=case.division.code if case.division is not None else "",
        division_name=case.division.name if case.division is not None else "",
        grid_cell=str(case.grid_cell) if case.grid_cell_id else "",
        address=case.address,
        latitude=str(case.latitude) if case.latitude is not None else "",
        longitude=str(case.longitude) if case.longitude is not None else "",
        reporter_shown=shown,
        contact_name=(case.contact_name if shown else HIDDEN),
        contact_phone=(case.contact_phone if shown else HIDDEN),
        hide_reporter=case.hide_reporter,
        reply=case.reply or (main.reply if main is not None else ""),
        concluded_at=case.concluded_at or (main.concluded_at if main is not None else None),
        merged_into=main.number if main is not None else "",
        merged_cases=list(case.merged_cases.values_list("number", flat=True)),
        reopen_count=case.reopen_count,
        extended_days=case.extended_days,
        suggested=case.suggested if not citizen else {},
        events=events,
        assignments=[] if citizen else assignments,
        pending=pending,
        follow_ups=follow_ups_of(case),
        attachments=[
            AttachmentView(id=a.pk, name=a.name, kind=a.kind, content_type=a.content_type, size=a.size, url="")
            for a in case.attachments.all()
        ],
        actions=_actions(user, case, mine),
        my_assignment=mine,
    )


def masked_contact(case: Case) -> dict[str, str]:
    """The contact as an audit record may hold it."""
    return {
        "name": mask_name(case.contact_name) if case.contact_name else "",
        "phone": mask_phone(case.contact_phone) if case.contact_phone else "",
    }


@dataclass(frozen=True)
class EscalationNotice:
    number: str
    title: str
    level: int
    reason: str
    department_id: int | None


def escalation_notice(*, escalation_id: int) -> EscalationNotice | None:
    """What the escalation mail says."""
    escalation = Escalation.objects.select_related("case").filter(pk=escalation_id).first()
    if escalation is None:
        return None
    return EscalationNotice(
        number=escalation.case.number,
        title=escalation.case.title,
        level=escalation.level,
        reason=escalation.reason,
        department_id=escalation.department_id,
    )


@dataclass(frozen=True)
class UnitOverdue:
    """A unit's late work: cases past their limit as lead, parts not signed for in time."""

    department_id: int
    department: str
    overdue: int
    unsigned_late: int
    escalated: int


def overdue_by_unit(user: Any, *, now: datetime.datetime | None = None) -> list[UnitOverdue]:
    """Per unit (as lead), the open cases past their limit and the parts not signed for in time: the overdue lists."""
    now = now or timezone.now()
    visible = visible_department_ids(user) if is_staff(user) else frozenset()
    if is_hotline(user):
        visible = None
    lead_cases = Case.objects.filter(status__in=OPEN_STATUSES, lead_department__isnull=False)
    unsigned = CaseAssignment.objects.filter(active=True, status=AssignmentStatus.WAITING, sign_due_at__lt=now)
    if visible is not None:
        lead_cases = lead_cases.filter(lead_department_id__in=visible)
        unsigned = unsigned.filter(department_id__in=visible)
    rows: dict[int, dict[str, Any]] = {}
    for row in lead_cases.values("lead_department_id", "lead_department__name").annotate(
        overdue=Count("pk", filter=Q(due_at__lt=now)), escalated=Count("pk", filter=Q(escalation_level__gt=0))
    ):
        rows[row["lead_department_id"]] = {
            "name": row["lead_department__name"],
            "overdue": row["overdue"],
            "escalated": row["escalated"],
            "unsigned": 0,
        }
    for unit in unsigned.values("department_id", "department__name").annotate(count=Count("pk")):
        entry = rows.setdefault(
            unit["department_id"], {"name": unit["department__name"], "overdue": 0, "escalated": 0, "unsigned": 0}
        )
        entry["unsigned"] = unit["count"]
    result = [
        UnitOverdue(
            department_id=department_id,
            department=entry["name"],
            overdue=entry["overdue"],
            unsigned_late=entry["unsigned"],
            escalated=entry["escalated"],
        )
        for department_id, entry in rows.items()
        if entry["overdue"] or entry["unsigned"] or entry["escalated"]
    ]
    return sorted(result, key=lambda unit: (-unit.overdue, -unit.unsigned_late, unit.department))


def case_attachment(user: Any, *, number: str, attachment_id: int) -> CaseAttachment | None:
    """A file of a case the viewer may see (for the guarded download), or None."""
    return CaseAttachment.objects.filter(
        pk=attachment_id, case__in=case_queryset_for(user).filter(number=number)
    ).first()
