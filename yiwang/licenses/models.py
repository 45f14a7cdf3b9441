"""License types (证照目录), seals (电子印章), issued licenses (电子证照) and their uses (用证记录).

A license is kept as the file its holder downloads: the canonical data and the GB/T 38540 signature of the
issuing seal (`documents.py`), encrypted at rest since it carries the holder's ID number. Its status columns are
what the online verification reads; the file itself never changes after issuance.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.fields import EncryptedTextField


class HolderKind(models.TextChoices):
    PERSON = "person", _("Person")
    ENTERPRISE = "enterprise", _("Enterprise or organisation")


class LicenseType(models.Model):
    """证照类型: what a kind of license says, who issues it, to whom, for how long."""

    code = models.CharField(_("type code"), max_length=21, unique=True)  # credit code + 3 digits (GB/T 36904)
    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="license_types", verbose_name=_("issuing department")
    )
    holder_kind = models.CharField(_("holder"), max_length=10, choices=HolderKind.choices)
    # [{"code": "scope", "name": "经营范围", "required": true}, …]: the license's own data elements.
    elements = models.JSONField(_("data elements"), default=list, blank=True)
    validity_years = models.PositiveSmallIntegerField(_("valid for (years)"), null=True, blank=True)  # empty: 长期
    seal = models.ForeignKey(
        "licenses.Seal", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("seal")
    )  # empty: the issuing department's current official seal
    active = models.BooleanField(_("issued now"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["code"]
        verbose_name = _("license type")
        verbose_name_plural = _("license types")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SealStatus(models.TextChoices):
    ACTIVE = "active", _("In use")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


class SealMaker(models.Model):
    """The platform as seal maker (制章者): its certificate, issued to itself. The private key is derived from the
    master key whenever it is needed and never stored (ADR 0019). One row."""

    certificate = models.BinaryField(_("certificate"))
    public_key = models.BinaryField(_("public key"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("seal maker")

    def __str__(self) -> str:
        return "seal maker"


class Seal(models.Model):
    """一枚电子印章: an SM2 key pair, its certificate issued by the seal maker, its picture and its SESeal."""

    seal_id = models.CharField(_("seal code"), max_length=40, unique=True)  # esID: division code + serial
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="seals", verbose_name=_("department")
    )
    name = models.CharField(_("seal name"), max_length=100)
    purpose = models.CharField(_("special purpose"), max_length=40, blank=True)  # e.g. 行政审批专用章
    public_key = models.BinaryField(_("public key"))  # 64 bytes x‖y
    private_key = EncryptedTextField(_("private key"))  # hex, SM4-GCM under the master key
    certificate = models.BinaryField(_("certificate"))  # X.509, SM2, issued by the seal maker
    seal_der = models.BinaryField(_("seal (GB/T 38540)"))
    seal_sm3 = models.CharField(_("SM3 of the seal"), max_length=64)
    picture = models.BinaryField(_("picture"))  # PNG
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    status = models.CharField(_("status"), max_length=10, choices=SealStatus.choices, default=SealStatus.ACTIVE)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["department_id", "-created_at"]
        verbose_name = _("seal")
        verbose_name_plural = _("seals")

    def __str__(self) -> str:
        return f"{self.seal_id} {self.name}"


class LicenseStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")


class License(models.Model):
    """One issued license."""

    identifier = models.CharField(_("identifier"), max_length=120, unique=True)
    license_type = models.ForeignKey(LicenseType, on_delete=models.PROTECT, related_name="licenses")
    holder_kind = models.CharField(_("holder"), max_length=10, choices=HolderKind.choices)
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="licenses"
    )  # a person's license
    enterprise_id = models.IntegerField(null=True, blank=True, db_index=True)  # an enterprise's license
    holder_name = models.CharField(_("holder's name"), max_length=200)
    holder_code = EncryptedTextField(_("holder's ID number or credit code"))
    holder_index = models.CharField(max_length=64, db_index=True)  # blind index of holder_code
    issuer = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    seal = models.ForeignKey(Seal, on_delete=models.PROTECT, related_name="licenses")
    application = models.OneToOneField(
        "services.Application", null=True, blank=True, on_delete=models.PROTECT, related_name="license"
    )  # never two licenses for one application
    document = EncryptedTextField(_("license file"))  # the signed JSON the holder downloads
    data_sm3 = models.CharField(max_length=64)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)  # empty: 长期
    status = models.CharField(_("status"), max_length=10, choices=LicenseStatus.choices, default=LicenseStatus.VALID)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["holder_user", "-issued_at"], name="license_wallet")]
        verbose_name = _("license")
        verbose_name_plural = _("licenses")

    def __str__(self) -> str:
        return self.identifier


class LicenseUse(models.Model):
    """用证记录: a license used for a case — shared by its holder with an application, or opened by a clerk."""

    class Action(models.TextChoices):
        SHARED = "shared", _("Shared by the holder")
        VIEWED = "viewed", _("Opened by the handling department")

    license = models.ForeignKey(License, on_delete=models.CASCADE, related_name="uses")
    action = models.CharField(_("use"), max_length=10, choices=Action.choices)
    application = models.ForeignKey(
        "services.Application", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case_ref = models.CharField(_("case"), max_length=40, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_name = models.CharField(_("by"), max_length=100, blank=True)
    department_name = models.CharField(_("department"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("license use")
        verbose_name_plural = _("license uses")

    def __str__(self) -> str:
        return f"{self.license_id} {self.action}"
