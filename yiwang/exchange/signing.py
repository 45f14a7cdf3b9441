"""How gateway requests are signed (HMAC-SM3), in one place for the gateway and the client.

The algorithm is specified, with a test vector, in docs/exchange-signing.md; keep the two in step.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote

from yiwang.core.crypto import constant_time_equal, hmac_sm3, sm3_hex

HEADER_APP_KEY = "X-App-Key"
HEADER_TIMESTAMP = "X-Timestamp"
HEADER_NONCE = "X-Nonce"
HEADER_SIGNATURE = "X-Signature"
HEADER_USER_ID = "X-User-Id"
HEADER_CASE_REF = "X-Case-Ref"
HEADER_PURPOSE = "X-Purpose"

MAX_CLOCK_SKEW = 300  # seconds, either way
NONCE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
TIMESTAMP_PATTERN = re.compile(r"^[0-9]{1,12}$")
_UNRESERVED = "-._~"  # RFC 3986 unreserved characters besides letters and digits: never encoded


def _encode(text: str) -> str:
    return quote(text, safe=_UNRESERVED, encoding="utf-8")


def canonical_path(path: str) -> str:
    """The path with every segment decoded and then encoded after RFC 3986 (slashes kept)."""
    return "/".join(_encode(unquote(segment)) for segment in path.split("/"))


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """name=value pairs, each side encoded after RFC 3986, sorted by name then value, joined with '&'."""
    encoded = sorted((_encode(name), _encode(value)) for name, value in pairs)
    return "&".join(f"{name}={value}" for name, value in encoded)


def query_pairs(query_string: str) -> list[tuple[str, str]]:
    """The decoded pairs of a raw query string ('+' is a space, as browsers and urllib send it)."""
    return parse_qsl(query_string, keep_blank_values=True)


def string_to_sign(
    *, method: str, path: str, query: Iterable[tuple[str, str]], body: bytes, timestamp: str, nonce: str
) -> str:
    """The six lines that are signed: method, path, query, SM3 of the body, timestamp, nonce."""
    return "\n".join([method.upper(), canonical_path(path), canonical_query(query), sm3_hex(body), timestamp, nonce])


def signature(secret: str, text: str) -> str:
    """HMAC-SM3 of the string to sign under the secret (both UTF-8), as 64 lower-case hex characters."""
    return hmac_sm3(secret.encode("utf-8"), text.encode("utf-8")).hex()


def signature_matches(secret: str, text: str, given: str) -> bool:
    return constant_time_equal(signature(secret, text), given.strip().lower())


@dataclass(frozen=True)
class SignedHeaders:
    """What a client sends besides its body."""

    app_key: str
    timestamp: str
    nonce: str
    signature: str
    user_id: str
    purpose: str
    case_ref: str = ""

    def as_dict(self) -> dict[str, str]:
        headers = {
            HEADER_APP_KEY: self.app_key,
            HEADER_TIMESTAMP: self.timestamp,
            HEADER_NONCE: self.nonce,
            HEADER_SIGNATURE: self.signature,
            HEADER_USER_ID: _header_text(self.user_id),
            HEADER_PURPOSE: _header_text(self.purpose),
        }
        if self.case_ref:
            headers[HEADER_CASE_REF] = _header_text(self.case_ref)
        return headers


def _header_text(text: str) -> str:
    """Header values are Latin-1 on the wire: Chinese text travels percent-encoded (UTF-8)."""
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return _encode(text)
    return text


def header_text(raw: str) -> str:
    """A header value as the client meant it (percent-decoded when it was encoded)."""
    return unquote(raw) if "%" in raw else raw


def sign(
    *,
    app_key: str,
    secret: str,
    method: str,
    path: str,
    query: Iterable[tuple[str, str]] = (),
    body: bytes = b"",
    timestamp: str,
    nonce: str,
    user_id: str,
    purpose: str,
    case_ref: str = "",
) -> SignedHeaders:
    """The headers of a signed request."""
    text = string_to_sign(method=method, path=path, query=query, body=body, timestamp=timestamp, nonce=nonce)
    return SignedHeaders(
        app_key=app_key,
        timestamp=timestamp,
        nonce=nonce,
        signature=signature(secret, text),
        user_id=user_id,
        purpose=purpose,
        case_ref=case_ref,
    )
