"""Seals: what a seal is made of (GB/T 38540 in DER, SM2 certificates issued by the seal maker), that independent
implementations read and verify it — pure-Python gmssl for SM2 and SM3, OpenSSL for the certificates and the
DER — and the seal's life (suspend, reinstate, revoke), each audited."""

from __future__ import annotations

import base64
import datetime
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from gmssl import func, sm2, sm3

from yiwang.core.audit.models import AuditEvent
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.licenses import services, ses
from yiwang.licenses.documents import canonical_bytes
from yiwang.licenses.keys import seal_maker
from yiwang.licenses.models import SealStatus
from yiwang.licenses.tests.conftest import Licensing, issued

pytestmark = pytest.mark.django_db


# --- an independent reading of DER: tag, length, value — nothing of our ASN.1 code ---------------------------------


def _tlv(data: bytes, offset: int = 0) -> tuple[int, bytes, int, int]:
    """(tag, value, start of the element, end of the element) of the DER element at offset."""
    tag = data[offset]
    length = data[offset + 1]
    header = 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[offset + 2 : offset + 2 + count], "big")
        header += count
    start = offset + header
    return tag, data[start : start + length], offset, start + length


def _children(value: bytes) -> list[tuple[int, bytes, bytes]]:
    """(tag, value, whole element) of each element inside a constructed value."""
    found = []
    offset = 0
    while offset < len(value):
        tag, inner, start, end = _tlv(value, offset)
        found.append((tag, inner, value[start:end]))
        offset = end
    return found


def _rs_hex(der_signature: bytes) -> str:
    """SEQUENCE { r INTEGER, s INTEGER } as the 64-byte hex r‖s that pure-Python gmssl expects."""
    parts = [value.lstrip(b"\x00").rjust(32, b"\x00") for _, value, _ in _children(_tlv(der_signature)[1])]
    return (parts[0] + parts[1]).hex()


def _certificate_key(certificate: bytes) -> str:
    """The SM2 public key (x‖y, hex) of an X.509 certificate: tbsCertificate's subjectPublicKeyInfo."""
    tbs = _children(_tlv(certificate)[1])[0][1]
    fields = _children(tbs)
    spki = next(value for tag, value, _ in fields[5:8] if tag == 0x30 and _children(value)[0][0] == 0x30)
    bit_string = _children(spki)[1][1]
    assert bit_string[0] == 0 and bit_string[1] == 4  # no unused bits, uncompressed point
    return bit_string[2:].hex()


def _gmssl_verifies(public_key_hex: str, der_signature: bytes, message: bytes) -> bool:
    return bool(
        sm2.CryptSM2(private_key="", public_key=public_key_hex).verify_with_sm3(_rs_hex(der_signature), message)
    )


def test_a_license_signature_verifies_with_pure_python_gmssl(licensing: Licensing) -> None:
    license = issued(licensing)
    document = json.loads(license.document)
    signature = base64.b64decode(document["signature"])
    # SES_Signature ::= SEQUENCE { toSign TBS_Sign, cert OCTET STRING, signatureAlgID OID, signature BIT STRING }
    tbs, cert, algorithm, value = _children(_tlv(signature)[1])
    assert algorithm[1].hex() == "2a811ccf55018375"  # 1.2.156.10197.1.501, SM3withSM2
    signer_key = _certificate_key(cert[1])
    assert signer_key == bytes(licensing.seal.public_key).hex()
    assert _gmssl_verifies(signer_key, value[1][1:], tbs[2])  # BIT STRING: skip its unused-bits byte
    # TBS_Sign ::= SEQUENCE { version, eseal SESeal, timeInfo, dataHash BIT STRING, propertyInfo IA5String }
    version, eseal, _time_info, data_hash, property_info = _children(tbs[1])[:5]
    assert version[1] == b"\x04"
    assert property_info[1].decode() == license.identifier
    expected = sm3.sm3_hash(func.bytes_to_list(canonical_bytes(document["license"])))
    assert data_hash[1][1:].hex() == expected
    # SESeal ::= SEQUENCE { eSealInfo, cert (maker) OCTET STRING, signAlgID, signedValue BIT STRING }
    seal_info, maker_cert, _algorithm, signed_value = _children(eseal[1])
    maker_key = _certificate_key(maker_cert[1])
    assert _gmssl_verifies(maker_key, signed_value[1][1:], seal_info[2])
    header = _children(seal_info[1])[0]
    assert [child[1] for child in _children(header[1])] == [b"ES", b"\x04", b"YIWANG"]
    # The seal's certificate is signed by the maker, too.
    certificate = ses.read_certificate(bytes(licensing.seal.certificate))
    assert _gmssl_verifies(maker_key, certificate.signature, certificate.tbs_der)
    # A changed byte of the data no longer matches.
    assert not _gmssl_verifies(signer_key, value[1][1:], tbs[2][:-1] + bytes([tbs[2][-1] ^ 1]))


