"""Verification: every way a license can be wrong is detected and named — tampered data, a swapped seal, a seal
not made by the platform, another department's seal, a revoked or suspended seal, a revoked or expired license, a
malformed identifier — online and against the published seal directory."""

from __future__ import annotations

import base64
import datetime
import json
from typing import Any

import pytest
from django.utils import timezone
from freezegun import freeze_time

from yiwang.core.crypto import sm2_generate_key_pair, sm3_hex
from yiwang.licenses import selectors, services, ses
from yiwang.licenses.documents import (
    LicenseFileError,
    data_digest,
    license_file_bytes,
    read_license_file,
    read_seal_directory,
    verify_license_file,
)
from yiwang.licenses.keys import seal_key
from yiwang.licenses.models import License
from yiwang.licenses.tests.conftest import Licensing, issued

pytestmark = pytest.mark.django_db


def _codes(verdict: Any) -> set[str]:
    return {finding.code for finding in verdict.findings}


def _directory() -> Any:
    return read_seal_directory(selectors.seal_directory_file())


def _resigned(license: License, data: dict[str, Any], *, seal: Any = None, key: Any = None, **sign: Any) -> bytes:
    """A license file over `data`, signed again (by the license's seal unless told otherwise)."""
    seal = seal or license.seal
    signature = ses.sign(
        seal_der=sign.pop("seal_der", bytes(seal.seal_der)),
        data_hash=data_digest(data),
        property_info=sign.pop("property_info", data["identifier"]),
        signed_at=sign.pop("signed_at", timezone.now()),
        signer_certificate=sign.pop("signer_certificate", bytes(seal.certificate)),
        signer_key=key or seal_key(seal),
    )
    return license_file_bytes(data, signature)


def test_a_valid_license_is_valid_online_and_offline(licensing: Licensing) -> None:
    license = issued(licensing)
    today = timezone.localdate()
    assert verify_license_file(license.document, _directory(), today=today).status == "valid"
    assert selectors.license_verify_identifier(license.identifier).status == "valid"
    assert selectors.license_verify_file(license.document.encode()).status == "valid"
    # Pretty-printed by someone's editor, it is still the same license: the signature is over the canonical form.
    loaded = json.loads(license.document)
    assert selectors.license_verify_file(json.dumps(loaded, ensure_ascii=False, indent=4)).status == "valid"


def test_tampered_data_is_forged(licensing: Licensing) -> None:
    license = issued(licensing)
    loaded = json.loads(license.document)
    loaded["license"]["elements"]["scope"] = "小吃服务；预包装食品销售；烟草零售"
    verdict = selectors.license_verify_file(json.dumps(loaded, ensure_ascii=False))
    assert verdict.status == "forged" and _codes(verdict) == {"data_altered"}
    loaded = json.loads(license.document)
    loaded["license"]["valid_until"] = "2099-12-31"
    assert _codes(verify_license_file(json.dumps(loaded), _directory(), today=timezone.localdate())) == {"data_altered"}


def test_a_stored_license_altered_in_the_database_is_forged(licensing: Licensing) -> None:
    license = issued(licensing)
    loaded = json.loads(license.document)
    loaded["license"]["holder"]["name"] = "李四"
    License.objects.filter(pk=license.pk).update(document=json.dumps(loaded, ensure_ascii=False))
    assert selectors.license_verify_identifier(license.identifier).status == "forged"


