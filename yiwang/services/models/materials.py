"""Application materials (申请材料): the files an applicant uploads for the materials an item asks for.

A file is stored through Django's default storage (local files under MEDIA_ROOT unless the deployment configures
another backend) under a random name; its original name, size, content type told by its first bytes and SM3
digest are kept with it. Nothing is ever overwritten: a replaced or removed upload stays, marked superseded, so
the record shows what the department was given and when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def material_file_path(instance: ApplicationMaterial, filename: str) -> str:
    """Files of one application side by side; the name is chosen by the upload service, never the applicant."""
    return f"services/applications/{instance.application_id}/{filename}"


class TrustLevel(models.TextChoices):
    """证照可信等级 (国办函〔2016〕108号)."""

    A = "A", _("A: issued by the government, usable directly")
    B = "B", _("B: checked by a clerk")
    C = "C", _("C: uploaded by the applicant, to be checked against the original")
    D = "D", _("D: made by the applicant, who warrants it")


class ApplicationMaterial(models.Model):
    """One uploaded file: for a material of the item (`material`), or an extra document named by the applicant."""

    application = models.ForeignKey(
        "services.Application", on_delete=models.CASCADE, related_name="materials", verbose_name=_("application")
    )
    material = models.ForeignKey(
        "services.Material",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("material asked for"),
    )  # empty for an extra document
    name = models.CharField(_("material"), max_length=200)  # the catalog material's name, or the applicant's
    file = models.FileField(_("file"), upload_to=material_file_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content_type = models.CharField(_("content type"), max_length=100)
    sm3 = models.CharField(_("SM3 digest"), max_length=64)
    trust_level = models.CharField(_("trust level"), max_length=1, choices=TrustLevel.choices, default=TrustLevel.C)
    license_identifier = models.CharField(_("e-license"), max_length=120, blank=True)  # a shared e-license
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # Set when a newer upload replaced this one (`replaced_by`) or the applicant removed it (no `replaced_by`).
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("replaced by")
    )

    class Meta:
        ordering = ["application_id", "uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "material"],
                condition=models.Q(superseded_at__isnull=True, material__isnull=False),
                name="application_material_one_current",
            )
        ]
        verbose_name = _("application material")
        verbose_name_plural = _("application materials")

    def __str__(self) -> str:
        return f"{self.application_id} {self.name}"

    @property
    def superseded(self) -> bool:
        return self.superseded_at is not None
