"""Dispatch (派单), signature (签收), handling, return (退单) and its review (派单异议审核, 改派), extension (延期) and
conclusion (办结) — the steps between intake and follow-up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.cases.models import (
    AssignmentRole,
    AssignmentStatus,
    Case,
    CaseAssignment,
    CaseCategory,
    CaseExtension,
    CaseReturn,
    CaseStatus,
    CaseType,
    Channel,
    Decision,
    EventKind,
    KnowledgeArticle,
    RoutingFeedback,
)
from yiwang.cases.services.access import acting_assignment, require_dispatcher, require_hotline
from yiwang.cases.services.clock import CaseClock, case_clock, extended, warn_from
from yiwang.cases.services.common import locked_case, require_status, required_text, step
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.identity.roles import Role
from yiwang.org.selectors import department_get

MAX_EXTENSION_DAYS = 30


def _leaf_category(code: str) -> CaseCategory:
    category = CaseCategory.objects.filter(code=(code or "").strip(), active=True).first()
    if category is None:
        raise ValidationFailed(_("Choose the category of the case."), field="category_code")
    if category.children.filter(active=True).exists():
        raise ValidationFailed(
            _("%(name)s is a heading: choose one of its categories.") % {"name": category.name}, field="category_code"
        )
    return category


def _units(lead_department_id: int, co_department_ids: Sequence[int]) -> list[int]:
    """The lead and co-units, checked: each exists and is active, none twice, the lead not among the co-units."""
    lead = department_get(department_id=lead_department_id)
    if lead is None or not lead.is_active:
        raise ValidationFailed(_("Choose an active lead unit."), field="lead_department_id")
    co_ids: list[int] = []
    for department_id in co_department_ids:
        if department_id == lead_department_id:
            raise ValidationFailed(_("The lead unit cannot also be a co-unit."), field="co_department_ids")
        unit = department_get(department_id=department_id)
        if unit is None or not unit.is_active:
            raise ValidationFailed(_("A co-unit does not exist or is not active."), field="co_department_ids")
        if department_id not in co_ids:
            co_ids.append(department_id)
    return co_ids


def clock_for(case: Case, moment: Any) -> CaseClock:
    """The time limits of the case's type and category (the catalogue's table), from `moment`."""
    from yiwang.cases.catalogue import time_limit_for

    limit = time_limit_for(case_type=case.case_type, category_code=case.category.code if case.category else "")
    return case_clock(moment, sign_days=limit.sign_days, handle_days=limit.handle_days, warning_days=limit.warning_days)


def _assign(case: Case, *, department_id: int, role: str, actor: Any, clock: CaseClock) -> CaseAssignment:
    now = timezone.now()
    return CaseAssignment.objects.create(
        case=case,
        department_id=department_id,
        role=role,
        status=AssignmentStatus.WAITING,
        dispatched_at=now,
        dispatched_by=actor if getattr(actor, "pk", None) else None,
        sign_due_at=clock.sign_due_at,
    )


def _unit_names(ids: Sequence[int]) -> str:
    names = []
    for department_id in ids:
        unit = department_get(department_id=department_id)
        names.append(unit.name if unit else str(department_id))
    return "、".join(names)


def case_dispatch(
    *,
    actor: Any,
    case_id: int,
    category_code: str,
    lead_department_id: int,
    co_department_ids: Sequence[int] = (),
    note: str = "",
    proposed_department_id: int | None = None,
    proposed_category_code: str = "",
) -> Case:
    """派单: set the category and send the case to its lead unit and co-units, starting its clock.

    `proposed_*` are what the routing model proposed to the dispatcher (kept with the choice as training data).
    A case not yet signed for may be dispatched again (a correction): the earlier units' parts end."""
    require_hotline(actor)
    category = _leaf_category(category_code)
    co_ids = _units(lead_department_id, co_department_ids)
    with transaction.atomic():
        case = locked_case(case_id)
        require_status(case, CaseStatus.RECEIVED, CaseStatus.DISPATCHED)
        now = timezone.now()
        case.assignments.filter(active=True).update(active=False, status=AssignmentStatus.RETURNED)
        case.category = category
        clock = clock_for(case, now)
        _assign(case, department_id=lead_department_id, role=AssignmentRole.LEAD, actor=actor, clock=clock)
        for department_id in co_ids:
            _assign(case, department_id=department_id, role=AssignmentRole.CO, actor=actor, clock=clock)
        case.lead_department_id = lead_department_id
        case.status = CaseStatus.DISPATCHED
        case.dispatched_at = case.dispatched_at or now
        case.sign_due_at, case.due_at, case.warn_at = clock.sign_due_at, clock.due_at, clock.warn_at
        case.due_provisional = clock.provisional
        case.signed_at = None
        if proposed_department_id is not None or proposed_category_code:
            case.suggested = {"department_id": proposed_department_id, "category_code": proposed_category_code}
        case.save()
        proposed = case.suggested or {}
        RoutingFeedback.objects.create(
            case=case,
            text=f"{case.title}\n{case.content}",
            proposed_department_id=proposed.get("department_id"),
            chosen_department_id=lead_department_id,
            proposed_category=CaseCategory.objects.filter(code=proposed.get("category_code") or "").first(),
            chosen_category=category,
        )
        lead_name = _unit_names([lead_department_id])
        text = str(_("Lead unit: %(lead)s") % {"lead": lead_name})
        if co_ids:
            text += "；" + str(_("co-units: %(co)s") % {"co": _unit_names(co_ids)})
        if note.strip():
            text += "\n" + note.strip()
        step(
            case,
            kind=EventKind.DISPATCHED,
            actor=actor,
            text=text,
            data={
                "category": category.code,
                "lead": lead_department_id,
                "co": co_ids,
                "proposed": proposed.get("department_id"),
                "due_at": clock.due_at.isoformat(),
            },
            public=True,
        )
    return case


