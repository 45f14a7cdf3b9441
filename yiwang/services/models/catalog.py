"""The service item catalog (政务服务事项): items, their versions, handling items, materials and fees.

An item (`ServiceItem`) is one entry of a department's implementation list (实施清单), identified by its
implementation code (实施编码, `task_code`) and carrying the basic catalog code (基本编码, `catalog_code`) it
implements. Everything a citizen reads in the service guide lives in an `ItemVersion`: a draft is edited, a
published version never changes again, and a new draft starts from the published one. Field names follow the
national exchange schema `up_task_general_basic` (../shared/reference/services.md §3.1).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ItemType(models.TextChoices):
    """事项类型, the national codes (reference/services.md §2)."""

    LICENSING = "01", _("Administrative licensing (行政许可)")
    PENALTY = "02", _("Administrative penalty (行政处罚)")
    COERCION = "03", _("Administrative coercion (行政强制)")
    LEVY = "04", _("Administrative levy (行政征收)")
    PAYMENT = "05", _("Administrative payment (行政给付)")
    INSPECTION = "06", _("Administrative inspection (行政检查)")
    CONFIRMATION = "07", _("Administrative confirmation (行政确认)")
    REWARD = "08", _("Administrative reward (行政奖励)")
    ADJUDICATION = "09", _("Administrative adjudication (行政裁决)")
    OTHER_POWER = "10", _("Other administrative power (其他行政权力)")
    PUBLIC_SERVICE = "20", _("Public service (公共服务)")


class PowerSource(models.TextChoices):
    """权力来源."""

    STATUTORY = "1", _("Exercised at this level by law")
    DELEGATED_DOWN = "2", _("Devolved by the level above")
    AUTHORISED_ABOVE = "3", _("Authorised by the level above")
    AUTHORISED_PEER = "4", _("Authorised by a department of the same level")
    ENTRUSTED_ABOVE = "5", _("Entrusted by the level above")
    ENTRUSTED_PEER = "6", _("Entrusted by a department of the same level")


class ExerciseLevel(models.TextChoices):
    """行使层级."""

    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    MUNICIPAL = "municipal", _("Municipal")
    COUNTY = "county", _("County or district")
    TOWNSHIP = "township", _("Township or street")
    VILLAGE = "village", _("Village or community")


class ProjectType(models.TextChoices):
    """办件类型: answered on the spot, or within a promised limit."""

    IMMEDIATE = "immediate", _("Answered on the spot (即办件)")
    PROMISED = "promised", _("Answered within a promised limit (承诺件)")


class LimitUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    NATURAL_DAYS = "natural_days", _("calendar days")


class ServiceObject(models.TextChoices):
    """服务对象."""

    PERSON = "person", _("Natural persons")
    ENTERPRISE = "enterprise", _("Legal persons and other organisations")
    BOTH = "both", _("Natural and legal persons")


class OnlineDepth(models.TextChoices):
    """网上办理深度."""

    INFORMATION = "1", _("Level 1: guide published online")
    PRE_REVIEW = "2", _("Level 2: materials pre-reviewed online")
    ONLINE_ACCEPTANCE = "3", _("Level 3: accepted and handled online, result collected in person")
    FULLY_ONLINE = "4", _("Level 4: fully online, result delivered")


class ResultType(models.TextChoices):
    LICENSE = "license", _("Certificate or license")
    APPROVAL = "approval", _("Approval document")
    OTHER = "other", _("Other result")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")
    RETIRED = "retired", _("Retired")


class MaterialForm(models.TextChoices):
    PAPER = "paper", _("Paper")
    ELECTRONIC = "electronic", _("Electronic")
    EITHER = "either", _("Paper or electronic")


class MaterialSource(models.TextChoices):
    """来源渠道: where the material comes from. Licenses and registry data are fetched, never asked for (免提交)."""

    APPLICANT = "applicant", _("Provided by the applicant")
    LICENSE = "license", _("Fetched from the applicant's e-licenses")
    REGISTRY = "registry", _("Fetched from a base registry")
    DEPARTMENT = "department", _("Produced by the handling department")


class ServiceItem(models.Model):
    """An item of a department's implementation list, the same item through all its versions."""

    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="service_items", verbose_name=_("implementing body")
    )
    catalog_code = models.CharField(_("basic code (基本编码)"), max_length=12, db_index=True)
    task_code = models.CharField(_("implementation code (实施编码)"), max_length=36, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["task_code"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")

    def __str__(self) -> str:
        return self.task_code


class ItemVersion(models.Model):
    """What the service guide says about an item at one version. Published versions are never changed."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    name = models.CharField(_("item name"), max_length=200)
    item_type = models.CharField(_("item type"), max_length=2, choices=ItemType.choices)
    legal_basis = models.TextField(_("legal basis (设定依据)"))
    power_source = models.CharField(
        _("power source"), max_length=1, choices=PowerSource.choices, default=PowerSource.STATUTORY
    )
    exercise_level = models.CharField(_("exercise level"), max_length=12, choices=ExerciseLevel.choices)
    service_object = models.CharField(_("served"), max_length=12, choices=ServiceObject.choices)
    project_type = models.CharField(_("kind of case"), max_length=10, choices=ProjectType.choices)
    statutory_limit = models.PositiveSmallIntegerField(_("statutory limit"))
    statutory_unit = models.CharField(
        _("unit of the statutory limit"), max_length=14, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    promised_limit = models.PositiveSmallIntegerField(_("promised limit"))
    promised_unit = models.CharField(
        _("unit of the promised limit"), max_length=14, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    acceptance_conditions = models.TextField(_("acceptance conditions"), blank=True)
    handling_place = models.TextField(_("where to apply"), blank=True)
    handling_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    consult_phone = models.CharField(_("enquiries"), max_length=100, blank=True)
    complaint_phone = models.CharField(_("complaints"), max_length=100, blank=True)
    online_depth = models.CharField(_("online depth"), max_length=1, choices=OnlineDepth.choices)
    visits = models.PositiveSmallIntegerField(_("visits needed"), default=0)
    result_type = models.CharField(_("result type"), max_length=10, choices=ResultType.choices)
    result_name = models.CharField(_("result"), max_length=200, blank=True)
    # For a license result: the license type's code (GB/T 36904); approval issues that license (licenses app).
    result_license_type = models.CharField(_("result license type"), max_length=21, blank=True)
    # The application form as JSON Schema text (an object's properties, required ones listed); "" asks nothing.
    # Text, not jsonb: PostgreSQL's jsonb reorders keys, and the order of the properties is the form's order.
    form_json = models.TextField(_("application form"), blank=True, default="")
    # The BPMN 2.0 process (ADR 0018); "" runs the platform's default for the kind of case (即办件 or 承诺件).
    process_bpmn = models.TextField(_("process (BPMN 2.0)"), blank=True, default="")
    search_text = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["item_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="item_version_number_unique"),
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(status="published"), name="item_one_published_version"
            ),
            models.UniqueConstraint(fields=["item"], condition=models.Q(status="draft"), name="item_one_draft"),
        ]
        verbose_name = _("item version")
        verbose_name_plural = _("item versions")

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number} {self.name}"

    @property
    def form_schema(self) -> dict[str, Any]:
        """The application form as a JSON Schema object, its properties in the order the department gave."""
        loaded: dict[str, Any] = json.loads(self.form_json) if self.form_json else {}
        return loaded


class HandlingItem(models.Model):
    """业务办理项: the situation a citizen actually applies for (new, change, renewal, cancellation…)."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="handling_items")
    position = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(_("handling-item code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["version_id", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="handling_item_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Material(models.Model):
    """A material the application needs, and where it comes from."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("material"), max_length=200)
    required = models.BooleanField(_("required"), default=True)
    form = models.CharField(_("form"), max_length=10, choices=MaterialForm.choices, default=MaterialForm.EITHER)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    source = models.CharField(_("source"), max_length=12, choices=MaterialSource.choices)
    # For a license: the license type's code; for a registry: "resource-slug:element_code" (e.g. population:name).
    source_reference = models.CharField(_("fetched from"), max_length=100, blank=True)
    legal_basis = models.TextField(_("why it is required"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["version_id", "position"]

    def __str__(self) -> str:
        return self.name


class Fee(models.Model):
    """A fee the item charges, with its standard and its basis; an item without fees is free."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="fees")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("fee"), max_length=200)
    standard = models.CharField(_("standard"), max_length=300)
    legal_basis = models.TextField(_("basis"))
    reducible = models.BooleanField(_("may be reduced or waived"), default=False)

    class Meta:
        ordering = ["version_id", "position"]

    def __str__(self) -> str:
        return self.name
