"""BPMN 2.0 processes of service items, run by SpiffWorkflow (ADR 0018). Nothing of Django but its translations
(problems are told in the reader's language): the rules of a process, its checks, and one running instance whose
state is a JSON string that the caller stores.

What the platform reads from a process, made in any BPMN modeller:
- **Steps** are user tasks. The id says what a step does to the application: `accept…` is acceptance (受理),
  `decide…` the decision (决定); any other user task is a review (审查) whose verdict is agree or disagree.
- **Who** does a step: a role, optionally `@department` (its name or its unified social credit code; without it,
  the item's own department). Read from, first, a `candidateGroups` attribute (Camunda, Flowable, Activiti), then
  `potentialOwner` (BPMN 2.0's own resource assignment), then the name of the step's lane.
- **Countersign** (会签): a parallel multi-instance user task with a literal `loopCardinality` — that many
  different people of the role must each sign.
- **Stage limit**: `yiwang:limitDays="N"` on a user task, in working days.
- Conditions and scripts run in the restricted environment of `scripting.py`; timers are ISO 8601 durations or
  dates. Task data: `form` (the application's answers), `applicant_kind`, `handling_item`, `rejected` (true once
  any review disagreed) and each review's verdict under its id.
- Not run, so refused by the check: service, send, receive and business-rule tasks, call activities, message,
  signal and conditional events, data stores, and start events with triggers (a process starts at submission).
"""

from __future__ import annotations

import copy
import datetime
import functools
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer import DEFAULT_CONFIG, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from yiwang.services.workflow.scripting import ScriptRefused, check_expression, check_script, script_engine

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
YIWANG = "https://yiwang.gov.cn/schema/bpmn"
NS = {"bpmn": BPMN}
CANDIDATE_GROUPS = (
    "{http://camunda.org/schema/1.0/bpmn}candidateGroups",
    "{http://flowable.org/bpmn}candidateGroups",
    "{http://activiti.org/bpmn}candidateGroups",
)
MAX_BYTES = 1_000_000
MAX_COUNTERSIGN = 20
MAX_LIMIT_DAYS = 365
PROCESSES = Path(__file__).parent / "processes"
DEFAULT_PROCESSES = {"immediate": "immediate.bpmn", "promised": "promised.bpmn"}

