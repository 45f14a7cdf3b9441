"""The supervision board page (电子监察): who may open it, and that its filters show exactly the right warnings,
computed when the page is read.

Dates as in test_supervision (National Day 2025: 1–8 October off, Saturday 11 October worked), read on Friday
24 October 2025: 民政局's application accepted on 10 October is past its promised limit (23 October, red); its other
item's application received on Wednesday 22 October has waited two working days at the window (yellow); 公安局's
application accepted on 13 October has one working day left (27 October, yellow); 民政局's application accepted on
22 October is within its limits and on no board.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from yiwang.conftest import sign_in, url_routes
from yiwang.identity.roles import Role
from yiwang.services.applications import services
from yiwang.services.models import Application, ItemVersion
from yiwang.services.tests.factories import published_item
from yiwang.services.tests.test_applications import ANSWERS, FORM, on

pytestmark = pytest.mark.django_db

BOARD = "/console/services/supervision/"
TODAY = "2025-10-24"
CIVIL_SHOP = "11419800-MZ-SHOP-001"
CIVIL_HALL = "11419800-MZ-HALL-001"
POLICE_SHOP = "11419800-GA-SHOP-001"


@dataclass
class Board:
    civil_shop: ItemVersion
    civil_hall: ItemVersion
    police_shop: ItemVersion
    red: Application  # 民政局, promised limit passed
    waiting: Application  # 民政局, waiting at the window
    police: Application  # 公安局, one working day left
    calm: Application  # 民政局, within its limits
    people: dict[str, Any]


def _item(department_id: int, task_code: str, name: str) -> ItemVersion:
    return published_item(
        department_id=department_id,
        task_code=task_code,
        name=name,
        form_schema=FORM,
        handling_items=(),
        materials=(),
    )


def _submit(applicant: Any, item: ItemVersion, day: str) -> Application:
    with on(day):
        draft = services.application_draft_save(actor=applicant, task_code=item.item.task_code, form_data=ANSWERS)
        return services.application_submit(actor=applicant, application_id=draft.pk)


def _accept(clerk: Any, application: Application, day: str) -> Application:
    with on(day):
        return services.application_accept(actor=clerk, application_id=application.pk)


@pytest.fixture
def board(city: Any, accounts: Any, make_staff: Any, make_citizen: Any) -> Board:
    civil, police = city.civil_affairs, city.public_security
    people = {
        "citizen": accounts.citizen,
        "agent": accounts.agent,
        "clerk": make_staff(civil, (Role.CLERK,), real_name="窗口甲"),  # 民政局, no board role
        "supervisor": make_staff(civil, (Role.SUPERVISOR,), real_name="监察乙"),
        "leader": make_staff(civil, (Role.LEADER,), real_name="领导丙"),
        "supervisor_other": accounts.supervisor,  # 公安局
        "admin": accounts.admin,  # 政务服务和大数据管理局
        "supervisor_idle": make_staff(city.big_data_bureau, (Role.SUPERVISOR,), real_name="监察丁"),
    }
    civil_shop = _item(civil, CIVIL_SHOP, "食品经营备案")
    civil_hall = _item(civil, CIVIL_HALL, "社会团体年检")
    police_shop = _item(police, POLICE_SHOP, "旅馆业特种行业许可")
    applicant = make_citizen("王小明")
    red = _accept(people["clerk"], _submit(applicant, civil_shop, "2025-10-09"), "2025-10-10")
    police_case = _accept(accounts.staff, _submit(applicant, police_shop, "2025-10-13"), "2025-10-13")
    calm = _accept(people["clerk"], _submit(applicant, civil_shop, "2025-10-22"), "2025-10-22")
    waiting = _submit(applicant, civil_hall, "2025-10-22")
    return Board(civil_shop, civil_hall, police_shop, red, waiting, police_case, calm, people)


def _n(application: Application) -> str:
    """The application's number (every submitted application has one)."""
    assert application.number
    return application.number


def _client(board: Board, role: str) -> Client:
    client = Client()
    client.cookies["yiwang_language"] = "en"  # assertions read the English source strings
    return client if role == "anonymous" else sign_in(client, board.people[role])


def _get(board: Board, role: str, query: dict[str, Any] | None = None) -> Any:
    with on(TODAY):
        return _client(board, role).get(BOARD, query or {})


