"""What the portal shows a reporter who is not signed in: the private link to follow a case, and the look-up by
number and phone that leads to it. A signed-in citizen sees their cases through `selectors.case_detail`.

The link carries an HMAC-SM3 token of the case number (keyed by the master key, `tracking`): whoever has it sees what
the reporter sees — status, public steps, the reply — never the contact or the staff's names, and may give the
reporter's follow-up once the case is answered. Failed look-ups are
counted per case number and per client so that phone numbers cannot be tried one after the other.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils.translation import gettext as _

from yiwang.cases.models import Case, CaseStatus
from yiwang.cases.selectors import CaseSummary, follow_ups_of, summary_of
from yiwang.cases.services.intake import phone_index
from yiwang.cases.tracking import TOKEN_PURPOSE, tracking_token, tracking_token_valid
from yiwang.core.crypto import blind_index
from yiwang.core.errors import ValidationFailed
from yiwang.core.identifiers import InvalidIdentifier, validate_phone

LOOKUP_FAILURES_ALLOWED = 5  # per case number and per client, per hour
LOOKUP_WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class PublicEvent:
    kind: str
    kind_label: str
    at: datetime.datetime
    text: str


@dataclass(frozen=True)
class TrackedCase:
    """A case as its reporter sees it without an account."""

    number: str
    summary: CaseSummary
    content: str
    division_name: str
    address: str
    reply: str
    concluded_at: datetime.datetime | None
    merged_into: str
    events: list[PublicEvent] = field(default_factory=list)
    follow_ups: list[dict[str, object]] = field(default_factory=list)
    actions: frozenset[str] = frozenset()


def tracked_case(*, number: str, token: str) -> TrackedCase | None:
    """The case behind a private link, or None when the token does not belong to the number."""
    if not tracking_token_valid(number, token):
        return None
    case = Case.objects.select_related("category", "lead_department", "division", "merged_into").filter(number=number)
    found = case.first()
    if found is None:
        return None
    main = found.merged_into
    return TrackedCase(
        number=found.number,
        summary=summary_of(found),
        content=found.content,
        division_name=found.division.name if found.division is not None else "",
        address=found.address,
        reply=found.reply or (main.reply if main is not None else ""),
        concluded_at=found.concluded_at or (main.concluded_at if main is not None else None),
        merged_into=main.number if main is not None else "",
        events=[
            PublicEvent(kind=event.kind, kind_label=event.get_kind_display(), at=event.at, text=event.text)
            for event in found.events.filter(public=True).order_by("at", "id")
        ],
        follow_ups=follow_ups_of(found),
        actions=frozenset({"follow_up"}) if found.status == CaseStatus.CONCLUDED else frozenset(),
    )


def _failures_key(kind: str, value: str) -> str:
    return f"cases:lookup-failures:{kind}:{blind_index(value, purpose=TOKEN_PURPOSE + '.throttle')[:24]}"


def _failures(keys: list[str]) -> int:
    return max((int(cache.get(key) or 0) for key in keys), default=0)


def _count_failure(keys: list[str]) -> None:
    for key in keys:
        if cache.add(key, 1, LOOKUP_WINDOW_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, LOOKUP_WINDOW_SECONDS)


def case_lookup(*, number: str, phone: str, client: str = "") -> str:
    """The private link's token of the case with this number whose contact phone is `phone`.

    The same answer for a wrong number and a wrong phone; too many failures and the look-up is refused for an hour."""
    number = number.strip()
    keys = [_failures_key("number", number)] + ([_failures_key("client", client)] if client else [])
    if _failures(keys) >= LOOKUP_FAILURES_ALLOWED:
        raise ValidationFailed(
            _("Too many look-ups that did not match: try again in an hour, or call 12345."), field="number"
        )
    try:
        normalised = validate_phone(phone)
    except InvalidIdentifier as error:
        raise ValidationFailed(str(error), field="phone") from error
    found = (
        Case.objects.filter(number=number, contact_phone_index=phone_index(normalised))
        .values_list("number", flat=True)
        .first()
        if number.isdigit()
        else None
    )
    if found is None:
        _count_failure(keys)
        raise ValidationFailed(
            _("No case has this number and phone. Check both: the phone is the one given when reporting."),
            field="number",
        )
    return tracking_token(found)
