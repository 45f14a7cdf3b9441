"""Staff administration (platform administrators) and the TOTP second factor."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from yiwang.core.audit.services import record_model_event
from yiwang.core.errors import NotFound, PermissionDenied, ValidationFailed
from yiwang.identity.models import RoleAssignment, User
from yiwang.identity.roles import AssuranceLevel, Role, UserKind
from yiwang.identity.services.accounts import (
    _check_password,
    _masked_identity,
    _uniqueness_conflicts,
    phone_index,
    validated_mobile,
    validated_real_name,
)
from yiwang.org.selectors import department_get


def _require_platform_admin(actor: User | None) -> None:
    if actor is not None and not actor.has_role(Role.PLATFORM_ADMIN):
        raise PermissionDenied(_("Only platform administrators manage staff accounts."))


@dataclass(frozen=True)
class StaffDetails:
    """A staff account as an administrator enters it."""

    username: str
    real_name: str
    department_id: int
    roles: Sequence[str]
    password: str
    phone: str = ""
    email: str = ""
    position: str = ""


def _staff_account(details: StaffDetails) -> tuple[User, list[str]]:
    """A validated, unsaved staff account and its roles (the password is set by the caller)."""
    real_name = validated_real_name(details.real_name)
    if department_get(department_id=details.department_id) is None:
        raise NotFound(_("No department has id %(id)s.") % {"id": details.department_id}, field="department")
    roles = _validated_roles(details.roles)
    phone = validated_mobile(details.phone) if details.phone.strip() else ""
    username = details.username.strip()
    if not re.fullmatch(r"[\w.@+-]{3,150}", username) or username.isdigit():
        raise ValidationFailed(
            _("A username has 3 to 150 letters, digits or @ . + - _, not only digits."), field="username"
        )
    user = User(
        username=username,
        kind=UserKind.STAFF,
        real_name=real_name,
        phone=phone,
        phone_index=phone_index(phone) if phone else None,
        email=details.email.strip(),
        department_id=details.department_id,
        position=details.position.strip(),
        assurance_level=AssuranceLevel.REGISTRY_MATCHED,
    )
    return user, roles


def _save_staff(*, actor: User | None, user: User, roles: list[str]) -> None:
    with transaction.atomic():
        _uniqueness_conflicts(id_number=None, phone=user.phone or None, username=user.username, exclude=None)
        user.save()
        RoleAssignment.objects.bulk_create([RoleAssignment(user=user, role=role, granted_by=actor) for role in roles])
        record_model_event(
            actor=actor,
            action="identity.staff.create",
            instance=user,
            changes=_masked_identity(user) | {"roles": roles},
        )


def staff_create(*, actor: User | None, details: StaffDetails) -> User:
    """Create a staff account in a department with its roles (platform administrators only)."""
    _require_platform_admin(actor)
    user, roles = _staff_account(details)
    _check_password(details.password, user)
    user.set_password(details.password)
    _save_staff(actor=actor, user=user, roles=roles)
    return user


def staff_bulk_create(*, actor: User | None, rows: Sequence[StaffDetails], password_hash: str) -> int:
    """Create many staff accounts sharing one password hash (a migration or the demo city), in one transaction.

    Each row is validated like `staff_create` except its password, which the caller hashed once.
    """
    _require_platform_admin(actor)
    with transaction.atomic():
        for details in rows:
            user, roles = _staff_account(details)
            user.password = password_hash
            _save_staff(actor=actor, user=user, roles=roles)
    return len(rows)


def _validated_roles(roles: Iterable[str]) -> list[str]:
    result = []
    for role in roles:
        try:
            result.append(Role(role).value)
        except ValueError:
            raise ValidationFailed(_("Unknown role %(role)s.") % {"role": role}, field="roles") from None
    return sorted(set(result))


def staff_set_roles(*, actor: User | None, user_id: int, roles: Sequence[str]) -> list[str]:
    """Replace a staff member's roles (platform administrators only)."""
    _require_platform_admin(actor)
    wanted = _validated_roles(roles)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, kind=UserKind.STAFF).first()
        if user is None:
            raise NotFound(_("No staff account has id %(id)s.") % {"id": user_id})
        if actor is not None and user.pk == actor.pk and Role.PLATFORM_ADMIN not in wanted:
            raise ValidationFailed(_("You cannot remove your own administrator role."), field="roles")
        current = sorted(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
        RoleAssignment.objects.filter(user=user).exclude(role__in=wanted).delete()
        for role in set(wanted) - set(current):
            RoleAssignment.objects.create(user=user, role=role, granted_by=actor)
        record_model_event(
            actor=actor, action="identity.staff.roles", instance=user, changes={"roles": [current, wanted]}
        )
    return wanted


def staff_grant_role(*, actor: User | None, user_id: int, role: str) -> None:
    """Add one role to a staff member."""
    _require_platform_admin(actor)
    role = _validated_roles([role])[0]
    with transaction.atomic():
        user = User.objects.filter(pk=user_id, kind=UserKind.STAFF).first()
        if user is None:
            raise NotFound(_("No staff account has id %(id)s.") % {"id": user_id})
        _assignment, created = RoleAssignment.objects.get_or_create(
            user=user, role=role, defaults={"granted_by": actor}
        )
        if created:
            record_model_event(actor=actor, action="identity.staff.grant", instance=user, changes={"role": role})


def staff_move(*, actor: User | None, user_id: int, department_id: int) -> None:
    """Move a staff member to another department."""
    _require_platform_admin(actor)
    if department_get(department_id=department_id) is None:
        raise NotFound(_("No department has id %(id)s.") % {"id": department_id}, field="department")
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, kind=UserKind.STAFF).first()
        if user is None:
            raise NotFound(_("No staff account has id %(id)s.") % {"id": user_id})
        before = user.department_id
        user.department_id = department_id
        user.save(update_fields=["department"])
        record_model_event(
            actor=actor,
            action="identity.staff.move",
            instance=user,
            changes={"department": [before, department_id]},
        )


