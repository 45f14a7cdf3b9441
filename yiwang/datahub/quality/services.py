"""Computing data-quality scores: one streaming pass over a resource's records, then its batches and conflicts.

Each run stores one `QualityScore` for all sources together and one per source department that contributed
(it sent a committed batch, or the provenance of a record names it). A dimension that has nothing to judge
(no records of that department, no comparison with another source, no delivery yet) does not apply: it is
stored as 100 with `details["applicable"][name] = False` and left out of the overall score.

Memory stays bounded whatever the size of the registry: records stream in chunks of `CHUNK_RECORDS`, their
sealed values are opened chunk by chunk, references are looked up in bulk per chunk, and the only thing kept
for the whole pass is one 8-byte hash per person (name + birth date) for the duplicate check.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.core.audit.services import Actor, record_event
from yiwang.core.errors import NotFound, PermissionDenied
from yiwang.datahub.catalog.schema import ResourceSchema
from yiwang.datahub.catalog.selectors import element_authorities, resource_schema
from yiwang.datahub.models import (
    Batch,
    BatchStatus,
    Conflict,
    ConflictStatus,
    QualityScore,
    Resource,
)
from yiwang.datahub.quality.rules import (
    RECENT_BATCHES,
    Delivery,
    LocalCheck,
    ReferenceTarget,
    Rule,
    Scope,
    ScoringInputs,
    Tally,
    element_rules,
    masked,
    reference_target,
    references_found,
    score_fields,
)
from yiwang.datahub.quality.selectors import QualityScoreView, quality_may_recompute, score_view
from yiwang.datahub.registry.records import RecordCipher, records_after
from yiwang.org.selectors import department_get

CHUNK_RECORDS = 5000
EXAMPLES_PER_RULE = 3


def _person_elements(schema: ResourceSchema) -> tuple[str, str] | None:
    concepts = {element.concept: element for element in schema.elements if element.concept}
    name, birth = concepts.get("person.name"), concepts.get("person.birth_date")
    if name is None or birth is None or name.is_key or birth.is_key:
        return None
    return name.code, birth.code


def _person_hash(name: str, birth: str) -> int:
    # 64 bits: the chance that any two of ten million different people collide is about 1 in 370,000.
    digest = hashlib.blake2b(f"{name}\x1f{birth}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class _RecordPass:
    """Streams over a resource's records once and counts, per scope, what the dimensions need."""

    def __init__(self, schema: ResourceSchema) -> None:
        self.schema = schema
        self.elements = {element.code: element for element in schema.elements}
        self.has_sensitive = any(element.sensitive for element in schema.elements)
        self.cipher = RecordCipher(schema.resource_id)
        self.rules = {element.code: element_rules(element) for element in schema.elements}
        self.local = {
            element.code: LocalCheck(element, self.rules[element.code])
            for element in schema.elements
            if any(rule.kind != "reference" and not rule.problem for rule in self.rules[element.code])
        }
        self.references: list[tuple[Rule, ReferenceTarget]] = []
        self.problems: dict[tuple[str, str], str] = {}
        for rules in self.rules.values():
            for rule in rules:
                if rule.kind == "reference":
                    target, problem = reference_target(rule)
                    if target is not None:
                        self.references.append((rule, target))
                    else:
                        self.problems[(rule.element_code, rule.kind)] = problem
                elif rule.problem:
                    self.problems[(rule.element_code, rule.kind)] = rule.problem
        self.person = _person_elements(schema)
        self.tallies: dict[Scope, Tally] = {None: Tally()}
        # Records mostly fill the same elements: count each scope's sets of codes, spread them over the
        # per-element counters once at the end (one count per record instead of one per value).
        self.filled_sets: defaultdict[Scope, Counter[tuple[str, ...]]] = defaultdict(Counter)
        self.set_by_sets: defaultdict[Scope, Counter[tuple[str, ...]]] = defaultdict(Counter)

    def tally(self, scope: Scope) -> Tally:
        if scope not in self.tallies:
            self.tallies[scope] = Tally()
        return self.tallies[scope]

    def run(self) -> dict[Scope, Tally]:
        last = 0
        while True:
            chunk = records_after(self.schema.resource_id, after=last, limit=CHUNK_RECORDS)
            if not chunk:
                self._spread_sets()
                return self.tallies
            last = chunk[-1][0]
            self._chunk(chunk)

    def _spread_sets(self) -> None:
        for scope, sets in self.filled_sets.items():
            tally = self.tallies[scope]
            for codes, count in sets.items():
                for code in codes:
                    tally.filled[code] += count
                    if scope is None:
                        tally.checked[code] += count
        for scope, sets in self.set_by_sets.items():
            tally = self.tallies[scope]
            for codes, count in sets.items():
                for code in codes:
                    tally.set_by[code] += count
                    tally.checked[code] += count

    def _label(self, values: dict[str, str]) -> str:
        return " / ".join(masked(element, values.get(element.code, "")) for element in self.schema.key_elements)

    def _chunk(self, chunk: Sequence[tuple[Any, ...]]) -> None:
        rows: list[tuple[dict[str, str], dict[int, list[str]], dict[str, list[str]]]] = []
        pending: dict[int, list[tuple[int, str]]] = {}
        everyone = self.tallies[None]
        filled_sets, set_by_sets = self.filled_sets, self.set_by_sets
        for _pk, key, data, protected, provenance in chunk:
            merged = dict(data or {})
            if self.has_sensitive and protected:
                merged |= self.cipher.unseal(key, protected)
            # Elements the published version no longer has are left out, as are empty values.
            values = {
                code: str(value) for code, value in merged.items() if code in self.elements and value not in ("", None)
            }
            by_source: dict[int, list[str]] = {}
            for code, source in (provenance or {}).items():
                if code in values and isinstance(source, list) and source and source[0] is not None:
                    by_source.setdefault(int(source[0]), []).append(code)
            # Completeness counts a record for every department that set one of its values; validity counts a
            # value for the department that set it.
            scopes = [everyone]
            everyone.records += 1
            filled = tuple(values)
            filled_sets[None][filled] += 1
            for department, codes in by_source.items():
                tally = self.tally(department)
                scopes.append(tally)
                tally.records += 1
                filled_sets[department][filled] += 1
                set_by_sets[department][tuple(codes)] += 1
            if self.person is not None and self.person[0] in values and self.person[1] in values:
                digest = _person_hash(values[self.person[0]], values[self.person[1]])
                for tally in scopes:
                    tally.persons.append(digest)
            failures: dict[str, list[str]] = {}
            for code, check in self.local.items():
                if code in values:
                    failed = check.failures(values[code])
                    if failed:
                        failures[code] = failed
            for index, (rule, _target) in enumerate(self.references):
                if rule.element_code in values:
                    pending.setdefault(index, []).append((len(rows), values[rule.element_code]))
            rows.append((values, by_source, failures))
        for index, items in pending.items():
            rule, target = self.references[index]
            found = references_found(target, (value for _row, value in items))
            for row, value in items:
                if value not in found:
                    rows[row][2].setdefault(rule.element_code, []).append("reference")
        for values, by_source, failures in rows:
            if failures:
                self._failures(values, by_source, failures)

    def _failures(
        self, values: dict[str, str], by_source: dict[int, list[str]], failures: dict[str, list[str]]
    ) -> None:
        label = self._label(values)
        for code, failed in failures.items():
            element = self.elements[code]
            setter = next((department for department, codes in by_source.items() if code in codes), None)
            targets = [self.tallies[None]] if setter is None else [self.tallies[None], self.tally(setter)]
            for tally in targets:
                tally.failed[code] += 1
                for kind in failed:
                    tally.rule_failures[(code, kind)] += 1
                    examples = tally.examples.setdefault((code, kind), [])
                    if len(examples) < EXAMPLES_PER_RULE:
                        examples.append({"record": label, "value": masked(element, values[code])})


