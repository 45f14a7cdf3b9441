"""National cryptography (国密): SM2 signatures, SM3 digests and HMAC, SM4 field encryption, blind indexes.

Backed by gmssl-pyx, a C extension over GmSSL 3 (see docs/adr/0004-sm-cryptography.md). Keys for field
encryption and blind indexes are derived from the master key (`YIWANG_MASTER_KEY`); nothing secret is
stored in the database in clear.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
from dataclasses import dataclass
from functools import cache

import gmssl_pyx
from django.conf import settings

SM2_DEFAULT_SIGNER_ID = b"1234567812345678"
FIELD_TOKEN_VERSION = "v1"
_NONCE_BYTES = 12
_TAG_BYTES = 16


class CryptoError(Exception):
    """A ciphertext that cannot be opened, a key of the wrong shape, or a malformed signature."""


# --- SM3 -------------------------------------------------------------------------------------------


def sm3_digest(data: bytes) -> bytes:
    """The 32-byte SM3 digest of `data`."""
    return bytes(gmssl_pyx.sm3_hash(data))


def sm3_hex(data: bytes) -> str:
    """The SM3 digest of `data` as 64 lower-case hex characters."""
    return sm3_digest(data).hex()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    """HMAC-SM3 (RFC 2104 with SM3) of `data` under `key`."""
    return bytes(gmssl_pyx.sm3_hmac(key, data))


# --- SM2 -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sm2KeyPair:
    """An SM2 key pair: 64-byte public key (x‖y) and 32-byte private key."""

    public_key: bytes
    private_key: bytes


def sm2_generate_key_pair() -> Sm2KeyPair:
    """A fresh SM2 key pair from GmSSL's random source."""
    public_key, private_key = gmssl_pyx.sm2_key_generate()
    return Sm2KeyPair(public_key=bytes(public_key), private_key=bytes(private_key))


# GB/T 32918.5 recommended curve parameters (the only curve SM2 uses).
_SM2_P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
_SM2_A = _SM2_P - 3
_SM2_N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
_SM2_G = (
    0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7,
    0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0,
)


def _sm2_add(left: tuple[int, int] | None, right: tuple[int, int] | None) -> tuple[int, int] | None:
    if left is None:
        return right
    if right is None:
        return left
    (x1, y1), (x2, y2) = left, right
    if x1 == x2 and (y1 + y2) % _SM2_P == 0:
        return None
    if left == right:
        slope = (3 * x1 * x1 + _SM2_A) * pow(2 * y1, -1, _SM2_P) % _SM2_P
    else:
        slope = (y2 - y1) * pow(x2 - x1, -1, _SM2_P) % _SM2_P
    x3 = (slope * slope - x1 - x2) % _SM2_P
    return x3, (slope * (x1 - x3) - y1) % _SM2_P


def sm2_key_pair_from_secret(secret: bytes) -> Sm2KeyPair:
    """The SM2 key pair whose private key is derived from `secret` (32 bytes or more of key material).

    For keys that must not be stored anywhere: the platform derives them from the master key when it needs
    them, so that no one who can only write the database can sign in the platform's name.
    """
    if len(secret) < 32:
        raise CryptoError("an SM2 key needs at least 32 bytes of secret material")
    scalar = int.from_bytes(secret, "big") % (_SM2_N - 2) + 1
    point: tuple[int, int] | None = None
    addend: tuple[int, int] | None = _SM2_G
    remaining = scalar
    while remaining:  # double-and-add; runs once per process per key, not on a hot path
        if remaining & 1:
            point = _sm2_add(point, addend)
        addend = _sm2_add(addend, addend)
        remaining >>= 1
    assert point is not None
    public_key = point[0].to_bytes(32, "big") + point[1].to_bytes(32, "big")
    return Sm2KeyPair(public_key=public_key, private_key=scalar.to_bytes(32, "big"))


def sm2_sign(key_pair: Sm2KeyPair, message: bytes, *, signer_id: bytes = SM2_DEFAULT_SIGNER_ID) -> bytes:
    """SM3withSM2 signature (GB/T 32918, with the Z value over `signer_id`), DER-encoded."""
    try:
        return bytes(gmssl_pyx.sm2_sign(key_pair.private_key, key_pair.public_key, message, signer_id=signer_id))
    except gmssl_pyx.GmsslInnerError as error:
        raise CryptoError(f"SM2 signing failed: {error}") from error


def sm2_verify(
    public_key: bytes, message: bytes, signature: bytes, *, signer_id: bytes = SM2_DEFAULT_SIGNER_ID
) -> bool:
    """True when `signature` (DER) is a valid SM3withSM2 signature of `message` under `public_key`."""
    try:
        return bool(gmssl_pyx.sm2_verify(public_key, message, signature, signer_id=signer_id))
    except gmssl_pyx.GmsslInnerError:
        return False


