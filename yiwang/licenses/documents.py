"""License files, the published seal directory, and verification with nothing else (no database).

A license file (`docs/licenses/license-file.md`) is JSON:

    {"license": {…the license data…}, "signature": "<base64 of the DER SES_Signature>"}

The signature's data hash is the SM3 digest of the license data in canonical form: JSON with keys sorted by
code point, UTF-8, no insignificant whitespace, no floating-point numbers (`canonical_bytes`). Whoever holds the
seal directory the platform publishes (`seals.json`: the seal maker's certificate, every seal with its
certificate and status, the revoked licenses, signed by the maker) can check a license file offline:
`verify_license_file` answers valid, revoked, expired or forged, with every reason found.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yiwang.core.crypto import sm2_verify, sm3_digest, sm3_hex
from yiwang.core.errors import lazy_format
from yiwang.licenses import ses
from yiwang.licenses.identifiers import InvalidLicenseIdentifier, validate_identifier

LICENSE_FORMAT = "yiwang-license/1"
DIRECTORY_FORMAT = "yiwang-seals/1"


class LicenseFileError(ValueError):
    """Bytes that are not a license file (or not a seal directory) at all; the message says what is wrong."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


# --- canonical form -----------------------------------------------------------------------------------------


def _check_canonical(value: Any, path: str) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return
    if isinstance(value, float):
        raise ValueError(f"{path or 'the value'} is a floating-point number: write it as a string")
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_canonical(item, f"{path}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{path or 'the value'} has a key that is not a string")
            _check_canonical(item, f"{path}.{key}" if path else key)
        return
    raise ValueError(f"{path or 'the value'} is a {type(value).__name__}, which JSON cannot hold")


def canonical_bytes(value: Any) -> bytes:
    """The canonical form of a JSON value (see the module's docstring and docs/licenses/license-file.md)."""
    _check_canonical(value, "")
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def data_digest(data: Mapping[str, Any]) -> bytes:
    return sm3_digest(canonical_bytes(dict(data)))


# --- license files ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LicenseFile:
    data: dict[str, Any]
    signature: bytes


def license_file_bytes(data: Mapping[str, Any], signature: bytes) -> bytes:
    return canonical_bytes({"license": dict(data), "signature": base64.b64encode(signature).decode("ascii")})


def _json(raw: bytes | str, what: Promise) -> Any:
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise LicenseFileError(lazy_format(_("%(what)s is not UTF-8 text."), {"what": what})) from None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise LicenseFileError(
            lazy_format(_("%(what)s is not JSON: %(error)s"), {"what": what, "error": str(error)})
        ) from None


def _base64(value: Any, what: Promise) -> bytes:
    if not isinstance(value, str) or not value:
        raise LicenseFileError(lazy_format(_("%(what)s is missing."), {"what": what}))
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise LicenseFileError(lazy_format(_("%(what)s is not base64."), {"what": what})) from None


def read_license_file(raw: bytes | str) -> LicenseFile:
    """Parse a license file; raise LicenseFileError when it is not one."""
    loaded = _json(raw, _("The license file"))
    if not isinstance(loaded, dict) or not isinstance(loaded.get("license"), dict):
        raise LicenseFileError(_('A license file is a JSON object with "license" (an object) and "signature".'))
    data = loaded["license"]
    if data.get("format") != LICENSE_FORMAT:
        raise LicenseFileError(
            lazy_format(
                _('The license file\'s format is %(found)s; this verifier reads "%(format)s".'),
                {"found": json.dumps(data.get("format"), ensure_ascii=False), "format": LICENSE_FORMAT},
            )
        )
    try:
        _check_canonical(data, "license")
    except ValueError as error:
        raise LicenseFileError(str(error)) from None
    return LicenseFile(data=data, signature=_base64(loaded.get("signature"), _("The license file's signature")))


# --- the published seal directory -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedSeal:
    seal_id: str
    name: str
    department: str
    department_code: str
    status: str  # active, suspended, revoked
    status_changed_at: datetime.datetime | None
    valid_from: datetime.datetime
    valid_until: datetime.datetime
    certificate: bytes
    seal_sm3: str

    def as_json(self) -> dict[str, Any]:
        return {
            "seal_id": self.seal_id,
            "name": self.name,
            "department": self.department,
            "department_code": self.department_code,
            "status": self.status,
            "status_changed_at": self.status_changed_at.isoformat() if self.status_changed_at else None,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "certificate": base64.b64encode(self.certificate).decode("ascii"),
            "seal_sm3": self.seal_sm3,
        }


@dataclass(frozen=True)
class RevokedLicense:
    identifier: str
    revoked_at: datetime.datetime
    reason: str


