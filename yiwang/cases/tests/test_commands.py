"""`yiwang cases watch-deadlines` and the Open311 partner commands (the routing subcommands: test_routing.py)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from freezegun import freeze_time

from yiwang.cases import services
from yiwang.cases.models import Escalation, Open311Client
from yiwang.cases.tests.conftest import Hotline, take_call
from yiwang.core.crypto import sm3_hex

pytestmark = pytest.mark.django_db


def run(*arguments: str) -> Any:
    out = io.StringIO()
    call_command("cases", *arguments, stdout=out)
    return json.loads(out.getvalue())


def test_watch_deadlines_escalates_late_cases(hotline: Hotline) -> None:
    with freeze_time("2026-11-02T02:00:00Z"):
        case = take_call(hotline)
        services.case_dispatch(
            actor=hotline.dispatcher, case_id=case.pk, category_code=hotline.lamp, lead_department_id=hotline.urban
        )
    with freeze_time("2026-11-20T02:00:00Z"):
        assert run("watch-deadlines") == {"warned": 0, "escalated": 1}
        assert run("watch-deadlines") == {"warned": 0, "escalated": 0}
    assert Escalation.objects.get(case=case).level == 1


def test_open311_partners_are_registered_listed_and_revoked(city: Any) -> None:
    created = run("open311-client-create", "明湖随手拍", "--department", str(city.big_data_bureau))
    client = Open311Client.objects.get(pk=created["id"])
    assert client.key_digest == sm3_hex(created["api_key"].encode("utf-8"))
    assert run("open311-clients") == [
        {"id": client.pk, "name": "明湖随手拍", "department_id": city.big_data_bureau, "active": True}
    ]
    assert run("open311-client-revoke", str(client.pk)) == {"id": client.pk, "name": "明湖随手拍", "active": False}
    with pytest.raises(CommandError, match="already revoked"):
        run("open311-client-revoke", str(client.pk))
    with pytest.raises(CommandError, match="department"):
        run("open311-client-create", "另一个", "--department", "999999")
