"""Access requests: the lists, the form with its elements, the decisions, revoking a grant."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.core.errors import Conflict, NotFound, YiwangError
from yiwang.datahub.catalog.schema import ElementSpec
from yiwang.datahub.catalog.selectors import resource_list, shared_resource
from yiwang.exchange import forms as exchange_forms
from yiwang.exchange import selectors, services
from yiwang.exchange.masking import is_masked_by_default
from yiwang.exchange.models import ConsumerStatus, RequestStatus
from yiwang.exchange.views.common import (
    EXCHANGE_ADMINS,
    Viewer,
    form_error,
    refuse_unreachable,
    tabs_of,
    viewer_of,
)
from yiwang.identity.access import staff_required
from yiwang.identity.roles import Role

# --- access requests ----------------------------------------------------------------------------------


def _request_tabs(viewer: Viewer) -> list[tuple[str, Any]]:
    tabs: list[tuple[str, Any]] = [
        ("ours", gettext_lazy("Requests of our systems")),
        ("decide", gettext_lazy("Waiting for our decision")),
    ]
    if viewer.is_platform_admin:
        tabs += [
            ("compliance", gettext_lazy("Waiting for the compliance check")),
            ("all", gettext_lazy("Every request")),
        ]
    return tabs


def _on_tab(items: Iterable[selectors.RequestSummary], tab: str, viewer: Viewer) -> list[selectors.RequestSummary]:
    own = viewer.own_departments
    if tab == "ours":
        return [item for item in items if item.consumer_department_id in own]
    if tab == "decide":
        return [item for item in items if item.status == RequestStatus.SOURCE and item.source_department_id in own]
    if tab == "compliance":
        return [item for item in items if item.status == RequestStatus.COMPLIANCE]
    return list(items)


@staff_required(*EXCHANGE_ADMINS)
@require_GET
def requests(request: HttpRequest) -> HttpResponse:
    """Access requests: of our systems, waiting for our decision, and (platform) waiting for the compliance check."""
    viewer = viewer_of(request)
    tab, tabs = tabs_of(request, _request_tabs(viewer), "compliance" if viewer.is_platform_admin else "ours")
    status = request.GET.get("status", "")
    if status not in RequestStatus.values:
        status = ""
    items = _on_tab(selectors.request_list(viewer=viewer.user, status=status), tab, viewer)
    return render(
        request,
        "exchange/requests.html",
        {"items": items, "tab": tab, "tabs": tabs, "status": status, "statuses": RequestStatus.choices},
    )


def _consumer_choices(viewer: Viewer) -> list[tuple[int, str]]:
    """Active systems the viewer may ask data for."""
    return [
        (item.id, f"{item.name}（{item.department}）" if viewer.is_platform_admin else item.name)
        for item in selectors.consumer_list(viewer=viewer.user)
        if item.status == ConsumerStatus.ACTIVE and viewer.administers(item.department_id)
    ]


def _resource_choices() -> list[tuple[str, str]]:
    return [
        (item.slug, f"{item.code} {item.name}（{item.source_department}）")
        for item in resource_list(published_only=True)
    ]


def _elements_of(slug: str) -> list[ElementSpec]:
    """The published elements of a resource; none for a name no published resource has."""
    if not slug:
        return []
    try:
        return list(shared_resource(slug=slug).schema.elements)
    except NotFound:
        return []


def _request_form(
    viewer: Viewer, slug: str, data: QueryDict | None = None, initial: dict[str, Any] | None = None
) -> exchange_forms.AccessRequestForm:
    return exchange_forms.AccessRequestForm(
        data,
        initial=initial,
        consumers=_consumer_choices(viewer),
        resources=_resource_choices(),
        elements=_elements_of(slug),
        resource_url=reverse("exchange:request_elements"),
    )


def _as_initial(data: QueryDict) -> dict[str, Any]:
    """What was typed, as the initial values of a fresh form (no errors shown for a form being filled in)."""
    initial: dict[str, Any] = {name: data.get(name) for name in data if name not in {"csrfmiddlewaretoken", "action"}}
    initial["elements"] = data.getlist("elements")
    return initial


def _render_request_form(
    request: HttpRequest, form: exchange_forms.AccessRequestForm, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "compliance_days": settings.YIWANG_EXCHANGE_COMPLIANCE_DAYS,
        "source_days": settings.YIWANG_EXCHANGE_SOURCE_DAYS,
    }
    return render(request, "exchange/request_form.html", context, status=status)


@staff_required(*EXCHANGE_ADMINS)
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    """Ask for a resource's elements for one of our systems; the chosen resource's elements load in place."""
    viewer = viewer_of(request)
    source = request.POST if request.method == "POST" else request.GET
    slug = source.get("resource", "")[:64]
    if request.method == "GET" or request.POST.get("action") == "load":  # "load": the button shown without script
        form = _request_form(viewer, slug, initial=_as_initial(source) if source else None)
        return _render_request_form(request, form)
    form = _request_form(viewer, slug, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = services.access_request_submit(
                actor=viewer.user,
                data=services.AccessRequestInput(
                    consumer_id=data["consumer"],
                    resource=data["resource"],
                    elements=list(data["elements"]),
                    purpose=data["purpose"],
                    legal_basis=data["legal_basis"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                    expected_volume=data["expected_volume"],
                    clear_elements=form.clear_elements(),
                ),
            )
        except YiwangError as error:
            form_error(form, error, {"clear_elements": "elements"})
        else:
            if created.status == RequestStatus.GRANTED:
                messages.success(request, _("The resource is shared without conditions: the grant is made at once."))
            else:
                messages.success(request, _("The request is submitted for the platform's compliance check."))
            return redirect("exchange:request", request_id=created.pk)
    return _render_request_form(request, form, status=400)


@staff_required(*EXCHANGE_ADMINS)
@require_GET
def request_elements(request: HttpRequest) -> HttpResponse:
    """The chosen resource's elements as checkboxes (htmx swaps them into the request form)."""
    slug = request.GET.get("resource", "")[:64]
    form = exchange_forms.AccessRequestForm(consumers=[], resources=[], elements=_elements_of(slug))
    return render(request, "exchange/_request_elements.html", {"form": form})


