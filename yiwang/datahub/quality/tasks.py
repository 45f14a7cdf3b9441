"""Background work of data quality: each task takes ids and calls the one scoring service."""

from __future__ import annotations

import logging

from django_tasks import task

from yiwang.datahub.quality.selectors import batch_superseded
from yiwang.datahub.quality.services import quality_compute

logger = logging.getLogger(__name__)


@task()
def compute_quality_after_batch(*, resource_id: int, batch_id: int) -> int:
    """Score a resource again after a committed batch; returns how many scores were stored.

    Skipped (0) when a later batch of the resource has committed since: its own task scores both.
    """
    if batch_superseded(resource_id=resource_id, batch_id=batch_id):
        logger.info("quality after batch %s skipped: a later batch of resource %s committed", batch_id, resource_id)
        return 0
    return len(quality_compute(resource_id=resource_id, batch_id=batch_id))


@task()
def compute_quality(*, resource_id: int) -> int:
    """Score a resource on request (the console's recompute button); returns how many scores were stored."""
    return len(quality_compute(resource_id=resource_id))
