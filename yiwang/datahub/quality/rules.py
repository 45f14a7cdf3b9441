"""Quality rules of data elements (pattern, range, reference) and the formulas of the quality dimensions.

Rules come from the published `ElementSpec.rules`, e.g. `{"pattern": "^\\d{4}$", "minimum": 0, "maximum": 100,
"reference": {"resource": "population", "element": "id_number"}}`. Unlike the types that ingestion checks,
they never refuse a row: a value that breaks one lowers its resource's validity and is listed as an example.
"""

from __future__ import annotations

import datetime
import re
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext_noop

from yiwang.core.errors import NotFound
from yiwang.core.identifiers import mask_id_number, mask_name, mask_phone
from yiwang.datahub.catalog.schema import ElementSpec, ResourceSchema
from yiwang.datahub.catalog.selectors import resource_schema
from yiwang.datahub.models import UPDATE_CYCLE_DAYS, ConflictStatus, LookupIndex, Record
from yiwang.datahub.registry.records import RecordKeys

# The overall score is the mean of the dimensions that apply, weighted so. Validity and completeness weigh most
# because they are what a consumer of the data meets first; timeliness and uniqueness least, because a late or
# repeated delivery is a fault of the process that the other four already partly show.
WEIGHTS: dict[str, float] = {
    "completeness": 0.25,
    "validity": 0.25,
    "consistency": 0.20,
    "uniqueness": 0.15,
    "timeliness": 0.15,
}
DIMENSIONS = tuple(WEIGHTS)

# The words the console shows next to each score (translated there); the numbers behind them are in `details`.
DEFINITIONS: dict[str, str] = {
    "completeness": gettext_noop(
        "Filled values ÷ (records × data elements), over every element, required and optional. A source "
        "department is judged on the records where it set at least one value."
    ),
    "validity": gettext_noop(
        "Filled values that pass their element's type (checked at ingestion) and its quality rules (pattern, "
        "minimum, maximum, reference to another registry) ÷ filled values. A value counts for the department "
        "that set it."
    ),
    "uniqueness": gettext_noop(
        "The mean of the parts that apply: rows of the source's recent batches not refused for repeating a key "
        "within their file ÷ rows sent; and, for people, records whose name and birth date no other record "
        "shares ÷ records."
    ),
    "consistency": gettext_noop(
        "Values checked against the authoritative source that agreed ÷ values checked, per element. A "
        "non-authoritative source loses a point for each conflict it raised that was not settled in its favour; "
        "the authoritative source for each of its values that was corrected."
    ),
    "timeliness": gettext_noop(
        "Days since the last delivery (a committed batch, or the same file again) against the update cycle: "
        "100 within one cycle, falling linearly to 0 at three cycles."
    ),
    "overall": gettext_noop(
        "The weighted mean of the dimensions that apply, with weights out of 100: completeness 25, validity 25, "
        "consistency 20, uniqueness 15, timeliness 15."
    ),
}

LOCAL_RULES = ("pattern", "minimum", "maximum")
KNOWN_RULES = (*LOCAL_RULES, "reference")
_DATE_TYPES = {"date", "datetime"}
# A legal representative's name is a person's name even where the catalog does not mark it sensitive.
_PERSON_NAMES = {"person.name", "entity.legal_representative"}
# Bulk look-ups stay under every database's limit on parameters in one statement.
LOOKUP_CHUNK = 900


@dataclass(frozen=True)
class Rule:
    """One quality rule of one element; `problem` says why it cannot be checked (then it is listed, not applied)."""

    element_code: str
    kind: str
    parameter: Any
    problem: str = ""


def element_rules(element: ElementSpec) -> list[Rule]:
    """The rules of an element, each ready to check or marked with why it cannot be."""
    rules: list[Rule] = []
    for kind, parameter in sorted(element.rules.items()):
        problem = ""
        if kind == "pattern":
            try:
                re.compile(str(parameter))
            except re.error:
                problem = gettext_noop("invalid regular expression")
        elif kind in {"minimum", "maximum"}:
            if _number(parameter) is None and not (element.data_type in _DATE_TYPES and isinstance(parameter, str)):
                problem = gettext_noop("the bound is not a number (or, for dates, an ISO date)")
        elif kind == "reference":
            if not isinstance(parameter, dict) or not parameter.get("resource") or not parameter.get("element"):
                problem = gettext_noop("a reference names a resource and an element")
        else:
            problem = gettext_noop("unknown rule")
        rules.append(Rule(element_code=element.code, kind=kind, parameter=parameter, problem=problem))
    return rules


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