def _deliveries(resource_id: int) -> dict[int, Delivery]:
    committed = (
        Batch.objects.filter(resource_id=resource_id, status=BatchStatus.COMMITTED)
        .values("source_department_id")
        .annotate(rows=Sum("rows"), rejected=Sum("rejected"))
    )
    merged = {item["source_department_id"]: (item["rows"] or 0) - (item["rejected"] or 0) for item in committed}
    # A file sent again unchanged (status duplicate) is a delivery too: the source is up to date.
    delivered = (
        Batch.objects.filter(
            resource_id=resource_id,
            status__in=[BatchStatus.COMMITTED, BatchStatus.DUPLICATE],
            finished_at__isnull=False,
        )
        .values("source_department_id")
        .annotate(last=Max("finished_at"), batch=Max("id"))
    )
    last = {item["source_department_id"]: (item["last"], item["batch"]) for item in delivered}
    result: dict[int, Delivery] = {}
    for department in sorted(set(merged) | set(last)):
        batches = Batch.objects.filter(
            resource_id=resource_id, source_department_id=department, status=BatchStatus.COMMITTED
        ).order_by("-id")[:RECENT_BATCHES]
        recent = [
            {"batch": batch["id"], "rows": batch["rows"], "duplicate_key_rows": batch["duplicate_key_rows"]}
            for batch in batches.values("id", "rows", "duplicate_key_rows")
        ]
        when, batch_id = last.get(department, (None, None))
        result[department] = Delivery(
            merged_rows=max(merged.get(department, 0), 0),
            last_delivery=when,
            last_batch=batch_id,
            recent=tuple(recent),
            compared=_compared_counts(resource_id, department),
        )
    return result


