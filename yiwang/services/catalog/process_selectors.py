"""Reading the items' BPMN processes for the console (ADR 0018): which process each version runs — its own or the
platform's default for its kind of case — and its steps as the platform reads them."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from yiwang.core.errors import NotFound, lazy_format
from yiwang.identity.roles import Role
from yiwang.org.selectors import departments_by_reference
from yiwang.services.applications.process import process_text
from yiwang.services.models import ItemVersion, ProjectType, StepKind
from yiwang.services.workflow.engine import Problem, ProcessRefused, Step, compile_process

KIND_LABELS = dict(StepKind.choices)
ROLE_LABELS = dict(Role.choices)
PROJECT_TYPE_LABELS = dict(ProjectType.choices)
VERSION_FIELDS = ("number", "status", "project_type", "process_bpmn", "item__task_code", "item__department__name")


@dataclass(frozen=True)
class ProcessStepLine:
    """A user task of a process, as the console lists it."""

    bpmn_id: str
    name: str
    kind: str
    kind_label: str
    role: str
    role_label: str
    department: str  # the name of the department that takes the step
    department_known: bool  # False: the process names no single active department, so the item's own takes it
    countersign: int  # how many must sign (0: not a countersign)
    limit_days: int | None


@dataclass(frozen=True)
class VersionProcess:
    """The process a version runs and its steps; `problems` only for a stored process the engine now refuses."""

    version_id: int
    version: int
    status: str
    own: bool  # the version's own process (else the platform's default for its kind of case)
    project_type_label: str
    process_id: str
    name: str
    filename: str
    steps: tuple[ProcessStepLine, ...]
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class ProcessFile:
    """A version's BPMN file, to download and open in a modeller."""

    filename: str
    text: str


def _filename(version: ItemVersion) -> str:
    return f"{version.item.task_code}-v{version.number}.bpmn"


def _step_line(step: Step, own_department: str, departments: dict[str, str | None]) -> ProcessStepLine:
    department, known = own_department, True
    if step.department:
        if step.department not in departments:
            found = departments_by_reference(reference=step.department)
            departments[step.department] = found[0].name if len(found) == 1 else None
        name = departments[step.department]
        department, known = (name, True) if name is not None else (step.department, False)
    return ProcessStepLine(
        bpmn_id=step.bpmn_id,
        name=step.name,
        kind=step.kind,
        kind_label=str(KIND_LABELS.get(step.kind, step.kind)),
        role=step.role,
        role_label=str(ROLE_LABELS.get(step.role, step.role)),
        department=department,
        department_known=known,
        countersign=step.countersign,
        limit_days=step.limit_days,
    )


def _version_process(version: ItemVersion, departments: dict[str, str | None]) -> VersionProcess:
    steps: tuple[ProcessStepLine, ...] = ()
    problems: tuple[Problem, ...] = ()
    process_id = name = ""
    try:
        process = compile_process(process_text(version))
    except ProcessRefused as refused:  # checked when saved; kept visible should a later engine refuse it
        problems = tuple(refused.problems)
    else:
        process_id, name = process.process_id, process.name
        own_department = version.item.department.name
        steps = tuple(_step_line(step, own_department, departments) for step in process.steps.values())
    return VersionProcess(
        version_id=version.pk,
        version=version.number,
        status=version.status,
        own=bool(version.process_bpmn),
        project_type_label=str(PROJECT_TYPE_LABELS.get(version.project_type, version.project_type)),
        process_id=process_id,
        name=name,
        filename=_filename(version),
        steps=steps,
        problems=problems,
    )


def item_process_list(*, task_code: str, version_id: int | None = None) -> list[VersionProcess]:
    """The process of each version of an item (or of one version), newest first, with its steps."""
    versions = ItemVersion.objects.filter(item__task_code=task_code).select_related("item__department")
    if version_id is not None:
        versions = versions.filter(pk=version_id)
    departments: dict[str, str | None] = {}  # a department named by several steps is looked up once
    return [_version_process(version, departments) for version in versions.only(*VERSION_FIELDS).order_by("-number")]


def version_process_file(*, version_id: int) -> ProcessFile:
    """The BPMN file a version runs (its own, or the platform's default for its kind of case)."""
    versions = ItemVersion.objects.select_related("item").only(
        "number", "project_type", "process_bpmn", "item__task_code"
    )
    found = versions.filter(pk=version_id).first()
    if found is None:
        raise NotFound(lazy_format(_("No item version has id %(id)s."), {"id": version_id}))
    return ProcessFile(filename=_filename(found), text=process_text(found))
