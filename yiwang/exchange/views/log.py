"""The access log (with its CSV export), statistics, and the citizen's page of who used their data."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from yiwang.core.audit.services import record_event
from yiwang.datahub.catalog.selectors import resource_list
from yiwang.exchange import forms as exchange_forms
from yiwang.exchange import selectors
from yiwang.exchange.views.common import (
    EXCHANGE_ADMINS,
    FORMULA_STARTS,
    OPERATIONS,
    STATISTICS_DAYS,
)
from yiwang.identity.access import citizen_required, staff_required

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
