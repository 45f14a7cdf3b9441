"""How a record is stored: its key, and its sensitive values sealed with SM4 under the resource and key."""

from __future__ import annotations

import orjson

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
