"""Background work of online services: each task calls one service."""

from __future__ import annotations

from django_tasks import task

from yiwang.services.applications.services import applications_deem_accepted


@task()
def deem_applications_accepted() -> int:
    """Art. 32: accept, from their day of receipt, applications left without a supplement notice for 5 working
    days (hourly; an application is accepted once)."""
    return len(applications_deem_accepted())


@task()
def watch_supervision_warnings() -> int:
    """Mail new or worsened supervision warnings (hourly; each level of each application once)."""
    from yiwang.services.supervision import supervision_notify

    return len(supervision_notify())


@task()
def notify_supervision_warning(*, application_id: int, level: int) -> int:
    """Tell the handling department's staff and supervisors, and the assignees of its process's open steps, that an
    application is late or nearly so."""
    from django.core.mail import send_mail
    from django.utils import translation
    from django.utils.translation import gettext as _

    from yiwang.identity.roles import Role
    from yiwang.identity.selectors import staff_emails
    from yiwang.services.applications.process import open_step_assignments
    from yiwang.services.supervision import supervision_warnings

    warning = next(
        (found for found in supervision_warnings(application_ids=[application_id]) if found.level >= level), None
    )
    if warning is None:  # the case moved on before the mail went out
        return 0
    recipients = staff_emails(
        roles=[Role.CLERK, Role.REVIEWER, Role.APPROVER, Role.SUPERVISOR], department_id=warning.department_id
    )
    # The assignees of the process's open steps too, in whatever department the process asked them.
    for department_id, role in open_step_assignments(application_id=application_id):
        recipients += staff_emails(roles=[role], department_id=department_id)
    if not recipients:
        return 0
    with translation.override("zh-hans"):
        subject = _("Supervision warning: application %(number)s") % {"number": warning.application.number}
        body = "\n".join(
            [
                f"{warning.application.number} {warning.application.item_name}",
                *(str(message) for message in warning.messages),
            ]
        )
    send_mail(subject, body, None, sorted(set(recipients)))
    return len(recipients)


@task()
def conclude_bundle_applications() -> int:
    """Record the conclusion of bundles whose every sub-application has concluded (hourly)."""
    from yiwang.services.bundles import bundle_applications_conclude

    return len(bundle_applications_conclude())


@task()
def recompute_application_deadlines() -> int:
    """Recompute the inbox's sort keys of open applications (daily: picks up changes of the holiday calendar)."""
    from yiwang.services.applications.services import applications_recompute_urgency

    return applications_recompute_urgency()


@task()
def fire_process_timers() -> int:
    """The BPMN processes' due timers fire (every minute)."""
    from yiwang.services.applications.services import applications_fire_process_timers

    return len(applications_fire_process_timers())
