"""Reading applications: the applicant's list, the department's inbox with deadlines, one application's history,
and the national exchange layout of a case (受理, 过程, 特别程序, 结果)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.calendar.selectors import CalendarSnapshot
from yiwang.core.errors import NotFound
from yiwang.identity.roles import Role, UserKind
from yiwang.identity.selectors import can_act_for
from yiwang.services.applications.clock import Clock, application_clock, supplement_deadline
from yiwang.services.models import (
    Application,
    ApplicationEvent,
    ApplicationMaterial,
    ApplicationStatus,
    ApplicationStep,
    MaterialSource,
    ProjectType,
    StepStatus,
)
from yiwang.services.models.applications import OPEN_STATUSES

S = ApplicationStatus
OPEN = OPEN_STATUSES
STATUS_LABELS = dict(ApplicationStatus.choices)


@dataclass(frozen=True)
class ApplicationSummary:
    id: int
    number: str
    task_code: str
    item_name: str
    version: int
    department: str
    status: int
    status_label: str
    submitted_at: datetime.datetime | None
    accepted_on: datetime.date | None
    concluded_at: datetime.datetime | None
    clock: Clock | None
    supplement_deadline: datetime.date | None  # received, not accepted: the art. 32 window


def _summary(
    application: Application, today: datetime.date, snapshot: CalendarSnapshot | None = None
) -> ApplicationSummary:
    version = application.item_version
    waiting = application.accepted_on is None and application.status == S.RECEIVED
    return ApplicationSummary(
        id=application.pk,
        number=application.number or "",
        task_code=version.item.task_code,
        item_name=version.name,
        version=version.number,
        department=application.department.name,
        status=application.status,
        status_label=str(STATUS_LABELS[application.status]),
        submitted_at=application.submitted_at,
        accepted_on=application.accepted_on,
        concluded_at=application.concluded_at,
        clock=application_clock(application, today=today, snapshot=snapshot) if application.status in OPEN else None,
        supplement_deadline=supplement_deadline(application, snapshot=snapshot) if waiting else None,
    )


def application_summary(
    application: Application, *, today: datetime.date | None = None, snapshot: CalendarSnapshot | None = None
) -> ApplicationSummary:
    """One application as lists show it, with its clock as of `today` (one calendar `snapshot` for many)."""
    return _summary(application, today or timezone.localdate(), snapshot)


def _base() -> QuerySet[Application]:
    return Application.objects.select_related("item_version", "item_version__item", "department")


def applications_of(*, actor: Any, today: datetime.date | None = None) -> list[ApplicationSummary]:
    """The actor's own applications and those of the enterprises they act for, newest first."""
    today = today or timezone.localdate()
    if actor is None or getattr(actor, "kind", None) != UserKind.CITIZEN:
        return []
    condition = Q(applicant=actor)
    enterprises = [
        enterprise_id
        for enterprise_id in Application.objects.filter(enterprise_id__isnull=False)
        .values_list("enterprise_id", flat=True)
        .distinct()
        if enterprise_id is not None and can_act_for(actor, enterprise_id)
    ]
    if enterprises:
        condition |= Q(enterprise_id__in=enterprises)
    snapshot = CalendarSnapshot()
    return [_summary(application, today, snapshot) for application in _base().filter(condition)]


INBOX_PAGE = 50


def _inbox(actor: Any, status: int | None) -> QuerySet[Application]:
    if actor is None or getattr(actor, "kind", None) != UserKind.STAFF:
        return Application.objects.none()
    queryset = Application.objects.filter(department_id=actor.department_id, status__in=OPEN)
    return queryset.filter(status=status) if status is not None else queryset


def department_inbox(
    *, actor: Any, status: int | None = None, page: int = 1, today: datetime.date | None = None
) -> list[ApplicationSummary]:
    """A page of the open applications of the actor's department, the most urgent first: received ones by their
    art. 32 window, accepted ones by their promised deadline (the stored sort key; the clocks shown are computed
    now, for the page only)."""
    today = today or timezone.localdate()
    start = (max(page, 1) - 1) * INBOX_PAGE
    ordered = _inbox(actor, status).order_by(F("urgent_on").asc(nulls_last=True), "number")
    rows = ordered.select_related("item_version", "item_version__item", "department")[start : start + INBOX_PAGE]
    snapshot = CalendarSnapshot()  # the calendar read once for the page
    return [_summary(application, today, snapshot) for application in rows]


