"""Writes on accounts: registration, staff administration, enterprises and agents, second factor.

Every change writes its audit event in the same transaction; personal values in audit events are masked.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from yiwang.core.audit.services import Actor, field_changes, record_event, record_model_event
from yiwang.core.crypto import blind_index
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.core.identifiers import (
    InvalidIdentifier,
    mask_id_number,
    mask_name,
    mask_phone,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)
from yiwang.identity.models import AgentAuthorisation, Enterprise, RoleAssignment, User
from yiwang.identity.realname import MatchOutcome, configured_matcher
from yiwang.identity.roles import AssuranceLevel, Role, UserKind
from yiwang.org.selectors import department_get

ID_NUMBER_INDEX = "identity.id_number"
PHONE_INDEX = "identity.phone"
_NAME = re.compile(r"^[\u3400-\u9fff\u00b7·•A-Za-z][\u3400-\u9fff\u00b7·•A-Za-z .\-]{0,48}[\u3400-\u9fffA-Za-z]$")


def id_number_index(id_number: str) -> str:
    """Blind index of a normalised ID number, for lookups on the encrypted column."""
    return blind_index(id_number, purpose=ID_NUMBER_INDEX)


def phone_index(phone: str) -> str:
    """Blind index of a normalised phone number."""
    return blind_index(phone, purpose=PHONE_INDEX)


def validated_real_name(value: str, *, field: str = "real_name") -> str:
    """A person's name as written on their ID card: Chinese characters (with · for minority names) or letters."""
    name = re.sub(r"\s+", " ", value.strip()).replace("•", "·").replace("．", "·")
    if not _NAME.match(name):
        raise ValidationFailed(
            _("Enter the name exactly as on the ID card: 2 to 50 Chinese characters or letters (· allowed)."),
            field=field,
        )
    return name


def validated_id_number(value: str, *, field: str = "id_number", strict: bool = True) -> str:
    """An ID number, or ValidationFailed with the validator's message and the form field."""
    try:
        return validate_id_number(value, strict=strict)
    except InvalidIdentifier as error:
        raise ValidationFailed(error.message, field=field, code=f"id_number.{error.part}") from None


def validated_mobile(value: str, *, field: str = "phone") -> str:
    """A mainland mobile number (accounts need one that can receive messages)."""
    try:
        phone = validate_phone(value)
    except InvalidIdentifier as error:
        raise ValidationFailed(error.message, field=field, code=f"phone.{error.part}") from None
    if "-" in phone:
        raise ValidationFailed(_("Enter a mobile number; landlines cannot receive messages."), field=field)
    return phone


def _check_password(password: str, user: User, *, field: str = "password") -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationFailed(" ".join(str(message) for message in error.messages), field=field) from None


def _masked_identity(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "kind": user.kind,
        "real_name": mask_name(user.real_name) if user.real_name else "",
        "id_number": mask_id_number(user.id_number) if user.id_number else "",
        "phone": mask_phone(user.phone) if user.phone else "",
        "department": user.department_id,
        "assurance_level": user.assurance_level,
        "is_active": user.is_active,
    }


def _unique_username(base: str) -> str:
    candidate = base
    suffix = 1
    while User.objects.filter(username=candidate).exists():
        suffix += 1
        candidate = f"{base}_{suffix}"
    return candidate


def _uniqueness_conflicts(
    *, id_number: str | None, phone: str | None, username: str | None, exclude: int | None
) -> None:
    others = User.objects.exclude(pk=exclude) if exclude else User.objects.all()
    if id_number and others.filter(id_number_index=id_number_index(id_number)).exists():
        raise Conflict(
            _("An account with this ID number already exists. Log in or reset its password."),
            field="id_number",
        )
    if phone and others.filter(phone_index=phone_index(phone)).exists():
        raise Conflict(_("This mobile number belongs to another account."), field="phone")
    if username and others.filter(username=username).exists():
        raise Conflict(_("This username is taken."), field="username")


@dataclass(frozen=True)
class Registration:
    """What a citizen types to register."""

    real_name: str
    id_number: str
    phone: str
    password: str
    username: str = ""
    email: str = ""


