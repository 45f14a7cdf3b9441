"""What changes licenses and seals: license types, seals (create, suspend, reinstate, revoke), issuance from
approved applications, revocation, and the holder's sharing of a license with an application (免提交).

Every change is audited in its own transaction. Issuance runs after the approval commits (a task, and a sweep
every few minutes for anything a stopped worker missed); one application never gets two licenses: the license's
row is unique per application, and the second of two concurrent issuers gets the first one's license.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.audit.services import record_event
from yiwang.core.crypto import blind_index, sm2_generate_key_pair, sm3_hex
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, lazy_format
from yiwang.identity.roles import Role, UserKind
from yiwang.identity.selectors import can_act_for, enterprise_get, user_get
from yiwang.licenses import exchange_feed, ses
from yiwang.licenses.documents import LICENSE_FORMAT, Verdict, data_digest, license_file_bytes
from yiwang.licenses.identifiers import InvalidLicenseIdentifier, compose_identifier, new_serial, validate_type_code
from yiwang.licenses.keys import MAKER_SUBJECT, maker_key, seal_key, seal_maker
from yiwang.licenses.models import (
    HolderKind,
    License,
    LicenseStatus,
    LicenseType,
    LicenseUse,
    Seal,
    SealStatus,
)
from yiwang.licenses.picture import compact_png, draw_seal, picture_size_mm
from yiwang.licenses.rendering import license_pdf
from yiwang.licenses.selectors import license_verify_stored
from yiwang.org.selectors import department_get
from yiwang.services.applications.materials import material_attach_license
from yiwang.services.applications.selectors import (
    APPROVED,
    application_detail,
    application_has_license,
    application_license_facts,
    application_license_materials,
    applications_awaiting_license,
)
from yiwang.services.applications.services import application_result_license_record

logger = logging.getLogger(__name__)

VENDOR_ID = "YIWANG"
HOLDER_INDEX = "licenses/holder"
SEAL_TYPE_ORGANISATION = 1  # GB/T 38540 印章类型: an organisation's seal
ELEMENT_CODE_LIMIT = 40
SEAL_PICTURE_PIXELS = 320  # 42 mm at about 190 dpi: sharp in print, small inside every signature


# --- permissions ---------------------------------------------------------------------------------------------


def _is_admin(actor: Any) -> bool:
    """A platform administrator, or the platform itself (`actor` None: loaders and tasks, past every role check)."""
    return actor is None or (actor.is_authenticated and actor.has_role(Role.PLATFORM_ADMIN))


def _require_admin(actor: Any, message: Any) -> None:
    if not _is_admin(actor):
        raise PermissionDenied(message)


def may_edit_types(actor: Any, department_id: int) -> bool:
    """A department's item administrators keep its license types; platform administrators keep all."""
    if _is_admin(actor):
        return True
    return bool(
        actor is not None
        and actor.is_authenticated
        and actor.has_role(Role.ITEM_ADMIN)
        and actor.department_id == department_id
    )


# --- seals ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SealInput:
    department_id: int
    purpose: str = ""  # e.g. 行政审批专用章; empty for the department's official seal
    valid_years: int = 5


def _seal_code(division_code: str) -> str:
    """Thirteen digits: the department's six-digit division code and seven random digits."""
    while True:
        code = division_code[:6].ljust(6, "0") + "".join(secrets.choice("0123456789") for _unused in range(7))
        if not Seal.objects.filter(seal_id=code).exists():
            return code


