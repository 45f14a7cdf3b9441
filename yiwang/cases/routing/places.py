"""属地: which street office or district government a case's place belongs to.

Division codes nest by prefix (district 419802, street 419802001, community 419802001001), so the street of a
community is its first nine digits and its district the first six.
"""

from __future__ import annotations

from dataclasses import dataclass

from yiwang.cases.routing.examples import DISTRICT_GOVERNMENT, STREET_OFFICE
from yiwang.org.selectors import department_list

STREET_DIGITS = 9
DISTRICT_DIGITS = 6


@dataclass(frozen=True)
class LocalUnits:
    """The street offices and district governments by the code of their division."""

    streets: dict[str, tuple[int, str]]
    districts: dict[str, tuple[int, str]]

    def resolve(self, locality: str, division_code: str) -> tuple[int, str] | None:
        """The unit answering for `locality` ("street" or "district") at this place, if the place says which.

        A street matter in a place known only to its district goes to the district government, which passes it on.
        """
        code = division_code.strip()
        if not code:
            return None
        district = self.districts.get(code[:DISTRICT_DIGITS])
        if locality == "street":
            street = self.streets.get(code[:STREET_DIGITS]) if len(code) >= STREET_DIGITS else None
            return street or district
        if locality == "district":
            return district
        return None


def local_units() -> LocalUnits:
    """Every active street office and district government, by division code."""
    return LocalUnits(
        streets={unit.division_code: (unit.id, unit.name) for unit in department_list(kind=STREET_OFFICE)},
        districts={unit.division_code: (unit.id, unit.name) for unit in department_list(kind=DISTRICT_GOVERNMENT)},
    )
