"""The exchange's license library (电子证照库, the data hub's built-in registry `e-licenses`), kept by this app.

Every license has one row there: identifier, type, holder, issuer, dates and status (有效 / 已撤销 / 已过期).
Issuance and revocation call `schedule`, which pushes the licenses changed in the transaction through the data
hub's pipeline once it commits (one task per transaction); a sweep every ten minutes pushes what changed since
the previous successful sweep — licenses that expired since then included —, so a lost task is repaired and an
expiry reaches the library on the day after the last day. Pushing a license again is harmless: the merge keeps
unchanged values, and rows the registry already received are a `duplicate` batch that changes nothing.

Consumer systems only verify these rows through the exchange gateway (the resource is shared for verification
only); nothing here reads them back.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yiwang.datahub.catalog.selectors import resource_schema
from yiwang.datahub.ingestion.pipeline import IngestResult, ingest_rows
from yiwang.datahub.registries import E_LICENSES, LICENSE_EXPIRED, LICENSE_REVOKED, LICENSE_VALID
from yiwang.licenses.identifiers import InvalidLicenseIdentifier, validate_identifier
from yiwang.licenses.models import License, LicenseStatus

logger = logging.getLogger(__name__)

CHUNK = 2_000  # licenses per batch
LABEL = "licenses-feed"  # the batches' file name in the data hub's console
SWEPT_AT = "licenses:exchange-feed:swept-at"  # start of the last successful sweep, in the shared cache
# A change is dated when its transaction began, but seen only once it commits: the sweep looks back this much
# further than its previous start, so a transaction still open then is not missed.
SWEEP_OVERLAP = datetime.timedelta(minutes=15)


# --- after commit: one task per transaction ----------------------------------------------------------------------


class _PendingPush:
    """The on-commit callback of one transaction: enqueues one task for every license the transaction changed."""

    def __init__(self, license_id: int) -> None:
        self.license_ids = [license_id]
        self.done = False

    def __call__(self) -> None:
        from yiwang.licenses.tasks import push_licenses_to_exchange

        self.done = True
        push_licenses_to_exchange.enqueue(list(dict.fromkeys(self.license_ids)))


def schedule(license_id: int) -> None:
    """Push the license to the exchange's license library once the current transaction commits."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # A callback still waiting in this transaction takes the id (one rolled back with a savepoint is gone
        # from the list, so its licenses, rolled back too, are not pushed).
        for _savepoints, callback, _robust in connection.run_on_commit:
            if isinstance(callback, _PendingPush) and not callback.done:
                callback.license_ids.append(license_id)
                return
    transaction.on_commit(_PendingPush(license_id))


# --- the push ----------------------------------------------------------------------------------------------------


def _status(license: License, today: datetime.date) -> str:
    if license.status == LicenseStatus.REVOKED:
        return LICENSE_REVOKED
    if license.valid_until is not None and license.valid_until < today:
        return LICENSE_EXPIRED
    return LICENSE_VALID


def license_row(license: License) -> dict[str, str]:
    """A license as its row of the license library (element code → value; an empty value for 长期)."""
    try:
        issuer_code = validate_identifier(license.identifier).issuer_code
    except InvalidLicenseIdentifier:  # every identifier we issue is valid; this keeps the row going regardless
        issuer_code = ""
    return {
        "identifier": license.identifier,
        "type_code": license.license_type.code,
        "type_name": license.license_type.name,
        "holder_name": license.holder_name,
        "holder_code": license.holder_code.strip().upper(),
        "issuer_code": issuer_code,
        "issued_on": timezone.localdate(license.issued_at).isoformat(),
        "valid_until": license.valid_until.isoformat() if license.valid_until else "",
        "status": _status(license, timezone.localdate()),
    }


def _push_chunk(license_ids: Sequence[int], source_department_id: int) -> IngestResult | None:
    with transaction.atomic():
        # Locked until the batch commits: a revocation waits, then its own push reads the revoked status, so an
        # older row never lands after a newer one.
        locked = list(License.objects.select_for_update().filter(pk__in=license_ids).order_by("pk").values_list("pk"))
        if not locked:
            return None
        licenses = License.objects.select_related("license_type").filter(pk__in=[pk for (pk,) in locked])
        rows = [license_row(license) for license in licenses.order_by("pk")]
        result = ingest_rows(
            actor=None, resource_slug=E_LICENSES, source_department_id=source_department_id, rows=rows, label=LABEL
        )
    if result.rejected:
        logger.warning("license library: batch %s refused %s of %s rows", result.batch, result.rejected, result.rows)
    return result


def licenses_push(*, license_ids: Iterable[int]) -> list[IngestResult]:
    """Push these licenses' rows into the license library, as its source department (the platform), in batches
    of at most CHUNK. Raises NotFound while the registry is not published (no source department yet)."""
    wanted = sorted(set(license_ids))
    if not wanted:
        return []
    schema = resource_schema(slug=E_LICENSES)
    if schema.source_department_id is None:  # pragma: no cover - a published built-in has its source
        return []
    results = []
    for start in range(0, len(wanted), CHUNK):
        result = _push_chunk(wanted[start : start + CHUNK], schema.source_department_id)
        if result is not None:
            results.append(result)
    return results


def licenses_changed_since(since: datetime.datetime | None) -> list[int]:
    """Ids of the licenses issued or revoked at or after `since`, or expired since the day before it (every
    license when None)."""
    queryset = License.objects.all()
    if since is not None:
        expired = Q(
            valid_until__lt=timezone.localdate(),
            valid_until__gte=timezone.localdate(since) - datetime.timedelta(days=1),
            status=LicenseStatus.VALID,
        )
        queryset = queryset.filter(Q(issued_at__gte=since) | Q(revoked_at__gte=since) | expired)
    return list(queryset.order_by("pk").values_list("pk", flat=True))


def licenses_sweep(*, everything: bool = False) -> int:
    """Push the licenses changed since the last successful sweep (less SWEEP_OVERLAP), or all of them the first
    time, when the cache lost its mark, or with `everything`; return how many were pushed. The mark moves only
    when every batch went through."""
    started = timezone.now()
    previous: Any = None if everything else cache.get(SWEPT_AT)
    since = previous - SWEEP_OVERLAP if isinstance(previous, datetime.datetime) else None
    license_ids = licenses_changed_since(since)
    licenses_push(license_ids=license_ids)
    cache.set(SWEPT_AT, started, timeout=None)
    return len(license_ids)
