import pytest
from django.db import OperationalError
from django.test import Client


def test_chinese_is_the_default_and_english_is_one_click_away(db):
    page = Client().get("/")
    html = page.content.decode()
    assert '<html lang="zh-Hans"' in html
    assert 'name="language" value="en"' in html
    switched = Client()
    response = switched.post("/preferences/language/", {"language": "en", "next": "/accessibility/"})
    assert response["Location"] == "/accessibility/"
    assert '<html lang="en"' in switched.get("/").content.decode()


def test_an_unknown_language_is_ignored(db):
    client = Client()
    client.post("/preferences/language/", {"language": "xx"})
    assert '<html lang="zh-Hans"' in client.get("/").content.decode()


def test_the_language_choice_follows_the_account(client_as, accounts):
    client = client_as("citizen")
    client.post("/preferences/language/", {"language": "en"})
    accounts.citizen.refresh_from_db()
    assert accounts.citizen.language == "en"


def test_large_text_is_remembered(client_as, accounts):
    client = client_as("citizen")
    assert 'class=""' in client.get("/").content.decode()
    client.post("/preferences/text-size/", {"large_text": "1", "next": "/"})
    assert 'class="large-text"' in client.get("/").content.decode()
    accounts.citizen.refresh_from_db()
    assert accounts.citizen.large_text
    # On another device (no cookie yet) the account's choice applies.
    other_device = client_as("citizen")
    assert 'class="large-text"' in other_device.get("/").content.decode()


def test_redirects_after_preferences_stay_on_site(db):
    response = Client().post("/preferences/text-size/", {"large_text": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_security_headers(db):
    response = Client().get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response  # only over TLS
    secure = Client().get("/", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_external_assets(db):
    html = Client().get("/").content.decode()
    assert "http://" not in html.replace("http://testserver", "") and "https://" not in html
    assert "/static/vendor/htmx/htmx-2.0.11.min.js" in html


def test_forms_need_their_csrf_token(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"login": "a", "password": "b"})
    assert response.status_code == 403
    assert "form" in response.content.decode().lower()


def test_error_pages(db):
    missing = Client().get("/no-such-page/")
    assert missing.status_code == 404
    assert '<html lang="zh-Hans"' in missing.content.decode()
    api_missing = Client().get("/api/v1/no-such-endpoint")
    assert api_missing.status_code == 404
    assert api_missing["Content-Type"] == "application/problem+json"


def test_server_errors_are_a_page_not_a_trace(db, client_as, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("yiwang.identity.selectors.user_profile", broken)
    client = client_as("staff")
    client.raise_request_exception = False
    response = client.get("/console/")
    assert response.status_code == 500
    assert "boom" not in response.content.decode()
    assert "系统暂时出错" in response.content.decode()


def test_healthz_reports_the_database(db, monkeypatch):
    assert Client().get("/healthz").json() == {"status": "ok", "database": "ok"}
    from yiwang.web import views

    class Unreachable:
        def cursor(self):
            raise OperationalError("connection refused")

    # Only the health check's own connection handle fails: the database server is outside the platform.
    monkeypatch.setattr(views, "connection", Unreachable())
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_the_home_page_suggests_next_actions(client_as):
    html = client_as("citizen").get("/").content.decode()
    assert "/account/contact/" in html and "/account/enterprises/" in html


@pytest.mark.parametrize("path", ["/", "/login/", "/register/", "/accessibility/"])
def test_pages_have_landmarks_and_a_skip_link(db, path):
    html = Client().get(path).content.decode()
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html and 'role="banner"' in html and 'role="contentinfo"' in html
    assert html.count("<h1") == 1


def test_every_input_has_a_label(db):
    import re

    for path in ("/login/", "/register/"):
        html = Client().get(path).content.decode()
        ids = re.findall(r'<input[^>]+id="([^"]+)"', html)
        assert ids
        for input_id in ids:
            assert f'for="{input_id}"' in html, (path, input_id)


def test_citizens_see_no_console_menu(client_as):
    assert "console-nav" not in client_as("citizen").get("/").content.decode()


def test_the_calculator_answers_htmx_with_the_result_only(client_as):
    client = client_as("staff")
    page = client.get("/console/calendar/?start=2026-09-28&days=20")
    assert page.status_code == 200 and "2026-10-30" in page.content.decode() and "<html" in page.content.decode()
    partial = client.get("/console/calendar/?start=2026-09-28&days=20", HTTP_HX_REQUEST="true")
    assert "2026-10-30" in partial.content.decode() and "<html" not in partial.content.decode()
    wrong = client.get("/console/calendar/?start=2026-02-30&days=1", HTTP_HX_REQUEST="true")
    assert wrong.status_code == 200 and 'role="alert"' in wrong.content.decode()
    assert client.get("/console/calendar/?start=2026-02-30&days=1").status_code == 400


def test_pages_stay_chinese_on_an_english_browser_until_switched(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-Hans"' in client.get("/").content.decode()
    client.post("/preferences/language/", {"language": "en"})
    assert '<html lang="en"' in client.get("/").content.decode()


def test_api_clients_choose_the_language_of_messages(db):
    english = Client().get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    chinese = Client().get("/api/v1/me")
    assert english.json()["detail"] == "Sign in, or send a valid bearer token."
    assert chinese.json()["detail"] != english.json()["detail"]
