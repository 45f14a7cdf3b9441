"""The public service guide (办事指南): search the published items, and read one item's guide. No sign-in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from yiwang.core.errors import NotFound
from yiwang.org.selectors import department_list
from yiwang.services.catalog.selectors import ItemSummary, item_guide, item_search
from yiwang.services.forms import GuideSearchForm
from yiwang.services.views.common import DEPTH_LABELS, FETCHED_SOURCES

SEARCH_LIMIT = 50


@dataclass(frozen=True)
class ResultLine:
    """A search result with the label of its online depth."""

    item: ItemSummary
    depth_label: str


def _partial_requested(request: HttpRequest) -> bool:
    # htmx restoring a page from history wants the whole page, although it sends HX-Request too.
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Published items by words in Chinese (社保, 户口, 营业…), item type and department; htmx updates the results."""
    departments = [(department.id, department.name) for department in department_list()]
    form = GuideSearchForm(request.GET, departments=departments)
    valid = form.is_valid()
    data: dict[str, Any] = form.cleaned_data if valid else {}
    items = item_search(
        query=data.get("q") or "",
        item_type=data.get("item_type") or "",
        department_id=data.get("department"),
        limit=SEARCH_LIMIT,
    )
    partial = _partial_requested(request)
    context = {
        "form": form,
        "results": [ResultLine(item=item, depth_label=str(DEPTH_LABELS.get(item.online_depth, ""))) for item in items],
        "query": data.get("q") or "",
        "filtered": any(data.get(name) for name in ("q", "item_type", "department")),
        "limited": len(items) == SEARCH_LIMIT,
        "partial": partial,
    }
    if partial:  # htmx swaps only 2xx responses in, so its errors come with a 200
        response = render(request, "services/_results.html", context)
    else:
        response = render(request, "services/search.html", context, status=200 if valid else 400)
    patch_vary_headers(response, ["HX-Request"])  # the same address answers a page and a fragment
    return response


@require_GET
def guide(request: HttpRequest, task_code: str) -> HttpResponse:
    """The service guide of one item: every field of its published version, in the order people read them."""
    try:
        version = item_guide(task_code=task_code)
    except NotFound as error:
        raise Http404(str(error)) from None
    context = {
        "guide": version,
        "item": version.item,
        "handling_items": list(version.handling_items.all()),
        "materials": list(version.materials.all()),
        "fees": list(version.fees.all()),
        "fetched_sources": FETCHED_SOURCES,
    }
    return render(request, "services/guide.html", context)
