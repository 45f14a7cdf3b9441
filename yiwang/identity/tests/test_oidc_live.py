"""The OpenID Connect provider against a live server, driven like a relying party would: requests + Authlib's client.

A `requests.Session` plays the person's browser (sign-in and consent forms); Authlib's `OAuth2Session` plays the
departmental system (PKCE, token request, userinfo); joserfc checks the ID token against the published JWKS.
The redirect URIs point at a host that is never contacted: the code is read from the redirect itself.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django_otp.oath import hotp
from joserfc import jwt
from joserfc.jwk import KeySet

from yiwang.conftest import PASSWORD
from yiwang.core.audit.selectors import audit_events_for_object
from yiwang.identity import services as identity_services
from yiwang.identity.roles import Role

pytestmark = pytest.mark.live

REDIRECT_URI = "https://rp.example.invalid/callback"
POST_LOGOUT_URI = "https://rp.example.invalid/logged-out"
TIMEOUT = 10


# --- a browser made of requests ----------------------------------------------------------------------------


class _FormParser(HTMLParser):
    """Every <form> of a page with its action, id and the values its inputs would submit."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._current = {"action": values.get("action", ""), "id": values.get("id", ""), "fields": {}}
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and values.get("name"):
            if values.get("type") in {"checkbox", "radio"} and "checked" not in values:
                return
            self._current["fields"][values["name"]] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def _form(html: str, *, action: str | None = None, form_id: str | None = None) -> dict[str, str]:
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if (action is not None and form["action"] == action) or (form_id is not None and form["id"] == form_id):
            return dict(form["fields"])
    raise AssertionError(f"no form with action={action!r} id={form_id!r} on the page")


class Person:
    """A person at a browser: follows redirects within Yiwang, stops at the one that leaves for the client."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()

    def open(self, url: str, *, data: dict[str, str] | None = None) -> requests.Response:
        method = "POST" if data is not None else "GET"
        response = self.session.request(method, url, data=data, allow_redirects=False, timeout=TIMEOUT)
        while response.is_redirect:
            target = urljoin(response.url, response.headers["Location"])
            if not target.startswith(self.base_url):
                return response
            response = self.session.get(target, allow_redirects=False, timeout=TIMEOUT)
        return response

    def sign_in(self, page: requests.Response, login: str) -> requests.Response:
        """Fill in the sign-in form `page` shows; returns wherever that leads."""
        assert urlsplit(page.url).path == "/login/", page.url
        fields = _form(page.text, action="/login/")
        return self.open(f"{self.base_url}/login/", data=fields | {"login": login, "password": PASSWORD})

    def answer_consent(self, page: requests.Response, *, allow: bool) -> requests.Response:
        fields = _form(page.text, form_id="authorizationForm")
        if allow:
            fields["allow"] = "Authorize"
        return self.open(page.url, data=fields)


def _redirect_query(response: requests.Response) -> dict[str, str]:
    """The parameters of a redirect to the client (one value each)."""
    assert response.status_code == 302, response.status_code
    location = response.headers["Location"]
    assert location.split("?")[0] in {REDIRECT_URI, POST_LOGOUT_URI}, location
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


# --- the relying party ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str
    state: str
    verifier: str
    nonce: str


@dataclass
class RelyingParty:
    """A departmental system registered with Yiwang, using Authlib's OAuth 2.0 client with PKCE S256."""

    metadata: dict[str, Any]
    client_id: str
    client_secret: str

    def session(self, scope: str = "openid profile phone") -> OAuth2Session:
        return OAuth2Session(
            self.client_id,
            self.client_secret,
            scope=scope,
            redirect_uri=REDIRECT_URI,
            code_challenge_method="S256",
        )

    def authorization_request(self, client: OAuth2Session, **extra: str) -> AuthorizationRequest:
        """The URL to send the person to, with what the client keeps until they come back."""
        verifier = secrets.token_urlsafe(48)
        nonce = secrets.token_urlsafe(16)
        url, state = client.create_authorization_url(
            self.metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce, **extra
        )
        return AuthorizationRequest(url=url, state=state, verifier=verifier, nonce=nonce)

    def tokens(self, client: OAuth2Session, request: AuthorizationRequest, redirect: dict[str, str]) -> Any:
        """Exchange the code from the redirect (after checking its state) with the PKCE verifier."""
        assert redirect["state"] == request.state
        return client.fetch_token(
            self.metadata["token_endpoint"],
            code=redirect["code"],
            state=redirect["state"],
            code_verifier=request.verifier,
        )

    def verified_id_token(self, id_token: str, *, nonce: str) -> dict[str, Any]:
        """The ID token's claims after checking signature, issuer, audience, nonce and expiry."""
        keys = KeySet.import_key_set(requests.get(self.metadata["jwks_uri"], timeout=TIMEOUT).json())
        token = jwt.decode(id_token, keys, algorithms=["RS256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": self.metadata["issuer"]},
            aud={"essential": True, "value": self.client_id},
            nonce={"essential": True, "value": nonce},
            exp={"essential": True},
            sub={"essential": True},
        ).validate(token.claims)
        return dict(token.claims)


