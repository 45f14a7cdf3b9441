"""Background work of the licenses app."""

from __future__ import annotations

import logging

from django_tasks import task

from yiwang.core.errors import NotFound, ValidationFailed
from yiwang.licenses.services import license_issue_for_application, licenses_issue_pending

logger = logging.getLogger(__name__)


@task()
def issue_license(application_id: int) -> str:
    """Issue the license of one approved application (enqueued when the approval commits). One that cannot be
    issued yet (no seal in use…) is logged; the sweep tries again."""
    try:
        return license_issue_for_application(application_id=application_id).identifier
    except (ValidationFailed, NotFound) as error:
        logger.warning("the license of application %s cannot be issued yet: %s", application_id, error)
        return ""


@task()
def issue_pending_licenses() -> list[str]:
    """The sweep: licenses of approved applications still without one (every five minutes)."""
    return licenses_issue_pending()


@task()
def push_licenses_to_exchange(license_ids: list[int]) -> int:
    """Push licenses issued or revoked in one transaction to the exchange's license library (enqueued on commit
    by `exchange_feed.schedule`). While that registry is not published the push is logged; the sweep repairs it."""
    from yiwang.licenses.exchange_feed import licenses_push

    try:
        return sum(result.rows for result in licenses_push(license_ids=license_ids))
    except (ValidationFailed, NotFound) as error:
        logger.warning("licenses %s not pushed to the exchange yet: %s", license_ids, error)
        return 0


@task()
def sweep_licenses_to_exchange() -> int:
    """The sweep: licenses changed since the last successful sweep, pushed again (every ten minutes)."""
    from yiwang.licenses.exchange_feed import licenses_sweep

    try:
        return licenses_sweep()
    except (ValidationFailed, NotFound) as error:
        logger.warning("the license library sweep waits: %s", error)
        return 0
