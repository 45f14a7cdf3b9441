"""A visitor finds a service guide with the keyboard alone, and reads it in large text.

The interface's source strings are English and its Chinese catalogue may lag behind, so these tests look at
structure (ids, roles, test ids, URLs) and at the catalog's own data, never at UI wording. The `browser` and `page`
fixtures come from yiwang/conftest.py, `catalog` from yiwang/services/tests/conftest.py.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from yiwang.conftest import focus_by_tab

LARGE_TEXT = re.compile(r"\blarge-text\b")
GUIDE = "/services/items/11419800-SHEBAO-001/"


def test_a_visitor_searches_by_keyboard_and_opens_a_guide(live_server, page, catalog):
    page.goto(f"{live_server.url}/services/")
    results = page.locator("#search-results [data-testid=result]")
    expect(results).to_have_count(3)
    page.keyboard.press("Tab")
    expect(page.locator("a.skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    focus_by_tab(page, page.locator("#id_q"))

    page.keyboard.type("社保")

    # htmx swaps the results in as one types: no navigation, the focus stays in the box, the count is announced
    expect(results).to_have_count(1)
    expect(results.locator("h3 a")).to_have_text("社会保险参保登记")
    expect(page.locator("#id_q")).to_be_focused()
    expect(page.locator("#search-count")).to_have_attribute("role", "status")
    expect(page.locator("#search-count")).to_contain_text("1")
    expect(page).to_have_url(re.compile(r"/services/\?q=%E7%A4%BE%E4%BF%9D"))  # the search can be bookmarked

    focus_by_tab(page, results.locator("h3 a"))
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}{GUIDE}")
    expect(page.locator("main h1")).to_have_text("社会保险参保登记")
    materials = page.locator("table[data-testid=materials]")
    expect(materials).to_be_visible()
    expect(materials.locator("tbody tr")).to_have_count(1)
    expect(materials.locator("tbody th")).to_contain_text("参保人员信息表")
    expect(page.locator("[data-testid=free]")).to_be_visible()


def test_the_guide_in_large_text(live_server, page, catalog):
    page.goto(f"{live_server.url}/services/items/11419800-HUKOU-001/")
    html = page.locator("html")
    expect(html).to_have_css("font-size", "16px")
    toggle = page.locator("header button[name=large_text]")
    focus_by_tab(page, toggle)

    page.keyboard.press("Enter")

    expect(html).to_have_class(LARGE_TEXT)
    expect(html).to_have_css("font-size", "21px")
    expect(page).to_have_url(f"{live_server.url}/services/items/11419800-HUKOU-001/")
    materials = page.locator("table[data-testid=materials]")
    expect(materials.locator("tbody tr")).to_have_count(3)
    expect(materials.locator("[data-testid=fetched]")).to_have_count(2)  # 居民身份证 and 户籍信息: 免提交
    expect(materials.locator("tbody tr").first.locator("[data-testid=fetched]")).to_have_count(0)
    # the larger text wraps instead of pushing the page sideways
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    expect(page.locator("main h1")).to_have_count(1)
    expect(page.locator("main table:not(:has(> caption))")).to_have_count(0)
