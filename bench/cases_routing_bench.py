"""Case routing (issue 7): how well the router routes, and how fast, against the raw model in the same run.

    .venv/bin/python bench/cases_routing_bench.py [--history 5000] [--texts 2000] [--single 500] [--rounds 5]
        [--database postgres://postgres@127.0.0.1:5432/yiwang_bench_routing]

(`.venv/bin/python -m bench.cases_routing_bench …` is the same.) `--database` names a PostgreSQL database that is
dropped and created again, as in the other benchmarks; without it a throw-away SQLite file under /tmp is used.

Set-up: a freshly migrated database with the demo city's divisions and units (`yiwang.demo.city`), its taxonomy,
dispatch catalogue and responsibility lists (`yiwang.demo.cases`, written with the ORM as the tests do).

1. Accuracy. A cold-start model (`router_train` with no history) is evaluated on `--texts` cases generated with
   another seed (`router_evaluate`: top-1 and top-3 unit accuracy). Then `--history` generated cases are imported
   (`case_history_import`, timed) and a model is trained on everything (`router_train`, timed); its held-out
   figures (a stratified fifth of the history, fitted on the rest, beside the catalogue alone on the same fifth)
   are printed, and it is evaluated on the same independent cases. A harsher split follows, without the database:
   a fifth of the generator's *issues* (all their cases) held out, so the model is judged on matters it has never
   seen in history — the catalogue alone, and the catalogue with the rest of the history.
2. Throughput, `--rounds` rounds (median), sides in an order that rotates: `route_many` over `--texts` texts with
   their community codes (batch) and `route` one text at a time over the first `--single` (single). Baseline in the
   same rounds: the same fitted objects called raw — `vectoriser.transform` and both heads' `predict_proba`, on
   the batch and text by text — so the ratio is what the proposal costs beyond the model (top three, names,
   属地 resolution, the active-model check). `route` turns scikit-learn's per-call input checks off (our input is
   known text), so the single raw side is also run with them off. rjieba's segmentation alone is printed for
   scale.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` and `yiwang` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.audit_write import _setup

UNTIL = datetime.date(2026, 11, 30)
HISTORY_SEED = 2026
EVALUATION_SEED = 7
THROUGHPUT_SEED = 11


def _code_version() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _catalogue() -> None:
    """The demo city's organisation, taxonomy, dispatch catalogue and responsibility lists."""
    from yiwang.cases.models import CaseCategory, DispatchRule, Responsibility
    from yiwang.demo.cases.taxonomy import CATEGORIES, HEADINGS
    from yiwang.demo.cases.units import CATALOGUE, responsibility_rows
    from yiwang.demo.city import city_plan
    from yiwang.demo.services import plan_units_create

    plan = city_plan()
    units = plan_units_create(plan)
    headings = {item.code: CaseCategory.objects.create(code=item.code, name=item.name) for item in HEADINGS}
    leaves = {
        item.code: CaseCategory.objects.create(
            code=item.code,
            name=item.name,
            parent=headings[item.heading_code],
            description=item.description,
            keywords="\n".join(item.keywords),
        )
        for item in CATEGORIES
    }
    for entry in CATALOGUE:
        rule = DispatchRule.objects.create(
            category=leaves[entry.category_code],
            lead_kind=entry.lead_kind,
            lead_department_id=units[entry.lead] if entry.lead else None,
            basis=entry.basis,
        )
        rule.co_departments.set([units[name] for name in entry.co_units])
    Responsibility.objects.bulk_create(
        Responsibility(department_id=units[row.unit], title=row.title) for row in responsibility_rows(plan.districts)
    )


