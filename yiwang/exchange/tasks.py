"""Background work of the exchange: each task takes ids and calls one service or sends one message."""

from __future__ import annotations

from django.core.mail import send_mail
from django.utils.translation import gettext as _
from django_tasks import task

from yiwang.exchange.log import access_log_seal
from yiwang.exchange.models import AccessRequest, DataDemand, DemandStatus, RequestStatus
from yiwang.exchange.services import access_requests_chase
from yiwang.identity.roles import Role
from yiwang.identity.selectors import staff_emails


@task()
def seal_access_log() -> int:
    """Seal the settled entries of the access log (run every minute or so: `yiwang exchange seal-log`)."""
    return len(access_log_seal())


@task()
def chase_access_requests() -> int:
    """Remind on due access requests and escalate late ones (hourly; each step happens once a day)."""
    chased = access_requests_chase()
    return len(chased.reminded) + len(chased.escalated)


@task()
def notify_request_late(*, request_id: int, level: int) -> int:
    """Remind whoever decides a request on its due day; at each level of lateness, tell their superiors too."""
    request = AccessRequest.objects.select_related("resource", "consumer").filter(pk=request_id).first()
    if request is None or request.status not in {RequestStatus.COMPLIANCE, RequestStatus.SOURCE}:
        return 0
    if request.status == RequestStatus.COMPLIANCE:
        recipients = staff_emails(roles=[Role.PLATFORM_ADMIN])
    else:
        recipients = staff_emails(roles=[Role.DATA_ADMIN], department_id=request.resource.source_department_id)
    if level > 0:
        recipients += staff_emails(
            roles=[Role.SUPERVISOR, Role.LEADER], department_id=request.resource.source_department_id
        )
        recipients += staff_emails(roles=[Role.PLATFORM_ADMIN])
    recipients = sorted(set(recipients))
    if not recipients:
        return 0
    values = {
        "number": request.pk,
        "resource": request.resource.name,
        "consumer": request.consumer.name,
        "due": request.stage_due.isoformat() if request.stage_due else "",
        "days": level,
    }
    if level == 0:
        subject = _("Yiwang: access request %(number)s is due today") % values
        body = _("The access request %(number)s of %(consumer)s for %(resource)s must be decided today.") % values
    else:
        subject = _("Yiwang: access request %(number)s is %(days)s working days late (督办)") % values
        body = (
            _(
                "The access request %(number)s of %(consumer)s for %(resource)s was due on %(due)s and is "
                "%(days)s working days late."
            )
            % values
        )
    send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients)
    return len(recipients)


@task()
def notify_demand_late(*, demand_id: int, level: int) -> int:
    """Remind the department a data demand is routed to on its due day; escalate each working day late."""
    demand = DataDemand.objects.filter(pk=demand_id).first()
    if demand is None or demand.status != DemandStatus.ROUTED or demand.routed_to_id is None:
        return 0
    recipients = staff_emails(roles=[Role.DATA_ADMIN], department_id=demand.routed_to_id)
    if level > 0:
        recipients += staff_emails(roles=[Role.SUPERVISOR, Role.LEADER], department_id=demand.routed_to_id)
        recipients += staff_emails(roles=[Role.PLATFORM_ADMIN])
    recipients = sorted(set(recipients))
    if not recipients:
        return 0
    values = {
        "number": demand.pk,
        "title": demand.title,
        "due": demand.due.isoformat() if demand.due else "",
        "days": level,
    }
    if level == 0:
        subject = _("Yiwang: data demand %(number)s is due today") % values
        body = _("The data demand %(number)s (%(title)s) must be answered today.") % values
    else:
        subject = _("Yiwang: data demand %(number)s is %(days)s working days late (督办)") % values
        body = (
            _("The data demand %(number)s (%(title)s) was due on %(due)s and is %(days)s working days late.") % values
        )
    send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients)
    return len(recipients)
