"""Small builders the data hub's tests share."""

from typing import Any

from yiwang.datahub.catalog.schema import ElementSpec


def element(code: str, name: str, data_type: str = "string", **extra: Any) -> ElementSpec:
    """An element spec with the defaults of a new catalog row; `extra` sets the rest (required, concept, …)."""
    values: dict[str, Any] = {
        "length": None, "required": False, "enumeration": (), "sensitive": False, "is_key": False,
        "lookup": False, "concept": "", "rules": {},
    }  # fmt: skip
    values.update(extra)
    return ElementSpec(code=code, name=name, data_type=data_type, **values)
