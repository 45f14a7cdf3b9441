"""A supervisor filters the supervision board with the keyboard alone.

Read on the real day, long after the fixture's dates (October 2025): every accepted application of 民政局 is past
both limits (red), the one still waiting at the window is yellow. As in test_apply.py, the assertions read
structure (ids, test ids, data attributes, URLs), not the wording of the Chinese catalogue.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from yiwang.conftest import focus_by_tab
from yiwang.datahub.tests.e2e.conftest import sign_in  # noqa: F401 - the fixture, signing staff in
from yiwang.services.tests.test_supervision_pages import BOARD, board  # noqa: F401 - the cases, a fixture


def test_a_supervisor_filters_the_board_by_keyboard(live_server, page, board, sign_in):  # noqa: F811
    sign_in(board.people["supervisor"], BOARD)
    rows = page.locator("main [data-testid=board-row]")
    expect(rows).to_have_count(3)
    expect(page.locator("main [data-testid=level-counts] dd[data-level='2']")).to_have_text("2")
    expect(page.locator("main [data-testid=level-counts] dd[data-level='1']")).to_have_text("1")
    expect(page.locator("main [data-testid=fixed-department]")).to_contain_text("民政局")

    focus_by_tab(page, page.locator("#id_level"))
    page.keyboard.press("ArrowDown")  # a closed select: the arrow keys step through the options, yellow first
    expect(page.locator("#id_level")).to_have_value("1")
    focus_by_tab(page, page.locator("main form[data-testid=board-filter] button[type=submit]"))
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(re.escape(BOARD) + r"\?item=&level=1$"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-number", board.waiting.number)
    expect(rows.first.locator("th[scope=row] a")).to_have_attribute(
        "href", f"/console/services/applications/{board.waiting.pk}/"
    )
    expect(page.locator("#id_level")).to_have_value("1")  # the choice stays on the page it made
    expect(page.locator("main table[data-testid=board] caption")).to_be_visible()
