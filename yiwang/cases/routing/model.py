"""The fitted router: one vectoriser, two linear heads (unit, category), and what the labels stand for.

Fitting weighs the examples: a dispatcher's final choice counts as much as a category's catalogue text, a
correction (the final unit differs from the first proposal) three times as much, a lone keyword half. As history
grows, the catalogue's texts are raised so that together they weigh as much as the history: otherwise matters that
history has not met yet are routed by what is frequent rather than by what the catalogue says. Counting every final
choice above the catalogue was measured worse while history is small (ADR 0021 has the figures).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from yiwang.cases.routing.examples import (
    CATALOGUE,
    CORRECTION,
    HISTORY,
    KEYWORD,
    RESPONSIBILITY,
    Example,
    UnitLabel,
)
from yiwang.cases.routing.features import Vectoriser

PAYLOAD_FORMAT = 2
BASE_WEIGHTS = {CATALOGUE: 1.0, KEYWORD: 0.5, RESPONSIBILITY: 1.0, HISTORY: 1.0, CORRECTION: 3.0}
CATALOGUE_SHARE = 1.0  # the catalogue's total weight is raised to at least this share of the history's
RANDOM_STATE = 2026


def example_weights(examples: Sequence[Example]) -> list[float]:
    """Each example's weight (see the module's docstring)."""
    history = sum(BASE_WEIGHTS[example.source] for example in examples if example.source in (HISTORY, CORRECTION))
    catalogue = sum(BASE_WEIGHTS[example.source] for example in examples if example.source not in (HISTORY, CORRECTION))
    scale = 1.0
    if history and catalogue:
        scale = max(1.0, CATALOGUE_SHARE * history / catalogue)
    return [
        BASE_WEIGHTS[example.source] * (1.0 if example.source in (HISTORY, CORRECTION) else scale)
        for example in examples
    ]


def _classifier() -> Any:
    from sklearn.linear_model import SGDClassifier

    # Logistic loss for probabilities; SGD fits 5,000 cases in about a second where lbfgs took twenty.
    return SGDClassifier(loss="log_loss", alpha=1e-4, max_iter=50, tol=1e-3, random_state=RANDOM_STATE)


@dataclass
class Head:
    """One classifier head; a head with a single label answers it with certainty."""

    classifier: Any | None
    constant: str | None

    @property
    def labels(self) -> list[str]:
        if self.classifier is None:
            return [self.constant] if self.constant else []
        return [str(label) for label in self.classifier.classes_]

    def probabilities(self, matrix: Any) -> Any:
        import numpy

        if self.classifier is None:
            return numpy.ones((matrix.shape[0], 1 if self.constant else 0))
        return self.classifier.predict_proba(matrix)


def _fit_head(matrix: Any, labels: list[str | None], weights: list[float]) -> Head:
    rows = [index for index, label in enumerate(labels) if label]
    distinct = {labels[index] for index in rows}
    if len(distinct) < 2:
        return Head(None, next(iter(distinct)) if distinct else None)
    import numpy
    from sklearn.exceptions import ConvergenceWarning

    classifier = _classifier()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 50 passes are plenty for ranking three units
        classifier.fit(matrix[rows], [labels[index] for index in rows], sample_weight=numpy.array(weights)[rows])
    # Single precision halves the stored model (the features are single precision already). Kept in Fortran order:
    # the product with a sparse row takes `coef_.T`, which must be contiguous or scipy copies all of it every call.
    classifier.coef_ = numpy.asfortranarray(classifier.coef_, dtype=numpy.float32)
    classifier.intercept_ = classifier.intercept_.astype(numpy.float32)
    return Head(classifier, None)


@dataclass
class FittedRouter:
    """A vectoriser and the unit and category heads, with the meaning of their labels."""

    vectoriser: Vectoriser
    units: Head
    categories: Head
    unit_labels: dict[str, UnitLabel]
    category_names: dict[str, str]

    def scores(self, texts: Sequence[str]) -> tuple[list[str], Any, list[str], Any]:
        """Unit labels with a probability matrix (one row per text), then category codes with theirs."""
        import sklearn

        # Our own inputs: skip scikit-learn's per-call validation, most of the time of routing a single text.
        with sklearn.config_context(skip_parameter_validation=True, assume_finite=True):
            matrix = self.vectoriser.transform(list(texts))
            return (
                self.units.labels,
                self.units.probabilities(matrix),
                self.categories.labels,
                self.categories.probabilities(matrix),
            )

    def dumps(self) -> bytes:
        """The payload stored in `RouterModel.payload`: a plain dict of fitted scikit-learn objects and data."""
        import joblib

        self.vectoriser.forget_pruned_terms()
        payload = {
            "format": PAYLOAD_FORMAT,
            "words": self.vectoriser.words,
            "characters": self.vectoriser.characters,
            "units": (self.units.classifier, self.units.constant),
            "categories": (self.categories.classifier, self.categories.constant),
            "unit_labels": {
                label: (info.department_id, info.name, info.locality) for label, info in self.unit_labels.items()
            },
            "category_names": dict(self.category_names),
        }
        buffer = io.BytesIO()
        joblib.dump(payload, buffer, compress=3)
        return buffer.getvalue()

    @classmethod
    def loads(cls, data: bytes) -> FittedRouter:
        """A router from a payload whose digest the caller has checked (it is a pickle: never load one unchecked)."""
        import joblib

        payload = joblib.load(io.BytesIO(data))
        if not isinstance(payload, dict) or payload.get("format") != PAYLOAD_FORMAT:
            raise ValueError("not a routing model payload of a known format")
        return cls(
            vectoriser=Vectoriser(payload["words"], payload["characters"]),
            units=Head(*payload["units"]),
            categories=Head(*payload["categories"]),
            unit_labels={label: UnitLabel(*value) for label, value in payload["unit_labels"].items()},
            category_names=payload["category_names"],
        )


def fit(
    examples: Sequence[Example], *, unit_labels: dict[str, UnitLabel], category_names: dict[str, str]
) -> FittedRouter:
    """Fit the vectoriser on every text and both heads on the examples that carry their label.

    The examples are put in a fixed order first, so that the same examples give the same model whatever order the
    database returned them in (SGD visits them in a seeded shuffle of that order)."""
    examples = sorted(examples, key=lambda example: (example.text, example.unit or "", example.category or ""))
    vectoriser = Vectoriser.new()
    matrix = vectoriser.fit_transform([example.text for example in examples])
    weights = example_weights(examples)
    return FittedRouter(
        vectoriser=vectoriser,
        units=_fit_head(matrix, [example.unit for example in examples], weights),
        categories=_fit_head(matrix, [example.category for example in examples], weights),
        unit_labels=unit_labels,
        category_names=category_names,
    )


def top_labels(labels: list[str], probabilities: Any, top: int) -> list[list[tuple[str, float]]]:
    """For each row, the `top` labels with the highest probability, best first."""
    import numpy

    if not labels:
        return [[] for _row in range(probabilities.shape[0])]
    count = min(top, len(labels))
    order = numpy.argsort(-probabilities, axis=1, kind="stable")[:, :count]
    return [
        [(labels[column], float(row[column])) for column in columns]
        for row, columns in zip(probabilities, order, strict=True)
    ]
