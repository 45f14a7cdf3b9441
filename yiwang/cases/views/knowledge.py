"""Pages of the knowledge base (知识库).

Console (`/console/cases/knowledge/`): every staff member searches the articles in force (operators during a call);
editors — dispatchers and platform administrators for every article, a unit's handlers and item administrators for
their unit's — also list the articles they keep in every state, write, withdraw and republish them. Portal
(`/hotline/knowledge/`, no sign-in): citizens search and read the articles in force; any other is not found.

Search forms are ordinary GET forms; htmx sends the same request as one types and swaps in only the results, whose
count is announced from an `aria-live` region. `knowledge_box` builds the context of the search box that another
page (the operator's intake page) embeds: `{% include "cases/knowledge/_search_box.html" %}`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.cases import knowledge
from yiwang.cases.forms_knowledge import ArticleForm, KnowledgeSearchForm
from yiwang.core.errors import NotFound, PermissionDenied, YiwangError
from yiwang.core.forms import add_service_error
from yiwang.identity.access import staff_required
from yiwang.org.selectors import department_get, department_list

SEARCH_LIMIT = 30
BOX_LIMIT = 10
_ELEMENT_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,40}$")


def _partial_requested(request: HttpRequest) -> bool:
    # htmx restoring a page from history wants the whole page, although it sends HX-Request too.
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def _element_id(value: str, default: str = "") -> str:
    """An HTML id given in a query string, only if it is a plain one (it is written into attributes)."""
    return value if _ELEMENT_ID.match(value) else default


def _vary(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ["HX-Request"])  # the same address answers a page and a fragment
    return response


# --- the console: search and list ------------------------------------------------------------------------------


@staff_required()
@require_GET
def console(request: HttpRequest) -> HttpResponse:
    """Search the articles in force; without words, the list (editors: the articles they keep, in every state)."""
    user: Any = request.user
    editor = knowledge.is_editor(user)
    form = KnowledgeSearchForm(request.GET, categories=knowledge.category_options(), with_state=editor)
    valid = form.is_valid()
    data: dict[str, Any] = form.cleaned_data if valid else {}
    query = data.get("q") or ""
    category = data.get("category") or ""
    hits: list[knowledge.ArticleHit] = []
    articles: list[knowledge.ArticleDetail] = []
    if query:
        hits = knowledge.article_search(query=query, audience="operator", category_code=category, limit=SEARCH_LIMIT)
    elif valid:
        articles = knowledge.article_list(viewer=user, category_code=category, state=data.get("state") or "")
    partial = _partial_requested(request)
    context = {
        "form": form,
        "query": query,
        "hits": hits,
        "articles": articles,
        "editor": editor,
        "partial": partial,
        "box_id": "knowledge",
        "pick_form": "",
    }
    if partial:  # htmx swaps only 2xx responses in, so its errors come with a 200
        return _vary(render(request, "cases/knowledge/_console_results.html", context))
    return _vary(render(request, "cases/knowledge/console.html", context, status=200 if valid else 400))


@dataclass(frozen=True)
class KnowledgeBox:
    """What the embedded search box shows: its ids, the articles of the case's category, the form to answer with."""

    box_id: str
    category_code: str
    pick_form: str  # id of the page's form that takes `article_id` (radio buttons in each hit); empty: none
    hits: list[knowledge.ArticleHit]


def knowledge_box(
    request: HttpRequest, *, category_code: str = "", pick_form: str = "", box_id: str = "knowledge"
) -> dict[str, Any]:
    """Context of `cases/knowledge/_search_box.html` for a staff page that embeds it: `{"knowledge_box": …}`.

    It starts with the articles of `category_code` (its own, then those below and above it); `pick_form` names the
    page's form that receives the chosen article as `article_id` (e.g. the operator's form that concludes a 咨询
    directly)."""
    return {
        "knowledge_box": KnowledgeBox(
            box_id=_element_id(box_id, "knowledge"),
            category_code=category_code,
            pick_form=_element_id(pick_form),
            hits=knowledge.articles_for_category(category_code, limit=BOX_LIMIT) if category_code else [],
        )
    }


@staff_required()
@require_GET
def hits(request: HttpRequest) -> HttpResponse:
    """The results fragment of an embedded search box (htmx): `q`, `category` (limits a search; lists the category's
    articles when `q` is empty), `box` (the box's id) and `pick` (the id of the form that takes `article_id`)."""
    query = request.GET.get("q", "").strip()[: knowledge.QUERY_LIMIT]
    category = request.GET.get("category", "").strip()[:12]
    if query:
        found = knowledge.article_search(query=query, audience="operator", category_code=category, limit=BOX_LIMIT)
    else:
        found = knowledge.articles_for_category(category, limit=BOX_LIMIT) if category else []
    context = {
        "hits": found,
        "query": query,
        "partial": True,
        "box_id": _element_id(request.GET.get("box", ""), "knowledge"),
        "pick_form": _element_id(request.GET.get("pick", "")),
    }
    return _vary(render(request, "cases/knowledge/_hits.html", context))


# --- the console: one article ----------------------------------------------------------------------------------


def _article_or_404(request: HttpRequest, article_id: int) -> knowledge.ArticleDetail:
    try:
        return knowledge.article_get(article_id=article_id, viewer=request.user)
    except NotFound as error:
        raise Http404(str(error)) from None


