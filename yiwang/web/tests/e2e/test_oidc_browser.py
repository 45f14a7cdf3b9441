"""Single sign-on in the browser: a departmental web application signs a citizen in through Yiwang.

The application is a few lines of http.server on 127.0.0.1 built on Authlib's OAuth 2.0 client (PKCE S256,
discovery); it checks the ID token against Yiwang's JWKS with joserfc and ends the session with RP-initiated logout.
"""

from __future__ import annotations

import html
import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet
from playwright.sync_api import expect

from yiwang.conftest import PASSWORD
from yiwang.identity import services as identity_services
from yiwang.identity.roles import Role

SCOPE = "openid profile phone"
TIMEOUT = 10


@dataclass
class ClientApplication:
    """State of the departmental application: its registration, sign-ins in progress, the signed-in user."""

    base_url: str
    metadata: dict[str, Any]
    client_id: str = ""
    client_secret: str = ""
    pending: dict[str, tuple[str, str]] = field(default_factory=dict)  # state -> (PKCE verifier, nonce)
    id_token: str = ""
    logout_state: str = ""
    errors: list[str] = field(default_factory=list)

    def session(self) -> OAuth2Session:
        return OAuth2Session(
            self.client_id,
            self.client_secret,
            scope=SCOPE,
            redirect_uri=f"{self.base_url}/callback",
            code_challenge_method="S256",
        )

    def start_login(self) -> str:
        verifier = secrets.token_urlsafe(48)
        nonce = secrets.token_urlsafe(16)
        url, state = self.session().create_authorization_url(
            self.metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
        )
        self.pending[state] = (verifier, nonce)
        return str(url)

    def finish_login(self, query: dict[str, str]) -> dict[str, Any]:
        """Exchange the code, verify the ID token, read userinfo; returns what the page shows."""
        verifier, nonce = self.pending.pop(query["state"])
        client = self.session()
        token = client.fetch_token(
            self.metadata["token_endpoint"], code=query["code"], state=query["state"], code_verifier=verifier
        )
        keys = KeySet.import_key_set(requests.get(self.metadata["jwks_uri"], timeout=TIMEOUT).json())
        claims = jwt.decode(token["id_token"], keys, algorithms=["RS256"]).claims
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": self.metadata["issuer"]},
            aud={"essential": True, "value": self.client_id},
            nonce={"essential": True, "value": nonce},
            exp={"essential": True},
        ).validate(claims)
        userinfo = client.get(self.metadata["userinfo_endpoint"], timeout=TIMEOUT)
        userinfo.raise_for_status()
        if userinfo.json()["sub"] != claims["sub"]:
            raise ValueError("userinfo is about someone else than the ID token")
        self.id_token = token["id_token"]
        return {"name": userinfo.json()["name"], "acr": claims["acr"], "sub": claims["sub"]}

    def logout_url(self) -> str:
        self.logout_state = secrets.token_urlsafe(16)
        query = {
            "id_token_hint": self.id_token,
            "post_logout_redirect_uri": f"{self.base_url}/logged-out",
            "state": self.logout_state,
        }
        return f"{self.metadata['end_session_endpoint']}?{urlencode(query)}"


def _handler(app: ClientApplication) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(parts.query).items()}
            try:
                if parts.path == "/login":
                    self._redirect(app.start_login())
                elif parts.path == "/callback":
                    shown = app.finish_login(query)
                    self._page(
                        '<h1 data-testid="signed-in">Signed in</h1>'
                        f'<p data-testid="name">{html.escape(shown["name"])}</p>'
                        f'<p data-testid="acr">{html.escape(shown["acr"])}</p>'
                        f'<p data-testid="sub">{html.escape(shown["sub"])}</p>'
                        '<p><a data-testid="logout" href="/logout">Log out</a></p>'
                    )
                elif parts.path == "/logout":
                    self._redirect(app.logout_url())
                elif parts.path == "/logged-out":
                    if query.get("state") != app.logout_state:
                        raise ValueError(f"logout state {query.get('state')!r} is not the one sent")
                    self._page('<h1 data-testid="logged-out">Logged out</h1>')
                else:
                    self.send_error(HTTPStatus.NOT_FOUND)
            except Exception as error:
                app.errors.append(f"{parts.path}: {error!r}")
                self._page(f"<pre>{html.escape(repr(error))}</pre>", status=HTTPStatus.INTERNAL_SERVER_ERROR)

        def _redirect(self, location: str) -> None:
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _page(self, body: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            content = f'<!DOCTYPE html><html lang="zh-Hans"><meta charset="utf-8"><body>{body}</body></html>'.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output for failures

    return Handler


@pytest.fixture
def client_application(live_server, city, make_staff) -> Iterator[ClientApplication]:
    """The departmental application, running and registered with Yiwang by a platform administrator."""
    metadata = requests.get(f"{live_server.url}/.well-known/openid-configuration", timeout=TIMEOUT).json()
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    app = ClientApplication(base_url=f"http://127.0.0.1:{server.server_address[1]}", metadata=metadata)
    server.RequestHandlerClass = _handler(app)
    admin = make_staff(city.big_data_bureau, (Role.PLATFORM_ADMIN,), real_name="郑一")
    registered = identity_services.oidc_client_register(
        actor=admin,
        registration=identity_services.ClientRegistration(
            name="不动产登记系统",
            department_id=city.public_security,
            redirect_uris=[f"{app.base_url}/callback"],
            post_logout_redirect_uris=[f"{app.base_url}/logged-out"],
            confidential=True,
        ),
    )
    assert registered.client_secret is not None
    app.client_id, app.client_secret = registered.client_id, registered.client_secret
    thread = threading.Thread(target=server.serve_forever, name="client-application", daemon=True)
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(TIMEOUT)


def test_citizen_signs_in_to_a_client_application_through_yiwang_and_logs_out(
    live_server, page, make_citizen, client_application
):
    citizen = make_citizen("张三")
    app = client_application

    page.goto(f"{app.base_url}/login")

    page.wait_for_url(re.compile(rf"^{re.escape(live_server.url)}/login/\?next=/o/authorize/"))
    page.fill("#id_login", citizen.phone)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")

    page.wait_for_url(re.compile(rf"^{re.escape(live_server.url)}/o/authorize/\?"))
    consent = page.locator("form#authorizationForm")
    expect(page.locator("main h1")).to_contain_text("不动产登记系统")
    expect(page.locator("main .lead")).to_contain_text("公安局")
    expect(consent.locator("input[name=scope]")).to_have_value(SCOPE)
    expect(consent.locator("strong")).to_have_count(1)  # the phone number is personal data: the page says so

    consent.locator("button[name=allow]").click()

    page.wait_for_url(re.compile(rf"^{re.escape(app.base_url)}/callback\?"))
    assert app.errors == []
    expect(page.get_by_test_id("name")).to_have_text("张三")
    expect(page.get_by_test_id("acr")).to_have_text("2")
    expect(page.get_by_test_id("sub")).to_have_text(str(citizen.public_id))
    yiwang_tab = page.context.new_page()
    yiwang_tab.goto(f"{live_server.url}/account/")
    assert yiwang_tab.url == f"{live_server.url}/account/"  # signed in on Yiwang too
    yiwang_tab.close()

    page.get_by_test_id("logout").click()

    page.wait_for_url(f"{app.base_url}/logged-out?state={app.logout_state}")
    assert app.errors == []
    expect(page.get_by_test_id("logged-out")).to_be_visible()
    page.goto(f"{live_server.url}/account/")
    page.wait_for_url(f"{live_server.url}/login/?next=/account/")
    expect(page.locator("#id_login")).to_be_visible()
