"""The data hub's pages in headless Chromium: signing staff in as they do every day.

The `browser` and `page` fixtures and the `browser` marker come from yiwang/conftest.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from yiwang.conftest import PASSWORD


def authenticator_code(device: Any) -> str:
    """The six digits an authenticator app holding the device's key shows now (RFC 6238)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def sign_in(live_server: Any, page: Any) -> Callable[[Any, str], None]:
    """`sign_in(staff, "/console/datahub/…")`: open the page, sign in with password and code, land on the page.

    The staff member has set up an authenticator app before (a confirmed TOTP device, as after enrolment;
    yiwang/web/tests/e2e/test_staff.py goes through the enrolment itself); the browser then signs in as every
    day: the console sends it to the sign-in page, which asks for the password, then for the app's current code.
    """

    def enter(user: Any, path: str) -> None:
        device = TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
        page.goto(f"{live_server.url}{path}")
        page.wait_for_url(f"{live_server.url}/login/?next={path}")
        page.fill("#id_login", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("form[action='/login/'] button[type=submit]")
        page.wait_for_url(f"{live_server.url}/login/code/")
        page.fill("#id_token", authenticator_code(device))
        page.click("main form button[type=submit]")
        page.wait_for_url(f"{live_server.url}{path}")

    return enter
