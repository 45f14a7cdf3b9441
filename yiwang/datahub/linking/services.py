"""Running entity resolution over the registry and deciding the pairs the model was unsure about."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.core.audit.services import record_model_event
from yiwang.core.errors import Conflict as ConflictError
from yiwang.core.errors import NotFound, PermissionDenied, ValidationFailed
from yiwang.datahub.linking.engine import DEFAULT_MATCH_THRESHOLD, DEFAULT_REVIEW_BAND, link_entities, link_persons
from yiwang.datahub.linking.results import LinkResult
from yiwang.datahub.linking.selectors import may_decide_review
from yiwang.datahub.linking.sources import link_sources, source_table
from yiwang.datahub.models import LinkKind, LinkReview, LinkRun, LinkRunStatus, ReviewDecision
from yiwang.identity.roles import Role
from yiwang.org.selectors import local_area_names

_PLACE_SUFFIX = re.compile(r"(省|市|区|县|自治县|自治州|地区|盟|旗)$")


def linking_directory() -> Path:
    """Where the clusters of each run are written (under var/, never served as static files)."""
    path = Path(settings.MEDIA_ROOT) / "datahub" / "linking"
    path.mkdir(parents=True, exist_ok=True)
    return path


def place_names() -> list[str]:
    """The platform's division names with and without their suffix (明湖市, 明湖): noise in enterprise names."""
    names: set[str] = set()
    for name in local_area_names().values():
        names.add(name)
        short = _PLACE_SUFFIX.sub("", name)
        if len(short) >= 2:
            names.add(short)
    return sorted(names, key=lambda item: (-len(item), item))


def _decided_pairs(kind: str) -> set[tuple[str, str, str, str]]:
    decided = LinkReview.objects.filter(kind=kind).exclude(decision=ReviewDecision.OPEN)
    pairs = set()
    for left_source, left_record, right_source, right_record in decided.values_list(
        "left_source", "left_record", "right_source", "right_record"
    ):
        pairs.add((left_source, left_record, right_source, right_record))
        pairs.add((right_source, right_record, left_source, left_record))
    return pairs


def _figures(result: LinkResult) -> dict[str, Any]:
    figures = dataclasses.asdict(result.statistics)
    figures["seconds"] = dict(result.statistics.seconds)
    methods = result.members.group_by("method").aggregate([("record_id", "count")]).to_pydict()
    figures["members_by_method"] = dict(zip(methods["method"], methods["record_id_count"], strict=True))
    return figures


def link_run(
    *,
    actor: Any,
    kind: str,
    slugs: Sequence[str] = (),
    match_threshold: float = DEFAULT_MATCH_THRESHOLD,
    review_band: tuple[float, float] = DEFAULT_REVIEW_BAND,
    workdir: Path | None = None,
) -> LinkRun:
    """Link the persons (or entities) of the published resources; store the run, its clusters and its review pairs.

    Exact on a valid ID number or credit code, Splink for the rest. Pairs decided in an earlier run are not
    asked again. Platform administrators (or the command line, actor None) only.
    """
    if kind not in LinkKind.values:
        raise ValidationFailed(_("Link persons or entities."), field="kind")
    if actor is not None and not actor.has_role(Role.PLATFORM_ADMIN):
        raise PermissionDenied(_("Only platform administrators run entity resolution."))
    if not 0 < review_band[0] <= review_band[1] <= match_threshold < 1:
        raise ValidationFailed(_("The review band must lie below the match threshold, between 0 and 1."))
    sources = link_sources(kind, slugs=slugs)
    unusable = [source.slug for source in sources if not source.columns]
    if unusable:
        raise ValidationFailed(
            _("%(resources)s: no element says it holds a name (concept %(concept)s) and something to compare.")
            % {
                "resources": "、".join(unusable),
                "concept": f"{'person' if kind == LinkKind.PERSONS else 'entity'}.name",
            },
            field="resource",
        )
    if not sources:
        raise NotFound(_("No published resource holds %(kind)s to link.") % {"kind": LinkKind(kind).label})
    run = LinkRun.objects.create(
        kind=kind, sources=[source.slug for source in sources], started_by_id=getattr(actor, "pk", None)
    )
    try:
        table = source_table(kind, sources)
        if kind == LinkKind.PERSONS:
            result = link_persons(
                table, match_threshold=match_threshold, review_band=review_band, workdir=workdir or linking_directory()
            )
        else:
            result = link_entities(
                table,
                place_names=place_names(),
                match_threshold=match_threshold,
                review_band=review_band,
                workdir=workdir or linking_directory(),
            )
        members_path = linking_directory() / f"run-{run.pk}-{kind}.parquet"
        pq.write_table(result.members, members_path)
    except Exception as error:
        LinkRun.objects.filter(pk=run.pk).update(
            status=LinkRunStatus.FAILED, error=str(error)[:2000] or error.__class__.__name__, finished_at=timezone.now()
        )
        raise
    decided = _decided_pairs(kind)
    reviews = [
        LinkReview(
            run=run,
            kind=kind,
            left_source=pair.left.source,
            left_record=pair.left.record_id,
            right_source=pair.right.source,
            right_record=pair.right.record_id,
            match_weight=pair.match_weight,
            match_probability=pair.match_probability,
            reason=pair.reason,
            comparison=dict(pair.comparison),
        )
        for pair in result.review
        if (pair.left.source, pair.left.record_id, pair.right.source, pair.right.record_id) not in decided
    ]
    with transaction.atomic():
        LinkReview.objects.bulk_create(reviews, batch_size=2000)
        run.status = LinkRunStatus.FINISHED
        run.statistics = _figures(result) | {"review_pairs_new": len(reviews)}
        run.model = dict(result.model)
        run.members_path = str(members_path)
        run.finished_at = timezone.now()
        run.save()
        record_model_event(
            actor=actor,
            action="datahub.link.run",
            instance=run,
            changes={
                "kind": kind,
                "sources": run.sources,
                "records": result.statistics.records,
                "clusters": result.statistics.clusters,
                "review_pairs": len(reviews),
            },
        )
    return run


def review_decide(*, actor: Any, review_id: int, decision: str, note: str = "") -> LinkReview:
    """Say whether the two records of a pair are the same person or entity; audited, decided once."""
    if decision not in {ReviewDecision.SAME, ReviewDecision.DIFFERENT}:
        raise ValidationFailed(_("Choose the same or not the same."), field="decision")
    with transaction.atomic():
        review = LinkReview.objects.select_for_update().filter(pk=review_id).first()
        if review is None:
            raise NotFound(_("No such pair."))
        if not may_decide_review(actor, review):
            raise PermissionDenied(_("Only data administrators of the two sources and platform administrators decide."))
        if review.decision != ReviewDecision.OPEN:
            raise ConflictError(_("This pair was already decided."))
        review.decision = decision
        review.note = note.strip()[:2000]
        review.decided_by_id = actor.pk
        review.decided_at = timezone.now()
        review.save(update_fields=["decision", "note", "decided_by", "decided_at"])
        record_model_event(
            actor=actor,
            action="datahub.link.review",
            instance=review,
            changes={"decision": decision, "run": review.run_id, "sources": [review.left_source, review.right_source]},
        )
    return review
