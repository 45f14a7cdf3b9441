"""Ratings of services (好差评): the applicant's rating of an application's acceptance, supplement notice or
conclusion, the rectification a bad rating opens, the department's appeal against a mistaken or malicious rating,
and the rectification deadline per department.

After 国办发〔2019〕51号 (../shared/reference/services.md §8): five levels, the national indicator sets of online
(一事一评) and on-site (一次一评) service, every bad rating (差评: 不满意, 非常不满意) rectified by the department that
handled the case (谁办理、谁负责) and visited again, and an appeal (申诉复核) by which the platform removes a rating
found mistaken or malicious. A removed rating stays in the database; it no longer counts in the statistics.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RatingLevel(models.IntegerChoices):
    """The five national levels, best first; 4 and 5 are bad ratings (差评)."""

    VERY_SATISFIED = 1, _("Very satisfied (非常满意)")
    SATISFIED = 2, _("Satisfied (满意)")
    BASICALLY_SATISFIED = 3, _("Basically satisfied (基本满意)")
    DISSATISFIED = 4, _("Dissatisfied (不满意)")
    VERY_DISSATISFIED = 5, _("Very dissatisfied (非常不满意)")


BAD_LEVELS = frozenset({RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED})


class RatedEvent(models.TextChoices):
    """The service events of an application that the applicant may rate, each once."""

    ACCEPTANCE = "acceptance", _("Acceptance (受理)")
    SUPPLEMENT = "supplement", _("Supplement notice (补正)")
    CONCLUSION = "conclusion", _("Conclusion (办结)")


class RatingChannel(models.TextChoices):
    ONLINE = "online", _("Online service (网上服务)")
    ONSITE = "onsite", _("On-site service (现场服务)")


# The national evaluation indicators per channel (provincial copy of the national spec, reference §8). Each is
# scored on the same five levels as the rating itself.
ONLINE_INDICATORS: dict[str, str] = {
    "overall": "整体满意度",
    "efficiency": "办事效率",
    "guide_accuracy": "办事指南精确度",
    "convenience": "办事便捷度",
    "usability": "平台操作性",
}
ONSITE_INDICATORS: dict[str, str] = {
    "overall": "整体满意度",
    "efficiency": "服务效率",
    "service_level": "服务水平",
    "attitude": "服务态度",
}
INDICATORS: dict[str, dict[str, str]] = {
    RatingChannel.ONLINE: ONLINE_INDICATORS,
    RatingChannel.ONSITE: ONSITE_INDICATORS,
}
COMMENT_LIMIT = 500


class Rating(models.Model):
    """One rating of one service event of an application."""

    application = models.ForeignKey(
        "services.Application", on_delete=models.PROTECT, related_name="ratings", verbose_name=_("application")
    )
    event = models.CharField(_("service rated"), max_length=16, choices=RatedEvent.choices)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("rated by")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=RatingLevel.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=RatingChannel.choices)
    indicators = models.JSONField(_("indicator scores"), default=dict, blank=True)  # code → level 1–5
    comment = models.CharField(_("comment"), max_length=COMMENT_LIMIT, blank=True)
    rated_at = models.DateTimeField(_("rated at"), default=timezone.now)
    removed = models.BooleanField(_("removed on appeal"), default=False)
    removed_reason = models.TextField(_("reason for removal"), blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "event"], name="rating_once_per_event"),
        ]
        indexes = [models.Index(fields=["rated_at"], name="rating_rated_at")]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self) -> str:
        return f"{self.application_id} {self.event} {self.level}"


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("Open (待整改)")
    ANSWERED = "answered", _("Answered, awaiting the return visit (已整改)")
    CLOSED = "closed", _("Closed after the return visit (已回访)")
    CANCELLED = "cancelled", _("Cancelled: the rating was removed on appeal")


class VisitView(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    NOT_SATISFIED = "not_satisfied", _("Not satisfied")


class Rectification(models.Model):
    """The handling department's task after a bad rating: answer by the due date, then a return visit closes it."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    due_on = models.DateField(_("due on"))
    due_provisional = models.BooleanField(default=False)  # the calendar of a year involved was not published
    answer = models.TextField(_("the department's answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visited_at = models.DateTimeField(_("return visit at"), null=True, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visit_view = models.CharField(_("the applicant's view"), max_length=16, choices=VisitView.choices, blank=True)
    visit_notes = models.TextField(_("return visit notes"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["department", "status"], name="rectification_inbox")]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")

    def __str__(self) -> str:
        return f"{self.rating_id} {self.status}"


class AppealGrounds(models.TextChoices):
    MISTAKEN = "mistaken", _("Mistaken rating (误评)")
    MALICIOUS = "malicious", _("Malicious rating (恶意差评)")


class AppealDecision(models.TextChoices):
    PENDING = "", _("Pending")
    UPHELD = "upheld", _("Rating upheld")
    REMOVED = "removed", _("Rating removed")


class RatingAppeal(models.Model):
    """The department's appeal against a bad rating (申诉复核), decided by the platform."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="appeal")
    grounds = models.CharField(_("grounds"), max_length=12, choices=AppealGrounds.choices)
    text = models.TextField(_("statement"))
    appealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("appealed by")
    )
    appealed_at = models.DateTimeField(_("appealed at"), default=timezone.now)
    decision = models.CharField(
        _("decision"), max_length=8, choices=AppealDecision.choices, default=AppealDecision.PENDING, blank=True
    )
    reasons = models.TextField(_("reasons for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["appealed_at", "id"]
        verbose_name = _("rating appeal")
        verbose_name_plural = _("rating appeals")

    def __str__(self) -> str:
        return f"{self.rating_id} {self.decision or 'pending'}"


class RatingRule(models.Model):
    """The rectification deadline of one department, or the platform's default (no department).

    No national number exists; local rules range from 5 working days (Dezhou) to 15 (a Sichuan city)."""

    department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("department"),
    )
    rectification_days = models.PositiveSmallIntegerField(_("working days to rectify a bad rating"), default=5)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [
            # One rule per department and one default: NULLs are distinct in a plain unique index, 0 is not.
            models.UniqueConstraint(Coalesce("department", models.Value(0)), name="rating_one_rule_each"),
        ]
        verbose_name = _("rating rule")
        verbose_name_plural = _("rating rules")

    def __str__(self) -> str:
        return f"{self.department_id or 'default'}"
