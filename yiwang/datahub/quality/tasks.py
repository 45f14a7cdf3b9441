"""Background work of data quality: each task takes ids and calls the one scoring service."""

from __future__ import annotations

from django_tasks import task

from yiwang.datahub.quality.services import quality_compute


@task()
def compute_quality_after_batch(*, resource_id: int, batch_id: int) -> int:
    """Score a resource again after a committed batch; returns how many scores were stored."""
    return len(quality_compute(resource_id=resource_id, batch_id=batch_id))


@task()
def compute_quality(*, resource_id: int) -> int:
    """Score a resource on request (the console's recompute button); returns how many scores were stored."""
    return len(quality_compute(resource_id=resource_id))
