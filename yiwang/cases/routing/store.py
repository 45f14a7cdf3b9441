"""Keeping models in the database (`RouterModel`) and the active one in each process.

A payload is a pickle, so it is loaded only when the seal stored beside it matches: an HMAC-SM3 under a key derived
from the master key (`model_seal`). A plain digest would not do: whoever can write the table could store a pickle of
their own with its digest and have every process run it; without the master key they cannot make its seal. Each process
loads the active model once and looks for a newer one at most every `YIWANG_ROUTER_RELOAD_SECONDS` (default 10)
with one indexed query on the primary key (at every use inside a transaction).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext_lazy as _

from yiwang.cases.models import RouterModel
from yiwang.cases.routing.model import FittedRouter
from yiwang.cases.routing.places import LocalUnits, local_units
from yiwang.core.crypto import constant_time_equal, derive_key, hmac_sm3
from yiwang.core.errors import Conflict

DEFAULT_RELOAD_SECONDS = 10.0
KEEP_MODELS = 5  # the newest models kept (the active one and the ones before it); a model is about 10 MB


class RouterModelRefused(Conflict):
    """A stored model whose payload does not match its digest: it is not loaded."""

    def __init__(self, model_id: int) -> None:
        super().__init__(
            _("Routing model %(id)d does not match its digest and was not loaded; train a new one.") % {"id": model_id},
            code="router_model_digest",
        )
        self.model_id = model_id


@dataclass
class LoadedModel:
    """The active model of this process, with the localities it resolves 属地 against."""

    id: int
    digest: str
    router: FittedRouter
    places: LocalUnits


class _Active:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.loaded: LoadedModel | None = None
        self.checked_at = float("-inf")


_active = _Active()


def _reload_seconds() -> float:
    return float(getattr(settings, "YIWANG_ROUTER_RELOAD_SECONDS", DEFAULT_RELOAD_SECONDS))


SEAL_PURPOSE = "cases/router-model"


def model_seal(payload: bytes) -> str:
    """The seal of a model's payload: HMAC-SM3 under the master key's routing-model key, as 64 hex characters."""
    return hmac_sm3(derive_key(SEAL_PURPOSE), payload).hex()


def load(row: RouterModel) -> FittedRouter:
    """The router stored in `row`, after checking its seal (RouterModelRefused when it does not match)."""
    payload = bytes(row.payload)
    if not constant_time_equal(model_seal(payload), row.digest):
        raise RouterModelRefused(row.pk)
    return FittedRouter.loads(payload)


def store(router: FittedRouter, *, kind: str, examples: int, metrics: dict[str, object]) -> RouterModel:
    """Save a fitted router as the active model, and drop all but the newest few (the caller holds the
    transaction)."""
    payload = router.dumps()
    row = RouterModel.objects.create(
        kind=kind, examples=examples, metrics=metrics, payload=payload, digest=model_seal(payload), active=True
    )
    RouterModel.objects.filter(active=True).exclude(pk=row.pk).update(active=False)
    kept = list(RouterModel.objects.order_by("-id").values_list("id", flat=True)[:KEEP_MODELS])
    RouterModel.objects.exclude(id__in=kept).delete()
    return row


def remember(row: RouterModel, router: FittedRouter) -> None:
    """Make a just-trained model this process's active one without reading it back."""
    with _active.lock:
        _active.loaded = LoadedModel(row.pk, row.digest, router, local_units())
        _active.checked_at = time.monotonic()


def forget_loaded_model() -> None:
    """Drop this process's model, so that the next use reads the database (tests, after a restore)."""
    with _active.lock:
        _active.loaded = None
        _active.checked_at = float("-inf")


def active_model() -> LoadedModel | None:
    """The active model, loaded once per process and replaced when a newer one is marked active."""
    now = time.monotonic()
    loaded = _active.loaded
    # Inside a transaction the database may hold another model than the last check saw (a test's rolled-back
    # rows, a model trained in this transaction): look every time there; it costs one query on the primary key.
    if loaded is not None and not connection.in_atomic_block and now - _active.checked_at < _reload_seconds():
        return loaded
    with _active.lock:
        latest = RouterModel.objects.filter(active=True).order_by("-id").values_list("id", "digest").first()
        _active.checked_at = now
        if latest is None:
            _active.loaded = None
            return None
        if _active.loaded is not None and (_active.loaded.id, _active.loaded.digest) == latest:
            return _active.loaded
        row = RouterModel.objects.get(pk=latest[0])
        try:
            router = load(row)
        except RouterModelRefused:
            _active.loaded, _active.checked_at = None, float("-inf")
            raise
        _active.loaded = LoadedModel(row.pk, row.digest, router, local_units())
        return _active.loaded