def test_a_seal_made_outside_the_platform_is_detected(licensing: Licensing) -> None:
    """A forger copies the seal's code and picture into a seal of their own, made with their own 'maker'."""
    license = issued(licensing)
    data = read_license_file(license.document).data
    forger = sm2_generate_key_pair()
    subject = ses.Subject("Yiwang e-seal maker (一网通电子印章制作)", "Yiwang")
    now = timezone.now()
    fake_maker = ses.make_certificate(
        subject=subject, public_key=forger.public_key, issuer=subject, issuer_key=forger, serial=1,
        not_before=now, not_after=now + datetime.timedelta(days=30), authority=True,
    )  # fmt: skip
    fake_certificate = ses.make_certificate(
        subject=ses.Subject("明湖市市场监督管理局"), public_key=forger.public_key, issuer=subject, issuer_key=forger,
        serial=2, not_before=now, not_after=now + datetime.timedelta(days=30),
    )  # fmt: skip
    original = ses.decode_seal(bytes(licensing.seal.seal_der)).info
    fake_seal = ses.encode_seal(
        ses.SealInfo(**{**original.__dict__, "signer_certificates": (fake_certificate,)}),
        maker_certificate=fake_maker,
        maker_key=forger,
    )
    forged = _resigned(license, data, seal_der=fake_seal, signer_certificate=fake_certificate, key=forger)
    verdict = verify_license_file(forged, _directory(), today=timezone.localdate())
    assert verdict.status == "forged"
    assert {"seal_swapped", "seal_not_made", "signer_not_seal", "certificate_not_issued"} <= _codes(verdict)


def test_a_swapped_seal_is_detected(licensing: Licensing) -> None:
    """The license's seal in the signature, but signed with another (real) seal's key and certificate."""
    license = issued(licensing)
    other = services.seal_create(
        actor=licensing.admin, data=services.SealInput(department_id=licensing.market, purpose="合同专用章")
    )
    data = read_license_file(license.document).data
    forged = _resigned(license, data, key=seal_key(other), signer_certificate=bytes(other.certificate))
    verdict = verify_license_file(forged, _directory(), today=timezone.localdate())
    assert verdict.status == "forged" and "signer_not_seal" in _codes(verdict)
    # …or another seal in the signature while the data claims the first seal's department: caught too.
    forged = _resigned(license, data, seal=other, seal_der=bytes(licensing.seal.seal_der))
    assert verify_license_file(forged, _directory(), today=timezone.localdate()).status == "forged"


def test_another_departments_seal_cannot_issue_in_this_departments_name(licensing: Licensing, city: Any) -> None:
    license = issued(licensing)
    civil = services.seal_create(actor=licensing.admin, data=services.SealInput(department_id=city.civil_affairs))
    forged = _resigned(license, read_license_file(license.document).data, seal=civil)
    verdict = verify_license_file(forged, _directory(), today=timezone.localdate())
    assert verdict.status == "forged" and _codes(verdict) == {"issuer_mismatch"}


def test_a_revoked_seal_makes_its_licenses_revoked(licensing: Licensing) -> None:
    license = issued(licensing)
    services.seal_change_status(actor=licensing.admin, seal_pk=licensing.seal.pk, action="revoke", reason="私钥泄露")
    verdict = verify_license_file(license.document, _directory(), today=timezone.localdate())
    assert verdict.status == "revoked" and _codes(verdict) == {"seal_revoked"}
    assert selectors.license_verify_identifier(license.identifier).status == "revoked"


def test_a_suspended_seal_keeps_what_it_signed_before_but_not_after(licensing: Licensing) -> None:
    license = issued(licensing)
    services.seal_change_status(actor=licensing.admin, seal_pk=licensing.seal.pk, action="suspend", reason="核查")
    directory = _directory()
    assert verify_license_file(license.document, directory, today=timezone.localdate()).status == "valid"
    later = _resigned(
        license, read_license_file(license.document).data, signed_at=timezone.now() + datetime.timedelta(minutes=1)
    )
    verdict = verify_license_file(later, directory, today=timezone.localdate())
    assert verdict.status == "revoked" and _codes(verdict) == {"seal_suspended"}


