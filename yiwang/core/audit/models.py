"""Audit events and the heads of their hash chains."""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditChainLane(models.Model):
    """The head of one hash chain. Writers lock one lane each, so they do not queue on a single row."""

    lane = models.PositiveSmallIntegerField(_("lane"), primary_key=True)
    last_seq = models.PositiveBigIntegerField(_("last sequence"), default=0)
    last_digest = models.CharField(_("last digest"), max_length=64)

    class Meta:
        verbose_name = _("audit chain lane")
        verbose_name_plural = _("audit chain lanes")

    def __str__(self) -> str:
        return f"lane {self.lane} at #{self.last_seq}"


class AuditEvent(models.Model):
    """Who did what to which object, when, from where and why. Append-only."""

    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    changes = models.TextField(
        _("changes"), blank=True, help_text=_("Canonical JSON of the changes (sensitive values masked)")
    )
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    lane = models.PositiveSmallIntegerField(_("lane"))
    lane_seq = models.PositiveBigIntegerField(_("sequence in lane"))
    prev_digest = models.CharField(_("previous digest"), max_length=64)
    digest = models.CharField(_("digest"), max_length=64)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        constraints = [models.UniqueConstraint(fields=["lane", "lane_seq"], name="audit_event_lane_seq_unique")]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_event_object")]
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_label or '-'} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only: an event is written once, by record_event; correcting history means a new event.
        if self.pk is not None and not self._state.adding:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")

    @property
    def changes_data(self) -> Any:
        return json.loads(self.changes) if self.changes else {}