def _register(actor: Any, department: int, *, trusted_for_staff: bool = False) -> identity_services.RegisteredClient:
    return identity_services.oidc_client_register(
        actor=actor,
        registration=identity_services.ClientRegistration(
            name="不动产登记系统",
            department_id=department,
            redirect_uris=[REDIRECT_URI],
            post_logout_redirect_uris=[POST_LOGOUT_URI],
            confidential=True,
            trusted_for_staff=trusted_for_staff,
        ),
    )


@pytest.fixture
def admin(city, make_staff):
    return make_staff(city.big_data_bureau, (Role.PLATFORM_ADMIN,), real_name="郑一")


@pytest.fixture
def metadata(live_server) -> dict[str, Any]:
    return requests.get(f"{live_server.url}/.well-known/openid-configuration", timeout=TIMEOUT).json()


@pytest.fixture
def relying_party(admin, city, metadata) -> RelyingParty:
    registered = _register(admin, city.public_security)
    assert registered.client_secret is not None
    return RelyingParty(metadata, registered.client_id, registered.client_secret)


@pytest.fixture
def citizen(make_citizen):
    return make_citizen("张三")


def _code_for(person: Person, url: str, login: str) -> dict[str, str]:
    """Sign in from the authorization URL, allow on the consent screen, return the redirect's parameters."""
    consent = person.sign_in(person.open(url), login)
    assert consent.status_code == 200
    assert urlsplit(consent.url).path == "/o/authorize/"
    return _redirect_query(person.answer_consent(consent, allow=True))


# --- discovery and keys --------------------------------------------------------------------------------------


def test_discovery_document_describes_the_provider(live_server, metadata):
    base = live_server.url
    assert metadata["issuer"] == base
    assert {key: metadata[key] for key in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint")} == {
        "authorization_endpoint": f"{base}/o/authorize/",
        "token_endpoint": f"{base}/o/token/",
        "userinfo_endpoint": f"{base}/o/userinfo/",
    }
    assert metadata["jwks_uri"] == f"{base}/.well-known/jwks.json"
    assert metadata["end_session_endpoint"] == f"{base}/o/logout/"
    assert "S256" in metadata["code_challenge_methods_supported"]
    assert metadata["acr_values_supported"] == ["1", "2", "3", "4", "5"]
    assert "RS256" in metadata["id_token_signing_alg_values_supported"]
    assert "code" in metadata["response_types_supported"]
    assert {"openid", "profile", "phone"} <= set(metadata["scopes_supported"])
    assert {"sub", "acr", "name", "phone_number"} <= set(metadata["claims_supported"])


def test_jwks_publishes_an_rsa_signing_key(metadata):
    keys = requests.get(metadata["jwks_uri"], timeout=TIMEOUT).json()["keys"]

    assert [(key["kty"], key["alg"], key["use"]) for key in keys] == [("RSA", "RS256", "sig")]
    assert set(keys[0]) == {"kty", "alg", "use", "kid", "n", "e"}


# --- the authorization code flow ----------------------------------------------------------------------------


def test_citizen_signs_in_with_code_flow_and_pkce(live_server, relying_party, citizen):
    client = relying_party.session()
    request = relying_party.authorization_request(client)
    person = Person(live_server.url)

    redirect = _code_for(person, request.url, citizen.phone)
    token = relying_party.tokens(client, request, redirect)

    assert token["token_type"] == "Bearer"
    claims = relying_party.verified_id_token(token["id_token"], nonce=request.nonce)
    assert claims["sub"] == str(citizen.public_id)
    assert claims["acr"] == "2"
    assert claims["iss"] == live_server.url
    assert claims["aud"] in (relying_party.client_id, [relying_party.client_id])
    userinfo = client.get(relying_party.metadata["userinfo_endpoint"], timeout=TIMEOUT)
    assert userinfo.status_code == 200
    assert {key: userinfo.json()[key] for key in ("sub", "acr", "name", "phone_number", "user_type")} == {
        "sub": str(citizen.public_id),
        "acr": "2",
        "name": "张三",
        "phone_number": citizen.phone,
        "user_type": "citizen",
    }
    assert "id_number" not in userinfo.json()