def test_a_signature_outside_the_seals_validity_is_forged(licensing: Licensing) -> None:
    license = issued(licensing)
    early = _resigned(
        license, read_license_file(license.document).data, signed_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert _codes(verify_license_file(early, _directory(), today=timezone.localdate())) == {"seal_not_valid_then"}


def test_an_expired_license_is_expired(licensing: Licensing) -> None:
    license = issued(licensing)
    assert license.valid_until is not None
    directory = _directory()
    assert verify_license_file(license.document, directory, today=license.valid_until).status == "valid"
    after = license.valid_until + datetime.timedelta(days=1)
    verdict = verify_license_file(license.document, directory, today=after)
    assert verdict.status == "expired" and _codes(verdict) == {"license_expired"}
    with freeze_time(datetime.datetime.combine(after, datetime.time(4), tzinfo=datetime.UTC)):
        assert selectors.license_verify_identifier(license.identifier).status == "expired"


def test_a_revoked_license_is_revoked_offline_through_the_published_directory(licensing: Licensing) -> None:
    license = issued(licensing)
    services.license_revoke(actor=licensing.approver, identifier=license.identifier, reason="许可被撤回")
    verdict = verify_license_file(license.document, _directory(), today=timezone.localdate())
    assert verdict.status == "revoked" and _codes(verdict) == {"license_revoked"}
    assert "许可被撤回" in str(verdict.findings[0].message)


def test_a_malformed_identifier_is_named(licensing: Licensing) -> None:
    verdict = selectors.license_verify_identifier("1.2.156.3005.2.11100000000013338W001.123")
    assert verdict.status == "forged" and _codes(verdict) == {"identifier_shape"}
    license = issued(licensing)
    wrong_check = license.identifier[:-1] + ("A" if license.identifier[-1] != "A" else "B")
    assert _codes(selectors.license_verify_identifier(wrong_check)) == {"identifier_check"}
    data = read_license_file(license.document).data
    data["identifier"] = wrong_check
    verdict = verify_license_file(_resigned(license, data), _directory(), today=timezone.localdate())
    assert verdict.status == "forged" and "identifier_check" in _codes(verdict)


def test_a_well_formed_identifier_never_issued_is_forged(licensing: Licensing) -> None:
    license = issued(licensing)
    serial = license.identifier.split(".")[-3]
    from yiwang.licenses.identifiers import compose_identifier, validate_identifier

    parts = validate_identifier(license.identifier)
    unknown = str(compose_identifier(parts.type_code, parts.issuer_code, serial[::-1]))
    verdict = selectors.license_verify_identifier(unknown)
    assert verdict.status == "forged" and _codes(verdict) == {"license_unknown"}


def test_a_signature_for_another_identifier_is_caught(licensing: Licensing) -> None:
    license = issued(licensing)
    data = read_license_file(license.document).data
    forged = _resigned(license, data, property_info="1.2.156.3005.2.OTHER")
    assert _codes(verify_license_file(forged, _directory(), today=timezone.localdate())) == {"identifier_swapped"}


def test_garbage_is_refused_with_a_clear_message(licensing: Licensing) -> None:
    license = issued(licensing)
    for raw, message in (
        (b"\xff\xfe", "not UTF-8"),
        (b"not json", "not JSON"),
        (b"[]", "JSON object"),
        (json.dumps({"license": {"format": "x"}, "signature": "AA=="}).encode(), "format"),
        (json.dumps({"license": json.loads(license.document)["license"], "signature": "@@"}).encode(), "base64"),
        (json.dumps({"license": {**json.loads(license.document)["license"], "n": 1.5}, "signature": "AA=="}), "float"),
    ):
        with pytest.raises(LicenseFileError, match=message):
            read_license_file(raw)
    loaded = json.loads(license.document)
    loaded["signature"] = base64.b64encode(b"\x30\x03\x02\x01\x01").decode()
    verdict = verify_license_file(json.dumps(loaded), _directory(), today=timezone.localdate())
    assert verdict.status == "forged" and _codes(verdict) == {"signature_malformed"}


def test_the_published_directory_is_signed_and_can_be_pinned(licensing: Licensing) -> None:
    issued(licensing)
    raw = selectors.seal_directory_file()
    directory = read_seal_directory(raw, maker_fingerprint=_directory().maker_fingerprint)
    assert licensing.seal.seal_id in directory.seals
    assert directory.seals[licensing.seal.seal_id].seal_sm3 == sm3_hex(bytes(licensing.seal.seal_der))
    altered = json.loads(raw)
    altered["seals"][0]["status"] = "active" if altered["seals"][0]["status"] != "active" else "revoked"
    with pytest.raises(LicenseFileError, match="altered"):
        read_seal_directory(json.dumps(altered))
    with pytest.raises(LicenseFileError, match="fingerprint"):
        read_seal_directory(raw, maker_fingerprint="00" * 32)
