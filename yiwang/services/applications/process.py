"""Each application's BPMN process (ADR 0018): started at submission, advanced by the steps people take, stopped
when the application ends otherwise. The engine (`services.workflow.engine`) knows nothing of Django; this module
keeps its state in `ApplicationProcess` and mirrors its waiting user tasks as `ApplicationStep` rows — who is asked
(a role in a department), by when (the stage limit in working days), and what they did.

Callers hold the application's row lock (`services._locked`): steps on one application never interleave.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.calendar.selectors import calendar_add_working_days
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed, lazy_format
from yiwang.identity.roles import Role, UserKind
from yiwang.org.selectors import departments_by_reference
from yiwang.services.models import (
    Application,
    ApplicationProcess,
    ApplicationStep,
    ItemVersion,
    ProcessDefinition,
    StepKind,
    StepStatus,
)
from yiwang.services.workflow.engine import (
    AGREE,
    Problem,
    Process,
    ProcessRefused,
    ReadyStep,
    Run,
    check_process,
    compile_process,
    default_process_text,
)

# A reviewer's step may also be taken by an approver of the same department (as the steps before the engine).
STAND_INS: dict[str, tuple[str, ...]] = {Role.REVIEWER: (Role.REVIEWER, Role.APPROVER)}


def _roles_for(role: str) -> tuple[str, ...]:
    return STAND_INS.get(role, (role,))


def process_text(version: ItemVersion) -> str:
    """The BPMN the version runs: its own, or the platform's default for its kind of case."""
    return version.process_bpmn or default_process_text(version.project_type)


def department_problem(reference: str) -> str | None:
    """Why a process's `@department` cannot be used (None when it names exactly one active department)."""
    found = departments_by_reference(reference=reference)
    if not found:
        return str(lazy_format(_("No active department is named or has the credit code %(ref)s."), {"ref": reference}))
    if len(found) > 1:
        return str(
            lazy_format(
                _("Several departments are named %(ref)s: give its unified social credit code instead."),
                {"ref": reference},
            )
        )
    return None


def process_problems(text: str | bytes) -> list[Problem]:
    """Everything wrong with a BPMN file for this platform (its departments included); [] when it can be used."""
    return check_process(text, department_known=department_problem)


def _department_id(application: Application, reference: str) -> int:
    if not reference:
        return application.department_id
    found = departments_by_reference(reference=reference)
    if len(found) != 1:
        # Checked at upload; a department merged or closed since then: its steps fall to the item's department.
        return application.department_id
    return found[0].id


def _start_data(application: Application) -> dict[str, Any]:
    return {
        "form": dict(application.form_data or {}),
        "applicant_kind": "enterprise" if application.enterprise_id else "person",
        "handling_item": application.handling_item.code if application.handling_item_id else "",  # type: ignore[union-attr]
    }


def _due_on(limit_days: int | None, opened: datetime.date) -> datetime.date | None:
    return calendar_add_working_days(opened, limit_days).date if limit_days else None


def _sync(
    application: Application, run: Run, record: ApplicationProcess, *, waiting: list[ApplicationStep] | None = None
) -> None:
    """Mirror the engine's waiting user tasks as open steps and store the state. `waiting`: the open steps as the
    caller already knows them (else read here)."""
    ready = run.ready()
    ready_ids = {item.task_id for item in ready}
    if waiting is None:
        waiting = list(application.steps.filter(status=StepStatus.OPEN))
    known = {step.task_id for step in waiting}
    now = timezone.now()
    gone = [task_id for task_id in known if task_id not in ready_ids]
    if gone:  # ended by the process itself (an interrupting timer, a cancelled branch)
        ApplicationStep.objects.filter(application=application, task_id__in=gone).update(status=StepStatus.CANCELLED)
    opened = [_new_step(application, item, now) for item in ready if item.task_id not in known]
    if opened:
        ApplicationStep.objects.bulk_create(opened)
    record.state = run.dump()
    record.finished = run.finished
    record.next_timer_at = run.next_timer()
    record.updated_at = now
    record.save()


def _new_step(application: Application, item: ReadyStep, now: datetime.datetime) -> ApplicationStep:
    step = item.step
    return ApplicationStep(
        application=application,
        task_id=item.task_id,
        bpmn_id=step.bpmn_id[:100],
        name=step.name[:200],
        kind=step.kind,
        role=step.role,
        department_id=_department_id(application, step.department),
        countersign=step.countersign,
        instance=item.instance,
        opened_at=now,
        due_on=_due_on(step.limit_days, timezone.localdate(now)),
    )


def process_start(application: Application) -> None:
    """Start the version's process for a submitted application (its first steps open)."""
    text = process_text(application.item_version)
    process = compile_process(text)
    ProcessDefinition.objects.get_or_create(
        digest=process.digest, defaults={"process_id": process.process_id, "text": text}
    )
    run = Run.start(process, _start_data(application))
    record = ApplicationProcess(application=application, process_id=process.process_id, digest=process.digest)
    _sync(application, run, record, waiting=[])


@functools.lru_cache(maxsize=512)
def _process_by_digest(digest: str) -> Process:
    """The process an application started under, by the digest of its text: kept, so that a new release's default
    processes or a corrected item never change a running case (read once per process and worker)."""
    return compile_process(ProcessDefinition.objects.values_list("text", flat=True).get(digest=digest))


def _load(application: Application) -> tuple[Run, ApplicationProcess] | None:
    record = ApplicationProcess.objects.filter(application=application).first()
    if record is None:
        return None
    return Run.load(_process_by_digest(record.digest), record.state), record


def has_process(application: Application) -> bool:
    return ApplicationProcess.objects.filter(application=application).exists()


