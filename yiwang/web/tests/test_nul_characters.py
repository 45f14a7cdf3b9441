"""A NUL character anywhere a caller can put text is refused with 400 saying where, on pages and in the API.

PostgreSQL cannot store U+0000 in text or jsonb, so before this check such a request ended as a 500 there
(and passed on SQLite): these tests run on both databases."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

pytestmark = pytest.mark.django_db


def _nul_problem(response: object, field: str) -> None:
    assert response.status_code == 400, response.content  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/problem+json"  # type: ignore[index]
    data = json.loads(response.content)  # type: ignore[attr-defined]
    assert data["code"] == "nul_character"
    assert data["field"] == field
    assert data["errors"] == [{"field": field, "message": data["detail"]}]
    assert "U+0000" in data["detail_en"] and field in data["detail_en"]
    assert "U+0000" in data["detail"] and "NUL" in data["detail"]


def test_api_query_string(client: Client) -> None:
    _nul_problem(client.get("/api/v1/services/items", {"q": "社保\x00"}), "query.q")


def test_api_json_body_at_any_depth(client: Client) -> None:
    body = {"item": "x", "form": {"members": [{"name": "ok"}, {"name": "张\x00"}]}}
    response = client.post("/api/v1/services/applications", json.dumps(body), content_type="application/json")
    _nul_problem(response, "body.form.members.1.name")


def test_api_json_key(client: Client) -> None:
    response = client.post("/api/v1/services/applications", '{"a\\u0000b": 1}', content_type="application/json")
    _nul_problem(response, "body.ab")


def test_an_escaped_backslash_before_u0000_is_ordinary_text(client: Client) -> None:
    """The JSON text `"\\\\u0000"` is the six characters \\u0000, not a NUL: not refused here."""
    response = client.get("/api/v1/services/items", {"q": "\\u0000"})
    assert response.status_code == 200
    response = client.post("/api/v1/services/applications", '{"q": "\\\\u0000"}', content_type="application/json")
    assert response.status_code == 401  # on to the view, which asks to sign in


def test_api_header(client: Client) -> None:
    _nul_problem(client.get("/api/v1/services/items", headers={"X-Case": "a\x00"}), "header.X-Case")


def test_page_query_string_gets_the_error_page(client: Client) -> None:
    response = client.get("/services/", {"q": "户口\x00"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_page_form_post(client: Client) -> None:
    response = client.post("/login/", {"username": "13800000000\x00", "password": "x"})
    assert response.status_code == 400


def test_cookie(client: Client) -> None:
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    _nul_problem(client.get("/api/v1/services/items"), "cookie.sessionid")


def test_file_contents_are_not_text_and_pass(client: Client) -> None:
    """Binary uploads carry NUL bytes as a matter of course: only their form's text fields are checked."""
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\x00\x00binary", content_type="application/pdf")
    response = client.post("/api/v1/services/applications/1/materials", {"material": "m1", "file": upload})
    assert response.status_code == 401
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = client.post("/api/v1/services/applications/1/materials", {"material": "m\x00", "file": upload})
    _nul_problem(response, "form.material")
