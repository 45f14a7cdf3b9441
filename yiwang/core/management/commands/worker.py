"""`yiwang worker`: run background tasks with whichever queue is configured (database or Redis)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def enqueue_periodic(stop: threading.Event, *, clock: Any = time.monotonic) -> None:
    """Enqueue each task of YIWANG_PERIODIC_TASKS (dotted path, seconds) at its interval until `stop` is set.

    Several workers each enqueue them: the periodic tasks are safe to run twice (the log sealer locks the
    chain's head, the daily chase remembers what it did today).
    """
    due = {path: 0.0 for path, _seconds in settings.YIWANG_PERIODIC_TASKS}
    while not stop.is_set():
        now = clock()
        for path, seconds in settings.YIWANG_PERIODIC_TASKS:
            if now >= due[path]:
                due[path] = now + seconds
                try:
                    import_string(path).enqueue()
                except Exception:  # a broken queue must not stop the other periodic tasks
                    logger.exception("could not enqueue the periodic task %s", path)
        stop.wait(1.0)


class Command(BaseCommand):
    help = (
        "Run the task worker: django-tasks-db's db_worker by default, RQ's worker when REDIS_URL is set; "
        "it also enqueues the periodic tasks (YIWANG_PERIODIC_TASKS) unless --batch."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="exit once the queue is empty")

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASKS["default"]["BACKEND"]
        if not options["batch"] and settings.YIWANG_PERIODIC_TASKS:
            threading.Thread(target=enqueue_periodic, args=(threading.Event(),), daemon=True).start()
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
