"""API of e-licenses and e-seals (/api/v1/licenses/…).

Public: verify a license by its identifier or its file, the published seal directory, the license types. Holders:
their wallet (证照夹), a license's file, PDF and uses, and sharing a license with an application (免提交). Staff:
license types (the issuing department's item administrators), seals (platform administrators), direct issuance
and revocation (the issuing department's approvers)."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from yiwang.core.errors import NotFound, PermissionDenied, ValidationFailed
from yiwang.identity.api_auth import session_or_bearer
from yiwang.identity.roles import UserKind
from yiwang.identity.selectors import enterprise_get_by_code, user_find_by_id_number
from yiwang.licenses import selectors, services
from yiwang.licenses.documents import LicenseFileError, Verdict, read_license_file
from yiwang.licenses.models import License, LicenseType, Seal
from yiwang.licenses.rendering import license_pdf

router = Router(tags=["licenses"])

FILE_LIMIT = 2 * 1024 * 1024  # a license file is a few tens of kilobytes


# --- schemas -----------------------------------------------------------------------------------------------------


class ReasonOut(Schema):
    status: str = Field(description="what this finding makes the license: revoked, expired or forged")
    code: str = Field(description="e.g. data_altered, seal_swapped, seal_revoked, license_expired, identifier_check")
    message: str


class PublicLicenseOut(Schema):
    identifier: str
    type_name: str
    holder_name: str = Field(description="masked for a person")
    holder_code: str = Field(description="masked")
    issuer: str
    issued_on: str
    valid_until: str | None


class VerdictOut(Schema):
    status: Literal["valid", "revoked", "expired", "forged"]
    identifier: str
    seal_id: str
    seal_name: str
    signed_at: datetime.datetime | None
    reasons: list[ReasonOut] = Field(description="every problem found; empty when valid")
    license: PublicLicenseOut | None = Field(description="what anyone may see of a license that is not forged")


class ElementSchema(Schema):
    code: str = Field(max_length=40)
    name: str = Field(max_length=100)
    required: bool = False


class LicenseTypeOut(Schema):
    code: str = Field(description="GB/T 36904 type code: a credit code and three digits")
    name: str
    department_id: int
    department: str
    holder_kind: str = Field(description="person or enterprise")
    elements: list[ElementSchema]
    validity_years: int | None = Field(description="empty: without time limit (长期)")
    active: bool


class LicenseTypeIn(Schema):
    code: str = Field(max_length=21)
    name: str = Field(max_length=100)
    department_id: int
    holder_kind: Literal["person", "enterprise"]
    elements: list[ElementSchema] = Field(default_factory=list, max_length=100)
    validity_years: int | None = Field(None, ge=1, le=100)
    seal_id: str | None = Field(None, max_length=40, description="the seal that signs; empty: the official seal")
    active: bool = True


class LicenseOut(Schema):
    identifier: str
    type_code: str
    type_name: str
    holder_name: str
    issuer: str
    issued_at: datetime.datetime
    valid_from: datetime.date
    valid_until: datetime.date | None
    state: Literal["valid", "revoked", "expired"]
    application_number: str | None = None


class UseOut(Schema):
    action: str = Field(description="shared (by the holder) or viewed (by the handling department)")
    case_ref: str
    by: str
    department: str
    at: datetime.datetime


class LicenseDetailOut(LicenseOut):
    data: dict[str, Any] = Field(description="the signed license data (docs/licenses/license-file.md)")
    uses: list[UseOut] = Field(description="用证记录")


class ShareIn(Schema):
    application_id: int
    material_id: int
    identifier: str = Field(max_length=120)
    consent: bool = Field(description="the holder's consent to this use; must be true")


class SealIn(Schema):
    department_id: int
    purpose: str = Field("", max_length=20, description="e.g. 行政审批专用章; empty for the official seal")
    valid_years: int = Field(5, ge=1, le=10)


class SealStatusIn(Schema):
    action: Literal["suspend", "reinstate", "revoke"]
    reason: str = Field(max_length=1000)


class SealOut(Schema):
    seal_id: str
    name: str
    department: str
    status: str
    valid_from: datetime.datetime
    valid_until: datetime.datetime
    seal_sm3: str


class IssueIn(Schema):
    type_code: str = Field(max_length=21)
    holder_id_number: str = Field("", max_length=18, description="for a person's license")
    holder_credit_code: str = Field("", max_length=18, description="for an enterprise's license")
    elements: dict[str, str] = Field(default_factory=dict)


class RevokeIn(Schema):
    reason: str = Field(max_length=1000)


# --- helpers -----------------------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _holder(request: HttpRequest) -> Any:
    """The signed-in citizen (licenses are held by citizens and by the enterprises they act for)."""
    user = _user(request)
    if getattr(user, "kind", None) != UserKind.CITIZEN:
        raise PermissionDenied(_("Licenses are held by citizens and enterprises: sign in as one."))
    return user


def _verdict(verdict: Verdict) -> dict[str, Any]:
    public = selectors.public_view(verdict)
    return {**verdict.as_json(), "license": public.__dict__ if public else None}


def _license(license: License) -> dict[str, Any]:
    return {
        "identifier": license.identifier,
        "type_code": license.license_type.code,
        "type_name": license.license_type.name,
        "holder_name": license.holder_name,
        "issuer": license.issuer.name,
        "issued_at": license.issued_at,
        "valid_from": license.valid_from,
        "valid_until": license.valid_until,
        "state": selectors.license_state(license).value,
        "application_number": read_license_file(license.document).data.get("application"),
    }


def _type(license_type: LicenseType) -> dict[str, Any]:
    return {
        "code": license_type.code,
        "name": license_type.name,
        "department_id": license_type.department_id,
        "department": license_type.department.name,
        "holder_kind": license_type.holder_kind,
        "elements": license_type.elements,
        "validity_years": license_type.validity_years,
        "active": license_type.active,
    }


def _seal(seal: Seal) -> dict[str, Any]:
    return {
        "seal_id": seal.seal_id,
        "name": seal.name,
        "department": seal.department.name,
        "status": seal.status,
        "valid_from": seal.valid_from,
        "valid_until": seal.valid_until,
        "seal_sm3": seal.seal_sm3,
    }


# --- public ------------------------------------------------------------------------------------------------------


@router.post(
    "/verify",
    response=VerdictOut,
    auth=None,
    summary="Verify a license by its identifier or its file (multipart: `identifier` or `file`)",
)
def verify(request: HttpRequest, identifier: Form[str] = "", file: File[UploadedFile | None] = None) -> Any:
    if file is not None:
        if file.size is not None and file.size > FILE_LIMIT:
            raise ValidationFailed(_("A license file is at most 2 MB."), field="file")
        try:
            return _verdict(selectors.license_verify_file(file.read()))
        except LicenseFileError as error:
            raise ValidationFailed(error.message, field="file") from None
    if not identifier.strip():
        raise ValidationFailed(_("Give the license identifier or its file."), field="identifier")
    return _verdict(selectors.license_verify_identifier(identifier.strip()))


@router.get(
    "/seals",
    auth=None,
    summary="The published seal directory (seals.json): what offline verification needs, signed by the seal maker",
)
def seal_directory(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(selectors.seal_directory_file(), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="seals.json"'
    return response


@router.get("/types", response=list[LicenseTypeOut], auth=None, summary="The license types (证照目录)")
def license_types(request: HttpRequest, department_id: int | None = None) -> Any:
    return [_type(item) for item in selectors.license_types(department_id=department_id)]


# --- holders -----------------------------------------------------------------------------------------------------


@router.get("/mine", response=list[LicenseOut], auth=session_or_bearer, summary="证照夹: the licenses I hold")
def mine(request: HttpRequest) -> Any:
    return [_license(item) for item in selectors.licenses_held(actor=_holder(request))]


@router.get(
    "/mine/{identifier}", response=LicenseDetailOut, auth=session_or_bearer, summary="One of my licenses and its uses"
)
def mine_one(request: HttpRequest, identifier: str) -> Any:
    license = selectors.license_held(actor=_holder(request), identifier=identifier)
    return {
        **_license(license),
        "data": read_license_file(license.document).data,
        "uses": [
            {
                "action": use.action,
                "case_ref": use.case_ref,
                "by": use.actor_name,
                "department": use.department_name,
                "at": use.at,
            }
            for use in selectors.license_uses(license=license)
        ],
    }


@router.get("/mine/{identifier}/file", auth=session_or_bearer, summary="The license file (signed JSON)")
def mine_file(request: HttpRequest, identifier: str) -> HttpResponse:
    license = selectors.license_held(actor=_holder(request), identifier=identifier)
    response = HttpResponse(license.document.encode(), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{license.identifier}.json"'
    return response


@router.get("/mine/{identifier}/pdf", auth=session_or_bearer, summary="The license as PDF")
def mine_pdf(request: HttpRequest, identifier: str) -> HttpResponse:
    license = selectors.license_held(actor=_holder(request), identifier=identifier)
    response = HttpResponse(license_pdf(license), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{license.identifier}.pdf"'
    return response


@router.post(
    "/share",
    response=LicenseOut,
    auth=session_or_bearer,
    summary="免提交: attach my license to an application's material, with my consent (trust level A)",
)
def share(request: HttpRequest, payload: ShareIn) -> Any:
    holder = _holder(request)
    if not payload.consent:
        raise ValidationFailed(_("Give your consent to this use of your license."), field="consent")
    license = services.license_share(
        actor=holder,
        application_id=payload.application_id,
        material_id=payload.material_id,
        identifier=payload.identifier,
    )
    return _license(license)


# --- staff -------------------------------------------------------------------------------------------------------


@router.post("/types", response=LicenseTypeOut, auth=session_or_bearer, summary="Create or change a license type")
def type_save(request: HttpRequest, payload: LicenseTypeIn) -> Any:
    seal_pk = None
    if payload.seal_id:
        seal_pk = selectors.seal_pk_by_code(seal_id=payload.seal_id)
        if seal_pk is None:
            raise ValidationFailed(_("No seal has this code."), field="seal_id")
    saved = services.license_type_save(
        actor=_user(request),
        data=services.LicenseTypeInput(
            code=payload.code,
            name=payload.name,
            department_id=payload.department_id,
            holder_kind=payload.holder_kind,
            elements=tuple(services.ElementInput(e.code, e.name, e.required) for e in payload.elements),
            validity_years=payload.validity_years,
            seal_pk=seal_pk,
            active=payload.active,
        ),
    )
    return _type(selectors.license_type_get(code=saved.code))


@router.post("/seals", response={201: SealOut}, auth=session_or_bearer, summary="Make a seal for a department")
def seal_create(request: HttpRequest, payload: SealIn) -> Any:
    seal = services.seal_create(
        actor=_user(request),
        data=services.SealInput(
            department_id=payload.department_id, purpose=payload.purpose, valid_years=payload.valid_years
        ),
    )
    return Status(201, _seal(selectors.seal_get(seal_pk=seal.pk)))


@router.post(
    "/seals/{seal_id}/status", response=SealOut, auth=session_or_bearer, summary="Suspend, reinstate or revoke a seal"
)
def seal_status(request: HttpRequest, seal_id: str, payload: SealStatusIn) -> Any:
    seal_pk = selectors.seal_pk_by_code(seal_id=seal_id)
    if seal_pk is None:
        raise NotFound(_("No seal has this code."), field="seal_id")
    services.seal_change_status(actor=_user(request), seal_pk=seal_pk, action=payload.action, reason=payload.reason)
    return _seal(selectors.seal_get(seal_pk=seal_pk))


@router.post(
    "/issue",
    response={201: LicenseOut},
    auth=session_or_bearer,
    summary="Issue a license outside an application (the issuing department's approvers)",
)
def issue(request: HttpRequest, payload: IssueIn) -> Any:
    holder_user_id = None
    enterprise_id = None
    if payload.holder_id_number:
        holder = user_find_by_id_number(payload.holder_id_number)
        if holder is None:
            raise ValidationFailed(_("No citizen account has this ID number."), field="holder_id_number")
        holder_user_id = holder.pk
    if payload.holder_credit_code:
        enterprise = enterprise_get_by_code(credit_code=payload.holder_credit_code)
        if enterprise is None:
            raise ValidationFailed(_("No enterprise is registered with this credit code."), field="holder_credit_code")
        enterprise_id = enterprise.enterprise_id
    license = services.license_issue_direct(
        actor=_user(request),
        type_code=payload.type_code,
        holder_user_id=holder_user_id,
        enterprise_id=enterprise_id,
        elements=payload.elements,
    )
    return Status(201, _license(selectors.license_get(identifier=license.identifier) or license))


@router.post("/{identifier}/revoke", response=LicenseOut, auth=session_or_bearer, summary="Revoke a license")
def revoke(request: HttpRequest, identifier: str, payload: RevokeIn) -> Any:
    license = services.license_revoke(actor=_user(request), identifier=identifier, reason=payload.reason)
    return _license(selectors.license_get(identifier=license.identifier) or license)
