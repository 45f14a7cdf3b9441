"""Loading the demo city: the organisation in one transaction, then citizens in batches that commit one by one.

An interrupted load leaves the organisation and whole batches of citizens; `demo_resume` regenerates the same
rows from the seed recorded in the audit log, skips those already stored and loads the rest.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yiwang.core.audit.selectors import audit_events_for_object
from yiwang.core.audit.services import record_event
from yiwang.core.db import bulk_load_cache
from yiwang.core.errors import Conflict, NotFound, ValidationFailed
from yiwang.datahub.catalog.services import registries_ensure
from yiwang.datahub.ingestion.pipeline import ingest_file
from yiwang.demo.cases.loader import history_size, load_cases_demo
from yiwang.demo.city import CITY_CODE, CITY_NAME, DEFAULT_SEED, DEMO_PASSWORD, CityPlan, city_plan
from yiwang.demo.exchange import load_exchange
from yiwang.demo.licenses import load_licenses
from yiwang.demo.population import SCALES, EnterpriseRow, generate_people, named_citizen_rows
from yiwang.demo.registries import write_legal_entities_file, write_population_file
from yiwang.demo.selectors import DEMO_OBJECT_TYPE, LOAD_ACTION, LOAD_COMPLETE_ACTION, DemoCity, demo_city
from yiwang.demo.service_bundles import load_service_bundles
from yiwang.demo.service_items import load_service_items
from yiwang.identity import selectors as identity_selectors
from yiwang.identity import services as identity_services
from yiwang.identity.services import CitizenRow
from yiwang.org import selectors as org_selectors
from yiwang.org import services as org_services

# Called with the step that advanced ("start", "organisation", "batch", "citizens", "enterprises", "registries",
# "exchange", "licenses", "service_items", "service_bundles", "cases", "resume") and a sentence for people; the
# sentence is translated, the step is not.
Progress = Callable[[str, str], None]
# Large batches touch each index page for many rows before it is written: on SQLite a million citizens load
# about three times faster in batches of 20,000 with a big page cache than in batches of 5,000 without.
DEFAULT_BATCH_SIZE = 20_000


@dataclass(frozen=True)
class DemoLoadResult:
    """What a load created (a resumed load counts only what it added) and how long it took."""

    scale: str
    seed: int
    people: int
    divisions: int
    departments: int
    staff: int
    citizens: int
    enterprises: int
    seconds: float


def _silent(step: str, message: str) -> None:
    """The progress callback that reports nothing."""
    return None


def _refuse_unless_empty() -> None:
    """Raise Conflict unless the database holds no demo city, no division 419800 and no account."""
    existing = demo_city()
    if existing is not None:
        raise Conflict(
            _("The database already holds the demo city (scale %(scale)s, seed %(seed)d).")
            % {"scale": existing.scale, "seed": existing.seed}
        )
    if org_selectors.division_get(code=CITY_CODE) is not None:
        raise Conflict(_("The database already holds division %(code)s.") % {"code": CITY_CODE})
    accounts = sum(identity_selectors.user_count_by_kind().values())
    if accounts:
        raise Conflict(
            ngettext(
                "The database already holds %(count)d account.",
                "The database already holds %(count)d accounts.",
                accounts,
            )
            % {"count": accounts}
        )


def plan_units_create(plan: CityPlan) -> dict[str, int]:
    """The plan's divisions and departments (each after its parent); department ids by name. Also what tests and
    benchmarks that need the demo city's units without its people call."""
    org_services.division_bulk_create(actor=None, rows=list(plan.divisions))
    department_ids: dict[str, int] = {}
    for department in plan.departments:
        department_ids[department.name] = org_services.department_create(
            actor=None,
            name=department.name,
            short_name=department.short_name,
            credit_code=department.credit_code,
            kind=department.kind,
            division_code=department.division_code,
            parent_id=department_ids[department.parent] if department.parent else None,
        ).id
    return department_ids


