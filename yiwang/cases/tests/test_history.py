"""Importing historic cases: closed cases with their whole story, numbered apart from live ones, in one
transaction with one audit event."""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter
from typing import Any

import pytest

from yiwang.cases.history import HistoricCase, case_history_import
from yiwang.cases.models import (
    AssignmentRole,
    AssignmentStatus,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseFollowUp,
    CaseReturn,
    CaseStatus,
    RoutingFeedback,
)
from yiwang.cases.tests.test_routing import STREET_OFFICES, historic, load_small_catalogue, small_history
from yiwang.core.audit.models import AuditEvent
from yiwang.core.crypto import blind_index
from yiwang.core.errors import ValidationFailed
from yiwang.identity import services as identity_services
from yiwang.identity.roles import Role

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def units(db: Any) -> dict[str, int]:
    return load_small_catalogue()


@pytest.fixture
def dispatcher(units: dict[str, int]) -> Any:
    return identity_services.staff_create(
        actor=None,
        details=identity_services.StaffDetails(
            username="history.dispatcher",
            real_name="派单员乙",
            department_id=units["12345热线中心"],
            roles=(Role.DISPATCHER,),
            password="Yiwang-Test-2026",
        ),
    )


def varied_history(count: int, *, seed: int) -> list[HistoricCase]:
    """Cases of every shape: returned and reassigned, reopened after an unsatisfied follow-up, with co-units, with
    and without a phone, by grid workers."""
    rows = []
    for index, row in enumerate(small_history(count, seed=seed)):
        at, minutes = row.dispatched_at, datetime.timedelta(minutes=1)
        changes: dict[str, Any] = {"received_at": row.received_at + datetime.timedelta(seconds=index)}
        if index % 7 == 0:
            changes |= {
                "returned_from": "公安局" if row.unit != "公安局" else "城市管理局",
                "return_reason": "不属于我单位职责",
                "returned_at": at + 10 * minutes,
                "reassigned_at": at + 20 * minutes,
            }
        if index % 5 == 0:
            changes |= {
                "satisfaction": "unsatisfied",
                "resolved": False,
                "reconcluded_at": row.followed_up_at + 600 * minutes,
                "final_satisfaction": "basically",
                "final_followed_up_at": row.followed_up_at + 2000 * minutes,
            }
        if index % 4 == 0 and row.unit != "住房和城乡建设局":
            changes["co_units"] = ("住房和城乡建设局", row.unit)  # the lead among them is dropped
        if index % 3:
            changes["contact_phone"] = f"1390000{index:04d}"
            changes["contact_name"] = "刘女士"
        if index % 11 == 0:
            changes["channel"] = "grid"
        rows.append(dataclasses.replace(row, **changes))
    return rows


def test_imported_cases_are_closed_with_their_whole_story(units: dict[str, int], dispatcher: Any) -> None:
    rows = varied_history(90, seed=5)
    assert case_history_import(rows=rows, actor=dispatcher, batch_size=40) == 90
    cases = list(Case.objects.order_by("id"))  # inserted in the rows' order
    assert len(cases) == 90 and len({case.number for case in cases}) == 90
    assert set(Case.objects.values_list("status", flat=True)) == {CaseStatus.CLOSED}
    returned = reopened = 0
    for row, case in zip(rows, cases, strict=True):
        assert case.content == row.text.strip()
        # Numbers: the received day, then the history's range above every live number of the day.
        assert case.number[:8] == row.received_at.astimezone(SHANGHAI).strftime("%Y%m%d")
        assert case.number[8:] >= "900000"
        assert (case.case_type, case.channel, case.title) == (row.case_type, row.channel, row.title)
        assert case.category.code == row.category_code
        assert case.division is not None and case.division.code == row.division_code
        lead = units[row.unit]
        assert case.lead_department_id == lead
        assert case.contact_phone == row.contact_phone
        assert case.contact_phone_index == (
            blind_index(row.contact_phone, purpose="cases.contact_phone") if row.contact_phone else ""
        )
        assert (case.received_at, case.dispatched_at, case.signed_at) == (
            row.received_at,
            row.dispatched_at,
            row.signed_at,
        )
        assert case.concluded_at == (row.reconcluded_at or row.concluded_at)
        assert case.closed_at == (row.final_followed_up_at or row.followed_up_at)
        assignments = list(CaseAssignment.objects.filter(case=case))
        active_lead = [item for item in assignments if item.active and item.role == AssignmentRole.LEAD]
        assert [(item.department_id, item.status) for item in active_lead] == [(lead, AssignmentStatus.REPLIED)]
        assert active_lead[0].signed_at == row.signed_at and active_lead[0].reply == row.reply
        assert sorted(item.department_id for item in assignments if item.role == AssignmentRole.CO) == sorted(
            units[name] for name in row.co_units if name != row.unit
        )
        kinds = list(CaseEvent.objects.filter(case=case).order_by("at", "id").values_list("kind", flat=True))
        feedback = RoutingFeedback.objects.get(case=case)
        assert (feedback.chosen_department_id, feedback.chosen_category_id) == (lead, case.category_id)
        assert feedback.text == f"{case.title}\n{case.content}"
        follow_ups = list(CaseFollowUp.objects.filter(case=case).order_by("at"))
        assert {item.lead_department_id for item in follow_ups} == {lead}
        assert follow_ups[0].satisfaction == row.satisfaction
        if row.returned_from:
            returned += 1
            first = units[row.returned_from]
            assert case.return_count == 1 and feedback.proposed_department_id == first
            assert kinds[:5] == ["received", "dispatched", "return_requested", "reassigned", "signed"]
            stale = [item for item in assignments if not item.active]
            assert [(item.department_id, item.status) for item in stale] == [(first, AssignmentStatus.RETURNED)]
            returned_row = CaseReturn.objects.get(case=case)
            assert (returned_row.decision, returned_row.requested_by, returned_row.decided_by) == (
                "approved",
                None,  # the history names the unit, not the person
                dispatcher,
            )
            assert returned_row.assignment == stale[0]
        else:
            assert case.return_count == 0 and feedback.proposed_department_id is None
            assert kinds[:3] == ["received", "dispatched", "signed"]
        if row.reconcluded_at:
            reopened += 1
            assert case.reopen_count == 1
            assert kinds[-5:] == ["concluded", "followed_up", "reopened", "concluded", "followed_up"]
            assert [item.satisfaction for item in follow_ups] == [row.satisfaction, row.final_satisfaction]
        else:
            assert case.reopen_count == 0 and kinds[-2:] == ["concluded", "followed_up"]
            assert len(follow_ups) == 1
    assert returned > 0 and reopened > 0
    assert CaseReturn.objects.count() == returned
    assert RoutingFeedback.objects.count() == 90
    assert Case.objects.filter(channel="grid").count() == 9
    event = AuditEvent.objects.get(action="cases.history.import")
    assert event.changes_data == {"count": 90}
    assert event.actor_id == dispatcher.pk


