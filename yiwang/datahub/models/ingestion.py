"""Batches: one file (or API push) of records from one source department into one resource."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    COMMITTED = "committed", _("Committed")
    DUPLICATE = "duplicate", _("Same file as an earlier batch: nothing changed")
    FAILED = "failed", _("Failed: nothing was changed")


class BatchChannel(models.TextChoices):
    COMMAND = "command", _("Command line")
    UPLOAD = "upload", _("Upload in the console")
    API = "api", _("API push")


class Batch(models.Model):
    """The story of one ingestion: what came in, what was accepted, rejected, unchanged or in conflict."""

    resource = models.ForeignKey("datahub.Resource", on_delete=models.PROTECT, related_name="batches")
    source_department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="batches")
    submitted_by = models.ForeignKey(
        "identity.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=BatchChannel.choices)
    file_name = models.CharField(max_length=255, blank=True)
    file_digest = models.CharField(max_length=64, help_text=_("SM3 of the file's bytes"))
    file_format = models.CharField(max_length=10, blank=True)
    encoding = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.RUNNING)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rows = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    conflicts = models.PositiveIntegerField(default=0)
    duplicate_key_rows = models.PositiveIntegerField(
        default=0, help_text=_("rows refused because their key repeats within the file")
    )
    unknown_columns = models.JSONField(default=list, blank=True)
    # None for batches merged before the merge counted them (the quality scores then estimate).
    compared = models.JSONField(
        null=True,
        blank=True,
        default=None,
        help_text=_("per element: values of this batch that met a value of the element's authoritative source"),
    )
    report_path = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["resource", "source_department", "file_digest"], name="batch_digest")]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")

    def __str__(self) -> str:
        return f"batch {self.pk} {self.file_name}"
