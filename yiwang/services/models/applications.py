"""Applications (办件): one applicant's case under one item version, its status and its history.

Statuses are the national exchange codes 1–15 (../shared/reference/services.md §5.1); 0 is our draft, which is
never exported. Every change is an `ApplicationEvent`: the history is the record. The statutory clock is not
stored as a date but computed from the acceptance date, the working days paused (supplements after acceptance,
special procedures) and the extensions, so that a change of the holiday calendar moves every deadline at once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.IntegerChoices):
    DRAFT = 0, _("Draft")
    RECEIVED = 1, _("Received (已接件)")
    WITHDRAWN = 2, _("Withdrawn (已撤件)")
    ACCEPTED = 3, _("Accepted (已受理)")
    NOT_ACCEPTED = 4, _("Not accepted (不受理)")
    REFUSED = 5, _("Refused with reasons (不予受理)")
    SUPPLEMENT_STARTED = 6, _("Supplement requested (补正开始)")
    SUPPLEMENT_ENDED = 7, _("Supplement answered (补正结束)")
    HANDLING = 8, _("Department handling (部门开始办理)")
    SPECIAL_STARTED = 9, _("Special procedure (特别程序开始)")
    SPECIAL_ENDED = 10, _("Special procedure ended (特别程序结束)")
    APPROVED = 11, _("Approved (办结通过)")
    APPROVED_WITH_TOLERANCE = 12, _("Approved with tolerance (容缺通过)")
    NOT_APPROVED = 13, _("Not approved (办结不通过)")
    RECALLED = 14, _("Recalled by the applicant (撤回)")
    REVOKED = 15, _("Revoked (撤销)")


# Statuses in which the department still has something to do (the inbox, the supervision board).
OPEN_STATUSES = frozenset({1, 3, 6, 7, 8, 9, 10})


class SpecialProcedureKind(models.TextChoices):
    """The procedures whose time is not counted (Administrative Licensing Law art. 45)."""

    HEARING = "hearing", _("Hearing (听证)")
    TENDER = "tender", _("Tender or auction (招标、拍卖)")
    TESTING = "testing", _("Inspection, testing or quarantine (检验、检测、检疫)")
    APPRAISAL = "appraisal", _("Appraisal (鉴定)")
    EXPERT_REVIEW = "expert_review", _("Expert review (专家评审)")
    SITE_VISIT = "site_visit", _("Site verification (现场核查)")


class Application(models.Model):
    """One application. Its item version is fixed when it is created, whatever the catalog publishes later."""

    number = models.CharField(_("application number"), max_length=24, unique=True, null=True, blank=True)
    item_version = models.ForeignKey(
        "services.ItemVersion", on_delete=models.PROTECT, related_name="applications", verbose_name=_("item")
    )
    handling_item = models.ForeignKey(
        "services.HandlingItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications", verbose_name=_("applicant")
    )
    enterprise_id = models.IntegerField(null=True, blank=True)  # set when an agent applies for an enterprise
    status = models.PositiveSmallIntegerField(
        _("status"), choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    form_data = models.JSONField(_("form"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("received at"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    # The clock, as facts rather than a stored deadline: closed pauses as [from, to] ISO dates, the day the
    # running pause began, and the working days added by extensions (see `applications.clock`).
    pauses = models.JSONField(default=list, blank=True)
    paused_since = models.DateField(null=True, blank=True)
    extension_days = models.PositiveIntegerField(default=0)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    # 结果证照编号: the identifier of the e-license the approval issued (set by the licenses app).
    result_license = models.CharField(_("result license"), max_length=120, blank=True)
    warned_level = models.PositiveSmallIntegerField(default=0)  # the supervision warning level already mailed
    # The inbox's sort key, kept by every step: the art. 32 supplement deadline while received, the promised
    # deadline once accepted, empty when closed. Shown deadlines are still computed when read (`clock`).
    urgent_on = models.DateField(null=True, blank=True)
    bundle_application = models.ForeignKey(
        "services.BundleApplication",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("bundle application"),
    )  # set when the application is one item of a bundle (一件事一次办)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["department", "status"], name="application_inbox"),
            models.Index(
                fields=["department", "urgent_on", "number"],
                name="application_urgent",
                condition=models.Q(status__in=[1, 3, 6, 7, 8, 9, 10]),  # OPEN_STATUSES
            ),
            models.Index(fields=["applicant", "-created_at"], name="application_mine"),
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return self.number or f"draft {self.pk}"


class ApplicationEvent(models.Model):
    """One step of an application: who, when, what, with the opinion given (the national 过程信息)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=32)
    status = models.PositiveSmallIntegerField(
        _("status"), choices=ApplicationStatus.choices, null=True, blank=True
    )  # the status the step set, if it set one
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_name = models.CharField(_("by"), max_length=100, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    opinion = models.TextField(_("opinion"), blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["application_id", "at", "id"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"


class ApplicationCounter(models.Model):
    """The last application number given on one day in one division (numbers are dense and never reused)."""

    prefix = models.CharField(max_length=14, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}:{self.last}"
