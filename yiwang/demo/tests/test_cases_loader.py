"""The demo city's 12345 hotline: the taxonomy, the dispatch catalogue with its 属地 entries, responsibility lists,
two grid cells per community walked by the street's grid worker, a history the router learned from, and loads that
add nothing twice and finish after an interruption."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from yiwang.cases import catalogue
from yiwang.cases.routing.service import model_in_use
from yiwang.core.audit.selectors import audit_events_for_object
from yiwang.demo.cases.grid import grid_cells, street_workers
from yiwang.demo.cases.loader import HISTORY_MARK_ID, history_loaded, history_size, load_cases_demo
from yiwang.demo.cases.taxonomy import CATEGORIES, HEADINGS
from yiwang.demo.cases.units import CATALOGUE, responsibility_rows
from yiwang.demo.city import districts
from yiwang.demo.selectors import demo_city
from yiwang.demo.services import demo_load, demo_resume
from yiwang.identity import selectors as identity_selectors

SEED = 11
PEOPLE = 20
COMMUNITY = "419802001001"  # 柳园社区 of 滨河街道, 清河区


class Interrupted(Exception):
    pass


@pytest.fixture
def loaded(db: Any) -> list[tuple[str, str]]:
    # The default time limits come from a data migration, which a browser test's flush may have emptied.
    from django.apps import apps

    importlib.import_module("yiwang.cases.migrations.0002_default_time_limits").add_defaults(apps, None)
    steps: list[tuple[str, str]] = []
    demo_load(scale="small", seed=SEED, people=PEOPLE, progress=lambda step, message: steps.append((step, message)))
    return steps


def test_the_grid_plan_has_two_cells_per_community_and_a_worker_per_street() -> None:
    cells = grid_cells()
    communities = [code for district in districts() for street in district.streets for code, _ in street.communities]
    assert len(cells) == 2 * len(communities) == 200
    assert (cells[0].code, cells[0].name) == (f"{COMMUNITY}01", "柳园社区第一网格")
    workers = street_workers()
    assert len(workers) == 20
    assert workers[0].username == "grid.qinghe1"
    assert workers[0].cell_codes == tuple(f"419802001{index:03d}{cell:02d}" for index in range(1, 6) for cell in (1, 2))
    assert history_size(people=20) == 60 and history_size(people=1_000) == 3_000 == history_size(people=10**6)


def test_the_load_builds_the_hotline(loaded: list[tuple[str, str]]) -> None:
    assert [step for step, _message in loaded][-2:] == ["cases", "cases"]
    assert len(catalogue.categories_all()) == len(HEADINGS) + len(CATEGORIES)
    assert len(catalogue.category_leaves()) == len(CATEGORIES)
    rules = catalogue.dispatch_rules_list()
    assert len(rules) == len(CATALOGUE)
    assert {rule.division_code for rule in rules} == {""}
    assert sum(len(catalogue.responsibility_list(unit.department_id)) for unit in catalogue.responsibility_units()) == (
        len(responsibility_rows())
    )
    # 违法建设 is the street's matter (属地); 供水 goes to the water company; 农村人居环境 to the district.
    building = catalogue.dispatch_proposal(category_code="0103", division_code=COMMUNITY)
    assert building is not None and (building.lead_name, building.locality) == ("滨河街道办事处", True)
    water = catalogue.dispatch_proposal(category_code="1201", division_code=COMMUNITY)
    assert water is not None and water.lead_name == "供水公司"
    village = catalogue.dispatch_proposal(category_code="1104", division_code=COMMUNITY)
    assert village is not None and village.lead_name == "清河区人民政府"
    assert catalogue.time_limit_for(case_type="consultation", category_code="0103").handle_days == 3


def test_grid_workers_walk_the_cells_of_their_street(loaded: list[tuple[str, str]]) -> None:
    assert len(catalogue.grid_cells_in("419800")) == 200
    worker = identity_selectors.user_find_by_login("grid.qinghe1")
    assert worker is not None
    assert [cell.code for cell in catalogue.grid_cells_for_worker(worker)] == list(street_workers()[0].cell_codes)
    other = identity_selectors.user_find_by_login("grid.donghu2")
    assert other is not None
    assert {cell.street_code for cell in catalogue.grid_cells_for_worker(other)} == {"419803002"}
    cell = catalogue.grid_cell_get(f"{COMMUNITY}02")
    assert cell is not None and [member.username for member in cell.workers] == ["grid.qinghe1"]


def test_the_router_learned_from_the_history(loaded: list[tuple[str, str]]) -> None:
    assert history_loaded()
    mark = audit_events_for_object(object_type="demo.city", object_id=HISTORY_MARK_ID).first()
    assert mark is not None and mark.changes_data == {"seed": SEED, "count": history_size(people=PEOPLE)}
    assert model_in_use() is not None
    city = demo_city()
    assert city is not None and city.complete


def test_loading_again_adds_nothing(loaded: list[tuple[str, str]]) -> None:
    again = load_cases_demo(seed=SEED, history=history_size(people=PEOPLE))
    assert (
        again.categories,
        again.rules,
        again.responsibilities,
        again.grid_cells,
        again.grid_workers,
        again.history,
        again.articles,
        again.router_trained,
    ) == (0, 0, 0, 0, 0, 0, 0, False)


def test_an_interrupted_load_finishes_the_hotline_on_resume(db: Any) -> None:
    def stop_before_the_hotline(step: str, message: str) -> None:
        if step == "service_bundles":
            raise Interrupted

    with pytest.raises(Interrupted):
        demo_load(scale="small", seed=SEED, people=PEOPLE, progress=stop_before_the_hotline)
    assert catalogue.categories_all() == []
    assert not history_loaded()
    steps: list[str] = []
    demo_resume(progress=lambda step, message: steps.append(step))
    assert "cases" in steps
    assert len(catalogue.dispatch_rules_list()) == len(CATALOGUE)
    mark = audit_events_for_object(object_type="demo.city", object_id=HISTORY_MARK_ID).first()
    assert mark is not None and mark.changes_data["count"] == history_size(people=PEOPLE)
