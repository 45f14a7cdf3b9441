"""The platform's URL map plus the gateway benchmark's baseline: `gateway/bench/record/<key>`, one population record.

The baseline reads the record the way the gateway does (the key's blind index, then `RegistryReader.by_stored_keys`,
which opens the sealed values) and returns every value as JSON: no signature, no grant, no masking, no log entry.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from yiwang.config.urls import handler400, handler403, handler404, handler500, urlpatterns
from yiwang.core.errors import ValidationFailed
from yiwang.datahub.catalog.selectors import resource_schema
from yiwang.datahub.registries import POPULATION
from yiwang.datahub.registry.selectors import RegistryReader

_readers: dict[str, RegistryReader] = {}


def _population() -> RegistryReader:
    """One reader per process, kept (the gateway keeps its own for a few seconds)."""
    reader = _readers.get(POPULATION)
    if reader is None:
        reader = _readers[POPULATION] = RegistryReader(resource_schema(slug=POPULATION))
    return reader


@require_GET
def plain_record(request: HttpRequest, key: str) -> JsonResponse:
    """One population record by ID number, unsigned, unchecked, unmasked and unlogged."""
    reader = _population()
    try:
        stored = reader.stored_key(key)
    except ValidationFailed:
        stored = ""
    found = reader.by_stored_keys([stored]).get(stored) if stored else None
    if found is None:
        return JsonResponse({"key": key, "found": False}, status=404)
    return JsonResponse({"key": key, "values": found.values}, json_dumps_params={"ensure_ascii": False})


# Under /gateway/ so that the gateway's own handler and middleware serve it (config/wsgi.py); outside /gateway/v1/,
# so that it is not logged.
urlpatterns = [path("gateway/bench/record/<str:key>", plain_record), *urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