def seal_create(*, actor: Any, data: SealInput) -> Seal:
    """Make a seal for a department (platform administrators only): a new SM2 key pair, its certificate issued by
    the seal maker, the picture and the GB/T 38540 seal."""
    _require_admin(actor, _("Only platform administrators make seals."))
    department = department_get(department_id=data.department_id)
    if department is None:
        raise NotFound(_("No such department."), field="department_id")
    if not department.credit_code:
        raise ValidationFailed(_("The department has no credit code to put in the seal."), field="department_id")
    purpose = data.purpose.strip()
    if len(purpose) > 20:
        raise ValidationFailed(_("At most 20 characters."), field="purpose")
    if not isinstance(data.valid_years, int) or not 1 <= data.valid_years <= 10:
        raise ValidationFailed(_("A seal is valid for 1 to 10 years."), field="valid_years")
    maker = seal_maker()
    key = sm2_generate_key_pair()
    now = timezone.now().replace(microsecond=0)
    until = now + datetime.timedelta(days=365 * data.valid_years)
    code = _seal_code(department.division_code)
    name = department.name + (purpose if purpose else "")
    certificate = ses.make_certificate(
        subject=ses.Subject(common_name=name, organization=department.name, serial_number=department.credit_code),
        public_key=key.public_key,
        issuer=MAKER_SUBJECT,
        issuer_key=maker_key(),
        serial=int(code),
        not_before=now,
        not_after=until,
    )
    picture = compact_png(draw_seal(department.name, purpose=purpose, code=code, size=SEAL_PICTURE_PIXELS))
    width, height = picture_size_mm()
    seal_der = ses.encode_seal(
        ses.SealInfo(
            seal_id=code,
            vendor_id=VENDOR_ID,
            seal_type=SEAL_TYPE_ORGANISATION,
            name=name,
            signer_certificates=(certificate,),
            created=now,
            valid_start=now,
            valid_end=until,
            picture=picture,
            picture_width=width,
            picture_height=height,
        ),
        maker_certificate=bytes(maker.certificate),
        maker_key=maker_key(),
    )
    with transaction.atomic():
        seal = Seal.objects.create(
            seal_id=code,
            department_id=department.id,
            name=name,
            purpose=purpose,
            public_key=key.public_key,
            private_key=key.private_key.hex(),
            certificate=certificate,
            seal_der=seal_der,
            seal_sm3=sm3_hex(seal_der),
            picture=picture,
            valid_from=now,
            valid_until=until,
            created_at=now,
            created_by=actor if actor is not None and actor.pk else None,
        )
        record_event(
            actor=actor,
            action="licenses.seal.create",
            object_type="licenses.Seal",
            object_id=seal.pk,
            changes={"seal_id": code, "name": name, "department_id": department.id, "seal_sm3": seal.seal_sm3},
        )
    return seal


_TRANSITIONS: Mapping[str, tuple[frozenset[str], str]] = {
    "suspend": (frozenset({SealStatus.ACTIVE}), SealStatus.SUSPENDED),
    "reinstate": (frozenset({SealStatus.SUSPENDED}), SealStatus.ACTIVE),
    "revoke": (frozenset({SealStatus.ACTIVE, SealStatus.SUSPENDED}), SealStatus.REVOKED),
}


