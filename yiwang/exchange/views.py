"""Console pages of the exchange (being written)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from yiwang.identity.access import citizen_required, staff_required


@staff_required("data_admin", "platform_admin")
def consumers(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


requests = demands = log = consumers


@staff_required()
def statistics(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


@citizen_required
def my_data_use(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
