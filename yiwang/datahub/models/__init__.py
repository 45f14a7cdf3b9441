"""The data hub's tables: catalog, records, batches, conflicts, quality scores."""

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
    "LookupIndex",
    "Openness",
    "QualityScore",
    "Record",
    "Resource",
    "ResourceStatus",
    "ResourceVersion",
    "SharingMethod",
    "SharingType",
    "UpdateCycle",
]
