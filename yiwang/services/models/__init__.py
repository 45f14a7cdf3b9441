"""The services app's models: the item catalog (`catalog`), applications (`applications`) with their uploaded
materials (`materials`), and electronic supervision's rules (`supervision`)."""

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
from yiwang.services.models.supervision import SupervisionRule, WarningLevel

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
    "SupervisionRule",
    "VersionStatus",
    "WarningLevel",
]
