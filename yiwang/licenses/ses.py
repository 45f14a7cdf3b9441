"""GB/T 38540-2020 electronic seals and signatures in DER, and the SM2 certificates they carry.

The structures follow the standard's version 4 as ofdrw implements it (../shared/reference/services.md §12):

    SESeal        ::= SEQUENCE { eSealInfo SES_SealInfo, cert OCTET STRING (the maker's certificate),
                                 signAlgID OBJECT IDENTIFIER, signedValue BIT STRING }
    SES_SealInfo  ::= SEQUENCE { header SES_Header, esID IA5String, property SES_ESPropertyInfo,
                                 picture SES_ESPictureInfo, extDatas ExtensionDatas OPTIONAL }
    SES_Header    ::= SEQUENCE { id IA5String ("ES"), version INTEGER (4), vid IA5String }
    SES_ESPropertyInfo ::= SEQUENCE { type INTEGER, name UTF8String, certListType INTEGER,
                                 certList (SEQUENCE OF OCTET STRING when certListType is 1),
                                 createDate, validStart, validEnd GeneralizedTime }
    SES_ESPictureInfo  ::= SEQUENCE { type IA5String, data OCTET STRING, width INTEGER, height INTEGER }
    SES_Signature ::= SEQUENCE { toSign TBS_Sign, cert OCTET STRING (the signer's certificate),
                                 signatureAlgID OBJECT IDENTIFIER, signature BIT STRING,
                                 timeStamp [0] BIT STRING OPTIONAL }
    TBS_Sign      ::= SEQUENCE { version INTEGER, eseal SESeal, timeInfo GeneralizedTime,
                                 dataHash BIT STRING, propertyInfo IA5String, extDatas [0] OPTIONAL }

The maker (制章者) signs the DER of SES_SealInfo; the signer signs the DER of TBS_Sign. Both are SM3withSM2
(OID 1.2.156.10197.1.501) with the default signer id, the signature value a DER SEQUENCE { r, s } as in X.509.
Certificates are X.509 v3 with an SM2 public key (id-ecPublicKey on the curve sm2p256v1, 1.2.156.10197.1.301),
issued by the platform's seal maker. This module knows nothing of the database: the verifier of license files
uses it offline.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from asn1crypto import core, keys, x509

from yiwang.core.crypto import Sm2KeyPair, sm2_sign, sm2_verify

SM3_WITH_SM2 = "1.2.156.10197.1.501"
SM2_CURVE = "1.2.156.10197.1.301"
SEAL_VERSION = 4
SEAL_HEADER_ID = "ES"
CERT_LIST_CERTIFICATES = 1

if "sm2p256v1" not in keys.NamedCurve._map.values():  # registered once per process
    keys.NamedCurve.register("sm2p256v1", SM2_CURVE, 32)


class SealFormatError(ValueError):
    """Bytes that are not a well-formed GB/T 38540 seal, signature or certificate."""


# --- ASN.1 ---------------------------------------------------------------------------------------------


class SesHeader(core.Sequence):
    _fields = [("id", core.IA5String), ("version", core.Integer), ("vid", core.IA5String)]


class CertInfoList(core.SequenceOf):
    _child_spec = core.OctetString


class SesPropertyInfo(core.Sequence):
    _fields = [
        ("type", core.Integer),
        ("name", core.UTF8String),
        ("cert_list_type", core.Integer),
        ("cert_list", CertInfoList),
        ("create_date", core.GeneralizedTime),
        ("valid_start", core.GeneralizedTime),
        ("valid_end", core.GeneralizedTime),
    ]


class SesPictureInfo(core.Sequence):
    _fields = [
        ("type", core.IA5String),
        ("data", core.OctetString),
        ("width", core.Integer),
        ("height", core.Integer),
    ]


class ExtData(core.Sequence):
    _fields = [
        ("extn_id", core.ObjectIdentifier),
        ("critical", core.Boolean, {"default": False}),
        ("extn_value", core.OctetString),
    ]


class ExtensionDatas(core.SequenceOf):
    _child_spec = ExtData


class SesSealInfo(core.Sequence):
    _fields = [
        ("header", SesHeader),
        ("es_id", core.IA5String),
        ("property", SesPropertyInfo),
        ("picture", SesPictureInfo),
        ("ext_datas", ExtensionDatas, {"optional": True}),
    ]


class SesSeal(core.Sequence):
    _fields = [
        ("e_seal_info", SesSealInfo),
        ("cert", core.OctetString),
        ("sign_alg_id", core.ObjectIdentifier),
        ("signed_value", core.OctetBitString),
    ]


class TbsSign(core.Sequence):
    _fields = [
        ("version", core.Integer),
        ("eseal", SesSeal),
        ("time_info", core.GeneralizedTime),
        ("data_hash", core.OctetBitString),
        ("property_info", core.IA5String),
        ("ext_datas", ExtensionDatas, {"explicit": 0, "optional": True}),
    ]


class SesSignature(core.Sequence):
    _fields = [
        ("to_sign", TbsSign),
        ("cert", core.OctetString),
        ("signature_alg_id", core.ObjectIdentifier),
        ("signature", core.OctetBitString),
        ("time_stamp", core.OctetBitString, {"implicit": 0, "optional": True}),
    ]


# --- what the structures say, as Python values ------------------------------------------------------------


@dataclass(frozen=True)
class SealInfo:
    """The content of SES_SealInfo."""

    seal_id: str  # esID, ASCII
    vendor_id: str  # vid: who made the seal software
    seal_type: int  # 1 an organisation's seal (单位印章), 2 a person's
    name: str
    signer_certificates: tuple[bytes, ...]  # DER certificates of those who may sign with the seal
    created: datetime.datetime
    valid_start: datetime.datetime
    valid_end: datetime.datetime
    picture: bytes  # PNG
    picture_width: int  # millimetres
    picture_height: int


@dataclass(frozen=True)
class DecodedSeal:
    info: SealInfo
    maker_certificate: bytes
    algorithm: str
    signed_value: bytes
    info_der: bytes  # what the maker signed
    der: bytes


@dataclass(frozen=True)
class DecodedSignature:
    seal: DecodedSeal
    signed_at: datetime.datetime
    data_hash: bytes
    property_info: str
    signer_certificate: bytes
    algorithm: str
    signature: bytes
    tbs_der: bytes  # what the signer signed
    version: int = SEAL_VERSION
    problems: list[str] = field(default_factory=list)


def _utc(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        raise ValueError("seal times must be aware datetimes")
    return moment.astimezone(datetime.UTC).replace(microsecond=0)


def encode_seal(info: SealInfo, *, maker_certificate: bytes, maker_key: Sm2KeyPair) -> bytes:
    """SESeal: the seal information signed by the maker."""
    seal_info = SesSealInfo(
        {
            "header": {"id": SEAL_HEADER_ID, "version": SEAL_VERSION, "vid": info.vendor_id},
            "es_id": info.seal_id,
            "property": {
                "type": info.seal_type,
                "name": info.name,
                "cert_list_type": CERT_LIST_CERTIFICATES,
                "cert_list": list(info.signer_certificates),
                "create_date": _utc(info.created),
                "valid_start": _utc(info.valid_start),
                "valid_end": _utc(info.valid_end),
            },
            "picture": {
                "type": "PNG",
                "data": info.picture,
                "width": info.picture_width,
                "height": info.picture_height,
            },
        }
    )
    info_der = seal_info.dump()
    seal = SesSeal(
        {
            "e_seal_info": seal_info,
            "cert": maker_certificate,
            "sign_alg_id": SM3_WITH_SM2,
            "signed_value": sm2_sign(maker_key, info_der),
        }
    )
    return bytes(seal.dump())


def _load(spec: type[core.Sequence], der: bytes, what: str) -> core.Sequence:
    try:
        value = spec.load(der, strict=True)
        _parsed = value.native  # parses every member: malformed inner values fail here, not later
    except (ValueError, TypeError, KeyError) as error:
        raise SealFormatError(f"not a well-formed {what}: {error}") from error
    return value


def _seal_from(value: SesSeal) -> DecodedSeal:
    info = value["e_seal_info"]
    header = info["header"]
    if header["id"].native != SEAL_HEADER_ID:
        raise SealFormatError(f"the seal's header id is {header['id'].native!r}, not 'ES'")
    if header["version"].native != SEAL_VERSION:
        raise SealFormatError(f"the seal's version is {header['version'].native}, not {SEAL_VERSION}")
    prop = info["property"]
    if prop["cert_list_type"].native != CERT_LIST_CERTIFICATES:
        raise SealFormatError("the seal lists certificate digests; this verifier needs the certificates")
    picture = info["picture"]
    return DecodedSeal(
        info=SealInfo(
            seal_id=info["es_id"].native,
            vendor_id=header["vid"].native,
            seal_type=prop["type"].native,
            name=prop["name"].native,
            signer_certificates=tuple(bytes(cert.native) for cert in prop["cert_list"]),
            created=prop["create_date"].native,
            valid_start=prop["valid_start"].native,
            valid_end=prop["valid_end"].native,
            picture=bytes(picture["data"].native),
            picture_width=picture["width"].native,
            picture_height=picture["height"].native,
        ),
        maker_certificate=bytes(value["cert"].native),
        algorithm=value["sign_alg_id"].dotted,
        signed_value=bytes(value["signed_value"].native),
        info_der=bytes(info.dump()),
        der=bytes(value.dump()),
    )


def decode_seal(der: bytes) -> DecodedSeal:
    """Parse an SESeal (raises SealFormatError)."""
    return _seal_from(_load(SesSeal, der, "GB/T 38540 seal"))


def seal_made_by(seal: DecodedSeal, maker_public_key: bytes) -> bool:
    """True when the maker's signature over the seal information verifies under `maker_public_key`."""
    return seal.algorithm == SM3_WITH_SM2 and sm2_verify(maker_public_key, seal.info_der, seal.signed_value)


