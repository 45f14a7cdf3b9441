"""Background work of online services: each task calls one service."""

from __future__ import annotations

from django_tasks import task

from yiwang.services.applications.services import applications_deem_accepted


@task()
def deem_applications_accepted() -> int:
    """Art. 32: accept, from their day of receipt, applications left without a supplement notice for 5 working
    days (hourly; an application is accepted once)."""
    return len(applications_deem_accepted())
