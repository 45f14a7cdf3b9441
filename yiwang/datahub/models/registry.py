"""Records of the registries and of any other catalog resource that holds data."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Record(models.Model):
    """One entity of a resource, keyed by its key element.

    `data` holds the non-sensitive values by element code; the sensitive ones are one SM4-GCM token in
    `protected` (bound to the resource and key). When the key itself is sensitive (an ID number), `key` is
    its blind index, so equality look-ups never need the plaintext. `provenance` says, per element code,
    which source department set the value in which batch: {code: [department_id, batch_id]}.
    """

    # Indexed with the id below: passes over a resource's records read it in id order, chunk by chunk.
    resource = models.ForeignKey("datahub.Resource", on_delete=models.PROTECT, related_name="records", db_index=False)
    key = models.CharField(_("key"), max_length=128)
    data = models.JSONField(_("values"), default=dict)
    protected = models.TextField(_("protected values"), blank=True)
    provenance = models.JSONField(_("provenance"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resource", "key"], name="record_key_unique")]
        indexes = [models.Index(fields=["resource", "id"], name="record_resource_order")]
        verbose_name = _("record")
        verbose_name_plural = _("records")

    def __str__(self) -> str:
        return f"{self.resource_id}:{self.key[:12]}"


class LookupIndex(models.Model):
    """Blind index of a sensitive, looked-up element value (e.g. a legal representative's ID number)."""

    resource = models.ForeignKey("datahub.Resource", on_delete=models.CASCADE, related_name="+")
    element_code = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="lookups")

    class Meta:
        indexes = [models.Index(fields=["resource", "element_code", "digest"], name="lookup_value")]
        constraints = [
            models.UniqueConstraint(fields=["record", "element_code"], name="lookup_one_per_element"),
        ]

    def __str__(self) -> str:
        return f"{self.element_code}:{self.digest[:12]}"
