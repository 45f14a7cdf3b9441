"""The case page of the console and its steps: one small form per step open to the viewer (`CaseDetail.actions`),
each a POST calling one lifecycle service.

The services decide. A refusal of the form's input is shown on its form (400); a step someone else took first —
the case moved on — is shown prominently above the case as it is now (409); a case the viewer may not see is a
404 and a step of another role a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from yiwang.cases import services
from yiwang.cases.forms import (
    Choices,
    ConcludeDirectlyForm,
    ConcludeForm,
    CoReplyForm,
    DecideExtensionForm,
    DispatchForm,
    EmptyForm,
    EscalateForm,
    ExtensionForm,
    FollowUpForm,
    Form,
    MergeForm,
    NoteForm,
    ResolveOnSpotForm,
    ReturnForm,
    ReviewReturnForm,
)
from yiwang.cases.selectors import (
    CaseDetail,
    PendingDecision,
    caller_history,
    case_by_number,
    case_detail,
    duplicate_candidates,
)
from yiwang.cases.views.cases import article_answer
from yiwang.cases.views.common import (
    CONSOLE,
    DISPATCHERS,
    HOTLINE,
    OVERSIGHT,
    add_error,
    catalogue_advice,
    choices_for,
    proposal_for,
    refuse_unreachable,
    routing_for,
)
from yiwang.cases.views.knowledge import knowledge_box
from yiwang.core.errors import Conflict, ValidationFailed, YiwangError
from yiwang.core.errors import PermissionDenied as NotPermitted
from yiwang.identity.access import staff_required
from yiwang.identity.roles import Role

Run = Callable[[Any, CaseDetail, dict[str, Any]], object]


def _merge(actor: Any, detail: CaseDetail, data: dict[str, Any]) -> object:
    main = case_by_number(actor, data["into"].strip())
    if main is None:
        raise ValidationFailed(_("There is no case %(number)s.") % {"number": data["into"]}, field="into")
    return services.case_merge(actor=actor, case_id=detail.id, into_case_id=main.pk, note=data["note"])


def _review_return(actor: Any, detail: CaseDetail, data: dict[str, Any]) -> object:
    reassign = data["decision"] == "reassign"
    if reassign and data["reassign_to_id"] is None:
        raise ValidationFailed(_("Choose the unit the case goes to now."), field="reassign_to_id")
    return services.case_return_review(
        actor=actor,
        return_id=data["item"],
        reassign_to_id=data["reassign_to_id"] if reassign else None,
        co_department_ids=data["co_department_ids"] if reassign else (),
        note=data["note"],
    )


def _conclude_directly(actor: Any, detail: CaseDetail, data: dict[str, Any]) -> object:
    article_id = data.get("article_id")
    reply = (data["reply"] or "").strip() or article_answer(article_id)
    if not reply:
        raise ValidationFailed(_("Choose a knowledge base article or write the answer given."), field="reply")
    return services.case_conclude_directly(actor=actor, case_id=detail.id, reply=reply, article_id=article_id)


@dataclass(frozen=True)
class Step:
    """One step of a case: its form, who may take it, the service it calls and what it says when done."""

    slug: str
    title: Promise
    button: Promise
    done: Promise
    form: type[Form]
    roles: tuple[str, ...]
    run: Run
    warning: bool = False
    pending: str = ""  # "return" / "extension": one form per pending request, its id in the form
    multipart: bool = False
    choices: tuple[str, ...] = ()  # what the form's select boxes need: "categories", "units"


STEPS = (
    Step(
        "dispatch",
        gettext_lazy("Dispatch (派单)"),
        gettext_lazy("Dispatch"),
        gettext_lazy("The case is dispatched."),
        DispatchForm,
        HOTLINE,
        lambda actor, detail, data: services.case_dispatch(
            actor=actor,
            case_id=detail.id,
            category_code=data["category_code"],
            lead_department_id=data["lead_department_id"],
            co_department_ids=data["co_department_ids"],
            note=data["note"],
            **proposal_for(f"{detail.summary.title}\n{detail.content}", division_code=detail.division_code),
        ),
        choices=("categories", "units"),
    ),
    Step(
        "sign",
        gettext_lazy("Sign for the case (签收)"),
        gettext_lazy("Sign for it"),
        gettext_lazy("Your unit has signed for the case."),
        EmptyForm,
        (Role.HANDLER,),
        lambda actor, detail, data: services.case_sign(actor=actor, case_id=detail.id),
    ),
    Step(
        "note",
        gettext_lazy("Progress note"),
        gettext_lazy("Add the note"),
        gettext_lazy("The note is added."),
        NoteForm,
        (Role.HANDLER,),
        lambda actor, detail, data: services.case_note(actor=actor, case_id=detail.id, text=data["text"]),
    ),
    Step(
        "co_reply",
        gettext_lazy("Reply as co-unit (协办)"),
        gettext_lazy("Send the reply to the lead unit"),
        gettext_lazy("Your unit's reply is sent to the lead unit."),
        CoReplyForm,
        (Role.HANDLER,),
        lambda actor, detail, data: services.case_co_reply(actor=actor, case_id=detail.id, text=data["text"]),
    ),
    Step(
        "conclude",
        gettext_lazy("Conclude (办结)"),
        gettext_lazy("Conclude with this reply"),
        gettext_lazy("The case is concluded; the reporter will be asked for a follow-up."),
        ConcludeForm,
        (Role.HANDLER,),
        lambda actor, detail, data: services.case_conclude(actor=actor, case_id=detail.id, reply=data["reply"]),
    ),
    Step(
        "extension",
        gettext_lazy("Ask for an extension (延期)"),
        gettext_lazy("Ask for the extension"),
        gettext_lazy("The extension is asked for; a dispatcher decides."),
        ExtensionForm,
        (Role.HANDLER,),
        lambda actor, detail, data: services.case_extension_request(
            actor=actor, case_id=detail.id, days=data["days"], reason=data["reason"]
        ),
    ),
    Step(
        "return",
        gettext_lazy("Return the case (退单)"),
        gettext_lazy("Return the case"),
        gettext_lazy("The return is sent for review (派单异议审核)."),
        ReturnForm,
        (Role.HANDLER,),
        lambda actor, detail, data: services.case_return_request(
            actor=actor,
            case_id=detail.id,
            reason=data["reason"],
            basis=data["basis"],
            suggested_department_id=data["suggested_department_id"],
        ),
        warning=True,
        choices=("units",),
    ),
    Step(
        "review_return",
        gettext_lazy("Review the return (派单异议审核)"),
        gettext_lazy("Record the decision"),
        gettext_lazy("The return is decided."),
        ReviewReturnForm,
        DISPATCHERS,
        _review_return,
        pending="return",
        choices=("units",),
    ),
    Step(
        "decide_extension",
        gettext_lazy("Decide the extension"),
        gettext_lazy("Record the decision"),
        gettext_lazy("The extension is decided."),
        DecideExtensionForm,
        DISPATCHERS,
        lambda actor, detail, data: services.case_extension_decide(
            actor=actor, extension_id=data["item"], approve=data["decision"] == "approve", note=data["note"]
        ),
        pending="extension",
    ),
    Step(
        "conclude_directly",
        gettext_lazy("Conclude directly (直接办结)"),
        gettext_lazy("Conclude with this answer"),
        gettext_lazy("The consultation is concluded with the answer given."),
        ConcludeDirectlyForm,
        HOTLINE,
        _conclude_directly,
    ),
    Step(
        "follow_up",
        gettext_lazy("Follow-up (回访)"),
        gettext_lazy("Record the follow-up"),
        gettext_lazy("The follow-up is recorded."),
        FollowUpForm,
        HOTLINE,
        lambda actor, detail, data: services.case_follow_up(
            actor=actor,
            case_id=detail.id,
            resolved=data["resolved"],
            satisfaction=data["satisfaction"],
            note=data["note"],
        ),
    ),
    Step(
        "merge",
        gettext_lazy("Merge into another case (并单)"),
        gettext_lazy("Merge"),
        gettext_lazy("The case is merged."),
        MergeForm,
        HOTLINE,
        _merge,
        warning=True,
    ),
    Step(
        "escalate",
        gettext_lazy("Escalate (督办)"),
        gettext_lazy("Escalate"),
        gettext_lazy("The case is escalated."),
        EscalateForm,
        (*DISPATCHERS, *OVERSIGHT),
        lambda actor, detail, data: services.case_escalate(actor=actor, case_id=detail.id, reason=data["reason"]),
        warning=True,
    ),
    Step(
        "resolve_on_spot",
        gettext_lazy("Resolved on the spot (自处置)"),
        gettext_lazy("Record the resolution"),
        gettext_lazy("The event is recorded as resolved on the spot."),
        ResolveOnSpotForm,
        (Role.GRID_WORKER,),
        lambda actor, detail, data: services.case_resolve_on_spot(
            actor=actor, case_id=detail.id, reply=data["reply"], upload=data["upload"]
        ),
        multipart=True,
    ),
)
STEPS_BY_SLUG = {step.slug: step for step in STEPS}
# The services' argument names that the step forms call otherwise.
RENAMED = {
    "into_case_id": "into",
    "return_id": "decision",
    "extension_id": "decision",
    "reassign_to_id": "reassign_to_id",
}


@dataclass(frozen=True)
class OfferedStep:
    """A step's form on the page; for a pending return or extension, the request it decides."""

    step: Step
    form: Form
    item: PendingDecision | None = None

    @property
    def key(self) -> str:
        return f"{self.step.slug}-{self.item.id}" if self.item is not None else self.step.slug