@dataclass(frozen=True)
class RequestedElement:
    code: str
    name: str
    masked: bool
    clear_reason: str


def _requested_elements(item: selectors.RequestSummary) -> list[RequestedElement]:
    specs = {element.code: element for element in _elements_of(item.resource_slug)}
    rows = []
    for code in item.elements:
        spec = specs.get(code)
        rows.append(
            RequestedElement(
                code=code,
                name=spec.name if spec else code,
                masked=bool(spec and is_masked_by_default(spec)) and code not in item.clear_elements,
                clear_reason=item.clear_elements.get(code, ""),
            )
        )
    return rows


def _render_request(
    request: HttpRequest,
    request_id: int,
    *,
    compliance: exchange_forms.ComplianceForm | None = None,
    decision: exchange_forms.SourceDecisionForm | None = None,
    revoke: exchange_forms.GrantRevokeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    viewer = viewer_of(request)
    try:
        item = selectors.request_get(viewer=viewer.user, request_id=request_id)
    except NotFound:
        raise Http404(_("No such access request.")) from None
    deciding = item.status in {RequestStatus.COMPLIANCE, RequestStatus.SOURCE}
    source_admin = viewer.is_data_admin and viewer.department_id == item.source_department_id
    context = {
        "item": item,
        "elements": _requested_elements(item),
        "may_check": viewer.is_platform_admin and item.status == RequestStatus.COMPLIANCE,
        "may_decide": (source_admin or viewer.is_platform_admin) and item.status == RequestStatus.SOURCE,
        "may_withdraw": deciding and viewer.administers(item.consumer_department_id),
        "may_revoke": bool(item.grant_id)
        and not item.grant_revoked
        and (viewer.administers(item.consumer_department_id) or viewer.administers(item.source_department_id)),
        "compliance_form": compliance or exchange_forms.ComplianceForm(),
        "decision_form": decision or exchange_forms.SourceDecisionForm(),
        "revoke_form": revoke or exchange_forms.GrantRevokeForm(),
    }
    return render(request, "exchange/request.html", context, status=status)


@staff_required(*EXCHANGE_ADMINS)
@require_GET
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    """One request: what is asked, for what and on what basis, where it stands, and the decisions open to us."""
    return _render_request(request, request_id)


def _conflict(request: HttpRequest, error: YiwangError, request_id: int) -> HttpResponse | None:
    """The request moved on meanwhile (decided by someone else): say so on its page."""
    if isinstance(error, Conflict):
        messages.error(request, str(error))
        return redirect("exchange:request", request_id=request_id)
    return None


@staff_required(Role.PLATFORM_ADMIN)
@require_POST
def request_compliance(request: HttpRequest, request_id: int) -> HttpResponse:
    """The platform's compliance check: pass the request to the source department, or refuse it with a note."""
    form = exchange_forms.ComplianceForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == exchange_forms.APPROVE
        try:
            services.access_request_compliance_decide(
                actor=request.user, request_id=request_id, approve=approve, note=form.cleaned_data["note"]
            )
        except YiwangError as error:
            moved_on = _conflict(request, error, request_id)
            if moved_on:
                return moved_on
            form_error(form, error, {"reason": "note"})
        else:
            if approve:
                messages.success(request, _("The request passed the compliance check; the source department decides."))
            else:
                messages.success(request, _("The request is refused."))
            return redirect("exchange:request", request_id=request_id)
    return _render_request(request, request_id, compliance=form, status=400)


@staff_required(*EXCHANGE_ADMINS)
@require_POST
def request_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    """The source department grants the request or refuses it with a reason."""
    form = exchange_forms.SourceDecisionForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == exchange_forms.APPROVE
        try:
            services.access_request_source_decide(
                actor=request.user, request_id=request_id, approve=approve, reason=form.cleaned_data["reason"]
            )
        except YiwangError as error:
            moved_on = _conflict(request, error, request_id)
            if moved_on:
                return moved_on
            form_error(form, error)
        else:
            if approve:
                messages.success(request, _("The request is granted: the system may now call the gateway for it."))
            else:
                messages.success(request, _("The request is refused."))
            return redirect("exchange:request", request_id=request_id)
    return _render_request(request, request_id, decision=form, status=400)


@staff_required(*EXCHANGE_ADMINS)
@require_POST
def request_withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    """The requesting department withdraws a request still being decided."""
    try:
        services.access_request_withdraw(actor=request.user, request_id=request_id)
    except YiwangError as error:
        refuse_unreachable(error)
        messages.error(request, str(error))
    else:
        messages.success(request, _("The request is withdrawn."))
    return redirect("exchange:request", request_id=request_id)


@staff_required(*EXCHANGE_ADMINS)
@require_POST
def grant_revoke(request: HttpRequest, request_id: int) -> HttpResponse:
    """End the grant a request led to before its time."""
    form = exchange_forms.GrantRevokeForm(request.POST)
    try:
        grant_id = selectors.request_get(viewer=request.user, request_id=request_id).grant_id
    except NotFound:
        raise Http404(_("No such access request.")) from None
    if grant_id is None:
        raise Http404(_("No such grant."))
    if form.is_valid():
        try:
            services.grant_revoke(actor=request.user, grant_id=grant_id, reason=form.cleaned_data["reason"])
        except YiwangError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The grant is revoked: the gateway refuses the system's calls for it."))
            return redirect("exchange:request", request_id=request_id)
    return _render_request(request, request_id, revoke=form, status=400)
