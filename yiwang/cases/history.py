"""Bulk import of historic, already concluded cases: what a city brings from its old hotline system, and what the
demo loads so that the router and the analytics have a past to work on.

Every row becomes a closed case with its whole story (received, dispatched, possibly returned and reassigned,
signed, concluded, followed up, possibly reopened once), and a `RoutingFeedback` row: the unit and category that
finally handled it are the router's training data.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.cases.models import (
    AssignmentRole,
    AssignmentStatus,
    Case,
    CaseAssignment,
    CaseCategory,
    CaseEvent,
    CaseFollowUp,
    CaseReturn,
    CaseStatus,
    CaseType,
    Channel,
    Decision,
    EventKind,
    RoutingFeedback,
    Satisfaction,
)
from yiwang.core.audit.services import record_event
from yiwang.core.crypto import blind_index
from yiwang.core.errors import ValidationFailed
from yiwang.org.selectors import department_list, division_get

PHONE_INDEX_PURPOSE = "cases.contact_phone"  # the same blind index as intake's, so callers' histories join up
FIRST_HISTORIC_SEQUENCE = 900000  # live numbers of a day stay below this (intake numbers from 000001)
BATCH_SIZE = 1000


@dataclass(frozen=True)
class HistoricCase:
    """One concluded case of the past, as an old system or the demo's generator describes it."""

    text: str
    title: str
    case_type: str  # a CaseType value
    category_code: str  # a leaf category
    unit: str  # the lead unit that concluded it: a department's full name (or its short name)
    division_code: str  # where: usually a community; "" when unknown
    address: str
    received_at: datetime.datetime
    dispatched_at: datetime.datetime
    signed_at: datetime.datetime
    concluded_at: datetime.datetime
    followed_up_at: datetime.datetime
    reply: str
    satisfaction: str  # a Satisfaction value: the first follow-up
    resolved: bool = True
    channel: str = Channel.PHONE.value
    co_units: tuple[str, ...] = ()
    contact_name: str = ""
    contact_phone: str = ""
    hide_reporter: bool = False
    sign_due_at: datetime.datetime | None = None
    due_at: datetime.datetime | None = None
    # 退单 and 改派: the unit it went to first, which returned it, and when.
    returned_from: str = ""
    return_reason: str = ""
    returned_at: datetime.datetime | None = None
    reassigned_at: datetime.datetime | None = None
    # 重办 after an unsatisfied follow-up: the second conclusion and the reporter's last word.
    reconcluded_at: datetime.datetime | None = None
    final_satisfaction: str = ""
    final_followed_up_at: datetime.datetime | None = None


@dataclass
class _Built:
    """The rows of one historic case, before their foreign keys to the case are known."""

    row: HistoricCase
    case: Case
    assignments: list[CaseAssignment] = field(default_factory=list)
    returned_assignment: CaseAssignment | None = None
    events: list[CaseEvent] = field(default_factory=list)
    follow_ups: list[CaseFollowUp] = field(default_factory=list)
    feedback: RoutingFeedback | None = None


