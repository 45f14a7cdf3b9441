"""How a record is stored: its key, and its sensitive values sealed with SM4 under the resource and key."""

from __future__ import annotations

from typing import Any

import orjson
from django.db import connection

from yiwang.core.crypto import blind_index, decrypt_field, encrypt_field, sm3_hex
from yiwang.datahub.catalog.schema import ResourceSchema

KEY_SEPARATOR = "\x1f"
MAX_PLAIN_KEY = 128


def record_key(schema: ResourceSchema, values: dict[str, str]) -> str:
    """The stored key of a record: its key values joined; a blind index when any key element is sensitive."""
    raw = KEY_SEPARATOR.join(values[element.code] for element in schema.key_elements)
    if schema.key_is_sensitive:
        return blind_index(raw, purpose=f"datahub/{schema.slug}/key")
    if len(raw) > MAX_PLAIN_KEY:
        return "sm3:" + sm3_hex(raw.encode("utf-8"))[:60]
    return raw


def lookup_digest(schema: ResourceSchema, element_code: str, value: str) -> str:
    """The blind index of a looked-up sensitive element's value."""
    return blind_index(value, purpose=f"datahub/{schema.slug}/{element_code}")


def seal(resource_id: int, key: str, values: dict[str, str]) -> str:
    """Encrypt a record's sensitive values (an empty string when there are none)."""
    if not values:
        return ""
    text = orjson.dumps(values, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    return encrypt_field(text, context=f"datahub.record/{resource_id}/{key}")


def unseal(resource_id: int, key: str, token: str) -> dict[str, str]:
    """Decrypt a record's sensitive values."""
    if not token:
        return {}
    values: dict[str, str] = orjson.loads(decrypt_field(token, context=f"datahub.record/{resource_id}/{key}"))
    return values


def json_object(value: Any) -> dict[str, Any]:
    """A JSON object column read by raw SQL: text on both databases (Django leaves jsonb unparsed), or a dict."""
    if isinstance(value, dict):
        return value
    loaded: dict[str, Any] = orjson.loads(value) if value else {}
    return loaded


def records_after(resource_id: int, *, after: int, limit: int) -> list[tuple[int, str, dict[str, Any], str, Any]]:
    """The next `limit` records of a resource in id order: (id, key, plain values, sealed token, provenance).

    Raw SQL with orjson: for passes over millions of records, the ORM's per-row JSON decoding costs more than
    the pass itself.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, key, data, protected, provenance FROM datahub_record "
            "WHERE resource_id = %s AND id > %s ORDER BY id LIMIT %s",
            [resource_id, after, limit],
        )
        return [
            (pk, key, json_object(data), protected, json_object(provenance))
            for pk, key, data, protected, provenance in cursor.fetchall()
        ]
