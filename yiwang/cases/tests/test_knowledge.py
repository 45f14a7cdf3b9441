"""The knowledge base's services and selectors: who writes, what is refused (by field), what search offers — right
for two-character queries, never an expired, not yet effective or withdrawn article —, in what order, and the
highlight's escaping.

`knowledge_world` (also used by the page and API tests) makes the categories and units with the ORM and the org
services, and the articles through `article_save`; `today` is fixed.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest

from yiwang.cases.knowledge import (
    ArticleInput,
    ArticleState,
    article_get,
    article_list,
    article_republish,
    article_save,
    article_search,
    article_withdraw,
    articles_for_category,
    highlight,
    query_words,
    snippet,
)
from yiwang.cases.models import CaseCategory, KnowledgeArticle
from yiwang.conftest import City, next_credit_code
from yiwang.core.audit.models import AuditEvent
from yiwang.core.errors import NotFound, PermissionDenied, ValidationFailed
from yiwang.identity.roles import Role
from yiwang.org import services as org_services

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)


@dataclass(frozen=True)
class KnowledgeWorld:
    """Units, editors and articles (ids by a short name) of the knowledge tests."""

    hrss: int  # 人力资源和社会保障局: source of the social-insurance articles
    water: int  # 供水公司
    civil: int  # 民政局
    dispatcher: Any  # 12345热线中心's dispatcher
    operator: Any
    hrss_handler: Any
    hrss_clerk: Any  # staff of the source department without an editor's role
    water_handler: Any
    item_admin: Any  # 人力资源和社会保障局's item administrator
    admin: Any
    articles: dict[str, int]


def article_input(department_id: int, **overrides: Any) -> ArticleInput:
    values: dict[str, Any] = {
        "title": "测试文章",
        "answer": "测试答复。",
        "department_id": department_id,
        "effective_from": datetime.date(2025, 1, 1),
    }
    return ArticleInput(**{**values, **overrides})


def knowledge_world(city: City, make_staff: Callable[..., Any]) -> KnowledgeWorld:
    """The categories (ORM), units, editors and seven articles: four in force, one expired, one not yet in force and
    one withdrawn."""
    headings = {"05": "劳动社保", "09": "民政", "12": "水电气暖", "02": "生态环境"}
    for code, name in headings.items():
        CaseCategory.objects.create(code=code, name=name)
    for code, name in {
        "0501": "社会保险",
        "0502": "劳动关系",
        "0901": "社会救助",
        "1201": "供水",
        "0203": "噪声",
    }.items():
        CaseCategory.objects.create(code=code, name=name, parent=CaseCategory.objects.get(code=code[:2]))

    def unit(name: str, kind: str) -> int:
        return org_services.department_create(
            actor=None, name=name, credit_code=next_credit_code("11419800"), kind=kind, division_code="419800"
        ).id

    hrss = unit("人力资源和社会保障局", "government_department")
    water = unit("供水公司", "utility")
    hotline = unit("12345热线中心", "public_institution")
    admin = make_staff(city.big_data_bureau, (Role.PLATFORM_ADMIN,))
    rows = {
        "base": article_input(
            hrss,
            title="社会保险缴费基数如何确定",
            question="今年社保缴费基数是多少？",
            answer="职工以本人上年度月平均工资为社会保险缴费基数，低于全省平均工资60%的按60%核定。",
            category_code="0501",
            keywords="社保 缴费基数",
            basis="《社会保险法》第十二条",
            effective_from=datetime.date(2025, 7, 1),
        ),
        "flexible": article_input(
            hrss,
            title="灵活就业人员参加养老保险",
            answer="灵活就业人员可以个人身份参加社会保障，缴费基数在全省平均工资60%至300%之间自选。",
            category_code="0501",
            effective_from=datetime.date(2025, 1, 1),
        ),
        "water": article_input(
            water,
            title="计划停水通知在哪里查",
            question="我家突然停水了，怎么查询？",
            answer="计划停水提前24小时在供水公司网站和微信公众号公告；突发停水可拨打供水抢修电话。",
            category_code="1201",
            keywords="停水 供水",
        ),
        "minimum": article_input(
            city.civil_affairs,
            title="最低生活保障申请条件",
            answer="家庭人均收入低于本市最低生活保障标准、且家庭财产符合规定的，可向户籍所在地街道申请。",
            category_code="0901",
        ),
        "expired": article_input(
            hrss,
            title="2024年度社会保险缴费基数",
            answer="2024年度社保缴费基数上限为全省平均工资的300%。",
            category_code="0501",
            effective_from=datetime.date(2024, 1, 1),
            expires_on=datetime.date(2024, 12, 31),
        ),
        "pending": article_input(
            hrss,
            title="2027年度社会保险缴费基数调整",
            answer="自2027年起社保缴费基数按新口径核定。",
            category_code="0501",
            effective_from=datetime.date(2027, 1, 1),
        ),
        "withdrawn": article_input(
            water,
            title="停水期间水费减免（已撤回）",
            answer="停水超过48小时的按天减免水费。",
            category_code="1201",
        ),
    }
    articles = {name: article_save(actor=admin, data=data).pk for name, data in rows.items()}
    article_withdraw(actor=admin, article_id=articles["withdrawn"])
    return KnowledgeWorld(
        hrss=hrss,
        water=water,
        civil=city.civil_affairs,
        dispatcher=make_staff(hotline, (Role.DISPATCHER,)),
        operator=make_staff(hotline, (Role.OPERATOR,)),
        hrss_handler=make_staff(hrss, (Role.HANDLER,)),
        hrss_clerk=make_staff(hrss, (Role.CLERK,)),
        water_handler=make_staff(water, (Role.HANDLER,)),
        item_admin=make_staff(hrss, (Role.ITEM_ADMIN,)),
        admin=admin,
        articles=articles,
    )


@pytest.fixture
def world(city: City, make_staff: Callable[..., Any]) -> KnowledgeWorld:
    return knowledge_world(city, make_staff)


def titles(hits: list[Any]) -> list[str]:
    return [hit.title for hit in hits]


# --- search ----------------------------------------------------------------------------------------------------


def test_an_abbreviation_finds_the_articles_that_spell_it_out(world: KnowledgeWorld) -> None:
    hits = article_search(query="社保", audience="operator", today=TODAY)
    # 社保 in the title's 社会保险 first; 灵活就业 has 社会保障 only in its answer. Expired and pending are not offered.
    assert titles(hits) == ["社会保险缴费基数如何确定", "灵活就业人员参加养老保险"]
    assert hits[0].score == 8 and hits[1].score == 1 and hits[0].matched_words == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("停水", ["计划停水通知在哪里查"]),
        ("低保", ["最低生活保障申请条件"]),
        ("基数", ["社会保险缴费基数如何确定", "灵活就业人员参加养老保险"]),
        ("公积金", []),
        ("  ", []),
    ],
)
def test_two_character_queries(world: KnowledgeWorld, query: str, expected: list[str]) -> None:
    assert titles(article_search(query=query, audience="public", today=TODAY)) == expected


def test_expired_pending_and_withdrawn_articles_are_never_offered(world: KnowledgeWorld) -> None:
    assert titles(article_search(query="2024年度", audience="operator", today=TODAY)) == []
    assert titles(article_search(query="2027年度", audience="operator", today=TODAY)) == []
    assert titles(article_search(query="减免", audience="operator", today=TODAY)) == []
    # The same articles on days when they are in force.
    assert titles(article_search(query="2024年度", audience="public", today=datetime.date(2024, 12, 31))) == [
        "2024年度社会保险缴费基数"
    ]
    assert titles(article_search(query="2027年度", audience="public", today=datetime.date(2027, 1, 1))) == [
        "2027年度社会保险缴费基数调整"
    ]
    assert titles(article_search(query="2024年度", audience="public", today=datetime.date(2025, 1, 1))) == []
    assert titles(articles_for_category("1201", today=TODAY)) == ["计划停水通知在哪里查"]


def test_ranking_words_matched_then_place_then_newer(world: KnowledgeWorld) -> None:
    # Both words in 灵活就业 (社会保障 and 自选 in the answer) beat one word in a title.
    hits = article_search(query="社保 自选", audience="operator", today=TODAY)
    assert [(hit.title, hit.matched_words, hit.score) for hit in hits] == [
        ("灵活就业人员参加养老保险", 2, 2),
        ("社会保险缴费基数如何确定", 1, 8),
    ]
    # Keywords before question before answer: 供水 is a keyword of the water article, in the answer of neither other.
    assert titles(article_search(query="供水", audience="operator", today=TODAY)) == ["计划停水通知在哪里查"]
    # A word as typed before its expansion in the same place, although the other article is newer.
    for title in ("社会生活噪音投诉处理", "夜间施工噪声"):
        article_save(actor=world.admin, data=article_input(world.civil, title=title, category_code="0203"))
    assert titles(article_search(query="噪音", audience="operator", today=TODAY)) == [
        "社会生活噪音投诉处理",
        "夜间施工噪声",
    ]
    # Equal matches: the newer article first (60% is in both answers; base is effective later).
    assert titles(article_search(query="60%", audience="operator", today=TODAY)) == [
        "社会保险缴费基数如何确定",
        "灵活就业人员参加养老保险",
    ]


def test_category_filter_and_articles_for_a_category(world: KnowledgeWorld, city: City) -> None:
    assert titles(article_search(query="基数", audience="operator", today=TODAY, category_code="0502")) == []
    assert titles(article_search(query="基数", audience="operator", today=TODAY, category_code="05")) == [
        "社会保险缴费基数如何确定",
        "灵活就业人员参加养老保险",
    ]
    heading = article_save(
        actor=world.admin,
        data=article_input(world.hrss, title="劳动社保类诉求受理范围", category_code="05"),
    )
    # The leaf's own articles first (newer first), then the heading's general ones.
    assert titles(articles_for_category("0501", today=TODAY)) == [
        "社会保险缴费基数如何确定",
        "灵活就业人员参加养老保险",
        heading.title,
    ]
    assert titles(articles_for_category("05", today=TODAY)) == [
        heading.title,
        "社会保险缴费基数如何确定",
        "灵活就业人员参加养老保险",
    ]
    assert articles_for_category("", today=TODAY) == []


def test_hits_mark_the_matches_and_escape_the_text(world: KnowledgeWorld) -> None:
    [hit] = article_search(query="停水", audience="public", today=TODAY)
    assert hit.title_html == "计划<mark>停水</mark>通知在哪里查"
    assert hit.snippet_html.startswith("计划<mark>停水</mark>提前24小时")
    assert hit.keywords == ""  # the editors' search words are not for the public
    assert article_search(query="停水", audience="operator", today=TODAY)[0].keywords == "停水 供水"
    assert highlight("<b>停水</b> & 停水", ["停水"]) == "&lt;b&gt;<mark>停水</mark>&lt;/b&gt; &amp; <mark>停水</mark>"
    assert highlight("社会保险", ["社保", "社会保险"]) == "<mark>社会保险</mark>"
    assert highlight("Open311 open", ["OPEN"]) == "<mark>Open</mark>311 <mark>open</mark>"
    long = "甲" * 100 + "停水" + "乙" * 100
    piece = snippet(long, ["停水"], length=40)
    assert piece == "…" + "甲" * 30 + "<mark>停水</mark>" + "乙" * 8 + "…"
    assert query_words("社保，停水 社保") == [("社保", "社会保险", "社会保障"), ("停水",)]
    assert query_words("噪音") == [("噪音", "噪声")]


def test_an_article_with_markup_is_found_and_escaped(world: KnowledgeWorld) -> None:
    article_save(
        actor=world.admin,
        data=article_input(
            world.water, title="<script>alert(1)</script>停水", answer="<img src=x onerror=alert(1)>停水"
        ),
    )
    hits = article_search(query="停水", audience="public", today=TODAY)
    assert hits[0].title_html == "&lt;script&gt;alert(1)&lt;/script&gt;<mark>停水</mark>"
    assert hits[0].snippet_html == "&lt;img src=x onerror=alert(1)&gt;<mark>停水</mark>"


# --- writing ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"answer": ""}, "answer"),
        ({"title": "题" * 201}, "title"),
        ({"keywords": "词 " * 200}, "keywords"),
        ({"category_code": "9999"}, "category_code"),
        ({"department_id": None}, "department_id"),
        ({"department_id": 999999}, "department_id"),
        ({"expires_on": datetime.date(2025, 1, 1)}, "expires_on"),
        ({"expires_on": datetime.date(2024, 12, 1)}, "expires_on"),
    ],
)
def test_validation_names_the_field(world: KnowledgeWorld, overrides: dict[str, Any], field: str) -> None:
    count = KnowledgeArticle.objects.count()
    with pytest.raises(ValidationFailed) as error:
        article_save(actor=world.dispatcher, data=replace(article_input(world.hrss), **overrides))
    assert error.value.field == field
    assert KnowledgeArticle.objects.count() == count


def test_who_may_write(world: KnowledgeWorld, make_citizen: Callable[..., Any]) -> None:
    data = article_input(world.hrss, title="养老保险待遇领取")
    for actor in (world.dispatcher, world.admin, world.hrss_handler, world.item_admin):
        saved = article_save(actor=actor, data=replace(data, title=f"养老保险待遇领取 {actor.username}"))
        assert saved.department_id == world.hrss and saved.published
    for actor in (world.operator, world.hrss_clerk, make_citizen("钱七")):
        with pytest.raises(PermissionDenied):
            article_save(actor=actor, data=data)
    # A unit's handler writes for its own unit only, and cannot reach another unit's article.
    with pytest.raises(PermissionDenied) as error:
        article_save(actor=world.water_handler, data=data)
    assert error.value.field == "department_id"
    with pytest.raises(NotFound):
        article_save(
            actor=world.water_handler, article_id=world.articles["base"], data=replace(data, department_id=world.water)
        )
    with pytest.raises(NotFound):
        article_withdraw(actor=world.water_handler, article_id=world.articles["base"])
    # Nor move its own article to another unit.
    with pytest.raises(PermissionDenied):
        article_save(
            actor=world.water_handler, article_id=world.articles["water"], data=article_input(world.hrss, title="改")
        )


def test_change_withdraw_and_republish_are_audited(world: KnowledgeWorld) -> None:
    article_id = world.articles["water"]
    changed = article_save(
        actor=world.water_handler,
        article_id=article_id,
        data=article_input(world.water, title="计划停水通知查询", answer="见供水公司公众号。", category_code="1201"),
    )
    assert changed.title == "计划停水通知查询" and changed.published and changed.keywords == ""
    article_withdraw(actor=world.water_handler, article_id=article_id)
    article_withdraw(actor=world.water_handler, article_id=article_id)  # twice: nothing more happens
    assert article_search(query="停水", audience="operator", today=TODAY) == []
    article_republish(actor=world.dispatcher, article_id=article_id)
    assert titles(article_search(query="停水", audience="operator", today=TODAY)) == ["计划停水通知查询"]
    events = list(
        AuditEvent.objects.filter(object_type="cases.KnowledgeArticle", object_id=str(article_id))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert events == [
        "cases.knowledge.create",
        "cases.knowledge.change",
        "cases.knowledge.withdraw",
        "cases.knowledge.republish",
    ]
    change = AuditEvent.objects.get(action="cases.knowledge.change", object_id=str(article_id))
    assert '"fields":["answer","keywords","question","title"]' in change.changes


def test_keywords_are_one_space_apart(world: KnowledgeWorld) -> None:
    saved = article_save(actor=world.admin, data=article_input(world.hrss, keywords="社保，缴费、基数,  养老"))
    assert saved.keywords == "社保 缴费 基数 养老"


# --- reading ---------------------------------------------------------------------------------------------------


def test_an_article_out_of_force_is_unknown_but_to_its_editors(world: KnowledgeWorld) -> None:
    detail = article_get(article_id=world.articles["base"], today=TODAY)
    assert detail.state == ArticleState.IN_FORCE and detail.offered and detail.category_name == "社会保险"
    for name, state in (("expired", "expired"), ("pending", "pending"), ("withdrawn", "withdrawn")):
        with pytest.raises(NotFound):
            article_get(article_id=world.articles[name], today=TODAY)
        with pytest.raises(NotFound):
            article_get(article_id=world.articles[name], viewer=world.operator, today=TODAY)
        assert article_get(article_id=world.articles[name], viewer=world.dispatcher, today=TODAY).state == state
    assert article_get(article_id=world.articles["expired"], viewer=world.hrss_handler, today=TODAY).state == "expired"
    with pytest.raises(NotFound):
        article_get(article_id=world.articles["expired"], viewer=world.water_handler, today=TODAY)
    with pytest.raises(NotFound):
        article_get(article_id=999999, viewer=world.admin, today=TODAY)


def test_the_console_list_shows_editors_every_state(world: KnowledgeWorld) -> None:
    everything = {detail.title: detail.state for detail in article_list(viewer=world.dispatcher, today=TODAY)}
    assert everything == {
        "社会保险缴费基数如何确定": "in_force",
        "灵活就业人员参加养老保险": "in_force",
        "计划停水通知在哪里查": "in_force",
        "最低生活保障申请条件": "in_force",
        "2024年度社会保险缴费基数": "expired",
        "2027年度社会保险缴费基数调整": "pending",
        "停水期间水费减免（已撤回）": "withdrawn",
    }
    in_force = {"社会保险缴费基数如何确定", "灵活就业人员参加养老保险", "计划停水通知在哪里查", "最低生活保障申请条件"}
    assert {detail.title for detail in article_list(viewer=world.operator, today=TODAY)} == in_force
    # A unit's editor sees its own articles in every state, the others' in force.
    assert {detail.title for detail in article_list(viewer=world.water_handler, today=TODAY)} == {
        *in_force,
        "停水期间水费减免（已撤回）",
    }
    assert [detail.title for detail in article_list(viewer=world.admin, state="expired", today=TODAY)] == [
        "2024年度社会保险缴费基数"
    ]
    assert {detail.title for detail in article_list(viewer=world.admin, category_code="12", today=TODAY)} == {
        "计划停水通知在哪里查",
        "停水期间水费减免（已撤回）",
    }
