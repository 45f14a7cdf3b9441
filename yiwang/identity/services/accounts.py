"""Citizens' accounts: registration, real-name check, contact details, preferences, sign-in events, bulk loads."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.core.audit.services import Actor, field_changes, record_event, record_model_event
from yiwang.core.crypto import blind_index
from yiwang.core.errors import Conflict, NotFound, ValidationFailed
from yiwang.core.identifiers import (
    InvalidIdentifier,
    mask_id_number,
    mask_name,
    mask_phone,
    validate_id_number,
    validate_phone,
)
from yiwang.identity.models import User
from yiwang.identity.realname import MatchOutcome, configured_matcher
from yiwang.identity.roles import AssuranceLevel, UserKind

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
    # With a population registry connected, a new account is checked at once (可信等级 3 when it matches).
    if configured_matcher() is not None:
        citizen_verify_real_name(actor=user, user_id=user.pk)
        user.refresh_from_db()
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