def citizen_register(*, registration: Registration) -> User:
    """Create a citizen account at assurance level 2 (self-declared real name with a valid ID number)."""
    real_name = validated_real_name(registration.real_name)
    id_number = validated_id_number(registration.id_number)
    phone = validated_mobile(registration.phone)
    username = registration.username.strip()
    if username:
        if not re.fullmatch(r"[\w.@+-]{3,150}", username):
            raise ValidationFailed(_("A username has 3 to 150 letters, digits or @ . + - _."), field="username")
        if re.fullmatch(r"\d+", username):
            raise ValidationFailed(
                _("A username cannot be only digits (that is how phone numbers log in)."), field="username"
            )
    user = User(
        username=username or phone,
        kind=UserKind.CITIZEN,
        real_name=real_name,
        id_number=id_number,
        id_number_index=id_number_index(id_number),
        phone=phone,
        phone_index=phone_index(phone),
        email=registration.email.strip(),
        assurance_level=AssuranceLevel.SELF_DECLARED,
    )
    _check_password(registration.password, user)
    user.set_password(registration.password)
    with transaction.atomic():
        _uniqueness_conflicts(id_number=id_number, phone=phone, username=user.username, exclude=None)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            raise Conflict(
                _("An account with these details was just created. Log in instead."), field="id_number"
            ) from None
        record_model_event(
            actor=user, action="identity.citizen.register", instance=user, changes=_masked_identity(user)
        )
    return user


def citizen_verify_real_name(*, actor: Actor, user_id: int) -> MatchOutcome | None:
    """Ask the population registry whether name and ID number belong together; on a match, level 3.

    Returns None when no registry is connected (the data hub provides the matcher).
    """
    matcher = configured_matcher()
    if matcher is None:
        return None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, kind=UserKind.CITIZEN).first()
        if user is None:
            raise NotFound(_("No such citizen account."))
        match = matcher(user.real_name, user.id_number)
        before = user.assurance_level
        if match.outcome == MatchOutcome.MATCHED and user.assurance_level < AssuranceLevel.REGISTRY_MATCHED:
            user.assurance_level = AssuranceLevel.REGISTRY_MATCHED
            user.real_name_verified_at = timezone.now()
            user.save(update_fields=["assurance_level", "real_name_verified_at"])
        record_model_event(
            actor=actor,
            action="identity.citizen.real_name_check",
            instance=user,
            changes={
                "outcome": str(match.outcome),
                "source": match.source,
                "level": [before, user.assurance_level],
            },
            purpose="real-name verification",
        )
    return match.outcome


def user_update_contact(*, actor: User, phone: str | None = None, email: str | None = None) -> User:
    """A user changes their own mobile number or e-mail address."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        before = _masked_identity(user) | {"email": user.email}
        if phone is not None and phone.strip():
            normalised = validated_mobile(phone)
            _uniqueness_conflicts(id_number=None, phone=normalised, username=None, exclude=user.pk)
            user.phone = normalised
            user.phone_index = phone_index(normalised)
        if email is not None:
            user.email = email.strip()
        user.save()
        record_model_event(
            actor=actor,
            action="identity.user.contact",
            instance=user,
            changes=field_changes(before, _masked_identity(user) | {"email": user.email}),
        )
    return user


def user_set_preferences(*, actor: User, language: str | None = None, large_text: bool | None = None) -> None:
    """Remember a signed-in user's language and text size across devices."""
    changes: dict[str, Any] = {}
    if language is not None:
        changes["language"] = language
    if large_text is not None:
        changes["large_text"] = large_text
    if not changes:
        return
    with transaction.atomic():
        User.objects.filter(pk=actor.pk).update(**changes)
        record_event_for_user(actor=actor, action="identity.user.preferences", user_id=actor.pk, changes=changes)


def record_event_for_user(
    *,
    actor: Actor | None,
    action: str,
    user_id: int,
    changes: dict[str, Any] | None = None,
    purpose: str = "",
) -> None:
    """Audit an action on an account (for reads of personal data, give the purpose)."""
    record_event(
        actor=actor,
        action=action,
        object_type="identity.user",
        object_id=user_id,
        changes=changes,
        purpose=purpose,
    )