ACCEPT, REVIEW, DECIDE = "accept", "review", "decide"
AGREE, DISAGREE = "agree", "disagree"
# Roles that act on applications, by code or by the words a department would write on a lane.
ROLE_WORDS = {
    "clerk": "clerk",
    "reviewer": "reviewer",
    "approver": "approver",
    "窗口": "clerk",
    "受理": "clerk",
    "审查": "reviewer",
    "审核": "reviewer",
    "审批": "approver",
    "决定": "approver",
}
UNSUPPORTED = {
    "serviceTask": gettext_lazy("service tasks (the platform calls no outside service from a process)"),
    "sendTask": gettext_lazy("send tasks"),
    "receiveTask": gettext_lazy("receive tasks"),
    "businessRuleTask": gettext_lazy("business-rule tasks (DMN)"),
    "callActivity": gettext_lazy("call activities"),
    "messageEventDefinition": gettext_lazy("message events"),
    "signalEventDefinition": gettext_lazy("signal events"),
    "conditionalEventDefinition": gettext_lazy("conditional events"),
    "dataStoreReference": gettext_lazy("data stores"),
}
_ISO_LITERAL = re.compile(r"^(R\d*/)?(P[0-9YMWDTHS.,]+|\d{4}-\d{2}-\d{2}([T ][0-9:.+\-Z]*)?)$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a process: what, and where (line in the file, element id)."""

    message: str
    line: int | None = None
    element: str = ""

    def __str__(self) -> str:
        line = _("line %(line)s") % {"line": self.line} if self.line else ""
        where = ", ".join(part for part in (line, self.element) if part)
        return f"{where}: {self.message}" if where else self.message


class ProcessRefused(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class Step:
    """A user task as the platform reads it."""

    bpmn_id: str
    name: str
    kind: str
    role: str
    department: str  # "" for the item's own department; else a department's name or credit code
    limit_days: int | None
    countersign: int  # how many must sign (0: not a countersign)
    line: int | None


@dataclass(frozen=True)
class Process:
    """A checked, parsed process, shared by every application that runs it (cached by the text's digest)."""

    digest: str
    process_id: str
    name: str
    steps: Mapping[str, Step]
    spec: Any = field(repr=False)
    subprocess_specs: Any = field(repr=False)
    spec_state: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True)
class ReadyStep:
    task_id: str
    step: Step
    instance: int  # which signature of a countersign (0 otherwise)


# --- reading and checking --------------------------------------------------------------------------------------


def default_process_text(project_type: str) -> str:
    return (PROCESSES / DEFAULT_PROCESSES.get(project_type, "promised.bpmn")).read_text(encoding="utf-8")


def example_process_text(name: str) -> str:
    return (PROCESSES / f"{name}.bpmn").read_text(encoding="utf-8")


def _xml(text: str | bytes) -> Any:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if len(raw) > MAX_BYTES:
        raise ProcessRefused([Problem(_("the file is larger than %(size)s kB") % {"size": MAX_BYTES // 1000})])
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as error:
        message = _("not well-formed XML: %(error)s") % {"error": error.msg}
        raise ProcessRefused([Problem(message, line=error.lineno)]) from None
    if root.tag != f"{{{BPMN}}}definitions":
        raise ProcessRefused([Problem(_("not a BPMN 2.0 file: the root element must be bpmn:definitions"), line=1)])
    return root


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _assignment(node: Any, lane: str | None) -> str:
    for attribute in CANDIDATE_GROUPS:
        if node.get(attribute):
            return str(node.get(attribute)).split(",")[0].strip()
    owner = node.find("bpmn:potentialOwner/bpmn:resourceAssignmentExpression/bpmn:formalExpression", NS)
    if owner is not None and (owner.text or "").strip():
        return (owner.text or "").strip()
    return (lane or "").strip()


def _lanes(process: Any) -> dict[str, str]:
    lanes: dict[str, str] = {}
    for lane in process.iterfind(".//bpmn:lane", NS):
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            lanes[(ref.text or "").strip()] = lane.get("name") or ""
    return lanes


def step_kind(bpmn_id: str) -> str:
    lowered = bpmn_id.lower()
    if lowered.startswith("accept"):
        return ACCEPT
    if lowered.startswith("decide"):
        return DECIDE
    return REVIEW


def _read_steps(process: Any, problems: list[Problem]) -> dict[str, Step]:
    lanes = _lanes(process)
    steps: dict[str, Step] = {}
    for node in process.iter(f"{{{BPMN}}}userTask"):
        bpmn_id = node.get("id") or ""
        line = node.sourceline
        assigned = _assignment(node, lanes.get(bpmn_id))
        role_word, _at, department = assigned.partition("@")
        role = ROLE_WORDS.get(role_word.strip(), "")
        if not assigned:
            problems.append(
                Problem(
                    _("the step says nobody does it: give a role (lane, potentialOwner or candidateGroups)"),
                    line,
                    bpmn_id,
                )
            )
        elif not role:
            problems.append(
                Problem(
                    _("unknown role %(role)s: use clerk, reviewer or approver (窗口, 审查, 审批)")
                    % {"role": repr(role_word.strip())},
                    line,
                    bpmn_id,
                )
            )
        limit_text = node.get(f"{{{YIWANG}}}limitDays")
        limit: int | None = None
        if limit_text is not None:
            if not limit_text.strip().isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT_DAYS:
                problems.append(
                    Problem(
                        _("limitDays must be a whole number of working days, 1 to %(most)s") % {"most": MAX_LIMIT_DAYS},
                        line,
                        bpmn_id,
                    )
                )
            else:
                limit = int(limit_text)
        countersign = 0
        loop = node.find("bpmn:multiInstanceLoopCharacteristics", NS)
        if loop is not None:
            cardinality = loop.find("bpmn:loopCardinality", NS)
            text = (cardinality.text or "").strip() if cardinality is not None else ""
            if loop.get("isSequential") == "true":
                problems.append(Problem(_("a countersign is parallel: isSequential must be false"), line, bpmn_id))
            elif not text.isdigit() or not 2 <= int(text) <= MAX_COUNTERSIGN:
                problems.append(
                    Problem(
                        _("a countersign names how many sign: loopCardinality 2 to %(most)s")
                        % {"most": MAX_COUNTERSIGN},
                        line,
                        bpmn_id,
                    )
                )
            else:
                countersign = int(text)
        kind = step_kind(bpmn_id)
        if countersign and kind != REVIEW:
            problems.append(
                Problem(_("acceptance and decision are one person's act: not a countersign"), line, bpmn_id)
            )
        steps[bpmn_id] = Step(
            bpmn_id=bpmn_id,
            name=(node.get("name") or bpmn_id).strip(),
            kind=kind,
            role=role,
            department=department.strip(),
            limit_days=limit,
            countersign=countersign,
            line=line,
        )
    if not any(step.kind == DECIDE for step in steps.values()):
        problems.append(Problem(_("the process has no decision: one user task's id must start with 'decide'")))
    return steps


def _check_elements(process: Any, problems: list[Problem]) -> None:
    for node in process.iter():
        name = _local(node.tag)
        if name in UNSUPPORTED:
            message = _("not supported: %(what)s") % {"what": UNSUPPORTED[name]}
            problems.append(Problem(message, node.sourceline, _owner_id(node)))
        elif name == "startEvent" and any(_local(child.tag).endswith("EventDefinition") for child in node):
            problems.append(
                Problem(
                    _("a process starts when the application is submitted: no start trigger"),
                    node.sourceline,
                    node.get("id") or "",
                )
            )
        elif name == "conditionExpression" or name == "completionCondition":
            _check(check_expression, node.text or "", node, problems)
        elif name == "script":
            _check(check_script, node.text or "", node, problems)
        elif name in {"timeDuration", "timeDate", "timeCycle"}:
            _check_timer(node, problems)


def _owner_id(node: Any) -> str:
    while node is not None and not node.get("id"):
        node = node.getparent()
    return "" if node is None else str(node.get("id"))


def _check(checker: Callable[[str], None], text: str, node: Any, problems: list[Problem]) -> None:
    try:
        checker(text)
    except ScriptRefused as error:
        problems.append(Problem(f"{_local(node.tag)}: {error}", node.sourceline, _owner_id(node)))


def _timer_literal(text: str) -> str:
    """A timer as modellers write it (P3D) or as SpiffWorkflow's own examples do ("P3D"): the literal."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _check_timer(node: Any, problems: list[Problem]) -> None:
    literal = _timer_literal(node.text or "")
    try:
        if _local(node.tag) == "timeCycle":
            TimerEventDefinition.parse_iso_recurring_interval(literal)
        else:
            TimerEventDefinition.parse_time_or_duration(literal)
    except Exception:  # SpiffWorkflow raises a bare Exception for a bad interval
        problems.append(
            Problem(
                _("%(element)s: not an ISO 8601 duration or date: %(value)s")
                % {"element": _local(node.tag), "value": repr(literal)},
                node.sourceline,
                _owner_id(node),
            )
        )


def _executable_process(root: Any, problems: list[Problem]) -> Any:
    processes = root.findall("bpmn:process", NS)
    executable = [process for process in processes if process.get("isExecutable", "true") != "false"]
    if len(executable) != 1:
        problems.append(
            Problem(
                _("a file holds exactly one executable process (found %(count)s)") % {"count": len(executable)},
                root.sourceline,
            )
        )
        return None
    return executable[0]


def check_process(text: str | bytes, *, department_known: Callable[[str], str | None] | None = None) -> list[Problem]:
    """Every problem of a process file; [] when it can be used. `department_known(name_or_code)` returns None
    when the department is known, else why not (unknown, or a name shared by several)."""
    try:
        process = compile_process(text)
    except ProcessRefused as refused:
        return refused.problems
    problems: list[Problem] = []
    if department_known is not None:
        for step in process.steps.values():
            if step.department:
                why = department_known(step.department)
                if why:
                    problems.append(Problem(why, step.line, step.bpmn_id))
    return problems


def _digest(text: str | bytes) -> str:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(raw).hexdigest()


def compile_process(text: str | bytes) -> Process:
    """The process, checked and parsed (ProcessRefused lists every problem found)."""
    return _compile(_digest(text), text if isinstance(text, str) else text.decode("utf-8", errors="replace"))


@functools.lru_cache(maxsize=256)
def _compile(digest: str, text: str) -> Process:
    root = _xml(text)
    problems: list[Problem] = []
    try:
        BpmnValidator().validate(root)
    except ValidationException as error:
        problems.append(
            Problem(
                _("not valid against the BPMN 2.0 schema: %(error)s") % {"error": _first_line(error)},
                error.line_number or None,
            )
        )
    executable = _executable_process(root, problems)
    if executable is None:
        raise ProcessRefused(problems)
    _check_elements(executable, problems)
    steps = _read_steps(executable, problems)
    if problems:
        raise ProcessRefused(problems)
    for timer in root.iter(f"{{{BPMN}}}timeDuration", f"{{{BPMN}}}timeDate", f"{{{BPMN}}}timeCycle"):
        timer.text = json.dumps(_timer_literal(timer.text or ""))  # evaluated as an expression: a string literal
    parser = BpmnParser()
    try:
        parser.add_bpmn_xml(root, filename="process.bpmn")
        process_id = str(executable.get("id"))
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except (ValidationException, SpiffWorkflowException) as error:
        line = getattr(error, "line_number", None) or getattr(error, "sourceline", None)
        raise ProcessRefused([Problem(_first_line(error), line or None, getattr(error, "id", "") or "")]) from None
    state = _serializer().to_dict(BpmnWorkflow(spec, subprocess_specs))
    return Process(
        digest=digest,
        process_id=process_id,
        name=executable.get("name") or process_id,
        steps=steps,
        spec=spec,
        subprocess_specs=subprocess_specs,
        spec_state={"spec": state["spec"], "subprocess_specs": state["subprocess_specs"]},
    )


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


# --- running ---------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _serializer() -> BpmnWorkflowSerializer:
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(DEFAULT_CONFIG))


@functools.lru_cache(maxsize=1)
def _engine() -> Any:
    return script_engine()


class Run:
    """One application's running process. `dump()` is its state (without the process's own definition, which
    the caller keeps once per item version); `Run.load(process, state)` brings it back."""

    def __init__(self, process: Process, workflow: BpmnWorkflow) -> None:
        self.process = process
        self.workflow = workflow

    @classmethod
    def start(cls, process: Process, data: Mapping[str, Any]) -> Run:
        workflow = BpmnWorkflow(process.spec, process.subprocess_specs, script_engine=_engine())
        for task in workflow.get_tasks(state=TaskState.READY):
            task.set_data(rejected=False, **copy.deepcopy(dict(data)))
        run = cls(process, workflow)
        run._advance()
        return run

    @classmethod
    def load(cls, process: Process, state: str) -> Run:
        stored = json.loads(state)
        stored.update(copy.deepcopy(dict(process.spec_state)))
        workflow = _serializer().from_dict(stored)
        workflow.script_engine = _engine()
        return cls(process, workflow)

    def dump(self) -> str:
        stored = _serializer().to_dict(self.workflow)
        stored.pop("spec", None)
        stored.pop("subprocess_specs", None)
        return json.dumps(stored, ensure_ascii=False, separators=(",", ":"))

    def _advance(self) -> None:
        self.workflow.do_engine_steps()

    @property
    def finished(self) -> bool:
        return bool(self.workflow.is_completed())

    def ready(self) -> list[ReadyStep]:
        """The user tasks waiting for a person, in the order the process reached them."""
        result = []
        counters: dict[str, int] = {}
        for task in self.workflow.get_tasks(state=TaskState.READY, manual=True):
            bpmn_id = task.task_spec.bpmn_id
            step = self.process.steps.get(bpmn_id)
            if step is None:
                continue
            instance = counters.get(bpmn_id, 0)
            counters[bpmn_id] = instance + 1
            result.append(ReadyStep(task_id=str(task.id), step=step, instance=instance))
        return result

    def complete(self, task_id: str, *, verdict: str = AGREE) -> None:
        """Complete a ready user task: a review's verdict goes into the data the gateways read."""
        try:
            task = self.workflow.get_task_from_id(uuid.UUID(task_id))
        except (ValueError, TaskNotFoundException):
            raise KeyError(task_id) from None
        if task is None or task.state != TaskState.READY:
            raise KeyError(task_id)
        bpmn_id = task.task_spec.bpmn_id
        if self.process.steps[bpmn_id].kind == REVIEW:
            task.set_data(**{bpmn_id: verdict})
            if verdict == DISAGREE:
                # Every branch's data says so: a parallel join merges its branches' data, and a branch that
                # agreed (still `rejected=False`) must not hide a disagreement made in another one.
                for other in self.workflow.get_tasks():
                    if other.data.get("rejected") is False:
                        other.set_data(rejected=True)
        task.run()
        self._advance()

    def waiting_timers(self) -> list[tuple[str, datetime.datetime]]:
        """(name, when) of each timer the process waits on."""
        timers = []
        for event in self.workflow.waiting_events():
            value = event.value
            if isinstance(value, str):
                try:
                    when = TimerEventDefinition.get_datetime(value)
                except ValueError:
                    continue
                timers.append((str(event.name or ""), when))
        return timers

    def next_timer(self) -> datetime.datetime | None:
        times = [when for _name, when in self.waiting_timers()]
        return min(times) if times else None

    def fire_timers(self) -> list[str]:
        """Let every due timer fire; the names of those that did."""
        before = {name for name, _when in self.waiting_timers()}
        self.workflow.refresh_timers()
        self._advance()
        after = {name for name, _when in self.waiting_timers()}
        return sorted(before - after)

    def cancel(self) -> None:
        self.workflow.cancel()