def _unseen_issues(history: list[Any]) -> dict[str, dict[str, float]]:
    """Hold out a fifth of the generator's issues (every case of them): the catalogue alone, and with the rest."""
    from yiwang.cases.routing.examples import HISTORY, Example, catalogue_examples, category_names, unit_labels
    from yiwang.cases.routing.model import fit
    from yiwang.cases.routing.training import _accuracy
    from yiwang.demo.cases.history import routed_text
    from yiwang.org.selectors import department_list

    labels, by_department = unit_labels()
    by_name = {unit.name: by_department[unit.id] for unit in department_list()}
    categories = category_names()
    cold = catalogue_examples(by_department)
    # A title is the issue's topic, after the community's name ("柳园社区路灯不亮") or alone.
    topic_of = {id(case): case.title.partition("社区")[2] or case.title for case in history}
    topics = sorted(set(topic_of.values()))
    held = set(random.Random(0).sample(topics, len(topics) // 5))
    train = [case for case in history if topic_of[id(case)] not in held]
    test = [case for case in history if topic_of[id(case)] in held]

    def examples(cases: list[Any]) -> list[Example]:
        return [Example(routed_text(case), by_name[case.unit], case.category_code, HISTORY) for case in cases]

    held_out = examples(test)
    return {
        "cases": {"held out": float(len(test)), "issues held out": float(len(held)), "issues": float(len(topics))},
        "catalogue alone": _accuracy(fit(cold, unit_labels=labels, category_names=categories), held_out),
        "catalogue and the rest": _accuracy(
            fit(cold + examples(train), unit_labels=labels, category_names=categories), held_out
        ),
    }


def _median_rate(count: int, durations: list[float]) -> float:
    return count / statistics.median(durations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--history", type=int, default=5000, help="historic cases imported and learnt from")
    parser.add_argument("--texts", type=int, default=2000, help="independent cases evaluated and routed in batch")
    parser.add_argument("--single", type=int, default=500, help="of them, routed one by one")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database", help="postgres://… (a database of that name is dropped and created)")
    options = parser.parse_args()
    _setup(options.database)
    import numpy
    import rjieba
    import sklearn
    from django.db import connection

    from yiwang.cases.history import case_history_import
    from yiwang.cases.routing import route, route_many, router_evaluate, router_train
    from yiwang.cases.routing.store import active_model
    from yiwang.demo.cases.history import history_cases, routed_text

    print(
        f"code: {_code_version()}; Python {sys.version.split()[0]}; scikit-learn {sklearn.__version__}; "
        f"numpy {numpy.__version__}; {os.cpu_count()} CPUs; database: {connection.vendor}",
        flush=True,
    )
    started = time.perf_counter()
    _catalogue()
    evaluation = list(history_cases(count=options.texts, seed=EVALUATION_SEED, until=UNTIL))
    evaluation_rows = [(routed_text(case), case.unit) for case in evaluation]
    print(f"set-up {time.perf_counter() - started:.1f} s (not measured); load {os.getloadavg()[0]:.1f}", flush=True)

    # 1. Accuracy.
    cold = router_train()
    cold_figures = router_evaluate(rows=evaluation_rows)
    generated = time.perf_counter()
    history = list(history_cases(count=options.history, seed=HISTORY_SEED, until=UNTIL))
    generated = time.perf_counter() - generated
    imported = time.perf_counter()
    case_history_import(rows=history)
    imported = time.perf_counter() - imported
    trained_at = time.perf_counter()
    trained = router_train()
    trained_at = time.perf_counter() - trained_at
    trained_figures = router_evaluate(rows=evaluation_rows)
    print(
        f"history: {options.history:,} cases generated in {generated:.2f} s, imported in {imported:.1f} s "
        f"({options.history / imported:,.0f} cases/s); cold-start model {cold.metrics['seconds']} s "
        f"({cold.examples} examples), trained model {trained_at:.1f} s ({trained.examples:,} examples, "
        f"payload {len(bytes(trained.payload)) / 1024:,.0f} KiB)"
    )
    print(f"held out by router_train: {trained.metrics.get('held_out')}")
    for name, figures in (("cold start", cold_figures), ("trained", trained_figures)):
        print(
            f"independent cases ({figures.evaluated:,}), {name}: top-1 {figures.top1_accuracy:.3f}, "
            f"top-3 {figures.top3_accuracy:.3f}"
        )
    print(f"unseen issues: {_unseen_issues(history)}", flush=True)

    # 2. Throughput.
    routed = list(history_cases(count=options.texts, seed=THROUGHPUT_SEED, until=UNTIL))
    texts = [routed_text(case) for case in routed]
    divisions = [case.division_code for case in routed]
    single = options.single
    loaded = active_model()
    assert loaded is not None and loaded.id == trained.pk
    router = loaded.router

    def raw(batch: list[str]) -> None:
        matrix = router.vectoriser.transform(batch)
        router.units.probabilities(matrix)
        router.categories.probabilities(matrix)

    def raw_batch() -> None:
        raw(texts)

    def raw_single() -> None:
        for text in texts[:single]:
            raw([text])

    def raw_single_unchecked() -> None:
        with sklearn.config_context(skip_parameter_validation=True, assume_finite=True):
            for text in texts[:single]:
                raw([text])

    def ours_batch() -> None:
        route_many(texts, division_codes=divisions)

    def ours_single() -> None:
        for text, division in zip(texts[:single], divisions[:single], strict=True):
            route(text, division_code=division)

    def segmentation() -> None:
        for text in texts:
            rjieba.cut_for_search(text)

    sides: dict[str, Callable[[], None]] = {
        "route_many": ours_batch,
        "raw batch": raw_batch,
        "route": ours_single,
        "raw single": raw_single,
        "raw single, checks off": raw_single_unchecked,
        "rjieba alone": segmentation,
    }
    for side in sides.values():  # warm-up
        side()
    durations: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    for number in range(options.rounds):
        for name in names[number % len(names) :] + names[: number % len(names)]:
            begin = time.perf_counter()
            sides[name]()
            durations[name].append(time.perf_counter() - begin)
    counts = {"route_many": len(texts), "raw batch": len(texts), "route": single, "raw single": single}
    counts["raw single, checks off"] = single
    counts["rjieba alone"] = len(texts)
    rates = {name: _median_rate(counts[name], durations[name]) for name in sides}
    for name in sides:
        per_round = ", ".join(f"{counts[name] / seconds:,.0f}" for seconds in durations[name])
        print(f"{name}: {rates[name]:,.0f} cases/s (rounds: {per_round})")
    print(
        f"ratio batch route_many / raw: {rates['route_many'] / rates['raw batch']:.2f}; "
        f"single route / raw: {rates['route'] / rates['raw single']:.2f} "
        f"(/ raw with scikit-learn's checks off: {rates['route'] / rates['raw single, checks off']:.2f}); "
        f"batch / single (ours): {rates['route_many'] / rates['route']:.1f}; load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
