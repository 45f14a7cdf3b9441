"""Data sharing and exchange: consumer systems, access requests and grants, data demands, the access log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.fields import EncryptedTextField


class ConsumerStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")


class Consumer(models.Model):
    """A department's system that calls the gateway (X-Road's client subsystem), with its credentials."""

    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="exchange_consumers", verbose_name=_("department")
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    app_key = models.CharField(_("application key"), max_length=40, unique=True)
    secret = EncryptedTextField(_("secret"))
    # After a rotation the previous secret keeps working until `previous_secret_until`, so that the calling
    # system can be switched over without an outage.
    previous_secret = EncryptedTextField(_("previous secret"), blank=True, default="")
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    secret_rotated_at = models.DateTimeField()
    rate_limit = models.PositiveIntegerField(_("rate limit (requests per second)"), default=100)
    status = models.CharField(max_length=10, choices=ConsumerStatus.choices, default=ConsumerStatus.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["department_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="exchange_consumer_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class RequestStatus(models.TextChoices):
    COMPLIANCE = "compliance", _("Awaiting the platform's compliance check")
    SOURCE = "source", _("Awaiting the source department's decision")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AccessRequest(models.Model):
    """A consumer's request for a resource's elements, for a purpose, on a legal basis, for a period."""

    consumer = models.ForeignKey(Consumer, on_delete=models.PROTECT, related_name="requests")
    resource = models.ForeignKey("datahub.Resource", on_delete=models.PROTECT, related_name="access_requests")
    elements = models.JSONField(default=list)
    # Elements the consumer needs in clear, each with the reason (masked otherwise when sensitive).
    clear_elements = models.JSONField(default=dict, blank=True)
    purpose = models.TextField(_("purpose"))
    legal_basis = models.TextField(_("legal basis"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    expected_volume = models.PositiveIntegerField(_("expected calls per day"))
    status = models.CharField(max_length=12, choices=RequestStatus.choices)
    stage_due = models.DateField(_("decision due"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    reminded_on = models.DateField(null=True, blank=True)
    compliance_note = models.TextField(blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["status", "stage_due"], name="exchange_request_due")]

    def __str__(self) -> str:
        return f"{self.consumer_id} → {self.resource_id} ({self.status})"


class Grant(models.Model):
    """What a consumer may read of a resource, until when: the gateway checks every call against these."""

    request = models.OneToOneField(AccessRequest, on_delete=models.PROTECT, related_name="grant")
    consumer = models.ForeignKey(Consumer, on_delete=models.PROTECT, related_name="grants")
    resource = models.ForeignKey("datahub.Resource", on_delete=models.PROTECT, related_name="grants")
    elements = models.JSONField(default=list)
    clear_elements = models.JSONField(default=dict, blank=True)
    valid_from = models.DateField()
    valid_until = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["consumer", "resource"], name="exchange_grant_lookup")]

    def __str__(self) -> str:
        return f"grant {self.pk}: {self.consumer_id} → {self.resource_id}"


class DemandStatus(models.TextChoices):
    TRIAGE = "triage", _("Waiting to be routed")
    ROUTED = "routed", _("With the likely source department")
    ANSWERED = "answered", _("Answered")
    DECLINED = "declined", _("Declined")


class DataDemand(models.Model):
    """数据需求: a department asks for data the catalog does not list yet."""

    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="data_demands")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what is needed"))
    purpose = models.TextField(_("purpose"))
    legal_basis = models.TextField(_("legal basis"), blank=True)
    routed_to = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="routed_demands"
    )
    routing_note = models.CharField(max_length=300, blank=True)
    due = models.DateField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    reminded_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=DemandStatus.choices)
    answer = models.TextField(blank=True)
    resource = models.ForeignKey(
        "datahub.Resource", null=True, blank=True, on_delete=models.SET_NULL, related_name="answered_demands"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class AccessLogEntry(models.Model):
    """One gateway call, refused ones included. Only ever inserted; the sealer chains entries afterwards."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(db_index=True)
    request_id = models.CharField(max_length=36)
    app_key = models.CharField(max_length=64, blank=True)
    consumer_id = models.IntegerField(null=True)  # not a foreign key: the log outlives what it names
    consumer_department_id = models.IntegerField(null=True)
    resource_slug = models.CharField(max_length=64, blank=True)
    resource_id = models.IntegerField(null=True)
    provider_department_id = models.IntegerField(null=True)
    operation = models.CharField(max_length=10)
    elements = models.JSONField(default=list)
    keys_digest = models.CharField(max_length=64, blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    user_id = models.CharField(max_length=64, blank=True)
    case_ref = models.CharField(max_length=128, blank=True)
    result_count = models.IntegerField(default=0)
    status = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=32, blank=True)
    latency_ms = models.FloatField()
    client_ip = models.GenericIPAddressField(null=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["consumer_id", "id"], name="exchange_log_consumer"),
            models.Index(fields=["provider_department_id", "id"], name="exchange_log_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.operation} {self.resource_slug} {self.status}"


class AccessLogSubject(models.Model):
    """A record a call named or returned, by its stored key (a blind index for personal keys)."""

    id = models.BigAutoField(primary_key=True)
    entry = models.ForeignKey(AccessLogEntry, on_delete=models.PROTECT, related_name="subjects", db_constraint=False)
    resource_id = models.IntegerField()
    subject_key = models.CharField(max_length=128)

    class Meta:
        indexes = [models.Index(fields=["resource_id", "subject_key"], name="exchange_log_subject")]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.subject_key}"


class AccessLogSeal(models.Model):
    """A batch of log entries chained with SM3 and signed with the platform's SM2 key."""

    first_entry_id = models.BigIntegerField()
    last_entry_id = models.BigIntegerField()
    entry_count = models.PositiveIntegerField()
    previous_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)
    signature = models.TextField()
    sealed_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"seal {self.pk}: {self.first_entry_id}–{self.last_entry_id}"


class AccessLogLink(models.Model):
    """An entry's place in the chain: SM3(previous link ‖ SM3(entry)). Written by the sealer, never updated."""

    entry_id = models.BigIntegerField(primary_key=True)
    seal = models.ForeignKey(AccessLogSeal, on_delete=models.PROTECT, related_name="links", db_constraint=False)
    chain = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.entry_id} in seal {self.seal_id}"


class AccessLogHead(models.Model):
    """The end of the sealed chain (one row): the sealer locks it, so two sealers never interleave."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_entry_id = models.BigIntegerField(default=0)
    digest = models.CharField(max_length=64, default="0" * 64)
    seal_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"head at {self.last_entry_id}"
