"""What reads licenses and seals: the holder's wallet, online verification, the published seal directory."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.crypto import sm2_sign
from yiwang.core.errors import NotFound, lazy_format
from yiwang.identity.roles import Role, UserKind
from yiwang.identity.selectors import enterprises_for
from yiwang.licenses.documents import (
    LicenseFile,
    PublishedSeal,
    RevokedLicense,
    SealDirectory,
    Status,
    Verdict,
    canonical_bytes,
    read_license_file,
    seal_directory_bytes,
    verify_license_file,
)
from yiwang.licenses.identifiers import InvalidLicenseIdentifier, validate_identifier
from yiwang.licenses.keys import maker_key, seal_maker
from yiwang.licenses.models import HolderKind, License, LicenseStatus, LicenseType, LicenseUse, Seal
from yiwang.services.applications.materials import EDITABLE as MATERIALS_EDITABLE
from yiwang.services.applications.selectors import LicenseMaterial, application_detail, application_license_materials


def _published(seal: Seal) -> PublishedSeal:
    return PublishedSeal(
        seal_id=seal.seal_id,
        name=seal.name,
        department=seal.department.name,
        department_code=seal.department.credit_code,
        status=seal.status,
        status_changed_at=seal.status_changed_at,
        valid_from=seal.valid_from,
        valid_until=seal.valid_until,
        certificate=bytes(seal.certificate),
        seal_sm3=seal.seal_sm3,
    )


def seal_directory(*, with_revoked_licenses: bool = True) -> SealDirectory:
    """Every seal the platform made, with its status, and (for the published file) the revoked licenses."""
    maker = seal_maker()
    seals = {seal.seal_id: _published(seal) for seal in Seal.objects.select_related("department").order_by("seal_id")}
    revoked: dict[str, RevokedLicense] = {}
    if with_revoked_licenses:
        for identifier, revoked_at, reason in License.objects.filter(status=LicenseStatus.REVOKED).values_list(
            "identifier", "revoked_at", "revoked_reason"
        ):
            revoked[identifier] = RevokedLicense(
                identifier=identifier, revoked_at=revoked_at or timezone.now(), reason=reason
            )
    return SealDirectory(
        maker_certificate=bytes(maker.certificate),
        seals=seals,
        revoked=revoked,
        published_at=timezone.now().replace(microsecond=0),
    )


def seal_directory_file() -> bytes:
    """The published seal directory (`seals.json`), signed by the seal maker: what offline verifiers use."""
    directory = seal_directory()
    return seal_directory_bytes(directory, sm2_sign(maker_key(), canonical_bytes(directory.body())))


def _with_state(verdict: Verdict, license: License | None) -> Verdict:
    if license is None:
        verdict.add(Status.FORGED, "license_unknown", _("The platform has issued no license with this identifier."))
    elif license.status == LicenseStatus.REVOKED:
        verdict.add(
            Status.REVOKED,
            "license_revoked",
            lazy_format(
                _("The license was revoked on %(date)s: %(reason)s"),
                {
                    "date": timezone.localdate(license.revoked_at).isoformat() if license.revoked_at else "?",
                    "reason": license.revoked_reason or "—",
                },
            ),
        )
    return verdict


def license_verify_stored(license: License, *, today: datetime.date | None = None) -> Verdict:
    """Verify a stored license: its file against the current seals, and its status here."""
    directory = seal_directory(with_revoked_licenses=False)
    verdict = verify_license_file(license.document, directory, today=today or timezone.localdate())
    return _with_state(verdict, license)


def license_verify_identifier(identifier: str, *, today: datetime.date | None = None) -> Verdict:
    """What the public page and the API answer for an identifier."""
    try:
        validate_identifier(identifier)
    except InvalidLicenseIdentifier as error:
        verdict = Verdict(identifier=identifier)
        verdict.add(Status.FORGED, f"identifier_{error.part}", error.message)
        return verdict
    license = License.objects.filter(identifier=identifier.strip()).first()
    if license is None:
        return _with_state(Verdict(identifier=identifier), None)
    return license_verify_stored(license, today=today)


def license_verify_file(raw: bytes | str | LicenseFile, *, today: datetime.date | None = None) -> Verdict:
    """Verify an uploaded license file online: the signature against the current seals, and the license's status
    here (raises LicenseFileError when it is not a license file)."""
    document = raw if isinstance(raw, LicenseFile) else read_license_file(raw)
    verdict = verify_license_file(
        document, seal_directory(with_revoked_licenses=False), today=today or timezone.localdate()
    )
    return _with_state(verdict, License.objects.filter(identifier=verdict.identifier).first())


# --- public view of a license --------------------------------------------------------------------------------


def _mask_name(name: str) -> str:
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _mask_code(code: str) -> str:
    return code[:4] + "*" * max(len(code) - 8, 0) + code[-4:] if len(code) > 8 else code


@dataclass(frozen=True)
class PublicLicense:
    """What anyone who scans the QR code may see: enough to match the paper in front of them, no more."""

    identifier: str
    type_name: str
    holder_name: str  # masked for a person
    holder_code: str  # masked
    issuer: str
    issued_on: str
    valid_until: str | None


def public_view(verdict: Verdict) -> PublicLicense | None:
    data = verdict.data
    if not data or verdict.status == Status.FORGED:
        return None
    holder = data.get("holder") or {}
    person = holder.get("kind") == HolderKind.PERSON
    return PublicLicense(
        identifier=verdict.identifier,
        type_name=str((data.get("type") or {}).get("name", "")),
        holder_name=_mask_name(str(holder.get("name", ""))) if person else str(holder.get("name", "")),
        holder_code=_mask_code(str(holder.get("code", ""))),
        issuer=str((data.get("issuer") or {}).get("name", "")),
        issued_on=str(data.get("issued_on", "")),
        valid_until=data.get("valid_until"),
    )


# --- the wallet -----------------------------------------------------------------------------------------------


def _held(actor: Any) -> QuerySet[License]:
    if actor is None or not actor.is_authenticated or getattr(actor, "kind", None) != UserKind.CITIZEN:
        return License.objects.none()
    enterprise_ids = [link.enterprise_id for link in enterprises_for(actor)]
    personal = License.objects.filter(holder_kind=HolderKind.PERSON, holder_user=actor)
    if not enterprise_ids:
        return personal
    return personal | License.objects.filter(holder_kind=HolderKind.ENTERPRISE, enterprise_id__in=enterprise_ids)


def licenses_held(*, actor: Any) -> list[License]:
    """证照夹: the actor's own licenses and those of the enterprises they act for, newest first."""
    return list(_held(actor).select_related("license_type", "issuer").order_by("-issued_at", "-id"))