def sign(
    *,
    seal_der: bytes,
    data_hash: bytes,
    property_info: str,
    signed_at: datetime.datetime,
    signer_certificate: bytes,
    signer_key: Sm2KeyPair,
) -> bytes:
    """SES_Signature over the data whose SM3 digest is `data_hash`, made with the seal `seal_der`."""
    tbs = TbsSign(
        {
            "version": SEAL_VERSION,
            "eseal": SesSeal.load(seal_der),
            "time_info": _utc(signed_at),
            "data_hash": data_hash,
            "property_info": property_info,
        }
    )
    tbs_der = tbs.dump()
    signature = SesSignature(
        {
            "to_sign": tbs,
            "cert": signer_certificate,
            "signature_alg_id": SM3_WITH_SM2,
            "signature": sm2_sign(signer_key, tbs_der),
        }
    )
    return bytes(signature.dump())


def decode_signature(der: bytes) -> DecodedSignature:
    """Parse an SES_Signature (raises SealFormatError)."""
    value = _load(SesSignature, der, "GB/T 38540 signature")
    tbs = value["to_sign"]
    return DecodedSignature(
        seal=_seal_from(tbs["eseal"]),
        signed_at=tbs["time_info"].native,
        data_hash=bytes(tbs["data_hash"].native),
        property_info=tbs["property_info"].native,
        signer_certificate=bytes(value["cert"].native),
        algorithm=value["signature_alg_id"].dotted,
        signature=bytes(value["signature"].native),
        tbs_der=bytes(tbs.dump()),
        version=tbs["version"].native,
    )


