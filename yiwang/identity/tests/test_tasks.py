import json
import os
import socket
import subprocess
import sys

import django_rq
import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks.base import TaskResultStatus

from yiwang.identity.tasks import notify_account_locked

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


def test_the_lock_out_notice_is_sent(make_citizen):
    user = make_citizen()
    user.email = "holder@example.cn"
    user.save()
    result = notify_account_locked.enqueue(user_id=user.pk)
    assert result.return_value is True
    assert mail.outbox[0].to == ["holder@example.cn"]
    assert user.username in mail.outbox[0].body


def test_without_an_address_nothing_is_sent(make_citizen):
    user = make_citizen()
    assert notify_account_locked.enqueue(user_id=user.pk).return_value is False
    assert mail.outbox == []


def test_redis_url_switches_cache_sessions_and_queue():
    env = {**os.environ, "REDIS_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE": "yiwang.config.settings"}
    env.setdefault("YIWANG_VAR_DIR", str(__import__("django.conf").conf.settings.VAR_DIR))
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.TASKS['default']['BACKEND'], s.CACHES['default']['BACKEND'], s.SESSION_ENGINE]))"
    )
    output = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout
    assert json.loads(output) == [
        "django_tasks_rq.RQBackend",
        "django.core.cache.backends.redis.RedisCache",
        "django.contrib.sessions.backends.cached_db",
    ]


@pytest.mark.django_db(transaction=True)
def test_a_task_runs_through_a_redis_queue(make_citizen, settings):
    if not _redis_answers():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    queue = django_rq.get_queue("default")
    queue.empty()
    user = make_citizen()
    user.email = "holder@example.cn"
    user.save()
    result = notify_account_locked.enqueue(user_id=user.pk)
    assert queue.count == 1
    assert result.status == TaskResultStatus.READY
    # The platform's own worker command, as operators run it, until the queue is empty.
    call_command("worker", "--batch")
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value is True
    queue.empty()


@pytest.mark.django_db(transaction=True)
def test_a_task_runs_through_the_database_queue(make_citizen, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    user = make_citizen()
    user.email = "holder@example.cn"
    user.save()
    result = notify_account_locked.enqueue(user_id=user.pk)
    assert result.status == TaskResultStatus.READY
    assert mail.outbox == []
    call_command("worker", "--batch")
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert mail.outbox[0].to == ["holder@example.cn"]
