"""The knowledge base's API (/api/v1/cases/knowledge).

Public: search the articles in force and read one (an expired, not yet effective or withdrawn article is not found;
the editors' keywords are not shown). Editors — dispatchers and platform administrators for every article, a unit's
handlers and item administrators for their unit's — also read their articles in any state, and write, withdraw and
republish them (staff session with CSRF, or a bearer token)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from yiwang.cases import knowledge
from yiwang.identity.api_auth import session_or_bearer

router = Router()


# --- schemas -----------------------------------------------------------------------------------------------------


class ArticleOut(Schema):
    id: int
    title: str
    question: str
    answer: str
    category_code: str = Field(description="empty: no category")
    category_name: str
    department_id: int = Field(description="the source department")
    department: str
    basis: str = Field(description="the policy basis")
    effective_from: datetime.date
    expires_on: datetime.date | None = Field(description="its last day in force; empty: until withdrawn")
    state: str = Field(description="in_force, pending (not yet effective), expired or withdrawn")
    keywords: str | None = Field(description="the editors' search words: only for those who keep the article")
    updated_at: datetime.datetime


class HitOut(Schema):
    id: int
    title: str
    title_html: str = Field(description="the title, HTML-escaped, matched words in <mark>")
    snippet_html: str = Field(description="a piece of the answer around the first match, HTML-escaped, in <mark>")
    question: str
    answer: str
    category_code: str
    category_name: str
    department_id: int
    department: str
    basis: str
    effective_from: datetime.date
    expires_on: datetime.date | None


class SearchQuery(Schema):
    q: str = Field("", max_length=knowledge.QUERY_LIMIT, description="words in Chinese (社保, 停水…); empty: latest")
    category: str = Field("", max_length=12, description="a category code; a heading covers its subcategories")
    limit: int = Field(20, ge=1, le=100)


class ArticleIn(Schema):
    title: str = Field(max_length=knowledge.TITLE_LIMIT)
    answer: str = Field(max_length=knowledge.ANSWER_LIMIT)
    department_id: int = Field(description="the source department")
    question: str = Field("", max_length=knowledge.QUESTION_LIMIT)
    category_code: str = Field("", max_length=12)
    basis: str = Field("", max_length=knowledge.BASIS_LIMIT)
    keywords: str = Field("", max_length=knowledge.KEYWORDS_LIMIT)
    effective_from: datetime.date | None = Field(None, description="empty: today")
    expires_on: datetime.date | None = Field(None, description="its last day in force; empty: until withdrawn")

    def article_input(self) -> knowledge.ArticleInput:
        return knowledge.ArticleInput(
            title=self.title,
            answer=self.answer,
            department_id=self.department_id,
            question=self.question,
            category_code=self.category_code,
            basis=self.basis,
            keywords=self.keywords,
            effective_from=self.effective_from,
            expires_on=self.expires_on,
        )


# --- helpers -----------------------------------------------------------------------------------------------------


def _anyone(request: HttpRequest) -> Any:
    """No credentials: the public (tried after the session and the bearer token)."""
    return AnonymousUser()


def _viewer(request: HttpRequest) -> Any:
    """The signed-in caller, or None for the public (readers only: to the services None is the platform)."""
    user = request.auth  # type: ignore[attr-defined]
    return user if getattr(user, "is_authenticated", False) else None


def _actor(request: HttpRequest) -> Any:
    """The signed-in caller of a write (`session_or_bearer` lets no one else in)."""
    return request.auth  # type: ignore[attr-defined]


def _article(detail: knowledge.ArticleDetail, viewer: Any) -> dict[str, Any]:
    keeps = viewer is not None and knowledge.may_edit_department(viewer, detail.department_id)
    return {
        "id": detail.article_id,
        "title": detail.title,
        "question": detail.question,
        "answer": detail.answer,
        "category_code": detail.category_code,
        "category_name": detail.category_name,
        "department_id": detail.department_id,
        "department": detail.department_name,
        "basis": detail.basis,
        "effective_from": detail.effective_from,
        "expires_on": detail.expires_on,
        "state": str(detail.state),
        "keywords": detail.keywords if keeps else None,
        "updated_at": detail.updated_at,
    }


def _hit(hit: knowledge.ArticleHit) -> dict[str, Any]:
    return {
        "id": hit.article_id,
        "title": hit.title,
        "title_html": str(hit.title_html),
        "snippet_html": str(hit.snippet_html),
        "question": hit.question,
        "answer": hit.answer,
        "category_code": hit.category_code,
        "category_name": hit.category_name,
        "department_id": hit.department_id,
        "department": hit.department_name,
        "basis": hit.basis,
        "effective_from": hit.effective_from,
        "expires_on": hit.expires_on,
    }


def _saved(request: HttpRequest, article_id: int) -> dict[str, Any]:
    viewer = _viewer(request)
    return _article(knowledge.article_get(article_id=article_id, viewer=viewer), viewer)


# --- endpoints ---------------------------------------------------------------------------------------------------


@router.get(
    "",
    response=list[HitOut],
    auth=None,
    summary="Search the articles in force (best first; without words, the latest)",
)
def search(request: HttpRequest, filters: Query[SearchQuery]) -> Any:
    if filters.q.strip():
        found = knowledge.article_search(
            query=filters.q, audience="public", category_code=filters.category, limit=filters.limit
        )
    else:
        found = knowledge.articles_in_force(category_code=filters.category, limit=filters.limit)
    return [_hit(hit) for hit in found]


@router.get(
    "/{article_id}",
    response=ArticleOut,
    auth=[*session_or_bearer, _anyone],
    summary="One article: in force for anyone, in any state for those who keep it",
    description="Credentials are optional: without them (or without the right to keep the article) an expired, "
    "not yet effective or withdrawn article is not found and `keywords` is null.",
)
def article(request: HttpRequest, article_id: int) -> Any:
    viewer = _viewer(request)
    return _article(knowledge.article_get(article_id=article_id, viewer=viewer), viewer)


@router.post("", response={201: ArticleOut}, auth=session_or_bearer, summary="Write a new article (editors)")
def create(request: HttpRequest, payload: ArticleIn) -> Any:
    saved = knowledge.article_save(actor=_actor(request), data=payload.article_input())
    return Status(201, _saved(request, saved.pk))


@router.put("/{article_id}", response=ArticleOut, auth=session_or_bearer, summary="Change an article (editors)")
def change(request: HttpRequest, article_id: int, payload: ArticleIn) -> Any:
    saved = knowledge.article_save(actor=_actor(request), article_id=article_id, data=payload.article_input())
    return _saved(request, saved.pk)


@router.post(
    "/{article_id}/withdraw", response=ArticleOut, auth=session_or_bearer, summary="Withdraw an article (editors)"
)
def withdraw(request: HttpRequest, article_id: int) -> Any:
    saved = knowledge.article_withdraw(actor=_actor(request), article_id=article_id)
    return _saved(request, saved.pk)


@router.post(
    "/{article_id}/republish",
    response=ArticleOut,
    auth=session_or_bearer,
    summary="Publish a withdrawn article again (editors)",
)
def republish(request: HttpRequest, article_id: int) -> Any:
    saved = knowledge.article_republish(actor=_actor(request), article_id=article_id)
    return _saved(request, saved.pk)
