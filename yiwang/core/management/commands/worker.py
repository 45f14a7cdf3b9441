"""`yiwang worker`: run background tasks with whichever queue is configured (database or Redis)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the task worker: django-tasks-db's db_worker by default, RQ's worker when REDIS_URL is set."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="exit once the queue is empty")

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASKS["default"]["BACKEND"]
        if backend == "django_tasks_rq.RQBackend":
            import django_rq

            # RQ must build jobs with django-tasks-rq's Job class, or it cannot call a Task.
            queues = settings.TASKS["default"].get("QUEUES", ["default"])
            worker = django_rq.get_worker(*queues, job_class="django_tasks_rq.Job")
            worker.work(burst=options["batch"], with_scheduler=not options["batch"])
        elif backend == "django_tasks_db.DatabaseBackend":
            call_command("db_worker", batch=options["batch"])
        else:
            self.stderr.write(f"tasks run inside the request with {backend}; there is nothing to work on")
