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


# The roles of the data hub's authorization matrices: "data_admin" is 公安局's data administrator,
# "other_data_admin" 民政局's (see the `registries` and `clients` fixtures).
ROLES = ["anonymous", "citizen", "staff", "staff_other", "data_admin", "other_data_admin", "admin"]


def row(
    anonymous: int, citizen: int, staff: int, staff_other: int, data_admin: int, other_data_admin: int, admin: int
) -> dict[str, int]:
    """The expected status code per role, in the order of ROLES."""
    values = (anonymous, citizen, staff, staff_other, data_admin, other_data_admin, admin)
    return dict(zip(ROLES, values, strict=True))
