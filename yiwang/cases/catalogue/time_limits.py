"""Time limits (办理时限) in working days: to sign for a case, to conclude it, and when to warn before the end.

The most specific row wins: the case's type and its category (or a heading above it, the nearest first), then the
category alone (likewise), then the type alone, then the default row that names neither. The default row is made
by the migration and cannot be deleted.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from yiwang.cases.catalogue.access import require_editor
from yiwang.cases.catalogue.taxonomy import category_ancestry
from yiwang.cases.models import CaseCategory, CaseType, TimeLimitRule
from yiwang.core.audit.services import Actor, record_event
from yiwang.core.errors import Conflict, NotFound, ValidationFailed

# What applies when even the default row is missing (a database flushed by a test): the national rule of thumb.
FALLBACK_SIGN_DAYS, FALLBACK_HANDLE_DAYS, FALLBACK_WARNING_DAYS = 1, 13, 1
MAX_DAYS = 90


@dataclass(frozen=True)
class TimeLimit:
    """The working days a case has: to sign for it, to conclude it, and the warning before the end."""

    sign_days: int
    handle_days: int
    warning_days: int
    rule_id: int | None  # None: no row at all (the fallback)


@dataclass(frozen=True)
class TimeLimitInfo:
    """A row of the time-limit table."""

    id: int
    case_type: str  # "" for any type
    case_type_label: str
    category_code: str  # "" for any category
    category_name: str
    sign_days: int
    handle_days: int
    warning_days: int

    @property
    def is_default(self) -> bool:
        return not self.case_type and not self.category_code


def _info(rule: TimeLimitRule) -> TimeLimitInfo:
    return TimeLimitInfo(
        id=rule.pk,
        case_type=rule.case_type,
        case_type_label=str(CaseType(rule.case_type).label) if rule.case_type else "",
        category_code=rule.category.code if rule.category is not None else "",
        category_name=rule.category.name if rule.category is not None else "",
        sign_days=rule.sign_days,
        handle_days=rule.handle_days,
        warning_days=rule.warning_days,
    )


def time_limits_list() -> list[TimeLimitInfo]:
    """The whole table: the default row first, then by type and category."""
    rows = [_info(rule) for rule in TimeLimitRule.objects.select_related("category")]
    return sorted(rows, key=lambda row: (not row.is_default, row.case_type, row.category_code))


def time_limit_for(*, case_type: str, category_code: str = "") -> TimeLimit:
    """The time limit of a case of this type and category (the most specific row of the table)."""
    categories = category_ancestry(category_code)
    rows = {
        (rule.case_type, rule.category.code if rule.category is not None else ""): rule
        for rule in TimeLimitRule.objects.select_related("category").filter(
            Q(category=None) | Q(category__code__in=categories), case_type__in={case_type, ""}
        )
    }
    keys = [(case_type, code) for code in categories] if case_type else []
    keys += [("", code) for code in categories]
    keys += [(case_type, ""), ("", "")]
    for key in keys:
        rule = rows.get(key)
        if rule is not None:
            return TimeLimit(rule.sign_days, rule.handle_days, rule.warning_days, rule.pk)
    return TimeLimit(FALLBACK_SIGN_DAYS, FALLBACK_HANDLE_DAYS, FALLBACK_WARNING_DAYS, None)


def _check_days(sign_days: int, handle_days: int, warning_days: int) -> None:
    if not 1 <= handle_days <= MAX_DAYS:
        raise ValidationFailed(_("Conclude within 1 to %(max)d working days.") % {"max": MAX_DAYS}, field="handle_days")
    if not 1 <= sign_days <= handle_days:
        raise ValidationFailed(
            _("Sign within at least 1 working day and no more than the days to conclude."), field="sign_days"
        )
    if not 0 <= warning_days < handle_days:
        raise ValidationFailed(
            _("Warn 0 or more working days before the end, fewer than the days to conclude."), field="warning_days"
        )


def time_limit_save(
    *,
    actor: Actor | None,
    case_type: str = "",
    category_code: str = "",
    sign_days: int,
    handle_days: int,
    warning_days: int = 1,
) -> TimeLimitInfo:
    """Set the time limit of a type and category (either may be empty: any); one row per pair."""
    require_editor(actor)
    case_type = case_type.strip()
    if case_type and case_type not in CaseType.values:
        raise ValidationFailed(_("Choose a type of case, or none for every type."), field="case_type")
    category = None
    if category_code.strip():
        category = CaseCategory.objects.filter(code=category_code.strip()).first()
        if category is None:
            raise ValidationFailed(
                _("No category has code %(code)s.") % {"code": category_code.strip()}, field="category_code"
            )
    _check_days(sign_days, handle_days, warning_days)
    with transaction.atomic():
        rule = (
            TimeLimitRule.objects.select_for_update(of=("self",))
            .filter(case_type=case_type, category=category)
            .order_by("pk")
            .first()
        )
        before = {"sign": rule.sign_days, "handle": rule.handle_days, "warning": rule.warning_days} if rule else {}
        if rule is None:
            rule = TimeLimitRule(case_type=case_type, category=category)
        rule.sign_days, rule.handle_days, rule.warning_days = sign_days, handle_days, warning_days
        rule.save()
        after = {"sign": sign_days, "handle": handle_days, "warning": warning_days}
        record_event(
            actor=actor,
            action="cases.time_limit.update" if before else "cases.time_limit.create",
            object_type="cases.time_limit",
            object_id=rule.pk,
            changes={
                "case_type": case_type,
                "category": category.code if category else "",
                **({"before": before, "after": after} if before else after),
            },
        )
    return _info(TimeLimitRule.objects.select_related("category").get(pk=rule.pk))


def time_limit_delete(*, actor: Actor | None, rule_id: int) -> None:
    """Remove a row of the table (never the default row)."""
    require_editor(actor)
    with transaction.atomic():
        rule = (
            TimeLimitRule.objects.select_for_update(of=("self",))
            .select_related("category")
            .filter(pk=rule_id)
            .order_by("pk")
            .first()
        )
        if rule is None:
            raise NotFound(_("The time-limit table has no row %(id)s.") % {"id": rule_id})
        if not rule.case_type and rule.category_id is None:
            raise Conflict(_("The default row applies when no other row does: change it, but keep it."))
        info = _info(rule)
        rule.delete()
        record_event(
            actor=actor,
            action="cases.time_limit.delete",
            object_type="cases.time_limit",
            object_id=rule_id,
            changes={
                "case_type": info.case_type,
                "category": info.category_code,
                "handle": info.handle_days,
            },
        )