def department_inbox_count(*, actor: Any, status: int | None = None) -> int:
    """How many open applications the actor's department has (in one status)."""
    return _inbox(actor, status).count()


def steps_waiting_for(*, actor: Any, limit: int = INBOX_PAGE) -> list[ApplicationStep]:
    """The open process steps the actor may take — their department's, for their roles — stage limit first.
    This is how a department that reviews another department's applications finds them."""
    if actor is None or getattr(actor, "kind", None) != UserKind.STAFF or actor.department_id is None:
        return []
    roles = {role for role in (Role.CLERK, Role.REVIEWER, Role.APPROVER) if actor.has_role(role)}
    if Role.APPROVER in roles:
        roles.add(Role.REVIEWER)  # an approver may stand in for a reviewer
    return list(
        ApplicationStep.objects.filter(status=StepStatus.OPEN, department_id=actor.department_id, role__in=roles)
        .select_related("application", "application__item_version", "department")
        .order_by(F("due_on").asc(nulls_last=True), "opened_at", "pk")[:limit]
    )


def can_see(actor: Any, application: Application) -> bool:
    """The applicant (or an agent of the enterprise); once submitted, also the handling department's staff and the
    platform's administrators."""
    if actor is None or actor.pk is None:
        return False
    if application.applicant_id == actor.pk:
        return True
    if getattr(actor, "kind", None) == UserKind.CITIZEN:
        return application.enterprise_id is not None and can_act_for(actor, application.enterprise_id)
    if application.status == ApplicationStatus.DRAFT:
        return False  # a draft is the applicant's own until it is submitted
    if actor.has_role(Role.PLATFORM_ADMIN):
        return True
    if actor.department_id == application.department_id:
        return True
    # A department its process asked a step of (a review in parallel, a countersign) sees it too.
    return bool(application.steps.filter(department_id=actor.department_id).exists())


def application_detail(*, actor: Any, application_id: int) -> Application:
    """One application with its item version and events, if the actor may see it."""
    application = _base().prefetch_related("events").filter(pk=application_id).first()
    if application is None or not can_see(actor, application):
        raise NotFound(_("No application you may see has this number."))
    return application


def application_by_number(*, actor: Any, number: str) -> Application:
    found = Application.objects.filter(number=number).values_list("pk", flat=True).first()
    if found is None:
        raise NotFound(_("No application you may see has this number."))
    return application_detail(actor=actor, application_id=found)


def application_exchange_record(application: Application) -> dict[str, Any]:
    """The case in the national exchange layout: 受理 (up_pro_accept), 过程 (up_pro_process), 特别程序
    (up_pro_special_procedure) and 结果 (up_pro_result); dates as ISO text. ../shared/reference/services.md §4."""
    version = application.item_version
    events: list[ApplicationEvent] = list(application.events.all())
    clock = application_clock(application)
    accept = next((event for event in events if event.action in {"accept", "deemed_accepted"}), None)
    applicant = application.applicant
    record: dict[str, Any] = {
        "accept": {
            "project_no": application.number,
            "apply_date": application.submitted_at.isoformat() if application.submitted_at else None,
            "accept_date": application.accepted_on.isoformat() if application.accepted_on else None,
            "promise_date": clock.promised.due.isoformat() if clock else None,
            "applyer_type": "2" if application.enterprise_id else "1",
            "applyer_name": getattr(applicant, "real_name", ""),
            "org_name": application.department.name,
            "handle_user_name": accept.actor_name if accept else None,
            "project_type": "1" if version.project_type == ProjectType.IMMEDIATE else "2",
            "project_name": version.name,
            "task_code": version.item.task_code,
            "catalog_code": version.item.catalog_code,
            "task_handle_item": application.handling_item.code if application.handling_item else None,
            "task_version": version.number,
        },
        "process": [
            {
                "process_name": event.action,
                "event_name": str(event.status) if event.status is not None else None,
                "event_start_time": event.at.isoformat(),
                "handle_user_name": event.actor_name,
                "handle_explain": event.opinion,
            }
            for event in events
        ],
        "special_procedure": [],
        "result": None,
    }
    started: ApplicationEvent | None = None
    for event in events:
        if event.action == "special_start":
            started = event
        elif event.action == "special_end" and started is not None:
            record["special_procedure"].append(
                {
                    "special_type": started.details.get("kind"),
                    "special_reason": started.opinion,
                    "special_time": started.at.isoformat(),
                    "end_time": event.at.isoformat(),
                    "result": event.opinion,
                }
            )
            started = None
    if started is not None:
        record["special_procedure"].append(
            {
                "special_type": started.details.get("kind"),
                "special_reason": started.opinion,
                "special_time": started.at.isoformat(),
                "end_time": None,
                "result": None,
            }
        )
    concluding = next((event for event in reversed(events) if event.action in {"decide", "refuse", "not_accept"}), None)
    if concluding is not None and concluding.status is not None:
        record["result"] = {
            "result_date": concluding.at.isoformat(),
            "result_type": str(concluding.status),
            "result_explain": concluding.opinion,
        }
        if application.result_license:  # 结果证照名称/编号: the e-license the approval issued
            record["result"]["result_cetr_name"] = application.item_version.result_name
            record["result"]["result_cetr_no"] = application.result_license
    return record


