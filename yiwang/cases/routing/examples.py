"""What the router learns from: the taxonomy, dispatch catalogue and responsibility lists (cold start), and what
dispatchers finally chose (`RoutingFeedback`, corrections included).

Units are labels: `unit:<department id>` for a named unit, and one pseudo-label per locality for the street offices
and district governments (属地:street, 属地:district) — the words of a case say "this is the street's job", not which
street; the place says which (`places.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from yiwang.cases.models import CaseCategory, DispatchRule, LeadKind, Responsibility, RoutingFeedback
from yiwang.org.selectors import DepartmentInfo, department_list

STREET_LABEL = "属地:street"
DISTRICT_LABEL = "属地:district"
STREET_OFFICE = "street_office"
DISTRICT_GOVERNMENT = "district_government"

CATALOGUE = "catalogue"  # a category's name, description and keywords, labelled with its lead
KEYWORD = "keyword"  # one keyword of a category alone
RESPONSIBILITY = "responsibility"  # a matter of a unit's list
HISTORY = "history"  # a dispatcher's final choice
CORRECTION = "correction"  # a final choice that differs from what was proposed first (router or first unit)
COLD_START_SOURCES = frozenset({CATALOGUE, KEYWORD, RESPONSIBILITY})

MAX_HISTORY = 200_000  # the most recent cases learnt from; older practice counts no more


@dataclass(frozen=True)
class Example:
    """One training text with its unit label and category code (either may be missing) and its source."""

    text: str
    unit: str | None
    category: str | None
    source: str


@dataclass(frozen=True)
class UnitLabel:
    """What a unit label stands for: a department, or the locality of the case (`department_id` None)."""

    department_id: int | None
    name: str
    locality: str = ""  # "", "street" or "district"


def unit_label(department: DepartmentInfo) -> str:
    """The label a department is learnt under: its locality for street offices and district governments."""
    if department.kind == STREET_OFFICE:
        return STREET_LABEL
    if department.kind == DISTRICT_GOVERNMENT:
        return DISTRICT_LABEL
    return f"unit:{department.id}"


def unit_labels() -> tuple[dict[str, UnitLabel], dict[int, str]]:
    """Every active department's label and what each label stands for."""
    labels: dict[str, UnitLabel] = {
        STREET_LABEL: UnitLabel(None, "所在街道办事处", "street"),
        DISTRICT_LABEL: UnitLabel(None, "所在区人民政府", "district"),
    }
    by_department: dict[int, str] = {}
    for department in department_list():
        label = unit_label(department)
        by_department[department.id] = label
        if label.startswith("unit:"):
            labels[label] = UnitLabel(department.id, department.name)
    return labels, by_department


def _leaf_categories() -> tuple[dict[int, CaseCategory], dict[int, CaseCategory]]:
    """Active categories by id, and the leaves among them (those without active children)."""
    categories = {category.pk: category for category in CaseCategory.objects.filter(active=True)}
    parents = {category.parent_id for category in categories.values() if category.parent_id}
    leaves = {pk: category for pk, category in categories.items() if pk not in parents}
    return categories, leaves


def _rule_label(rule: DispatchRule, by_department: dict[int, str]) -> str | None:
    if rule.lead_kind == LeadKind.STREET:
        return STREET_LABEL
    if rule.lead_kind == LeadKind.DISTRICT:
        return DISTRICT_LABEL
    return by_department.get(rule.lead_department_id) if rule.lead_department_id else None


def catalogue_examples(by_department: dict[int, str]) -> list[Example]:
    """Cold start: each leaf category's words labelled with its city-wide lead, and each unit's list."""
    categories, leaves = _leaf_categories()
    rules = {
        rule.category_id: rule
        for rule in DispatchRule.objects.filter(division__isnull=True, category_id__in=list(categories))
    }
    examples: list[Example] = []
    for leaf in leaves.values():
        # A heading's rule covers its categories that have no row of their own.
        rule, current = rules.get(leaf.pk), leaf
        while rule is None and current.parent_id in categories:
            current = categories[current.parent_id]
            rule = rules.get(current.pk)
        label = _rule_label(rule, by_department) if rule is not None else None
        keywords = [line.strip() for line in leaf.keywords.splitlines() if line.strip()]
        summary = "。".join(part for part in (leaf.name, leaf.description, "，".join(keywords)) if part)
        examples.append(Example(summary, label, leaf.code, CATALOGUE))
        examples.extend(Example(keyword, label, leaf.code, KEYWORD) for keyword in keywords)
    seen: set[tuple[str, str]] = set()
    for matter in Responsibility.objects.all().only("department_id", "title", "description"):
        label = by_department.get(matter.department_id)
        text = f"{matter.title}。{matter.description}".strip("。")
        if label is None or (text, label) in seen:  # every street office has the same list: learnt once
            continue
        seen.add((text, label))
        examples.append(Example(text, label, None, RESPONSIBILITY))
    return examples


def history_examples(by_department: dict[int, str]) -> list[Example]:
    """The final choice of each case (its latest feedback row), newest first; corrections marked as such."""
    leaf_codes = {category.pk: category.code for category in _leaf_categories()[1].values()}
    rows = (
        RoutingFeedback.objects.order_by("-at", "-id")
        .values_list("case_id", "text", "proposed_department_id", "chosen_department_id", "chosen_category_id")
        .iterator(chunk_size=5000)
    )
    examples: list[Example] = []
    seen_cases: set[int] = set()
    for case_id, text, proposed, chosen, category_id in rows:
        if case_id in seen_cases:
            continue
        seen_cases.add(case_id)
        label = by_department.get(chosen)
        if label is None or not text.strip():
            continue
        corrected = proposed is not None and by_department.get(proposed) != label
        examples.append(Example(text, label, leaf_codes.get(category_id or 0), CORRECTION if corrected else HISTORY))
        if len(examples) >= MAX_HISTORY:
            break
    return examples


def category_names() -> dict[str, str]:
    """Code → name of the leaf categories in use."""
    return {category.code: category.name for category in _leaf_categories()[1].values()}
