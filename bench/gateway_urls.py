"""The platform's URL map plus the gateway benchmark's baseline: `gateway/bench/record/<key>`, one population record;
and its ceiling: `gateway/bench/empty`, an empty answer from the same handler.

The baseline reads the record the way the gateway does (the key's blind index, then `RegistryReader.by_stored_keys`,
which opens the sealed values) and returns every value as JSON: no signature, no grant, no masking, no log entry.
"""

from __future__ import annotations

import orjson
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from yiwang.config.urls import handler400, handler403, handler404, handler500, urlpatterns
from yiwang.core.errors import ValidationFailed
from yiwang.datahub.catalog.selectors import resource_schema
from yiwang.datahub.registries import POPULATION
from yiwang.datahub.registry.selectors import RegistryReader
from yiwang.exchange.gateway import JSON

_readers: dict[str, RegistryReader] = {}


def _population() -> RegistryReader:
    """One reader per process, kept (the gateway keeps its own for a few seconds)."""
    reader = _readers.get(POPULATION)
    if reader is None:
        reader = _readers[POPULATION] = RegistryReader(resource_schema(slug=POPULATION))
    return reader


@require_GET
def plain_record(request: HttpRequest, key: str) -> HttpResponse:
    """One population record by ID number, unsigned, unchecked, unmasked and unlogged."""
    reader = _population()
    try:
        stored = reader.stored_key(key)
    except ValidationFailed:
        stored = ""
    found = reader.by_stored_keys([stored]).get(stored) if stored else None
    if found is None:
        return HttpResponse(orjson.dumps({"key": key, "found": False}), status=404, content_type=JSON)
    return HttpResponse(orjson.dumps({"key": key, "values": found.values}), content_type=JSON)  # as the gateway does


def empty(request: HttpRequest) -> HttpResponse:
    """An empty JSON object: the most any gateway answer served by Django can be on this machine (no database)."""
    return HttpResponse(b"{}", content_type=JSON)


# Under /gateway/ so that the gateway's own handler and middleware serve it (config/wsgi.py); outside /gateway/v1/,
# so that it is not logged.
urlpatterns = [
    path("gateway/bench/record/<str:key>", plain_record),
    path("gateway/bench/empty", require_GET(empty)),
    *urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