@transaction.atomic
def seal_change_status(*, actor: Any, seal_pk: int, action: str, reason: str) -> Seal:
    """Suspend, reinstate or revoke a seal, with written reasons (platform administrators only). A revoked seal
    stays revoked: everything it signed is no longer trusted."""
    _require_admin(actor, _("Only platform administrators suspend, reinstate or revoke seals."))
    if action not in _TRANSITIONS:
        raise ValidationFailed(lazy_format(_("%(value)s is not a valid choice."), {"value": action}), field="action")
    seal = Seal.objects.select_for_update().filter(pk=seal_pk).first()
    if seal is None:
        raise NotFound(_("No such seal."), field="seal")
    allowed, target = _TRANSITIONS[action]
    if seal.status not in allowed:
        raise Conflict(
            lazy_format(
                _("A seal that is %(status)s cannot be changed this way."),
                {"status": SealStatus(seal.status).label},
            ),
            field="action",
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason."), field="reason")
    seal.status = target
    seal.status_changed_at = timezone.now()
    seal.status_reason = reason
    seal.save(update_fields=["status", "status_changed_at", "status_reason"])
    record_event(
        actor=actor,
        action=f"licenses.seal.{action}",
        object_type="licenses.Seal",
        object_id=seal.pk,
        changes={"seal_id": seal.seal_id, "status": target, "reason": reason},
    )
    return seal


# --- license types -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ElementInput:
    code: str
    name: str
    required: bool = False


@dataclass(frozen=True)
class LicenseTypeInput:
    code: str
    name: str
    department_id: int
    holder_kind: str
    elements: Sequence[ElementInput] = ()
    validity_years: int | None = None  # None: 长期
    seal_pk: int | None = None
    active: bool = True


def _check_type(data: LicenseTypeInput) -> str:
    try:
        code = validate_type_code(data.code)
    except InvalidLicenseIdentifier as error:
        raise ValidationFailed(error.message, field="code") from None
    name = data.name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed(_("Give the license type a name of at most 100 characters."), field="name")
    if data.holder_kind not in HolderKind.values:
        raise ValidationFailed(
            lazy_format(_("%(value)s is not a valid choice."), {"value": data.holder_kind}), field="holder_kind"
        )
    if data.validity_years is not None and (
        not isinstance(data.validity_years, int) or not 1 <= data.validity_years <= 100
    ):
        raise ValidationFailed(_("A license is valid for 1 to 100 years, or without limit."), field="validity_years")
    seen: set[str] = set()
    for index, element in enumerate(data.elements):
        element_code = element.code.strip()
        if not element_code or len(element_code) > ELEMENT_CODE_LIMIT or not element_code.replace("_", "").isalnum():
            raise ValidationFailed(
                _("An element code has up to 40 letters, digits or '_'."), field=f"elements.{index}.code"
            )
        if element_code in seen:
            raise ValidationFailed(
                lazy_format(_("Element code %(code)s appears twice."), {"code": element_code}),
                field=f"elements.{index}.code",
            )
        seen.add(element_code)
        if not element.name.strip() or len(element.name) > 100:
            raise ValidationFailed(
                _("Give the element a name of at most 100 characters."), field=f"elements.{index}.name"
            )
    return code


@transaction.atomic
def license_type_save(*, actor: Any, data: LicenseTypeInput) -> LicenseType:
    """Create or change (by code) a license type. Its code never changes; licenses already issued keep what they
    say."""
    code = _check_type(data)
    if department_get(department_id=data.department_id) is None:
        raise NotFound(_("No such department."), field="department_id")
    existing = LicenseType.objects.select_for_update().filter(code=code).first()
    for department_id in {data.department_id, *([existing.department_id] if existing else [])}:
        if not may_edit_types(actor, department_id):
            raise PermissionDenied(
                _("Only the issuing department's item administrators and platform administrators keep license types.")
            )
    seal = None
    if data.seal_pk is not None:
        seal = Seal.objects.filter(pk=data.seal_pk, department_id=data.department_id).first()
        if seal is None:
            raise ValidationFailed(_("The seal must be one of the issuing department's seals."), field="seal")
    license_type = existing or LicenseType(code=code)
    license_type.name = data.name.strip()
    license_type.department_id = data.department_id
    license_type.holder_kind = data.holder_kind
    license_type.elements = [
        {"code": item.code.strip(), "name": item.name.strip(), "required": bool(item.required)}
        for item in data.elements
    ]
    license_type.validity_years = data.validity_years
    license_type.seal = seal
    license_type.active = data.active
    license_type.updated_at = timezone.now()
    license_type.save()
    record_event(
        actor=actor,
        action="licenses.type.create" if existing is None else "licenses.type.change",
        object_type="licenses.LicenseType",
        object_id=license_type.pk,
        changes={"code": code, "name": license_type.name, "active": license_type.active},
    )
    return license_type


def license_type_name(code: str) -> str | None:
    """The name of the license type with this code, or None (the services app checks items' results with it,
    through the YIWANG_LICENSE_TYPE_RESOLVER setting)."""
    return LicenseType.objects.filter(code=(code or "").strip().upper()).values_list("name", flat=True).first()


# --- issuance ------------------------------------------------------------------------------------------------


def _current_seal(license_type: LicenseType, at: datetime.datetime) -> Seal:
    if license_type.seal_id is not None:
        seal = Seal.objects.filter(pk=license_type.seal_id).first()
        if seal is None or seal.status != SealStatus.ACTIVE or not seal.valid_from <= at <= seal.valid_until:
            raise ValidationFailed(
                lazy_format(
                    _("The seal named for %(type)s is not in use: choose another or make a new one."),
                    {"type": license_type.name},
                ),
                field="seal",
            )
        return seal
    seal = (
        Seal.objects.filter(
            department_id=license_type.department_id,
            status=SealStatus.ACTIVE,
            valid_from__lte=at,
            valid_until__gte=at,
        )
        .order_by("purpose", "-created_at")  # the official seal (no purpose) first
        .first()
    )
    if seal is None:
        raise ValidationFailed(
            lazy_format(
                _(
                    "%(department)s has no seal in use: a platform administrator must make one before licenses "
                    "are issued."
                ),
                {"department": license_type.department.name},
            ),
            field="seal",
        )
    return seal


@dataclass(frozen=True)
class Holder:
    kind: str
    name: str
    code: str
    user_id: int | None
    enterprise_id: int | None


def _holder(license_type: LicenseType, applicant_id: int, enterprise_id: int | None) -> Holder:
    if license_type.holder_kind == HolderKind.ENTERPRISE:
        if enterprise_id is None:
            raise ValidationFailed(
                lazy_format(
                    _("%(type)s is issued to an enterprise, but a person applied."), {"type": license_type.name}
                ),
                field="holder",
            )
        enterprise = enterprise_get(enterprise_id=enterprise_id)
        if enterprise is None:
            raise NotFound(_("The enterprise no longer exists."), field="holder")
        return Holder(HolderKind.ENTERPRISE, enterprise.name, enterprise.credit_code, None, enterprise_id)
    user = user_get(user_id=applicant_id)
    if user is None or not user.id_number:
        raise ValidationFailed(_("The applicant has no real-name ID number to put in the license."), field="holder")
    return Holder(HolderKind.PERSON, user.real_name or user.get_username(), user.id_number, user.pk, None)


def _elements(license_type: LicenseType, answers: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, str]:
    """The license's own data: each element of the type from the given values, else the application's answers."""
    values: dict[str, str] = {}
    for element in license_type.elements:
        code = element["code"]
        value = extra.get(code, answers.get(code))
        if value is None or value == "" or value == []:
            continue
        values[code] = (
            value if isinstance(value, str) else ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        )
    return values


def _valid_until(license_type: LicenseType, start: datetime.date) -> datetime.date | None:
    if license_type.validity_years is None:
        return None
    try:
        end = start.replace(year=start.year + license_type.validity_years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + license_type.validity_years, day=28)
    return end - datetime.timedelta(days=1)


def license_data(
    *,
    identifier: str,
    license_type: LicenseType,
    holder: Holder,
    issuer_name: str,
    issuer_code: str,
    issued_on: datetime.date,
    valid_until: datetime.date | None,
    elements: Mapping[str, str],
    application_number: str = "",
) -> dict[str, Any]:
    """The license data that is signed (docs/licenses/license-file.md lists the members)."""
    data: dict[str, Any] = {
        "format": LICENSE_FORMAT,
        "identifier": identifier,
        "type": {"code": license_type.code, "name": license_type.name},
        "holder": {"kind": holder.kind, "name": holder.name, "code": holder.code},
        "issuer": {"name": issuer_name, "code": issuer_code},
        "issued_on": issued_on.isoformat(),
        "valid_from": issued_on.isoformat(),
        "valid_until": valid_until.isoformat() if valid_until else None,
        "elements": dict(elements),
        "element_names": {item["code"]: item["name"] for item in license_type.elements if item["code"] in elements},
    }
    if application_number:
        data["application"] = application_number
    return data


def _issue(
    *,
    license_type: LicenseType,
    holder: Holder,
    elements: Mapping[str, str],
    application_id: int | None,
    application_number: str,
    actor: Any,
) -> License:
    """Sign and store one license (inside the caller's transaction)."""
    now = timezone.now()
    issuer = department_get(department_id=license_type.department_id)
    assert issuer is not None  # PROTECT keeps it
    seal = _current_seal(license_type, now)
    identifier = str(compose_identifier(license_type.code, issuer.credit_code, new_serial()))
    today = timezone.localdate(now)
    valid_until = _valid_until(license_type, today)
    data = license_data(
        identifier=identifier,
        license_type=license_type,
        holder=holder,
        issuer_name=issuer.name,
        issuer_code=issuer.credit_code,
        issued_on=today,
        valid_until=valid_until,
        elements=elements,
        application_number=application_number,
    )
    digest = data_digest(data)
    signature = ses.sign(
        seal_der=bytes(seal.seal_der),
        data_hash=digest,
        property_info=identifier,
        signed_at=now,
        signer_certificate=bytes(seal.certificate),
        signer_key=seal_key(seal),
    )
    issued = License.objects.create(
        identifier=identifier,
        license_type=license_type,
        holder_kind=holder.kind,
        holder_user_id=holder.user_id,
        enterprise_id=holder.enterprise_id,
        holder_name=holder.name,
        holder_code=holder.code,
        holder_index=blind_index(holder.code, purpose=HOLDER_INDEX),
        issuer_id=issuer.id,
        seal=seal,
        application_id=application_id,
        document=license_file_bytes(data, signature).decode(),
        data_sm3=digest.hex(),
        issued_at=now,
        valid_from=today,
        valid_until=valid_until,
    )
    record_event(
        actor=actor,
        action="licenses.license.issue",
        object_type="licenses.License",
        object_id=issued.pk,
        changes={
            "identifier": identifier,
            "type": license_type.code,
            "application_id": application_id,
            "seal_id": seal.seal_id,
            "data_sm3": issued.data_sm3,
        },
    )
    exchange_feed.schedule(issued.pk)
    return issued


def license_issue_for_application(*, application_id: int) -> License:
    """Issue the license an approved application's item results in; the application's license if it already has
    one (never two). Raises ValidationFailed when it cannot be issued yet (no seal in use, no such type…)."""
    existing = License.objects.filter(application_id=application_id).first()
    if existing is not None:
        return existing
    facts = application_license_facts(application_id=application_id)
    if facts is None:
        raise NotFound(_("No such application."), field="application_id")
    if facts.status not in APPROVED:
        raise ValidationFailed(_("Only an approved application gets its license."), field="application_id")
    if not facts.license_type_code:
        raise ValidationFailed(_("The item's result is not a license type."), field="application_id")
    license_type = LicenseType.objects.select_related("department").filter(code=facts.license_type_code).first()
    if license_type is None or not license_type.active:
        raise ValidationFailed(
            lazy_format(_("License type %(code)s is not issued."), {"code": facts.license_type_code}),
            field="license_type",
        )
    holder = _holder(license_type, facts.applicant_id, facts.enterprise_id)
    try:
        with transaction.atomic():
            issued = _issue(
                license_type=license_type,
                holder=holder,
                elements=_elements(license_type, facts.form_data, {}),
                application_id=application_id,
                application_number=facts.number,
                actor=None,
            )
            application_result_license_record(application_id=application_id, identifier=issued.identifier)
            return issued
    except (IntegrityError, Conflict):
        # Another issuer got there first: its license is the application's.
        existing = License.objects.filter(application_id=application_id).first()
        if existing is None:
            raise
        return existing


def licenses_issue_pending(*, limit: int = 200) -> list[str]:
    """Issue the licenses of approved applications that have none yet (the worker runs it every few minutes and
    after each approval); one that cannot be issued is logged and tried again next time."""
    issued: list[str] = []
    for application_id in applications_awaiting_license(limit=limit):
        try:
            issued.append(license_issue_for_application(application_id=application_id).identifier)
        except (ValidationFailed, NotFound) as error:
            logger.warning("the license of application %s cannot be issued yet: %s", application_id, error)
    return issued


def license_issue_direct(
    *,
    actor: Any,
    type_code: str,
    holder_user_id: int | None = None,
    enterprise_id: int | None = None,
    elements: Mapping[str, str] | None = None,
) -> License:
    """Issue a license outside an application (the demo's and departments' existing licenses, bulk loads): the
    type's department's staff with the approver role, or platform administrators."""
    license_type = LicenseType.objects.select_related("department").filter(code=(type_code or "").upper()).first()
    if license_type is None or not license_type.active:
        raise NotFound(lazy_format(_("License type %(code)s is not issued."), {"code": type_code}), field="type_code")
    if not _is_admin(actor) and not (
        actor is not None
        and actor.is_authenticated
        and actor.has_role(Role.APPROVER)
        and actor.department_id == license_type.department_id
    ):
        raise PermissionDenied(_("Only the issuing department's approvers issue its licenses."))
    holder = _holder(
        license_type, holder_user_id or 0, enterprise_id if license_type.holder_kind == HolderKind.ENTERPRISE else None
    )
    given = {str(key): str(value) for key, value in (elements or {}).items()}
    unknown = sorted(set(given) - {item["code"] for item in license_type.elements})
    if unknown:
        raise ValidationFailed(
            lazy_format(
                _("%(type)s has no element %(codes)s."), {"type": license_type.name, "codes": ", ".join(unknown)}
            ),
            field="elements",
        )
    missing = [item["name"] for item in license_type.elements if item.get("required") and not given.get(item["code"])]
    if missing:
        raise ValidationFailed(
            lazy_format(_("Required elements are missing: %(names)s."), {"names": ", ".join(missing)}),
            field="elements",
        )
    with transaction.atomic():
        return _issue(
            license_type=license_type,
            holder=holder,
            elements=_elements(license_type, {}, given),
            application_id=None,
            application_number="",
            actor=actor,
        )


# --- revocation ----------------------------------------------------------------------------------------------


def _revoke(license: License, *, actor: Any, reason: str) -> License:
    license.status = LicenseStatus.REVOKED
    license.revoked_at = timezone.now()
    license.revoked_reason = reason
    license.save(update_fields=["status", "revoked_at", "revoked_reason"])
    record_event(
        actor=actor,
        action="licenses.license.revoke",
        object_type="licenses.License",
        object_id=license.pk,
        changes={"identifier": license.identifier, "reason": reason},
    )
    exchange_feed.schedule(license.pk)
    return license


@transaction.atomic
def license_revoke(*, actor: Any, identifier: str, reason: str) -> License:
    """Revoke a license with written reasons: its department's approvers or platform administrators."""
    license = License.objects.select_for_update().filter(identifier=(identifier or "").strip()).first()
    if license is None:
        raise NotFound(_("No license has this identifier."), field="identifier")
    if not _is_admin(actor) and not (
        actor is not None
        and actor.is_authenticated
        and actor.has_role(Role.APPROVER)
        and actor.department_id == license.issuer_id
    ):
        raise PermissionDenied(_("Only the issuing department's approvers revoke its licenses."))
    if license.status == LicenseStatus.REVOKED:
        raise Conflict(_("The license is already revoked."), field="identifier")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason."), field="reason")
    return _revoke(license, actor=actor, reason=reason)


def on_application_revoked(*, application_id: int, reasons: str, **_ignored: Any) -> None:
    """The approval behind a license was revoked (status 15): so is the license, in the same transaction."""
    license = License.objects.select_for_update().filter(application_id=application_id).first()
    if license is not None and license.status != LicenseStatus.REVOKED:
        _revoke(license, actor=None, reason=str(lazy_format(_("Approval revoked: %(reasons)s"), {"reasons": reasons})))


# --- use by the holder (免提交) -------------------------------------------------------------------------------


def holds(actor: Any, license: License) -> bool:
    """Whether the actor holds the license: their own, or an enterprise's they may act for."""
    if actor is None or not actor.is_authenticated or getattr(actor, "kind", None) != UserKind.CITIZEN:
        return False
    if license.holder_kind == HolderKind.PERSON:
        return bool(license.holder_user_id == actor.pk)
    return license.enterprise_id is not None and bool(can_act_for(actor, license.enterprise_id))


def license_share(*, actor: Any, application_id: int, material_id: int, identifier: str) -> License:
    """The holder consents to the use of their license for an application's material: the license is checked
    (theirs, of the type asked, valid), its PDF attached as trust level A, and the use recorded (用证记录)."""
    license = License.objects.select_related("license_type", "issuer").filter(identifier=identifier).first()
    if license is None or not holds(actor, license):
        raise NotFound(_("You hold no license with this identifier."), field="identifier")
    wanted = next(
        (
            item
            for item in application_license_materials(actor=actor, application_id=application_id)
            if item.material_id == material_id
        ),
        None,
    )
    if wanted is None:
        raise ValidationFailed(
            lazy_format(_("The item asks for no e-license as material %(id)s."), {"id": material_id}),
            field="material_id",
        )
    if wanted.license_type_code != license.license_type.code:
        raise ValidationFailed(
            lazy_format(
                _("%(material)s must be a %(type)s; this license is a %(given)s."),
                {
                    "material": wanted.name,
                    "type": license_type_name(wanted.license_type_code) or wanted.license_type_code,
                    "given": license.license_type.name,
                },
            ),
            field="identifier",
        )
    verdict = license_verify_stored(license)
    if verdict.status != "valid":
        reasons = "; ".join(str(finding.message) for finding in verdict.findings)
        raise ValidationFailed(
            lazy_format(_("This license cannot be used: %(reasons)s"), {"reasons": reasons}), field="identifier"
        )
    pdf = license_pdf(license, watermark_for=wanted.name)
    with transaction.atomic():
        upload = material_attach_license(
            actor=actor,
            application_id=application_id,
            material_id=material_id,
            identifier=license.identifier,
            pdf=pdf,
            file_name=f"{license.license_type.name}.pdf",
        )
        facts = application_license_facts(application_id=application_id)
        LicenseUse.objects.create(
            license=license,
            action=LicenseUse.Action.SHARED,
            application_id=application_id,
            case_ref=(facts.number if facts else "") or str(application_id),
            actor=actor,
            actor_name=(actor.real_name or actor.get_username())[:100],
        )
        record_event(
            actor=actor,
            action="licenses.license.share",
            object_type="licenses.License",
            object_id=license.pk,
            changes={"identifier": license.identifier, "application_id": application_id, "upload_id": upload.pk},
        )
    return license


def license_use_record(*, actor: Any, license: License, application_id: int | None, case_ref: str) -> LicenseUse:
    """A clerk opened a license attached to a case: the holder sees who, when and for which case."""
    department = department_get(department_id=actor.department_id) if getattr(actor, "department_id", None) else None
    use = LicenseUse.objects.create(
        license=license,
        action=LicenseUse.Action.VIEWED,
        application_id=application_id,
        case_ref=case_ref,
        actor=actor,
        actor_name=(getattr(actor, "real_name", "") or actor.get_username())[:100],
        department_name=department.name if department else "",
    )
    record_event(
        actor=actor,
        action="licenses.license.view",
        object_type="licenses.License",
        object_id=license.pk,
        changes={"identifier": license.identifier, "application_id": application_id},
        purpose=case_ref,
    )
    return use


# --- the pages: a clerk opens a license shared with a case ------------------------------------------------------
# (added with the pages in views/)


@dataclass(frozen=True)
class CaseLicense:
    license: License
    verdict: Verdict
    application_number: str


def license_open_for_case(*, actor: Any, application_id: int, identifier: str) -> CaseLicense:
    """A clerk who may see the application opens the e-license its applicant shared with it: the use is recorded
    (the holder sees it) and the license verified now. Raises NotFound for an application the actor may not see,
    or a license that is not one of the application's current materials."""
    application = application_detail(actor=actor, application_id=application_id)
    license = License.objects.select_related("license_type", "issuer", "seal").filter(identifier=identifier).first()
    if license is None or not application_has_license(application_id=application.pk, identifier=identifier):
        raise NotFound(_("No e-license with this identifier was shared with the application."), field="identifier")
    case_ref = application.number or str(application.pk)
    license_use_record(actor=actor, license=license, application_id=application.pk, case_ref=case_ref)
    return CaseLicense(license=license, verdict=license_verify_stored(license), application_number=case_ref)
