"""How well the active model routes cases whose unit is known: top-1 and top-3 accuracy of the unit.

The expected unit is named as people name it (the full name or the short name). A street office or district
government is matched by locality: the text alone cannot say which street, so the model's 属地 answer counts as
right for any of them. Names that match no unit are reported, and those rows left out of the figures.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from yiwang.cases.routing.examples import unit_label
from yiwang.cases.routing.model import top_labels
from yiwang.cases.routing.service import model_in_use
from yiwang.core.errors import ValidationFailed
from yiwang.org.selectors import department_list

TEXT_COLUMN = "内容"
UNIT_COLUMN = "承办单位"
BATCH = 2000


@dataclass(frozen=True)
class Evaluation:
    """Counts of rows, rows with a known unit, and rows whose unit was first / among the first three."""

    total: int
    evaluated: int
    top1: int
    top3: int
    unknown_units: tuple[str, ...]

    @property
    def top1_accuracy(self) -> float:
        return self.top1 / self.evaluated if self.evaluated else 0.0

    @property
    def top3_accuracy(self) -> float:
        return self.top3 / self.evaluated if self.evaluated else 0.0

    def as_json(self) -> dict[str, object]:
        return {
            "total": self.total,
            "evaluated": self.evaluated,
            "top1": self.top1,
            "top3": self.top3,
            "top1_accuracy": round(self.top1_accuracy, 4),
            "top3_accuracy": round(self.top3_accuracy, 4),
            "unknown_units": list(self.unknown_units),
        }


def _labels_by_name() -> dict[str, str]:
    labels: dict[str, str] = {}
    units = department_list()
    for unit in units:
        labels.setdefault(unit.name, unit_label(unit))
    for unit in units:
        if unit.short_name:
            labels.setdefault(unit.short_name, unit_label(unit))
    return labels


def _score(texts: list[str], expected: list[str]) -> tuple[int, int]:
    loaded = model_in_use()
    if loaded is None or not texts:
        return 0, 0
    unit_names, matrix, _codes, _categories = loaded.router.scores(texts)
    best = top_labels(unit_names, matrix, 3)
    top1 = sum(1 for label, row in zip(expected, best, strict=True) if row and row[0][0] == label)
    top3 = sum(1 for label, row in zip(expected, best, strict=True) if label in {name for name, _p in row})
    return top1, top3


def router_evaluate(*, rows: Iterable[tuple[str, str]]) -> Evaluation:
    """Route each (text, unit name) row with the active model and count how often the unit comes first or in the
    first three; unknown unit names are listed, not fatal."""
    labels = _labels_by_name()
    total = evaluated = top1 = top3 = 0
    unknown: set[str] = set()
    texts: list[str] = []
    expected: list[str] = []
    for text, unit in rows:
        total += 1
        label = labels.get(unit.strip())
        if label is None:
            unknown.add(unit.strip())
            continue
        evaluated += 1
        texts.append(text)
        expected.append(label)
        if len(texts) >= BATCH:
            first, three = _score(texts, expected)
            top1, top3, texts, expected = top1 + first, top3 + three, [], []
    first, three = _score(texts, expected)
    return Evaluation(total, evaluated, top1 + first, top3 + three, tuple(sorted(unknown)))


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed(_("The file is neither UTF-8 nor GBK text."), field="file")


def read_evaluation_csv(data: bytes) -> list[tuple[str, str]]:
    """The (内容, 承办单位) rows of a CSV file in UTF-8 (with or without BOM) or GBK; blank texts are skipped."""
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        header = [name.strip().lstrip("\ufeff") for name in next(reader)]
    except StopIteration:
        raise ValidationFailed(_("The file is empty."), field="file") from None
    except csv.Error as error:
        raise ValidationFailed(_("The file is not a CSV file: %(error)s") % {"error": error}, field="file") from None
    for column in (TEXT_COLUMN, UNIT_COLUMN):
        if column not in header:
            raise ValidationFailed(
                _("The file has no column %(column)s (its columns: %(columns)s).")
                % {"column": column, "columns": "、".join(header) or "-"},
                field="file",
            )
    text_at, unit_at = header.index(TEXT_COLUMN), header.index(UNIT_COLUMN)
    rows = []
    try:
        for record in reader:
            if len(record) <= max(text_at, unit_at) or not record[text_at].strip():
                continue
            rows.append((record[text_at], record[unit_at]))
    except csv.Error as error:
        raise ValidationFailed(_("The file is not a CSV file: %(error)s") % {"error": error}, field="file") from None
    return rows