def signature_made_by(signature: DecodedSignature, signer_public_key: bytes) -> bool:
    """True when the signature over TBS_Sign verifies under `signer_public_key`."""
    return signature.algorithm == SM3_WITH_SM2 and sm2_verify(signer_public_key, signature.tbs_der, signature.signature)


# --- certificates ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    common_name: str
    organization: str = ""
    serial_number: str = ""  # e.g. the department's credit code
    country: str = "CN"

    def name(self) -> x509.Name:
        attributes: dict[str, str] = {"country_name": self.country}
        if self.organization:
            attributes["organization_name"] = self.organization
        attributes["common_name"] = self.common_name
        if self.serial_number:
            attributes["serial_number"] = self.serial_number
        return x509.Name.build(attributes, use_printable=False)


def _x509_time(moment: datetime.datetime) -> x509.Time:
    """UTCTime before 2050, GeneralizedTime from 2050 on (RFC 5280 §4.1.2.5)."""
    moment = _utc(moment)
    return x509.Time(name="utc_time" if moment.year < 2050 else "general_time", value=moment)


def make_certificate(
    *,
    subject: Subject,
    public_key: bytes,
    issuer: Subject,
    issuer_key: Sm2KeyPair,
    serial: int,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
    authority: bool = False,
) -> bytes:
    """An X.509 v3 certificate of an SM2 public key (64 bytes x‖y), signed SM3withSM2 by `issuer_key`."""
    key_info = keys.PublicKeyInfo(
        {
            "algorithm": {"algorithm": "ec", "parameters": keys.ECDomainParameters(name="named", value="sm2p256v1")},
            "public_key": b"\x04" + public_key,
        }
    )
    usage = {"key_cert_sign", "crl_sign", "digital_signature"} if authority else {"digital_signature"}
    usage |= set() if authority else {"non_repudiation"}
    tbs = x509.TbsCertificate(
        {
            "version": "v3",
            "serial_number": serial,
            "signature": {"algorithm": SM3_WITH_SM2},
            "issuer": issuer.name(),
            "validity": {
                "not_before": _x509_time(not_before),
                "not_after": _x509_time(not_after),
            },
            "subject": subject.name(),
            "subject_public_key_info": key_info,
            "extensions": [
                {"extn_id": "basic_constraints", "critical": True, "extn_value": {"ca": authority}},
                {"extn_id": "key_usage", "critical": True, "extn_value": usage},
            ],
        }
    )
    certificate = x509.Certificate(
        {
            "tbs_certificate": tbs,
            "signature_algorithm": {"algorithm": SM3_WITH_SM2},
            "signature_value": sm2_sign(issuer_key, tbs.dump()),
        }
    )
    return bytes(certificate.dump())


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    issuer: str
    serial: int
    public_key: bytes  # 64 bytes x‖y
    not_before: datetime.datetime
    not_after: datetime.datetime
    tbs_der: bytes
    signature: bytes
    algorithm: str


