"""A citizen in the browser: registration, sign-in with the mobile number, language, large text, keyboard use.

The interface's source strings are English and its Chinese catalogue may be incomplete, so these tests look at
structure (the lang attribute, classes, URLs, field ids, roles) and at the data typed in, never at UI wording.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from yiwang.conftest import PASSWORD, next_id_number, next_phone
from yiwang.identity.selectors import user_find_by_login

NEW_PASSWORD = "Qinghe-Road-2026"
LARGE_TEXT = re.compile(r"\blarge-text\b")


def _fill_registration(page, *, real_name: str, id_number: str, phone: str) -> None:
    page.fill("#id_real_name", real_name)
    page.fill("#id_id_number", id_number)
    page.fill("#id_phone", phone)
    page.fill("#id_password", NEW_PASSWORD)
    page.fill("#id_password_again", NEW_PASSWORD)
    page.check("#id_consent")
    page.click("form[action='/register/'] button[type=submit]")


def _log_in(page, base_url: str, *, login: str, password: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_login", login)
    page.fill("#id_password", password)
    page.click("form[action='/login/'] button[type=submit]")


def test_citizen_registers_logs_out_and_logs_in_again_with_the_mobile_number(live_server, page, city):
    id_number = next_id_number()
    phone = next_phone()
    page.goto(f"{live_server.url}/register/")

    _fill_registration(page, real_name="张三", id_number=id_number, phone=phone)

    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator("header .who")).to_have_text("张三")
    user = user_find_by_login(phone)
    assert user is not None
    assert (user.kind, user.real_name, user.id_number, user.username, user.assurance_level) == (
        "citizen",
        "张三",
        id_number,
        phone,
        2,
    )

    page.click("header form[action='/logout/'] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator("header .who")).to_have_count(0)
    expect(page.locator("header a[href='/login/']")).to_be_visible()

    _log_in(page, live_server.url, login=phone, password=NEW_PASSWORD)

    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator("header .who")).to_have_text("张三")


def test_citizen_switches_language_and_it_sticks_across_pages(live_server, page, city, make_citizen):
    citizen = make_citizen("王小明")
    _log_in(page, live_server.url, login=citizen.phone, password=PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-Hans")

    page.click("header button[name=language][value=en]")

    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/accessibility/")
    expect(html).to_have_attribute("lang", "en")
    citizen.refresh_from_db()
    assert citizen.language == "en"

    page.click("header button[name=language][value=zh-hans]")

    expect(html).to_have_attribute("lang", "zh-Hans")
    expect(page).to_have_url(f"{live_server.url}/accessibility/")
    page.goto(f"{live_server.url}/")
    expect(html).to_have_attribute("lang", "zh-Hans")
    citizen.refresh_from_db()
    assert citizen.language == "zh-hans"


def test_citizen_turns_large_text_on_and_off(live_server, page, city, make_citizen):
    citizen = make_citizen("王小明")
    _log_in(page, live_server.url, login=citizen.phone, password=PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    html = page.locator("html")
    toggle = page.locator("header button[name=large_text]")
    expect(html).not_to_have_class(LARGE_TEXT)
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(html).to_have_css("font-size", "16px")

    toggle.click()

    expect(html).to_have_class(LARGE_TEXT)
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(html).to_have_css("font-size", "21px")  # the computed root size: 131.25 % of 16 px
    page.goto(f"{live_server.url}/accessibility/")
    expect(html).to_have_class(LARGE_TEXT)
    expect(html).to_have_css("font-size", "21px")
    citizen.refresh_from_db()
    assert citizen.large_text is True

    toggle.click()

    expect(html).not_to_have_class(LARGE_TEXT)
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(html).to_have_css("font-size", "16px")
    expect(page).to_have_url(f"{live_server.url}/accessibility/")
    citizen.refresh_from_db()
    assert citizen.large_text is False


def test_first_tab_reaches_the_skip_link_which_moves_focus_to_the_main_content(live_server, page):
    page.goto(f"{live_server.url}/")

    page.keyboard.press("Tab")

    skip_link = page.locator("a.skip-link")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_have_attribute("href", "#main")
    expect(skip_link).to_be_visible()

    page.keyboard.press("Enter")

    expect(page.locator("main#main")).to_be_focused()
    assert page.url == f"{live_server.url}/#main"


def test_registration_with_a_wrong_id_number_shows_an_error_summary_linking_to_the_field(live_server, page, city):
    valid = next_id_number()
    wrong_check_digit = valid[:17] + ("0" if valid[17] != "0" else "1")
    phone = next_phone()
    page.goto(f"{live_server.url}/register/")

    _fill_registration(page, real_name="张三", id_number=wrong_check_digit, phone=phone)

    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("id", "error-summary")
    link = summary.locator("a[href='#id_id_number']")
    expect(link).to_have_count(1)
    expect(summary.locator("a")).to_have_count(1)
    field = page.locator("#id_id_number")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", "id_id_number_hint id_id_number_error")
    expect(page.locator("#id_id_number_error")).to_be_visible()
    expect(field).to_have_value(wrong_check_digit)
    expect(page.locator("#id_real_name")).to_have_value("张三")
    expect(page.locator("#id_phone")).to_have_value(phone)
    assert page.url == f"{live_server.url}/register/"
    assert user_find_by_login(phone) is None

    link.click()

    expect(field).to_be_focused()