@dataclass(frozen=True)
class SealDirectory:
    maker_certificate: bytes
    seals: Mapping[str, PublishedSeal]
    revoked: Mapping[str, RevokedLicense] = field(default_factory=dict)
    published_at: datetime.datetime | None = None

    @property
    def maker_public_key(self) -> bytes:
        return ses.read_certificate(self.maker_certificate).public_key

    @property
    def maker_fingerprint(self) -> str:
        """SM3 of the maker's certificate: what a verifier compares with the fingerprint the city announces."""
        return sm3_hex(self.maker_certificate)

    def body(self) -> dict[str, Any]:
        return {
            "format": DIRECTORY_FORMAT,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "maker_certificate": base64.b64encode(self.maker_certificate).decode("ascii"),
            "seals": [seal.as_json() for seal in sorted(self.seals.values(), key=lambda seal: seal.seal_id)],
            "revoked_licenses": [
                {"identifier": item.identifier, "revoked_at": item.revoked_at.isoformat(), "reason": item.reason}
                for item in sorted(self.revoked.values(), key=lambda item: item.identifier)
            ],
        }


def seal_directory_bytes(directory: SealDirectory, signature: bytes) -> bytes:
    """The published file: the directory and the maker's signature over its canonical body."""
    return canonical_bytes({**directory.body(), "signature": base64.b64encode(signature).decode("ascii")})


