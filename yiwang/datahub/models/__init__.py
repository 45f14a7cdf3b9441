"""The data hub's tables: catalog, records, batches, conflicts, quality scores, linking runs and reviews."""

from yiwang.datahub.models.authority import Conflict, ConflictStatus
from yiwang.datahub.models.catalog import (
    UPDATE_CYCLE_DAYS,
    Element,
    ElementType,
    Openness,
    Resource,
    ResourceStatus,
    ResourceVersion,
    SharingMethod,
    SharingType,
    UpdateCycle,
)
from yiwang.datahub.models.ingestion import Batch, BatchChannel, BatchStatus
from yiwang.datahub.models.linking import LinkKind, LinkReview, LinkRun, LinkRunStatus, ReviewDecision
from yiwang.datahub.models.quality import QualityScore
from yiwang.datahub.models.registry import LookupIndex, Record

__all__ = [
    "UPDATE_CYCLE_DAYS",
    "Batch",
    "BatchChannel",
    "BatchStatus",
    "Conflict",
    "ConflictStatus",
    "Element",
    "ElementType",
    "LinkKind",
    "LinkReview",
    "LinkRun",
    "LinkRunStatus",
    "LookupIndex",
    "Openness",
    "QualityScore",
    "Record",
    "Resource",
    "ResourceStatus",
    "ResourceVersion",
    "ReviewDecision",
    "SharingMethod",
    "SharingType",
    "UpdateCycle",
]
