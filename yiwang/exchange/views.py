"""Console pages of the exchange (/console/exchange/…) and the citizen's page of who used their data (/my/data-use/).

Each view parses its input with a form, calls one service or selector, and renders. The services decide who may
do what: their PermissionDenied becomes a 403 page, NotFound a 404, and any other error is shown on the form.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.core.audit.services import record_event
from yiwang.core.errors import Conflict, NotFound, YiwangError
from yiwang.core.errors import PermissionDenied as NotPermitted
from yiwang.datahub.catalog.schema import ElementSpec
from yiwang.datahub.catalog.selectors import resource_list, shared_resource
from yiwang.exchange import forms as exchange_forms
from yiwang.exchange import selectors, services
from yiwang.exchange.masking import is_masked_by_default
from yiwang.exchange.models import ConsumerStatus, DemandStatus, RequestStatus
from yiwang.identity.access import citizen_required, staff_required
from yiwang.identity.roles import Role
from yiwang.identity.selectors import visible_department_ids
from yiwang.org.selectors import department_list, department_subtree_ids

EXCHANGE_ADMINS = (Role.DATA_ADMIN, Role.PLATFORM_ADMIN)
STATISTICS_DAYS = 30
OPERATIONS = {
    "record": gettext_lazy("Look-up of one record"),
    "batch": gettext_lazy("Batch look-up"),
    "query": gettext_lazy("Query"),
    "verify": gettext_lazy("Verification"),
}
# Spreadsheets run a cell that starts with one of these as a formula: the log holds what callers sent.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- who is looking ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """The signed-in staff member as the exchange's pages see them."""

    user: Any
    is_platform_admin: bool
    is_data_admin: bool
    department_id: int | None
    own_departments: frozenset[int]  # the department and its sub-units

    def administers(self, department_id: int | None) -> bool:
        """Whether the services let this viewer act for the department (the pages only offer what they allow)."""
        if self.is_platform_admin:
            return True
        return self.is_data_admin and department_id is not None and department_id == self.department_id


def _viewer(request: HttpRequest) -> Viewer:
    user: Any = request.user
    platform = user.has_role(Role.PLATFORM_ADMIN)
    visible = visible_department_ids(user)
    if visible is None:  # platform administrators see everything; "ours" is still their own department
        visible = department_subtree_ids(department_id=user.department_id) if user.department_id else frozenset[int]()
    return Viewer(
        user=user,
        is_platform_admin=platform,
        is_data_admin=user.has_role(Role.DATA_ADMIN),
        department_id=user.department_id,
        own_departments=frozenset(visible),
    )


def _department_choices(viewer: Viewer) -> list[tuple[int, str]]:
    """Departments the viewer acts for: all for platform administrators, their own for data administrators."""
    return [
        (item.id, item.name)
        for item in department_list()
        if viewer.is_platform_admin or item.id == viewer.department_id
    ]


def _refuse_unreachable(error: YiwangError) -> None:
    """What the viewer may not reach is a 404 or a 403 page, not a message on a form."""
    if isinstance(error, NotFound):
        raise Http404(str(error)) from None
    if isinstance(error, NotPermitted):
        raise PermissionDenied(str(error)) from None


def _form_error(form: Any, error: YiwangError, renames: Mapping[str, str] | None = None) -> None:
    """Show a service's error next to its field (under the form's name for it), or above the form."""
    _refuse_unreachable(error)
    field = (renames or {}).get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, str(error.message))


def _tabs(request: HttpRequest, choices: Sequence[tuple[str, Any]], default: str) -> tuple[str, list[dict[str, Any]]]:
    """The current tab (`?tab=`) and the links of all tabs."""
    current = request.GET.get("tab", "")
    if current not in {value for value, _label in choices}:
        current = default
    return current, [{"value": value, "label": label, "current": value == current} for value, label in choices]


# --- consumer systems ---------------------------------------------------------------------------------