def _load_organisation(plan: CityPlan, *, password_hash: str) -> tuple[int, int, int]:
    """Divisions, departments, staff, the named citizens and their enterprise; the caller holds the transaction."""
    department_ids = plan_units_create(plan)
    # One Argon2 hash for every staff account: hashing 50 passwords one by one took most of a first `make run`.
    identity_services.staff_bulk_create(
        actor=None,
        rows=[
            identity_services.StaffDetails(
                username=member.username,
                real_name=member.real_name,
                department_id=department_ids[member.department],
                roles=member.roles,
                password="",
                position=member.position,
            )
            for member in plan.staff
        ],
        password_hash=password_hash,
    )
    citizens = {}
    for row in named_citizen_rows():
        citizens[row.username] = identity_services.citizen_register(
            registration=identity_services.Registration(
                real_name=row.real_name,
                id_number=row.id_number,
                phone=row.phone,
                password=DEMO_PASSWORD,
                username=row.username,
            )
        )
    representative = citizens[plan.enterprise.representative]
    agent = citizens[plan.enterprise.agent]
    enterprise = identity_services.enterprise_register(
        actor=representative,
        credit_code=plan.enterprise.credit_code,
        name=plan.enterprise.name,
        legal_representative_name=representative.real_name,
    )
    identity_services.enterprise_authorise_agent(
        actor=representative,
        enterprise_id=enterprise.pk,
        agent_id_number=agent.id_number,
        agent_name=agent.real_name,
        valid_until=None,
    )
    return len(plan.divisions), len(plan.departments), len(plan.staff)