def _main(response: Any) -> str:
    page = response.content.decode()
    return page[page.index("<main") :]


def _rows(response: Any) -> list[tuple[str, int]]:
    """(number, level) of each row of the board, in order."""
    found = re.findall(r'data-testid="board-row" data-number="(\d+)" data-level="(\d)"', _main(response))
    return [(number, int(level)) for number, level in found]


def _counts(response: Any) -> tuple[int, int]:
    """(red, yellow) in the summary."""
    html = _main(response)
    red = re.search(r'<dd data-level="2">(\d+)</dd>', html)
    yellow = re.search(r'<dd data-level="1">(\d+)</dd>', html)
    assert red is not None and yellow is not None
    return int(red.group(1)), int(yellow.group(1))


# --- who may open it ------------------------------------------------------------------------------------------------


OWN_ROUTES = ("console/services/supervision/",)


def test_every_supervision_route_is_in_the_matrix() -> None:
    """The guard rail of this area: services/tests/test_pages.py leaves these routes to this file's matrix."""
    from django.urls import reverse

    assert {route for route in url_routes() if route.startswith(OWN_ROUTES)} == {"console/services/supervision/"}
    assert reverse("services:console_supervision") == BOARD


@pytest.mark.parametrize(
    ("role", "status", "rows"),
    [
        ("anonymous", 302, None),
        ("citizen", 403, None),
        ("agent", 403, None),
        ("clerk", 403, None),  # 民政局's own clerk: handles the cases, holds no board role
        ("supervisor", 200, ["red", "waiting"]),
        ("leader", 200, ["red", "waiting"]),
        ("supervisor_other", 200, ["police"]),  # 公安局's supervisor: never 民政局's cases
        ("admin", 200, ["red", "police", "waiting"]),  # every department's: red first, then by deadline
    ],
)
def test_who_may_open_the_board(board: Board, role: str, status: int, rows: list[str] | None) -> None:
    response = _get(board, role)
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == f"/login/?next={BOARD}"
    if rows is not None:
        assert [number for number, _level in _rows(response)] == [_n(getattr(board, name)) for name in rows]


def test_a_supervisor_is_fixed_to_their_own_department(board: Board) -> None:
    response = _get(board, "supervisor_other", {"department": board.red.department_id})
    assert response.status_code == 200  # the page offers no department choice: the parameter is not read
    assert _rows(response) == [(_n(board.police), 1)]
    html = _main(response)
    assert 'name="department"' not in html
    assert '<dl class="summary" data-testid="fixed-department">' in html and "<dd>公安局</dd>" in html
    admin = _main(_get(board, "admin"))
    assert '<select name="department"' in admin and "民政局" in admin


# --- what it shows --------------------------------------------------------------------------------------------------


def test_the_rows_in_words_with_their_deadlines_and_links(board: Board) -> None:
    response = _get(board, "supervisor")
    assert response.status_code == 200
    html = _main(response)
    assert _rows(response) == [(_n(board.red), 2), (_n(board.waiting), 1)]
    assert _counts(response) == (1, 1)
    red, waiting = html.split('data-testid="board-row"')[1:]
    assert f'<a href="/console/services/applications/{board.red.pk}/">{_n(board.red)}</a>' in red
    assert '<strong class="tag overdue">Red card (超期)</strong>' in red
    assert "<li>The promised limit passed on 2025-10-23.</li>" in red
    assert "Promised by 2025-10-23:" in red and "overdue by 1 working day" in red
    assert "食品经营备案" in red and CIVIL_SHOP in red and "<td>民政局</td>" in red
    assert '<strong class="tag">Yellow card (预警)</strong>' in waiting
    assert "<li>Waiting 2 working days at the window without acceptance or a notice.</li>" in waiting
    assert "Supplement notice by 2025-10-29 at the latest (art. 32)" in waiting
    assert "2 warnings" in html
    # The platform's administrators may open any case page (they see every department's applications).
    admin = _main(_get(board, "admin"))
    assert f'<a href="/console/services/applications/{board.red.pk}/">{_n(board.red)}</a>' in admin
    police = _get(board, "supervisor_other")
    assert "1 working day left" in _main(police) and f"/console/services/applications/{board.police.pk}/" in _main(
        police
    )


