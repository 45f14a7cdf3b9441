"""The workflow engine's cost: applications carried through accept → review → decide per second, with the BPMN
process (SpiffWorkflow) and without it, over a million historical applications (100,000 open).

    .venv/bin/python -m bench.services_engine [--applications 1000000] [--open 100000] [--rounds 10]
        [--per-round 100] [--profile] [--database postgres://postgres@127.0.0.1:5432/yiwang_bench_engine]

Set-up (not measured): the clerk inbox benchmark's database (`bench.services_inbox._populate`: 20 departments
with 150 published 承诺件 items each, 3,000 items, and the history inserted in bulk), plus a reviewer and an
approver in every department and one applicant. Each round then drafts and submits `--per-round` applications
for each side through `application_draft_save` and `application_submit` (random items; submission starts the
item version's process, the platform's default for a 承诺件: 受理 → 审查 → 决定), not measured either.

Measured, per application, only the three transitions, each through the real service function in its own
transaction, by the department's clerk, reviewer and approver:
- engine: `application_accept`, `application_review` (verdict "agree"), `application_decide` ("approved") — each
  loads the process state (`ApplicationProcess`), completes the user task in SpiffWorkflow, stores the state
  again and mirrors the waiting task as an `ApplicationStep`;
- baseline, same run: applications submitted the same way whose `ApplicationProcess` and `ApplicationStep` rows
  were deleted before the timed part, through `application_accept`, `application_start_handling` (the status
  transition a review makes without the engine) and `application_decide` — the same status writes, events and
  audit events, with the role checks of the steps without a process (their look-ups of a process row find none).
The two sides alternate, the first of each round changing. Reported: medians over the rounds of applications/s
for each side and the ratio engine / baseline, the median milliseconds per transition, and the median size of
the stored process state (`ApplicationProcess.state`, UTF-8 bytes) after submission and once decided; then the
SQL statements of each transition on three more applications per side, and with `--profile` a cProfile of one
more engine batch (own time by package, and the engine's main calls).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import os
import pstats
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.audit_write import _setup
from bench.services_inbox import DEPARTMENTS, ITEMS_PER_DEPARTMENT, _populate

TRANSITIONS = ("accept", "review", "decide")


def _people(departments: list[int]) -> tuple[dict[int, dict[str, Any]], Any]:
    """A reviewer and an approver in every department (the inbox's set-up has its clerks), and an applicant."""
    from yiwang.core.identifiers import compose_id_number
    from yiwang.identity import services as identity_services
    from yiwang.identity.models import User
    from yiwang.identity.roles import Role

    people: dict[int, dict[str, Any]] = {}
    for index, department in enumerate(departments):
        people[department] = {"clerk": User.objects.get(username=f"clerk{index}")}
        for role, label in ((Role.REVIEWER, "审查"), (Role.APPROVER, "审批")):
            people[department][str(role)] = identity_services.staff_create(
                actor=None,
                details=identity_services.StaffDetails(
                    username=f"{role}{index}", real_name=label, department_id=department, roles=(role,),
                    password="Bench-password-2026", phone="", email="",
                ),
            )  # fmt: skip
    applicant = identity_services.citizen_register(
        registration=identity_services.Registration(
            real_name="李申请",
            id_number=compose_id_number("110105", datetime.date(1985, 6, 1), 2),
            phone="19900005678",
            password="Bench-password-2026",
        )
    )
    return people, applicant


def _submit(applicant: Any, rng: random.Random, count: int) -> list[int]:
    """`count` applications drafted and submitted for random items (the process starts at submission)."""
    from yiwang.services.applications import services

    submitted = []
    for _ in range(count):
        index, number = rng.randrange(DEPARTMENTS), rng.randrange(ITEMS_PER_DEPARTMENT)
        draft = services.application_draft_save(
            actor=applicant, task_code=f"B{index:02d}-{number:04d}", form_data={"note": "benchmark"}
        )
        submitted.append(services.application_submit(actor=applicant, application_id=draft.pk).pk)
    return submitted


def _without_engine(ids: list[int]) -> None:
    from yiwang.services.models import ApplicationProcess, ApplicationStep

    ApplicationStep.objects.filter(application_id__in=ids).delete()
    ApplicationProcess.objects.filter(application_id__in=ids).delete()


def _without(ids: list[int]) -> list[int]:
    _without_engine(ids)
    return ids


def _carry(ids: list[int], people: dict[int, dict[str, Any]], *, engine: bool) -> list[float]:
    """Seconds spent in accept, review (or start handling) and decide over all `ids`."""
    from yiwang.services.applications import services
    from yiwang.services.models import Application, ApplicationStatus

    department_of = dict(Application.objects.filter(pk__in=ids).values_list("pk", "department_id"))
    spent = [0.0, 0.0, 0.0]
    for pk in ids:
        staff = people[department_of[pk]]
        began = time.perf_counter()
        services.application_accept(actor=staff["clerk"], application_id=pk)
        accepted = time.perf_counter()
        if engine:
            services.application_review(actor=staff["reviewer"], application_id=pk, verdict="agree")
        else:
            services.application_start_handling(actor=staff["reviewer"], application_id=pk)
        reviewed = time.perf_counter()
        decided = services.application_decide(actor=staff["approver"], application_id=pk, outcome="approved")
        spent[0] += accepted - began
        spent[1] += reviewed - accepted
        spent[2] += time.perf_counter() - reviewed
        assert decided.status == ApplicationStatus.APPROVED, decided.status
    return spent


def _state_bytes(ids: list[int]) -> list[int]:
    from yiwang.services.models import ApplicationProcess

    states = ApplicationProcess.objects.filter(application_id__in=ids).values_list("state", flat=True)
    return [len(state.encode("utf-8")) for state in states]


def _statements(ids: list[int], people: dict[int, dict[str, Any]], *, engine: bool) -> list[float]:
    """SQL statements per transition (accept, review or start handling, decide), averaged over `ids`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from yiwang.services.applications import services
    from yiwang.services.models import Application

    counts = [0, 0, 0]
    for pk in ids:
        staff = people[Application.objects.get(pk=pk).department_id]
        middle: Callable[..., object] = services.application_review if engine else services.application_start_handling
        calls: list[tuple[Callable[..., object], dict[str, Any]]] = [
            (services.application_accept, {"actor": staff["clerk"]}),
            (middle, {"actor": staff["reviewer"], **({"verdict": "agree"} if engine else {})}),
            (services.application_decide, {"actor": staff["approver"], "outcome": "approved"}),
        ]
        for index, (call, arguments) in enumerate(calls):
            with CaptureQueriesContext(connection) as captured:
                call(application_id=pk, **arguments)
            counts[index] += len(captured.captured_queries)
    return [count / len(ids) for count in counts]


PROFILED = (
    ("process.py", "process_take", "process_take (the engine's whole part of a step)"),
    ("process.py", "_load", "  _load (state row read, Run.load)"),
    ("engine.py", "load", "    Run.load (json, deepcopy, Spiff from_dict)"),
    ("bpmn/serializer/workflow.py", "from_dict", "      Spiff BpmnWorkflowSerializer.from_dict"),
    ("process.py", "open_steps", "  open_steps (query)"),
    ("engine.py", "complete", "  Run.complete (task run, engine steps)"),
    ("process.py", "_sync", "  _sync (steps mirrored, state saved)"),
    ("engine.py", "dump", "    Run.dump (Spiff to_dict, json)"),
    ("bpmn/serializer/workflow.py", "to_dict", "      Spiff BpmnWorkflowSerializer.to_dict"),
    ("process.py", "has_process", "has_process (decide's query)"),
    ("services.py", "_step", "_step (status, event, audit: both sides)"),
    ("services.py", "_locked", "_locked (row lock: both sides)"),
)


def _profile(run: Callable[[], object]) -> None:
    """Where one engine batch spends its time: own time by package, and the engine's main calls (cumulative)."""
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    raw: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values())
    groups: dict[str, float] = {}
    for (path, _line, name), entry in raw.items():
        if "SpiffWorkflow/bpmn/serializer" in path or "SpiffWorkflow/serializer" in path:
            group = "SpiffWorkflow (de)serialisation"
        elif "SpiffWorkflow" in path:
            group = "SpiffWorkflow, the rest"
        elif "/json/" in path or (path == "~" and "json" in name):
            group = "json"
        elif "copy.py" in path:
            group = "copy.deepcopy"
        elif "psycopg" in path or (path == "~" and ("sqlite3" in name or "SQLiteCursorWrapper" in name)):
            group = "database driver (and the database's time)"
        elif "/django/" in path:
            group = "Django (mostly the ORM)"
        elif "/yiwang/" in path:
            group = "yiwang"
        else:
            group = "other (standard library, built-ins)"
        groups[group] = groups.get(group, 0.0) + entry[2]
    print(f"profile of one engine batch (cProfile, own time by package, {total:.2f} s profiled):")
    for group, seconds in sorted(groups.items(), key=lambda pair: -pair[1]):
        print(f"  {group:<44} {seconds:6.2f} s {100 * seconds / total:5.1f} %")
    print("  cumulative:")
    for suffix, wanted, label in PROFILED:
        found = [entry[3] for (path, _line, name), entry in raw.items() if path.endswith(suffix) and name == wanted]
        seconds = max(found, default=0.0)  # the outermost of a name's entries (the serializer's, not a converter's)
        print(f"    {label:<52} {seconds:6.2f} s {100 * seconds / total:5.1f} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--per-round", type=int, default=100, help="applications per side and round")
    parser.add_argument("--profile", action="store_true", help="profile one more engine batch after the rounds")
    parser.add_argument("--database", default=None)
    options = parser.parse_args()
    _setup(options.database)
    from django.db import connection

    started = time.perf_counter()
    departments, _clerks = _populate(options.applications, options.open)
    people, applicant = _people(departments)
    print(
        f"{options.applications:,} applications ({options.open:,} open) for {DEPARTMENTS} departments, "
        f"{DEPARTMENTS * ITEMS_PER_DEPARTMENT:,} items, made in {time.perf_counter() - started:.0f} s (not measured)"
    )
    rng = random.Random(7)
    warm = _submit(applicant, rng, 10)  # compiles the process, fills caches: not counted
    _carry(warm[:5], people, engine=True)
    _without_engine(warm[5:])
    _carry(warm[5:], people, engine=False)
    load = os.getloadavg()[0]
    rates: dict[bool, list[float]] = {True: [], False: []}
    per_step: dict[bool, list[list[float]]] = {True: [], False: []}
    ratios: list[float] = []
    submitted_sizes: list[int] = []
    decided_sizes: list[int] = []
    for round_number in range(options.rounds):
        prepared = time.perf_counter()
        with_engine = _submit(applicant, rng, options.per_round)
        without = _submit(applicant, rng, options.per_round)
        _without_engine(without)
        submitted_sizes += _state_bytes(with_engine)
        prepared = time.perf_counter() - prepared
        round_rate: dict[bool, float] = {}
        for engine in (True, False) if round_number % 2 == 0 else (False, True):
            spent = _carry(with_engine if engine else without, people, engine=engine)
            round_rate[engine] = options.per_round / sum(spent)
            rates[engine].append(round_rate[engine])
            per_step[engine].append([1000 * seconds / options.per_round for seconds in spent])
        decided_sizes += _state_bytes(with_engine)
        ratios.append(round_rate[True] / round_rate[False])
        print(
            f"round {round_number + 1:>2}: engine {round_rate[True]:6.1f}/s, baseline {round_rate[False]:6.1f}/s, "
            f"ratio {ratios[-1]:.2f} (submissions {prepared:.1f} s, not measured)"
        )
    engine_rate, plain_rate = statistics.median(rates[True]), statistics.median(rates[False])
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (at the start of the rounds: {load:.1f})")
    print(f"database: {connection.vendor}; {options.rounds} rounds of {options.per_round} applications per side")
    for engine, label in ((True, "engine  "), (False, "baseline")):
        steps = [statistics.median(round_steps[index] for round_steps in per_step[engine]) for index in range(3)]
        middle = "review" if engine else "start_handling"
        print(
            f"{label}: {statistics.median(rates[engine]):6.1f} applications/s (median; min {min(rates[engine]):.1f}, "
            f"max {max(rates[engine]):.1f}); ms per transition: accept {steps[0]:.2f}, {middle} {steps[1]:.2f}, "
            f"decide {steps[2]:.2f}"
        )
    print(
        f"ratio engine / baseline: {engine_rate / plain_rate:.2f} (of the medians); per round: median "
        f"{statistics.median(ratios):.2f}, min {min(ratios):.2f}, max {max(ratios):.2f}"
    )
    print(
        f"stored process state (ApplicationProcess.state), median bytes: {statistics.median(submitted_sizes):,.0f} "
        f"after submission, {statistics.median(decided_sizes):,.0f} once decided"
    )
    print(
        "SQL statements per transition (accept, review or start handling, decide): engine "
        f"{_statements(_submit(applicant, rng, 3), people, engine=True)}, baseline "
        f"{_statements(_without(_submit(applicant, rng, 3)), people, engine=False)}"
    )
    if options.profile:
        batch = _submit(applicant, rng, options.per_round)
        _profile(lambda: _carry(batch, people, engine=True))


if __name__ == "__main__":
    main()