class _Numbers:
    """Case numbers YYYYMMDD + 9nnnnn: above every live number of the day, after earlier imports of that day."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def issue(self, day: datetime.date) -> str:
        key = day.strftime("%Y%m%d")
        sequence = self._next.get(key)
        if sequence is None:
            last = (
                Case.objects.filter(number__startswith=key, number__gte=f"{key}{FIRST_HISTORIC_SEQUENCE}")
                .order_by("-number")
                .values_list("number", flat=True)
                .first()
            )
            sequence = int(last[8:]) + 1 if last else FIRST_HISTORIC_SEQUENCE
        if sequence > 999999:
            raise ValidationFailed(
                _("More than 100,000 historic cases were received on %(day)s.") % {"day": day.isoformat()}
            )
        self._next[key] = sequence + 1
        return f"{key}{sequence:06d}"


class _Lookups:
    """Units, categories and divisions resolved once per import."""

    def __init__(self) -> None:
        self.units: dict[str, int] = {}
        for unit in department_list():
            self.units.setdefault(unit.name, unit.id)
        for unit in department_list():
            if unit.short_name:
                self.units.setdefault(unit.short_name, unit.id)
        self.categories = dict(CaseCategory.objects.filter(active=True).values_list("code", "id"))
        parents = set(
            CaseCategory.objects.filter(parent__isnull=False).values_list("parent__code", flat=True).distinct()
        )
        self.headings = frozenset(parents)
        self._divisions: dict[str, int | None] = {}

    def unit(self, name: str, number: int) -> int:
        unit_id = self.units.get(name.strip())
        if unit_id is None:
            raise ValidationFailed(
                _("Row %(row)d: there is no unit named %(name)s.") % {"row": number, "name": name}, field="unit"
            )
        return unit_id

    def category(self, code: str, number: int) -> int:
        category_id = self.categories.get(code)
        if category_id is None or code in self.headings:
            raise ValidationFailed(
                _("Row %(row)d: %(code)s is not a category in use.") % {"row": number, "code": code},
                field="category_code",
            )
        return category_id

    def division(self, code: str, number: int) -> int | None:
        if not code:
            return None
        if code not in self._divisions:
            found = division_get(code=code)
            self._divisions[code] = found.id if found else None
        division_id = self._divisions[code]
        if division_id is None:
            raise ValidationFailed(
                _("Row %(row)d: there is no division with the code %(code)s.") % {"row": number, "code": code},
                field="division_code",
            )
        return division_id


def _check(row: HistoricCase, number: int) -> None:
    problems = []
    if row.case_type not in CaseType.values:
        problems.append("case_type")
    if row.channel not in Channel.values:
        problems.append("channel")
    if row.satisfaction not in Satisfaction.values:
        problems.append("satisfaction")
    if row.final_satisfaction and row.final_satisfaction not in Satisfaction.values:
        problems.append("final_satisfaction")
    if not row.text.strip():
        problems.append("text")
    if not row.received_at <= row.dispatched_at <= row.signed_at <= row.concluded_at <= row.followed_up_at:
        problems.append("received_at")
    if problems:
        raise ValidationFailed(
            _("Row %(row)d: %(fields)s not acceptable.") % {"row": number, "fields": ", ".join(problems)},
            field=problems[0],
        )


def _event(
    kind: str,
    at: datetime.datetime,
    department_id: int | None,
    data: dict[str, Any],
    text: str = "",
    *,
    public: bool = False,
) -> CaseEvent:
    return CaseEvent(kind=kind, at=at, department_id=department_id, text=text, data=data, public=public)


def _build(row: HistoricCase, number: int, lookups: _Lookups, numbers: _Numbers) -> _Built:
    """The case and its rows, not yet saved."""
    _check(row, number)
    lead_id = lookups.unit(row.unit, number)
    co_ids = list(dict.fromkeys(lookups.unit(name, number) for name in row.co_units))
    co_ids = [unit_id for unit_id in co_ids if unit_id != lead_id]  # a unit leads or assists, not both
    first_id = lookups.unit(row.returned_from, number) if row.returned_from else None
    category_id = lookups.category(row.category_code, number)
    reopened = row.reconcluded_at is not None
    concluded_at = row.reconcluded_at or row.concluded_at
    closed_at = (row.final_followed_up_at if reopened else None) or row.followed_up_at
    lead_dispatched_at = row.reassigned_at if first_id and row.reassigned_at else row.dispatched_at
    phone = row.contact_phone.strip()
    case = Case(
        number=numbers.issue(row.received_at.date()),
        case_type=row.case_type,
        channel=row.channel,
        category_id=category_id,
        title=row.title.strip()[:100],
        content=row.text.strip(),
        status=CaseStatus.CLOSED,
        division_id=lookups.division(row.division_code, number),
        address=row.address[:200],
        contact_name=row.contact_name.strip()[:50],
        contact_phone=phone,
        contact_phone_index=blind_index(phone, purpose=PHONE_INDEX_PURPOSE) if phone else "",
        hide_reporter=row.hide_reporter,
        lead_department_id=lead_id,
        received_at=row.received_at,
        dispatched_at=row.dispatched_at,
        sign_due_at=row.sign_due_at,
        signed_at=row.signed_at,
        due_at=row.due_at,
        concluded_at=concluded_at,
        closed_at=closed_at,
        reply=row.reply,
        reopen_count=1 if reopened else 0,
        return_count=1 if first_id else 0,
        updated_at=closed_at,
    )
    built = _Built(row=row, case=case)
    built.events.append(_event(EventKind.RECEIVED, row.received_at, None, {"channel": row.channel, "imported": True}))
    dispatched = {"category": row.category_code, "lead": first_id or lead_id, "co": [] if first_id else co_ids}
    built.events.append(_event(EventKind.DISPATCHED, row.dispatched_at, None, dispatched, public=True))
    if first_id is not None:
        returned_at = row.returned_at or row.dispatched_at
        reassigned_at = row.reassigned_at or returned_at
        built.returned_assignment = CaseAssignment(
            department_id=first_id,
            role=AssignmentRole.LEAD,
            status=AssignmentStatus.RETURNED,
            dispatched_at=row.dispatched_at,
            sign_due_at=row.sign_due_at,
            active=False,
        )
        built.events.append(
            _event(EventKind.RETURN_REQUESTED, returned_at, first_id, {"role": AssignmentRole.LEAD}, row.return_reason)
        )
        reassigned = {"from": first_id, "lead": lead_id, "co": co_ids}
        built.events.append(_event(EventKind.REASSIGNED, reassigned_at, None, reassigned, public=True))
    built.assignments.append(
        CaseAssignment(
            department_id=lead_id,
            role=AssignmentRole.LEAD,
            status=AssignmentStatus.REPLIED,
            dispatched_at=lead_dispatched_at,
            sign_due_at=row.sign_due_at,
            signed_at=row.signed_at,
            replied_at=concluded_at,
            reply=row.reply,
            active=True,
        )
    )
    for co_id in co_ids:
        built.assignments.append(
            CaseAssignment(
                department_id=co_id,
                role=AssignmentRole.CO,
                status=AssignmentStatus.REPLIED,
                dispatched_at=lead_dispatched_at,
                sign_due_at=row.sign_due_at,
                signed_at=row.signed_at,
                replied_at=row.concluded_at,
                reply=_("Co-unit's part done."),
                active=True,
            )
        )
    late = row.sign_due_at is not None and row.signed_at > row.sign_due_at
    built.events.append(_event(EventKind.SIGNED, row.signed_at, lead_id, {"role": AssignmentRole.LEAD, "late": late}))
    built.events.append(_event(EventKind.CONCLUDED, row.concluded_at, lead_id, {}, row.reply, public=True))
    verdict = {"resolved": row.resolved, "satisfaction": row.satisfaction}
    built.events.append(_event(EventKind.FOLLOWED_UP, row.followed_up_at, None, verdict))
    built.follow_ups.append(
        CaseFollowUp(
            resolved=row.resolved,
            satisfaction=row.satisfaction,
            at=row.followed_up_at,
            lead_department_id=lead_id,
        )
    )
    if reopened and row.reconcluded_at is not None:
        final = row.final_satisfaction or Satisfaction.BASICALLY.value
        final_at = row.final_followed_up_at or row.reconcluded_at
        reason = _("The reporter is not satisfied")
        built.events.append(_event(EventKind.REOPENED, row.followed_up_at, None, {"to": lead_id}, reason, public=True))
        built.events.append(_event(EventKind.CONCLUDED, row.reconcluded_at, lead_id, {}, row.reply, public=True))
        verdict = {"resolved": final != Satisfaction.UNSATISFIED, "satisfaction": final}
        built.events.append(_event(EventKind.FOLLOWED_UP, final_at, None, verdict))
        built.follow_ups.append(
            CaseFollowUp(
                resolved=final != Satisfaction.UNSATISFIED,
                satisfaction=final,
                at=final_at,
                lead_department_id=lead_id,
            )
        )
    built.feedback = RoutingFeedback(
        text=f"{case.title}\n{case.content}",
        proposed_department_id=first_id,
        chosen_department_id=lead_id,
        proposed_category_id=category_id if first_id else None,
        chosen_category_id=category_id,
        at=lead_dispatched_at,
    )
    return built


def _batches(rows: Iterable[HistoricCase], size: int) -> Iterator[list[HistoricCase]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _save(batch: list[_Built], actor: Any) -> None:
    """Insert one batch: cases first (their ids come back), then every row that points at them."""
    Case.objects.bulk_create([built.case for built in batch])
    returned = [built for built in batch if built.returned_assignment is not None]
    for built in batch:
        for assignment in built.assignments:
            assignment.case_id = built.case.pk
        if built.returned_assignment is not None:
            built.returned_assignment.case_id = built.case.pk
    CaseAssignment.objects.bulk_create(
        [built.returned_assignment for built in returned if built.returned_assignment is not None]
        + [assignment for built in batch for assignment in built.assignments]
    )
    if returned:
        # The history names the unit that returned a case, not the person: `requested_by` stays empty.
        CaseReturn.objects.bulk_create(
            [
                CaseReturn(
                    case_id=built.case.pk,
                    assignment=built.returned_assignment,
                    reason=built.row.return_reason or _("Not this unit's matter."),
                    suggested_department_id=built.case.lead_department_id,
                    requested_by=None,
                    requested_at=built.row.returned_at or built.row.dispatched_at,
                    decision=Decision.APPROVED,
                    decided_by=actor,
                    decided_at=built.row.reassigned_at or built.row.returned_at or built.row.dispatched_at,
                    decision_note=_("Imported from the case history."),
                )
                for built in returned
                if built.returned_assignment is not None
            ]
        )
    events, follow_ups, feedback = [], [], []
    for built in batch:
        for event in built.events:
            event.case_id = built.case.pk
            events.append(event)
        for follow_up in built.follow_ups:
            follow_up.case_id = built.case.pk
            follow_ups.append(follow_up)
        if built.feedback is not None:
            built.feedback.case_id = built.case.pk
            feedback.append(built.feedback)
    CaseEvent.objects.bulk_create(events)
    CaseFollowUp.objects.bulk_create(follow_ups)
    RoutingFeedback.objects.bulk_create(feedback)


def case_history_import(*, rows: Iterable[HistoricCase], actor: Any = None, batch_size: int = BATCH_SIZE) -> int:
    """Store historic concluded cases as closed cases with their events, follow-ups and routing feedback.

    One transaction for the whole import, one audit event. Returns (退单) are stored as approved `CaseReturn` rows of
    the returning unit's assignment (decided by `actor` when given)."""
    recorded_by = actor if actor is not None and getattr(actor, "pk", None) else None
    count = 0
    first_number = last_number = ""
    with transaction.atomic():
        lookups = _Lookups()
        numbers = _Numbers()
        for batch in _batches(rows, batch_size):
            built = [_build(row, count + index + 1, lookups, numbers) for index, row in enumerate(batch)]
            _save(built, recorded_by)
            count += len(built)
            first_number = first_number or built[0].case.number
            last_number = built[-1].case.number
        record_event(
            actor=recorded_by,
            action="cases.history.import",
            object_type="cases.case",
            object_id=f"{first_number}..{last_number}" if count else "-",
            changes={"count": count},
        )
    return count
