"""12345 hotline cases and grid events (工单/诉求), their routing, time limits, follow-up and knowledge base.

A case is dispatched to units through assignments (主办 one, 协办 any); every step is a `CaseEvent`. Time limits
are working days (`TimeLimitRule`), turned into due times when the case is dispatched and signed for. The
reporter's contact is encrypted, with a blind index so that the caller's earlier cases can be found.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiwang.core.fields import EncryptedTextField


class CaseType(models.TextChoices):
    """诉求类型."""

    CONSULTATION = "consultation", _("Consultation")  # 咨询
    HELP = "help", _("Request for help")  # 求助
    COMPLAINT = "complaint", _("Complaint")  # 投诉
    REPORT = "report", _("Report of wrongdoing")  # 举报
    SUGGESTION = "suggestion", _("Suggestion")  # 建议
    PRAISE = "praise", _("Praise")  # 表扬


class Channel(models.TextChoices):
    """受理渠道."""

    PHONE = "phone", _("Hotline call")
    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311")
    GRID = "grid", _("Grid worker")


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("Awaiting dispatch")  # 待派单
    DISPATCHED = "dispatched", _("Awaiting signature")  # 待签收
    IN_PROGRESS = "in_progress", _("Being handled")  # 办理中
    RETURN_REQUESTED = "return_requested", _("Return under review")  # 退单审核中
    CONCLUDED = "concluded", _("Concluded, awaiting follow-up")  # 已办结（待回访）
    CLOSED = "closed", _("Closed")  # 已回访归档
    MERGED = "merged", _("Merged into another case")  # 已并单


OPEN_STATUSES = (
    CaseStatus.RECEIVED,
    CaseStatus.DISPATCHED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.RETURN_REQUESTED,
)


class CaseCategory(models.Model):
    """A class of the multi-level coded taxonomy (诉求分类): two digits per level, '01' → '0103' → '010302'."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    description = models.TextField(_("description"), blank=True)
    keywords = models.TextField(_("keywords"), blank=True)  # words people use for it, one per line
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TimeLimitRule(models.Model):
    """办理时限: working days to sign for and to conclude a case of a type and category (either may be blank: any).

    The most specific row wins: type and category, then category, then type, then the default row."""

    case_type = models.CharField(_("case type"), max_length=20, choices=CaseType.choices, blank=True)
    category = models.ForeignKey(
        CaseCategory, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("category")
    )  # a heading covers its subcategories
    sign_days = models.PositiveSmallIntegerField(_("sign within (working days)"), default=1)
    handle_days = models.PositiveSmallIntegerField(_("conclude within (working days)"))
    warning_days = models.PositiveSmallIntegerField(_("warn this many working days before"), default=1)

    class Meta:
        ordering = ["case_type", "category__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_type", "category"], name="cases_time_limit_once", nulls_distinct=False
            ),
        ]
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")

    def __str__(self) -> str:
        return f"{self.case_type or '*'} {self.category_id or '*'}: {self.handle_days}"


class LeadKind(models.TextChoices):
    """Who leads a matter of the catalogue: a named unit, or the locality of the case (属地)."""

    DEPARTMENT = "department", _("The named unit")
    STREET = "street", _("The street office of the place (属地)")
    DISTRICT = "district", _("The district government of the place (属地)")


class DispatchRule(models.Model):
    """派单目录: a category in an area → the lead unit and the co-units, with the basis in the units' lists."""

    category = models.ForeignKey(
        CaseCategory, on_delete=models.CASCADE, related_name="dispatch_rules", verbose_name=_("category")
    )  # a heading covers its subcategories that have no row of their own
    division = models.ForeignKey(
        "org.Division",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("area"),
    )  # empty: the whole city; a district or street covers the places inside it
    lead_kind = models.CharField(_("lead"), max_length=12, choices=LeadKind.choices, default=LeadKind.DEPARTMENT)
    lead_department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lead unit"),
    )
    co_departments = models.ManyToManyField("org.Department", blank=True, related_name="+", verbose_name=_("co-units"))
    basis = models.CharField(_("basis"), max_length=300, blank=True)  # 三定 / 权责清单 / 履职事项清单 item
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["category__code", "division__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "division"], name="cases_dispatch_rule_once", nulls_distinct=False
            ),
        ]
        verbose_name = _("dispatch catalogue entry")
        verbose_name_plural = _("dispatch catalogue")

    def __str__(self) -> str:
        return f"{self.category_id} @ {self.division_id or '*'}"


