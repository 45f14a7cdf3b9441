"""Electronic supervision (电子监察): the thresholds at which open applications raise warnings.

The warnings themselves are not stored: they are computed from each application's clock when the board is read,
so they are right at any moment and clear as soon as the case moves on. Only the level already notified is kept
on the application, so that a warning is mailed once per level.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WarningLevel(models.IntegerChoices):
    NONE = 0, _("No warning")
    YELLOW = 1, _("Yellow card (预警)")
    RED = 2, _("Red card (超期)")


class SupervisionRule(models.Model):
    """Thresholds for one department, or the platform's defaults (no department)."""

    department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("department"),
    )
    yellow_days_remaining = models.PositiveSmallIntegerField(
        _("yellow when this many working days or fewer remain"), default=2
    )
    yellow_share_elapsed = models.PositiveSmallIntegerField(
        _("yellow when this share of the promised limit has elapsed (%)"), default=80
    )
    intake_days = models.PositiveSmallIntegerField(
        _("yellow when a received application waits this many working days for the window"), default=2
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [
            # One rule per department and one default: NULLs are distinct in a plain unique index, 0 is not.
            models.UniqueConstraint(Coalesce("department", models.Value(0)), name="supervision_one_rule_each"),
        ]
        verbose_name = _("supervision rule")
        verbose_name_plural = _("supervision rules")

    def __str__(self) -> str:
        return f"{self.department_id or 'default'}"
