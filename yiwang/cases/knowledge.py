"""The knowledge base (知识库): policy answers operators read out during a call and citizens find on the portal.

An article is offered — found by search, listed for a category, shown to the public — only while it is in force:
published (not withdrawn), `effective_from` on or before today and `expires_on` (its last day) not before today.
Editors see every article they may change, with its state.

Who writes: dispatchers (派单员, who keep the hotline's knowledge base) and platform administrators, any article;
a unit's handlers (承办人) and item administrators (事项管理员), the articles whose source department is their own.

Search is Chinese without segmentation: each word of the query stands for its terms (`core.search.search_terms`
expands abbreviations: 社保 → 社会保险, 社会保障, 社保), and a term matches as a substring of the title, the
question, the keywords or the answer (`icontains`, the same on SQLite and PostgreSQL). A two-character query such
as 停水 is therefore found wherever it is written, and an abbreviation where it is spelt out.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Literal

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from yiwang.cases.models import CaseCategory, KnowledgeArticle
from yiwang.core.audit.services import record_event
from yiwang.core.errors import NotFound, PermissionDenied, ValidationFailed, lazy_format
from yiwang.core.search import search_terms
from yiwang.identity.roles import Role, UserKind
from yiwang.org.selectors import department_get

Audience = Literal["operator", "public"]

# Who may write: these roles any article, those the articles of their own department.
EDIT_ANY_ROLES = (Role.DISPATCHER, Role.PLATFORM_ADMIN)
EDIT_OWN_ROLES = (Role.HANDLER, Role.ITEM_ADMIN)
EDITOR_ROLES = (*EDIT_ANY_ROLES, *EDIT_OWN_ROLES)

TITLE_LIMIT = 200
QUESTION_LIMIT = 2000
ANSWER_LIMIT = 20000
BASIS_LIMIT = 300
KEYWORDS_LIMIT = 300
QUERY_LIMIT = 100  # characters of a query that count
WORD_LIMIT = 8  # words of a query that count
CANDIDATE_LIMIT = 500  # matching rows ranked per search: the newest, if more match
SNIPPET_LENGTH = 120
SNIPPET_LEAD = 30  # characters shown before the first match

# Ranking: where a word of the query is found (its best place counts once per word).
WEIGHT_TITLE, WEIGHT_KEYWORDS, WEIGHT_QUESTION, WEIGHT_ANSWER = 8, 4, 2, 1

# Words callers of the hotline say for what articles spell otherwise, beside core.search's abbreviations.
HOTLINE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "噪音": ("噪音", "噪声"),
    "噪声": ("噪声", "噪音"),
    "暖气": ("暖气", "供暖", "采暖"),
    "供暖": ("供暖", "暖气", "采暖"),
    "欠薪": ("欠薪", "拖欠工资", "讨薪"),
    "讨薪": ("讨薪", "拖欠工资", "欠薪"),
    "上学": ("上学", "入学"),
    "打疫苗": ("打疫苗", "疫苗", "接种"),
}


class ArticleState(StrEnum):
    """Where an article stands on a day: only one in force is offered."""

    IN_FORCE = "in_force"
    PENDING = "pending"  # not yet effective
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


STATE_LABELS = {
    ArticleState.IN_FORCE: _("In force"),
    ArticleState.PENDING: _("Not yet in force"),
    ArticleState.EXPIRED: _("Expired"),
    ArticleState.WITHDRAWN: _("Withdrawn"),
}


# --- permissions ---------------------------------------------------------------------------------------------------


def _is_staff(actor: Any) -> bool:
    return bool(actor is not None and actor.is_authenticated and getattr(actor, "kind", None) == UserKind.STAFF)


def may_edit_any(actor: Any) -> bool:
    """Dispatchers and platform administrators keep every article; `None` is the platform (loaders)."""
    return actor is None or (_is_staff(actor) and actor.has_role(*EDIT_ANY_ROLES))


def may_edit_department(actor: Any, department_id: int | None) -> bool:
    """Whether the actor may write the articles whose source department is this one."""
    if may_edit_any(actor):
        return True
    return bool(
        department_id is not None
        and _is_staff(actor)
        and actor.has_role(*EDIT_OWN_ROLES)
        and actor.department_id == department_id
    )


def is_editor(actor: Any) -> bool:
    """Whether the actor writes some articles (and sees their states in the console)."""
    return actor is None or (_is_staff(actor) and actor.has_role(*EDITOR_ROLES))


def article_state(
    *, published: bool, effective_from: datetime.date, expires_on: datetime.date | None, today: datetime.date
) -> ArticleState:
    """The state of an article on a day."""
    if not published:
        return ArticleState.WITHDRAWN
    if effective_from > today:
        return ArticleState.PENDING
    if expires_on is not None and expires_on < today:
        return ArticleState.EXPIRED
    return ArticleState.IN_FORCE


def _offered(queryset: QuerySet[KnowledgeArticle], today: datetime.date) -> QuerySet[KnowledgeArticle]:
    return queryset.filter(published=True, effective_from__lte=today).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    )


def _today(today: datetime.date | None) -> datetime.date:
    return today if today is not None else timezone.localdate()


# --- services ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleInput:
    """What an editor writes. Field names are those errors name (and the form's and the API's fields)."""

    title: str
    answer: str
    department_id: int | None
    question: str = ""
    category_code: str = ""  # empty: no category
    basis: str = ""
    keywords: str = ""
    effective_from: datetime.date | None = None  # empty: today
    expires_on: datetime.date | None = None  # its last day; empty: until withdrawn


def _require_editor(actor: Any) -> None:
    if not is_editor(actor):
        raise PermissionDenied(_("Only dispatchers, platform administrators and a unit's editors write articles."))


def _clean(data: ArticleInput) -> ArticleInput:
    """Trimmed input, or the first broken rule with its field."""
    cleaned = replace(
        data,
        title=data.title.strip(),
        answer=data.answer.strip(),
        question=data.question.strip(),
        category_code=data.category_code.strip(),
        basis=data.basis.strip(),
        keywords=" ".join(data.keywords.replace("，", " ").replace(",", " ").replace("、", " ").split()),
    )
    if not cleaned.title:
        raise ValidationFailed(_("Give the title."), field="title")
    if not cleaned.answer:
        raise ValidationFailed(_("Give the answer."), field="answer")
    limits = (
        ("title", TITLE_LIMIT),
        ("question", QUESTION_LIMIT),
        ("answer", ANSWER_LIMIT),
        ("basis", BASIS_LIMIT),
        ("keywords", KEYWORDS_LIMIT),
    )
    for field, limit in limits:
        if len(getattr(cleaned, field)) > limit:
            raise ValidationFailed(
                lazy_format(_("At most %(limit)s characters."), {"limit": limit}), field=field, code="too_long"
            )
    if cleaned.department_id is None:
        raise ValidationFailed(_("Choose the source department."), field="department_id")
    department = department_get(department_id=cleaned.department_id)
    if department is None or not department.is_active:
        raise ValidationFailed(_("No department in use has this id."), field="department_id")
    if cleaned.category_code and not CaseCategory.objects.filter(code=cleaned.category_code).exists():
        raise ValidationFailed(
            lazy_format(_("No category has code %(code)s."), {"code": cleaned.category_code}), field="category_code"
        )
    effective_from = cleaned.effective_from or timezone.localdate()
    if cleaned.expires_on is not None and cleaned.expires_on <= effective_from:
        raise ValidationFailed(_("The expiry date must be after the effective date."), field="expires_on")
    return replace(cleaned, effective_from=effective_from)


def article_save(*, actor: Any, article_id: int | None = None, data: ArticleInput) -> KnowledgeArticle:
    """Create an article, or change one (its publication stays as it is); the actor must keep its department."""
    _require_editor(actor)
    with transaction.atomic():
        existing: KnowledgeArticle | None = None
        if article_id is not None:
            existing = KnowledgeArticle.objects.select_for_update().filter(pk=article_id).first()
            if existing is None or not may_edit_department(actor, existing.department_id):
                raise NotFound(_("No article has this id."))
        cleaned = _clean(data)
        if not may_edit_department(actor, cleaned.department_id):
            raise PermissionDenied(_("You write only the articles of your own department."), field="department_id")
        category = CaseCategory.objects.filter(code=cleaned.category_code).first() if cleaned.category_code else None
        values: dict[str, Any] = {
            "title": cleaned.title,
            "question": cleaned.question,
            "answer": cleaned.answer,
            "category": category,
            "department_id": cleaned.department_id,
            "basis": cleaned.basis,
            "keywords": cleaned.keywords,
            "effective_from": cleaned.effective_from,
            "expires_on": cleaned.expires_on,
        }
        now = timezone.now()
        if existing is None:
            article = KnowledgeArticle.objects.create(**values, published=True, created_at=now, updated_at=now)
            changed = sorted(values)
        else:
            article = existing
            changed = sorted(name for name, value in values.items() if getattr(article, name) != value)
            for name, value in values.items():
                setattr(article, name, value)
            article.updated_at = now
            article.save()
        record_event(
            actor=actor,
            action="cases.knowledge.create" if existing is None else "cases.knowledge.change",
            object_type="cases.KnowledgeArticle",
            object_id=article.pk,
            changes={
                "title": article.title,
                "department_id": article.department_id,
                "category": cleaned.category_code,
                "effective_from": article.effective_from,
                "expires_on": article.expires_on,
                "fields": changed,
            },
        )
    return article


def _set_published(*, actor: Any, article_id: int, published: bool, action: str) -> KnowledgeArticle:
    _require_editor(actor)
    with transaction.atomic():
        article = KnowledgeArticle.objects.select_for_update().filter(pk=article_id).first()
        if article is None or not may_edit_department(actor, article.department_id):
            raise NotFound(_("No article has this id."))
        if article.published != published:
            article.published = published
            article.updated_at = timezone.now()
            article.save(update_fields=["published", "updated_at"])
            record_event(
                actor=actor,
                action=action,
                object_type="cases.KnowledgeArticle",
                object_id=article.pk,
                changes={"title": article.title, "published": published},
            )
    return article


def article_withdraw(*, actor: Any, article_id: int) -> KnowledgeArticle:
    """Withdraw an article (unpublish): it is offered to no one from now on; withdrawing twice changes nothing."""
    return _set_published(actor=actor, article_id=article_id, published=False, action="cases.knowledge.withdraw")


def article_republish(*, actor: Any, article_id: int) -> KnowledgeArticle:
    """Publish a withdrawn article again (offered again while its dates hold)."""
    return _set_published(actor=actor, article_id=article_id, published=True, action="cases.knowledge.republish")


# --- selectors -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleHit:
    """An article offered by a search or for a category, with the matched words marked (HTML, escaped)."""

    article_id: int
    title: str
    title_html: SafeString  # the title, matches in <mark>
    snippet_html: SafeString  # a piece of the answer (or question) around the first match, matches in <mark>
    question: str
    answer: str
    category_code: str
    category_name: str
    department_id: int
    department_name: str
    basis: str
    keywords: str  # the editors' search words: for operators only, empty for the public
    effective_from: datetime.date
    expires_on: datetime.date | None
    matched_words: int  # how many words of the query it matched
    score: int  # where they matched (title 8, keywords 4, question 2, answer 1 per word)


@dataclass(frozen=True)
class ArticleDetail:
    """One article as a page shows it, with its state."""

    article_id: int
    title: str
    question: str
    answer: str
    category_code: str
    category_name: str
    department_id: int
    department_name: str
    basis: str
    keywords: str
    effective_from: datetime.date
    expires_on: datetime.date | None
    published: bool
    state: ArticleState
    state_label: str
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @property
    def offered(self) -> bool:
        return self.state == ArticleState.IN_FORCE


def query_words(query: str) -> list[tuple[str, ...]]:
    """The words of a query, each as typed, then the other terms that stand for it (社保: 社会保险, 社会保障)."""
    text = query[:QUERY_LIMIT].replace("，", " ").replace(",", " ").replace("、", " ").replace("；", " ")
    groups: list[tuple[str, ...]] = []
    for word in text.split()[:WORD_LIMIT]:
        terms: list[str] = []
        for term in [word, *search_terms(word), *HOTLINE_SYNONYMS.get(word, ())]:
            if term and term not in terms:
                terms.append(term)
        if terms and tuple(terms) not in groups:
            groups.append(tuple(terms))
    return groups


def _pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(set(terms), key=lambda term: (-len(term), term))  # the longest of overlapping terms is marked
    if not ordered:
        return None
    return re.compile("|".join(re.escape(term) for term in ordered), re.IGNORECASE)


def highlight(text: str, terms: Sequence[str]) -> SafeString:
    """The text, HTML-escaped, with every occurrence of a term in <mark>."""
    pattern = _pattern(terms)
    if pattern is None:
        return SafeString(escape(text))
    pieces: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[last : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece of the text is escaped above


def snippet(text: str, terms: Sequence[str], *, length: int = SNIPPET_LENGTH) -> SafeString:
    """A piece of the text around its first match (its beginning when nothing matches), matches marked."""
    text = " ".join(text.split())
    pattern = _pattern(terms)
    found = pattern.search(text) if pattern is not None else None
    start = max(0, found.start() - SNIPPET_LEAD) if found is not None else 0
    end = min(len(text), start + length)
    start = max(0, min(start, end - length))
    piece = highlight(text[start:end], terms)
    return mark_safe(("…" if start > 0 else "") + piece + ("…" if end < len(text) else ""))  # noqa: S308


def _base() -> QuerySet[KnowledgeArticle]:
    return KnowledgeArticle.objects.select_related("category", "department")


def _category_filter(queryset: QuerySet[KnowledgeArticle], category_code: str) -> QuerySet[KnowledgeArticle]:
    """Articles of the category or of a class below it (a heading covers its leaves)."""
    return queryset.filter(category__code__startswith=category_code) if category_code else queryset


def _hit(
    article: KnowledgeArticle, *, audience: Audience, terms: Sequence[str], matched_words: int = 0, score: int = 0
) -> ArticleHit:
    source = article.answer
    pattern = _pattern(terms)
    if pattern is not None and not pattern.search(article.answer) and pattern.search(article.question):
        source = article.question
    return ArticleHit(
        article_id=article.pk,
        title=article.title,
        title_html=highlight(article.title, terms),
        snippet_html=snippet(source, terms),
        question=article.question,
        answer=article.answer,
        category_code=article.category.code if article.category else "",
        category_name=article.category.name if article.category else "",
        department_id=article.department_id,
        department_name=article.department.name,
        basis=article.basis,
        keywords=article.keywords if audience == "operator" else "",
        effective_from=article.effective_from,
        expires_on=article.expires_on,
        matched_words=matched_words,
        score=score,
    )


def _rank(article: KnowledgeArticle, words: Sequence[tuple[re.Pattern[str], re.Pattern[str]]]) -> tuple[int, int, int]:
    """(words matched, where they matched, where the words as typed matched).

    Each word counts once, at its best place, by any of its terms; the last figure, the same for the typed word
    alone, puts 噪音 in a title before 噪声 in a title among otherwise equal articles."""
    places = (
        (article.title, WEIGHT_TITLE),
        (article.keywords, WEIGHT_KEYWORDS),
        (article.question, WEIGHT_QUESTION),
        (article.answer, WEIGHT_ANSWER),
    )
    matched = score = literal = 0
    for any_term, typed in words:
        best = max((weight for text, weight in places if any_term.search(text)), default=0)
        if best:
            matched += 1
            score += best
            literal += max((weight for text, weight in places if typed.search(text)), default=0)
    return matched, score, literal


def article_search(
    *,
    query: str,
    audience: Audience,
    today: datetime.date | None = None,
    category_code: str = "",
    limit: int = 20,
) -> list[ArticleHit]:
    """Articles in force that match a query in Chinese, best first.

    Best: more words of the query matched, then where (title before keywords before question before answer), then
    where the words as typed matched (before their expansions), then newer (effective later, changed later).
    Expired, not yet effective and withdrawn articles are never offered. An empty query finds nothing
    (`articles_for_category` lists a category's articles).
    """
    words = query_words(query)
    if not words:
        return []
    condition = Q()
    for terms in words:
        for term in terms:
            condition |= (
                Q(title__icontains=term)
                | Q(keywords__icontains=term)
                | Q(question__icontains=term)
                | Q(answer__icontains=term)
            )
    queryset = _category_filter(_offered(_base(), _today(today)), category_code.strip()).filter(condition)
    candidates = list(queryset.order_by("-effective_from", "-updated_at", "-id")[:CANDIDATE_LIMIT])
    patterns = [
        (any_term, typed)
        for terms in words
        if (any_term := _pattern(terms)) is not None and (typed := _pattern(terms[:1])) is not None
    ]
    ranked = sorted(
        ((article, *_rank(article, patterns)) for article in candidates),
        key=lambda entry: (-entry[1], -entry[2], -entry[3]),  # stable: newer first among equals
    )
    all_terms = [term for terms in words for term in terms]
    return [
        _hit(article, audience=audience, terms=all_terms, matched_words=matched, score=score)
        for article, matched, score, _literal in ranked[: max(0, limit)]
        if matched
    ]


def _category_lineage(code: str) -> list[str]:
    """The codes above a category's ('050102' → '05', '0501'), two digits per level."""
    return [code[:end] for end in range(2, len(code), 2)]


def articles_for_category(
    code: str, *, audience: Audience = "operator", today: datetime.date | None = None, limit: int = 10
) -> list[ArticleHit]:
    """Articles in force for a case's category: its own first, then those of the classes below it, then those of the
    classes above it (a heading's general answers); newer first within each."""
    code = code.strip()
    if not code:
        return []
    queryset = _offered(_base(), _today(today)).filter(
        Q(category__code__startswith=code) | Q(category__code__in=_category_lineage(code))
    )
    articles = list(queryset.order_by("-effective_from", "-updated_at", "-id")[:CANDIDATE_LIMIT])

    def closeness(article: KnowledgeArticle) -> int:
        article_code = article.category.code if article.category else ""
        return 0 if article_code == code else 1 if article_code.startswith(code) else 2

    articles.sort(key=closeness)
    return [_hit(article, audience=audience, terms=()) for article in articles[: max(0, limit)]]


def articles_in_force(
    *, audience: Audience = "public", category_code: str = "", today: datetime.date | None = None, limit: int = 10
) -> list[ArticleHit]:
    """Articles in force (optionally of a category or the classes below it), the most recently changed first."""
    queryset = _category_filter(_offered(_base(), _today(today)), category_code.strip())
    return [
        _hit(article, audience=audience, terms=())
        for article in queryset.order_by("-updated_at", "-id")[: max(0, limit)]
    ]


def _detail(article: KnowledgeArticle, today: datetime.date) -> ArticleDetail:
    state = article_state(
        published=article.published,
        effective_from=article.effective_from,
        expires_on=article.expires_on,
        today=today,
    )
    return ArticleDetail(
        article_id=article.pk,
        title=article.title,
        question=article.question,
        answer=article.answer,
        category_code=article.category.code if article.category else "",
        category_name=article.category.name if article.category else "",
        department_id=article.department_id,
        department_name=article.department.name,
        basis=article.basis,
        keywords=article.keywords,
        effective_from=article.effective_from,
        expires_on=article.expires_on,
        published=article.published,
        state=state,
        state_label=str(STATE_LABELS[state]),
        created_at=article.created_at,
        updated_at=article.updated_at,
    )


def article_get(*, article_id: int, viewer: Any = None, today: datetime.date | None = None) -> ArticleDetail:
    """One article: in force for anyone (`viewer` None is the public), in any state for those who may edit it.

    NotFound otherwise: an expired or withdrawn article is as unknown as a missing one."""
    day = _today(today)
    article = _base().filter(pk=article_id).first()
    if article is None:
        raise NotFound(_("No article has this id."))
    detail = _detail(article, day)
    if not detail.offered and (viewer is None or not may_edit_department(viewer, article.department_id)):
        raise NotFound(_("No article has this id."))
    return detail


def article_list(
    *, viewer: Any, category_code: str = "", state: str = "", today: datetime.date | None = None, limit: int = 200
) -> list[ArticleDetail]:
    """The console's list, newest change first: articles in force, and every article the viewer may edit in any
    state (optionally one state only)."""
    day = _today(today)
    queryset = _category_filter(_base(), category_code.strip())
    if not may_edit_any(viewer):
        offered = Q(pk__in=_offered(KnowledgeArticle.objects.all(), day).values("pk"))
        if is_editor(viewer) and viewer.has_role(*EDIT_OWN_ROLES) and viewer.department_id is not None:
            offered |= Q(department_id=viewer.department_id)
        queryset = queryset.filter(offered)
    details = [_detail(article, day) for article in queryset.order_by("-updated_at", "-id")]
    if state:
        details = [detail for detail in details if detail.state == state]
    return details[: max(0, limit)]


def category_options() -> list[tuple[str, str]]:
    """(code, 'code name') of the categories in use, for choosing an article's category."""
    return [
        (code, f"{code} {name}")
        for code, name in CaseCategory.objects.filter(active=True).order_by("code").values_list("code", "name")
    ]


def category_codes() -> frozenset[str]:
    """The codes of every category (for loaders that skip what the taxonomy lacks)."""
    return frozenset(CaseCategory.objects.values_list("code", flat=True))


def article_id_by_title(*, title: str) -> int | None:
    """The article with this exact title (the oldest, if several): loaders use it to add only what is missing."""
    return KnowledgeArticle.objects.filter(title=title).order_by("id").values_list("id", flat=True).first()