def _choices(step: Step) -> Choices:
    return choices_for(categories="categories" in step.choices, units="units" in step.choices)


def _initial(step: Step, suggestion: dict[str, Any]) -> dict[str, Any]:
    return suggestion if step.slug == "dispatch" else {}


def _new_form(step: Step, detail: CaseDetail, item: PendingDecision | None, suggestion: dict[str, Any],
              data: Any = None, files: Any = None) -> Form:  # fmt: skip
    key = f"{step.slug}-{item.id}" if item is not None else step.slug
    return step.form(
        data,
        files,
        prefix=key,
        initial=_initial(step, suggestion),
        choices=_choices(step),
    )


@dataclass(frozen=True)
class DispatchHelp:
    """What helps the dispatcher: the router's top three, the catalogue's proposal, likely duplicates."""

    routing: Any
    advice: Any
    duplicates: list[Any]
    initial: dict[str, Any]


def _dispatch_help(detail: CaseDetail) -> DispatchHelp:
    routing = routing_for(f"{detail.summary.title}\n{detail.content}", division_code=detail.division_code)
    category = detail.category_code or (routing.categories[0].value if routing.categories else "")
    advice = catalogue_advice(category_code=category, division_code=detail.division_code)
    initial: dict[str, Any] = {"category_code": category}
    if advice is not None and advice.proposal is not None:
        initial["lead_department_id"] = advice.proposal.lead_department_id
        initial["co_department_ids"] = [unit_id for unit_id, _name in advice.proposal.co_departments]
    elif routing.units:
        initial["lead_department_id"] = routing.units[0].value
    duplicates = duplicate_candidates(
        content=f"{detail.summary.title}{detail.content}",
        phone=detail.contact_phone if detail.reporter_shown else "",
        category_code=detail.category_code,
        division_code=detail.division_code,
        exclude_case_id=detail.id,
    )
    return DispatchHelp(routing=routing, advice=advice, duplicates=duplicates, initial=initial)


def _detail_or_404(request: HttpRequest, number: str) -> CaseDetail:
    detail = case_detail(request.user, number=number)
    if detail is None:
        raise Http404(_("There is no such case, or it is not for you to see."))
    return detail


def _render(
    request: HttpRequest, number: str, *, taken: OfferedStep | None = None, conflict: str = "", status: int = 200
) -> HttpResponse:
    detail = _detail_or_404(request, number)
    user: Any = request.user
    wants_dispatch = "dispatch" in detail.actions or "merge" in detail.actions
    dispatch_help = _dispatch_help(detail) if wants_dispatch else None
    suggestion = dispatch_help.initial if dispatch_help is not None else {}
    offered: list[OfferedStep] = []
    for step in STEPS:
        if step.slug not in detail.actions:
            continue
        items: list[PendingDecision | None] = (
            [item for item in detail.pending if item.kind == step.pending] if step.pending else [None]
        )
        for item in items:
            if taken is not None and taken.step is step and taken.item == item:
                offered.append(taken)
            else:
                offered.append(OfferedStep(step, _new_form(step, detail, item, suggestion), item))
    if taken is not None and all(entry is not taken for entry in offered):  # the case moved on: keep what was typed
        offered.insert(0, taken)
    is_hotline = bool(user.has_role(*HOTLINE))
    context = {
        "detail": detail,
        "offered": offered,
        "conflict": conflict,
        "dispatch_help": dispatch_help,
        "history": caller_history(phone=detail.contact_phone, exclude_case_id=detail.id)
        if is_hotline and detail.reporter_shown and detail.contact_phone
        else [],
        "is_hotline": is_hotline,
        "seen": seen_token(detail),
    }
    if "conclude_directly" in detail.actions:
        context.update(
            knowledge_box(request, category_code=detail.category_code, pick_form="step-conclude_directly-form")
        )
    return render(request, "cases/case.html", context, status=status)


