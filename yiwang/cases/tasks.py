"""Background work of the cases app: each task calls one service or sends one message."""

from __future__ import annotations

from django_tasks import task


@task()
def watch_case_deadlines() -> dict[str, int]:
    """Warn cases near their time limit and escalate (督办) late ones (every 15 minutes)."""
    from yiwang.cases.services import cases_watch_deadlines

    result = cases_watch_deadlines()
    return {"warned": result.warned, "escalated": result.escalated}


@task()
def recount_case_deadlines() -> dict[str, int]:
    """Count again the time limits that counted days of a year whose holiday schedule was not published (daily)."""
    from yiwang.cases.services import cases_recount_provisional_deadlines

    result = cases_recount_provisional_deadlines()
    return {"checked": result.checked, "moved": result.moved, "still_provisional": result.still_provisional}


@task()
def notify_escalation(*, escalation_id: int) -> int:
    """Mail an escalation to the lead unit's handlers and supervisors; from level 2 to the platform's supervisors,
    at level 3 to the leaders too."""
    from django.core.mail import send_mail
    from django.utils import translation
    from django.utils.translation import gettext as _

    from yiwang.cases.selectors import escalation_notice
    from yiwang.identity.roles import Role
    from yiwang.identity.selectors import staff_emails

    notice = escalation_notice(escalation_id=escalation_id)
    if notice is None or notice.department_id is None:
        return 0
    recipients = staff_emails(roles=[Role.HANDLER, Role.SUPERVISOR], department_id=notice.department_id)
    if notice.level >= 2:  # the platform's electronic supervision (电子监察) follows it from level 2
        recipients += staff_emails(roles=[Role.SUPERVISOR])
    if notice.level >= 3:  # and the leaders are told at level 3 (通报)
        recipients += staff_emails(roles=[Role.LEADER])
    if not recipients:
        return 0
    with translation.override("zh-hans"):
        subject = _("Case %(number)s escalated (level %(level)d)") % {"number": notice.number, "level": notice.level}
        body = f"{notice.number} {notice.title}\n{notice.reason}"
    send_mail(subject, body, None, sorted(set(recipients)))
    return len(recipients)