def read_certificate(der: bytes) -> CertificateInfo:
    """What a certificate says (raises SealFormatError unless it is an X.509 certificate of an SM2 key)."""
    try:
        certificate = x509.Certificate.load(der, strict=True)
        tbs = certificate["tbs_certificate"]
        key_info = tbs["subject_public_key_info"]
        algorithm = key_info["algorithm"]
        curve = algorithm["parameters"].chosen.dotted if algorithm["algorithm"].native == "ec" else ""
        point = bytes(key_info["public_key"].native)
        validity = tbs["validity"]
        info = CertificateInfo(
            subject=tbs["subject"].human_friendly,
            issuer=tbs["issuer"].human_friendly,
            serial=tbs["serial_number"].native,
            public_key=point[1:],
            not_before=validity["not_before"].native,
            not_after=validity["not_after"].native,
            tbs_der=bytes(tbs.dump()),
            signature=bytes(certificate["signature_value"].native),
            algorithm=certificate["signature_algorithm"]["algorithm"].dotted,
        )
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise SealFormatError(f"not a well-formed X.509 certificate: {error}") from error
    if curve != SM2_CURVE or len(point) != 65 or point[0] != 4:
        raise SealFormatError("the certificate's key is not an SM2 public key")
    return info


def certificate_issued_by(certificate: CertificateInfo, issuer_public_key: bytes) -> bool:
    return certificate.algorithm == SM3_WITH_SM2 and sm2_verify(
        issuer_public_key, certificate.tbs_der, certificate.signature
    )


def contains_certificate(seal: DecodedSeal, certificate: bytes) -> bool:
    return certificate in seal.info.signer_certificates
