"""Console pages of entity resolution: the latest runs, the pairs to review, one pair and its decision."""

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
from yiwang.datahub.linking.selectors import link_run_list, review_for, review_queue, review_records
from yiwang.datahub.linking.services import review_decide
from yiwang.datahub.models import LinkKind, ReviewDecision
from yiwang.identity.access import staff_required
from yiwang.identity.roles import Role

QUEUE_SHOWN = 200


class ReviewForm(AccessibleFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Are these the same person or enterprise?"),
        choices=[
            (ReviewDecision.SAME.value, gettext_lazy("Yes, the same")),
            (ReviewDecision.DIFFERENT.value, gettext_lazy("No, not the same")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


@staff_required(Role.DATA_ADMIN, Role.PLATFORM_ADMIN)
@require_GET
def linking_view(request: HttpRequest) -> HttpResponse:
    """The pairs the viewer may decide (their department's resources; all for the platform) and the latest runs."""
    kind = request.GET.get("kind", "")
    kind = kind if kind in LinkKind.values else ""
    decision = request.GET.get("decision", "") or ReviewDecision.OPEN
    decision = decision if decision in ReviewDecision.values else ReviewDecision.OPEN
    reviews = review_queue(viewer=request.user, kind=kind, decision=decision, limit=QUEUE_SHOWN + 1)
    return render(
        request,
        "datahub/linking/index.html",
        {
            "reviews": reviews[:QUEUE_SHOWN],
            "more": len(reviews) > QUEUE_SHOWN,
            "runs": link_run_list(limit=10),
            "filters": {"kind": kind, "decision": decision},
            "kinds": LinkKind.choices,
            "decisions": ReviewDecision.choices,
        },
    )


@staff_required(Role.DATA_ADMIN, Role.PLATFORM_ADMIN)
@require_http_methods(["GET", "POST"])
def link_review_view(request: HttpRequest, review_id: int) -> HttpResponse:
    """Both records side by side in clear (the read is audited), what the model compared, and the decision."""
    user: Any = request.user
    review = review_for(viewer=user, review_id=review_id)
    if review is None:
        raise Http404(_("No such pair."))
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if review.decision != ReviewDecision.OPEN:
            raise PermissionDenied(_("This pair was already decided."))
        if form.is_valid():
            try:
                review_decide(
                    actor=user,
                    review_id=review.pk,
                    decision=form.cleaned_data["decision"],
                    note=form.cleaned_data["note"],
                )
            except NotFound:
                raise Http404(_("No such pair.")) from None
            except YiwangError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The decision is recorded; the next run will not ask again."))
                return redirect("datahub:linking")
    left, right = review_records(review)
    record_event(
        actor=user,
        action="datahub.link.review.read",
        object_type="datahub.linkreview",
        object_id=review.pk,
        changes={"sources": [review.left_source, review.right_source]},
        purpose="deciding whether two records are one person or enterprise (entity resolution)",
    )
    names = [name for name, _value in (left.values or ())]
    names += [name for name, _value in (right.values or ()) if name not in names]
    left_values = dict(left.values or ())
    right_values = dict(right.values or ())
    rows = [(name, left_values.get(name, ""), right_values.get(name, "")) for name in names]
    return render(
        request,
        "datahub/linking/review.html",
        {
            "review": review,
            "left": left,
            "right": right,
            "rows": rows,
            "comparison": sorted(review.comparison.items()),
            "decision_label": review.get_decision_display(),
            "may_decide": review.decision == ReviewDecision.OPEN,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )
