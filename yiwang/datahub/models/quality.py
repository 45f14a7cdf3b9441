"""Data-quality scores per resource and source department, with the rules behind them, over time."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class QualityScore(models.Model):
    """Scores (0–100) of one resource, for one source department or (when null) for all sources together."""

    resource = models.ForeignKey("datahub.Resource", on_delete=models.CASCADE, related_name="quality_scores")
    source_department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="quality_scores"
    )
    batch = models.ForeignKey("datahub.Batch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    computed_at = models.DateTimeField(default=timezone.now)
    records = models.PositiveIntegerField(default=0)
    completeness = models.FloatField()
    validity = models.FloatField()
    uniqueness = models.FloatField()
    consistency = models.FloatField()
    timeliness = models.FloatField()
    overall = models.FloatField()
    details = models.JSONField(default=dict)

    class Meta:
        ordering = ["-computed_at", "-id"]
        indexes = [models.Index(fields=["resource", "source_department", "computed_at"], name="quality_history")]

    def __str__(self) -> str:
        return f"quality {self.resource_id}/{self.source_department_id}: {self.overall:.1f}"
