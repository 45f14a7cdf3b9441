"""Writes of the Open311 server: a partner's service request becomes a case; partners' API keys are issued and revoked.

Messages here are in English on purpose: Open311 clients are international, and the spec's errors carry a
`description` meant for the client's user (`code` and the HTTP status say the rest).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction

from yiwang.cases.models import CaseEvent, EventKind, Open311Client
from yiwang.cases.open311 import attributes as attrs
from yiwang.cases.open311.selectors import EVENT_DATA_KEY, open311_client_for_key, open311_service_get
from yiwang.cases.services import CaseIntake, case_intake
from yiwang.core.audit.services import record_event
from yiwang.core.crypto import sm3_hex
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.identity.roles import Role
from yiwang.org.selectors import department_get

MAX_DESCRIPTION = 4000  # the spec's limit
MAX_ADDRESS = 200
MAX_NAME = 50
MAX_IDENTIFIER = 100  # account_id, device_id
MAX_MEDIA_URL = 500
MAX_CODE = 16  # division and grid cell codes
SERVICE_NOTICE = "您的诉求已由12345热线受理，将按规定时限交承办单位办理并答复。"
_HTML = re.compile(r"<\s*/?\s*[A-Za-z!?][^<>]*>")
_CJK = re.compile(r"[\u3400-\u9fff]")

# The field a lifecycle error names → the Open311 parameter the partner sent.
PARAMETER_OF_FIELD = {
    "content": "description",
    "contact_phone": "phone",
    "contact_name": "first_name",
    "category_code": "service_code",
    "case_type": f"attribute[{attrs.CASE_TYPE}]",
    "division_code": f"attribute[{attrs.DIVISION_CODE}]",
    "grid_cell_code": f"attribute[{attrs.GRID_CELL}]",
    "latitude": "lat",
    "longitude": "long",
    "address": "address_string",
}


@dataclass(frozen=True)
class Open311Submission:
    """A POST requests body as sent (strings), attributes by code with every value given."""

    service_code: str = ""
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    description: str = ""
    media_url: str = ""


@dataclass(frozen=True)
class Open311Receipt:
    """What POST requests answers: the case number (the case exists at once), the notice, the partner's account."""

    service_request_id: str
    service_notice: str
    account_id: str | None


def open311_request_submit(*, api_key: str, submission: Open311Submission) -> Open311Receipt:
    """Take in a partner's service request as a case of the channel Open311 (PermissionDenied without a valid key)."""
    client = open311_client_for_key(api_key=api_key.strip())
    if client is None:
        raise PermissionDenied("Invalid or missing api_key: a valid key is required to post service requests.")
    code = submission.service_code.strip()
    if not code:
        raise ValidationFailed("service_code is required.", field="service_code")
    service = open311_service_get(code=code)
    if service is None:
        raise NotFound(f"service_code {code} was not found.", field="service_code")
    values = _attribute_values(submission.attributes)
    latitude, longitude = _coordinates(submission.lat, submission.long)
    address = _limited(submission.address_string, "address_string", MAX_ADDRESS)
    address_id = _limited(submission.address_id, "address_id", MAX_CODE)
    if latitude is None and not address and not address_id:
        raise ValidationFailed(
            "A location is required: lat and long, or address_string, or address_id.", field="address_string"
        )
    description = _description(submission.description)
    first_name = _limited(submission.first_name, "first_name", MAX_NAME)
    last_name = _limited(submission.last_name, "last_name", MAX_NAME)
    account_id = _limited(submission.account_id, "account_id", MAX_IDENTIFIER)
    device_id = _limited(submission.device_id, "device_id", MAX_IDENTIFIER)
    media_url = _media_url(submission.media_url)
    _check_email(submission.email)
    token = secrets.token_urlsafe(24)
    intake = CaseIntake(
        case_type=values.get(attrs.CASE_TYPE, attrs.DEFAULT_CASE_TYPE),
        channel="open311",
        content=description or service.name,
        category_code=service.code,
        division_code=values.get(attrs.DIVISION_CODE, "") or address_id,
        grid_cell_code=values.get(attrs.GRID_CELL, ""),
        address=address,
        latitude=latitude,
        longitude=longitude,
        contact_name=_full_name(first_name, last_name),
        contact_phone=submission.phone.strip()[:40],
        hide_reporter=values.get(attrs.HIDE_REPORTER) == attrs.TRUE,
        open311_token=token,
        service_notice=SERVICE_NOTICE,
    )
    with transaction.atomic():
        try:
            case = case_intake(actor=None, intake=intake)
        except ValidationFailed as error:
            parameter = PARAMETER_OF_FIELD.get(error.field or "", error.field or "")
            message = f"{parameter}: {error.message}" if parameter else str(error.message)
            raise ValidationFailed(message, field=parameter or None, code=error.code) from error
        sent = {
            "client_id": client.id,
            "client": client.name,
            "account_id": account_id,
            "device_id": device_id,
            "media_url": media_url,
        }
        event = CaseEvent.objects.filter(case=case, kind=EventKind.RECEIVED).order_by("at", "pk").first()
        if event is not None:
            event.data = {**(event.data or {}), EVENT_DATA_KEY: sent}
            event.save(update_fields=["data"])
        record_event(
            actor=None,
            action="cases.open311.request_received",
            object_type="cases.case",
            object_id=case.number,
            changes={"client_id": client.id, "client": client.name, "service_code": service.code},
        )
    return Open311Receipt(
        service_request_id=case.number, service_notice=case.service_notice, account_id=account_id or None
    )