class Responsibility(models.Model):
    """An entry of a unit's responsibility list (职责清单 / 权责清单 / 履职事项清单): what the router knows about a unit
    before any case has been dispatched."""

    department = models.ForeignKey("org.Department", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    title = models.CharField(_("matter"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["department_id", "id"]
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibility lists")

    def __str__(self) -> str:
        return self.title


class GridCell(models.Model):
    """单元网格: the smallest unit of grid management, inside a community."""

    code = models.CharField(_("code"), max_length=16, unique=True)  # community code + 2 digits
    name = models.CharField(_("name"), max_length=100)
    division = models.ForeignKey(
        "org.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    description = models.CharField(_("boundaries"), max_length=300, blank=True)
    workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="grid_cells", verbose_name=_("grid workers")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("grid cell")
        verbose_name_plural = _("grid cells")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Case(models.Model):
    """工单: a hotline request or a grid event."""

    number = models.CharField(_("number"), max_length=20, unique=True)  # YYYYMMDD + 6 digits
    case_type = models.CharField(pgettext_lazy("case", "type"), max_length=20, choices=CaseType.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    category = models.ForeignKey(
        CaseCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=100)
    content = models.TextField(_("content"))
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.RECEIVED)
    # Where.
    division = models.ForeignKey(
        "org.Division", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("division")
    )
    grid_cell = models.ForeignKey(
        GridCell, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("grid cell")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    # Who. The contact is personal data: encrypted, found by its blind index.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_cases",
        verbose_name=_("reporter account"),
    )
    contact_name = EncryptedTextField(_("contact name"), blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), blank=True)
    contact_phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    hide_reporter = models.BooleanField(_("hide the reporter from the handling units"), default=False)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("received by"),
    )  # the operator or grid worker who took it in
    # Routing.
    lead_department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lead unit"),
    )  # the current 主办单位
    suggested = models.JSONField(_("routing suggestion"), default=dict, blank=True)  # what the router proposed
    # Clocks (set at dispatch and kept by every step; the due times are end of working days).
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    sign_due_at = models.DateTimeField(_("sign by"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)  # the lead unit's first signature
    due_at = models.DateTimeField(_("conclude by"), null=True, blank=True, db_index=True)
    warn_at = models.DateTimeField(_("warn from"), null=True, blank=True)
    extended_days = models.PositiveSmallIntegerField(_("extension granted (working days)"), default=0)
    # The clock counted days of a year whose holiday schedule was not published: counted again once it is.
    due_provisional = models.BooleanField(_("time limit provisional"), default=False)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    # Outcome.
    reply = models.TextField(_("reply to the reporter"), blank=True)
    concluded_directly = models.BooleanField(_("concluded by the operator"), default=False)  # 直接办结
    resolved_on_spot = models.BooleanField(_("resolved on the spot by the grid worker"), default=False)  # 自处置
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
        verbose_name=_("merged into"),
    )
    return_count = models.PositiveSmallIntegerField(_("times returned"), default=0)
    # Open311.
    open311_token = models.CharField(max_length=40, blank=True, db_index=True)
    service_notice = models.CharField(pgettext_lazy("case", "notice"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="cases_case_status_due"),
            models.Index(fields=["lead_department", "status"], name="cases_case_lead_status"),
            models.Index(fields=["category", "received_at"], name="cases_case_category_time"),
            models.Index(fields=["division", "received_at"], name="cases_case_division_time"),
        ]
        verbose_name = pgettext_lazy("case", "case")
        verbose_name_plural = pgettext_lazy("case", "cases")

    def __str__(self) -> str:
        return self.number


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead unit")  # 主办
    CO = "co", _("Co-unit")  # 协办


class AssignmentStatus(models.TextChoices):
    WAITING = "waiting", _("Awaiting signature")
    SIGNED = "signed", _("Signed for")
    REPLIED = "replied", _("Replied")
    RETURNED = (
        "returned",
        pgettext_lazy("case", "Returned"),
    )  # 退单 accepted, or the dispatcher moved the case elsewhere
    CLOSED = "closed", _("Closed")


class CaseAssignment(models.Model):
    """A unit's part in a case: 主办 or 协办, with its own signature and reply. Kept after a reassignment."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="assignments", verbose_name=pgettext_lazy("case", "case")
    )
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    role = models.CharField(_("role"), max_length=4, choices=AssignmentRole.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=AssignmentStatus.choices, default=AssignmentStatus.WAITING
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), default=timezone.now)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sign_due_at = models.DateTimeField(_("sign by"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    active = models.BooleanField(_("current"), default=True)

    class Meta:
        ordering = ["case_id", "-active", "role", "dispatched_at"]
        indexes = [models.Index(fields=["department", "active", "status"], name="cases_assignment_unit")]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.department_id}:{self.role}"


class EventKind(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("case", "Received")  # 受理
    CATEGORISED = "categorised", _("Categorised")
    DISPATCHED = "dispatched", pgettext_lazy("case", "Dispatched")  # 派单
    SIGNED = "signed", _("Signed for")  # 签收
    NOTE = "note", _("Progress note")
    CO_REPLIED = "co_replied", _("Co-unit replied")
    RETURN_REQUESTED = "return_requested", _("Return requested")  # 退单
    RETURN_REJECTED = "return_rejected", _("Return rejected")  # 派单异议审核: 驳回
    REASSIGNED = "reassigned", _("Reassigned")  # 改派
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENSION_APPROVED = "extension_approved", _("Extension approved")
    EXTENSION_REFUSED = "extension_refused", _("Extension refused")
    CONCLUDED = "concluded", _("Concluded")  # 办结
    CONCLUDED_DIRECTLY = "concluded_directly", _("Concluded by the operator")  # 直接办结
    RESOLVED_ON_SPOT = "resolved_on_spot", _("Resolved on the spot")  # 自处置
    WARNED = "warned", _("Time limit near")
    RECOUNTED = "recounted", _("Time limit counted again")  # after the year's holiday schedule was published
    ESCALATED = "escalated", _("Escalated")  # 督办
    FOLLOWED_UP = "followed_up", _("Followed up")  # 回访
    REOPENED = "reopened", _("Reopened")  # 重办
    MERGED = "merged", _("Merged")  # 并单
    ATTACHED = "attached", _("File attached")


class CaseEvent(models.Model):
    """One step of a case: who, when, what was said."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="events", verbose_name=pgettext_lazy("case", "case")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # empty: the platform
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # the unit the actor acted for
    text = models.TextField(_("text"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    public = models.BooleanField(default=False)  # shown to the reporter (and in Open311 notes)

    class Meta:
        ordering = ["case_id", "at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}"


class Decision(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", pgettext_lazy("case decision", "Approved")
    REFUSED = "refused", pgettext_lazy("case decision", "Refused")


class CaseReturn(models.Model):
    """退单: a unit says the case is not its job, with the basis; a dispatcher reviews (派单异议审核)."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="returns", verbose_name=pgettext_lazy("case", "case")
    )
    assignment = models.ForeignKey(CaseAssignment, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"))
    basis = models.CharField(_("basis"), max_length=300, blank=True)
    suggested_department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Empty only for a return imported from an earlier system's history, which names no person.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("return")
        verbose_name_plural = _("returns")

    def __str__(self) -> str:
        return f"{self.case_id}: return by {self.assignment_id}"


class CaseExtension(models.Model):
    """延期: the lead unit asks for more working days before the limit; a dispatcher decides."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="extensions", verbose_name=pgettext_lazy("case", "case")
    )
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    days = models.PositiveSmallIntegerField(_("working days"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self) -> str:
        return f"{self.case_id}: +{self.days}"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASICALLY = "basically", _("Basically satisfied")  # 基本满意
    UNSATISFIED = "unsatisfied", _("Not satisfied")  # 不满意


class CaseFollowUp(models.Model):
    """回访 after conclusion: resolved or not, and how satisfied. 'Not satisfied' reopens the case (重办)."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=pgettext_lazy("case", "case")
    )
    resolved = models.BooleanField(pgettext_lazy("case", "resolved"))
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # the operator who called back, or the reporter online
    at = models.DateTimeField(default=timezone.now)
    lead_department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # the unit assessed by this answer

    class Meta:
        ordering = ["case_id", "at"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.satisfaction}"


class Escalation(models.Model):
    """督办: a level of supervision of a late case, by the platform's sweep or by a supervisor."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="escalations", verbose_name=pgettext_lazy("case", "case")
    )
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(pgettext_lazy("case", "level"))
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case_id", "level"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")

    def __str__(self) -> str:
        return f"{self.case_id}: level {self.level}"


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    EVIDENCE = "evidence", _("Evidence of the result")
    DOCUMENT = "document", _("Document")


class CaseAttachment(models.Model):
    """A photo or file of a case, kept through Django's storage."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=pgettext_lazy("case", "case")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices, default=AttachmentKind.PHOTO)
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    from_reporter = models.BooleanField(default=True)

    class Meta:
        ordering = ["case_id", "uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class KnowledgeArticle(models.Model):
    """知识库: a policy answer operators read out and citizens find on the portal, valid between two dates."""

    title = models.CharField(_("title"), max_length=200)
    question = models.TextField(_("question"), blank=True)  # how people ask it
    answer = models.TextField(_("answer"))
    category = models.ForeignKey(
        CaseCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("case", "source department"),
    )
    basis = models.CharField(_("policy basis"), max_length=300, blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    effective_from = models.DateField(_("effective from"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)  # empty: until withdrawn
    published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge base")

    def __str__(self) -> str:
        return self.title


class RouterModel(models.Model):
    """A trained routing model (text → unit and category), kept in the database so every process loads the same."""

    created_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20)  # "cold_start" or "trained"
    examples = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(default=dict, blank=True)
    payload = models.BinaryField()  # the fitted pipeline, serialised by the routing package
    digest = models.CharField(max_length=64)  # the payload's keyed seal (HMAC-SM3), checked before loading
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("routing model")
        verbose_name_plural = _("routing models")

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class RoutingFeedback(models.Model):
    """What the dispatcher chose against what the router proposed: the training data of the next model."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    proposed_department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_department = models.ForeignKey("org.Department", on_delete=models.CASCADE, related_name="+")
    proposed_category = models.ForeignKey(
        CaseCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_category = models.ForeignKey(
        CaseCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.chosen_department_id}"


class Open311Client(models.Model):
    """A system allowed to POST requests through Open311 with its api_key (stored as a digest)."""

    name = models.CharField(_("name"), max_length=100)
    key_digest = models.CharField(max_length=64, unique=True)
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # who answers for it
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")

    def __str__(self) -> str:
        return self.name


class PhoneChallenge(models.Model):
    """A code sent by SMS to an anonymous reporter's phone; the case is taken once it is entered."""

    phone_index = models.CharField(max_length=64, db_index=True)
    code_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    used = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"challenge {self.pk}"
