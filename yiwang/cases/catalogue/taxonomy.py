"""The taxonomy of cases (诉求分类): coded classes, two digits per level ('01' 城乡建设 → '0103' 道路维修 …).

A heading covers its subcategories in the dispatch catalogue and the time limits. A category that cases or
knowledge articles use is deactivated instead of deleted, so that what was said about old cases stays true.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from yiwang.cases.catalogue.access import require_editor
from yiwang.cases.models import Case, CaseCategory, KnowledgeArticle
from yiwang.core.audit.services import Actor, record_event
from yiwang.core.errors import Conflict, NotFound, ValidationFailed

CODE_PATTERN = re.compile(r"(?:\d{2}){1,6}")
NAME_LIMIT = 60


@dataclass(frozen=True)
class CategoryInfo:
    """A class of the taxonomy as other modules and apps see it."""

    id: int
    code: str
    name: str
    parent_code: str  # "" for a heading
    level: int  # 1 for a heading, 2 for its subcategories …
    description: str
    keywords: tuple[str, ...]
    active: bool


@dataclass(frozen=True)
class CategoryNode:
    """A class with its subclasses, in code order."""

    category: CategoryInfo
    children: tuple[CategoryNode, ...]

    @property
    def is_leaf(self) -> bool:
        return not self.children


@dataclass(frozen=True)
class CategoryRow:
    """A class to create in bulk (the demo's taxonomy, a province's standard list)."""

    code: str
    name: str
    description: str = ""
    keywords: tuple[str, ...] = ()


def category_ancestry(code: str) -> list[str]:
    """The code and the codes of the headings above it, most specific first ('010302' → 010302, 0103, 01)."""
    code = code.strip()
    return [code[:length] for length in range(len(code), 0, -2)] if CODE_PATTERN.fullmatch(code) else []


def _info(category: CaseCategory) -> CategoryInfo:
    return CategoryInfo(
        id=category.pk,
        code=category.code,
        name=category.name,
        parent_code=category.code[:-2],
        level=len(category.code) // 2,
        description=category.description,
        keywords=tuple(line.strip() for line in category.keywords.splitlines() if line.strip()),
        active=category.active,
    )


def _keywords_text(keywords: Iterable[str] | str) -> str:
    lines = keywords.splitlines() if isinstance(keywords, str) else list(keywords)
    unique: list[str] = []
    for line in lines:
        word = line.strip()
        if word and word not in unique:
            unique.append(word)
    return "\n".join(unique)


def _check_code(code: str) -> str:
    code = code.strip()
    if not CODE_PATTERN.fullmatch(code):
        raise ValidationFailed(
            _("A category code is two digits per level, up to six levels: 01, 0103, 010302."), field="code"
        )
    return code


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationFailed(_("Give the category's name."), field="name")
    if len(name) > NAME_LIMIT:
        raise ValidationFailed(
            _("A category's name is at most %(limit)d characters.") % {"limit": NAME_LIMIT}, field="name"
        )
    return name


def category_get(code: str) -> CategoryInfo | None:
    """The class with this code, if any."""
    category = CaseCategory.objects.filter(code=code.strip()).first()
    return _info(category) if category else None


def categories_all(*, active_only: bool = False) -> list[CategoryInfo]:
    """Every class, in code order."""
    queryset = CaseCategory.objects.order_by("code")
    if active_only:
        queryset = queryset.filter(active=True)
    return [_info(category) for category in queryset]


def category_tree(*, active_only: bool = False) -> list[CategoryNode]:
    """The headings with their subcategories (and theirs), in code order."""
    categories = categories_all(active_only=active_only)
    children: dict[str, list[CategoryInfo]] = defaultdict(list)
    for category in categories:
        children[category.parent_code].append(category)

    def node(category: CategoryInfo) -> CategoryNode:
        return CategoryNode(category=category, children=tuple(node(child) for child in children[category.code]))

    return [node(category) for category in children[""]]


def category_leaves(*, active_only: bool = True) -> list[CategoryInfo]:
    """The classes without subclasses (what a case is filed under), in code order."""
    categories = categories_all(active_only=active_only)
    parents = {category.parent_code for category in categories}
    return [category for category in categories if category.code not in parents]


def category_save(
    *,
    actor: Actor | None,
    code: str,
    name: str,
    description: str = "",
    keywords: Iterable[str] | str = (),
    active: bool = True,
) -> CategoryInfo:
    """Create a class under its existing heading, or change the name, description, keywords and use of one.

    Taking a heading out of use takes its subclasses with it; a class is put back in use only under a heading
    in use."""
    require_editor(actor)
    code = _check_code(code)
    name = _check_name(name)
    with transaction.atomic():
        category = CaseCategory.objects.select_for_update(of=("self",)).filter(code=code).first()
        parent = None
        if len(code) > 2:
            parent = CaseCategory.objects.filter(code=code[:-2]).first()
            if parent is None:
                raise ValidationFailed(
                    _("There is no category %(parent)s to put %(code)s under: create the heading first.")
                    % {"parent": code[:-2], "code": code},
                    field="code",
                )
            if active and not parent.active:
                raise ValidationFailed(
                    _("The heading %(parent)s %(name)s is not in use: put it back in use first.")
                    % {"parent": parent.code, "name": parent.name},
                    field="active",
                )
        created = category is None
        if category is None:
            category = CaseCategory(code=code, parent=parent)
        before = {"name": category.name, "active": category.active} if not created else {}
        category.name = name
        category.description = description.strip()
        category.keywords = _keywords_text(keywords)
        category.active = active
        category.save()
        if not active:
            CaseCategory.objects.filter(code__startswith=code, active=True).update(active=False)
        record_event(
            actor=actor,
            action="cases.catalogue.category.create" if created else "cases.catalogue.category.update",
            object_type="cases.category",
            object_id=code,
            changes={"before": before, "after": {"name": name, "active": active}} if before else {"name": name},
        )
    return _info(category)


def category_bulk_create(*, actor: Actor | None, rows: Sequence[CategoryRow]) -> int:
    """Create the classes of `rows` not stored yet (headings before their subclasses) in one transaction; returns
    how many were created. Any bad row refuses the whole list."""
    require_editor(actor)
    with transaction.atomic():
        stored = {category.code: category for category in CaseCategory.objects.all()}
        created = 0
        for row in sorted(rows, key=lambda item: item.code.strip()):
            code = _check_code(row.code)
            name = _check_name(row.name)
            if code in stored:
                continue
            parent = stored.get(code[:-2]) if len(code) > 2 else None
            if len(code) > 2 and parent is None:
                raise ValidationFailed(
                    _("There is no category %(parent)s to put %(code)s under: create the heading first.")
                    % {"parent": code[:-2], "code": code},
                    field="code",
                )
            stored[code] = CaseCategory.objects.create(
                code=code,
                name=name,
                parent=parent,
                description=row.description.strip(),
                keywords=_keywords_text(row.keywords),
            )
            created += 1
        if created:
            record_event(
                actor=actor,
                action="cases.catalogue.category.bulk_create",
                object_type="cases.category",
                object_id="*",
                changes={"count": created},
            )
    return created


def category_delete(*, actor: Actor | None, code: str) -> str:
    """Delete a class nobody used (its catalogue entries and time limits go with it), or take it and its subclasses
    out of use when cases or knowledge articles name them; returns "deleted" or "deactivated"."""
    require_editor(actor)
    with transaction.atomic():
        category = CaseCategory.objects.select_for_update(of=("self",)).filter(code=code.strip()).first()
        if category is None:
            raise NotFound(_("No category has code %(code)s.") % {"code": code}, field="code")
        subtree = Q(category__code__startswith=category.code)
        used = Case.objects.filter(subtree).exists() or KnowledgeArticle.objects.filter(subtree).exists()
        if used:
            CaseCategory.objects.filter(code__startswith=category.code).update(active=False)
            outcome = "deactivated"
        elif CaseCategory.objects.filter(parent=category).exists():
            raise Conflict(
                _("%(code)s %(name)s has subcategories: delete them first, or take the heading out of use.")
                % {"code": category.code, "name": category.name},
                field="code",
            )
        else:
            category.delete()
            outcome = "deleted"
        record_event(
            actor=actor,
            action=f"cases.catalogue.category.{'delete' if outcome == 'deleted' else 'deactivate'}",
            object_type="cases.category",
            object_id=code,
            changes={"name": category.name},
        )
    return outcome
