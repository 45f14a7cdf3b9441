"""Entity resolution runs and the pairs a person reviews (the clusters themselves are a Parquet file per run)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LinkKind(models.TextChoices):
    PERSONS = "persons", _("Persons")
    ENTITIES = "entities", _("Enterprises and other legal entities")


class LinkRunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Completed")
    FAILED = "failed", _("Failed")


class LinkRun(models.Model):
    """One run of `yiwang link`: which resources it read, its figures, the trained model, where its clusters are.

    `members_path` is a Parquet file with one row per record (cluster, source, record, method, match weight):
    millions of rows are an analytical result, read with DuckDB or Arrow, not rows of the operational database.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=LinkKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=LinkRunStatus.choices, default=LinkRunStatus.RUNNING)
    sources = models.JSONField(_("resources read"), default=list)
    statistics = models.JSONField(_("figures"), default=dict)
    model = models.JSONField(_("trained model"), default=dict)
    members_path = models.CharField(_("clusters file"), max_length=500, blank=True)
    error = models.TextField(blank=True)
    started_by = models.ForeignKey("identity.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("linking run")
        verbose_name_plural = _("linking runs")

    def __str__(self) -> str:
        return f"link {self.kind} {self.pk}"


class ReviewDecision(models.TextChoices):
    OPEN = "open", _("To review")
    SAME = "same", _("The same")
    DIFFERENT = "different", _("Not the same")


class LinkReview(models.Model):
    """A pair of records the model was unsure about: a person decides whether they are the same.

    A record is named by its resource (slug) and its stored key; its values are read from the registry when
    the pair is shown. A decision carries over: later runs do not ask about a decided pair again.
    """

    run = models.ForeignKey(LinkRun, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(_("kind"), max_length=10, choices=LinkKind.choices)
    left_source = models.CharField(max_length=64)
    left_record = models.CharField(max_length=128)
    right_source = models.CharField(max_length=64)
    right_record = models.CharField(max_length=128)
    match_weight = models.FloatField(_("match weight"))
    match_probability = models.FloatField(_("match probability"))
    reason = models.CharField(max_length=20)
    comparison = models.JSONField(default=dict)
    decision = models.CharField(
        _("decision"), max_length=10, choices=ReviewDecision.choices, default=ReviewDecision.OPEN
    )
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey("identity.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-match_probability", "id"]
        indexes = [
            models.Index(fields=["kind", "decision"], name="link_review_queue"),
            models.Index(fields=["kind", "left_source", "left_record"], name="link_review_left"),
        ]
        verbose_name = _("pair to review")
        verbose_name_plural = _("pairs to review")

    def __str__(self) -> str:
        return f"review {self.pk} {self.left_source}/{self.right_source}"
