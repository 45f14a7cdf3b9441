"""Staff in the browser: password, then an authenticator app (TOTP), then a console scoped to their department.

The test reads the key off the set-up page and computes codes as an authenticator app on a phone would
(RFC 6238: HMAC-SHA1 over the number of 30-second steps since 1970, via django-otp's HOTP).
"""

from __future__ import annotations

import base64
import time

from django_otp.oath import hotp
from playwright.sync_api import expect

from yiwang.conftest import PASSWORD
from yiwang.identity import services as identity_services
from yiwang.identity.roles import Role

STEP_SECONDS = 30
ADMINISTRATOR_PAGES = ["/console/clients/", "/console/audit/", "/console/admin/"]
EVERY_STAFF_PAGES = ["/console/", "/console/staff/", "/console/calendar/"]


class Authenticator:
    """What a phone app holds after scanning the set-up page: the key, and the last step it showed a code for."""

    def __init__(self, shown_key: str) -> None:
        compact = shown_key.replace(" ", "")
        self.key = base64.b32decode(compact + "=" * (-len(compact) % 8))
        self.last_step = -1

    def code(self) -> str:
        # A code is accepted once: when the current step's code was already used, take the next step's
        # (the server accepts one step of clock difference), as a person would wait for the next code.
        step = max(int(time.time()) // STEP_SECONDS, self.last_step + 1)
        self.last_step = step
        return f"{hotp(self.key, step):06d}"

    def wrong_code(self) -> str:
        now = int(time.time()) // STEP_SECONDS
        valid = {f"{hotp(self.key, step):06d}" for step in range(now - 3, now + 4)}
        return next(candidate for candidate in (f"{n:06d}" for n in range(1_000_000)) if candidate not in valid)


def _password_step(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")


def _enrol(page, base_url: str, username: str) -> Authenticator:
    """First sign-in: password, then set up the authenticator with the key shown on the page."""
    _password_step(page, base_url, username)
    page.wait_for_url(f"{base_url}/login/authenticator/")
    authenticator = Authenticator(page.locator("[data-testid=totp-secret]").inner_text())
    page.fill("#id_token", authenticator.code())
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base_url}/console/")
    return authenticator


def _menu_paths(page) -> list[str]:
    return page.locator("nav.console-nav a").evaluate_all("links => links.map(link => link.getAttribute('href'))")


def _log_out(page, base_url: str) -> None:
    page.click("header form[action='/logout/'] button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def test_staff_sets_up_the_authenticator_and_sees_only_their_department(live_server, page, city, make_staff):
    clerk = make_staff(city.public_security, (Role.CLERK,), real_name="孙八")
    colleague = make_staff(city.public_security, (Role.REVIEWER,), real_name="吴十")
    other_department = make_staff(city.civil_affairs, (Role.CLERK,), real_name="周九")
    make_staff(city.big_data_bureau, (Role.PLATFORM_ADMIN,), real_name="郑一")

    _enrol(page, live_server.url, clerk.username)

    expect(page.locator("nav.console-nav .console-nav__title")).to_have_text("公安局")
    expect(page.locator("[data-testid=department]")).to_have_text("公安局")
    expect(page.locator("header .who")).to_have_text("孙八 · 公安局")
    menu = _menu_paths(page)
    assert [path for path in EVERY_STAFF_PAGES if path not in menu] == []
    assert [path for path in ADMINISTRATOR_PAGES if path in menu] == []
    expect(page.locator("main a[href='/console/clients/'], main a[href='/console/audit/']")).to_have_count(0)

    page.goto(f"{live_server.url}/console/staff/")

    usernames = page.locator("main table tbody tr td:nth-child(2)").all_inner_texts()
    assert sorted(usernames) == sorted([clerk.username, colleague.username])
    assert other_department.username not in usernames
    departments = page.locator("main table tbody tr td:nth-child(3)").all_inner_texts()
    assert departments == ["公安局", "公安局"]
    expect(page.locator("main a[href='/console/staff/new/']")).to_have_count(0)


def test_second_sign_in_asks_for_the_code_and_refuses_a_wrong_one(live_server, page, city, make_staff):
    clerk = make_staff(city.civil_affairs, (Role.CLERK,), real_name="周九")
    authenticator = _enrol(page, live_server.url, clerk.username)
    _log_out(page, live_server.url)

    _password_step(page, live_server.url, clerk.username)

    page.wait_for_url(f"{live_server.url}/login/code/")
    expect(page.locator("[data-testid=totp-secret]")).to_have_count(0)
    page.fill("#id_token", authenticator.code())
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/console/")
    expect(page.locator("[data-testid=department]")).to_have_text("民政局")
    _log_out(page, live_server.url)

    _password_step(page, live_server.url, clerk.username)
    page.wait_for_url(f"{live_server.url}/login/code/")
    page.fill("#id_token", authenticator.wrong_code())
    page.click("main form button[type=submit]")

    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#id_token']")).to_have_count(1)
    expect(page.locator("#id_token")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_token_error")).to_be_visible()
    assert page.url == f"{live_server.url}/login/code/"
    page.goto(f"{live_server.url}/console/")
    page.wait_for_url(f"{live_server.url}/login/?next=/console/")


def test_platform_administrator_sees_the_administrator_entries(live_server, page, city, make_staff):
    admin = make_staff(city.big_data_bureau, (Role.PLATFORM_ADMIN,), real_name="郑一")

    _enrol(page, live_server.url, admin.username)

    expect(page.locator("[data-testid=department]")).to_have_text("政务服务和大数据管理局")
    menu = _menu_paths(page)
    assert [path for path in EVERY_STAFF_PAGES + ADMINISTRATOR_PAGES if path not in menu] == []
    page.goto(f"{live_server.url}/console/clients/")
    expect(page.locator("nav.console-nav a[href='/console/clients/']")).to_have_attribute("aria-current", "page")
    page.goto(f"{live_server.url}/console/staff/")
    expect(page.locator("main a[href='/console/staff/new/']")).to_have_count(1)


def test_staff_who_has_only_given_the_password_cannot_open_the_console(live_server, page, city, make_staff):
    clerk = make_staff(city.public_security, (Role.CLERK,), real_name="孙八")
    _password_step(page, live_server.url, clerk.username)
    page.wait_for_url(f"{live_server.url}/login/authenticator/")

    page.goto(f"{live_server.url}/console/")

    page.wait_for_url(f"{live_server.url}/login/?next=/console/")
    expect(page.locator("#id_login")).to_be_visible()
    expect(page.locator("nav.console-nav")).to_have_count(0)


def test_staff_session_without_a_verified_second_factor_is_sent_to_sign_in(live_server, page, city, make_staff):
    """A signed-in staff session whose authenticator an administrator has just reset."""
    admin = make_staff(city.big_data_bureau, (Role.PLATFORM_ADMIN,), real_name="郑一")
    clerk = make_staff(city.public_security, (Role.CLERK,), real_name="孙八")
    _enrol(page, live_server.url, clerk.username)

    identity_services.staff_reset_second_factor(actor=admin, user_id=clerk.pk)
    page.goto(f"{live_server.url}/console/")

    page.wait_for_url(f"{live_server.url}/login/?next=/console/")
    expect(page.locator("#id_login")).to_be_visible()


def test_the_calculator_answers_in_place(live_server, page, city, make_staff):
    """htmx submits the working-day calculator and swaps in only the result; the page does not reload."""
    clerk = make_staff(city.public_security, (Role.CLERK,), real_name="孙八")
    _enrol(page, live_server.url, clerk.username)
    page.goto(f"{live_server.url}/console/calendar/")
    page.evaluate("window.notReloaded = true")
    page.fill("#start", "2026-09-28")
    page.fill("#days", "20")
    page.click("main form button[type=submit]")
    expect(page.locator("[data-testid=result]")).to_contain_text("2026-10-30")
    assert page.evaluate("window.notReloaded") is True
    assert "days=20" in page.url  # the address follows, so the result can be bookmarked or shared