def _moment(value: Any, what: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise LicenseFileError(lazy_format(_("%(what)s is not a date and time."), {"what": what})) from None
    if moment.tzinfo is None:
        raise LicenseFileError(lazy_format(_("%(what)s has no time zone."), {"what": what}))
    return moment


def read_seal_directory(raw: bytes | str, *, maker_fingerprint: str | None = None) -> SealDirectory:
    """Parse the published seal directory and check the maker's signature over it (and, when given, that the
    maker's certificate has the fingerprint the city announces); raise LicenseFileError otherwise."""
    loaded = _json(raw, _("The seal directory"))
    if not isinstance(loaded, dict) or loaded.get("format") != DIRECTORY_FORMAT:
        raise LicenseFileError(
            lazy_format(_('The seal directory is not a "%(format)s" file.'), {"format": DIRECTORY_FORMAT})
        )
    signature = _base64(loaded.pop("signature", None), _("The seal directory's signature"))
    maker = _base64(loaded.get("maker_certificate"), _("The seal maker's certificate"))
    try:
        maker_key = ses.read_certificate(maker).public_key
    except ses.SealFormatError as error:
        raise LicenseFileError(
            lazy_format(_("The seal maker's certificate is unreadable: %(error)s"), {"error": str(error)})
        ) from None
    if maker_fingerprint and sm3_hex(maker).lower() != maker_fingerprint.strip().lower():
        raise LicenseFileError(
            _("The seal maker's certificate is not the one whose fingerprint you gave: do not trust this directory.")
        )
    if not sm2_verify(maker_key, canonical_bytes(loaded), signature):
        raise LicenseFileError(_("The seal directory's signature does not verify: it was altered after publication."))
    seals: dict[str, PublishedSeal] = {}
    revoked: dict[str, RevokedLicense] = {}
    try:
        for item in loaded.get("seals") or []:
            changed = item.get("status_changed_at")
            seals[item["seal_id"]] = PublishedSeal(
                seal_id=item["seal_id"],
                name=item["name"],
                department=item["department"],
                department_code=item["department_code"],
                status=item["status"],
                status_changed_at=_moment(changed, "status_changed_at") if changed else None,
                valid_from=_moment(item["valid_from"], "valid_from"),
                valid_until=_moment(item["valid_until"], "valid_until"),
                certificate=_base64(item["certificate"], _("A seal's certificate")),
                seal_sm3=item["seal_sm3"],
            )
        for item in loaded.get("revoked_licenses") or []:
            revoked[item["identifier"]] = RevokedLicense(
                identifier=item["identifier"],
                revoked_at=_moment(item["revoked_at"], "revoked_at"),
                reason=item.get("reason", ""),
            )
    except (KeyError, TypeError, AttributeError) as error:
        raise LicenseFileError(
            lazy_format(_("The seal directory misses %(member)s."), {"member": str(error)})
        ) from None
    published = loaded.get("published_at")
    return SealDirectory(
        maker_certificate=maker,
        seals=seals,
        revoked=revoked,
        published_at=_moment(published, "published_at") if published else None,
    )


# --- verification -------------------------------------------------------------------------------------------


class Status(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    EXPIRED = "expired"
    FORGED = "forged"


_SEVERITY = {Status.VALID: 0, Status.EXPIRED: 1, Status.REVOKED: 2, Status.FORGED: 3}


@dataclass(frozen=True)
class Finding:
    status: Status
    code: str
    message: str | Promise

    def as_json(self) -> dict[str, str]:
        return {"status": self.status.value, "code": self.code, "message": str(self.message)}


@dataclass
class Verdict:
    identifier: str = ""
    data: dict[str, Any] | None = None
    seal_id: str = ""
    seal_name: str = ""
    signed_at: datetime.datetime | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def status(self) -> Status:
        worst = Status.VALID
        for finding in self.findings:
            if _SEVERITY[finding.status] > _SEVERITY[worst]:
                worst = finding.status
        return worst

    def add(self, status: Status, code: str, message: str | Promise) -> None:
        self.findings.append(Finding(status, code, message))

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "identifier": self.identifier,
            "seal_id": self.seal_id,
            "seal_name": self.seal_name,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "reasons": [finding.as_json() for finding in self.findings],
        }


F = Status.FORGED


def verify_license_file(raw: bytes | str | LicenseFile, directory: SealDirectory, *, today: datetime.date) -> Verdict:
    """Check a license file against the seal directory; raise LicenseFileError when it is not a license file."""
    document = raw if isinstance(raw, LicenseFile) else read_license_file(raw)
    data = document.data
    verdict = Verdict(identifier=str(data.get("identifier", "")), data=data)
    try:
        identifier = validate_identifier(verdict.identifier)
    except InvalidLicenseIdentifier as error:
        verdict.add(F, f"identifier_{error.part}", error.message)
        identifier = None
    try:
        signature = ses.decode_signature(document.signature)
    except ses.SealFormatError as error:
        verdict.add(F, "signature_malformed", lazy_format(_("The signature is malformed: %(error)s"), {"error": error}))
        return verdict
    verdict.seal_id = signature.seal.info.seal_id
    verdict.seal_name = signature.seal.info.name
    verdict.signed_at = signature.signed_at
    if signature.data_hash != data_digest(data):
        verdict.add(F, "data_altered", _("The license data differ from the data the seal signed: it was altered."))
    if signature.property_info != verdict.identifier:
        verdict.add(F, "identifier_swapped", _("The signature was made for another license identifier."))
    _check_signer(verdict, signature, directory)
    if identifier is not None:
        published = directory.seals.get(signature.seal.info.seal_id)
        if published is not None and published.department_code != identifier.issuer_code:
            verdict.add(
                F,
                "issuer_mismatch",
                lazy_format(
                    _("The identifier names issuer %(code)s but the seal belongs to %(department)s."),
                    {"code": identifier.issuer_code, "department": published.department},
                ),
            )
    _check_license_state(verdict, data, directory, today)
    return verdict


def _check_signer(verdict: Verdict, signature: ses.DecodedSignature, directory: SealDirectory) -> None:
    seal = signature.seal
    published = directory.seals.get(seal.info.seal_id)
    if published is None:
        verdict.add(
            F,
            "seal_unknown",
            lazy_format(_("Seal %(seal)s is not a seal the platform published."), {"seal": seal.info.seal_id}),
        )
        return
    if sm3_hex(seal.der) != published.seal_sm3 or seal.maker_certificate != directory.maker_certificate:
        verdict.add(F, "seal_swapped", _("The seal in the signature is not the published seal with that code."))
    if not ses.seal_made_by(seal, directory.maker_public_key):
        verdict.add(F, "seal_not_made", _("The seal was not made by the platform's seal maker."))
    if signature.signer_certificate != published.certificate or not ses.contains_certificate(
        seal, signature.signer_certificate
    ):
        verdict.add(F, "signer_not_seal", _("The signer's certificate is not the seal's certificate."))
    try:
        certificate = ses.read_certificate(signature.signer_certificate)
    except ses.SealFormatError as error:
        verdict.add(F, "certificate_malformed", str(error))
        return
    if not ses.certificate_issued_by(certificate, directory.maker_public_key):
        verdict.add(F, "certificate_not_issued", _("The signer's certificate was not issued by the seal maker."))
    if not ses.signature_made_by(signature, certificate.public_key):
        verdict.add(F, "signature_invalid", _("The signature does not verify with the seal's key."))
    signed_at = signature.signed_at
    if not published.valid_from <= signed_at <= published.valid_until:
        verdict.add(F, "seal_not_valid_then", _("The seal was not valid when the license was signed."))
    if published.status == "revoked":
        verdict.add(
            Status.REVOKED,
            "seal_revoked",
            lazy_format(
                _("The seal was revoked on %(date)s: nothing it signed can be trusted."),
                {"date": _day(published.status_changed_at)},
            ),
        )
    elif published.status == "suspended" and published.status_changed_at and signed_at >= published.status_changed_at:
        verdict.add(
            Status.REVOKED,
            "seal_suspended",
            lazy_format(
                _("The license was signed after the seal was suspended on %(date)s."),
                {"date": _day(published.status_changed_at)},
            ),
        )


def _day(moment: datetime.datetime | None) -> str:
    return moment.date().isoformat() if moment else "?"


def _check_license_state(
    verdict: Verdict, data: Mapping[str, Any], directory: SealDirectory, today: datetime.date
) -> None:
    revoked = directory.revoked.get(verdict.identifier)
    if revoked is not None:
        verdict.add(
            Status.REVOKED,
            "license_revoked",
            lazy_format(
                _("The license was revoked on %(date)s: %(reason)s"),
                {"date": _day(revoked.revoked_at), "reason": revoked.reason or "—"},
            ),
        )
    until = data.get("valid_until")
    if until:
        try:
            last_day = datetime.date.fromisoformat(str(until))
        except ValueError:
            verdict.add(F, "validity_malformed", _("The license's end of validity is not a date."))
            return
        if last_day < today:
            verdict.add(
                Status.EXPIRED,
                "license_expired",
                lazy_format(_("The license expired on %(date)s."), {"date": last_day.isoformat()}),
            )