def license_held(*, actor: Any, identifier: str) -> License:
    license = _held(actor).select_related("license_type", "issuer", "seal").filter(identifier=identifier).first()
    if license is None:
        raise NotFound(_("You hold no license with this identifier."), field="identifier")
    return license


def licenses_held_of_type(*, actor: Any, type_code: str) -> list[License]:
    """The actor's valid licenses of one type (to offer for a material that asks for it)."""
    today = timezone.localdate()
    return [
        license
        for license in _held(actor)
        .filter(license_type__code=type_code, status=LicenseStatus.VALID)
        .select_related("license_type", "issuer")
        if license.valid_until is None or license.valid_until >= today
    ]


def license_uses(*, license: License) -> list[LicenseUse]:
    """用证记录 of a license, newest first (shown to its holder)."""
    return list(license.uses.order_by("-at", "-id"))


# --- the console ----------------------------------------------------------------------------------------------


def license_types(*, department_id: int | None = None) -> list[LicenseType]:
    queryset = LicenseType.objects.select_related("department", "seal").order_by("code")
    if department_id is not None:
        queryset = queryset.filter(department_id=department_id)
    return list(queryset)


def license_type_get(*, code: str) -> LicenseType:
    found = LicenseType.objects.select_related("department", "seal").filter(code=(code or "").upper()).first()
    if found is None:
        raise NotFound(_("No license type has this code."), field="code")
    return found


