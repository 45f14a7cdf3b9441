"""Who sees which case, hidden reporters, the caller's earlier cases, likely duplicates, boxes and overdue lists."""

from __future__ import annotations

from typing import Any

import pytest
from freezegun import freeze_time

from yiwang.cases import selectors, services
from yiwang.cases.tests.conftest import Hotline, take_call

pytestmark = pytest.mark.django_db


def dispatch(hotline: Hotline, case: Any, unit: int | None = None) -> None:
    services.case_dispatch(
        actor=hotline.dispatcher, case_id=case.pk, category_code=hotline.lamp, lead_department_id=unit or hotline.urban
    )


def test_a_unit_sees_only_the_cases_assigned_to_it(hotline: Hotline, accounts: Any) -> None:
    mine, theirs, waiting = take_call(hotline), take_call(hotline), take_call(hotline)
    dispatch(hotline, mine)
    dispatch(hotline, theirs, hotline.housing)
    numbers = lambda user: set(selectors.case_queryset_for(user).values_list("number", flat=True))  # noqa: E731
    assert numbers(hotline.urban_handler) == {mine.number}
    assert numbers(hotline.housing_handler) == {theirs.number}
    assert numbers(hotline.police_handler) == set()
    assert numbers(hotline.operator) == numbers(hotline.dispatcher) == {mine.number, theirs.number, waiting.number}
    # The city's supervisor (big-data bureau, division 419800) oversees the units of the city.
    assert numbers(hotline.supervisor) == {mine.number, theirs.number}
    assert numbers(accounts.admin) == {mine.number, theirs.number, waiting.number}
    assert numbers(hotline.citizen) == set()
    assert numbers(accounts.staff) == set()  # a clerk of 公安局 with no case role
    assert selectors.case_detail(hotline.police_handler, number=mine.number) is None


def test_hidden_reporter_stays_hidden_from_the_handling_unit(hotline: Hotline) -> None:
    case = take_call(hotline, hide_reporter=True, contact_name="刘女士", contact_phone="13900003333")
    dispatch(hotline, case)
    unit_view = selectors.case_detail(hotline.urban_handler, number=case.number)
    assert unit_view is not None
    assert (unit_view.contact_name, unit_view.contact_phone, unit_view.reporter_shown) == ("保密", "保密", False)
    hotline_view = selectors.case_detail(hotline.operator, number=case.number)
    assert hotline_view is not None and hotline_view.contact_phone == "13900003333"
    open_case = take_call(hotline, contact_phone="13900004444")
    dispatch(hotline, open_case)
    shown = selectors.case_detail(hotline.urban_handler, number=open_case.number)
    assert shown is not None and shown.contact_phone == "13900004444"


def test_citizen_sees_only_public_events_of_their_own_case(hotline: Hotline) -> None:
    case = services.case_intake(
        actor=hotline.citizen,
        intake=services.CaseIntake(
            case_type="complaint", channel="portal", content="楼下噪音", reporter_id=hotline.citizen.pk
        ),
    )
    dispatch(hotline, case)
    services.case_sign(actor=hotline.urban_handler, case_id=case.pk)
    services.case_note(actor=hotline.urban_handler, case_id=case.pk, text="内部：已联系执法队")
    detail = selectors.case_detail(hotline.citizen, number=case.number)
    assert detail is not None
    assert [event.kind for event in detail.events] == ["received", "dispatched", "signed"]
    assert all(event.actor == "" for event in detail.events)
    assert detail.assignments == []


def test_caller_history_finds_earlier_cases_by_phone_in_any_spelling(hotline: Hotline) -> None:
    first = take_call(hotline, contact_phone="13900005555")
    take_call(hotline, contact_phone="13900006666")
    found = selectors.caller_history(phone="+86 139-0000-5555")
    assert [summary.number for summary in found] == [first.number]
    assert selectors.caller_history(phone="not a phone") == []


def test_duplicates_by_caller_place_and_text(hotline: Hotline) -> None:
    with freeze_time("2026-11-02T02:00:00Z"):
        same_caller = take_call(hotline, contact_phone="13900007777", content="楼道灯坏了")
        same_place = take_call(hotline, contact_phone="13900008888", content="路灯问题", category_code=hotline.lamp)
        similar = take_call(
            hotline,
            contact_phone="13900009999",
            content="柳园社区3号楼门口路灯坏了一个星期了晚上很黑",
            division_code="",
        )
        take_call(hotline, contact_phone="13900001212", content="马路上有个大坑", division_code="")
    with freeze_time("2026-11-03T02:00:00Z"):
        found = selectors.duplicate_candidates(
            content="柳园社区3号楼门口的路灯坏了一个星期了",
            phone="13900007777",
            category_code=hotline.lamp,
            division_code=hotline.community,
        )
    reasons = {candidate.case.number: candidate.reasons for candidate in found}
    assert "same_caller" in reasons[same_caller.number]
    assert "same_category_and_place" in reasons[same_place.number]
    assert "similar_text" in reasons[similar.number]
    assert len(reasons) == 3
    with freeze_time("2026-11-20T02:00:00Z"):  # a week later they are no longer suggested
        assert selectors.duplicate_candidates(content="路灯坏了", phone="13900007777") == []


def test_boxes_and_overdue_lists(hotline: Hotline) -> None:
    with freeze_time("2026-11-02T02:00:00Z"):
        late = take_call(hotline)
        dispatch(hotline, late)
        fresh = take_call(hotline)
    assert [s.number for s in selectors.case_box(hotline.dispatcher, box="to_dispatch")] == [fresh.number]
    assert [s.number for s in selectors.case_box(hotline.urban_handler, box="to_sign")] == [late.number]
    assert selectors.case_box(hotline.housing_handler, box="to_sign") == []
    with freeze_time("2026-12-01T02:00:00Z"):
        overdue = selectors.overdue_by_unit(hotline.dispatcher)
        assert [(unit.department_id, unit.overdue, unit.unsigned_late) for unit in overdue] == [(hotline.urban, 1, 1)]
        assert [s.number for s in selectors.case_box(hotline.urban_handler, box="overdue")] == [late.number]
        assert selectors.overdue_by_unit(hotline.housing_handler) == []
        summary = selectors.case_box(hotline.operator, box="all", query=late.number)[0]
        assert summary.overdue is True


def test_actions_follow_role_and_state(hotline: Hotline) -> None:
    case = take_call(hotline, case_type="consultation")
    hotline_view = selectors.case_detail(hotline.operator, number=case.number)
    assert hotline_view is not None and {"dispatch", "merge", "conclude_directly"} <= hotline_view.actions
    dispatch(hotline, case)
    unit = selectors.case_detail(hotline.urban_handler, number=case.number)
    assert unit is not None and unit.actions == {"sign", "return"}
    services.case_sign(actor=hotline.urban_handler, case_id=case.pk)
    unit = selectors.case_detail(hotline.urban_handler, number=case.number)
    assert unit is not None and unit.actions == {"note", "return", "conclude", "extension"}
    supervisor = selectors.case_detail(hotline.supervisor, number=case.number)
    assert supervisor is not None and supervisor.actions == {"escalate"}
