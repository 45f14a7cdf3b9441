"""Shared fixtures: a small city, accounts for every role, clients signed in as them, and the browser."""

from __future__ import annotations

import datetime
import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from yiwang.core.identifiers import compose_credit_code, compose_id_number
from yiwang.identity import services as identity_services
from yiwang.identity.roles import Role
from yiwang.org import services as org_services
from yiwang.org.services import DivisionRow

PASSWORD = "Yiwang-Test-2026"
_sequence = itertools.count(1)


def next_id_number(*, area: str = "419802", birth: datetime.date | None = None) -> str:
    """A fresh valid ID number (unique within the test run)."""
    number = next(_sequence)
    born = birth or datetime.date(1960, 1, 1) + datetime.timedelta(days=number * 37 % 20000)
    return compose_id_number(area, born, number % 1000)


def next_phone() -> str:
    return f"139{next(_sequence):08d}"


def next_credit_code(prefix: str = "91419802") -> str:
    body = f"{next(_sequence):09d}"
    return compose_credit_code(prefix + body)


@pytest.fixture(scope="session", autouse=True)
def _api_schemas_built_before_any_frozen_clock() -> None:
    """Build the URL map, and with it every API's pydantic schemas (the main API and the gateway's), before a test
    freezes the clock: under freezegun `datetime.date` is another class, which pydantic cannot make a schema of."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    """Service messages asserted in tests read in English; pages still follow each request's language."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_local_areas() -> None:
    """Each test sees the divisions of its own database, not those a previous test memoised."""
    from yiwang.core.identifiers import forget_local_areas

    forget_local_areas()


@pytest.fixture(autouse=True)
def _audit_chain_heads(request: pytest.FixtureRequest) -> None:
    """Transactional tests flush every table between tests; put the audit chains' heads back first."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "live_server" in request.fixturenames or "transactional_db" in request.fixturenames
    if marker is not None and marker.kwargs.get("transaction"):
        transactional = True
    if transactional:
        from yiwang.core.audit.services import audit_lanes_ensure

        request.getfixturevalue("transactional_db")
        audit_lanes_ensure()


@dataclass(frozen=True)
class City:
    """A province, a city, one district with a street and a community, and four departments."""

    city_code: str
    district_code: str
    street_code: str
    public_security: int
    civil_affairs: int
    district_government: int
    big_data_bureau: int
    police_station: int


@pytest.fixture
def city(db: Any) -> City:
    org_services.division_bulk_create(
        actor=None,
        rows=[
            DivisionRow("410000", "河南省", "province", None),
            DivisionRow("419800", "明湖市", "city", "410000"),
            DivisionRow("419802", "清河区", "county", "419800"),
            DivisionRow("419803", "东湖区", "county", "419800"),
            DivisionRow("419802001", "滨河街道", "township", "419802"),
            DivisionRow("419802001001", "柳园社区", "village", "419802001"),
        ],
    )

    def department(name: str, kind: str, division: str, parent: int | None = None) -> int:
        return org_services.department_create(
            actor=None,
            name=name,
            credit_code=next_credit_code("11419800"),
            kind=kind,
            division_code=division,
            parent_id=parent,
        ).id

    public_security = department("公安局", "government_department", "419800")
    return City(
        city_code="419800",
        district_code="419802",
        street_code="419802001",
        public_security=public_security,
        civil_affairs=department("民政局", "government_department", "419800"),
        district_government=department("清河区人民政府", "district_government", "419802"),
        big_data_bureau=department("政务服务和大数据管理局", "government_department", "419800"),
        police_station=department("滨河派出所", "government_department", "419802", parent=public_security),
    )


@pytest.fixture
def make_citizen(city: City) -> Callable[..., Any]:
    def make(real_name: str = "张三", **overrides: Any) -> Any:
        registration = identity_services.Registration(
            real_name=real_name,
            id_number=overrides.pop("id_number", None) or next_id_number(),
            phone=overrides.pop("phone", None) or next_phone(),
            password=overrides.pop("password", PASSWORD),
            username=overrides.pop("username", ""),
        )
        return identity_services.citizen_register(registration=registration)

    return make


@pytest.fixture
def make_staff(db: Any, city: City) -> Callable[..., Any]:
    def make(department: int | None = None, roles: tuple[str, ...] = (Role.CLERK,), **overrides: Any) -> Any:
        number = next(_sequence)
        return identity_services.staff_create(
            actor=None,
            details=identity_services.StaffDetails(
                username=overrides.pop("username", f"staff{number}"),
                real_name=overrides.pop("real_name", "李四"),
                department_id=department or city.public_security,
                roles=roles,
                password=PASSWORD,
                phone=overrides.pop("phone", ""),
                email=overrides.pop("email", ""),
            ),
        )

    return make


def url_routes() -> Iterator[str]:
    """Every route pattern of the site, as Django's resolver knows it (for the authorization matrices' guard rails)."""
    from django.urls import get_resolver

    def walk(patterns: Any, prefix: str) -> Iterator[str]:
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    yield from walk(get_resolver().url_patterns, "")


def focus_by_tab(page: Any, target: Any, *, presses: int = 60) -> None:
    """Move the focus with Tab alone until it reaches the target, as a keyboard user does."""
    for _press in range(presses):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def bearer_client(user: Any, token: str) -> Client:
    """A client calling as a department's system: an access token of our provider for `user` (valid an hour, client
    credentials), no session, CSRF enforced as a browser would have it."""
    from django.utils import timezone
    from oauth2_provider.models import AccessToken, Application

    application = Application.objects.create(
        name=f"system of {user.username}",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
    )
    AccessToken.objects.create(
        user=user,
        application=application,
        token=token,
        expires=timezone.now() + datetime.timedelta(hours=1),
        scope="openid",
    )
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token}")


def sign_in(client: Client, user: Any) -> Client:
    """Sign a test client in; staff also pass the second factor (a confirmed TOTP device)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user, backend="yiwang.identity.backends.LoginNameBackend")
    if user.kind == "staff":
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@dataclass
class Accounts:
    """One account per role in the authorization matrix."""

    citizen: Any
    agent: Any
    enterprise_id: int
    staff: Any  # clerk of 公安局
    staff_other: Any  # clerk of 民政局
    supervisor: Any  # supervisor of 公安局
    admin: Any  # platform administrator in 政务服务和大数据管理局