def case_sign(*, actor: Any, case_id: int) -> Case:
    """签收: the unit takes the case on; the lead unit's signature starts the handling."""
    with transaction.atomic():
        case = locked_case(case_id)
        require_status(case, CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS, CaseStatus.RETURN_REQUESTED)
        assignment = acting_assignment(actor, case, statuses=(AssignmentStatus.WAITING,))
        now = timezone.now()
        assignment.status, assignment.signed_at, assignment.signed_by = AssignmentStatus.SIGNED, now, actor
        assignment.save(update_fields=["status", "signed_at", "signed_by"])
        if assignment.role == AssignmentRole.LEAD:
            case.signed_at = case.signed_at or now
            if case.status == CaseStatus.DISPATCHED:
                case.status = CaseStatus.IN_PROGRESS
            case.save(update_fields=["signed_at", "status"])
        step(
            case,
            kind=EventKind.SIGNED,
            actor=actor,
            department_id=assignment.department_id,
            text=str(AssignmentRole(assignment.role).label),
            data={"role": assignment.role, "late": bool(assignment.sign_due_at and now > assignment.sign_due_at)},
            public=assignment.role == AssignmentRole.LEAD,
        )
    return case


def case_note(*, actor: Any, case_id: int, text: str) -> Case:
    """A progress note of a unit handling the case (internal)."""
    body = required_text(text, field="text", label=_("The note"))
    with transaction.atomic():
        case = locked_case(case_id)
        require_status(case, CaseStatus.IN_PROGRESS, CaseStatus.DISPATCHED, CaseStatus.RETURN_REQUESTED)
        assignment = acting_assignment(actor, case, statuses=(AssignmentStatus.SIGNED, AssignmentStatus.REPLIED))
        step(case, kind=EventKind.NOTE, actor=actor, department_id=assignment.department_id, text=body)
    return case


def case_co_reply(*, actor: Any, case_id: int, text: str) -> Case:
    """协办: a co-unit's answer to the lead unit, which the lead weaves into the reply."""
    body = required_text(text, field="text", label=_("The reply"))
    with transaction.atomic():
        case = locked_case(case_id)
        require_status(case, CaseStatus.IN_PROGRESS, CaseStatus.DISPATCHED, CaseStatus.RETURN_REQUESTED)
        assignment = acting_assignment(actor, case, role=AssignmentRole.CO, statuses=(AssignmentStatus.SIGNED,))
        assignment.status, assignment.replied_at, assignment.reply = AssignmentStatus.REPLIED, timezone.now(), body
        assignment.save(update_fields=["status", "replied_at", "reply"])
        step(case, kind=EventKind.CO_REPLIED, actor=actor, department_id=assignment.department_id, text=body)
    return case