def test_filters_give_exactly_the_right_rows(board: Board) -> None:
    red, waiting, police = (_n(board.red), 2), (_n(board.waiting), 1), (_n(board.police), 1)
    cases: list[tuple[str, dict[str, Any], list[tuple[str, int]], tuple[int, int]]] = [
        ("admin", {"department": board.police.department_id}, [police], (0, 1)),
        ("admin", {"department": board.red.department_id}, [red, waiting], (1, 1)),
        ("admin", {"department": board.red.department_id, "item": CIVIL_HALL}, [waiting], (0, 1)),
        ("admin", {"item": CIVIL_SHOP}, [red], (1, 0)),
        ("admin", {"item": POLICE_SHOP}, [police], (0, 1)),
        ("admin", {"level": 2}, [red], (1, 2)),  # the summary still counts every level
        ("admin", {"level": 1}, [police, waiting], (1, 2)),
        ("admin", {"department": "", "item": "", "level": ""}, [red, police, waiting], (1, 2)),
        ("supervisor", {"item": CIVIL_SHOP}, [red], (1, 0)),
        ("supervisor", {"level": 1}, [waiting], (1, 1)),
        ("supervisor", {"item": CIVIL_SHOP, "level": 1}, [], (1, 0)),
    ]
    for role, query, rows, counts in cases:
        response = _get(board, role, query)
        assert response.status_code == 200, (role, query)
        assert (_rows(response), _counts(response)) == (rows, counts), (role, query)
    filtered = _main(_get(board, "supervisor", {"item": CIVIL_SHOP, "level": 1}))
    assert "No warning matches these filters." in filtered
    assert f'<option value="{CIVIL_SHOP}" selected>' in filtered


def test_the_items_offered_are_the_departments(board: Board) -> None:
    supervisor = _main(_get(board, "supervisor"))
    assert f'<option value="{CIVIL_SHOP}">' in supervisor and f'<option value="{CIVIL_HALL}">' in supervisor
    assert POLICE_SHOP not in supervisor
    chosen = _main(_get(board, "admin", {"department": board.police.department_id}))
    assert f'<option value="{POLICE_SHOP}">' in chosen and CIVIL_SHOP not in chosen


def test_a_case_that_moves_on_leaves_the_board(board: Board) -> None:
    assert _rows(_get(board, "supervisor")) == [(_n(board.red), 2), (_n(board.waiting), 1)]
    _accept(board.people["clerk"], board.waiting, TODAY)  # accepted: its clock starts, 10 working days ahead
    response = _get(board, "supervisor")
    assert (_rows(response), _counts(response)) == ([(_n(board.red), 2)], (1, 0))
    assert Application.objects.filter(pk=board.calm.pk, accepted_on__isnull=False).exists()  # never on the board


def test_the_empty_board(board: Board) -> None:
    response = _get(board, "supervisor_idle")
    assert response.status_code == 200
    html = _main(response)
    assert _rows(response) == [] and _counts(response) == (0, 0)
    assert "No warning: every open application is within its time limits." in html
    assert "0 warnings" in html


@pytest.mark.parametrize(
    ("role", "query"),
    [
        ("admin", {"level": "3"}),
        ("admin", {"level": "red"}),
        ("admin", {"department": "abc"}),
        ("admin", {"department": "999999"}),
        ("admin", {"item": "NO-SUCH"}),
        ("admin", {"department": "{police}", "item": CIVIL_SHOP}),  # an item of another department
        ("supervisor", {"item": POLICE_SHOP}),
        ("supervisor", {"level": "0"}),
    ],
)
def test_a_bad_filter_is_a_400_with_the_errors(board: Board, role: str, query: dict[str, str]) -> None:
    query = {name: value.format(police=board.police.department_id) for name, value in query.items()}
    response = _get(board, role, query)
    assert response.status_code == 400
    html = _main(response)
    assert '<div class="error-summary" role="alert"' in html and 'aria-invalid="true"' in html
    assert _rows(response) == []


def test_the_page_in_chinese(board: Board) -> None:
    with on(TODAY):
        client = sign_in(Client(), board.people["supervisor"])
        response = client.get(BOARD)
    assert response.status_code == 200 and _n(board.red) in response.content.decode()


def test_a_post_is_refused(board: Board) -> None:
    with on(TODAY):
        assert _client(board, "supervisor").post(BOARD).status_code == 405
