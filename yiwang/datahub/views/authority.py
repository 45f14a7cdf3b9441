"""Console pages of 一数一源: the conflict queue, one conflict and its decision, and the feedback (纠错) list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from yiwang.core.audit.services import record_event
from yiwang.core.errors import NotFound, YiwangError
from yiwang.core.forms import AccessibleFormMixin, add_service_error
from yiwang.datahub.authority.selectors import (
    conflict_feedback,
    conflict_for,
    conflict_queue,
    conflict_record_label,
    conflict_values,
)
from yiwang.datahub.authority.services import conflict_resolve, may_resolve
from yiwang.datahub.catalog.selectors import resource_list
from yiwang.datahub.models import ConflictStatus, ResourceStatus
from yiwang.identity.access import staff_required
from yiwang.identity.roles import Role

QUEUE_SHOWN = 200
DECISIONS = [
    (ConflictStatus.CONFIRMED.value, gettext_lazy("Confirm our value: the other source is to correct theirs")),
    (ConflictStatus.CORRECTED.value, gettext_lazy("Correct our value (with the value below)")),
    (ConflictStatus.OTHER_WRONG.value, gettext_lazy("The other source is wrong")),
]


class DecisionForm(AccessibleFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    value = forms.CharField(
        label=gettext_lazy("Corrected value"),
        required=False,
        max_length=4000,
        help_text=gettext_lazy("Only when correcting. Leave it empty to take the other source's value."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note to both departments"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@staff_required(Role.DATA_ADMIN, Role.PLATFORM_ADMIN)
@require_GET
def conflict_queue_view(request: HttpRequest) -> HttpResponse:
    """Conflicts the viewer's department decides as the authoritative source (all of them for the platform)."""
    user: Any = request.user
    status = request.GET.get("status", "") or ConflictStatus.OPEN
    if status not in ConflictStatus.values:
        status = ConflictStatus.OPEN
    resource = request.GET.get("resource", "").strip()[:64]
    element = request.GET.get("element", "").strip()[:64]
    items = conflict_queue(
        viewer=user, status=status, resource_slug=resource, element_code=element, limit=QUEUE_SHOWN + 1
    )
    return render(
        request,
        "datahub/authority/queue.html",
        {
            "conflicts": items[:QUEUE_SHOWN],
            "more": len(items) > QUEUE_SHOWN,
            "filters": {"status": status, "resource": resource, "element": element},
            "statuses": ConflictStatus.choices,
            "resources": resource_list(status=ResourceStatus.PUBLISHED),
        },
    )


@staff_required(Role.DATA_ADMIN, Role.PLATFORM_ADMIN)
@require_GET
def conflict_feedback_view(request: HttpRequest) -> HttpResponse:
    """What authoritative departments decided about values the viewer's department sent: what to fix at home."""
    return render(
        request,
        "datahub/authority/feedback.html",
        {"conflicts": conflict_feedback(viewer=request.user), "statuses": dict(ConflictStatus.choices)},
    )


@staff_required(Role.DATA_ADMIN, Role.PLATFORM_ADMIN)
@require_http_methods(["GET", "POST"])
def conflict_view(request: HttpRequest, conflict_id: int) -> HttpResponse:
    """One conflict with both values in clear (the read is audited) and, for the authority, its decision."""
    user: Any = request.user
    conflict = conflict_for(viewer=user, conflict_id=conflict_id)
    if conflict is None:
        raise Http404(_("No such conflict."))
    may_decide = may_resolve(user, conflict)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied(_("Only the authoritative department decides this conflict."))
        if form.is_valid():
            try:
                conflict_resolve(
                    actor=user,
                    conflict_id=conflict.pk,
                    outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data["note"],
                    corrected_value=form.cleaned_data["value"] or None,
                )
            except NotFound:
                raise Http404(_("No such conflict.")) from None
            except YiwangError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The decision is recorded and sent to both departments."))
                return redirect("datahub:conflict", conflict_id=conflict.pk)
    authoritative, other = conflict_values(conflict)
    element_name, key = conflict_record_label(conflict)
    record_event(
        actor=user,
        action="datahub.conflict.read",
        object_type="datahub.conflict",
        object_id=conflict.pk,
        changes={"element": conflict.element_code},
        purpose="deciding a conflict between sources (一数一源)",
    )
    return render(
        request,
        "datahub/authority/conflict.html",
        {
            "conflict": conflict,
            "element_name": element_name,
            "record_key": key,
            "authoritative_value": authoritative,
            "other_value": other,
            "status_label": dict(ConflictStatus.choices).get(conflict.status, conflict.status),
            "may_decide": may_decide and conflict.status == ConflictStatus.OPEN,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )
