"""The catalog in the browser: a data administrator searches it in Chinese and opens the population registry."""

from __future__ import annotations

import re

from playwright.sync_api import expect

CATALOG = "/console/datahub/catalog/"


def test_a_data_administrator_finds_the_population_registry_by_a_two_character_search(
    live_server, page, registries, sign_in
):
    sign_in(registries["police_data_admin"], CATALOG)
    rows = page.locator("main table tbody tr")
    expect(rows.locator("th a")).to_have_text(["人口基础信息", "法人单位基础信息", "电子证照库", "宏观经济指标"])

    page.fill("#catalog-q", "户籍")
    page.click("main form[role=search] button[type=submit]")

    expect(page).to_have_url(re.compile(r"\?q=%E6%88%B7%E7%B1%8D(&|$)"))  # the search can be bookmarked
    expect(page.locator("#catalog-q")).to_have_value("户籍")
    expect(rows).to_have_count(1)
    expect(rows.locator("td").nth(0)).to_have_text("1-01-001")
    expect(rows.locator("td").nth(1)).to_have_text("公安局")
    expect(page.locator("main table caption")).to_contain_text("户籍")

    rows.get_by_role("link", name="人口基础信息").click()

    page.wait_for_url(f"{live_server.url}{CATALOG}population/")
    expect(page.locator("main h1")).to_have_text("人口基础信息 1-01-001")
    elements = page.locator("main table").nth(0)
    expect(elements.locator("tbody th[scope=row]")).to_have_text(
        ["公民身份号码", "姓名", "性别", "出生日期", "民族", "户籍地址", "现住址", "联系电话", "所属区划"]
    )
    id_number = page.locator("#element-id_number")
    expect(id_number.locator("code").first).to_have_text("id_number")
    expect(id_number.locator("td").nth(2)).to_have_text("18")  # length
    expect(page.locator("main dl.summary").nth(1)).to_contain_text("公安局")  # the source department
