"""Fees charged on an application, and electronic supervision's flag on a fee the item's fee list lacks.

The test item lists one fee, 工本费 (tests/factories.py). Accepted Friday 10 October 2025 (test_applications)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from yiwang.conftest import sign_in
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.services.applications import services
from yiwang.services.models import Application, ApplicationFee
from yiwang.services.supervision import supervision_warnings
from yiwang.services.tests.test_applications import _submitted, on, people  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def accepted(people: dict[str, Any]) -> Application:  # noqa: F811 - the fixture imported above
    application = _submitted(people, "2025-10-09")
    with on("2025-10-10"):
        return services.application_accept(actor=people["clerk"], application_id=application.pk)


def _reasons(application: Application, today: D) -> list[tuple[int, tuple[str, ...]]]:
    return [(w.level, w.reasons) for w in supervision_warnings(application_ids=[application.pk], today=today)]


def test_a_listed_fee_is_recorded_and_not_flagged(people: dict[str, Any], accepted: Application) -> None:  # noqa: F811
    with on("2025-10-13"):
        fee = services.application_fee_record(
            actor=people["clerk"], application_id=accepted.pk, name="工本费", amount="10"
        )
    assert (fee.amount, fee.fee is not None, fee.recorded_by_id) == (Decimal("10.00"), True, people["clerk"].pk)
    assert accepted.events.get(action="fee").details == {"name": "工本费", "amount": "10", "listed": True}
    assert _reasons(accepted, D(2025, 10, 13)) == []


def test_a_fee_the_list_lacks_is_red_on_the_board_even_after_conclusion(
    people: dict[str, Any],  # noqa: F811
    accepted: Application,
) -> None:
    with on("2025-10-13"):
        services.application_fee_record(
            actor=people["approver"], application_id=accepted.pk, name="加急费", amount="200.50"
        )
    (warning,) = supervision_warnings(application_ids=[accepted.pk], today=D(2025, 10, 13))
    assert (warning.level, warning.reasons) == (2, ("fee_not_listed",))
    assert "加急费" in str(warning.messages[0]) and "200.50" in str(warning.messages[0])
    with on("2025-10-14"):
        services.application_review(actor=people["reviewer"], application_id=accepted.pk, verdict="agree")
        services.application_decide(actor=people["approver"], application_id=accepted.pk, outcome="approved")
    # Concluded: no time limit concerns it any more, but the charge stays on the board.
    assert _reasons(accepted, D(2025, 12, 31)) == [(2, ("fee_not_listed",))]
    assert [w.application.number for w in supervision_warnings(level=2, today=D(2025, 12, 31))] == [accepted.number]


@pytest.mark.parametrize(
    ("name", "amount", "field"),
    [
        ("工本费", "abc", "amount"),
        ("工本费", "0", "amount"),
        ("工本费", "-5", "amount"),
        ("工本费", "10.005", "amount"),
        ("工本费", "1e12", "amount"),
        ("工本费", "NaN", "amount"),
        (" ", "10", "name"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    people: dict[str, Any],  # noqa: F811
    accepted: Application,
    name: str,
    amount: str,
    field: str,
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.application_fee_record(actor=people["clerk"], application_id=accepted.pk, name=name, amount=amount)
    assert refused.value.field == field
    assert not ApplicationFee.objects.exists()


def test_who_may_record_a_fee_and_when(people: dict[str, Any], accepted: Application) -> None:  # noqa: F811
    received = _submitted(people, "2025-10-09")
    with pytest.raises(Conflict):  # not accepted yet
        services.application_fee_record(actor=people["clerk"], application_id=received.pk, name="工本费", amount="10")
    with pytest.raises(PermissionDenied):
        services.application_fee_record(actor=people["reviewer"], application_id=accepted.pk, name="工本费", amount="1")
    for outsider in (people["applicant"], people["other_clerk"]):
        with pytest.raises(NotFound):
            services.application_fee_record(actor=outsider, application_id=accepted.pk, name="工本费", amount="1")
    assert not ApplicationFee.objects.exists()


def test_the_api_and_the_console(people: dict[str, Any], accepted: Application) -> None:  # noqa: F811
    url = f"/api/v1/services/applications/{accepted.pk}/fees"
    body = json.dumps({"name": "加急费", "amount": "50"})
    assert Client().post(url, body, content_type="application/json").status_code == 401
    applicant = sign_in(Client(), people["applicant"])
    assert applicant.post(url, body, content_type="application/json").status_code == 404
    clerk = sign_in(Client(), people["clerk"])
    bad = clerk.post(url, json.dumps({"name": "工本费", "amount": "free"}), content_type="application/json")
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "amount")
    done = clerk.post(url, body, content_type="application/json")
    assert done.status_code == 200
    assert [(fee["name"], fee["amount"], fee["listed"]) for fee in done.json()["fees"]] == [("加急费", "50.00", False)]
    # The console's step, and its table with the flag.
    clerk.cookies["yiwang_language"] = "en"
    console = f"/console/services/applications/{accepted.pk}/"
    posted = clerk.post(f"{console}fee/", {"fee-name": "工本费", "fee-amount": "10"})
    assert posted.status_code == 302
    page = clerk.get(console).content.decode()
    assert page.count('data-testid="fee" data-listed="no"') == 1 and page.count('data-listed="yes"') == 1
    assert "No: flagged" in page
    refused = clerk.post(f"{console}fee/", {"fee-name": "工本费", "fee-amount": "-1"})
    assert refused.status_code == 400
    assert ApplicationFee.objects.count() == 2