class LocalCheck:
    """Checks the pattern and range rules of one element on single values."""

    def __init__(self, element: ElementSpec, rules: Iterable[Rule]) -> None:
        self.element = element
        self.rules = [rule for rule in rules if rule.kind in LOCAL_RULES and not rule.problem]
        self.patterns = {rule.kind: re.compile(str(rule.parameter)) for rule in self.rules if rule.kind == "pattern"}

    def failures(self, value: str) -> list[str]:
        """The kinds of the rules this value breaks."""
        failed: list[str] = []
        for rule in self.rules:
            if rule.kind == "pattern":
                # JSON Schema's meaning: the pattern may match anywhere; anchor it (^…$) to match the whole value.
                if self.patterns["pattern"].search(value) is None:
                    failed.append(rule.kind)
            elif not self._within(value, rule):
                failed.append(rule.kind)
        return failed

    def _within(self, value: str, rule: Rule) -> bool:
        if (
            self.element.data_type in _DATE_TYPES
            and isinstance(rule.parameter, str)
            and _number(rule.parameter) is None
        ):
            # Canonical dates are ISO text, so text order is date order.
            return value >= rule.parameter if rule.kind == "minimum" else value <= rule.parameter
        number = _number(value)
        bound = _number(rule.parameter)
        if number is None or bound is None:
            return False  # the rule asks for a number and this is none: it cannot be shown to hold
        return number >= bound if rule.kind == "minimum" else number <= bound


@dataclass(frozen=True)
class ReferenceTarget:
    """Where a reference rule looks values up: the key of a resource, or a looked-up sensitive element."""

    schema: ResourceSchema
    element_code: str
    by_key: bool


def reference_target(rule: Rule) -> tuple[ReferenceTarget | None, str]:
    """The target of a reference rule, or None and why it cannot be checked."""
    if rule.problem:
        return None, rule.problem
    resource = str(rule.parameter["resource"])
    code = str(rule.parameter["element"])
    try:
        schema = resource_schema(slug=resource)
    except NotFound:
        return None, gettext_noop("the referenced resource is not published")
    keys = schema.key_elements
    if len(keys) == 1 and keys[0].code == code:
        return ReferenceTarget(schema=schema, element_code=code, by_key=True), ""
    try:
        element = schema.element(code)
    except KeyError:
        return None, gettext_noop("the referenced resource has no such element")
    if element.lookup:
        return ReferenceTarget(schema=schema, element_code=code, by_key=False), ""
    return None, gettext_noop("the referenced element is neither the resource's only key nor looked up")


def _reference_names(rule: Rule) -> dict[str, str] | None:
    """The names a person reads for a reference rule's target (its resource and element), when it resolves."""
    if rule.kind != "reference":
        return None
    target, _problem = reference_target(rule)
    if target is None:
        return None
    return {"resource": target.schema.name, "element": target.schema.element(target.element_code).name}


def references_found(target: ReferenceTarget, values: Iterable[str]) -> set[str]:
    """The values that exist in the target, looked up in bulk by their stored key or blind index."""
    by_stored: dict[str, list[str]] = {}
    keys = RecordKeys(target.schema)
    for value in set(values):
        stored = keys.key({target.element_code: value}) if target.by_key else keys.lookup(target.element_code, value)
        by_stored.setdefault(stored, []).append(value)
    stored_values = list(by_stored)
    found: set[str] = set()
    for start in range(0, len(stored_values), LOOKUP_CHUNK):
        part = stored_values[start : start + LOOKUP_CHUNK]
        hits: Iterable[str]
        if target.by_key:
            hits = Record.objects.filter(resource_id=target.schema.resource_id, key__in=part).values_list(
                "key", flat=True
            )
        else:
            hits = LookupIndex.objects.filter(
                resource_id=target.schema.resource_id, element_code=target.element_code, digest__in=part
            ).values_list("digest", flat=True)
        for stored in hits:
            found.update(by_stored.get(stored, ()))
    return found