def case_return_request(
    *, actor: Any, case_id: int, reason: str, basis: str = "", suggested_department_id: int | None = None
) -> CaseReturn:
    """退单: the unit says the case is not its job, with the reason and its basis; a dispatcher reviews it."""
    reason_text = required_text(reason, field="reason", label=_("The reason"), maximum=2000)
    if suggested_department_id is not None and department_get(department_id=suggested_department_id) is None:
        raise ValidationFailed(_("The suggested unit does not exist."), field="suggested_department_id")
    with transaction.atomic():
        case = locked_case(case_id)
        require_status(case, CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS, CaseStatus.RETURN_REQUESTED)
        assignment = acting_assignment(actor, case, statuses=(AssignmentStatus.WAITING, AssignmentStatus.SIGNED))
        if CaseReturn.objects.filter(assignment=assignment, decision=Decision.PENDING).exists():
            raise Conflict(_("Your unit's return of this case is already under review."))
        returned = CaseReturn.objects.create(
            case=case,
            assignment=assignment,
            reason=reason_text,
            basis=basis.strip()[:300],
            suggested_department_id=suggested_department_id,
            requested_by=actor,
        )
        case.return_count += 1
        if assignment.role == AssignmentRole.LEAD:
            case.status = CaseStatus.RETURN_REQUESTED
        case.save(update_fields=["return_count", "status"])
        step(
            case,
            kind=EventKind.RETURN_REQUESTED,
            actor=actor,
            department_id=assignment.department_id,
            text=reason_text + (f"\n{_('Basis')}: {basis.strip()}" if basis.strip() else ""),
            data={"return": returned.pk, "role": assignment.role, "suggested": suggested_department_id},
        )
    return returned


def case_return_review(
    *,
    actor: Any,
    return_id: int,
    reassign_to_id: int | None,
    co_department_ids: Sequence[int] = (),
    note: str = "",
    drop_co_unit: bool = False,
) -> CaseReturn:
    """派单异议审核: accept the return and reassign (改派) to another unit, or refuse it (驳回) with a note.

    A co-unit's accepted return may also just drop the co-unit (`drop_co_unit`)."""
    require_dispatcher(actor)
    with transaction.atomic():
        returned = CaseReturn.objects.select_for_update().filter(pk=return_id).first()
        if returned is None:
            raise NotFound(_("There is no such return."), field="return_id")
        if returned.decision != Decision.PENDING:
            raise Conflict(_("This return has already been decided."))
        case = locked_case(returned.case_id)
        assignment = returned.assignment
        now = timezone.now()
        returned.decided_by, returned.decided_at, returned.decision_note = actor, now, note.strip()
        if reassign_to_id is None and not drop_co_unit:
            if not note.strip():
                raise ValidationFailed(_("Say why the return is refused."), field="note")
            returned.decision = Decision.REFUSED
            returned.save()
            if assignment.role == AssignmentRole.LEAD and case.status == CaseStatus.RETURN_REQUESTED:
                case.status = (
                    CaseStatus.IN_PROGRESS if assignment.status == AssignmentStatus.SIGNED else CaseStatus.DISPATCHED
                )
                case.save(update_fields=["status"])
            step(
                case,
                kind=EventKind.RETURN_REJECTED,
                actor=actor,
                text=note.strip(),
                data={"return": returned.pk, "department": assignment.department_id},
            )
            return returned
        returned.decision = Decision.APPROVED
        returned.save()
        assignment.active, assignment.status = False, AssignmentStatus.RETURNED
        assignment.save(update_fields=["active", "status"])
        if assignment.role == AssignmentRole.CO:
            new_ids: list[int] = []
            if reassign_to_id is not None:
                current = set(case.assignments.filter(active=True).values_list("department_id", flat=True))
                if reassign_to_id in current:
                    raise ValidationFailed(_("That unit already has a part in this case."), field="reassign_to_id")
                _units(reassign_to_id, [])
                clock = clock_for(case, now)
                _assign(case, department_id=reassign_to_id, role=AssignmentRole.CO, actor=actor, clock=clock)
                new_ids = [reassign_to_id]
            step(
                case,
                kind=EventKind.REASSIGNED,
                actor=actor,
                text=note.strip() or str(_("Co-unit changed")),
                data={"return": returned.pk, "from": assignment.department_id, "co": new_ids},
            )
            return returned
        if reassign_to_id is None:
            raise ValidationFailed(_("Choose the unit that leads the case now."), field="reassign_to_id")
        co_ids = _units(reassign_to_id, co_department_ids)
        case.assignments.filter(active=True).update(active=False, status=AssignmentStatus.RETURNED)
        clock = clock_for(case, now)
        _assign(case, department_id=reassign_to_id, role=AssignmentRole.LEAD, actor=actor, clock=clock)
        for department_id in co_ids:
            _assign(case, department_id=department_id, role=AssignmentRole.CO, actor=actor, clock=clock)
        # The new lead unit gets the whole time limit (the days spent by the wrong unit are not its fault).
        case.lead_department_id = reassign_to_id
        case.status = CaseStatus.DISPATCHED
        case.signed_at = None
        case.sign_due_at, case.due_at, case.warn_at = clock.sign_due_at, clock.due_at, clock.warn_at
        case.due_provisional = clock.provisional
        case.save()
        RoutingFeedback.objects.create(
            case=case,
            text=f"{case.title}\n{case.content}",
            proposed_department_id=assignment.department_id,
            chosen_department_id=reassign_to_id,
            proposed_category=case.category,
            chosen_category=case.category,
        )
        step(
            case,
            kind=EventKind.REASSIGNED,
            actor=actor,
            text=str(_("Lead unit: %(lead)s") % {"lead": _unit_names([reassign_to_id])})
            + (f"\n{note.strip()}" if note.strip() else ""),
            data={"return": returned.pk, "from": assignment.department_id, "lead": reassign_to_id, "co": co_ids},
            public=True,
        )
    return returned


