"""Bundles (一件事一次办): items of several departments applied for at once, with one form and one set of materials.

A `Bundle` names the items (`BundleItem`) that one life or business event needs. An applicant's
`BundleApplication` holds the merged answers and gets its own number on submission; each item is handled as an
ordinary `Application` of its department, linked back through `Application.bundle_application`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BundleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class BundleApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CONCLUDED = "concluded", _("Concluded")


class Bundle(models.Model):
    """One event's bundle of items, defined and published by the platform."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=BundleStatus.choices, default=BundleStatus.DRAFT)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("bundle")
        verbose_name_plural = _("bundles")

    def __str__(self) -> str:
        return self.code


class BundleItem(models.Model):
    """An item of a bundle, in the bundle's order (the merged form follows it)."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey("services.ServiceItem", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["bundle_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["bundle", "item"], name="bundle_item_unique")]

    def __str__(self) -> str:
        return f"{self.bundle_id} {self.item_id}"


class BundleApplication(models.Model):
    """An applicant's application for a whole bundle; its items are handled as sub-applications."""

    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    enterprise_id = models.IntegerField(null=True, blank=True)  # set when an agent applies for an enterprise
    number = models.CharField(_("bundle number"), max_length=24, unique=True, null=True, blank=True)
    form_data = models.JSONField(_("form"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=BundleApplicationStatus.choices, default=BundleApplicationStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("bundle application")
        verbose_name_plural = _("bundle applications")

    def __str__(self) -> str:
        return self.number or f"bundle draft {self.pk}"
