"""End-to-end tests in headless Chromium: Debian's browser driven by Playwright against pytest-django's live server.

Every test here is marked `browser` and put in the xdist group "browser", so that under
`-n 2 --dist loadgroup` one worker runs them all and only one Chromium is started.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Fail a step after this long instead of Playwright's 30 s: every page here answers in well under a second.
TIMEOUT_MS = 10_000
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
HERE = Path(__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:
    # pytest-xdist declares this marker; with `-p no:xdist` it is unknown and --strict-markers would refuse it.
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one xdist worker (--dist loadgroup)")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # tryfirst: xdist reads the group marker in its own hook of the same name to route the tests to one worker.
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session (Debian's package; Playwright never downloads one)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium). "
            "These tests never download a browser.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio event loop running in the test's thread for as long as it is started.
    # Django's async-safety check sees that loop and refuses every ORM call made by the test itself (fixtures,
    # assertions on the database) with SynchronousOnlyOperation, although they are ordinary blocking calls made
    # between two browser steps and no coroutine touches the database. The variable is read by every check in the
    # process, so it is set exactly as long as Playwright, and its loop, runs.
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page in a fresh context (no cookies), as a browser set to Simplified Chinese would send."""
    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    # Chromium asks for /favicon.ico after each page, in parallel with the test's next step; the site has none, so
    # answering it would only add a request racing each step and a 404 warning to every failure report.
    context.route("**/favicon.ico", lambda route: route.abort())
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