def seals(*, actor: Any) -> list[Seal]:
    """Seals the actor may see in the console: all for platform administrators, their department's otherwise."""
    queryset = Seal.objects.select_related("department").order_by("department__name", "-created_at")
    if actor.has_role(Role.PLATFORM_ADMIN):
        return list(queryset)
    return list(queryset.filter(department_id=actor.department_id))


def seal_get(*, seal_pk: int) -> Seal:
    found = Seal.objects.select_related("department").filter(pk=seal_pk).first()
    if found is None:
        raise NotFound(_("No such seal."), field="seal")
    return found


def seal_pk_by_code(*, seal_id: str) -> int | None:
    """The row of the seal with this code (esID), or None."""
    found: int | None = Seal.objects.filter(seal_id=seal_id).values_list("pk", flat=True).first()
    return found


def seal_picture(*, seal_id: str) -> bytes | None:
    """A seal's picture (public: it is printed on every license)."""
    found = Seal.objects.filter(seal_id=seal_id).values_list("picture", flat=True).first()
    return bytes(found) if found is not None else None


def issued_licenses(*, actor: Any, limit: int = 200) -> list[License]:
    """Licenses issued by the actor's department (all for platform administrators), newest first."""
    queryset = License.objects.select_related("license_type", "issuer").order_by("-issued_at", "-id")
    if not actor.has_role(Role.PLATFORM_ADMIN):
        queryset = queryset.filter(issuer_id=actor.department_id)
    return list(queryset[:limit])


def license_get(*, identifier: str) -> License | None:
    return License.objects.select_related("license_type", "issuer", "seal").filter(identifier=identifier).first()


# --- the pages: a license's state in lists, the holder's 免提交, a seal in the console ------------------------------
# (added with the pages in views/: small reads that keep rules out of the views)


def license_state(license: License, *, today: datetime.date | None = None) -> Status:
    """Valid, revoked or expired, from the stored row alone (lists; the verification also checks the file)."""
    if license.status == LicenseStatus.REVOKED:
        return Status.REVOKED
    if license.valid_until is not None and license.valid_until < (today or timezone.localdate()):
        return Status.EXPIRED
    return Status.VALID


@dataclass(frozen=True)
class ShareLine:
    """A material of the application asking for an e-license, the holder's licenses that fit, what is attached."""

    material: LicenseMaterial
    type_name: str
    licenses: list[License]


@dataclass(frozen=True)
class ShareOffer:
    application_id: int
    number: str  # empty for a draft
    item_name: str
    department: str
    editable: bool  # a draft, or a supplement asked for: materials may change
    lines: list[ShareLine]


def share_offer(*, actor: Any, application_id: int) -> ShareOffer:
    """免提交: the license materials of an application the actor may see and, for each, the actor's valid licenses
    of the type it asks for (raises NotFound for an application the actor may not see)."""
    application = application_detail(actor=actor, application_id=application_id)
    names = dict(LicenseType.objects.values_list("code", "name"))
    return ShareOffer(
        application_id=application.pk,
        number=application.number or "",
        item_name=application.item_version.name,
        department=application.department.name,
        editable=application.status in MATERIALS_EDITABLE,
        lines=[
            ShareLine(
                material=material,
                type_name=names.get(material.license_type_code, material.license_type_code),
                licenses=licenses_held_of_type(actor=actor, type_code=material.license_type_code),
            )
            for material in application_license_materials(actor=actor, application_id=application_id)
        ],
    )


def seal_visible(*, actor: Any, seal_pk: int) -> Seal:
    """A seal the actor may see in the console (as `seals` lists them); another department's is not found."""
    seal = seal_get(seal_pk=seal_pk)
    if not actor.has_role(Role.PLATFORM_ADMIN) and seal.department_id != actor.department_id:
        raise NotFound(_("No such seal."), field="seal")
    return seal