@staff_required(*CONSOLE)
@require_GET
def case_page(request: HttpRequest, number: str) -> HttpResponse:
    """One case: facts, timeline, units, pending decisions, files, and the viewer's steps."""
    return _render(request, number)


@staff_required(*CONSOLE)
@require_POST
def case_step(request: HttpRequest, number: str, step: str) -> HttpResponse:
    """Take one step on the case through its service; back to the page with its message, or its refusal."""
    chosen = STEPS_BY_SLUG.get(step)
    if chosen is None:
        raise Http404(_("No such step."))
    detail = _detail_or_404(request, number)  # a case the viewer may not see: 404 before anything else
    user: Any = request.user
    if not user.has_role(*chosen.roles):
        raise PermissionDenied(_("Your roles do not include this step."))
    item: PendingDecision | None = None
    if chosen.pending:
        item_id = request.POST.get("item", "")
        item = next(
            (entry for entry in detail.pending if entry.kind == chosen.pending and str(entry.id) == item_id), None
        )
        if item is None:
            return _render(request, number, conflict=_("This request has already been decided."), status=409)
    data = request.POST.copy()
    article = request.POST.get("article_id", "")
    if chosen.slug == "conclude_directly" and article:
        # The knowledge box's radio buttons belong to this form by its id, without the form's prefix.
        data[f"{chosen.slug}-article_id"] = article
    form = _new_form(chosen, detail, item, {}, data, request.FILES)
    taken = OfferedStep(chosen, form, item)
    if not form.is_valid():
        return _render(request, number, taken=taken, status=400)
    try:
        chosen.run(user, detail, {**form.cleaned_data, "item": item.id if item is not None else None})
    except YiwangError as error:
        if isinstance(error, Conflict):
            return _render(request, number, conflict=str(error), status=409)
        seen = request.POST.get("seen", "")
        if isinstance(error, NotPermitted) and seen and seen != seen_token(_detail_or_404(request, number)):
            # The step was open when the page was drawn; someone else's step has closed it since.
            return _render(request, number, conflict=str(error), status=409)
        refuse_unreachable(error)
        add_error(form, error, RENAMED)
        return _render(request, number, taken=taken, status=400)
    messages.success(request, str(chosen.done))
    if _detail_or_404_quiet(request, number) is None:
        return redirect("cases:boxes")  # e.g. a unit's return was approved: the case is no longer theirs
    return redirect("cases:case", number=number)


def seen_token(detail: CaseDetail) -> str:
    """How far the case had come when the page was drawn: its status and number of steps."""
    return f"{detail.summary.status}:{len(detail.events)}"


def _detail_or_404_quiet(request: HttpRequest, number: str) -> CaseDetail | None:
    return case_detail(request.user, number=number)
