"""Changing the organisation: divisions and departments, each change audited."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yiwang.core import identifiers
from yiwang.core.audit.services import Actor, field_changes, record_event, record_model_event
from yiwang.core.errors import Conflict, NotFound, ValidationFailed
from yiwang.core.identifiers import InvalidIdentifier, validate_credit_code
from yiwang.org.models import LEVEL_DIGITS, LEVEL_ORDER, Department, DepartmentKind, Division, DivisionLevel
from yiwang.org.selectors import (
    DepartmentInfo,
    DivisionInfo,
    department_info_from_model,
    division_info_from_model,
)


def _check_division_code(code: str, level: DivisionLevel, parent: Division | None) -> None:
    significant, length = LEVEL_DIGITS[level]
    if len(code) != length or not code.isdigit():
        raise ValidationFailed(
            _("A %(level)s code has %(length)d digits; %(code)s does not.")
            % {"level": level.label, "length": length, "code": code},
            field="code",
        )
    if code[significant:].strip("0"):
        raise ValidationFailed(
            _("Only the first %(digits)d digits of a %(level)s code may be non-zero: %(code)s.")
            % {"digits": significant, "level": level.label, "code": code},
            field="code",
        )
    if level == DivisionLevel.PROVINCE:
        if parent is not None:
            raise ValidationFailed(_("A province has no parent division."), field="parent")
        if code[:2] not in identifiers.PROVINCE_CODES:
            raise ValidationFailed(_("%(code)s is not a province code.") % {"code": code}, field="code")
        return
    if parent is None:
        raise ValidationFailed(_("Only a province may be created without a parent division."), field="parent")
    parent_level = DivisionLevel(parent.level)
    if LEVEL_ORDER.index(parent_level) + 1 != LEVEL_ORDER.index(level):
        raise ValidationFailed(
            _("A %(level)s must sit directly under a %(expected)s, not a %(found)s.")
            % {
                "level": level.label,
                "expected": LEVEL_ORDER[LEVEL_ORDER.index(level) - 1].label,
                "found": parent_level.label,
            },
            field="parent",
        )
    parent_significant, _length = LEVEL_DIGITS[parent_level]
    if code[:parent_significant] != parent.code[:parent_significant] or code == parent.code:
        raise ValidationFailed(
            _("Code %(code)s does not lie under its parent %(parent)s.") % {"code": code, "parent": parent.code},
            field="code",
        )


def division_create(
    *, actor: Actor | None, code: str, name: str, level: str, parent_code: str | None = None
) -> DivisionInfo:
    """Add a division under `parent_code`, checking that its code fits its level and parent."""
    try:
        division_level = DivisionLevel(level)
    except ValueError:
        raise ValidationFailed(_("Unknown division level %(level)s.") % {"level": level}, field="level") from None
    code = code.strip()
    if not name.strip():
        raise ValidationFailed(_("A division needs a name."), field="name")
    with transaction.atomic():
        parent = None
        if parent_code:
            parent = Division.objects.filter(code=parent_code).first()
            if parent is None:
                raise NotFound(_("No division has code %(code)s.") % {"code": parent_code}, field="parent")
        _check_division_code(code, division_level, parent)
        if Division.objects.filter(code=code).exists():
            raise Conflict(_("Division %(code)s already exists.") % {"code": code}, field="code")
        division = Division.objects.create(code=code, name=name.strip(), level=division_level, parent=parent)
        record_model_event(
            actor=actor, action="org.division.create", instance=division, changes={"code": code, "name": name}
        )
    identifiers.forget_local_areas()
    return division_info_from_model(division)


@dataclass(frozen=True)
class DivisionRow:
    """One division for a bulk load, parents before children."""

    code: str
    name: str
    level: str
    parent_code: str | None


def division_bulk_create(*, actor: Actor | None, rows: list[DivisionRow]) -> int:
    """Create many divisions in one transaction (parents first); one audit event for the load."""
    with transaction.atomic():
        by_code = {item.code: item for item in Division.objects.all()}
        for row in rows:
            level = DivisionLevel(row.level)
            parent = by_code.get(row.parent_code) if row.parent_code else None
            if row.parent_code and parent is None:
                raise NotFound(_("No division has code %(code)s.") % {"code": row.parent_code}, field="parent")
            _check_division_code(row.code, level, parent)
            if row.code in by_code:
                raise Conflict(_("Division %(code)s already exists.") % {"code": row.code}, field="code")
            by_code[row.code] = Division.objects.create(code=row.code, name=row.name, level=level, parent=parent)
        record_event(
            actor=actor,
            action="org.division.bulk_create",
            object_type="org.division",
            object_id=",".join(row.code for row in rows[:3]) + ("…" if len(rows) > 3 else ""),
            changes={"count": len(rows)},
        )
    identifiers.forget_local_areas()
    return len(rows)


def _validated_department_fields(
    *, name: str, credit_code: str, kind: str, strict_credit_code: bool
) -> tuple[str, str, DepartmentKind]:
    if not name.strip():
        raise ValidationFailed(_("A department needs a name."), field="name")
    try:
        code = validate_credit_code(credit_code, strict=strict_credit_code)
    except InvalidIdentifier as error:
        raise ValidationFailed(error.message, field="credit_code", code=f"credit_code.{error.part}") from None
    try:
        department_kind = DepartmentKind(kind)
    except ValueError:
        raise ValidationFailed(_("Unknown department kind %(kind)s.") % {"kind": kind}, field="kind") from None
    return name.strip(), code, department_kind


def _snapshot(department: Department) -> dict[str, object]:
    return {
        "name": department.name,
        "short_name": department.short_name,
        "credit_code": department.credit_code,
        "kind": department.kind,
        "division": department.division.code,
        "parent": department.parent_id,
        "is_active": department.is_active,
    }


def department_create(
    *,
    actor: Actor | None,
    name: str,
    credit_code: str,
    kind: str,
    division_code: str,
    short_name: str = "",
    parent_id: int | None = None,
    strict_credit_code: bool = True,
) -> DepartmentInfo:
    """Add a department in a division, optionally under a parent department."""
    name, code, department_kind = _validated_department_fields(
        name=name, credit_code=credit_code, kind=kind, strict_credit_code=strict_credit_code
    )
    with transaction.atomic():
        division = Division.objects.filter(code=division_code).first()
        if division is None:
            raise NotFound(_("No division has code %(code)s.") % {"code": division_code}, field="division")
        parent = None
        if parent_id is not None:
            parent = Department.objects.filter(pk=parent_id).first()
            if parent is None:
                raise NotFound(_("No department has id %(id)s.") % {"id": parent_id}, field="parent")
        if Department.objects.filter(credit_code=code).exists():
            raise Conflict(_("A department with credit code %(code)s exists.") % {"code": code}, field="credit_code")
        try:
            with transaction.atomic():
                department = Department.objects.create(
                    name=name,
                    short_name=short_name.strip(),
                    credit_code=code,
                    kind=department_kind,
                    division=division,
                    parent=parent,
                )
        except IntegrityError:
            raise Conflict(
                _("%(division)s already has a department named %(name)s.") % {"division": division.name, "name": name},
                field="name",
            ) from None
        record_model_event(
            actor=actor, action="org.department.create", instance=department, changes=_snapshot(department)
        )
    return department_info_from_model(department)


def department_update(
    *,
    actor: Actor | None,
    department_id: int,
    name: str | None = None,
    short_name: str | None = None,
    parent_id: int | None = None,
    is_active: bool | None = None,
) -> DepartmentInfo:
    """Rename, re-parent or (de)activate a department; refuses to make a department its own ancestor."""
    with transaction.atomic():
        department = Department.objects.select_for_update().select_related("division").filter(pk=department_id).first()
        if department is None:
            raise NotFound(_("No department has id %(id)s.") % {"id": department_id}, field="department")
        before = _snapshot(department)
        if name is not None:
            if not name.strip():
                raise ValidationFailed(_("A department needs a name."), field="name")
            department.name = name.strip()
        if short_name is not None:
            department.short_name = short_name.strip()
        if parent_id is not None:
            from yiwang.org.selectors import department_subtree_ids

            if parent_id in department_subtree_ids(department_id=department.pk):
                raise ValidationFailed(_("A department cannot sit under itself or its own unit."), field="parent")
            department.parent = Department.objects.filter(pk=parent_id).first()
            if department.parent is None:
                raise NotFound(_("No department has id %(id)s.") % {"id": parent_id}, field="parent")
        if is_active is not None:
            department.is_active = is_active
        department.save()
        record_model_event(
            actor=actor,
            action="org.department.update",
            instance=department,
            changes=field_changes(before, _snapshot(department)),
        )
    return department_info_from_model(department)
