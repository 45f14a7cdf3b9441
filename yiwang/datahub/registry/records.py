"""How a record is stored: its key, and its sensitive values sealed with SM4 under the resource and key."""

from __future__ import annotations

from typing import Any

import orjson
from django.db import connection

from yiwang.core.crypto import BlindIndex, FieldCipher, sm3_hex
from yiwang.datahub.catalog.schema import ResourceSchema

KEY_SEPARATOR = "\x1f"
MAX_PLAIN_KEY = 128


class RecordCipher:
    """Seals and opens the sensitive values of one resource's records, with the key derived once.

    One SM4-GCM token per record, bound to the resource and the record's key: a token moved to another record
    does not open.
    """

    def __init__(self, resource_id: int) -> None:
        self.resource_id = resource_id
        self._cipher = FieldCipher()

    def seal(self, key: str, values: dict[str, str]) -> str:
        """Encrypt a record's sensitive values (an empty string when there are none)."""
        if not values:
            return ""
        text = orjson.dumps(values, option=orjson.OPT_SORT_KEYS).decode("utf-8")
        return self._cipher.encrypt(text, context=f"datahub.record/{self.resource_id}/{key}")

    def unseal(self, key: str, token: str) -> dict[str, str]:
        """Decrypt a record's sensitive values."""
        if not token:
            return {}
        text = self._cipher.decrypt(token, context=f"datahub.record/{self.resource_id}/{key}")
        values: dict[str, str] = orjson.loads(text)
        return values


class RecordKeys:
    """How one resource's records are keyed and looked up, with the blind-index keys derived once.

    A key with a sensitive element is stored as its blind index, as are the values of looked-up elements.
    """

    def __init__(self, schema: ResourceSchema) -> None:
        self.schema = schema
        self._key_index = BlindIndex(f"datahub/{schema.slug}/key") if schema.key_is_sensitive else None
        self._lookups: dict[str, BlindIndex] = {}

    def key(self, values: dict[str, str]) -> str:
        """The stored key of a record: its key values joined; a blind index when any key element is sensitive."""
        raw = KEY_SEPARATOR.join(values[element.code] for element in self.schema.key_elements)
        if self._key_index is not None:
            return self._key_index(raw)
        if len(raw) > MAX_PLAIN_KEY:
            return "sm3:" + sm3_hex(raw.encode("utf-8"))[:60]
        return raw

    def lookup(self, element_code: str, value: str) -> str:
        """The blind index of a looked-up sensitive element's value."""
        index = self._lookups.get(element_code)
        if index is None:
            index = self._lookups[element_code] = BlindIndex(f"datahub/{self.schema.slug}/{element_code}")
        return index(value)


def record_key(schema: ResourceSchema, values: dict[str, str]) -> str:
    """The stored key of one record (see `RecordKeys`)."""
    return RecordKeys(schema).key(values)


def lookup_digest(schema: ResourceSchema, element_code: str, value: str) -> str:
    """The blind index of one looked-up sensitive element's value (see `RecordKeys`)."""
    return RecordKeys(schema).lookup(element_code, value)


def seal(resource_id: int, key: str, values: dict[str, str]) -> str:
    """Encrypt one record's sensitive values (see `RecordCipher`)."""
    return RecordCipher(resource_id).seal(key, values)


def unseal(resource_id: int, key: str, token: str) -> dict[str, str]:
    """Decrypt one record's sensitive values (see `RecordCipher`)."""
    return RecordCipher(resource_id).unseal(key, token)


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
