"""The services app's models: the item catalog (`catalog`) and applications (`applications`)."""

from yiwang.services.models.applications import (
    Application,
    ApplicationCounter,
    ApplicationEvent,
    ApplicationStatus,
    SpecialProcedureKind,
)
from yiwang.services.models.catalog import (
    ExerciseLevel,
    Fee,
    HandlingItem,
    ItemType,
    ItemVersion,
    LimitUnit,
    Material,
    MaterialForm,
    MaterialSource,
    OnlineDepth,
    PowerSource,
    ProjectType,
    ResultType,
    ServiceItem,
    ServiceObject,
    VersionStatus,
)
from yiwang.services.models.materials import ApplicationMaterial

__all__ = [
    "Application",
    "ApplicationCounter",
    "ApplicationEvent",
    "ApplicationMaterial",
    "ApplicationStatus",
    "ExerciseLevel",
    "Fee",
    "HandlingItem",
    "ItemType",
    "ItemVersion",
    "LimitUnit",
    "Material",
    "MaterialForm",
    "MaterialSource",
    "OnlineDepth",
    "PowerSource",
    "ProjectType",
    "ResultType",
    "ServiceItem",
    "ServiceObject",
    "SpecialProcedureKind",
    "VersionStatus",
]
