"""Fees charged on an application, matched against the item's fee list (电子监察 flags what the list lacks)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApplicationFee(models.Model):
    """A fee the department charged: `fee` is the item version's listed fee of that name, or null — not listed,
    which supervision flags."""

    application = models.ForeignKey("services.Application", on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("fee"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    fee = models.ForeignKey("services.Fee", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["application_id", "recorded_at", "pk"]
        indexes = [
            models.Index(fields=["application"], name="fee_not_listed", condition=models.Q(fee__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.name} {self.amount}"
