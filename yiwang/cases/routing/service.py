"""Routing a case: the active model's three likeliest units and categories, 属地 resolved by the case's place."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from yiwang.cases.routing import store
from yiwang.cases.routing.model import top_labels
from yiwang.cases.routing.training import router_train
from yiwang.core.errors import ValidationFailed

DEFAULT_TOP = 3
_training = threading.Lock()


@dataclass(frozen=True)
class UnitScore:
    """A proposed unit. `department_id` is None for a 属地 matter whose place does not say which street or district
    (`locality` is then "street" or "district")."""

    department_id: int | None
    name: str
    confidence: float
    locality: str = ""


@dataclass(frozen=True)
class CategoryScore:
    """A proposed leaf category."""

    code: str
    name: str
    confidence: float


@dataclass(frozen=True)
class RouteProposal:
    """The router's proposal for one text: units and categories, best first, confidences summing to at most 1."""

    units: list[UnitScore] = field(default_factory=list)
    categories: list[CategoryScore] = field(default_factory=list)
    model_id: int | None = None

    def suggestion(self) -> dict[str, Any]:
        """What dispatch keeps in `Case.suggested`: the best unit and category, and the model that said so."""
        unit = self.units[0] if self.units else None
        category = self.categories[0] if self.categories else None
        return {
            "department_id": unit.department_id if unit else None,
            "category_code": category.code if category else "",
            "confidence": unit.confidence if unit else 0.0,
            "model_id": self.model_id,
        }

    def as_json(self) -> dict[str, Any]:
        """The proposal as `yiwang cases route` prints it."""
        return {
            "units": [
                {"unit": unit.name, "department_id": unit.department_id, "confidence": round(unit.confidence, 4)}
                | ({"locality": unit.locality} if unit.locality else {})
                for unit in self.units
            ],
            "categories": [
                {"code": category.code, "name": category.name, "confidence": round(category.confidence, 4)}
                for category in self.categories
            ],
        }


def model_in_use() -> store.LoadedModel | None:
    """The active model; without one, a model trained now from what there is (cold start on a new platform)."""
    loaded = store.active_model()
    if loaded is not None:
        return loaded
    with _training:
        loaded = store.active_model()
        if loaded is None:
            try:
                router_train(actor=None)
            except ValidationFailed:  # nothing to learn from: no proposal rather than an error
                return None
            loaded = store.active_model()
    return loaded


def _unit_scores(loaded: store.LoadedModel, best: list[tuple[str, float]], division_code: str) -> list[UnitScore]:
    scores = []
    for label, confidence in best:
        info = loaded.router.unit_labels.get(label)
        if info is None:
            continue
        if info.department_id is not None:
            scores.append(UnitScore(info.department_id, info.name, confidence))
            continue
        unit = loaded.places.resolve(info.locality, division_code)
        if unit is not None:
            scores.append(UnitScore(unit[0], unit[1], confidence))
        else:
            scores.append(UnitScore(None, info.name, confidence, info.locality))
    return scores


def route_many(
    texts: Sequence[str], *, division_codes: Sequence[str] | None = None, top: int = DEFAULT_TOP
) -> list[RouteProposal]:
    """Proposals for many texts at once (one vectorisation, one matrix product per head)."""
    if division_codes is not None and len(division_codes) != len(texts):
        raise ValidationFailed(_("Give one division code per text, or none."), field="division_codes")
    if not texts:
        return []
    loaded = model_in_use()
    if loaded is None:
        return [RouteProposal() for _text in texts]
    unit_names, unit_matrix, category_codes, category_matrix = loaded.router.scores(texts)
    units = top_labels(unit_names, unit_matrix, top)
    categories = top_labels(category_codes, category_matrix, top)
    places = division_codes or [""] * len(texts)
    return [
        RouteProposal(
            units=_unit_scores(loaded, best_units, division_code),
            categories=[
                CategoryScore(code, loaded.router.category_names.get(code, code), confidence)
                for code, confidence in best_categories
            ],
            model_id=loaded.id,
        )
        for best_units, best_categories, division_code in zip(units, categories, places, strict=True)
    ]


def route(text: str, *, division_code: str = "", top: int = DEFAULT_TOP) -> RouteProposal:
    """The likeliest units and categories for a case's text; 属地 matters go to the street office (or district
    government) of `division_code` when given."""
    if not text.strip():
        raise ValidationFailed(_("Give the text of the case to route it."), field="text")
    return route_many([text], division_codes=[division_code], top=top)[0]