def _may(actor: Any, department_id: int, role: str) -> bool:
    """Staff of the department with the role (or a stand-in role); the platform itself (None) always."""
    if actor is None:
        return True
    if getattr(actor, "kind", None) != UserKind.STAFF or actor.department_id != department_id:
        return False
    return bool(actor.has_role(*_roles_for(role)))


def may_take(actor: Any, step: ApplicationStep) -> bool:
    return _may(actor, step.department_id, step.role)


def _require_some_step(actor: Any, application: Application, process: Process, kind: str) -> None:
    """Refuse at once someone whom no step of this kind in the process is for (whatever is open now)."""
    if actor is None:
        return
    defined = [step for step in process.steps.values() if step.kind == kind]
    if any(_may(actor, _department_id(application, step.department), step.role) for step in defined):
        return
    if defined:
        raise PermissionDenied(
            lazy_format(
                _("This step is for the %(role)s of its department, as the item's process says."),
                {"role": Role(defined[0].role).label},
            )
        )


def open_steps(application: Application) -> list[ApplicationStep]:
    return list(application.steps.filter(status=StepStatus.OPEN).select_related("department"))


def open_step_assignments(*, application_id: int) -> list[tuple[int, str]]:
    """(department, role) of each open step of the application's process, once each."""
    pairs = ApplicationStep.objects.filter(application_id=application_id, status=StepStatus.OPEN).values_list(
        "department_id", "role"
    )
    return sorted(set(pairs))


def _describe(steps: list[ApplicationStep]) -> str:
    return "、".join(f"{step.name}（{step.department.name}）" for step in steps)


def process_take(
    application: Application,
    *,
    actor: Any,
    kind: str,
    step_id: int | None = None,
    verdict: str = AGREE,
    opinion: str = "",
    required: bool = True,
) -> ApplicationStep | None:
    """Complete the open step of `kind` (or the step `step_id`) that `actor` may take, and advance the process.

    None when the application runs no process, or (with `required=False`) has no open step of that kind. A step
    someone else must take is PermissionDenied naming who; a step that is not open yet is a Conflict naming the
    steps that are.
    """
    loaded = _load(application)
    if loaded is None:
        return None
    run, record = loaded
    _require_some_step(actor, application, run.process, kind)
    waiting = open_steps(application)
    candidates = [step for step in waiting if step.kind == kind]
    if step_id is not None:
        candidates = [step for step in candidates if step.pk == step_id]
    if not candidates:
        if not required:
            return None
        if step_id is not None:
            raise Conflict(_("This step is not open (it was taken, or the process moved on)."), code="step_closed")
        raise Conflict(
            lazy_format(
                _("The process does not ask for this step now. Waiting: %(steps)s."),
                {"steps": _describe(waiting) or str(_("nothing (the process has ended)"))},
            ),
            code="step_not_open",
        )
    mine = [step for step in candidates if may_take(actor, step)]
    if not mine:
        raise PermissionDenied(
            lazy_format(
                _("This step is for the %(role)s of %(department)s."),
                {"role": Role(candidates[0].role).label, "department": candidates[0].department.name},
            )
        )
    step = mine[0]
    if step.countersign and actor is not None:
        signed = application.steps.filter(
            bpmn_id=step.bpmn_id, status=StepStatus.DONE, done_by=actor, opened_at=step.opened_at
        ).exists()
        if signed:
            raise Conflict(_("You have signed this countersign already: the others must sign it."), code="signed")
    try:
        run.complete(step.task_id, verdict=verdict)
    except KeyError:
        raise Conflict(
            _("This step is not open (it was taken, or the process moved on)."), code="step_closed"
        ) from None
    step.status = StepStatus.DONE
    step.done_at = timezone.now()
    step.done_by = actor if actor is not None and actor.pk is not None else None
    step.done_by_name = (
        str(_("the platform")) if actor is None else (getattr(actor, "real_name", "") or actor.get_username())[:100]
    )
    step.verdict = verdict if step.kind == StepKind.REVIEW else ""
    step.opinion = opinion
    step.save(update_fields=["status", "done_at", "done_by", "done_by_name", "verdict", "opinion"])
    _sync(application, run, record, waiting=[other for other in waiting if other.pk != step.pk])
    return step


def process_stop(application: Application) -> None:
    """The application ended outside the process (withdrawn, refused, recalled): its open steps are cancelled."""
    loaded = _load(application)
    if loaded is None:
        return
    run, record = loaded
    run.cancel()
    application.steps.filter(status=StepStatus.OPEN).update(status=StepStatus.CANCELLED)
    record.state = run.dump()
    record.finished = True
    record.next_timer_at = None
    record.save()


def process_fire_timers(application: Application) -> list[str]:
    """Let the application's due timers fire; the names of those that did."""
    loaded = _load(application)
    if loaded is None:
        return []
    run, record = loaded
    fired = run.fire_timers()
    _sync(application, run, record)
    return fired


def require_process(text: str | bytes) -> str:
    """The BPMN text, decoded, if it can be used; else ValidationFailed listing every problem."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailed(_("A BPMN file is UTF-8 encoded XML."), field="process") from None
    problems = process_problems(text)
    if problems:
        error = ValidationFailed(
            lazy_format(_("The process cannot be used: %(problems)s"), {"problems": "; ".join(map(str, problems))}),
            field="process",
        )
        error.problems = [("process", str(problem)) for problem in problems]  # type: ignore[attr-defined]
        raise error
    return text


__all__ = [
    "ProcessRefused",
    "has_process",
    "may_take",
    "open_step_assignments",
    "open_steps",
    "process_fire_timers",
    "process_problems",
    "process_start",
    "process_stop",
    "process_take",
    "process_text",
    "require_process",
]