@pytest.fixture
def accounts(city: City, make_citizen: Callable[..., Any], make_staff: Callable[..., Any]) -> Accounts:
    representative = make_citizen("王五")
    agent = make_citizen("赵六")
    enterprise = identity_services.enterprise_register(
        actor=representative,
        credit_code=next_credit_code(),
        name="明湖示范贸易有限公司",
        legal_representative_name="王五",
    )
    identity_services.enterprise_authorise_agent(
        actor=representative,
        enterprise_id=enterprise.pk,
        agent_id_number=agent.id_number,
        agent_name="赵六",
        valid_until=None,
    )
    return Accounts(
        citizen=make_citizen("钱七"),
        agent=agent,
        enterprise_id=enterprise.pk,
        staff=make_staff(city.public_security, (Role.CLERK,), real_name="孙八"),
        staff_other=make_staff(city.civil_affairs, (Role.CLERK,), real_name="周九"),
        supervisor=make_staff(city.public_security, (Role.SUPERVISOR,), real_name="吴十"),
        admin=make_staff(city.big_data_bureau, (Role.PLATFORM_ADMIN,), real_name="郑一"),
    )


ROLES = ["anonymous", "citizen", "agent", "staff", "staff_other", "admin"]


@pytest.fixture
def client_as(accounts: Accounts) -> Callable[[str], Client]:
    """`client_as("citizen")` — a test client signed in as that role ("anonymous" for none)."""

    def make(role: str) -> Client:
        client = Client()
        if role == "anonymous":
            return client
        return sign_in(client, getattr(accounts, role))

    return make


# --- browser tests -------------------------------------------------------------------------------------------
# End-to-end tests in headless Chromium: Debian's browser driven by Playwright against pytest-django's live
# server. Every test under an app's tests/e2e/ is marked `browser` and put in the xdist group "browser", so that
# under `-n 2 --dist loadgroup` one worker runs them all and one Chromium serves the whole session (Playwright's
# sync API allows one instance per thread, so the fixtures live here, shared by every app's e2e tests).

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


def _in_browser_suite(path: Path) -> bool:
    """Tests under a `tests/e2e` directory of any app drive the browser."""
    parts = path.resolve().parts
    return any(parts[index : index + 2] == ("tests", "e2e") for index in range(len(parts) - 1))


def pytest_configure(config: pytest.Config) -> None:
    # pytest-xdist declares this marker; with `-p no:xdist` it is unknown and --strict-markers would refuse it.
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one xdist worker (--dist loadgroup)")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # tryfirst: xdist reads the group marker in its own hook of the same name to route the tests to one worker.
    for item in items:
        if _in_browser_suite(item.path):
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