@staff_required(*EXCHANGE_ADMINS)
@require_http_methods(["GET", "POST"])
def consumers(request: HttpRequest) -> HttpResponse:
    """The department's systems that call the gateway (every system for platform administrators); register one."""
    viewer = _viewer(request)
    form = exchange_forms.ConsumerRegisterForm(request.POST or None, departments=_department_choices(viewer))
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.consumer_register(
                actor=viewer.user,
                department_id=form.cleaned_data["department"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except YiwangError as error:
            _form_error(form, error)
        else:
            return _credentials(request, issued, name=form.cleaned_data["name"], rotated=False)
    context = {"consumers": selectors.consumer_list(viewer=viewer.user), "form": form}
    return render(request, "exchange/consumers.html", context, status=400 if request.method == "POST" else 200)


def _credentials(
    request: HttpRequest, issued: services.IssuedCredentials, *, name: str, rotated: bool, grace_hours: int = 0
) -> HttpResponse:
    """The one page that shows a secret: never stored by the browser or a proxy, never shown again."""
    response = render(
        request,
        "exchange/credentials.html",
        {"issued": issued, "name": name, "rotated": rotated, "grace_hours": grace_hours},
    )
    add_never_cache_headers(response)
    return response


def _render_consumer(
    request: HttpRequest,
    consumer_id: int,
    *,
    rotate: exchange_forms.RotateSecretForm | None = None,
    revoke: exchange_forms.ConsumerRevokeForm | None = None,
    rate_limit: exchange_forms.RateLimitForm | None = None,
    status: int = 200,
) -> HttpResponse:
    viewer = _viewer(request)
    try:
        consumer = selectors.consumer_get(viewer=viewer.user, consumer_id=consumer_id)
    except NotFound:
        raise Http404(_("No such system.")) from None
    active = consumer.status == ConsumerStatus.ACTIVE
    context = {
        "consumer": consumer,
        "status_label": ConsumerStatus(consumer.status).label,
        "may_manage": active and viewer.administers(consumer.department_id),
        "may_set_rate_limit": viewer.is_platform_admin,
        "rotate_form": rotate or exchange_forms.RotateSecretForm(),
        "revoke_form": revoke or exchange_forms.ConsumerRevokeForm(),
        "rate_limit_form": rate_limit or exchange_forms.RateLimitForm(initial={"rate_limit": consumer.rate_limit}),
    }
    return render(request, "exchange/consumer.html", context, status=status)


@staff_required(*EXCHANGE_ADMINS)
@require_GET
def consumer(request: HttpRequest, consumer_id: int) -> HttpResponse:
    """One system: its key, status and grants, and what its department may do with it."""
    return _render_consumer(request, consumer_id)


@staff_required(*EXCHANGE_ADMINS)
@require_POST
def consumer_rotate(request: HttpRequest, consumer_id: int) -> HttpResponse:
    """A new secret, shown once; the old one keeps working for the grace period."""
    form = exchange_forms.RotateSecretForm(request.POST)
    if form.is_valid():
        hours = form.cleaned_data["grace_hours"]
        try:
            issued = services.consumer_rotate_secret(actor=request.user, consumer_id=consumer_id, grace_hours=hours)
        except YiwangError as error:
            _form_error(form, error)
        else:
            name = selectors.consumer_get(viewer=request.user, consumer_id=consumer_id).name
            return _credentials(request, issued, name=name, rotated=True, grace_hours=hours)
    return _render_consumer(request, consumer_id, rotate=form, status=400)


@staff_required(*EXCHANGE_ADMINS)
@require_POST
def consumer_revoke(request: HttpRequest, consumer_id: int) -> HttpResponse:
    """The system's credentials stop working, and its grants with them."""
    form = exchange_forms.ConsumerRevokeForm(request.POST)
    if form.is_valid():
        try:
            revoked = services.consumer_revoke(
                actor=request.user, consumer_id=consumer_id, reason=form.cleaned_data["reason"]
            )
        except YiwangError as error:
            _form_error(form, error)
        else:
            revoked_message = _("%(name)s is revoked: its credentials no longer work.") % {"name": revoked.name}
            messages.success(request, revoked_message)
            return redirect("exchange:consumer", consumer_id=consumer_id)
    return _render_consumer(request, consumer_id, revoke=form, status=400)


@staff_required(Role.PLATFORM_ADMIN)
@require_POST
def consumer_rate_limit(request: HttpRequest, consumer_id: int) -> HttpResponse:
    """The platform administrator sets how many requests a second the system may send."""
    form = exchange_forms.RateLimitForm(request.POST)
    if form.is_valid():
        try:
            services.consumer_set_rate_limit(
                actor=request.user, consumer_id=consumer_id, rate_limit=form.cleaned_data["rate_limit"]
            )
        except YiwangError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The rate limit is changed."))
            return redirect("exchange:consumer", consumer_id=consumer_id)
    return _render_consumer(request, consumer_id, rate_limit=form, status=400)


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
    viewer = _viewer(request)
    tab, tabs = _tabs(request, _request_tabs(viewer), "compliance" if viewer.is_platform_admin else "ours")
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
    viewer = _viewer(request)
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
            _form_error(form, error, {"clear_elements": "elements"})
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
    viewer = _viewer(request)
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
            _form_error(form, error, {"reason": "note"})
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
            _form_error(form, error)
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
        _refuse_unreachable(error)
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
            _form_error(form, error)
        else:
            messages.success(request, _("The grant is revoked: the gateway refuses the system's calls for it."))
            return redirect("exchange:request", request_id=request_id)
    return _render_request(request, request_id, revoke=form, status=400)


# --- data demands ------------------------------------------------------------------------------------------


def _demand_tabs(viewer: Viewer) -> list[tuple[str, Any]]:
    tabs: list[tuple[str, Any]] = [
        ("ours", gettext_lazy("Our demands")),
        ("to_us", gettext_lazy("Routed to us")),
    ]
    if viewer.is_platform_admin:
        tabs += [("triage", gettext_lazy("Waiting to be routed")), ("all", gettext_lazy("Every demand"))]
    return tabs


def _demands_on_tab(
    items: Iterable[selectors.DemandSummary], tab: str, viewer: Viewer
) -> list[selectors.DemandSummary]:
    own = viewer.own_departments
    if tab == "ours":
        return [item for item in items if item.department_id in own]
    if tab == "to_us":
        return [item for item in items if item.routed_to_id in own]
    if tab == "triage":
        return [item for item in items if item.status == DemandStatus.TRIAGE]
    return list(items)


@staff_required(*EXCHANGE_ADMINS)
@require_http_methods(["GET", "POST"])
def demands(request: HttpRequest) -> HttpResponse:
    """Data demands (数据需求) for data the catalog does not list: ours, those routed to us; raise one."""
    viewer = _viewer(request)
    form = exchange_forms.DemandForm(
        request.POST or None,
        departments=_department_choices(viewer),
        initial={"department": viewer.department_id},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            demand = services.data_demand_submit(
                actor=viewer.user,
                department_id=data["department"],
                title=data["title"],
                description=data["description"],
                purpose=data["purpose"],
                legal_basis=data["legal_basis"],
            )
        except YiwangError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The demand is submitted."))
            return redirect("exchange:demand", demand_id=demand.pk)
    tab, tabs = _tabs(request, _demand_tabs(viewer), "triage" if viewer.is_platform_admin else "ours")
    items = _demands_on_tab(selectors.demand_list(viewer=viewer.user), tab, viewer)
    context = {"items": items, "tab": tab, "tabs": tabs, "form": form}
    return render(request, "exchange/demands.html", context, status=400 if request.method == "POST" else 200)


def _demand_or_404(viewer: Viewer, demand_id: int) -> selectors.DemandSummary:
    try:
        return selectors.demand_get(viewer=viewer.user, demand_id=demand_id)
    except NotFound as error:
        raise Http404(str(error)) from None


def _route_choices(demand: selectors.DemandSummary) -> list[tuple[int, str]]:
    """Departments a demand may be routed to: any but the one that raised it."""
    return [(item.id, item.name) for item in department_list() if item.id != demand.department_id]


def _answer_resources(demand: selectors.DemandSummary) -> list[tuple[str, str]]:
    """The published resources of the department a demand is routed to, one of which may answer it."""
    if demand.routed_to_id is None:
        return []
    return [
        (item.slug, f"{item.code} {item.name}")
        for item in resource_list(department_id=demand.routed_to_id, published_only=True)
    ]


def _render_demand(
    request: HttpRequest,
    demand_id: int,
    *,
    route: exchange_forms.DemandRouteForm | None = None,
    answer: exchange_forms.DemandAnswerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    viewer = _viewer(request)
    demand = _demand_or_404(viewer, demand_id)
    may_answer = demand.status == DemandStatus.ROUTED and viewer.administers(demand.routed_to_id)
    context = {
        "demand": demand,
        "may_route": viewer.is_platform_admin and demand.status in {DemandStatus.TRIAGE, DemandStatus.ROUTED},
        "may_answer": may_answer,
        "route_form": route or exchange_forms.DemandRouteForm(departments=_route_choices(demand)),
        "answer_form": answer
        or exchange_forms.DemandAnswerForm(resources=_answer_resources(demand) if may_answer else []),
    }
    return render(request, "exchange/demand.html", context, status=status)


@staff_required(*EXCHANGE_ADMINS)
@require_GET
def demand(request: HttpRequest, demand_id: int) -> HttpResponse:
    """One data demand: what is needed, where it was routed, and the answer."""
    return _render_demand(request, demand_id)


@staff_required(Role.PLATFORM_ADMIN)
@require_POST
def demand_route(request: HttpRequest, demand_id: int) -> HttpResponse:
    """The platform administrator sends a demand to the department that should answer it."""
    demand = _demand_or_404(_viewer(request), demand_id)
    form = exchange_forms.DemandRouteForm(request.POST, departments=_route_choices(demand))
    if form.is_valid():
        try:
            services.data_demand_route(
                actor=request.user, demand_id=demand_id, department_id=form.cleaned_data["department"]
            )
        except YiwangError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The demand is routed."))
            return redirect("exchange:demand", demand_id=demand_id)
    return _render_demand(request, demand_id, route=form, status=400)


@staff_required(*EXCHANGE_ADMINS)
@require_POST
def demand_answer(request: HttpRequest, demand_id: int) -> HttpResponse:
    """The routed department provides the data (naming its resource) or declines, saying why."""
    viewer = _viewer(request)
    demand = _demand_or_404(viewer, demand_id)
    form = exchange_forms.DemandAnswerForm(request.POST, resources=_answer_resources(demand))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.data_demand_answer(
                actor=viewer.user,
                demand_id=demand_id,
                answer=data["answer"],
                provide=data["decision"] == exchange_forms.PROVIDE,
                resource=data["resource"] if data["decision"] == exchange_forms.PROVIDE else "",
            )
        except YiwangError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The answer is sent to the requesting department."))
            return redirect("exchange:demand", demand_id=demand_id)
    return _render_demand(request, demand_id, answer=form, status=400)


# --- the access log ---------------------------------------------------------------------------------------


def _log_side(request: HttpRequest) -> str:
    side = request.GET.get("side", "")
    return side if side in {"provider", "consumer"} else "provider"


def _log_filter(form: exchange_forms.LogFilterForm, side: str, *, keyset: bool) -> selectors.LogFilter:
    data = form.cleaned_data
    return selectors.LogFilter(
        side=side,
        resource=data["resource"].strip(),
        since=data["since"],
        until=data["until"],
        before=data["before"] if keyset else None,
    )


def _query(**values: Any) -> str:
    return urlencode({name: value for name, value in values.items() if value not in (None, "")})


@staff_required(*EXCHANGE_ADMINS)
@require_GET
def log(request: HttpRequest) -> HttpResponse:
    """Every call of the gateway: to our resources (provider side) or by our systems (consumer side), newest first."""
    side = _log_side(request)
    form = exchange_forms.LogFilterForm(request.GET)
    lines: list[selectors.LogLine] = []
    older = ""
    export = ""
    if form.is_valid():
        found = selectors.log_page(
            viewer=request.user, log_filter=_log_filter(form, side, keyset=True), limit=selectors.LOG_PAGE + 1
        )
        lines = found[: selectors.LOG_PAGE]
        filters = {
            "side": side,
            "resource": form.cleaned_data["resource"].strip(),
            "since": form.cleaned_data["since"],
            "until": form.cleaned_data["until"],
        }
        if len(found) > selectors.LOG_PAGE:
            older = _query(**filters, before=lines[-1].id)
        export = _query(**filters)
    tabs = [
        {"value": "provider", "label": _("Use of our resources"), "current": side == "provider"},
        {"value": "consumer", "label": _("Our systems' calls"), "current": side == "consumer"},
    ]
    context = {
        "form": form,
        "side": side,
        "tabs": tabs,
        "lines": lines,
        "older": older,
        "export": export,
        "first_page": not request.GET.get("before"),
        "operations": OPERATIONS,
        "resources": resource_list(published_only=True),
    }
    return render(request, "exchange/log.html", context, status=200 if form.is_valid() else 400)


def _cell(value: Any) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write returns the line, for csv.writer inside a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(header: Sequence[str], lines: Iterable[selectors.LogLine]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)  # the byte-order mark makes Excel read UTF-8
    for line in lines:
        yield writer.writerow(
            [
                timezone.localtime(line.at).strftime("%Y-%m-%d %H:%M:%S"),
                _cell(line.consumer_department),
                _cell(line.resource_slug),
                _cell(line.operation),
                _cell(" ".join(line.elements)),
                _cell(line.purpose),
                _cell(line.user_id),
                _cell(line.case_ref),
                line.result_count,
                line.status,
                _cell(line.reason),
                f"{line.latency_ms:.1f}",
            ]
        )


@staff_required(*EXCHANGE_ADMINS)
@require_GET
def log_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered log as CSV (UTF-8 with a byte-order mark), oldest first, streamed; the export is audited."""
    side = _log_side(request)
    form = exchange_forms.LogFilterForm(request.GET)
    if not form.is_valid():
        return log(request)
    log_filter = _log_filter(form, side, keyset=False)
    record_event(
        actor=request.user,
        action="exchange.log.export",
        object_type="exchange.accesslog",
        object_id=side,
        changes={
            "side": side,
            "resource": log_filter.resource,
            "since": log_filter.since.isoformat() if log_filter.since else None,
            "until": log_filter.until.isoformat() if log_filter.until else None,
        },
        purpose="exporting the access log",
    )
    header = [
        _("Time"),
        _("Department"),
        _("Resource"),
        _("Operation"),
        _("Elements"),
        _("Purpose"),
        _("User ID"),
        _("Case reference"),
        _("Results"),
        _("Status"),
        _("Reason"),
        _("Latency (ms)"),
    ]
    rows = selectors.log_export_rows(viewer=request.user, log_filter=log_filter)
    response = StreamingHttpResponse(_csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    name = f"exchange-log-{side}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    add_never_cache_headers(response)
    return response


# --- statistics -----------------------------------------------------------------------------------------------


@staff_required()
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    """Calls in a period (the last 30 days unless chosen), as far as the viewer's departments are concerned."""
    today = timezone.localdate()
    period = {
        "since": (today - datetime.timedelta(days=STATISTICS_DAYS - 1)).isoformat(),
        "until": today.isoformat(),
    }
    period.update({name: request.GET[name] for name in ("since", "until") if request.GET.get(name)})
    form = exchange_forms.PeriodForm(period)
    figures = None
    if form.is_valid():
        figures = selectors.exchange_statistics(
            viewer=request.user, since=form.cleaned_data["since"], until=form.cleaned_data["until"]
        )
    context = {"form": form, "figures": figures}
    return render(request, "exchange/statistics.html", context, status=200 if figures else 400)


# --- the citizen's page ------------------------------------------------------------------------------------------


@citizen_required
@require_GET
def my_data_use(request: HttpRequest) -> HttpResponse:
    """谁用了我的数据: which department looked up the citizen's (or their enterprises') records, when and why."""
    uses = selectors.uses_of_my_data(user=request.user)
    names = {item.slug: item.name for item in resource_list(published_only=True)} if uses else {}
    return render(
        request,
        "exchange/my_data_use.html",
        {"uses": uses, "resource_names": names, "operations": OPERATIONS},
    )
