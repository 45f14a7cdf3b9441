"""The catalog of government information resources (GB/T 21063; 2017 catalog guide) and their data elements."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ResourceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class SharingType(models.TextChoices):
    OPEN = "open", _("Unconditional sharing (无条件共享)")
    CONDITIONAL = "conditional", _("Conditional sharing (有条件共享)")
    NONE = "none", _("Not shared (不予共享)")


class SharingMethod(models.TextChoices):
    API = "api", _("Interface (API)")
    FILE = "file", _("File")
    VERIFICATION = "verification", _("Verification only")


class Openness(models.TextChoices):
    OPEN = "open", _("Open without conditions (无条件开放)")
    CONDITIONAL = "conditional", _("Open with conditions (有条件开放)")
    NONE = "none", _("Not open (不予开放)")


class UpdateCycle(models.TextChoices):
    REALTIME = "realtime", _("Real time")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Every half year")
    YEARLY = "yearly", _("Yearly")
    IRREGULAR = "irregular", _("Irregular")


# How many days a resource may go without an update before it counts as late (timeliness).
UPDATE_CYCLE_DAYS = {
    UpdateCycle.REALTIME: 1,
    UpdateCycle.DAILY: 2,
    UpdateCycle.WEEKLY: 8,
    UpdateCycle.MONTHLY: 32,
    UpdateCycle.QUARTERLY: 93,
    UpdateCycle.HALF_YEARLY: 184,
    UpdateCycle.YEARLY: 366,
    UpdateCycle.IRREGULAR: 366,
}


class ElementType(models.TextChoices):
    STRING = "string", _("Text")
    INTEGER = "integer", _("Integer")
    DECIMAL = "decimal", _("Decimal number")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date and time")
    BOOLEAN = "boolean", _("Yes/no")
    ENUM = "enum", _("Code list")
    ID_NUMBER = "id_number", _("Resident ID number")
    CREDIT_CODE = "credit_code", _("Unified social credit code")
    PHONE = "phone", _("Phone number")
    DIVISION = "division", _("Division code")


class Resource(models.Model):
    """信息资源: one catalog entry, its sharing and openness attributes, and (when it holds data) its records."""

    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    code = models.CharField(_("resource code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category_class = models.CharField(_("category (类)"), max_length=40, blank=True)
    category_item = models.CharField(_("category (项)"), max_length=40, blank=True)
    category_catalog = models.CharField(_("category (目)"), max_length=40, blank=True)
    category_detail = models.CharField(_("category (细目)"), max_length=80, blank=True)
    # Null only for a built-in registry whose source the platform administrator has not assigned yet.
    source_department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=_("source department"),
    )
    summary = models.TextField(_("summary"), blank=True)
    format = models.CharField(_("format"), max_length=60, blank=True)
    sharing_type = models.CharField(_("sharing type"), max_length=12, choices=SharingType.choices)
    sharing_condition = models.TextField(_("sharing condition"), blank=True)
    sharing_methods = models.JSONField(_("sharing methods"), default=list, blank=True)
    openness = models.CharField(_("openness"), max_length=12, choices=Openness.choices)
    openness_condition = models.TextField(_("openness condition"), blank=True)
    update_cycle = models.CharField(_("update cycle"), max_length=12, choices=UpdateCycle.choices)
    release_date = models.DateField(_("release date"), null=True, blank=True)
    related = models.ManyToManyField("self", symmetrical=False, blank=True, verbose_name=_("related resources"))
    lenient_identifiers = models.BooleanField(
        _("lenient identifiers"),
        default=False,
        help_text=_("Accept ID numbers and credit codes that real registries hold but today's rules reject."),
    )
    builtin = models.BooleanField(_("built-in registry"), default=False, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=ResourceStatus.choices, default=ResourceStatus.DRAFT)
    version = models.PositiveIntegerField(_("published version"), default=0)
    review_note = models.TextField(_("review note"), blank=True)
    search_text = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("information resource")
        verbose_name_plural = _("information resources")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Element(models.Model):
    """信息项: one data element of a resource, with the rules its values must keep."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="elements")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    code = models.CharField(_("element code"), max_length=64)
    name = models.CharField(_("element name"), max_length=100)
    data_type = models.CharField(_("type"), max_length=12, choices=ElementType.choices, default=ElementType.STRING)
    length = models.PositiveIntegerField(_("maximum length"), null=True, blank=True)
    required = models.BooleanField(_("required"), default=False)
    enumeration = models.JSONField(_("allowed values"), default=list, blank=True)
    sensitive = models.BooleanField(_("sensitive"), default=False)
    is_key = models.BooleanField(_("key"), default=False)
    lookup = models.BooleanField(
        _("looked up"), default=False, help_text=_("Sensitive values that other registries refer to get a blind index.")
    )
    concept = models.CharField(
        _("concept"),
        max_length=40,
        blank=True,
        help_text=_("What the element means across resources, e.g. person.name, person.id_number, entity.credit_code."),
    )
    rules = models.JSONField(_("quality rules"), default=dict, blank=True)
    authoritative_department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="authoritative_elements",
        verbose_name=_("authoritative source"),
    )

    class Meta:
        ordering = ["resource", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "code"], name="element_code_unique"),
            models.UniqueConstraint(fields=["resource", "name"], name="element_name_unique"),
        ]
        verbose_name = _("data element")
        verbose_name_plural = _("data elements")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ResourceVersion(models.Model):
    """A published version of a resource: an immutable snapshot of its metadata and elements."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    published_by = models.ForeignKey(
        "identity.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["resource", "-version"]
        constraints = [models.UniqueConstraint(fields=["resource", "version"], name="resource_version_unique")]

    def __str__(self) -> str:
        return f"{self.resource_id} v{self.version}"
