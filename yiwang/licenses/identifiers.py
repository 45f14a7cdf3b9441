"""E-license identifiers after GB/T 36904-2018 (电子证照 标识规范).

    1.2.156.3005.2 . <type code> . <issuer credit code> . <serial> . <version> . <check>

- the root `1.2.156.3005.2` (电子证照根代码);
- the license type code (证照类型代码): as the national catalog gives it, the credit code of the ministry that
  defines the type followed by three digits (`11100000000013338W001`); local types follow the same shape;
- the issuer's unified social credit code (颁发机构代码, 18 characters);
- the serial (流水号): chosen by the issuer; we draw 20 random digits and capital letters (the Hubei guideline),
  so that identifiers cannot be enumerated from the public verification page;
- the version (版本号): three digits, `001` for the first issue, raised when a license is re-issued;
- the check character: ISO 7064 MOD 37,36 over type code + issuer code + serial + version (ADR 0019 says where
  this choice comes from). python-stdnum computes it.

`validate_identifier` names the part that is wrong; `compose_identifier` builds one.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.utils.translation import gettext as _
from stdnum.iso7064 import mod_37_36

from yiwang.core.identifiers import InvalidIdentifier as InvalidCreditCode
from yiwang.core.identifiers import validate_credit_code

ROOT = "1.2.156.3005.2"
SERIAL_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SERIAL_LENGTH = 20
_TYPE_CODE = re.compile(r"^[0-9A-Z]{18}\d{3}$")
_SERIAL = re.compile(r"^[0-9A-Z]{1,40}$")
_VERSION = re.compile(r"^\d{3}$")


class InvalidLicenseIdentifier(ValueError):
    """An identifier that breaks GB/T 36904; `part` names the part (root, type_code, issuer, serial, version,
    check, shape)."""

    def __init__(self, message: str, *, part: str) -> None:
        super().__init__(message)
        self.message = message
        self.part = part


@dataclass(frozen=True)
class LicenseIdentifier:
    type_code: str
    issuer_code: str
    serial: str
    version: str
    check: str

    def __str__(self) -> str:
        return f"{ROOT}.{self.type_code}.{self.issuer_code}.{self.serial}.{self.version}.{self.check}"


def check_character(type_code: str, issuer_code: str, serial: str, version: str) -> str:
    """The ISO 7064 MOD 37,36 check character over the four variable parts."""
    return str(mod_37_36.calc_check_digit(f"{type_code}{issuer_code}{serial}{version}"))


def validate_type_code(value: str) -> str:
    """A license type code: a credit code and three digits (21 characters)."""
    code = (value or "").strip().upper()
    if not _TYPE_CODE.match(code):
        raise InvalidLicenseIdentifier(
            _(
                "The license type code %(code)s must be 21 characters: the defining body's 18-character credit "
                "code followed by three digits."
            )
            % {"code": code or "—"},
            part="type_code",
        )
    try:
        validate_credit_code(code[:18], strict=False)
    except InvalidCreditCode as error:
        raise InvalidLicenseIdentifier(
            _("The license type code's first 18 characters are not a credit code: %(reason)s")
            % {"reason": error.message},
            part="type_code",
        ) from error
    return code


def new_serial() -> str:
    """A serial of 20 random digits and capital letters."""
    return "".join(secrets.choice(SERIAL_ALPHABET) for _unused in range(SERIAL_LENGTH))


def compose_identifier(type_code: str, issuer_code: str, serial: str, version: int = 1) -> LicenseIdentifier:
    """Build an identifier (the parts are checked as `validate_identifier` would)."""
    version_text = f"{version:03d}"
    if not 1 <= version <= 999:
        raise InvalidLicenseIdentifier(_("The version must be between 001 and 999."), part="version")
    identifier = LicenseIdentifier(
        type_code=validate_type_code(type_code),
        issuer_code=_issuer(issuer_code),
        serial=_serial(serial),
        version=version_text,
        check="",
    )
    check = check_character(identifier.type_code, identifier.issuer_code, identifier.serial, version_text)
    return LicenseIdentifier(identifier.type_code, identifier.issuer_code, identifier.serial, version_text, check)


def _issuer(value: str) -> str:
    try:
        return validate_credit_code(value, strict=False)
    except InvalidCreditCode as error:
        raise InvalidLicenseIdentifier(
            _("The issuer code is not a unified social credit code: %(reason)s") % {"reason": error.message},
            part="issuer",
        ) from error


def _serial(value: str) -> str:
    if not _SERIAL.match(value or ""):
        raise InvalidLicenseIdentifier(
            _("The serial %(serial)s must be 1 to 40 digits or capital letters.") % {"serial": value or "—"},
            part="serial",
        )
    return value


def validate_identifier(value: str) -> LicenseIdentifier:
    """Parse and check an identifier, or raise InvalidLicenseIdentifier naming the wrong part."""
    text = (value or "").strip()
    if not text:
        raise InvalidLicenseIdentifier(_("The license identifier is empty."), part="shape")
    if not text.startswith(ROOT + "."):
        raise InvalidLicenseIdentifier(
            _("A license identifier begins with the root %(root)s; this one begins with %(found)s.")
            % {"root": ROOT, "found": text[: len(ROOT)]},
            part="root",
        )
    parts = text[len(ROOT) + 1 :].split(".")
    if len(parts) != 5:
        raise InvalidLicenseIdentifier(
            _(
                "After the root a license identifier has five parts separated by dots (type code, issuer code, "
                "serial, version, check character); this one has %(count)d."
            )
            % {"count": len(parts)},
            part="shape",
        )
    type_code, issuer_code, serial, version, check = parts
    type_code = validate_type_code(type_code)
    if type_code != parts[0]:
        raise InvalidLicenseIdentifier(_("The license type code must be in capital letters."), part="type_code")
    issuer = _issuer(issuer_code)
    if issuer != issuer_code:
        raise InvalidLicenseIdentifier(_("The issuer code must be written as 18 capital characters."), part="issuer")
    _serial(serial)
    if not _VERSION.match(version) or version == "000":
        raise InvalidLicenseIdentifier(
            _("The version %(version)s must be three digits from 001.") % {"version": version or "—"}, part="version"
        )
    expected = check_character(type_code, issuer_code, serial, version)
    if check != expected:
        raise InvalidLicenseIdentifier(
            _("The check character is %(found)s but the other parts give %(expected)s (ISO 7064 MOD 37,36).")
            % {"found": check or "—", "expected": expected},
            part="check",
        )
    return LicenseIdentifier(type_code, issuer_code, serial, version, check)
