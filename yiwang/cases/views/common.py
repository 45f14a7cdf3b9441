"""What the case pages share: who may open them, the options of their select boxes, the routing suggestion and
the catalogue's proposal as the pages show them, and refusals as pages."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import pgettext

from yiwang.cases import catalogue
from yiwang.cases.catalogue.places import platform_cities
from yiwang.cases.forms import Choices
from yiwang.cases.routing import route
from yiwang.core.errors import NotFound, YiwangError
from yiwang.core.errors import PermissionDenied as NotPermitted
from yiwang.core.forms import add_service_error
from yiwang.identity.roles import Role
from yiwang.org.selectors import department_list, division_children

logger = logging.getLogger(__name__)

HOTLINE = (Role.OPERATOR, Role.DISPATCHER, Role.PLATFORM_ADMIN)
DISPATCHERS = (Role.DISPATCHER, Role.PLATFORM_ADMIN)
OVERSIGHT = (Role.SUPERVISOR, Role.LEADER)
# Everyone who works on cases in the console; window clerks and others have nothing here.
CONSOLE = (*HOTLINE, Role.HANDLER, Role.GRID_WORKER, *OVERSIGHT)
OVERDUE_READERS = (*HOTLINE, Role.HANDLER, *OVERSIGHT)
PLACE_SEPARATOR = " › "


def refuse_unreachable(error: YiwangError) -> None:
    """What the viewer may not reach is a 404 or a 403 page; other errors are for the page to show."""
    if isinstance(error, NotFound):
        raise Http404(str(error)) from None
    if isinstance(error, NotPermitted):
        raise PermissionDenied(str(error)) from None


def add_error(form: forms.BaseForm, error: YiwangError, renamed: dict[str, str] | None = None) -> None:
    """A service's error next to the form's field of that name (or the field it is `renamed` to)."""
    if renamed and error.field in renamed:
        error.field = renamed[error.field]
    add_service_error(form, error)


def partial_requested(request: HttpRequest) -> bool:
    # htmx restoring a page from history wants the whole page, although it sends HX-Request too.
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ["HX-Request"])  # the same address answers a page and a fragment
    return response


# --- select boxes ---------------------------------------------------------------------------------------------


def place_options() -> list[tuple[str, str]]:
    """The districts, streets and communities of the platform's cities, each with its path."""
    options: list[tuple[str, str]] = []

    def walk(code: str, path: str, depth: int) -> None:
        for child in division_children(parent_code=code):
            label = f"{path}{PLACE_SEPARATOR}{child.name}" if path else child.name
            options.append((child.code, label))
            if depth < 3:
                walk(child.code, label, depth + 1)

    for city in platform_cities():
        walk(city.code, "", 1)
    return options


def cell_options(cells: Iterable[catalogue.GridCellInfo]) -> list[tuple[str, str]]:
    return [(cell.code, f"{cell.name}（{cell.division_name}）") for cell in cells]


def category_options() -> list[tuple[str, list[tuple[str, str]]]]:
    """The leaves of the taxonomy (what a case is filed under), grouped under their headings."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []

    def leaves(node: catalogue.CategoryNode) -> list[tuple[str, str]]:
        if not node.children:
            return [(node.category.code, f"{node.category.code} {node.category.name}")]
        return [leaf for child in node.children for leaf in leaves(child)]

    for heading in catalogue.category_tree(active_only=True):
        found = leaves(heading)
        if heading.children:
            groups.append((f"{heading.category.code} {heading.category.name}", found))
        else:  # a heading without subcategories is a leaf of its own
            groups.append((pgettext("case category", "Other"), found))
    return groups


def unit_options() -> list[tuple[int, str]]:
    return [(unit.id, unit.name) for unit in department_list()]


def choices_for(*, places: bool = False, cells: Iterable[catalogue.GridCellInfo] = (), categories: bool = False,
                units: bool = False) -> Choices:  # fmt: skip
    """The options a page's forms need, read once per request."""
    return Choices(
        places=place_options() if places else (),
        cells=cell_options(cells),
        categories=category_options() if categories else (),
        units=unit_options() if units else (),
    )


# --- routing and the catalogue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """A unit or category the router proposes, with its confidence."""

    value: str  # department id or category code
    name: str
    confidence: float

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)


@dataclass(frozen=True)
class Routing:
    units: list[Option]
    categories: list[Option]
    available: bool  # False: no routing model could be asked (the page says so)


def routing_for(text: str, *, division_code: str = "") -> Routing:
    """The router's top three units and categories for a text (nothing when there is hardly any text)."""
    if len(text.strip()) < 4:
        return Routing([], [], True)
    try:
        proposal = route(text, division_code=division_code, top=3)
    except YiwangError:  # the stored model was refused (its digest), or the text was: choose by hand
        return Routing([], [], False)
    except Exception:  # a broken model must not stop the call being taken
        logger.exception("routing failed")
        return Routing([], [], False)
    return Routing(
        units=[
            Option(
                value=str(unit.department_id) if unit.department_id is not None else "",
                name=str(unit.name),
                confidence=float(unit.confidence),
            )
            for unit in proposal.units
        ],
        categories=[
            Option(value=category.code, name=category.name, confidence=float(category.confidence))
            for category in proposal.categories
        ],
        available=True,
    )


def proposal_for(text: str, *, division_code: str = "") -> dict[str, Any]:
    """What the router proposes for the text (its first unit and category), as `case_dispatch` keeps it beside the
    dispatcher's choice: the training data of the next model."""
    routing = routing_for(text, division_code=division_code)
    unit = routing.units[0].value if routing.units else ""
    return {
        "proposed_department_id": int(unit) if unit.isdigit() else None,
        "proposed_category_code": routing.categories[0].value if routing.categories else "",
    }


@dataclass(frozen=True)
class CatalogueAdvice:
    """The dispatch catalogue's answer for a category at a place: its proposal, or why there is none."""

    category_code: str
    proposal: catalogue.DispatchProposal | None
    reason: str


def catalogue_advice(*, category_code: str, division_code: str) -> CatalogueAdvice | None:
    if not category_code:
        return None
    lookup = catalogue.dispatch_lookup(category_code=category_code, division_code=division_code)
    return CatalogueAdvice(category_code=category_code, proposal=lookup.proposal, reason=str(lookup.reason))


def client_address(request: HttpRequest) -> str:
    from yiwang.core.audit.middleware import client_ip

    return client_ip(request) or ""
