"""The console's case pages for the hotline and the units: taking a call (with the caller's earlier cases, likely
duplicates, the router's suggestion, the catalogue's proposal and the knowledge base), the work boxes of each role,
the overdue lists per unit and a case's files. The case page and its steps are in `views/steps.py`.

Taking a call is one transaction: the case, and what the operator chose to do with it at once (dispatch, conclude a
consultation directly, merge into a duplicate), and its files — a refusal of any part leaves nothing behind and
shows the form again with the refusal next to its field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from yiwang.cases import catalogue, knowledge, services
from yiwang.cases.forms import INTAKE_FORM_ID, SUGGESTION_INPUTS, CaseSearchForm, IntakeForm
from yiwang.cases.models import Case, Channel
from yiwang.cases.selectors import (
    BOXES,
    CaseSummary,
    DuplicateCandidate,
    caller_history,
    case_attachment,
    case_box,
    case_by_number,
    duplicate_candidates,
    overdue_by_unit,
)
from yiwang.cases.views.common import (
    CONSOLE,
    DISPATCHERS,
    HOTLINE,
    OVERDUE_READERS,
    OVERSIGHT,
    CatalogueAdvice,
    Routing,
    add_error,
    catalogue_advice,
    choices_for,
    partial_requested,
    proposal_for,
    refuse_unreachable,
    routing_for,
    vary_on_htmx,
)
from yiwang.cases.views.knowledge import knowledge_box
from yiwang.core.errors import Conflict, NotFound, ValidationFailed, YiwangError
from yiwang.identity.access import staff_required
from yiwang.identity.roles import Role

INTAKE_ACTIONS = ("save", "dispatch", "conclude_directly")
# The services' argument names that are called otherwise on the intake form.
INTAKE_RENAMED = {"reply": "direct_reply", "upload": "attachments"}


# --- taking a call ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeValues:
    """What has been typed so far (the panels are computed from it)."""

    content: str
    contact_phone: str
    division_code: str
    category_code: str
    case_type: str
    lead_department_id: str
    co_department_ids: list[str]

    @classmethod
    def of(cls, data: QueryDict, *, category_code: str = "") -> IntakeValues:
        return cls(
            content=data.get("content", "").strip()[:4000],
            contact_phone=data.get("contact_phone", "").strip()[:30],
            division_code=data.get("division_code", "").strip()[:12],
            category_code=category_code or data.get("category_code", "").strip()[:12],
            case_type=data.get("case_type", "").strip()[:20],
            lead_department_id=data.get("lead_department_id", "").strip()[:12],
            co_department_ids=[value for value in data.getlist("co_department_ids") if value.isdigit()][:20],
        )


@dataclass(frozen=True)
class Panels:
    """The help beside the form: the caller's earlier cases, likely duplicates, routing and the catalogue."""

    history: list[CaseSummary]
    duplicates: list[DuplicateCandidate]
    routing: Routing
    advice: CatalogueAdvice | None


def _history(values: IntakeValues) -> list[CaseSummary]:
    return caller_history(phone=values.contact_phone) if values.contact_phone else []


def _suggestions(values: IntakeValues) -> tuple[list[DuplicateCandidate], Routing, CatalogueAdvice | None]:
    duplicates = (
        duplicate_candidates(
            content=values.content,
            phone=values.contact_phone,
            category_code=values.category_code,
            division_code=values.division_code,
        )
        if values.content
        else []
    )
    routing = routing_for(values.content, division_code=values.division_code)
    category = values.category_code or (routing.categories[0].value if routing.categories else "")
    return duplicates, routing, catalogue_advice(category_code=category, division_code=values.division_code)


def _panels(values: IntakeValues) -> Panels:
    duplicates, routing, advice = _suggestions(values)
    return Panels(history=_history(values), duplicates=duplicates, routing=routing, advice=advice)


def _dispatch_initial(values: IntakeValues, routing: Routing, advice: CatalogueAdvice | None) -> dict[str, Any]:
    """The dispatch fields as the catalogue (for the category, or the router's first) and the router propose."""
    initial: dict[str, Any] = {}
    if advice is not None:
        initial["category_code"] = advice.category_code
        if advice.proposal is not None:
            initial["lead_department_id"] = advice.proposal.lead_department_id
            initial["co_department_ids"] = [unit_id for unit_id, _name in advice.proposal.co_departments]
    if "lead_department_id" not in initial and routing.units:
        initial["lead_department_id"] = routing.units[0].value
    return initial


