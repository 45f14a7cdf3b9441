"""The demo city's grid (网格): two cells in every community, walked by the grid worker of their street.

Each street office has one grid worker, `grid.<district><n>` for the n-th street of a district (see `city.py`); the
worker is assigned to every cell of the street's communities. Plain data, no database.
"""

from __future__ import annotations

from dataclasses import dataclass

from yiwang.demo.city import District, districts

CELLS_PER_COMMUNITY = 2
# (number, name suffix, boundaries): the community split along its main road.
_CELLS = (
    ("01", "第一网格", "主干道以东、以北的楼院和沿街商铺"),
    ("02", "第二网格", "主干道以西、以南的楼院、背街小巷和农贸市场"),
)


@dataclass(frozen=True)
class DemoCell:
    """A grid cell of a community."""

    code: str  # the community's code and two digits
    name: str
    description: str
    street_code: str


@dataclass(frozen=True)
class StreetWorker:
    """The grid worker of a street and the cells they walk."""

    username: str
    street_code: str
    cell_codes: tuple[str, ...]


def grid_cells(city: tuple[District, ...] | None = None) -> tuple[DemoCell, ...]:
    """Every cell of the city, in code order."""
    city = city if city is not None else districts()
    return tuple(
        DemoCell(
            code=f"{community_code}{number}",
            name=f"{community_name}{suffix}",
            description=f"{community_name}{boundaries}",
            street_code=street.code,
        )
        for district in city
        for street in district.streets
        for community_code, community_name in street.communities
        for number, suffix, boundaries in _CELLS[:CELLS_PER_COMMUNITY]
    )


def street_workers(city: tuple[District, ...] | None = None) -> tuple[StreetWorker, ...]:
    """The grid worker of every street (as `city.py` names them) with the cells of the street's communities."""
    city = city if city is not None else districts()
    cells = grid_cells(city)
    return tuple(
        StreetWorker(
            username=f"grid.{district.romanised}{number}",
            street_code=street.code,
            cell_codes=tuple(cell.code for cell in cells if cell.street_code == street.code),
        )
        for district in city
        for number, street in enumerate(district.streets, start=1)
    )