def case_extension_request(*, actor: Any, case_id: int, days: int, reason: str) -> CaseExtension:
    """延期: the lead unit asks, before the limit, for more working days."""
    reason_text = required_text(reason, field="reason", label=_("The reason"), maximum=2000)
    if not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationFailed(
            _("Ask for 1 to %(maximum)d working days.") % {"maximum": MAX_EXTENSION_DAYS}, field="days"
        )
    with transaction.atomic():
        case = locked_case(case_id)
        require_status(case, CaseStatus.IN_PROGRESS)
        assignment = acting_assignment(actor, case, role=AssignmentRole.LEAD, statuses=(AssignmentStatus.SIGNED,))
        if case.due_at is not None and timezone.now() > case.due_at:
            raise ValidationFailed(
                _("An extension must be asked for before the time limit; it has passed."), field="days"
            )
        if case.extensions.filter(decision=Decision.PENDING).exists():
            raise Conflict(_("An extension of this case is already awaiting a decision."))
        extension = CaseExtension.objects.create(
            case=case, department_id=assignment.department_id, days=days, reason=reason_text, requested_by=actor
        )
        step(
            case,
            kind=EventKind.EXTENSION_REQUESTED,
            actor=actor,
            department_id=assignment.department_id,
            text=reason_text,
            data={"extension": extension.pk, "days": days},
        )
    return extension


def case_extension_decide(*, actor: Any, extension_id: int, approve: bool, note: str = "") -> CaseExtension:
    """A dispatcher grants an extension (the limit moves by that many working days) or refuses it."""
    require_dispatcher(actor)
    with transaction.atomic():
        extension = CaseExtension.objects.select_for_update().filter(pk=extension_id).first()
        if extension is None:
            raise NotFound(_("There is no such extension request."), field="extension_id")
        if extension.decision != Decision.PENDING:
            raise Conflict(_("This extension request has already been decided."))
        if not approve and not note.strip():
            raise ValidationFailed(_("Say why the extension is refused."), field="note")
        case = locked_case(extension.case_id)
        extension.decision = Decision.APPROVED if approve else Decision.REFUSED
        extension.decided_by, extension.decided_at, extension.decision_note = actor, timezone.now(), note.strip()
        extension.save()
        data: dict[str, Any] = {"extension": extension.pk, "days": extension.days}
        if approve and case.due_at is not None:
            from yiwang.cases.catalogue import time_limit_for

            limit = time_limit_for(case_type=case.case_type, category_code=case.category.code if case.category else "")
            case.due_at, provisional = extended(case.due_at, extension.days)
            case.due_provisional = case.due_provisional or provisional
            case.warn_at = warn_from(case.due_at, limit.warning_days)
            case.extended_days += extension.days
            case.save(update_fields=["due_at", "warn_at", "extended_days", "due_provisional"])
            data["due_at"] = case.due_at.isoformat()
        step(
            case,
            kind=EventKind.EXTENSION_APPROVED if approve else EventKind.EXTENSION_REFUSED,
            actor=actor,
            text=note.strip(),
            data=data,
        )
    return extension