# --- keys derived from the master key -------------------------------------------------------------


def _master_key() -> bytes:
    return _parsed_master_key(settings.YIWANG_MASTER_KEY)


@cache
def _parsed_master_key(raw: str) -> bytes:
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        raise CryptoError("YIWANG_MASTER_KEY must be 64 hexadecimal characters (32 bytes)") from None
    if len(key) != 32:
        raise CryptoError("YIWANG_MASTER_KEY must be 64 hexadecimal characters (32 bytes)")
    return key


@cache
def _derived_key(master: bytes, purpose: str, length: int) -> bytes:
    return hmac_sm3(master, b"yiwang-key-derivation:" + purpose.encode("utf-8"))[:length]


def derive_key(purpose: str, length: int = 32) -> bytes:
    """A key for one purpose, derived from the master key with HMAC-SM3 (at most 32 bytes)."""
    if not 1 <= length <= 32:
        raise CryptoError("derived keys are 1 to 32 bytes long")
    return _derived_key(_master_key(), purpose, length)


# --- SM4 field encryption ----------------------------------------------------------------------------


class FieldCipher:
    """SM4-GCM field encryption under the key of the moment, derived once: for loops over many values.

    A token is `v1.<base64url(nonce ‖ ciphertext ‖ tag)>`; the version names the key generation. `context`
    (e.g. the column, or a record's resource and key) is bound as associated data: a token opens only in the
    context it was made for.
    """

    def __init__(self) -> None:
        self._key = derive_key("field-encryption/sm4", 16)

    def encrypt(self, plaintext: str, *, context: str) -> str:
        """Encrypt a value for `context`."""
        # The kernel's CSPRNG: as unpredictable as GmSSL's and ~30x cheaper per call (docs/benchmarks.md).
        nonce = os.urandom(_NONCE_BYTES)
        ciphertext, tag = gmssl_pyx.sm4_gcm_encrypt(
            self._key, nonce, context.encode("utf-8"), plaintext.encode("utf-8")
        )
        body = base64.urlsafe_b64encode(nonce + bytes(ciphertext) + bytes(tag)).decode("ascii").rstrip("=")
        return f"{FIELD_TOKEN_VERSION}.{body}"

    def decrypt(self, token: str, *, context: str) -> str:
        """Open a token made for the same context; raise CryptoError if it was altered."""
        version, _sep, body = token.partition(".")
        if version != FIELD_TOKEN_VERSION or not body:
            raise CryptoError(f"unknown field token version {version!r}")
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError) as error:
            raise CryptoError("field token is not base64url") from error
        if len(raw) < _NONCE_BYTES + _TAG_BYTES:
            raise CryptoError("field token is too short")
        nonce, ciphertext, tag = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:-_TAG_BYTES], raw[-_TAG_BYTES:]
        try:
            plaintext = gmssl_pyx.sm4_gcm_decrypt(self._key, nonce, context.encode("utf-8"), ciphertext, tag)
        except gmssl_pyx.GmsslInnerError as error:
            raise CryptoError("field token failed authentication (wrong key, context or altered data)") from error
        return bytes(plaintext).decode("utf-8")


def encrypt_field(plaintext: str, *, context: str) -> str:
    """Encrypt one value with SM4-GCM for `context` (see `FieldCipher`)."""
    return FieldCipher().encrypt(plaintext, context=context)


def decrypt_field(token: str, *, context: str) -> str:
    """Open one token made by `encrypt_field` for the same context; raise CryptoError if it was altered."""
    return FieldCipher().decrypt(token, context=context)


class BlindIndex:
    """HMAC-SM3 under one purpose's key, derived once: equality lookups without the plaintext."""

    def __init__(self, purpose: str) -> None:
        self._key = derive_key(f"blind-index/{purpose}")

    def __call__(self, value: str) -> str:
        return bytes(gmssl_pyx.sm3_hmac(self._key, value.encode("utf-8"))).hex()


def blind_index(value: str, *, purpose: str) -> str:
    """The blind index of one value for `purpose` (see `BlindIndex`)."""
    return BlindIndex(purpose)(value)


def constant_time_equal(left: bytes | str, right: bytes | str) -> bool:
    """Compare secrets without leaking where they differ."""
    left_bytes = left.encode("utf-8") if isinstance(left, str) else left
    right_bytes = right.encode("utf-8") if isinstance(right, str) else right
    return hmac.compare_digest(left_bytes, right_bytes)
