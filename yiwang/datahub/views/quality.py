"""Console pages of data quality: the ranking of departments, a resource's scores and their rules, examples."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yiwang.core.audit.services import record_event
from yiwang.core.errors import NotFound
from yiwang.core.errors import PermissionDenied as NotPermitted
from yiwang.datahub.models import UpdateCycle
from yiwang.datahub.quality.rules import DEFINITIONS
from yiwang.datahub.quality.selectors import (
    QualityScoreView,
    department_ranking,
    quality_examples,
    quality_history,
    quality_latest,
    quality_may_read_examples,
    quality_may_recompute,
    quality_resource,
)
from yiwang.datahub.quality.services import quality_request_recompute
from yiwang.identity.access import staff_required
from yiwang.identity.roles import Role

SPARK_WIDTH, SPARK_HEIGHT = 160, 32


def _sparkline(history: list[QualityScoreView]) -> str:
    """SVG polyline points of the overall score, oldest on the left (drawn server-side: no script)."""
    values = [item.overall for item in reversed(history)]
    if len(values) < 2:
        return ""
    step = SPARK_WIDTH / (len(values) - 1)
    return " ".join(
        f"{index * step:.1f},{SPARK_HEIGHT - value / 100 * SPARK_HEIGHT:.1f}" for index, value in enumerate(values)
    )


@staff_required()
@require_GET
def quality_view(request: HttpRequest) -> HttpResponse:
    """Every staff member: departments ranked by the quality of what they send, and each resource's latest score."""
    return render(
        request,
        "datahub/quality/index.html",
        {"ranking": department_ranking(), "latest": quality_latest(), "overall_definition": DEFINITIONS["overall"]},
    )


@staff_required()
@require_GET
def quality_resource_view(request: HttpRequest, slug: str) -> HttpResponse:
    """A resource's scores per source with the rules and counts behind each, and their history."""
    user: Any = request.user
    try:
        overview = quality_resource(slug=slug)
    except NotFound:
        raise Http404(_("No such resource.")) from None
    raw_source = request.GET.get("source", "")
    source = int(raw_source) if raw_source.isdigit() else None
    history = quality_history(resource_id=overview.resource_id, source_department_id=source)
    return render(
        request,
        "datahub/quality/resource.html",
        {
            "overview": overview,
            "update_cycle": dict(UpdateCycle.choices).get(overview.update_cycle, overview.update_cycle),
            "history": history,
            "source": source,
            "sparkline": _sparkline(history),
            "spark_width": SPARK_WIDTH,
            "spark_height": SPARK_HEIGHT,
            "may_recompute": quality_may_recompute(viewer=user, resource_id=overview.resource_id),
            "may_read_examples": any(
                quality_may_read_examples(
                    viewer=user, resource_id=overview.resource_id, source_department_id=score.source_department_id
                )
                for score in overview.scores
            ),
        },
    )


@staff_required(Role.DATA_ADMIN, Role.PLATFORM_ADMIN)
@require_GET
def quality_examples_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The failing examples behind validity (masked), for the departments that correct them; the read is audited."""
    user: Any = request.user
    try:
        scores = quality_examples(viewer=user, slug=slug)
        overview = quality_resource(slug=slug)
    except NotFound:
        raise Http404(_("No such resource.")) from None
    if not scores:
        raise PermissionDenied(_("The examples are for the data administrators of the departments that send them."))
    record_event(
        actor=user,
        action="datahub.quality.examples.read",
        object_type="datahub.resource",
        object_id=overview.resource_id,
        changes={"scores": [score.id for score in scores]},
        purpose="correcting data quality (纠错)",
    )
    return render(request, "datahub/quality/examples.html", {"overview": overview, "scores": scores})


@staff_required(Role.DATA_ADMIN, Role.PLATFORM_ADMIN)
@require_POST
def quality_recompute_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask for fresh scores of a resource (computed in the background)."""
    try:
        overview = quality_resource(slug=slug)
        quality_request_recompute(actor=request.user, resource_id=overview.resource_id)
    except NotFound:
        raise Http404(_("No such resource.")) from None
    except NotPermitted as error:
        raise PermissionDenied(str(error.message)) from None
    messages.success(request, _("The scores are being computed; reload this page in a moment."))
    return redirect("datahub:quality_resource", slug=slug)
