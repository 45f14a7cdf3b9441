"""一数一源 in the browser: the authoritative department's data administrator decides a conflict from its queue."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from yiwang.datahub.catalog.selectors import resource_detail
from yiwang.datahub.catalog.services import element_assign_authority
from yiwang.datahub.models import Conflict, ConflictStatus
from yiwang.datahub.registries import POPULATION
from yiwang.datahub.tests.test_authority import CIVIL_PHONE, POLICE_PHONE, phone_of_person_1
from yiwang.datahub.tests.test_quality import person, send
from yiwang.identity.roles import Role

QUEUE = "/console/datahub/conflicts/"
CORRECTED_PHONE = "13700001111"


@pytest.fixture
def conflict(city, registries, make_staff):
    """The platform names 公安局 the source of population's phone; 民政局 then sends another number for person 1."""
    platform_admin = make_staff(city.big_data_bureau, (Role.PLATFORM_ADMIN,), real_name="郑一")
    population = resource_detail(slug=POPULATION)
    element_assign_authority(
        actor=platform_admin, resource_id=population.pk, element_code="phone", department_id=registries["police"]
    )
    send(registries, "police", POPULATION, [person(1), person(2)])
    send(registries, "civil", POPULATION, [person(1, **{"联系电话": CIVIL_PHONE}), person(2)])
    return Conflict.objects.get()


def test_the_authority_corrects_its_value_and_the_conflict_leaves_the_queue(
    live_server, page, registries, conflict, sign_in
):
    sign_in(registries["police_data_admin"], QUEUE)
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    cells = rows.first.locator("td")
    # resource, element, then both phone numbers masked in the list, and the department that sent the other one
    for index, text in enumerate(["人口基础信息", "phone", "138****0001", "139****9999", "民政局"]):
        expect(cells.nth(index)).to_have_text(text)

    rows.first.locator(f"th a[href='{QUEUE}{conflict.pk}/']").click()

    page.wait_for_url(f"{live_server.url}{QUEUE}{conflict.pk}/")
    values = page.locator("main table tbody tr")
    # both values in clear here, each with the department that sent it
    expect(values.nth(0).locator("td").nth(0)).to_have_text("公安局")
    expect(values.nth(0).locator("td").nth(1)).to_have_text(POLICE_PHONE)
    expect(values.nth(1).locator("td").nth(0)).to_have_text("民政局")
    expect(values.nth(1).locator("td").nth(1)).to_have_text(CIVIL_PHONE)
    page.check(f"input[name=outcome][value={ConflictStatus.CORRECTED}]")
    page.fill("#id_value", "1370000111")  # a digit short
    page.click("main form button[type=submit]")

    summary = page.get_by_role("alert")
    expect(summary.locator("a[href='#id_value']")).to_have_count(1)
    expect(page.locator("#id_value")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"input[name=outcome][value={ConflictStatus.CORRECTED}]")).to_be_checked()
    page.fill("#id_value", CORRECTED_PHONE)
    page.fill("#id_note", "已按户籍档案核实")
    page.click("main form button[type=submit]")

    expect(page.locator("main .message--success")).to_be_visible()  # back on the conflict, now decided
    expect(page.locator("input[name=outcome]")).to_have_count(0)  # decided once
    expect(values.nth(0).locator("td").nth(1)).to_have_text(CORRECTED_PHONE)
    expect(page.locator("main dl.summary")).to_contain_text("已按户籍档案核实")
    assert phone_of_person_1() == (CORRECTED_PHONE, registries["police"])

    page.click(f"main a[href='{QUEUE}']")

    page.wait_for_url(f"{live_server.url}{QUEUE}")
    expect(page.locator(f"main a[href='{QUEUE}{conflict.pk}/']")).to_have_count(0)
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td[colspan]")).to_have_count(1)  # the "no conflict" line
