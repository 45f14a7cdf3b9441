"""Phone challenges of the portal: an anonymous reporter proves a mobile number with a six-digit code sent by SMS
before the case is taken.

Only the HMAC-SM3 digest of a code is stored (keyed by the master key, bound to the phone's blind index and the
challenge), a code lives ten minutes, five wrong entries spend it, and one phone gets at most one code a minute.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.cases.models import PhoneChallenge
from yiwang.cases.services.intake import phone_index
from yiwang.cases.sms import SmsNotSent, send_sms
from yiwang.core.audit.services import record_event
from yiwang.core.crypto import blind_index, constant_time_equal
from yiwang.core.errors import Conflict, ValidationFailed
from yiwang.core.identifiers import InvalidIdentifier, mask_phone, validate_phone

CODE_LIFETIME = datetime.timedelta(minutes=10)
RESEND_AFTER = datetime.timedelta(seconds=60)
MAX_ATTEMPTS = 5
CODE_DIGITS = 6
DIGEST_PURPOSE = "cases.phone_challenge"


@dataclass(frozen=True)
class ChallengeSent:
    """A code is on its way: which challenge to answer, to which phone, until when."""

    challenge_id: int
    phone: str  # normalised
    masked_phone: str
    expires_at: datetime.datetime
    resend_at: datetime.datetime


def _mobile(phone: str) -> str:
    try:
        normalised = validate_phone(phone)
    except InvalidIdentifier as error:
        raise ValidationFailed(str(error), field="phone") from error
    if len(normalised) != 11 or not normalised.startswith("1"):
        raise ValidationFailed(_("Give a mobile number: the code comes by text message."), field="phone")
    return normalised


def _digest(challenge_id: int, index: str, code: str) -> str:
    return blind_index(f"{challenge_id}:{index}:{code}", purpose=DIGEST_PURPOSE)


def phone_challenge_send(*, phone: str) -> ChallengeSent:
    """Send a new six-digit code to a mobile phone (at most one a minute per phone)."""
    mobile = _mobile(phone)
    index = phone_index(mobile)
    now = timezone.now()
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        # Serialise the senders of one phone: the newest challenge of the phone, locked (PostgreSQL).
        latest = (
            PhoneChallenge.objects.select_for_update().filter(phone_index=index).order_by("-created_at", "-pk").first()
        )
        if latest is not None and now - latest.created_at < RESEND_AFTER:
            wait = int((latest.created_at + RESEND_AFTER - now).total_seconds()) + 1
            raise Conflict(
                _("A code was sent to this phone a moment ago: wait %(seconds)d seconds before asking again.")
                % {"seconds": wait},
                field="phone",
            )
        # Earlier codes of the phone stop working: only the newest one counts.
        PhoneChallenge.objects.filter(phone_index=index, used=False).update(used=True)
        challenge = PhoneChallenge.objects.create(phone_index=index, code_digest="", created_at=now)
        challenge.code_digest = _digest(challenge.pk, index, code)
        challenge.save(update_fields=["code_digest"])
        record_event(
            actor=None,
            action="cases.phone_challenge.sent",
            object_type="cases.phonechallenge",
            object_id=challenge.pk,
            changes={"phone": mask_phone(mobile)},
        )
    try:
        send_sms(
            mobile,
            _("Your 12345 verification code is %(code)s. It is valid for 10 minutes; do not tell anyone.")
            % {"code": code},
        )
    except SmsNotSent as error:
        PhoneChallenge.objects.filter(pk=challenge.pk).update(used=True)
        raise ValidationFailed(
            _("The code could not be sent. Try again later, or call 12345."), field="phone", code="sms_not_sent"
        ) from error
    return ChallengeSent(
        challenge_id=challenge.pk,
        phone=mobile,
        masked_phone=mask_phone(mobile),
        expires_at=now + CODE_LIFETIME,
        resend_at=now + RESEND_AFTER,
    )


def phone_challenge_verify(*, challenge_id: int, phone: str, code: str) -> str:
    """Check the code of a challenge; return the proven mobile number. A wrong code counts as an attempt."""
    mobile = _mobile(phone)
    index = phone_index(mobile)
    entered = "".join(code.split())
    now = timezone.now()
    failure: ValidationFailed | None = None
    with transaction.atomic():
        challenge = PhoneChallenge.objects.select_for_update().filter(pk=challenge_id, phone_index=index).first()
        if challenge is None or challenge.used:
            failure = ValidationFailed(_("This code is no longer valid: ask for a new one."), field="code")
        elif now - challenge.created_at > CODE_LIFETIME:
            failure = ValidationFailed(_("The code has expired: ask for a new one."), field="code", code="expired")
        elif challenge.attempts >= MAX_ATTEMPTS:
            failure = ValidationFailed(
                _("Too many wrong codes: ask for a new one."), field="code", code="too_many_attempts"
            )
        else:
            challenge.attempts += 1
            right = len(entered) == CODE_DIGITS and constant_time_equal(
                _digest(challenge.pk, index, entered), challenge.code_digest
            )
            if right:
                challenge.used = True
            challenge.save(update_fields=["attempts", "used"])
            record_event(
                actor=None,
                action="cases.phone_challenge.verified" if right else "cases.phone_challenge.failed",
                object_type="cases.phonechallenge",
                object_id=challenge.pk,
                changes={"phone": mask_phone(mobile), "attempt": challenge.attempts},
            )
            if not right:
                left = MAX_ATTEMPTS - challenge.attempts
                failure = (
                    ValidationFailed(_("The code is not right: %(left)d attempts left.") % {"left": left}, field="code")
                    if left
                    else ValidationFailed(
                        _("Too many wrong codes: ask for a new one."), field="code", code="too_many_attempts"
                    )
                )
    # Raised after the commit: the attempt counts even though the code was wrong.
    if failure is not None:
        raise failure
    return mobile