def _attribute_values(given: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """The attributes' values, checked against the definition (every attribute of ours takes one value)."""
    definitions = {attribute.code: attribute for attribute in attrs.ATTRIBUTES}
    values: dict[str, str] = {}
    for code, items in given.items():
        definition = definitions.get(code)
        if definition is None:
            known = ", ".join(sorted(definitions))
            raise ValidationFailed(f"attribute[{code}] is not an attribute of this service (known: {known}).")
        present = [item.strip() for item in items if item.strip()]
        if len(present) > 1:
            raise ValidationFailed(f"attribute[{code}] takes one value.", field=f"attribute[{code}]")
        if not present:
            continue  # the spec: an empty optional argument is as if it were not sent
        value = present[0]
        if definition.values and value not in {choice.key for choice in definition.values}:
            keys = ", ".join(choice.key for choice in definition.values)
            raise ValidationFailed(f"attribute[{code}] must be one of: {keys}.", field=f"attribute[{code}]")
        if len(value) > MAX_CODE:
            raise ValidationFailed(
                f"attribute[{code}] is too long: at most {MAX_CODE} characters.", field=f"attribute[{code}]"
            )
        values[code] = value
    return values


def _coordinates(lat: str, long: str) -> tuple[Decimal | None, Decimal | None]:
    lat, long = lat.strip(), long.strip()
    if not lat and not long:
        return None, None
    if not lat or not long:
        raise ValidationFailed("lat and long must be sent together.", field="lat" if not lat else "long")
    parsed = []
    for name, text, bound in (("lat", lat, 90), ("long", long, 180)):
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or len(text) > 40:
            raise ValidationFailed(f"{name} must be a decimal number (WGS84 degrees).", field=name)
        if not -bound <= value <= bound:
            raise ValidationFailed(f"{name} must lie between -{bound} and {bound}.", field=name)
        parsed.append(value.quantize(Decimal("0.000001")))
    return parsed[0], parsed[1]


def _limited(value: str, name: str, maximum: int) -> str:
    text = value.strip()
    if len(text) > maximum:
        raise ValidationFailed(f"{name} is too long: at most {maximum} characters.", field=name)
    return text


def _description(value: str) -> str:
    text = value.replace("\r\n", "\n").strip()
    if len(text) > MAX_DESCRIPTION:
        raise ValidationFailed(
            f"description is too long: at most {MAX_DESCRIPTION} characters, {len(text)} sent.", field="description"
        )
    if _HTML.search(text):
        raise ValidationFailed("description may not contain HTML or code: send plain text.", field="description")
    return text


def _media_url(value: str) -> str:
    url = value.strip()
    if not url:
        return ""
    if len(url) > MAX_MEDIA_URL:
        raise ValidationFailed(f"media_url is too long: at most {MAX_MEDIA_URL} characters.", field="media_url")
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise ValidationFailed("media_url must be an http or https URL.", field="media_url") from error
    return url


def _check_email(value: str) -> None:
    """The spec's `email` is checked but not kept: the hotline answers by phone (see docs/api/open311.md)."""
    email = value.strip()
    if not email:
        return
    try:
        EmailValidator()(email)
    except ValidationError as error:
        raise ValidationFailed("email is not a valid e-mail address.", field="email") from error


def _full_name(first_name: str, last_name: str) -> str:
    """Chinese names are written family name first and without a space; others as given name, family name."""
    if _CJK.search(first_name + last_name):
        return last_name + first_name
    return f"{first_name} {last_name}".strip()


# --- client keys ---------------------------------------------------------------------------------------------


def _require_admin(actor: Any) -> None:
    """Platform administrators manage partner keys; `actor` None is the platform itself (commands, loaders)."""
    if actor is not None and not (actor.is_authenticated and actor.has_role(Role.PLATFORM_ADMIN)):
        raise PermissionDenied("Only platform administrators manage Open311 API keys.")


def open311_client_create(*, actor: Any, name: str, department_id: int | None = None) -> tuple[Open311Client, str]:
    """Register a partner system and issue its API key, returned in clear this once (only its SM3 digest is kept)."""
    _require_admin(actor)
    name = name.strip()
    if not name:
        raise ValidationFailed("The client's name is required.", field="name")
    if len(name) > 100:
        raise ValidationFailed("The client's name is too long: at most 100 characters.", field="name")
    if department_id is not None and department_get(department_id=department_id) is None:
        raise ValidationFailed("There is no such department.", field="department_id")
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        if Open311Client.objects.filter(name=name, active=True).exists():
            raise Conflict(f"An active Open311 client is already named {name}.", field="name")
        client = Open311Client.objects.create(
            name=name, key_digest=sm3_hex(key.encode("utf-8")), department_id=department_id
        )
        record_event(
            actor=actor,
            action="cases.open311_client.create",
            object_type="cases.open311client",
            object_id=client.pk,
            changes={"name": name, "department_id": department_id},
        )
    return client, key


def open311_client_revoke(*, actor: Any, client_id: int) -> Open311Client:
    """Revoke a partner's API key: its posts are refused from now on (403); its cases stay as they are."""
    _require_admin(actor)
    with transaction.atomic():
        client = Open311Client.objects.select_for_update().filter(pk=client_id).first()
        if client is None:
            raise NotFound("There is no such Open311 client.", field="client_id")
        if not client.active:
            raise Conflict(f"The Open311 client {client.name} is already revoked.", field="client_id")
        client.active = False
        client.save(update_fields=["active"])
        record_event(
            actor=actor,
            action="cases.open311_client.revoke",
            object_type="cases.open311client",
            object_id=client.pk,
            changes={"name": client.name},
        )
    return client