def masked(element: ElementSpec, value: str) -> str:
    """A value as an example may show it: identifiers and personal values masked, others as they are."""
    if element.data_type == "id_number":
        return mask_id_number(value)
    if element.data_type == "phone":
        return mask_phone(value)
    if element.concept in _PERSON_NAMES:
        return mask_name(value)
    if element.sensitive:
        if len(value) > 6:
            return value[:2] + "*" * (len(value) - 4) + value[-2:]
        return mask_name(value)
    return value[:80]


def percent(part: float, whole: float) -> float:
    """100 × part ÷ whole, two decimals; 100 when there is nothing to count."""
    if whole <= 0:
        return 100.0
    return round(100.0 * part / whole, 2)


def timeliness_score(*, days: int, cycle_days: int) -> float:
    """100 up to one cycle late, falling linearly to 0 at three cycles."""
    if days <= cycle_days:
        return 100.0
    if days >= 3 * cycle_days:
        return 0.0
    return round(100.0 * (3 * cycle_days - days) / (2 * cycle_days), 2)


def overall_score(scores: dict[str, float | None]) -> float:
    """The weighted mean of the dimensions that apply (None: does not apply); 0 when none does."""
    applicable = {name: value for name, value in scores.items() if value is not None and name in WEIGHTS}
    weight = sum(WEIGHTS[name] for name in applicable)
    if weight == 0:
        return 0.0
    return round(sum(WEIGHTS[name] * value for name, value in applicable.items()) / weight, 2)


# --- the dimensions: from the counts of one scope to a score and the details behind it -------------------

Scope = int | None  # a source department's id, or None for all sources together
# Uniqueness looks at a source's recent behaviour, not at every file it ever sent.
RECENT_BATCHES = 20
# A non-authoritative source was wrong, or has not been heard yet, in these outcomes.
_AGAINST_OTHER = (ConflictStatus.OPEN, ConflictStatus.CONFIRMED, ConflictStatus.OTHER_WRONG)


@dataclass
class Tally:
    """What the record pass counted for one scope."""

    records: int = 0
    filled: Counter[str] = field(default_factory=Counter)
    checked: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    rule_failures: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    set_by: Counter[str] = field(default_factory=Counter)
    persons: array[int] = field(default_factory=lambda: array("q"))


SEARCH_SLICE = 1 << 20


def shared_persons(everyone: array[int], scope: array[int]) -> int:
    """How many of a scope's people share their name and birth date with another record of the resource.

    Sorts `everyone` in place (its order means nothing) so that no copy of it is made: at 30 million people the
    array alone is 240 MB.
    """
    if not len(scope):
        return 0
    hashes = np.frombuffer(everyone, dtype=np.int64)
    hashes.sort()
    repeated_mask = hashes[1:] == hashes[:-1]
    repeated = np.unique(hashes[1:][repeated_mask])
    del repeated_mask
    if not len(repeated):
        return 0
    # Membership by binary search, a slice at a time: `np.isin` would sort a copy of the whole scope with its
    # indexes (about 40 bytes a person at once: 1.2 GB at 30 million).
    people = np.frombuffer(scope, dtype=np.int64)
    shared = 0
    for start in range(0, len(people), SEARCH_SLICE):
        part = people[start : start + SEARCH_SLICE]
        found = np.minimum(np.searchsorted(repeated, part), len(repeated) - 1)
        shared += int(np.count_nonzero(repeated[found] == part))
    return shared


@dataclass(frozen=True)
class Delivery:
    """A source department's batches into the resource, as the scores need them."""

    merged_rows: int = 0
    last_delivery: datetime.datetime | None = None
    last_batch: int | None = None
    recent: tuple[dict[str, Any], ...] = ()
    # Per element, values that met the authoritative source's value, as the merges counted them; None when a
    # batch predates the counting.
    compared: dict[str, int] | None = None


@dataclass
class ScoringInputs:
    """Everything the scores of one resource are computed from."""

    schema: ResourceSchema
    update_cycle: str
    authorities: dict[str, int | None]
    tallies: dict[Scope, Tally]
    problems: dict[tuple[str, str], str]
    rules: dict[str, list[Rule]]
    person_check: bool
    deliveries: dict[int, Delivery]
    raised: dict[tuple[int, str], Counter[str]]
    corrected: Counter[tuple[int, str]]
    all_conflicts: Counter[str]
    names: dict[int, str]
    today: datetime.date