def test_userinfo_leaves_out_the_phone_number_without_the_phone_scope(live_server, relying_party, citizen):
    client = relying_party.session(scope="openid profile")
    request = relying_party.authorization_request(client)
    redirect = _code_for(Person(live_server.url), request.url, citizen.phone)
    relying_party.tokens(client, request, redirect)

    userinfo = client.get(relying_party.metadata["userinfo_endpoint"], timeout=TIMEOUT).json()

    assert userinfo["name"] == "张三"
    assert "phone_number" not in userinfo
    assert "phone_number_verified" not in userinfo


def test_userinfo_reads_are_audited(live_server, relying_party, citizen):
    client = relying_party.session()
    request = relying_party.authorization_request(client)
    redirect = _code_for(Person(live_server.url), request.url, citizen.phone)
    relying_party.tokens(client, request, redirect)

    client.get(relying_party.metadata["userinfo_endpoint"], timeout=TIMEOUT).raise_for_status()

    reads = [
        event
        for event in audit_events_for_object(object_type="identity.user", object_id=citizen.pk)
        if event.action == "identity.oidc.userinfo"
    ]
    assert len(reads) == 1
    assert reads[0].actor_id == citizen.pk
    assert reads[0].changes_data == {"client_id": relying_party.client_id, "scopes": ["openid", "phone", "profile"]}
    assert reads[0].purpose == f"single sign-on of {relying_party.client_id}"


def test_authorization_request_without_pkce_is_refused(live_server, relying_party, citizen):
    client = OAuth2Session(
        relying_party.client_id, relying_party.client_secret, scope="openid", redirect_uri=REDIRECT_URI
    )
    url, state = client.create_authorization_url(relying_party.metadata["authorization_endpoint"], nonce="n-1")
    assert "code_challenge" not in url
    person = Person(live_server.url)

    response = person.sign_in(person.open(url), citizen.phone)

    redirect = _redirect_query(response)
    assert (redirect["error"], redirect["state"]) == ("invalid_request", state)
    assert "code" not in redirect


def test_token_request_with_a_wrong_code_verifier_is_refused(live_server, relying_party, citizen):
    client = relying_party.session()
    request = relying_party.authorization_request(client)
    redirect = _code_for(Person(live_server.url), request.url, citizen.phone)
    wrong = AuthorizationRequest(request.url, request.state, secrets.token_urlsafe(48), request.nonce)

    with pytest.raises(OAuthError) as refused:
        relying_party.tokens(client, wrong, redirect)

    assert refused.value.error == "invalid_grant"


def test_pkce_with_the_plain_method_is_refused(live_server, relying_party, citizen, metadata):
    client = OAuth2Session(
        relying_party.client_id, relying_party.client_secret, scope="openid", redirect_uri=REDIRECT_URI
    )
    verifier = secrets.token_urlsafe(48)
    url, state = client.create_authorization_url(
        metadata["authorization_endpoint"], nonce="n-1", code_challenge=verifier, code_challenge_method="plain"
    )
    person = Person(live_server.url)

    response = person.sign_in(person.open(url), citizen.phone)

    redirect = _redirect_query(response)
    assert (redirect["error"], redirect["state"]) == ("invalid_request", state)
    assert metadata["code_challenge_methods_supported"] == ["S256"]


def test_unregistered_redirect_uri_is_refused_without_redirecting(live_server, relying_party, citizen):
    client = OAuth2Session(
        relying_party.client_id,
        relying_party.client_secret,
        scope="openid",
        redirect_uri="https://attacker.example.invalid/callback",
        code_challenge_method="S256",
    )
    url, _state = client.create_authorization_url(
        relying_party.metadata["authorization_endpoint"], code_verifier=secrets.token_urlsafe(48), nonce="n-1"
    )
    person = Person(live_server.url)

    response = person.sign_in(person.open(url), citizen.phone)

    assert response.status_code == 400
    assert not response.is_redirect
    assert "attacker.example.invalid/callback?" not in response.text
    assert 'id="authorizationForm"' not in response.text


def test_refusing_consent_returns_access_denied_and_is_audited(live_server, relying_party, citizen):
    client = relying_party.session()
    request = relying_party.authorization_request(client)
    person = Person(live_server.url)
    consent = person.sign_in(person.open(request.url), citizen.phone)

    redirect = _redirect_query(person.answer_consent(consent, allow=False))

    assert (redirect["error"], redirect["state"]) == ("access_denied", request.state)
    assert "code" not in redirect
    events = audit_events_for_object(object_type="oauth2_provider.application", object_id=relying_party.client_id)
    assert [(event.action, event.actor_id) for event in events] == [("identity.oidc.refuse", citizen.pk)]


