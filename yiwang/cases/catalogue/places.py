"""Places of the city as the catalogue sees them: a division code and the districts and streets above it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from yiwang.core.errors import ValidationFailed
from yiwang.org import selectors as org_selectors
from yiwang.org.selectors import DivisionInfo

CITY_LEVEL = "city"
DISTRICT_LEVEL = "county"
STREET_LEVEL = "township"
COMMUNITY_LEVEL = "village"
# Significant digits of a code at each level: city, district, street (街道), community (社区).
CITY_DIGITS, DISTRICT_DIGITS, STREET_DIGITS, COMMUNITY_DIGITS = 4, 6, 9, 12


def division_ancestry(code: str) -> list[str]:
    """The division itself and the districts and streets above it, most specific first, by code prefix (a
    community 419802001001 → [419802001001, 419802001, 419802]); a city code or an empty code gives none."""
    code = code.strip()
    if len(code) == COMMUNITY_DIGITS:
        return [code, code[:STREET_DIGITS], code[:DISTRICT_DIGITS]]
    if len(code) == STREET_DIGITS:
        return [code, code[:DISTRICT_DIGITS]]
    if len(code) == DISTRICT_DIGITS and not code.endswith("00"):
        return [code]
    return []


def street_of(code: str) -> str:
    """The street (街道) code a division code lies in, or "" for a district, the city or nothing."""
    return code[:STREET_DIGITS] if len(code) >= STREET_DIGITS else ""


def district_of(code: str) -> str:
    """The district code a division code lies in, or "" for the city or nothing."""
    ancestry = division_ancestry(code)
    return ancestry[-1] if ancestry else ""


def platform_cities() -> list[DivisionInfo]:
    """The divisions of city level the platform serves: those where its units are (all of them when it has none
    yet). The top of the tree is provinces, then their cities."""
    cities: list[DivisionInfo] = []
    for top in org_selectors.division_children(parent_code=None):
        if top.level == CITY_LEVEL:
            cities.append(top)
            continue
        children = org_selectors.division_children(parent_code=top.code)
        cities.extend(child for child in children if child.level == CITY_LEVEL)
    served = {department.division_code[:CITY_DIGITS] for department in org_selectors.department_list()}
    return [city for city in cities if city.code[:CITY_DIGITS] in served] or cities


def division_in_city(code: str, *, field: str) -> DivisionInfo:
    """The division with this code, which must be the city or a district, street or community inside it."""
    division = org_selectors.division_get(code=code.strip())
    if division is None:
        raise ValidationFailed(_("No division has code %(code)s.") % {"code": code}, field=field)
    for city in platform_cities():
        if division.code == city.code or (
            division.level != CITY_LEVEL and division.code.startswith(org_selectors.division_subtree_prefix(city))
        ):
            return division
    raise ValidationFailed(
        _("%(name)s (%(code)s) is not in the city: choose the city or a district, street or community of it.")
        % {"name": division.name, "code": division.code},
        field=field,
    )