class _CitizenFeed:
    """Turns generated people into citizen rows for the bulk service, skipping rows already stored.

    It keeps the enterprises (including those of skipped rows) and reports progress at batch boundaries,
    where everything before the next row has been committed.
    """

    def __init__(self, *, seed: int, count: int, skip: int, batch_size: int, progress: Progress) -> None:
        self.seed, self.count, self.skip, self.progress = seed, count, skip, progress
        self.report_every = max(batch_size, count // 10 // batch_size * batch_size)
        self.enterprises: list[EnterpriseRow] = []
        self.started = time.perf_counter()

    def rows(self) -> Iterator[CitizenRow]:
        """Citizen rows from `skip` on, reporting progress at the configured interval."""
        for index, person in enumerate(generate_people(seed=self.seed, count=self.count)):
            if person.enterprise is not None:
                self.enterprises.append(person.enterprise)
            if index < self.skip:
                continue
            if index > self.skip and index % self.report_every == 0:
                self.report(index)
            yield person.citizen

    def report(self, stored: int) -> None:
        """Report how many citizens are stored and how fast they went in."""
        elapsed = time.perf_counter() - self.started
        added = stored - self.skip
        self.progress(
            "batch",
            _("  citizens: %(stored)s of %(count)s (%(share)s) in %(seconds).1f s, %(rate)s per second")
            % {
                "stored": f"{stored:,}",
                "count": f"{self.count:,}",
                "share": f"{stored / max(self.count, 1):.0%}",
                "seconds": elapsed,
                "rate": f"{added / max(elapsed, 1e-9):,.0f}",
            },
        )


def _check_resume_point(*, seed: int, stored: int) -> None:
    """The rows already stored must be the first `stored` rows of this seed, or resuming would mix two cities."""
    if stored == 0:
        return
    last, following = None, None
    for index, person in enumerate(generate_people(seed=seed, count=stored + 1)):
        if index == stored - 1:
            last = person.citizen
        elif index == stored:
            following = person.citizen
    if last is None or identity_selectors.user_find_by_login(last.username) is None:
        raise Conflict(_("The stored citizens are not the ones seed %(seed)d generates.") % {"seed": seed})
    if following is not None and identity_selectors.user_find_by_login(following.username) is not None:
        raise Conflict(_("More citizens are stored than the load reached; the database was changed."))


def _register_enterprises(rows: list[EnterpriseRow], *, batch_size: int) -> int:
    """Store the generated enterprises in committed batches, skipping any an interrupted run already stored."""
    registered = identity_selectors.enterprise_codes_registered(row.credit_code for row in rows)
    return identity_services.enterprises_bulk_create(
        actor=None,
        rows=(
            identity_services.EnterpriseBulkRow(
                credit_code=row.credit_code,
                name=row.name,
                legal_representative_name=row.representative_name,
                legal_representative_username=row.representative_username,
            )
            for row in rows
            if row.credit_code not in registered
        ),
        batch_size=batch_size,
    )


def _load_people(*, city: DemoCity, skip: int, batch_size: int, progress: Progress) -> tuple[int, int]:
    """Bulk citizens from row `skip` on, then their enterprises; returns both counts."""
    started = time.perf_counter()
    feed = _CitizenFeed(seed=city.seed, count=city.people, skip=skip, batch_size=batch_size, progress=progress)
    password_hash = make_password(DEMO_PASSWORD)
    with bulk_load_cache():
        citizens = identity_services.citizens_bulk_create(
            actor=None, rows=feed.rows(), password_hash=password_hash, batch_size=batch_size
        )
    feed.report(skip + citizens)
    progress(
        "citizens",
        _("citizens: %(count)s added (%(seconds).1f s)")
        % {"count": f"{citizens:,}", "seconds": time.perf_counter() - started},
    )
    started = time.perf_counter()
    enterprises = _register_enterprises(feed.enterprises, batch_size=batch_size)
    progress(
        "enterprises",
        _("enterprises: %(count)s registered (%(seconds).1f s)")
        % {"count": f"{enterprises:,}", "seconds": time.perf_counter() - started},
    )
    return citizens, enterprises


def _load_registries(*, city: DemoCity, progress: Progress) -> tuple[int, int]:
    """The population and legal-entity registries, sent as files by the police and the market regulator.

    Loaded through the data hub's ordinary pipeline (an interrupted load reruns idempotently); then the named
    citizens check their real names against the population registry and reach assurance level 3.
    """
    started = time.perf_counter()
    plan = city_plan(seed=city.seed)
    registries_ensure()
    police = org_selectors.department_get_by_name(name="公安局")
    market = org_selectors.department_get_by_name(name="市场监督管理局")
    if police is None or market is None:
        raise NotFound(_("The demo city's 公安局 or 市场监督管理局 is missing."))
    with tempfile.TemporaryDirectory(prefix="yiwang-demo-") as directory:
        population = Path(directory) / "人口基础信息.csv"
        write_population_file(population, plan=plan, seed=city.seed, count=city.people)
        people = ingest_file(actor=None, resource_slug="population", source_department_id=police.id, path=population)
        entities_file = Path(directory) / "法人单位基础信息.csv"
        write_legal_entities_file(entities_file, plan=plan, seed=city.seed, count=city.people)
        entities = ingest_file(
            actor=None, resource_slug="legal-entities", source_department_id=market.id, path=entities_file
        )
    for row in named_citizen_rows():
        user = identity_selectors.user_find_by_login(row.username)
        if user is not None:
            identity_services.citizen_verify_real_name(actor=user, user_id=user.pk)
    progress(
        "registries",
        _("registries: %(people)s people and %(entities)s legal entities (%(seconds).1f s)")
        % {
            "people": f"{people.accepted + people.unchanged:,}",
            "entities": f"{entities.accepted + entities.unchanged:,}",
            "seconds": time.perf_counter() - started,
        },
    )
    return people.accepted + people.unchanged, entities.accepted + entities.unchanged


def _load_exchange(*, progress: Progress) -> None:
    """Consumer systems, access requests, a data demand and sample gateway calls (see demo/exchange.py)."""
    counts = load_exchange()
    progress(
        "exchange",
        _("data sharing: %(systems)d consumer systems, %(requests)d access requests, %(calls)d gateway calls") % counts,
    )


def _load_licenses(*, city: DemoCity, progress: Progress) -> None:
    """Seals, license types and the featured holders' licenses (see demo/licenses.py); before the service items,
    which name the license types."""
    started = time.perf_counter()
    counts = load_licenses(plan=city_plan(seed=city.seed))
    progress(
        "licenses",
        _("e-licenses: %(seals)d seals, %(types)d license types, %(licenses)d licenses issued (%(seconds).1f s)")
        % {**counts, "seconds": time.perf_counter() - started},
    )


def _load_service_items(*, progress: Progress) -> None:
    """The service item catalog: items of the city's departments, published (see demo/service_items/)."""
    started = time.perf_counter()
    counts = load_service_items()
    progress(
        "service_items",
        _("service catalog: %(items)d published items across %(departments)d departments (%(seconds).1f s)")
        % {**counts, "seconds": time.perf_counter() - started},
    )


def _load_service_bundles(*, progress: Progress) -> None:
    """The bundles (一件事一次办) of the demo's published items (see demo/service_bundles.py)."""
    counts = load_service_bundles()
    progress("service_bundles", _("bundles: %(bundles)d published (%(created)d added)") % counts)


def _cases_history(city: DemoCity) -> int:
    """How many historic hotline cases the recorded load asked for (a load recorded before the hotline existed:
    the number for its population)."""
    event = (
        audit_events_for_object(object_type=DEMO_OBJECT_TYPE, object_id=CITY_CODE).filter(action=LOAD_ACTION).first()
    )
    default = history_size(people=city.people)
    return int(event.changes_data.get("cases_history", default)) if event is not None else default


def _load_cases(*, city: DemoCity, history: int, progress: Progress) -> None:
    """The 12345 hotline: taxonomy, dispatch catalogue, responsibility lists, grid, a history of concluded cases,
    the knowledge base and a trained router (see demo/cases/)."""
    result = load_cases_demo(seed=city.seed, history=history)
    progress(
        "cases",
        _(
            "12345 hotline: %(categories)d categories, %(rules)d catalogue entries, %(responsibilities)d listed "
            "responsibilities, %(cells)d grid cells, %(history)s historic cases, %(articles)d knowledge articles "
            "added (%(seconds).1f s)"
        )
        % {
            "categories": result.categories,
            "rules": result.rules,
            "responsibilities": result.responsibilities,
            "cells": result.grid_cells,
            "history": f"{result.history:,}",
            "articles": result.articles,
            "seconds": result.seconds,
        },
    )
    held_out = result.held_out or {}
    if "unit_top1" in held_out and "unit_top3" in held_out:
        progress(
            "cases",
            _("  router: units right on held-out cases %(top1)s (top 1), %(top3)s (top 3)")
            % {"top1": f"{held_out['unit_top1']:.0%}", "top3": f"{held_out['unit_top3']:.0%}"},
        )


def _record_completion(city: DemoCity) -> None:
    """Audit the end of the load, so that `demo_city` reports it complete."""
    record_event(
        actor=None,
        action=LOAD_COMPLETE_ACTION,
        object_type=DEMO_OBJECT_TYPE,
        object_id=CITY_CODE,
        changes={"scale": city.scale, "seed": city.seed, "people": city.people},
    )


def demo_load(
    *,
    scale: str = "small",
    seed: int = DEFAULT_SEED,
    people: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress = _silent,
    cases_history: int | None = None,
) -> DemoLoadResult:
    """Load the demo city into an empty database (no demo city, no division 419800, no account), else Conflict.

    `people` overrides the number of generated citizens of the scale (tests use a few hundred); `cases_history` the
    number of historic hotline cases the router learns from (default: three per citizen, at most 3,000).
    """
    if scale not in SCALES:
        raise ValidationFailed(
            _("Unknown scale %(scale)s; choose one of %(scales)s.") % {"scale": scale, "scales": ", ".join(SCALES)},
            field="scale",
        )
    count = SCALES[scale] if people is None else people
    if count < 0:
        raise ValidationFailed(_("The number of people cannot be negative."), field="people")
    if cases_history is None:
        cases_history = history_size(people=count)
    if cases_history < 0:
        raise ValidationFailed(_("The number of historic cases cannot be negative."), field="cases_history")
    started = time.perf_counter()
    _refuse_unless_empty()
    progress(
        "start",
        _("loading the demo city %(city)s: scale %(scale)s, seed %(seed)d, %(count)s generated citizens")
        % {"city": CITY_NAME, "scale": scale, "seed": seed, "count": f"{count:,}"},
    )
    plan = city_plan(seed=seed)
    city = DemoCity(scale=scale, seed=seed, people=count, complete=False)
    with transaction.atomic():
        divisions, departments, staff = _load_organisation(plan, password_hash=make_password(DEMO_PASSWORD))
        record_event(
            actor=None,
            action=LOAD_ACTION,
            object_type=DEMO_OBJECT_TYPE,
            object_id=CITY_CODE,
            changes={"scale": scale, "seed": seed, "people": count, "cases_history": cases_history},
        )
    progress(
        "organisation",
        _(
            "organisation of %(city)s: %(divisions)d divisions, %(departments)d departments, %(staff)d staff, "
            "%(named)d named citizens (%(seconds).1f s)"
        )
        % {
            "city": CITY_NAME,
            "divisions": divisions,
            "departments": departments,
            "staff": staff,
            "named": len(plan.citizens),
            "seconds": time.perf_counter() - started,
        },
    )
    citizens, enterprises = _load_people(city=city, skip=0, batch_size=batch_size, progress=progress)
    _load_registries(city=city, progress=progress)
    _load_exchange(progress=progress)
    _load_licenses(city=city, progress=progress)
    _load_service_items(progress=progress)
    _load_service_bundles(progress=progress)
    _load_cases(city=city, history=cases_history, progress=progress)
    _record_completion(city)
    return DemoLoadResult(
        scale=scale,
        seed=seed,
        people=count,
        divisions=divisions,
        departments=departments,
        staff=staff,
        citizens=citizens + len(plan.citizens),
        enterprises=enterprises + 1,
        seconds=time.perf_counter() - started,
    )


def demo_resume(*, batch_size: int = DEFAULT_BATCH_SIZE, progress: Progress = _silent) -> DemoLoadResult:
    """Finish a demo load that stopped after its organisation was committed (same scale and seed as recorded)."""
    started = time.perf_counter()
    city = demo_city()
    if city is None:
        raise NotFound(_("There is no demo load to resume: the database holds no demo city."))
    if city.complete:
        raise Conflict(_("The demo city is already complete."))
    stored = identity_selectors.user_count_by_kind()["citizen"] - len(named_citizen_rows())
    _check_resume_point(seed=city.seed, stored=stored)
    progress(
        "resume",
        _("resuming scale %(scale)s, seed %(seed)d: %(stored)s of %(count)s citizens already stored")
        % {"scale": city.scale, "seed": city.seed, "stored": f"{stored:,}", "count": f"{city.people:,}"},
    )
    citizens, enterprises = _load_people(city=city, skip=stored, batch_size=batch_size, progress=progress)
    _load_registries(city=city, progress=progress)
    _load_exchange(progress=progress)
    _load_licenses(city=city, progress=progress)
    _load_service_items(progress=progress)
    _load_service_bundles(progress=progress)
    _load_cases(city=city, history=_cases_history(city), progress=progress)
    _record_completion(city)
    return DemoLoadResult(
        scale=city.scale,
        seed=city.seed,
        people=city.people,
        divisions=0,
        departments=0,
        staff=0,
        citizens=citizens,
        enterprises=enterprises,
        seconds=time.perf_counter() - started,
    )


def demo_load_if_empty(*, progress: Progress = _silent) -> DemoLoadResult | None:
    """Load the small demo city when the database holds no account and no demo city; otherwise do nothing."""
    if demo_city() is not None or org_selectors.division_get(code=CITY_CODE) is not None:
        return None
    if sum(identity_selectors.user_count_by_kind().values()):
        return None
    return demo_load(scale="small", progress=progress)
