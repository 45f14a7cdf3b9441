"""The dispatch catalogue (派单目录): a category in an area → the lead unit (主办) and the co-units (协办).

A rule names its lead unit, or says that the locality leads (属地): the street office of the case's street, or the
government of its district. The proposal for a case takes the most specific rule: the category itself before
its headings; for each, a rule of the case's community, then street, then district, then the whole city.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.cases.catalogue.access import require_editor
from yiwang.cases.catalogue.places import (
    district_of,
    division_ancestry,
    division_in_city,
    street_of,
)
from yiwang.cases.catalogue.taxonomy import category_ancestry
from yiwang.cases.models import CaseCategory, DispatchRule, LeadKind
from yiwang.core.audit.services import Actor, record_event
from yiwang.core.errors import Conflict, NotFound, ValidationFailed
from yiwang.org import selectors as org_selectors
from yiwang.org.selectors import DepartmentInfo

BASIS_LIMIT = 300
STREET_OFFICE = "street_office"
DISTRICT_GOVERNMENT = "district_government"


@dataclass(frozen=True)
class DispatchRuleInfo:
    """An entry of the catalogue with the names of what it refers to."""

    id: int
    category_code: str
    category_name: str
    division_code: str  # "" for the whole city
    division_name: str
    lead_kind: str
    lead_kind_label: str
    lead_department_id: int | None
    lead_name: str  # the unit, or "" for the locality
    co_departments: tuple[tuple[int, str], ...]
    basis: str
    updated_at: datetime


@dataclass(frozen=True)
class DispatchProposal:
    """Where the catalogue sends a case: the lead unit, the co-units and the rule that said so."""

    lead_department_id: int
    lead_name: str
    co_departments: tuple[tuple[int, str], ...]
    rule_id: int
    basis: str
    locality: bool  # the lead is the street office or district government of the place (属地)
    category_code: str = ""  # the rule's category (the case's, or a heading above it)
    division_code: str = ""  # the rule's area ("" for the whole city)


@dataclass(frozen=True)
class DispatchLookup:
    """A proposal, or why there is none (`code`: unknown_category, no_rule, no_place, no_local_unit)."""

    proposal: DispatchProposal | None
    code: str
    reason: str


@dataclass(frozen=True)
class RuleValues:
    """A rule's values, checked against the taxonomy, the divisions and the units; not yet written."""

    category_id: int
    category_code: str
    division_id: int | None
    division_code: str
    lead_kind: str
    lead_department_id: int | None
    co_department_ids: tuple[int, ...]
    basis: str


def _department(department_id: int, *, field: str) -> DepartmentInfo:
    department = org_selectors.department_get(department_id=department_id)
    if department is None:
        raise ValidationFailed(_("No unit has id %(id)s.") % {"id": department_id}, field=field)
    if not department.is_active:
        raise ValidationFailed(
            _("%(name)s is no longer active: choose a unit in service.") % {"name": department.name}, field=field
        )
    return department


def dispatch_rule_check(
    *,
    category_code: str,
    division_code: str | None,
    lead_kind: str,
    lead_department_id: int | None,
    co_department_ids: Sequence[int],
    basis: str,
) -> RuleValues:
    """Check a rule's values (ValidationFailed naming the field) without writing anything."""
    category = CaseCategory.objects.filter(code=category_code.strip()).first()
    if category is None:
        raise ValidationFailed(
            _("No category has code %(code)s.") % {"code": category_code.strip()}, field="category_code"
        )
    if not category.active:
        raise ValidationFailed(
            _("%(code)s %(name)s is not in use.") % {"code": category.code, "name": category.name},
            field="category_code",
        )
    division_id, code = None, ""
    if division_code and division_code.strip():
        division = division_in_city(division_code, field="division_code")
        if division.level != "city":  # the city itself is the same as no area
            division_id, code = division.id, division.code
    if lead_kind not in LeadKind.values:
        raise ValidationFailed(
            _("Choose who leads: the named unit, the street office or the district government of the place."),
            field="lead_kind",
        )
    if lead_kind == LeadKind.DEPARTMENT:
        if lead_department_id is None:
            raise ValidationFailed(_("Choose the lead unit."), field="lead_department_id")
        _department(lead_department_id, field="lead_department_id")
    elif lead_department_id is not None:
        raise ValidationFailed(
            _("The place's street office or district government leads: leave the lead unit empty."),
            field="lead_department_id",
        )
    co_ids: list[int] = []
    for department_id in co_department_ids:
        department = _department(department_id, field="co_department_ids")
        if department_id == lead_department_id:
            raise ValidationFailed(
                _("%(name)s leads this matter: it cannot also be a co-unit.") % {"name": department.name},
                field="co_department_ids",
            )
        if department_id not in co_ids:
            co_ids.append(department_id)
    basis = basis.strip()
    if len(basis) > BASIS_LIMIT:
        raise ValidationFailed(_("The basis is at most %(limit)d characters.") % {"limit": BASIS_LIMIT}, field="basis")
    return RuleValues(
        category_id=category.pk,
        category_code=category.code,
        division_id=division_id,
        division_code=code,
        lead_kind=lead_kind,
        lead_department_id=lead_department_id if lead_kind == LeadKind.DEPARTMENT else None,
        co_department_ids=tuple(sorted(co_ids)),
        basis=basis,
    )


