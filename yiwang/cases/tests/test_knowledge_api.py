"""The knowledge base's API: who may call what (every endpoint for every role, with a guard rail), what the public
sees (articles in force, without the editors' keywords), and errors that name the field.

Roles as in test_knowledge_pages.py: "staff" is a handler of 供水公司 (the water articles' source department),
"staff_other" a handler of 人力资源和社会保障局, "clerk" a clerk of 人社局 without an editor's role.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from yiwang.cases.models import KnowledgeArticle
from yiwang.cases.tests.test_knowledge import KnowledgeWorld, knowledge_world
from yiwang.conftest import Accounts, City, sign_in

pytestmark = pytest.mark.django_db

OK, CREATED, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, INVALID = 200, 201, 401, 403, 404, 422
ROLES = ["anonymous", "citizen", "agent", "staff", "staff_other", "clerk", "operator", "dispatcher", "admin"]
BASE = "/api/v1/cases/knowledge"


def row(*codes: int) -> dict[str, int]:
    return dict(zip(ROLES, codes, strict=True))


KEEPERS = row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK, OK)


def _body(world: KnowledgeWorld, role: str) -> dict[str, Any]:
    return {
        "title": f"水表报装流程 {role}",
        "answer": "携带房产证明到供水公司营业厅申请。",
        "department_id": world.water,
        "category_code": "1201",
        "keywords": "水表 报装",
        "effective_from": "2025-01-01",
    }


# (method, path) → (path with {water}/{withdrawn}, body, expected per role)
CASES: dict[tuple[str, str], tuple[str, Callable[[KnowledgeWorld, str], Any], dict[str, int]]] = {
    ("get", BASE): (f"{BASE}?q=停水", lambda w, r: None, row(*[OK] * 9)),
    ("get", BASE + "/{article_id}"): (
        BASE + "/{withdrawn}",
        lambda w, r: None,
        row(NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK),
    ),
    ("post", BASE): (
        BASE,
        _body,
        row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, CREATED, FORBIDDEN, FORBIDDEN, FORBIDDEN, CREATED, CREATED),
    ),
    ("put", BASE + "/{article_id}"): (BASE + "/{water}", _body, KEEPERS),
    ("post", BASE + "/{article_id}/withdraw"): (BASE + "/{water}/withdraw", lambda w, r: None, KEEPERS),
    ("post", BASE + "/{article_id}/republish"): (BASE + "/{withdrawn}/republish", lambda w, r: None, KEEPERS),
}


@pytest.fixture
def world(city: City, make_staff: Callable[..., Any]) -> KnowledgeWorld:
    return knowledge_world(city, make_staff)


@pytest.fixture
def client_for(world: KnowledgeWorld, accounts: Accounts) -> Callable[[str], Client]:
    people = {
        "citizen": accounts.citizen,
        "agent": accounts.agent,
        "staff": world.water_handler,
        "staff_other": world.hrss_handler,
        "clerk": world.hrss_clerk,
        "operator": world.operator,
        "dispatcher": world.dispatcher,
        "admin": world.admin,
    }

    def make(role: str) -> Client:
        return Client() if role == "anonymous" else sign_in(Client(), people[role])

    return make


def _call(client: Client, method: str, path: str, body: Any = None) -> Any:
    if method == "get":
        return client.get(path)
    call = client.put if method == "put" else client.post
    return call(path, json.dumps(body or {}), content_type="application/json")


def test_every_endpoint_is_in_the_matrix() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operations = {(method, path) for path, item in schema["paths"].items() for method in item if path.startswith(BASE)}
    assert operations == set(CASES)


@pytest.mark.parametrize("operation", list(CASES), ids=lambda operation: f"{operation[0]} {operation[1]}")
def test_who_may_call_each_endpoint(
    world: KnowledgeWorld, client_for: Callable[[str], Client], operation: tuple[str, str]
) -> None:
    method, _pattern = operation
    template, body, expected = CASES[operation]
    path = template.format(water=world.articles["water"], withdrawn=world.articles["withdrawn"])
    # Roles that change something go last, so that the refusals meet the unchanged state.
    for role in sorted(ROLES, key=lambda role: expected[role] in {OK, CREATED} and method != "get"):
        response = _call(client_for(role), method, path, body(world, role))
        assert response.status_code == expected[role], (role, response.content[:300])
        if response.status_code >= 400:
            assert response["Content-Type"] == "application/problem+json"


def test_the_public_search_offers_articles_in_force_without_keywords(
    world: KnowledgeWorld, client_for: Callable[[str], Client]
) -> None:
    found = Client().get(BASE, {"q": "社保"}).json()
    assert [hit["title"] for hit in found] == ["社会保险缴费基数如何确定", "灵活就业人员参加养老保险"]
    first = found[0]
    assert first["title_html"] == "<mark>社会保险</mark>缴费基数如何确定"
    assert first["department"] == "人力资源和社会保障局" and first["category_code"] == "0501"
    assert "keywords" not in first
    assert [hit["title"] for hit in Client().get(BASE, {"q": "基数", "category": "0502"}).json()] == []
    latest = Client().get(BASE, {"limit": 2}).json()
    assert len(latest) == 2
    assert Client().get(BASE, {"limit": 0}).status_code == INVALID
    one = Client().get(f"{BASE}/{world.articles['base']}").json()
    assert one["state"] == "in_force" and one["keywords"] is None and one["basis"] == "《社会保险法》第十二条"
    # Those who keep it see its keywords, and its state when out of force.
    kept = client_for("staff_other").get(f"{BASE}/{world.articles['expired']}").json()
    assert kept["state"] == "expired" and kept["keywords"] == ""
    assert client_for("admin").get(f"{BASE}/{world.articles['base']}").json()["keywords"] == "社保 缴费基数"
    for name in ("expired", "pending", "withdrawn"):
        missing = Client().get(f"{BASE}/{world.articles[name]}")
        assert missing.status_code == NOT_FOUND and missing["Content-Type"] == "application/problem+json"


def test_writes_refuse_bad_input_with_the_field(world: KnowledgeWorld, client_for: Callable[[str], Client]) -> None:
    client = client_for("dispatcher")
    count = KnowledgeArticle.objects.count()
    for changes, field in (
        ({"title": " "}, "title"),
        ({"category_code": "9999"}, "category_code"),
        ({"department_id": 999999}, "department_id"),
        ({"expires_on": "2024-01-01"}, "expires_on"),
        ({"effective_from": "not a date"}, "effective_from"),
        ({"title": "题" * 201}, "title"),
    ):
        response = _call(client, "post", BASE, {**_body(world, "dispatcher"), **changes})
        assert response.status_code == INVALID, changes
        # Schema errors name the body too ("payload.title"); the services' errors name the field alone.
        assert response.json()["errors"][0]["field"].removeprefix("payload.") == field
    assert KnowledgeArticle.objects.count() == count
    missing = _call(client, "put", f"{BASE}/999999", _body(world, "dispatcher"))
    assert missing.status_code == NOT_FOUND
    created = _call(client, "post", BASE, {**_body(world, "dispatcher"), "effective_from": None}).json()
    assert created["state"] == "in_force" and created["keywords"] == "水表 报装"
    changed = _call(
        client, "put", f"{BASE}/{created['id']}", {**_body(world, "dispatcher"), "expires_on": "2099-12-31"}
    ).json()
    assert changed["expires_on"] == "2099-12-31"
    withdrawn = _call(client, "post", f"{BASE}/{created['id']}/withdraw").json()
    assert withdrawn["state"] == "withdrawn"
    assert Client().get(f"{BASE}/{created['id']}").status_code == NOT_FOUND
