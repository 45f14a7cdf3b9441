"""The published shape of a resource, as ingestion, validation and the gateway use it."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import Any

ELEMENT_FIELDS = (
    "code", "name", "data_type", "length", "required", "enumeration", "sensitive", "is_key", "lookup", "concept",
    "rules",
)  # fmt: skip


@dataclass(frozen=True)
class ElementSpec:
    """One data element as published."""

    code: str
    name: str
    data_type: str
    length: int | None
    required: bool
    enumeration: tuple[str, ...]
    sensitive: bool
    is_key: bool
    lookup: bool
    concept: str
    rules: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "data_type": self.data_type,
            "length": self.length,
            "required": self.required,
            "enumeration": list(self.enumeration),
            "sensitive": self.sensitive,
            "is_key": self.is_key,
            "lookup": self.lookup,
            "concept": self.concept,
            "rules": self.rules,
        }

    @classmethod
    def from_object(cls, item: Any) -> ElementSpec:
        """The spec of anything with the element attributes (a catalog row, a built-in registry's definition)."""
        return cls.from_json({field: getattr(item, field) for field in ELEMENT_FIELDS})

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ElementSpec:
        return cls(
            code=data["code"],
            name=data["name"],
            data_type=data["data_type"],
            length=data.get("length"),
            required=bool(data.get("required")),
            enumeration=tuple(data.get("enumeration") or ()),
            sensitive=bool(data.get("sensitive")),
            is_key=bool(data.get("is_key")),
            lookup=bool(data.get("lookup")),
            concept=data.get("concept", ""),
            rules=dict(data.get("rules") or {}),
        )


# Departments' templates mark columns: "*姓名", "姓名*", "姓名(必填)". The mark is not part of the name.
_HEADER_MARKS = ("(必填)", "(选填)", "(可选)", "(必填项)", "(选填项)")


def header_token(text: str) -> str:
    """How a column header is compared: full-width folded, spaces, case and required/optional marks ignored."""
    token = "".join(unicodedata.normalize("NFKC", text).split()).lower()
    for mark in _HEADER_MARKS:
        token = token.removesuffix(mark)
    return token.strip("*※")


@dataclass(frozen=True)
class ResourceSchema:
    """A published version of a resource: what a file for it must contain and how values are checked."""

    resource_id: int
    slug: str
    code: str
    name: str
    version: int
    source_department_id: int | None
    lenient_identifiers: bool
    update_cycle: str
    elements: tuple[ElementSpec, ...]

    @cached_property
    def key_elements(self) -> tuple[ElementSpec, ...]:
        return tuple(element for element in self.elements if element.is_key)

    @cached_property
    def key_is_sensitive(self) -> bool:
        return any(element.sensitive for element in self.key_elements)

    def element_for_header(self, header: str) -> ElementSpec | None:
        """The element a column header names, by element name or code."""
        token = header_token(header)
        for element in self.elements:
            if token in {header_token(element.name), header_token(element.code)}:
                return element
        return None

    def element(self, code: str) -> ElementSpec:
        for element in self.elements:
            if element.code == code:
                return element
        raise KeyError(code)
