"""Loading the demo city's 12345 hotline through the cases app's services: the taxonomy, the dispatch catalogue, the
units' responsibility lists, the grid and its workers, a history of concluded cases, the knowledge base, and a
router trained on all of it.

Each step adds only what is missing, so a load that stopped half way is finished by running it again: the history
is imported in one transaction together with a mark in the audit log, and the router is trained again only when
the history was just imported or no model is in use.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from yiwang.cases import catalogue
from yiwang.cases.history import case_history_import
from yiwang.cases.routing import router_train
from yiwang.cases.routing.service import model_in_use
from yiwang.core.audit.selectors import audit_events_for_object
from yiwang.core.audit.services import record_event
from yiwang.core.errors import NotFound
from yiwang.demo.cases.grid import grid_cells, street_workers
from yiwang.demo.cases.history import history_cases
from yiwang.demo.cases.taxonomy import CATEGORIES, HEADINGS
from yiwang.demo.cases.units import CATALOGUE, responsibility_rows
from yiwang.demo.city import CITY_CODE
from yiwang.identity import selectors as identity_selectors
from yiwang.org import selectors as org_selectors

DEFAULT_HISTORY = 3000
# Half a year of a city's line is a few calls per hundred residents; the demo's small city (1,000 generated
# citizens) gets the whole default history, a test's city of twenty people a few dozen cases.
HISTORY_PER_CITIZEN = 3
HISTORY_MARK_TYPE = "demo.city"
HISTORY_MARK_ID = f"{CITY_CODE}:cases"
HISTORY_MARK_ACTION = "demo.cases.history"


@dataclass(frozen=True)
class CasesDemoResult:
    """What the load added (a second run adds nothing) and the router's held-out accuracy, when it was trained."""

    categories: int
    rules: int
    responsibilities: int
    grid_cells: int
    grid_workers: int
    history: int
    articles: int
    router_trained: bool
    held_out: dict[str, Any] | None
    seconds: float


def history_size(*, people: int) -> int:
    """How many historic cases the demo generates for a city of `people` generated citizens."""
    return min(DEFAULT_HISTORY, HISTORY_PER_CITIZEN * max(people, 0))


def _unit_ids() -> dict[str, int]:
    """Every active unit by its full name (names of the demo city's units are unique)."""
    return {department.name: department.id for department in org_selectors.department_list()}


def _load_taxonomy() -> int:
    rows = [catalogue.CategoryRow(item.code, item.name, item.description) for item in HEADINGS]
    rows += [catalogue.CategoryRow(item.code, item.name, item.description, item.keywords) for item in CATEGORIES]
    return catalogue.category_bulk_create(actor=None, rows=rows)


def _unit(units: dict[str, int], name: str) -> int:
    if name not in units:
        raise NotFound(f"The demo city has no unit named {name}.")
    return units[name]


def _load_catalogue(units: dict[str, int]) -> int:
    stored = {(rule.category_code, rule.division_code) for rule in catalogue.dispatch_rules_list()}
    added = 0
    for entry in CATALOGUE:
        if (entry.category_code, "") in stored:
            continue
        catalogue.dispatch_rule_save(
            actor=None,
            category_code=entry.category_code,
            division_code=None,
            lead_kind=entry.lead_kind,
            lead_department_id=_unit(units, entry.lead) if entry.lead else None,
            co_department_ids=[_unit(units, name) for name in entry.co_units],
            basis=entry.basis,
        )
        added += 1
    return added


def _load_responsibilities(units: dict[str, int]) -> int:
    return catalogue.responsibility_bulk_create(
        actor=None,
        rows=[
            catalogue.ResponsibilityRow(_unit(units, row.unit), row.title, row.description)
            for row in responsibility_rows()
        ],
    )


def _load_grid() -> tuple[int, int]:
    """The cells, then each street's grid worker on the cells of their street; returns (cells, workers) added."""
    cells = catalogue.grid_cell_bulk_create(
        actor=None,
        rows=[catalogue.GridCellRow(cell.code, cell.name, cell.description) for cell in grid_cells()],
    )
    assigned = 0
    for worker in street_workers():
        user = identity_selectors.user_find_by_login(worker.username)
        if user is None:
            continue
        for code in worker.cell_codes:
            cell = catalogue.grid_cell_get(code)
            if cell is None or any(member.id == user.pk for member in cell.workers):
                continue
            catalogue.grid_cell_assign_workers(
                actor=None, cell_code=code, worker_ids=[*(member.id for member in cell.workers), user.pk]
            )
            assigned += 1
    return cells, assigned


def history_loaded() -> bool:
    """Whether the demo's history of cases is stored (its mark is in the audit log)."""
    return (
        audit_events_for_object(object_type=HISTORY_MARK_TYPE, object_id=HISTORY_MARK_ID)
        .filter(action=HISTORY_MARK_ACTION)
        .exists()
    )


def _load_history(*, seed: int, count: int) -> int:
    if count <= 0 or history_loaded():
        return 0
    with transaction.atomic():
        imported = case_history_import(rows=history_cases(count=count, seed=seed))
        record_event(
            actor=None,
            action=HISTORY_MARK_ACTION,
            object_type=HISTORY_MARK_TYPE,
            object_id=HISTORY_MARK_ID,
            changes={"seed": seed, "count": imported},
        )
    return imported


def _load_knowledge() -> int:
    try:
        from yiwang.demo.cases.knowledge import load_knowledge
    except ImportError:  # pragma: no cover - the knowledge base's demo data is optional
        return 0
    return load_knowledge(actor=None)


def load_cases_demo(*, seed: int, history: int = DEFAULT_HISTORY) -> CasesDemoResult:
    """Load the hotline's demo data into a database that holds the demo city's organisation (idempotent)."""
    started = time.perf_counter()
    units = _unit_ids()
    categories = _load_taxonomy()
    rules = _load_catalogue(units)
    responsibilities = _load_responsibilities(units)
    cells, workers = _load_grid()
    imported = _load_history(seed=seed, count=history)
    articles = _load_knowledge()
    trained = imported > 0 or model_in_use() is None
    held_out = None
    if trained:
        model = router_train(actor=None)
        held_out = dict(model.metrics.get("held_out") or {}) or None
    return CasesDemoResult(
        categories=categories,
        rules=rules,
        responsibilities=responsibilities,
        grid_cells=cells,
        grid_workers=workers,
        history=imported,
        articles=articles,
        router_trained=trained,
        held_out=held_out,
        seconds=time.perf_counter() - started,
    )