@pytest.mark.skipif(shutil.which("openssl") is None, reason="OpenSSL's command line is not installed")
def test_openssl_reads_the_der_and_verifies_the_certificate_chain(licensing: Licensing, tmp_path: Path) -> None:
    license = issued(licensing)
    signature = base64.b64decode(json.loads(license.document)["signature"])
    (tmp_path / "signature.der").write_bytes(signature)
    parsed = subprocess.run(
        ["openssl", "asn1parse", "-inform", "DER", "-in", str(tmp_path / "signature.der")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert ":ES" in parsed and "SM2-with-SM3" in parsed and "GENERALIZEDTIME" in parsed
    for name, der in (("maker", bytes(seal_maker().certificate)), ("seal", bytes(licensing.seal.certificate))):
        subprocess.run(
            ["openssl", "x509", "-inform", "DER", "-out", str(tmp_path / f"{name}.pem")],
            input=der,
            check=True,
            capture_output=True,
        )
    checked = subprocess.run(
        [
            "openssl", "verify", "-vfyopt", "distid:1234567812345678",
            "-CAfile", str(tmp_path / "maker.pem"), str(tmp_path / "seal.pem"),
        ],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_seal_holds_its_department_its_picture_and_a_maker_signature(licensing: Licensing) -> None:
    seal = licensing.seal
    decoded = ses.decode_seal(bytes(seal.seal_der))
    assert decoded.info.seal_id == seal.seal_id and len(seal.seal_id) == 13
    assert decoded.info.name == "明湖市市场监督管理局"
    assert decoded.info.picture == bytes(seal.picture) and decoded.info.picture.startswith(b"\x89PNG")
    assert (decoded.info.picture_width, decoded.info.picture_height) == (42, 42)
    assert decoded.info.signer_certificates == (bytes(seal.certificate),)
    assert ses.seal_made_by(decoded, bytes(seal_maker().public_key))
    certificate = ses.read_certificate(bytes(seal.certificate))
    assert "明湖市市场监督管理局" in certificate.subject
    assert certificate.public_key == bytes(seal.public_key)
    assert seal.private_key != bytes(seal.public_key).hex()  # kept encrypted: the model decrypts it
    assert decoded.info.valid_end - decoded.info.valid_start >= datetime.timedelta(days=365 * 5)


def test_a_special_purpose_seal_says_so(licensing: Licensing) -> None:
    seal = services.seal_create(
        actor=licensing.admin, data=services.SealInput(department_id=licensing.market, purpose="行政审批专用章")
    )
    assert seal.name == "明湖市市场监督管理局行政审批专用章"
    assert ses.decode_seal(bytes(seal.seal_der)).info.name == seal.name


def test_only_platform_administrators_make_and_change_seals(licensing: Licensing) -> None:
    for actor in (licensing.approver, licensing.item_admin, licensing.applicant):
        with pytest.raises(PermissionDenied):
            services.seal_create(actor=actor, data=services.SealInput(department_id=licensing.market))
        with pytest.raises(PermissionDenied):
            services.seal_change_status(actor=actor, seal_pk=licensing.seal.pk, action="suspend", reason="测试")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (services.SealInput(department_id=999999), "department_id"),
        (services.SealInput(department_id=0, purpose="x" * 21), "department_id"),
    ],
)
def test_bad_seal_input_names_the_field(licensing: Licensing, data: Any, field: str) -> None:
    with pytest.raises((NotFound, ValidationFailed)) as error:
        services.seal_create(actor=licensing.admin, data=data)
    assert error.value.field == field


def test_seal_input_limits(licensing: Licensing) -> None:
    with pytest.raises(ValidationFailed) as error:
        services.seal_create(
            actor=licensing.admin, data=services.SealInput(department_id=licensing.market, purpose="专" * 21)
        )
    assert error.value.field == "purpose"
    with pytest.raises(ValidationFailed) as error:
        services.seal_create(
            actor=licensing.admin, data=services.SealInput(department_id=licensing.market, valid_years=11)
        )
    assert error.value.field == "valid_years"


def test_suspend_reinstate_revoke_each_audited_and_revoked_is_final(licensing: Licensing) -> None:
    seal = licensing.seal
    with pytest.raises(ValidationFailed):
        services.seal_change_status(actor=licensing.admin, seal_pk=seal.pk, action="suspend", reason=" ")
    assert (
        services.seal_change_status(
            actor=licensing.admin, seal_pk=seal.pk, action="suspend", reason="印章保管人变更"
        ).status
        == SealStatus.SUSPENDED
    )
    with pytest.raises(Conflict):
        services.seal_change_status(actor=licensing.admin, seal_pk=seal.pk, action="suspend", reason="again")
    assert (
        services.seal_change_status(actor=licensing.admin, seal_pk=seal.pk, action="reinstate", reason="已交接").status
        == SealStatus.ACTIVE
    )
    assert (
        services.seal_change_status(actor=licensing.admin, seal_pk=seal.pk, action="revoke", reason="私钥泄露").status
        == SealStatus.REVOKED
    )
    for action in ("reinstate", "suspend", "revoke"):
        with pytest.raises(Conflict):
            services.seal_change_status(actor=licensing.admin, seal_pk=seal.pk, action=action, reason="x")
    actions = list(
        AuditEvent.objects.filter(object_type="licenses.Seal", object_id=str(seal.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "licenses.seal.create",
        "licenses.seal.suspend",
        "licenses.seal.reinstate",
        "licenses.seal.revoke",
    ]
    with pytest.raises(ValidationFailed):
        services.seal_change_status(actor=licensing.admin, seal_pk=seal.pk, action="destroy", reason="x")