def _completeness(inputs: ScoringInputs, tally: Tally) -> tuple[float | None, dict[str, Any]]:
    elements = inputs.schema.elements
    expected = tally.records * len(elements)
    filled = sum(tally.filled[element.code] for element in elements)
    details = {
        "definition": DEFINITIONS["completeness"],
        "records": tally.records,
        "filled": filled,
        "expected": expected,
        "elements": [
            {
                "code": element.code,
                "name": element.name,
                "required": element.required,
                "filled": tally.filled[element.code],
                "records": tally.records,
                "percent": percent(tally.filled[element.code], tally.records),
            }
            for element in elements
        ],
    }
    return (percent(filled, expected) if expected else None), details


def _validity(inputs: ScoringInputs, tally: Tally) -> tuple[float | None, dict[str, Any]]:
    elements = inputs.schema.elements
    checked = sum(tally.checked.values())
    failed = sum(tally.failed.values())
    rules = []
    for element in elements:
        for rule in inputs.rules[element.code]:
            rules.append(
                {
                    "element": element.code,
                    "name": element.name,
                    "rule": rule.kind,
                    "parameter": rule.parameter,
                    "target": _reference_names(rule),
                    "checked": tally.checked[element.code],
                    "failed": tally.rule_failures[(element.code, rule.kind)],
                    "problem": inputs.problems.get((element.code, rule.kind), ""),
                    "examples": tally.examples.get((element.code, rule.kind), []),
                }
            )
    details = {
        "definition": DEFINITIONS["validity"],
        "checked": checked,
        "passed": checked - failed,
        "elements": [
            {
                "code": element.code,
                "name": element.name,
                "checked": tally.checked[element.code],
                "failed": tally.failed[element.code],
                "percent": percent(
                    tally.checked[element.code] - tally.failed[element.code], tally.checked[element.code]
                ),
            }
            for element in elements
        ],
        "rules": rules,
    }
    return (percent(checked - failed, checked) if checked else None), details


def _uniqueness(inputs: ScoringInputs, scope: Scope, tally: Tally) -> tuple[float | None, dict[str, Any]]:
    if scope is None:
        batches = [item for delivery in inputs.deliveries.values() for item in delivery.recent]
    else:
        batches = list(inputs.deliveries[scope].recent) if scope in inputs.deliveries else []
    rows_sent = sum(item["rows"] for item in batches)
    duplicate_rows = sum(item["duplicate_key_rows"] for item in batches)
    parts: dict[str, float] = {}
    if rows_sent:
        parts["keys_within_files"] = percent(rows_sent - duplicate_rows, rows_sent)
    person: dict[str, int] | None = None
    if inputs.person_check and tally.records:
        shared = shared_persons(inputs.tallies[None].persons, tally.persons)
        person = {"records": tally.records, "sharing_name_and_birth_date": shared}
        parts["name_and_birth_date"] = percent(tally.records - shared, tally.records)
    details = {
        "definition": DEFINITIONS["uniqueness"],
        "recent_batches": RECENT_BATCHES,
        "batches": batches,
        "rows_sent": rows_sent,
        "duplicate_key_rows": duplicate_rows,
        "persons": person,
        "parts": parts,
    }
    score = round(sum(parts.values()) / len(parts), 2) if parts else None
    return score, details


def _compared(inputs: ScoringInputs, department: int, code: str) -> tuple[int, int]:
    """Values of one element a non-authoritative department sent that met an authoritative value, and disagreed.

    As its merges counted them; for departments with batches from before the counting, estimated from its
    batches: rows that reached the merge, less the values it set itself (no authoritative value to meet), for
    elements it is seen to send (it set one, or raised a conflict on one).
    """
    raised = inputs.raised.get((department, code), Counter())
    disagreed = sum(raised[status] for status in _AGAINST_OTHER)
    delivery = inputs.deliveries.get(department)
    if delivery is not None and delivery.compared is not None:
        return max(delivery.compared.get(code, 0), sum(raised.values())), disagreed
    tally = inputs.tallies.get(department)
    set_by = tally.set_by[code] if tally is not None else 0
    if not set_by and not sum(raised.values()):
        return 0, 0
    rows = delivery.merged_rows if delivery is not None else 0
    return max(rows - set_by, sum(raised.values())), disagreed


