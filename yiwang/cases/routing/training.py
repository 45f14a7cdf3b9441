"""Training: gather the examples, measure on held-out history when there is enough, fit on everything, store."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from yiwang.cases.models import RouterModel
from yiwang.cases.routing import store
from yiwang.cases.routing.examples import (
    CORRECTION,
    Example,
    UnitLabel,
    catalogue_examples,
    category_names,
    history_examples,
    unit_labels,
)
from yiwang.cases.routing.model import RANDOM_STATE, FittedRouter, fit, top_labels
from yiwang.core.audit.services import record_event
from yiwang.core.errors import ValidationFailed

COLD_START = "cold_start"
TRAINED = "trained"
HELD_OUT_SHARE = 0.2
MIN_HISTORY_FOR_HOLD_OUT = 50  # fewer final choices than this: no held-out figure (it would say nothing)


def _accuracy(router: FittedRouter, held_out: Sequence[Example]) -> dict[str, float]:
    """Top-1 and top-3 unit accuracy (labels: 属地 counts as right when the case went to a street office) and
    top-1 category accuracy on the held-out examples."""
    unit_names, unit_matrix, category_codes, category_matrix = router.scores([example.text for example in held_out])
    units = top_labels(unit_names, unit_matrix, 3)
    categories = top_labels(category_codes, category_matrix, 1)
    with_category = [index for index, example in enumerate(held_out) if example.category]
    top1 = sum(1 for example, best in zip(held_out, units, strict=True) if best and best[0][0] == example.unit)
    top3 = sum(
        1 for example, best in zip(held_out, units, strict=True) if example.unit in {label for label, _p in best}
    )
    category_top1 = sum(
        1 for index in with_category if categories[index] and categories[index][0][0] == held_out[index].category
    )
    return {
        "unit_top1": round(top1 / len(held_out), 4),
        "unit_top3": round(top3 / len(held_out), 4),
        "category_top1": round(category_top1 / len(with_category), 4) if with_category else 0.0,
    }


def _split(history: list[Example]) -> tuple[list[Example], list[Example]] | None:
    """A stratified 80/20 split of the history by unit (units seen once stay in training); None when too few."""
    from sklearn.model_selection import train_test_split

    counts = Counter(example.unit for example in history)
    stratifiable = [example for example in history if counts[example.unit] >= 2]
    singles = [example for example in history if counts[example.unit] < 2]
    classes = len({example.unit for example in stratifiable})
    size = max(classes, round(len(stratifiable) * HELD_OUT_SHARE))
    if classes < 2 or len(stratifiable) - size < classes:
        return None
    train, test = train_test_split(
        stratifiable, test_size=size, stratify=[example.unit for example in stratifiable], random_state=RANDOM_STATE
    )
    return list(train) + singles, list(test)


def held_out_metrics(
    cold: list[Example],
    history: list[Example],
    *,
    labels: dict[str, UnitLabel],
    categories: dict[str, str],
) -> dict[str, Any] | None:
    """Held-out accuracy of a model fitted on the catalogue and 80 % of the history, beside the catalogue alone."""
    if len(history) < MIN_HISTORY_FOR_HOLD_OUT or len({example.unit for example in history}) < 2:
        return None
    split = _split(history)
    if split is None:
        return None
    train, test = split
    trained = fit(cold + train, unit_labels=labels, category_names=categories)
    baseline = fit(cold, unit_labels=labels, category_names=categories)
    figures = _accuracy(trained, test)
    cold_figures = _accuracy(baseline, test)
    return {
        "cases": len(test),
        **figures,
        "cold_start_unit_top1": cold_figures["unit_top1"],
        "cold_start_unit_top3": cold_figures["unit_top3"],
    }


def router_train(*, actor: Any = None) -> RouterModel:
    """Fit a router on the catalogue, the responsibility lists and every final dispatch, store it as the active
    model, and record its held-out accuracy when history allows."""
    started = time.perf_counter()
    labels, by_department = unit_labels()
    categories = category_names()
    cold = catalogue_examples(by_department)
    history = history_examples(by_department)
    if not any(example.unit for example in cold + history):
        raise ValidationFailed(
            _("There is nothing to learn from yet: the dispatch catalogue and the responsibility lists are empty.")
        )
    metrics: dict[str, Any] = {
        "cold_start_examples": len(cold),
        "history_examples": len(history),
        "corrections": sum(1 for example in history if example.source == CORRECTION),
        "units": len({example.unit for example in cold + history if example.unit}),
        "categories": len({example.category for example in cold + history if example.category}),
    }
    held_out = held_out_metrics(cold, history, labels=labels, categories=categories)
    if held_out is not None:
        metrics["held_out"] = held_out
    router = fit(cold + history, unit_labels=labels, category_names=categories)
    metrics["seconds"] = round(time.perf_counter() - started, 2)
    kind = TRAINED if history else COLD_START
    with transaction.atomic():
        row = store.store(router, kind=kind, examples=len(cold) + len(history), metrics=metrics)
        record_event(
            actor=actor if actor is not None and getattr(actor, "pk", None) else None,
            action="cases.router.train",
            object_type="cases.routermodel",
            object_id=row.pk,
            changes={"kind": kind, "examples": row.examples, **({"held_out": held_out} if held_out else {})},
        )
    # At once, not on commit: a route in the same transaction must see the new model. Were the transaction rolled
    # back, the next check (within YIWANG_ROUTER_RELOAD_SECONDS) finds the model gone and reloads.
    store.remember(row, router)
    return row