def _conclude(case: Case, *, reply: str, now: Any) -> None:
    case.reply, case.concluded_at, case.status = reply, now, CaseStatus.CONCLUDED
    case.save(update_fields=["reply", "concluded_at", "status", "concluded_directly", "resolved_on_spot"])
    # 并单: every reporter of a merged case gets the same answer.
    case.merged_cases.update(reply=reply, concluded_at=now, updated_at=now)


def case_conclude(*, actor: Any, case_id: int, reply: str) -> Case:
    """办结: the lead unit replies to the reporter and concludes the case."""
    body = required_text(reply, field="reply", label=_("The reply"))
    with transaction.atomic():
        case = locked_case(case_id)
        require_status(case, CaseStatus.IN_PROGRESS)
        assignment = acting_assignment(actor, case, role=AssignmentRole.LEAD, statuses=(AssignmentStatus.SIGNED,))
        now = timezone.now()
        if case.extensions.filter(decision=Decision.PENDING).exists():
            case.extensions.filter(decision=Decision.PENDING).update(
                decision=Decision.REFUSED, decided_at=now, decision_note=str(_("Concluded before the decision"))
            )
        assignment.status, assignment.replied_at, assignment.reply = AssignmentStatus.REPLIED, now, body
        assignment.save(update_fields=["status", "replied_at", "reply"])
        _conclude(case, reply=body, now=now)
        step(
            case,
            kind=EventKind.CONCLUDED,
            actor=actor,
            department_id=assignment.department_id,
            text=body,
            data={"late": bool(case.due_at and now > case.due_at)},
            public=True,
        )
    return case


def case_conclude_directly(*, actor: Any, case_id: int, reply: str, article_id: int | None = None) -> Case:
    """直接办结: an operator answers a consultation from the knowledge base during the call."""
    require_hotline(actor)
    body = required_text(reply, field="reply", label=_("The reply"))
    with transaction.atomic():
        case = locked_case(case_id)
        require_status(case, CaseStatus.RECEIVED)
        if case.case_type != CaseType.CONSULTATION:
            raise ValidationFailed(
                _("Only a consultation can be concluded directly by the hotline."), field="case_type"
            )
        data: dict[str, Any] = {}
        if article_id is not None:
            today = timezone.localdate()
            article = KnowledgeArticle.objects.filter(pk=article_id, published=True).first()
            if article is None or article.effective_from > today or (article.expires_on and article.expires_on < today):
                raise ValidationFailed(_("That knowledge base article is not in force."), field="article_id")
            data = {"article": article.pk, "article_title": article.title}
        now = timezone.now()
        case.concluded_directly = True
        _conclude(case, reply=body, now=now)
        step(case, kind=EventKind.CONCLUDED_DIRECTLY, actor=actor, text=body, data=data, public=True)
    return case


def case_resolve_on_spot(*, actor: Any, case_id: int, reply: str, upload: Any) -> Case:
    """自处置: the grid worker who reported a small matter resolved it on the spot, with a photo as evidence."""
    from yiwang.cases.services.intake import case_attach

    body = required_text(reply, field="reply", label=_("What was done"))
    if upload is None:
        raise ValidationFailed(_("A photo of the result is required."), field="upload")
    with transaction.atomic():
        case = locked_case(case_id)
        if not (actor is not None and actor.has_role(Role.GRID_WORKER) and case.received_by_id == actor.pk):
            raise PermissionDenied(_("Only the grid worker who reported the event may resolve it on the spot."))
        if case.channel != Channel.GRID:
            raise ValidationFailed(_("Only grid events are resolved on the spot."), field="channel")
        require_status(case, CaseStatus.RECEIVED)
        attachment = case_attach(actor=actor, case_id=case.pk, upload=upload, kind="evidence")
        case.refresh_from_db()
        now = timezone.now()
        case.resolved_on_spot = True
        _conclude(case, reply=body, now=now)
        step(
            case,
            kind=EventKind.RESOLVED_ON_SPOT,
            actor=actor,
            text=body,
            data={"evidence": attachment.pk},
            public=True,
        )
    return case


def max_reopens() -> int:
    return int(getattr(settings, "YIWANG_CASES_MAX_REOPENS", 2))