def _intake_choices() -> Any:
    return choices_for(places=True, cells=catalogue.grid_cells_in(_city_code()), categories=True, units=True)


def _city_code() -> str:
    from yiwang.cases.catalogue.places import platform_cities

    cities = platform_cities()
    return cities[0].code if cities else ""


def _render_intake(
    request: HttpRequest,
    form: IntakeForm,
    values: IntakeValues,
    *,
    panels: Panels | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    panels = panels or _panels(values)
    form.follow_category(reverse("cases:intake_suggestions"))
    context = {
        "form": form,
        "form_id": INTAKE_FORM_ID,
        "inputs": SUGGESTION_INPUTS,
        "panels": panels,
        "values": values,
        "conflict": conflict,
        **knowledge_box(request, category_code=values.category_code, pick_form=INTAKE_FORM_ID),
    }
    return render(request, "cases/intake.html", context, status=status)


@staff_required(*HOTLINE)
@require_http_methods(["GET", "HEAD", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    """话务员受理: take a call; save it, or dispatch it, conclude a consultation directly or merge it at once.

    With JavaScript the panels follow what is typed (htmx); without it the "check" button (and each "use this
    suggestion" button) sends the form back unsaved: the page returns with what was typed, the caller's earlier
    cases, likely duplicates and the suggestions, and the dispatch fields filled in. A GET may pre-fill the form
    from its query (e.g. the caller's phone)."""
    choices = _intake_choices()
    if request.method != "POST":
        return _render_check(request, request.GET, choices, check=False)
    if {"use_lead", "use_category"} & set(request.POST) or request.POST.get("action") == "check":
        return _render_check(request, request.POST, choices, check=True)
    action = request.POST.get("action", "save")
    merge_into = request.POST.get("merge_into", "").strip()
    if merge_into:
        action = "merge"
    elif action not in INTAKE_ACTIONS:
        action = "save"
    form = IntakeForm(request.POST, request.FILES, choices=choices)
    values = IntakeValues.of(request.POST)
    if not form.is_valid():
        return _render_intake(request, form, values, status=400)
    _require_for_action(form, action)
    if form.errors:
        return _render_intake(request, form, values, status=400)
    try:
        case = _take_call(request.user, form.cleaned_data, action=action, merge_into=merge_into)
    except YiwangError as error:
        refuse_unreachable(error)
        if isinstance(error, Conflict):
            return _render_intake(request, form, values, conflict=str(error), status=409)
        add_error(form, error, INTAKE_RENAMED)
        return _render_intake(request, form, values, status=400)
    messages.success(request, str(_TAKEN[action]) % {"number": case.number, "into": merge_into})
    return redirect("cases:case", number=case.number)


def _render_check(request: HttpRequest, data: QueryDict, choices: Any, *, check: bool) -> HttpResponse:
    """The form as typed (not yet saved), with the panels and, when asked, the dispatch fields filled in."""
    use_lead = data.get("use_lead", "").strip()[:12]
    use_category = data.get("use_category", "").strip()[:12]
    values = IntakeValues.of(data, category_code=use_category)
    panels = _panels(values)
    initial: dict[str, Any] = {
        name: data.getlist(name) if name == "co_department_ids" else data.get(name)
        for name in IntakeForm.base_fields
        if name in data and name not in {"attachments", "article_id"}
    }
    initial["hide_reporter"] = data.get("hide_reporter") == "on"
    if check:
        fill = _dispatch_fill(values, panels.routing, panels.advice, use_lead=use_lead, use_category=use_category)
        initial.update(fill or {})
    return _render_intake(request, IntakeForm(initial=initial, choices=choices), values, panels=panels)


def _dispatch_fill(
    values: IntakeValues,
    routing: Routing,
    advice: CatalogueAdvice | None,
    *,
    use_lead: str = "",
    use_category: str = "",
) -> dict[str, Any] | None:
    """The dispatch fields to show: a suggestion taken (`use_…`), or the proposal while no lead unit is chosen (for
    the chosen category, else the router's first); None: keep what the operator chose."""
    if use_lead:
        return {
            "category_code": values.category_code,
            "lead_department_id": use_lead,
            "co_department_ids": values.co_department_ids,
        }
    if use_category:
        initial: dict[str, Any] = {"category_code": use_category, "lead_department_id": values.lead_department_id}
        if advice is not None and advice.proposal is not None:
            initial["lead_department_id"] = advice.proposal.lead_department_id
            initial["co_department_ids"] = [unit_id for unit_id, _name in advice.proposal.co_departments]
        return initial
    if values.lead_department_id:
        return None
    return _dispatch_initial(values, routing, advice)


_TAKEN: dict[str, Promise] = {
    "save": gettext_lazy("Case %(number)s is taken; it awaits dispatch."),
    "dispatch": gettext_lazy("Case %(number)s is taken and dispatched."),
    "conclude_directly": gettext_lazy("Case %(number)s is taken and concluded with the answer given."),
    "merge": gettext_lazy("Case %(number)s is taken and merged into %(into)s."),
}


def _require_for_action(form: IntakeForm, action: str) -> None:
    data = form.cleaned_data
    if action == "dispatch":
        if not data.get("category_code"):
            form.add_error("category_code", _("Choose the category to dispatch the case."))
        if not data.get("lead_department_id"):
            form.add_error("lead_department_id", _("Choose the lead unit to dispatch the case."))
    if action == "conclude_directly" and not data.get("article_id") and not (data.get("direct_reply") or "").strip():
        form.add_error("direct_reply", _("Choose a knowledge base article or write the answer given."))


def _take_call(actor: Any, data: dict[str, Any], *, action: str, merge_into: str) -> Case:
    """The case and what is done with it at once, in one transaction."""
    with transaction.atomic():
        case = services.case_intake(
            actor=actor,
            intake=services.CaseIntake(
                case_type=data["case_type"],
                channel=Channel.PHONE,
                content=data["content"],
                category_code=data.get("category_code") or "",
                division_code=data.get("division_code") or "",
                grid_cell_code=data.get("grid_cell_code") or "",
                address=data.get("address") or "",
                contact_name=data.get("contact_name") or "",
                contact_phone=data["contact_phone"],
                hide_reporter=bool(data.get("hide_reporter")),
            ),
        )
        if action == "dispatch":
            services.case_dispatch(
                actor=actor,
                case_id=case.pk,
                category_code=data["category_code"],
                lead_department_id=data["lead_department_id"],
                co_department_ids=data.get("co_department_ids") or (),
                note=data.get("note") or "",
                **proposal_for(data["content"], division_code=data.get("division_code") or ""),
            )
        elif action == "conclude_directly":
            article_id = data.get("article_id")
            services.case_conclude_directly(
                actor=actor,
                case_id=case.pk,
                reply=(data.get("direct_reply") or "").strip() or article_answer(article_id),
                article_id=article_id,
            )
        elif action == "merge":
            main = case_by_number(actor, merge_into)
            if main is None:
                raise ValidationFailed(_("There is no case %(number)s.") % {"number": merge_into})
            services.case_merge(actor=actor, case_id=case.pk, into_case_id=main.pk, note=data.get("note") or "")
        for upload in data.get("attachments") or ():
            services.case_attach(actor=actor, case_id=case.pk, upload=upload)
    return case


def article_answer(article_id: int | None) -> str:
    """The answer of a knowledge base article in force (the reply of a direct conclusion)."""
    if article_id is None:
        return ""
    try:
        return knowledge.article_get(article_id=article_id).answer
    except NotFound:
        raise ValidationFailed(_("That knowledge base article is not in force."), field="article_id") from None


@staff_required(*HOTLINE)
@require_GET
def intake_caller(request: HttpRequest) -> HttpResponse:
    """The caller's earlier cases, as the phone is typed (htmx fragment)."""
    values = IntakeValues.of(request.GET)
    context = {"history": _history(values), "phone": values.contact_phone}
    return vary_on_htmx(render(request, "cases/_caller_history.html", context))


@staff_required(*HOTLINE)
@require_GET
def intake_suggestions(request: HttpRequest) -> HttpResponse:
    """Likely duplicates, the router's top three and the catalogue's proposal for what is typed (htmx fragment).

    `use_lead` / `use_category` take a suggestion into the dispatch fields; when none is chosen yet they are filled
    with the proposal (an out-of-band swap of the dispatch fieldset)."""
    use_lead = request.GET.get("use_lead", "").strip()[:12]
    use_category = request.GET.get("use_category", "").strip()[:12]
    values = IntakeValues.of(request.GET, category_code=use_category)
    duplicates, routing, advice = _suggestions(values)
    fill = _dispatch_fill(values, routing, advice, use_lead=use_lead, use_category=use_category)
    dispatch_form = IntakeForm(initial=fill, choices=choices_for(categories=True, units=True)) if fill else None
    if dispatch_form is not None:
        dispatch_form.follow_category(reverse("cases:intake_suggestions"))
    context = {
        "duplicates": duplicates,
        "routing": routing,
        "advice": advice,
        "dispatch_form": dispatch_form,
        "form_id": INTAKE_FORM_ID,
        "inputs": SUGGESTION_INPUTS,
        "partial": True,
    }
    return vary_on_htmx(render(request, "cases/_intake_suggestions.html", context))


# --- the boxes ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tab:
    slug: str
    label: Promise
    roles: tuple[str, ...]


TABS = (
    Tab("to_dispatch", gettext_lazy("To dispatch"), HOTLINE),
    Tab("returns", gettext_lazy("Returns to review"), DISPATCHERS),
    Tab("extensions", gettext_lazy("Extensions to decide"), DISPATCHERS),
    Tab("to_sign", gettext_lazy("To sign for"), (Role.HANDLER,)),
    Tab("in_progress", gettext_lazy("In progress"), (Role.HANDLER, *DISPATCHERS, *OVERSIGHT)),
    Tab("overdue", gettext_lazy("Overdue"), (*HOTLINE, Role.HANDLER, *OVERSIGHT)),
    Tab("follow_up", gettext_lazy("Follow-up"), HOTLINE),
    Tab("mine", gettext_lazy("Taken in by me"), (*HOTLINE, Role.GRID_WORKER)),
    Tab("all", gettext_lazy("All"), CONSOLE),
)
assert {tab.slug for tab in TABS} == set(BOXES)


def tabs_for(user: Any) -> list[Tab]:
    return [tab for tab in TABS if user.has_role(*tab.roles)]


@staff_required(*CONSOLE)
@require_GET
def boxes(request: HttpRequest) -> HttpResponse:
    """The work boxes of the viewer's roles, one tab each, searchable by number or words."""
    user: Any = request.user
    tabs = tabs_for(user)
    box = request.GET.get("box") or tabs[0].slug
    current = next((tab for tab in tabs if tab.slug == box), None)
    if current is None:
        raise Http404(_("There is no such box."))
    form = CaseSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    context = {
        "tabs": tabs,
        "current": current,
        "form": form,
        "query": query,
        "cases": case_box(request.user, box=box, query=query),
        "partial": partial_requested(request),
        "takes_calls": user.has_role(*HOTLINE),
        "reports_events": user.has_role(Role.GRID_WORKER),
        "reads_overdue": user.has_role(*OVERDUE_READERS),
    }
    template = "cases/_box_results.html" if context["partial"] else "cases/boxes.html"
    return vary_on_htmx(render(request, template, context))


@staff_required(*OVERDUE_READERS)
@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    """Per unit: open cases past their limit as lead, parts not signed for in time, escalated cases."""
    return render(request, "cases/overdue.html", {"units": overdue_by_unit(request.user)})


# --- files ----------------------------------------------------------------------------------------------------------

INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


@staff_required(*CONSOLE)
@require_GET
def attachment(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    """A file of a case the viewer may see, through this guarded view (never a public media address)."""
    stored = case_attachment(request.user, number=number, attachment_id=attachment_id)
    if stored is None:
        raise Http404(_("There is no such file."))
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=stored.content_type not in INLINE_TYPES,
        filename=stored.name,
        content_type=stored.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
