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