def _compared_counts(resource_id: int, department: int) -> dict[str, int] | None:
    """Per element, the department's values that met the authoritative source's, summed over its batches."""
    total: Counter[str] = Counter()
    counts = Batch.objects.filter(
        resource_id=resource_id, source_department_id=department, status=BatchStatus.COMMITTED
    ).values_list("compared", flat=True)
    for compared in counts.iterator():
        if compared is None:
            return None  # a batch merged before the merge counted: estimate instead
        total.update(compared)
    return dict(total)


def _conflict_counts(
    resource_id: int,
) -> tuple[dict[tuple[int, str], Counter[str]], Counter[tuple[int, str]], Counter[str]]:
    raised: dict[tuple[int, str], Counter[str]] = {}
    corrected: Counter[tuple[int, str]] = Counter()
    everything: Counter[str] = Counter()
    rows = (
        Conflict.objects.filter(resource_id=resource_id)
        .values("other_department_id", "authoritative_department_id", "element_code", "status")
        .annotate(count=Count("id"))
    )
    for row in rows:
        code, status, count = row["element_code"], row["status"], row["count"]
        raised.setdefault((row["other_department_id"], code), Counter())[status] += count
        if status == ConflictStatus.CORRECTED:
            corrected[(row["authoritative_department_id"], code)] += count
        everything[code] += count
    return raised, corrected, everything


def quality_compute(
    *, resource_id: int, batch_id: int | None = None, actor: Actor | None = None
) -> list[QualityScoreView]:
    """Compute and store a resource's scores: all sources together first, then each source department."""
    resource = Resource.objects.filter(pk=resource_id).first()
    if resource is None:
        raise NotFound(_("No such resource."), field="resource")
    if actor is not None and not quality_may_recompute(viewer=actor, resource_id=resource_id):
        raise PermissionDenied(_("Only the source department's data administrators recompute its quality."))
    schema = resource_schema(slug=resource.slug)
    record_pass = _RecordPass(schema)
    tallies = record_pass.run()
    deliveries = _deliveries(resource_id)
    departments = sorted({scope for scope in tallies if scope is not None} | set(deliveries))
    if not departments and not tallies[None].records:
        return []
    raised, corrected, everything = _conflict_counts(resource_id)
    authorities = element_authorities(resource_id=resource_id)
    wanted = set(departments) | {department for department in authorities.values() if department is not None}
    names = {}
    for department_id in wanted:
        info = department_get(department_id=department_id)
        names[department_id] = info.name if info is not None else str(department_id)
    inputs = ScoringInputs(
        schema=schema,
        update_cycle=resource.update_cycle,
        authorities=authorities,
        tallies=tallies,
        problems=record_pass.problems,
        rules=record_pass.rules,
        person_check=record_pass.person is not None,
        deliveries=deliveries,
        raised=raised,
        corrected=corrected,
        all_conflicts=everything,
        names=names,
        today=timezone.localdate(),
    )
    fields = [(scope, score_fields(inputs, scope)) for scope in [None, *departments]]
    with transaction.atomic():
        created = [
            QualityScore.objects.create(
                resource_id=resource_id, source_department_id=scope, batch_id=batch_id, **values
            )
            for scope, values in fields
        ]
        record_event(
            actor=actor,
            action="datahub.quality.compute",
            object_type="datahub.resource",
            object_id=resource_id,
            changes={"batch": batch_id, "scores": len(created), "overall": created[0].overall},
        )
    stored = QualityScore.objects.select_related("resource", "source_department").in_bulk([row.pk for row in created])
    return [score_view(stored[row.pk]) for row in created]


def quality_request_recompute(*, actor: Actor, resource_id: int) -> None:
    """A platform or source data administrator asks for fresh scores; they are computed in the background."""
    # Imported here: the tasks module imports this one to call quality_compute.
    from yiwang.datahub.quality.tasks import compute_quality

    if not Resource.objects.filter(pk=resource_id).exists():
        raise NotFound(_("No such resource."), field="resource")
    if not quality_may_recompute(viewer=actor, resource_id=resource_id):
        raise PermissionDenied(_("Only the source department's data administrators recompute its quality."))
    with transaction.atomic():
        record_event(
            actor=actor, action="datahub.quality.recompute", object_type="datahub.resource", object_id=resource_id
        )
        transaction.on_commit(lambda: compute_quality.enqueue(resource_id=resource_id))