# --- consent, assurance, logout -----------------------------------------------------------------------------


def test_citizen_is_asked_for_consent_again_on_the_next_sign_in(live_server, relying_party, citizen):
    client = relying_party.session()
    first = relying_party.authorization_request(client)
    person = Person(live_server.url)
    relying_party.tokens(client, first, _code_for(person, first.url, citizen.phone))

    response = person.open(relying_party.authorization_request(client).url)

    assert response.status_code == 200
    assert 'id="authorizationForm"' in response.text


def _staff_signs_in_with_code(person: Person, page: requests.Response, staff: Any, key: bytes) -> requests.Response:
    code_page = person.sign_in(page, staff.username)
    assert urlsplit(code_page.url).path == "/login/code/"
    # The enrolment used the current 30-second step and a code counts once: take the next step's code, which the
    # provider accepts (one step of clock difference), as the person would wait for the next code.
    step = int(time.time()) // 30 + 1
    fields = _form(code_page.text, action="") | {"token": f"{hotp(key, step):06d}"}
    return person.open(code_page.url, data=fields)


def test_trusted_internal_system_skips_consent_for_staff_but_not_for_citizens(
    live_server, admin, city, make_staff, metadata, citizen
):
    registered = _register(admin, city.public_security, trusted_for_staff=True)
    assert registered.client_secret is not None
    relying_party = RelyingParty(metadata, registered.client_id, registered.client_secret)
    clerk = make_staff(city.public_security, (Role.CLERK,), real_name="孙八")
    key = identity_services.totp_begin_enrolment(user=clerk).bin_key
    identity_services.totp_confirm_enrolment(user=clerk, token=f"{hotp(key, int(time.time()) // 30):06d}")

    staff_client = relying_party.session(scope="openid profile")
    request = relying_party.authorization_request(staff_client)
    staff_person = Person(live_server.url)
    staff_result = _staff_signs_in_with_code(staff_person, staff_person.open(request.url), clerk, key)

    redirect = _redirect_query(staff_result)
    token = relying_party.tokens(staff_client, request, redirect)
    claims = relying_party.verified_id_token(token["id_token"], nonce=request.nonce)
    assert (claims["sub"], claims["acr"]) == (str(clerk.public_id), "3")

    citizen_client = relying_party.session(scope="openid profile")
    citizen_request = relying_party.authorization_request(citizen_client)
    citizen_person = Person(live_server.url)
    consent = citizen_person.sign_in(citizen_person.open(citizen_request.url), citizen.phone)

    assert consent.status_code == 200
    assert urlsplit(consent.url).path == "/o/authorize/"
    assert 'id="authorizationForm"' in consent.text


def test_request_for_a_higher_assurance_level_than_the_citizen_has_is_refused(live_server, relying_party, citizen):
    client = relying_party.session()
    request = relying_party.authorization_request(client, acr_values="3")
    person = Person(live_server.url)

    response = person.sign_in(person.open(request.url), citizen.phone)

    assert response.status_code == 403
    assert urlsplit(response.url).path == "/o/authorize/"
    assert 'href="/account/"' in response.text
    assert 'id="authorizationForm"' not in response.text


def test_rp_initiated_logout_ends_the_yiwang_session(live_server, relying_party, citizen):
    client = relying_party.session()
    request = relying_party.authorization_request(client)
    person = Person(live_server.url)
    token = relying_party.tokens(client, request, _code_for(person, request.url, citizen.phone))
    assert person.open(f"{live_server.url}/account/").status_code == 200

    logout = person.session.get(
        relying_party.metadata["end_session_endpoint"],
        params={
            "id_token_hint": token["id_token"],
            "post_logout_redirect_uri": POST_LOGOUT_URI,
            "state": "after-logout",
        },
        allow_redirects=False,
        timeout=TIMEOUT,
    )

    assert logout.status_code == 302
    assert logout.headers["Location"] == f"{POST_LOGOUT_URI}?state=after-logout"
    account = person.session.get(f"{live_server.url}/account/", allow_redirects=False, timeout=TIMEOUT)
    assert account.status_code == 302
    assert account.headers["Location"] == "/login/?next=/account/"
    actions = [event.action for event in audit_events_for_object(object_type="identity.user", object_id=citizen.pk)]
    assert actions[0] == "identity.logout"