def user_set_active(*, actor: User | None, user_id: int, active: bool) -> None:
    """Deactivate (or reactivate) an account; a deactivated account cannot log in."""
    _require_platform_admin(actor)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound(_("No account has id %(id)s.") % {"id": user_id})
        if actor is not None and user.pk == actor.pk and not active:
            raise ValidationFailed(_("You cannot deactivate your own account."))
        if user.is_active != active:
            user.is_active = active
            user.save(update_fields=["is_active"])
            record_model_event(
                actor=actor,
                action="identity.user.activate" if active else "identity.user.deactivate",
                instance=user,
            )


def staff_reset_second_factor(*, actor: User | None, user_id: int) -> int:
    """Remove a staff member's authenticator devices; they enrol again at next login."""
    _require_platform_admin(actor)
    with transaction.atomic():
        user = User.objects.filter(pk=user_id, kind=UserKind.STAFF).first()
        if user is None:
            raise NotFound(_("No staff account has id %(id)s.") % {"id": user_id})
        deleted, _detail = TOTPDevice.objects.filter(user=user).delete()
        record_model_event(actor=actor, action="identity.staff.totp_reset", instance=user, changes={"devices": deleted})
    return int(deleted)


def staff_set_password(*, actor: User | None, user_id: int, password: str) -> None:
    """An administrator sets a new password for an account (e.g. after a lock-out)."""
    _require_platform_admin(actor)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound(_("No account has id %(id)s.") % {"id": user_id})
        _check_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
        record_model_event(actor=actor, action="identity.user.password_reset", instance=user)


# --- second factor (TOTP) -----------------------------------------------------------------------------


def totp_begin_enrolment(*, user: User) -> TOTPDevice:
    """A fresh, unconfirmed authenticator for the user (replacing any earlier unconfirmed one)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


def totp_confirm_enrolment(*, user: User, token: str) -> TOTPDevice:
    """Confirm the pending authenticator with a code from the app; raises ValidationFailed on a wrong code."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-id").first()
        if device is None:
            raise ValidationFailed(_("Start the authenticator set-up again."), field="token")
        if not device.verify_token(_digits(token)):
            raise ValidationFailed(
                _("That code is not right. Check the time on your phone and try again."), field="token"
            )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record_model_event(actor=user, action="identity.totp.enrol", instance=user)
    return device


def totp_verify(*, user: User, token: str) -> TOTPDevice:
    """Check a code against the user's confirmed authenticators; raises ValidationFailed when none accepts it."""
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    if devices and not any(device.verify_is_allowed()[0] for device in devices):
        # django-otp doubles the wait after each wrong code, which stops guessing the six digits.
        raise ValidationFailed(_("Too many wrong codes. Wait a few seconds, then try the current code."), field="token")
    for device in devices:
        if device.verify_token(_digits(token)):
            return device
    raise ValidationFailed(_("That code is not right, or it was already used. Wait for the next code."), field="token")


def _digits(token: str) -> str:
    return re.sub(r"\s", "", token or "")
