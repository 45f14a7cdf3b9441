"""The knowledge base's pages: who may open and do what on every route (with a guard rail), the search box with and
without htmx, the editor's form and its errors, withdrawal, the portal's 404 for an article out of force, and the
box another page embeds.

The world is `knowledge_world` (test_knowledge.py): "staff" is a handler of 供水公司, the source department of the
water articles; "staff_other" a handler of 人力资源和社会保障局; "clerk" a clerk of 人社局 (no editor's role).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from yiwang.cases.knowledge import article_get, article_save
from yiwang.cases.models import KnowledgeArticle
from yiwang.cases.tests.test_knowledge import KnowledgeWorld, article_input, knowledge_world
from yiwang.cases.views.knowledge import knowledge_box
from yiwang.conftest import Accounts, City, sign_in, url_routes
from yiwang.core.errors import NotFound

pytestmark = pytest.mark.django_db

OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 403, 404, 405
ROLES = ["anonymous", "citizen", "agent", "staff", "staff_other", "clerk", "operator", "dispatcher", "admin"]


def row(*codes: int) -> dict[str, int]:
    return dict(zip(ROLES, codes, strict=True))


EVERYONE = row(OK, OK, OK, OK, OK, OK, OK, OK, OK)
STAFF = row(REDIRECT, FORBIDDEN, FORBIDDEN, OK, OK, OK, OK, OK, OK)
EDITORS = row(REDIRECT, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN, OK, OK)
# Another unit's article is unknown to a unit's editor; a change answers with a redirect to the article.
KEEPERS = row(REDIRECT, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK, OK)
KEEPERS_POST = row(REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT)

# route pattern → (method, path with {water} / {withdrawn} ids, expected status per role)
PAGES: dict[str, list[tuple[str, str, dict[str, int]]]] = {
    "console/cases/knowledge/": [("get", "/console/cases/knowledge/?q=停水", STAFF)],
    "console/cases/knowledge/hits/": [("get", "/console/cases/knowledge/hits/?q=停水", STAFF)],
    "console/cases/knowledge/new/": [("get", "/console/cases/knowledge/new/", EDITORS)],
    "console/cases/knowledge/<int:article_id>/": [
        ("get", "/console/cases/knowledge/{water}/", STAFF),
        # Out of force: only those who keep it.
        (
            "get",
            "/console/cases/knowledge/{withdrawn}/",
            row(REDIRECT, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK),
        ),
    ],
    "console/cases/knowledge/<int:article_id>/edit/": [("get", "/console/cases/knowledge/{water}/edit/", KEEPERS)],
    "console/cases/knowledge/<int:article_id>/withdraw/": [
        (
            "get",
            "/console/cases/knowledge/{water}/withdraw/",
            row(
                REDIRECT, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, NOT_ALLOWED, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, NOT_ALLOWED
            ),
        ),
        ("post", "/console/cases/knowledge/{water}/withdraw/", KEEPERS_POST),
    ],
    "console/cases/knowledge/<int:article_id>/republish/": [
        ("post", "/console/cases/knowledge/{withdrawn}/republish/", KEEPERS_POST),
    ],
    "hotline/knowledge/": [("get", "/hotline/knowledge/?q=停水", EVERYONE)],
    "hotline/knowledge/<int:article_id>/": [
        ("get", "/hotline/knowledge/{water}/", EVERYONE),
        ("get", "/hotline/knowledge/{withdrawn}/", row(*[NOT_FOUND] * 9)),
    ],
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
        client = Client()
        client.cookies["yiwang_language"] = "en"  # assertions read the English source strings
        return client if role == "anonymous" else sign_in(client, people[role])

    return make


def main(response: Any) -> str:
    page = response.content.decode()
    return page[page.index("<main") :] if "<main" in page else page


def test_every_route_is_in_the_matrix() -> None:
    routes = {route for route in url_routes() if route.startswith(("console/cases/knowledge/", "hotline/knowledge/"))}
    assert routes == set(PAGES)


@pytest.mark.parametrize("route", sorted(PAGES))
def test_who_may_open_each_page(world: KnowledgeWorld, client_for: Callable[[str], Client], route: str) -> None:
    for method, template, expected in PAGES[route]:
        path = template.format(water=world.articles["water"], withdrawn=world.articles["withdrawn"])
        # Roles that change something go last, so that the refusals meet the unchanged state.
        for role in sorted(ROLES, key=lambda role: expected[role] == REDIRECT and method == "post"):
            client = client_for(role)
            response = client.get(path) if method == "get" else client.post(path)
            assert response.status_code == expected[role], (method, path, role)


# --- searching -----------------------------------------------------------------------------------------------


def test_the_console_search_works_without_and_with_htmx(
    world: KnowledgeWorld, client_for: Callable[[str], Client]
) -> None:
    operator = client_for("operator")
    page = operator.get("/console/cases/knowledge/", {"q": "社保"})
    html = main(page)
    assert page.status_code == OK
    assert 'role="search"' in html and 'hx-get="/console/cases/knowledge/"' in html
    assert re.search(
        r'<p id="knowledge-count" role="status" aria-live="polite">\s*2 articles in force match “社保”', html
    )
    assert html.index("社会保险缴费基数如何确定") < html.index("灵活就业人员参加养老保险")
    assert "<mark>社会保险</mark>" in html
    assert "2024年度" not in html and "2027年度" not in html  # expired, not yet in force
    partial = operator.get("/console/cases/knowledge/", {"q": "停水"}, HTTP_HX_REQUEST="true")
    fragment = partial.content.decode()
    assert partial.status_code == OK and "<main" not in fragment and "Vary" in partial.headers
    assert 'hx-swap-oob="innerHTML"' in fragment and "1 article in force matches “停水”" in fragment
    assert "计划<mark>停水</mark>通知在哪里查" in fragment
    assert "减免" not in fragment  # withdrawn
    too_long = operator.get("/console/cases/knowledge/", {"q": "长" * 101})
    assert too_long.status_code == 400 and "aria-invalid" in main(too_long)


def test_the_console_list_shows_editors_the_state_in_words(
    world: KnowledgeWorld, client_for: Callable[[str], Client]
) -> None:
    html = main(client_for("dispatcher").get("/console/cases/knowledge/"))
    for label in ("In force", "Expired", "Not yet in force", "Withdrawn"):
        assert f">{label}</span>" in html
    assert 'href="/console/cases/knowledge/new/"' in html
    expired = main(client_for("dispatcher").get("/console/cases/knowledge/", {"state": "expired"}))
    assert "2024年度社会保险缴费基数" in expired and "计划停水通知在哪里查" not in expired
    operator = main(client_for("operator").get("/console/cases/knowledge/"))
    assert (
        "Withdrawn" not in operator and "2024年度" not in operator and "/console/cases/knowledge/new/" not in operator
    )
    assert 'id="id_state"' not in operator


def test_the_portal_offers_articles_in_force_only(world: KnowledgeWorld, client_for: Callable[[str], Client]) -> None:
    anonymous = client_for("anonymous")
    page = anonymous.get("/hotline/knowledge/", {"q": "社保"})
    html = main(page)
    assert page.status_code == OK and 'aria-live="polite"' in html
    assert f'href="/hotline/knowledge/{world.articles["base"]}/"' in html
    assert "2024年度" not in html and "缴费基数" in html and "Keywords" not in html
    latest = main(anonymous.get("/hotline/knowledge/"))
    assert latest.count('data-testid="hit"') == 4
    partial = anonymous.get("/hotline/knowledge/", {"q": "低保"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<main" not in partial and "<mark>最低生活保障</mark>申请条件" in partial
    assert "1 answer matches “低保”</p>" in partial
    article = main(anonymous.get(f"/hotline/knowledge/{world.articles['base']}/"))
    assert "《社会保险法》第十二条" in article and "社保 缴费基数" not in article  # keywords are internal
    for name in ("expired", "pending", "withdrawn"):
        assert anonymous.get(f"/hotline/knowledge/{world.articles[name]}/").status_code == NOT_FOUND
        # Even for the one who keeps it: the portal is the public's.
        assert client_for("admin").get(f"/hotline/knowledge/{world.articles[name]}/").status_code == NOT_FOUND


def test_markup_in_an_article_is_shown_as_text(world: KnowledgeWorld, client_for: Callable[[str], Client]) -> None:
    article_save(
        actor=world.admin,
        data=article_input(world.water, title="<script>alert(1)</script>停水", answer="<b onclick=x>停水</b>"),
    )
    for path in ("/hotline/knowledge/", "/console/cases/knowledge/"):
        html = main(client_for("admin").get(path, {"q": "停水"}))
        assert "<script>alert(1)" not in html and "<b onclick" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark>停水</mark>" in html


# --- editing -------------------------------------------------------------------------------------------------


def test_a_unit_editor_writes_an_article_of_its_unit(
    world: KnowledgeWorld, client_for: Callable[[str], Client]
) -> None:
    client = client_for("staff")
    form = main(client.get("/console/cases/knowledge/new/"))
    # A unit's editor may choose only its own unit.
    assert re.findall(r'<option value="(\d+)"', form[form.index('id="id_department_id"') :].split("</select>")[0]) == [
        str(world.water)
    ]
    data = {
        "title": "水费怎么交",
        "answer": "可在供水公司营业厅、微信公众号或银行代扣缴纳水费。",
        "category_code": "1201",
        "department_id": world.water,
        "keywords": "水费 缴费",
        "effective_from": "2025-01-01",
        "expires_on": "2024-12-31",
    }
    refused = client.post("/console/cases/knowledge/new/", data)
    html = main(refused)
    assert refused.status_code == 400
    assert 'id="id_expires_on"' in html and 'aria-invalid="true"' in html
    assert "The expiry date must be after the effective date." in html
    assert not KnowledgeArticle.objects.filter(title="水费怎么交").exists()
    saved = client.post("/console/cases/knowledge/new/", {**data, "expires_on": ""})
    article = KnowledgeArticle.objects.get(title="水费怎么交")
    assert saved.status_code == REDIRECT and saved["Location"] == f"/console/cases/knowledge/{article.pk}/"
    assert article.department_id == world.water and article.category.code == "1201"
    other = client.post("/console/cases/knowledge/new/", {**data, "expires_on": "", "department_id": world.hrss})
    assert other.status_code == 400 and "Select a valid choice" in main(other)


def test_edit_withdraw_and_republish(world: KnowledgeWorld, client_for: Callable[[str], Client]) -> None:
    client = client_for("staff")
    article_id = world.articles["water"]
    form = main(client.get(f"/console/cases/knowledge/{article_id}/edit/"))
    assert 'value="计划停水通知在哪里查"' in form and 'value="2025-01-01"' in form
    changed = client.post(
        f"/console/cases/knowledge/{article_id}/edit/",
        {
            "title": "计划停水在哪里查",
            "answer": "见供水公司公众号。",
            "category_code": "1201",
            "department_id": world.water,
            "effective_from": "2025-01-01",
        },
    )
    assert changed.status_code == REDIRECT
    assert article_get(article_id=article_id).title == "计划停水在哪里查"
    detail = main(client.get(f"/console/cases/knowledge/{article_id}/"))
    assert 'data-testid="withdraw"' in detail and ">In force</span>" in detail
    assert client.post(f"/console/cases/knowledge/{article_id}/withdraw/").status_code == REDIRECT
    with pytest.raises(NotFound):
        article_get(article_id=article_id)
    detail = main(client.get(f"/console/cases/knowledge/{article_id}/"))
    assert ">Withdrawn</span>" in detail and "not offered in searches" in detail and 'data-testid="republish"' in detail
    assert client_for("anonymous").get(f"/hotline/knowledge/{article_id}/").status_code == NOT_FOUND
    assert client.post(f"/console/cases/knowledge/{article_id}/republish/").status_code == REDIRECT
    assert client_for("anonymous").get(f"/hotline/knowledge/{article_id}/").status_code == OK
    # The operator reads it, without the editor's buttons.
    operator = main(client_for("operator").get(f"/console/cases/knowledge/{article_id}/"))
    assert "见供水公司公众号。" in operator and 'data-testid="withdraw"' not in operator


# --- the box another page embeds -------------------------------------------------------------------------------


def test_the_embedded_box_lists_the_category_and_binds_the_choice_to_the_page_form(
    world: KnowledgeWorld, client_for: Callable[[str], Client]
) -> None:
    request = RequestFactory().get("/console/cases/intake/")
    request.user = world.operator
    context = knowledge_box(request, category_code="0501", pick_form="conclude-form", box_id="kb")
    html = render_to_string("cases/knowledge/_search_box.html", context, request=request)
    assert 'aria-labelledby="kb-heading"' in html and 'id="kb-count" role="status" aria-live="polite"' in html
    assert 'hx-get="/console/cases/knowledge/hits/"' in html and 'hx-target="#kb-results"' in html
    assert '<input type="hidden" name="category" value="0501">' in html
    assert html.index("社会保险缴费基数如何确定") < html.index("灵活就业人员参加养老保险")
    assert "2024年度" not in html
    assert f'value="{world.articles["base"]}" id="kb-pick-{world.articles["base"]}" form="conclude-form"' in html
    # An id that is not a plain one is dropped, not written into the page.
    unsafe = knowledge_box(request, pick_form='x" onclick="y', box_id="<b>")["knowledge_box"]
    assert unsafe.pick_form == "" and unsafe.box_id == "knowledge"
    fragment = client_for("operator").get(
        "/console/cases/knowledge/hits/", {"q": "基数", "category": "05", "box": "kb", "pick": "conclude-form"}
    )
    text = fragment.content.decode()
    assert '<p id="kb-count" hx-swap-oob="innerHTML">2 articles in force match “基数”</p>' in text
    assert 'form="conclude-form"' in text and "<mark>基数</mark>" in text
    listed = client_for("operator").get("/console/cases/knowledge/hits/", {"category": "1201"}).content.decode()
    assert "计划停水通知在哪里查" in listed and "减免" not in listed


def test_dates_render_in_the_list(world: KnowledgeWorld, client_for: Callable[[str], Client]) -> None:
    article_save(
        actor=world.admin,
        data=article_input(
            world.water,
            title="冬季供水管道防冻",
            effective_from=datetime.date(2025, 11, 1),
            expires_on=datetime.date(2099, 3, 31),
        ),
    )
    html = main(client_for("admin").get("/console/cases/knowledge/"))
    assert "2025-11-01 to 2099-03-31" in html and "from 2025-01-01, until withdrawn" in html