@staff_required()
@require_GET
def detail(request: HttpRequest, article_id: int) -> HttpResponse:
    """An article as the operator reads it out; its state and actions for those who keep it."""
    article = _article_or_404(request, article_id)
    context = {"article": article, "may_edit": knowledge.may_edit_department(request.user, article.department_id)}
    return render(request, "cases/knowledge/detail.html", context)


def _departments(user: Any) -> list[tuple[int, str]]:
    if knowledge.may_edit_any(user):
        return [(department.id, department.name) for department in department_list()]
    own = department_get(department_id=user.department_id) if user.department_id else None
    return [(own.id, own.name)] if own is not None else []


def _article_form(user: Any, data: Any = None, **kwargs: Any) -> ArticleForm:
    return ArticleForm(data, categories=knowledge.category_options(), departments=_departments(user), **kwargs)


def _save(request: HttpRequest, form: ArticleForm, article: knowledge.ArticleDetail | None) -> HttpResponse:
    context = {"form": form, "article": article}
    if not form.is_valid():
        return render(request, "cases/knowledge/form.html", context, status=400)
    try:
        saved = knowledge.article_save(
            actor=request.user,
            article_id=article.article_id if article is not None else None,
            data=form.article_input(),
        )
    except NotFound as error:
        raise Http404(str(error)) from None
    except YiwangError as error:
        if isinstance(error, PermissionDenied) and error.field is None:
            raise Http404(str(error)) from None
        add_service_error(form, error)
        return render(request, "cases/knowledge/form.html", context, status=400)
    messages.success(request, _("The article “%(title)s” is saved.") % {"title": saved.title})
    return redirect("cases:knowledge_detail", article_id=saved.pk)


@staff_required(*knowledge.EDITOR_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """A new article of the editor's unit (of any unit for dispatchers and platform administrators)."""
    user: Any = request.user
    if request.method == "POST":
        return _save(request, _article_form(user, request.POST), None)
    departments = _departments(user)
    initial: dict[str, Any] = {"effective_from": timezone.localdate()}
    if len(departments) == 1:
        initial["department_id"] = departments[0][0]
    form = _article_form(user, initial=initial)
    return render(request, "cases/knowledge/form.html", {"form": form, "article": None})


def _editable_or_404(request: HttpRequest, article_id: int) -> knowledge.ArticleDetail:
    article = _article_or_404(request, article_id)
    if not knowledge.may_edit_department(request.user, article.department_id):
        raise Http404(_("No article has this id."))
    return article


@staff_required(*knowledge.EDITOR_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, article_id: int) -> HttpResponse:
    """Change an article (its publication stays as it is)."""
    article = _editable_or_404(request, article_id)
    if request.method == "POST":
        return _save(request, _article_form(request.user, request.POST), article)
    initial = {
        "title": article.title,
        "question": article.question,
        "answer": article.answer,
        "category_code": article.category_code,
        "department_id": article.department_id,
        "basis": article.basis,
        "keywords": article.keywords,
        "effective_from": article.effective_from,
        "expires_on": article.expires_on,
    }
    form = _article_form(request.user, initial=initial)
    return render(request, "cases/knowledge/form.html", {"form": form, "article": article})


def _publication(request: HttpRequest, article_id: int, *, withdraw: bool) -> HttpResponse:
    try:
        if withdraw:
            saved = knowledge.article_withdraw(actor=request.user, article_id=article_id)
        else:
            saved = knowledge.article_republish(actor=request.user, article_id=article_id)
    except YiwangError as error:
        raise Http404(str(error)) from None
    message = _("The article “%(title)s” is withdrawn.") if withdraw else _("The article “%(title)s” is published.")
    messages.success(request, message % {"title": saved.title})
    return redirect("cases:knowledge_detail", article_id=article_id)


@staff_required(*knowledge.EDITOR_ROLES)
@require_POST
def withdraw(request: HttpRequest, article_id: int) -> HttpResponse:
    """Withdraw an article: no one is offered it any more."""
    return _publication(request, article_id, withdraw=True)


@staff_required(*knowledge.EDITOR_ROLES)
@require_POST
def republish(request: HttpRequest, article_id: int) -> HttpResponse:
    """Publish a withdrawn article again."""
    return _publication(request, article_id, withdraw=False)


# --- the portal ------------------------------------------------------------------------------------------------


@require_GET
def public_search(request: HttpRequest) -> HttpResponse:
    """Citizens search the articles in force; without words, the latest ones (of a category, if chosen)."""
    form = KnowledgeSearchForm(request.GET, categories=knowledge.category_options())
    valid = form.is_valid()
    data: dict[str, Any] = form.cleaned_data if valid else {}
    query = data.get("q") or ""
    category = data.get("category") or ""
    if query:
        found = knowledge.article_search(query=query, audience="public", category_code=category, limit=SEARCH_LIMIT)
    else:
        found = knowledge.articles_in_force(category_code=category, limit=SEARCH_LIMIT) if valid else []
    partial = _partial_requested(request)
    context = {"form": form, "query": query, "hits": found, "partial": partial}
    if partial:
        return _vary(render(request, "cases/knowledge/_public_hits.html", context))
    return _vary(render(request, "cases/knowledge/public_search.html", context, status=200 if valid else 400))


@require_GET
def public_article(request: HttpRequest, article_id: int) -> HttpResponse:
    """One article in force; an expired, not yet effective or withdrawn one is not found."""
    try:
        article = knowledge.article_get(article_id=article_id)
    except NotFound as error:
        raise Http404(str(error)) from None
    return render(request, "cases/knowledge/public_article.html", {"article": article})