# --- for the licenses app ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LicenseFacts:
    """What an approved application tells the licenses app when it issues the result's license."""

    application_id: int
    number: str
    status: int
    applicant_id: int
    enterprise_id: int | None
    department_id: int
    item_name: str
    license_type_code: str
    form_data: dict[str, Any]
    concluded_at: datetime.datetime | None
    result_license: str


APPROVED = frozenset({S.APPROVED, S.APPROVED_WITH_TOLERANCE})


def application_license_facts(*, application_id: int) -> LicenseFacts | None:
    """The facts of an application, or None when there is no such application."""
    application = Application.objects.select_related("item_version").filter(pk=application_id).first()
    if application is None:
        return None
    return LicenseFacts(
        application_id=application.pk,
        number=application.number or "",
        status=application.status,
        applicant_id=application.applicant_id,
        enterprise_id=application.enterprise_id,
        department_id=application.department_id,
        item_name=application.item_version.name,
        license_type_code=application.item_version.result_license_type,
        form_data=dict(application.form_data or {}),
        concluded_at=application.concluded_at,
        result_license=application.result_license,
    )


def applications_awaiting_license(*, limit: int = 200, days: int = 30) -> list[int]:
    """Approved applications, concluded in the last `days` days, whose item issues a license that has not been
    issued yet, oldest first. Older ones are left to the department (a license that could not be issued for a
    month needs a person, not another retry)."""
    since = timezone.now() - datetime.timedelta(days=days)
    return list(
        Application.objects.filter(status__in=APPROVED, result_license="", concluded_at__gte=since)
        .exclude(item_version__result_license_type="")
        .order_by("concluded_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


@dataclass(frozen=True)
class LicenseMaterial:
    """A material an application asks for whose source is an e-license of a type, and what is attached to it."""

    material_id: int
    name: str
    license_type_code: str
    required: bool
    attached_identifier: str  # the e-license currently attached, or ""


def application_license_materials(*, actor: Any, application_id: int) -> list[LicenseMaterial]:
    """The license materials of an application the actor may see, in the item's order."""
    application = application_detail(actor=actor, application_id=application_id)
    attached = dict(
        application.materials.filter(superseded_at__isnull=True, material__isnull=False)
        .exclude(license_identifier="")
        .values_list("material_id", "license_identifier")
    )
    return [
        LicenseMaterial(
            material_id=material.pk,
            name=material.name,
            license_type_code=material.source_reference,
            required=material.required,
            attached_identifier=attached.get(material.pk, ""),
        )
        for material in application.item_version.materials.filter(source=MaterialSource.LICENSE).order_by(
            "position", "pk"
        )
    ]


def application_has_license(*, application_id: int, identifier: str) -> bool:
    """Whether a current material of the application is the shared e-license with this identifier (what lets the
    handling department open that license)."""
    return bool(
        identifier
        and ApplicationMaterial.objects.filter(
            application_id=application_id, superseded_at__isnull=True, license_identifier=identifier
        ).exists()
    )
