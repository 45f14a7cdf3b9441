"""The BPMN process of each application (ADR 0018): the engine's serialised state, one row per application, and
the steps (user tasks) people are asked to take, which are business data and so live in our own table."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.identity.roles import Role


class ProcessDefinition(models.Model):
    """A BPMN text that applications were started under, by its SHA-256: the case keeps its process even when the
    item's version or the platform's default changes later."""

    digest = models.CharField(max_length=64, primary_key=True)
    process_id = models.CharField(max_length=100)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.process_id} {self.digest[:12]}"


class ApplicationProcess(models.Model):
    """SpiffWorkflow's state of one application's process (without the definition, kept once per item version)."""

    application = models.OneToOneField(
        "services.Application", on_delete=models.CASCADE, primary_key=True, related_name="process"
    )
    process_id = models.CharField(max_length=100)
    digest = models.CharField(max_length=64)  # the ProcessDefinition it runs
    state = models.TextField()
    finished = models.BooleanField(default=False)
    next_timer_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_timer_at"], name="process_timer_due", condition=models.Q(next_timer_at__isnull=False)
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.process_id}"


class StepKind(models.TextChoices):
    ACCEPT = "accept", _("Acceptance (受理)")
    REVIEW = "review", _("Review (审查)")
    DECIDE = "decide", _("Decision (决定)")


class StepStatus(models.TextChoices):
    OPEN = "open", _("Waiting")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Verdict(models.TextChoices):
    AGREE = "agree", _("Agree")
    DISAGREE = "disagree", _("Disagree")


class ApplicationStep(models.Model):
    """A user task of the process: who is asked (role in a department), by when, and what they did."""

    application = models.ForeignKey("services.Application", on_delete=models.CASCADE, related_name="steps")
    task_id = models.CharField(max_length=36)  # the engine's task id
    bpmn_id = models.CharField(max_length=100)
    name = models.CharField(_("step"), max_length=200)
    kind = models.CharField(max_length=8, choices=StepKind.choices)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    countersign = models.PositiveSmallIntegerField(default=0)  # how many must sign (0: one person's step)
    instance = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=StepStatus.choices, default=StepStatus.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(_("stage limit"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    done_by_name = models.CharField(max_length=100, blank=True)
    verdict = models.CharField(max_length=10, choices=Verdict.choices, blank=True)
    opinion = models.TextField(blank=True)

    class Meta:
        ordering = ["application_id", "opened_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["application", "task_id"], name="application_step_task")]
        indexes = [
            models.Index(fields=["department", "role"], name="open_steps", condition=models.Q(status="open")),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.name} ({self.status})"