def user_change_password(*, actor: User, old_password: str, new_password: str) -> None:
    """Change one's own password after proving the old one."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        if not user.check_password(old_password):
            raise ValidationFailed(_("The current password is wrong."), field="old_password")
        _check_password(new_password, user, field="new_password")
        user.set_password(new_password)
        user.save(update_fields=["password"])
        record_model_event(actor=actor, action="identity.user.password", instance=user)


# --- staff administration -------------------------------------------------------------------------


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


def staff_create(*, actor: User | None, details: StaffDetails) -> User:
    """Create a staff account in a department with its roles (platform administrators only)."""
    _require_platform_admin(actor)
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
    _check_password(details.password, user)
    user.set_password(details.password)
    with transaction.atomic():
        _uniqueness_conflicts(id_number=None, phone=phone or None, username=username, exclude=None)
        user.save()
        for role in roles:
            RoleAssignment.objects.create(user=user, role=role, granted_by=actor)
        record_model_event(
            actor=actor,
            action="identity.staff.create",
            instance=user,
            changes=_masked_identity(user) | {"roles": roles},
        )
    return user


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


# --- enterprises and agents ------------------------------------------------------------------------------


def enterprise_register(*, actor: User, credit_code: str, name: str, legal_representative_name: str) -> Enterprise:
    """A citizen registers the enterprise they legally represent (their real name must be the representative's)."""
    if not actor.is_citizen or actor.assurance_level < AssuranceLevel.SELF_DECLARED:
        raise PermissionDenied(_("Only a citizen with a real-name account can register an enterprise."))
    try:
        code = validate_credit_code(credit_code)
    except InvalidIdentifier as error:
        raise ValidationFailed(error.message, field="credit_code", code=f"credit_code.{error.part}") from None
    if not name.strip():
        raise ValidationFailed(_("Enter the enterprise's registered name."), field="name")
    representative = validated_real_name(legal_representative_name, field="legal_representative_name")
    if representative != actor.real_name:
        raise PermissionDenied(
            _("Only the legal representative can register the enterprise; ask them to authorise you as an agent."),
            field="legal_representative_name",
        )
    with transaction.atomic():
        if Enterprise.objects.filter(credit_code=code).exists():
            raise Conflict(_("This enterprise is already registered."), field="credit_code")
        enterprise = Enterprise.objects.create(
            credit_code=code,
            name=name.strip(),
            legal_representative_name=representative,
            legal_representative=actor,
        )
        record_model_event(
            actor=actor,
            action="identity.enterprise.register",
            instance=enterprise,
            changes={
                "credit_code": code,
                "name": enterprise.name,
                "legal_representative": mask_name(representative),
            },
        )
    return enterprise


def enterprise_authorise_agent(
    *,
    actor: User,
    enterprise_id: int,
    agent_id_number: str,
    agent_name: str,
    valid_until: datetime.date | None,
) -> AgentAuthorisation:
    """The legal representative authorises a citizen (by ID number and name) to act for the enterprise."""
    id_number = validated_id_number(agent_id_number, field="agent_id_number")
    name = validated_real_name(agent_name, field="agent_name")
    if valid_until is not None and valid_until < timezone.localdate():
        raise ValidationFailed(_("The end date is in the past."), field="valid_until")
    with transaction.atomic():
        enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
        if enterprise is None or enterprise.legal_representative_id != actor.pk:
            raise PermissionDenied(_("Only the enterprise's legal representative can authorise agents."))
        agent = User.objects.filter(id_number_index=id_number_index(id_number), kind=UserKind.CITIZEN).first()
        if agent is None or agent.real_name != name:
            raise NotFound(
                _("No citizen account has this name and ID number. The agent must register first."),
                field="agent_id_number",
            )
        if agent.pk == actor.pk:
            raise ValidationFailed(
                _("The legal representative acts for the enterprise already."), field="agent_id_number"
            )
        if AgentAuthorisation.objects.filter(enterprise=enterprise, agent=agent, revoked_at=None).exists():
            raise Conflict(_("This person is already an agent of the enterprise."), field="agent_id_number")
        authorisation = AgentAuthorisation.objects.create(
            enterprise=enterprise, agent=agent, granted_by=actor, valid_until=valid_until
        )
        record_model_event(
            actor=actor,
            action="identity.enterprise.authorise",
            instance=enterprise,
            changes={"agent": agent.pk, "valid_until": valid_until.isoformat() if valid_until else None},
        )
    return authorisation


def enterprise_revoke_agent(*, actor: User, authorisation_id: int) -> None:
    """The legal representative ends an agent's authorisation."""
    with transaction.atomic():
        authorisation = (
            AgentAuthorisation.objects.select_for_update()
            .select_related("enterprise")
            .filter(pk=authorisation_id)
            .first()
        )
        if authorisation is None or authorisation.enterprise.legal_representative_id != actor.pk:
            raise PermissionDenied(_("Only the enterprise's legal representative can revoke agents."))
        if authorisation.revoked_at is not None:
            return
        authorisation.revoked_at = timezone.now()
        authorisation.revoked_by = actor
        authorisation.save(update_fields=["revoked_at", "revoked_by"])
        record_model_event(
            actor=actor,
            action="identity.enterprise.revoke",
            instance=authorisation.enterprise,
            changes={"agent": authorisation.agent_id},
        )


# --- sign-in events ---------------------------------------------------------------------------------------


def login_succeeded(*, user: User, second_factor: bool) -> None:
    """Audit a successful sign-in."""
    record_model_event(actor=user, action="identity.login", instance=user, changes={"second_factor": second_factor})


def logout_recorded(*, user: User) -> None:
    """Audit a sign-out."""
    record_model_event(actor=user, action="identity.logout", instance=user)


def login_locked_out(sender: object = None, request: Any = None, username: str = "", **kwargs: Any) -> None:
    """After too many failed attempts: audit the lock-out and tell the account holder by e-mail, after commit."""
    from yiwang.identity.tasks import notify_account_locked

    user = User.objects.filter(username=username).first()
    if user is None:
        return
    with transaction.atomic():
        record_model_event(actor=None, action="identity.login.locked_out", instance=user)
        if user.email:
            transaction.on_commit(lambda: notify_account_locked.enqueue(user_id=user.pk))


# --- bulk loading (demo city, migrations from older systems) ---------------------------------------------


@dataclass(frozen=True)
class CitizenRow:
    """One citizen for a bulk load (values already validated by the caller's generator or importer)."""

    username: str
    real_name: str
    id_number: str
    phone: str


def citizens_bulk_create(
    *, actor: Actor | None, rows: Iterable[CitizenRow], password_hash: str, batch_size: int = 2000
) -> int:
    """Insert many citizen accounts at once, all with the same password hash; one audit event per batch."""
    total = 0
    batch: list[User] = []

    def flush() -> None:
        nonlocal total
        if not batch:
            return
        with transaction.atomic():
            User.objects.bulk_create(batch, batch_size=batch_size)
            record_event(
                actor=actor,
                action="identity.citizen.bulk_create",
                object_type="identity.user",
                object_id=f"{batch[0].username}…{batch[-1].username}"[:64],
                changes={"count": len(batch)},
            )
        total += len(batch)
        batch.clear()

    for row in rows:
        batch.append(
            User(
                username=row.username,
                kind=UserKind.CITIZEN,
                real_name=row.real_name,
                id_number=row.id_number,
                id_number_index=id_number_index(row.id_number),
                phone=row.phone,
                phone_index=phone_index(row.phone),
                assurance_level=AssuranceLevel.SELF_DECLARED,
                password=password_hash,
            )
        )
        if len(batch) >= batch_size:
            flush()
    flush()
    return total


# --- OpenID Connect clients ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientRegistration:
    """A departmental system asking to sign its users in through Yiwang."""

    name: str
    department_id: int
    redirect_uris: Sequence[str]
    post_logout_redirect_uris: Sequence[str] = ()
    confidential: bool = True
    trusted_for_staff: bool = False


@dataclass(frozen=True)
class RegisteredClient:
    """The credentials of a new client; the secret is shown once and stored only hashed."""

    client_pk: int
    client_id: str
    client_secret: str | None


def _validated_uris(uris: Sequence[str], *, field: str, production: bool) -> list[str]:
    from urllib.parse import urlsplit

    result = []
    for uri in uris:
        uri = uri.strip()
        if not uri:
            continue
        parts = urlsplit(uri)
        allowed = {"https"} if production else {"https", "http"}
        if parts.scheme not in allowed or not parts.netloc or parts.fragment:
            raise ValidationFailed(
                _("%(uri)s is not an absolute %(schemes)s URI without a fragment.")
                % {"uri": uri, "schemes": "/".join(sorted(allowed))},
                field=field,
            )
        result.append(uri)
    return result


def oidc_client_register(*, actor: User, registration: ClientRegistration) -> RegisteredClient:
    """Register a relying party (platform administrators only): authorization code flow with PKCE, RS256."""
    from oauth2_provider.generators import generate_client_secret
    from oauth2_provider.models import Application
    from oauth2_provider.settings import oauth2_settings

    from yiwang.identity.models import OidcClient

    _require_platform_admin(actor)
    if not registration.name.strip():
        raise ValidationFailed(_("Give the system a name."), field="name")
    if department_get(department_id=registration.department_id) is None:
        raise NotFound(_("No department has id %(id)s.") % {"id": registration.department_id}, field="department")
    production = "http" not in oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES
    redirects = _validated_uris(registration.redirect_uris, field="redirect_uris", production=production)
    if not redirects:
        raise ValidationFailed(_("Give at least one redirect URI."), field="redirect_uris")
    logouts = _validated_uris(
        registration.post_logout_redirect_uris, field="post_logout_redirect_uris", production=production
    )
    secret = generate_client_secret() if registration.confidential else None
    with transaction.atomic():
        application = Application(
            name=registration.name.strip(),
            user=None,
            client_type=Application.CLIENT_CONFIDENTIAL if registration.confidential else Application.CLIENT_PUBLIC,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(redirects),
            post_logout_redirect_uris=" ".join(logouts),
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=False,
            hash_client_secret=True,
        )
        if secret is not None:
            application.client_secret = secret
        application.save()
        OidcClient.objects.create(
            application=application,
            department_id=registration.department_id,
            trusted_for_staff=registration.trusted_for_staff,
            registered_by=actor,
        )
        record_event(
            actor=actor,
            action="identity.oidc_client.register",
            object_type="oauth2_provider.application",
            object_id=application.pk,
            changes={
                "name": application.name,
                "client_id": application.client_id,
                "department": registration.department_id,
                "redirect_uris": redirects,
                "confidential": registration.confidential,
                "trusted_for_staff": registration.trusted_for_staff,
            },
        )
    return RegisteredClient(client_pk=application.pk, client_id=application.client_id, client_secret=secret)


def oidc_client_rotate_secret(*, actor: User, client_pk: int) -> str:
    """Issue a new secret for a confidential client; the old one stops working at once."""
    from oauth2_provider.generators import generate_client_secret
    from oauth2_provider.models import Application

    _require_platform_admin(actor)
    with transaction.atomic():
        application = Application.objects.select_for_update().filter(pk=client_pk).first()
        if application is None:
            raise NotFound(_("No such client."))
        if application.client_type != Application.CLIENT_CONFIDENTIAL:
            raise ValidationFailed(_("A public client has no secret."))
        secret = generate_client_secret()
        application.client_secret = secret
        application.save()
        record_event(
            actor=actor,
            action="identity.oidc_client.rotate_secret",
            object_type="oauth2_provider.application",
            object_id=application.pk,
        )
    return str(secret)


def oidc_client_delete(*, actor: User, client_pk: int) -> None:
    """Remove a client and every token it holds."""
    from oauth2_provider.models import Application

    _require_platform_admin(actor)
    with transaction.atomic():
        application = Application.objects.filter(pk=client_pk).first()
        if application is None:
            raise NotFound(_("No such client."))
        record_event(
            actor=actor,
            action="identity.oidc_client.delete",
            object_type="oauth2_provider.application",
            object_id=application.pk,
            changes={"name": application.name, "client_id": application.client_id},
        )
        application.delete()


def oidc_consent_recorded(*, user: User, client_id: str, scopes: Sequence[str], allowed: bool) -> None:
    """Audit a citizen's (or staff member's) decision on a client's request for their data."""
    record_event(
        actor=user,
        action="identity.oidc.consent" if allowed else "identity.oidc.refuse",
        object_type="oauth2_provider.application",
        object_id=client_id,
        changes={"scopes": sorted(scopes)},
    )


def oidc_userinfo_read(*, user: User, client_id: str, scopes: Sequence[str]) -> None:
    """Audit a client reading a person's data through the userinfo endpoint."""
    record_event(
        actor=user,
        action="identity.oidc.userinfo",
        object_type="identity.user",
        object_id=user.pk,
        changes={"client_id": client_id, "scopes": sorted(scopes)},
        purpose=f"single sign-on of {client_id}",
    )
