"""The signature algorithm: the documented test vectors, an independent HMAC, canonical forms."""

from __future__ import annotations

import hmac
import re
from pathlib import Path

import pytest

from yiwang.exchange.signing import (
    canonical_path,
    canonical_query,
    header_text,
    query_pairs,
    sign,
    signature,
    string_to_sign,
)

DOC = Path(__file__).resolve().parents[3] / "docs" / "exchange-signing.md"
SECRET = "s3cr3t-示例-key"
BODY = '{"values":{"id_number":"41980219850512068X","name":"李四"}}'.encode()


def _documented_signatures() -> list[str]:
    return re.findall(r"X-Signature: `([0-9a-f]{64})`", DOC.read_text(encoding="utf-8"))


def test_vector_without_body_matches_the_documentation() -> None:
    text = string_to_sign(
        method="GET",
        path="/gateway/v1/population/records/419802199003070031",
        query=[],
        body=b"",
        timestamp="1795420800",
        nonce="c2FtcGxlLW5vbmNlLTAy",
    )
    assert signature(SECRET, text) == _documented_signatures()[0]
    assert f"```\n{text}\n```" in DOC.read_text(encoding="utf-8")


def test_vector_with_body_and_unordered_query_matches_the_documentation() -> None:
    text = string_to_sign(
        method="post",
        path="/gateway/v1/population/verify",
        query=query_pairs("elements=name,id_number&b=2&a=x+y"),
        body=BODY,
        timestamp="1795420800",
        nonce="c2FtcGxlLW5vbmNlLTAx",
    )
    assert text.splitlines()[2] == "a=x%20y&b=2&elements=name%2Cid_number"
    assert signature(SECRET, text) == _documented_signatures()[1]
    assert f"```\n{text}\n```" in DOC.read_text(encoding="utf-8")
    assert f"({len(BODY)} bytes, UTF-8, exactly): `{BODY.decode()}`" in DOC.read_text(encoding="utf-8")


@pytest.mark.skipif("sm3" not in __import__("hashlib").algorithms_available, reason="OpenSSL without SM3")
def test_hmac_agrees_with_an_independent_implementation() -> None:
    text = "GET\n/x\n\n" + "0" * 64 + "\n1\nabcdefghijklmnop"
    assert signature(SECRET, text) == hmac.new(SECRET.encode(), text.encode(), "sm3").hexdigest()


def test_query_order_and_encoding_do_not_change_the_canonical_form() -> None:
    first = canonical_query(query_pairs("b=2&a=1&a=0&name=%E5%BC%A0%E4%B8%89"))
    second = canonical_query(query_pairs("name=张三&a=0&b=2&a=1"))
    assert first == second == "a=0&a=1&b=2&name=%E5%BC%A0%E4%B8%89"
    assert canonical_query([]) == ""


def test_path_segments_are_encoded_once_whatever_the_client_sent() -> None:
    assert canonical_path("/gateway/v1/population/records/a b") == "/gateway/v1/population/records/a%20b"
    assert canonical_path("/gateway/v1/population/records/a%20b") == "/gateway/v1/population/records/a%20b"
    assert canonical_path("/gateway/v1/population/records:batch") == "/gateway/v1/population/records%3Abatch"


def test_every_signed_part_changes_the_signature() -> None:
    base = {
        "method": "POST",
        "path": "/gateway/v1/population/query",
        "query": [("a", "1")],
        "body": b"{}",
        "timestamp": "1795420800",
        "nonce": "n" * 16,
    }
    reference = signature(SECRET, string_to_sign(**base))  # type: ignore[arg-type]
    for part, value in [
        ("method", "GET"),
        ("path", "/gateway/v1/population/verify"),
        ("query", [("a", "2")]),
        ("body", b"{ }"),
        ("timestamp", "1795420801"),
        ("nonce", "m" * 16),
    ]:
        assert signature(SECRET, string_to_sign(**(base | {part: value}))) != reference, part  # type: ignore[arg-type]
    assert signature("another secret", string_to_sign(**base)) != reference  # type: ignore[arg-type]


def test_chinese_header_values_travel_percent_encoded() -> None:
    headers = sign(
        app_key="ywkey",
        secret=SECRET,
        method="GET",
        path="/gateway/v1/x",
        timestamp="1",
        nonce="n" * 16,
        user_id="clerk-1",
        purpose="低保审核",
        case_ref="DB-1",
    ).as_dict()
    headers["X-Purpose"].encode("latin-1")
    assert header_text(headers["X-Purpose"]) == "低保审核"
    assert header_text(headers["X-User-Id"]) == "clerk-1"