def rule_values_of(rule: DispatchRule) -> RuleValues:
    """What a stored rule says, in the form `dispatch_rule_check` returns (to compare with a new version)."""
    return RuleValues(
        category_id=rule.category_id,
        category_code=rule.category.code,
        division_id=rule.division_id,
        division_code=rule.division.code if rule.division is not None else "",
        lead_kind=rule.lead_kind,
        lead_department_id=rule.lead_department_id,
        co_department_ids=tuple(sorted(department.pk for department in rule.co_departments.all())),
        basis=rule.basis,
    )


def _snapshot(values: RuleValues) -> dict[str, object]:
    return {
        "category": values.category_code,
        "division": values.division_code,
        "lead_kind": values.lead_kind,
        "lead_department_id": values.lead_department_id,
        "co_department_ids": list(values.co_department_ids),
        "basis": values.basis,
    }


def rule_write(values: RuleValues, rule: DispatchRule | None = None) -> DispatchRule:
    """Store checked values in `rule` (a new one when None); the caller holds the transaction and audits."""
    rule = rule or DispatchRule()
    rule.category_id = values.category_id
    rule.division_id = values.division_id
    rule.lead_kind = values.lead_kind
    rule.lead_department_id = values.lead_department_id
    rule.basis = values.basis
    rule.updated_at = timezone.now()
    rule.save()
    rule.co_departments.set(values.co_department_ids)
    return rule


def _same_place_rule(values: RuleValues) -> DispatchRule | None:
    return (
        DispatchRule.objects.filter(category_id=values.category_id)
        .filter(Q(division=None) if values.division_id is None else Q(division_id=values.division_id))
        .select_related("category", "division")
        .first()
    )


def dispatch_rule_save(
    *,
    actor: Actor | None,
    category_code: str,
    division_code: str | None,
    lead_kind: str,
    lead_department_id: int | None,
    co_department_ids: Sequence[int] = (),
    basis: str = "",
    rule_id: int | None = None,
) -> DispatchRuleInfo:
    """Add an entry to the catalogue (`rule_id` None) or change one; one entry per category and area."""
    require_editor(actor)
    values = dispatch_rule_check(
        category_code=category_code,
        division_code=division_code,
        lead_kind=lead_kind,
        lead_department_id=lead_department_id,
        co_department_ids=co_department_ids,
        basis=basis,
    )
    with transaction.atomic():
        rule = None
        before: dict[str, object] = {}
        if rule_id is not None:
            rule = DispatchRule.objects.select_for_update(of=("self",)).filter(pk=rule_id).order_by("pk").first()
            if rule is None:
                raise NotFound(_("The catalogue has no entry %(id)s.") % {"id": rule_id})
            before = _snapshot(rule_values_of(rule))
        existing = _same_place_rule(values)
        if existing is not None and existing.pk != rule_id:
            raise Conflict(
                _("The catalogue already has an entry for %(category)s in %(area)s: change that one.")
                % {
                    "category": f"{existing.category.code} {existing.category.name}",
                    "area": existing.division.name if existing.division is not None else _("the whole city"),
                },
                field="category_code",
            )
        rule = rule_write(values, rule)
        record_event(
            actor=actor,
            action="cases.catalogue.rule.update" if before else "cases.catalogue.rule.create",
            object_type="cases.dispatch_rule",
            object_id=rule.pk,
            changes={"before": before, "after": _snapshot(values)} if before else _snapshot(values),
        )
    info = dispatch_rule_get(rule.pk)
    assert info is not None
    return info


def dispatch_rule_delete(*, actor: Actor | None, rule_id: int) -> None:
    """Remove an entry from the catalogue."""
    require_editor(actor)
    with transaction.atomic():
        rule = DispatchRule.objects.select_for_update(of=("self",)).filter(pk=rule_id).order_by("pk").first()
        if rule is None:
            raise NotFound(_("The catalogue has no entry %(id)s.") % {"id": rule_id})
        snapshot = _snapshot(rule_values_of(rule))
        rule.delete()
        record_event(
            actor=actor,
            action="cases.catalogue.rule.delete",
            object_type="cases.dispatch_rule",
            object_id=rule_id,
            changes=snapshot,
        )


def _rules() -> QuerySet[DispatchRule]:
    return DispatchRule.objects.select_related("category", "division", "lead_department").prefetch_related(
        "co_departments"
    )