def _consistency(inputs: ScoringInputs, scope: Scope) -> tuple[float | None, dict[str, Any]]:
    elements = []
    total_compared = total_disagreed = 0
    for element in inputs.schema.elements:
        authority = inputs.authorities.get(element.code)
        if element.is_key or authority is None:
            continue
        others = [department for department in inputs.deliveries if department != authority]
        if scope is None:
            compared = sum(_compared(inputs, department, element.code)[0] for department in others)
            disagreed = min(inputs.all_conflicts[element.code], compared)
        elif scope == authority:
            compared = sum(_compared(inputs, department, element.code)[0] for department in others)
            disagreed = min(inputs.corrected[(authority, element.code)], compared)
        else:
            compared, disagreed = _compared(inputs, scope, element.code)
        if not compared:
            continue
        conflicts = (
            inputs.raised.get((scope, element.code), Counter()) if scope is not None and scope != authority else None
        )
        elements.append(
            {
                "code": element.code,
                "name": element.name,
                "authority": inputs.names.get(authority, ""),
                "compared": compared,
                "disagreed": disagreed,
                "conflicts": dict(conflicts) if conflicts is not None else {},
                "percent": percent(compared - disagreed, compared),
            }
        )
        total_compared += compared
        total_disagreed += disagreed
    details = {
        "definition": DEFINITIONS["consistency"],
        "compared": total_compared,
        "disagreed": total_disagreed,
        "elements": elements,
    }
    return (percent(total_compared - total_disagreed, total_compared) if total_compared else None), details


def _timeliness(inputs: ScoringInputs, scope: Scope) -> tuple[float | None, dict[str, Any]]:
    cycles = {cycle.value: days for cycle, days in UPDATE_CYCLE_DAYS.items()}
    cycle_days = cycles.get(inputs.update_cycle, cycles["irregular"])
    candidates = list(inputs.deliveries.items()) if scope is None else [(scope, inputs.deliveries.get(scope))]
    latest: Delivery | None = None
    for _department, delivery in candidates:
        if delivery is None or delivery.last_delivery is None:
            continue
        if latest is None or latest.last_delivery is None or delivery.last_delivery > latest.last_delivery:
            latest = delivery
    details: dict[str, Any] = {
        "definition": DEFINITIONS["timeliness"],
        "update_cycle": inputs.update_cycle,
        "cycle_days": cycle_days,
        "last_delivery": None,
        "last_batch": None,
        "days": None,
    }
    if latest is None or latest.last_delivery is None:
        return None, details
    days = max((inputs.today - timezone.localdate(latest.last_delivery)).days, 0)
    details.update(last_delivery=latest.last_delivery.isoformat(), last_batch=latest.last_batch, days=days)
    return timeliness_score(days=days, cycle_days=cycle_days), details


def score_fields(inputs: ScoringInputs, scope: Scope) -> dict[str, Any]:
    """The fields of one QualityScore row."""
    tally = inputs.tallies.get(scope) or Tally()
    completeness, completeness_details = _completeness(inputs, tally)
    validity, validity_details = _validity(inputs, tally)
    uniqueness, uniqueness_details = _uniqueness(inputs, scope, tally)
    consistency, consistency_details = _consistency(inputs, scope)
    timeliness, timeliness_details = _timeliness(inputs, scope)
    scores = {
        "completeness": completeness,
        "validity": validity,
        "uniqueness": uniqueness,
        "consistency": consistency,
        "timeliness": timeliness,
    }
    overall = overall_score(scores)
    details = {
        "applicable": {name: scores[name] is not None for name in DIMENSIONS},
        "completeness": completeness_details,
        "validity": validity_details,
        "uniqueness": uniqueness_details,
        "consistency": consistency_details,
        "timeliness": timeliness_details,
        "overall": {
            "definition": DEFINITIONS["overall"],
            "weights": WEIGHTS,
            "applied": [name for name in DIMENSIONS if scores[name] is not None],
        },
    }
    # The columns are not nullable: a dimension that does not apply is stored as 100 (nothing to deduct).
    return {
        "records": tally.records,
        **{name: 100.0 if value is None else value for name, value in scores.items()},
        "overall": overall,
        "details": details,
    }
