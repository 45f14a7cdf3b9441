"""一数一源、多元校核: values from non-authoritative sources that disagree with the authoritative one."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ConflictStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Authoritative value confirmed")
    CORRECTED = "corrected", _("Authoritative value corrected")
    OTHER_WRONG = "other_wrong", _("The other source is wrong")


class Conflict(models.Model):
    """One element of one record on which a non-authoritative source disagrees with the authoritative source.

    Values of sensitive elements are stored encrypted (SM4, bound to the conflict's record and element).
    """

    resource = models.ForeignKey("datahub.Resource", on_delete=models.PROTECT, related_name="conflicts")
    record = models.ForeignKey("datahub.Record", on_delete=models.CASCADE, related_name="conflicts")
    element_code = models.CharField(_("element"), max_length=64)
    authoritative_value = models.TextField(_("authoritative value"), blank=True)
    other_value = models.TextField(_("other value"), blank=True)
    values_protected = models.BooleanField(default=False)
    authoritative_department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="conflicts_as_authority"
    )
    other_department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="conflicts_raised")
    authoritative_batch = models.ForeignKey(
        "datahub.Batch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    other_batch = models.ForeignKey("datahub.Batch", on_delete=models.PROTECT, related_name="conflicts_found")
    status = models.CharField(max_length=12, choices=ConflictStatus.choices, default=ConflictStatus.OPEN)
    resolution_note = models.TextField(blank=True)
    resolved_by = models.ForeignKey("identity.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["authoritative_department", "status"], name="conflict_queue")]
        verbose_name = _("conflict")
        verbose_name_plural = _("conflicts")

    def __str__(self) -> str:
        return f"conflict {self.pk} {self.element_code}"