def rule_info(rule: DispatchRule) -> DispatchRuleInfo:
    """A stored rule as other modules see it (the queryset selects its category, division and units)."""
    return DispatchRuleInfo(
        id=rule.pk,
        category_code=rule.category.code,
        category_name=rule.category.name,
        division_code=rule.division.code if rule.division is not None else "",
        division_name=rule.division.name if rule.division is not None else str(_("the whole city")),
        lead_kind=rule.lead_kind,
        lead_kind_label=str(LeadKind(rule.lead_kind).label),
        lead_department_id=rule.lead_department_id,
        lead_name=rule.lead_department.name if rule.lead_department is not None else "",
        co_departments=tuple(
            (department.pk, department.name)
            for department in sorted(rule.co_departments.all(), key=lambda item: item.pk)
        ),
        basis=rule.basis,
        updated_at=rule.updated_at,
    )


def dispatch_rule_get(rule_id: int) -> DispatchRuleInfo | None:
    """One entry of the catalogue."""
    rule = _rules().filter(pk=rule_id).first()
    return rule_info(rule) if rule else None


def dispatch_rules_list(
    *, category_code: str = "", division_code: str = "", department_id: int | None = None
) -> list[DispatchRuleInfo]:
    """The catalogue, optionally only a category and its subcategories, an area and the places inside it ("city":
    the entries for the whole city), and the entries where a unit leads or co-operates."""
    queryset = _rules()
    if category_code.strip():
        queryset = queryset.filter(category__code__startswith=category_code.strip())
    division_code = division_code.strip()
    if division_code == "city":
        queryset = queryset.filter(division=None)
    elif division_code:
        division = org_selectors.division_get(code=division_code)
        if division is None:
            return []
        if division.level == "city":
            queryset = queryset.filter(division=None)
        else:
            prefix = org_selectors.division_subtree_prefix(division)
            queryset = queryset.filter(division__code__startswith=prefix)
    if department_id is not None:
        queryset = queryset.filter(Q(lead_department_id=department_id) | Q(co_departments__id=department_id)).distinct()
    rules = sorted(
        queryset,
        key=lambda rule: (rule.category.code, rule.division.code if rule.division is not None else ""),
    )
    return [rule_info(rule) for rule in rules]


def _locality(kind: str, division_code: str) -> tuple[DepartmentInfo | None, str, str]:
    """The street office or district government of the place, or (None, code, reason)."""
    if kind == LeadKind.STREET:
        place, unit_kind = street_of(division_code), STREET_OFFICE
        if not place:
            return (
                None,
                "no_place",
                _("The street office of the place leads this matter: give the case's street or community."),
            )
    else:
        place, unit_kind = district_of(division_code), DISTRICT_GOVERNMENT
        if not place:
            return (
                None,
                "no_place",
                _(
                    "The district government of the place leads this matter: give the case's district, street or "
                    "community."
                ),
            )
    for department in org_selectors.department_list(kind=unit_kind, division_code=place):
        if department.division_code == place:
            return department, "found", ""
    division = org_selectors.division_get(code=place)
    return (
        None,
        "no_local_unit",
        _("%(place)s has no %(unit)s in the organisation.")
        % {
            "place": division.name if division else place,
            "unit": _("street office") if kind == LeadKind.STREET else _("district government"),
        },
    )


def dispatch_lookup(*, category_code: str, division_code: str = "") -> DispatchLookup:
    """The most specific entry of the catalogue for a category and place, resolved to units, or why there is none."""
    categories = category_ancestry(category_code)
    if not categories:
        return DispatchLookup(None, "unknown_category", _("Give a category code such as 0103."))
    places = division_ancestry(division_code)
    candidates = list(_rules().filter(Q(division=None) | Q(division__code__in=places), category__code__in=categories))
    if not candidates:
        return DispatchLookup(
            None, "no_rule", _("The catalogue has no entry for %(code)s or its headings.") % {"code": category_code}
        )
    rank_category = {code: index for index, code in enumerate(categories)}
    rank_place = {code: index for index, code in enumerate(places)}

    def specificity(rule: DispatchRule) -> tuple[int, int]:
        place_rank = rank_place[rule.division.code] if rule.division is not None else len(places)
        return rank_category[rule.category.code], place_rank

    rule = min(candidates, key=specificity)
    info = rule_info(rule)
    if rule.lead_kind == LeadKind.DEPARTMENT:
        lead_id, lead_name = info.lead_department_id, info.lead_name
    else:
        local, code, reason = _locality(rule.lead_kind, division_code.strip())
        if local is None:
            return DispatchLookup(None, code, reason)
        lead_id, lead_name = local.id, local.name
    assert lead_id is not None
    return DispatchLookup(
        DispatchProposal(
            lead_department_id=lead_id,
            lead_name=lead_name,
            co_departments=tuple(item for item in info.co_departments if item[0] != lead_id),
            rule_id=rule.pk,
            basis=rule.basis,
            locality=rule.lead_kind != LeadKind.DEPARTMENT,
            category_code=info.category_code,
            division_code=info.division_code,
        ),
        "found",
        "",
    )


def dispatch_proposal(*, category_code: str, division_code: str = "") -> DispatchProposal | None:
    """Where the catalogue sends a case of this category at this place (None: no entry, or the place is needed to
    find the street office or district government and is missing — `dispatch_lookup` says why)."""
    return dispatch_lookup(category_code=category_code, division_code=division_code).proposal