def test_street_matters_are_concluded_by_the_street_office_of_the_community(units: dict[str, int]) -> None:
    rows = [row for row in small_history(120, seed=8) if row.category_code in ("0104", "1002")]
    assert rows and all(row.unit == STREET_OFFICES[row.division_code] for row in rows)
    case_history_import(rows=rows)
    leads = list(Case.objects.order_by("id").values_list("lead_department_id", "division__code"))
    assert leads == [(units[STREET_OFFICES[row.division_code]], row.division_code) for row in rows]


def _row(**changes: Any) -> HistoricCase:
    at = datetime.datetime(2026, 10, 12, 9, 30, tzinfo=SHANGHAI)
    hour = datetime.timedelta(hours=1)
    values: dict[str, Any] = {
        "received_at": at,
        "dispatched_at": at + hour,
        "signed_at": at + 2 * hour,
        "concluded_at": at + 26 * hour,
        "followed_up_at": at + 50 * hour,
        "contact_phone": "13800001111",
    }
    values.update(changes)
    text = values.pop("text", "建设路路灯不亮了，晚上很黑。")
    return historic(text, values.pop("category_code", "0102"), values.pop("unit", "城市管理局"), **values)


def test_numbers_stay_clear_of_live_ones_and_of_earlier_imports(units: dict[str, int]) -> None:
    live = Case.objects.create(number="20261012000001", case_type="complaint", channel="phone", title="t", content="c")
    assert case_history_import(rows=[_row(), _row(text="第二件")]) == 2
    assert case_history_import(rows=[_row(text="第三件"), _row(unit="市城管局", text="第四件")]) == 2
    numbers = list(Case.objects.exclude(pk=live.pk).order_by("number").values_list("number", flat=True))
    assert numbers == ["20261012900000", "20261012900001", "20261012900002", "20261012900003"]
    assert Case.objects.filter(number="20261012900003").get().lead_department_id == units["城市管理局"]
    assert AuditEvent.objects.filter(action="cases.history.import").count() == 2


def test_without_an_actor_returns_are_kept_with_the_returning_unit(units: dict[str, int]) -> None:
    at = datetime.datetime(2026, 10, 12, 11, 0, tzinfo=SHANGHAI)
    case_history_import(rows=[_row(returned_from="住房和城乡建设局", return_reason="非我单位职责", returned_at=at)])
    case = Case.objects.get()
    assert case.return_count == 1
    returned = CaseReturn.objects.get(case=case)
    assert (returned.assignment.department_id, returned.requested_by, returned.decided_by, returned.reason) == (
        units["住房和城乡建设局"],
        None,
        None,
        "非我单位职责",
    )
    event = CaseEvent.objects.get(case=case, kind="return_requested")
    assert (event.department_id, event.text) == (units["住房和城乡建设局"], "非我单位职责")
    audit = AuditEvent.objects.get(action="cases.history.import")
    assert audit.actor_id is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"unit": "自来水厂"}, "unit", "Row 2: there is no unit named 自来水厂."),
        ({"category_code": "01"}, "category_code", "Row 2: 01 is not a category in use."),
        ({"category_code": "9999"}, "category_code", "Row 2: 9999 is not a category in use."),
        ({"division_code": "419899"}, "division_code", "Row 2: there is no division with the code 419899."),
        ({"satisfaction": "great"}, "satisfaction", "Row 2: satisfaction not acceptable."),
        ({"signed_at": datetime.datetime(2026, 10, 1, tzinfo=SHANGHAI)}, "received_at", "Row 2: received_at not"),
    ],
)
def test_a_bad_row_stops_the_whole_import(
    units: dict[str, int], changes: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as error:
        case_history_import(rows=[_row(), _row(**changes)])
    assert error.value.field == field and str(error.value).startswith(message)
    assert not Case.objects.exists() and not RoutingFeedback.objects.exists()
    assert not AuditEvent.objects.filter(action="cases.history.import").exists()


def test_rows_may_come_from_any_iterable(units: dict[str, int]) -> None:
    rows = small_history(50, seed=11)
    assert case_history_import(rows=iter(rows), batch_size=7) == 50
    by_unit = Counter(Case.objects.values_list("lead_department_id", flat=True))
    assert by_unit == Counter(units[row.unit] for row in rows)
    assert CaseFollowUp.objects.count() == 50
    assert case_history_import(rows=[]) == 0
