"""A clerk's inbox over a million historical applications (100,000 open): p50 and p95 of `department_inbox`.

    .venv/bin/python -m bench.services_inbox [--applications 1000000] [--open 100000] [--rounds 50]
        [--database postgres://postgres@127.0.0.1:5432/yiwang_bench_inbox]

Set-up (not measured): a fresh database; 20 departments with 150 published items each (3,000 items); the
applications inserted in bulk (not through the services: this measures reading), spread over the departments
and the last three years, `--open` of them open (received, accepted, under a supplement or a special procedure)
and the rest concluded. Then each round reads the first page of a random department's inbox as one of its
clerks, through `department_inbox` (the page's clocks computed from the calendar). Baseline, in the same run:
the same page read as model instances by a plain query on the same columns and order (no clocks, no summaries).
Target (issue 5): p95 under 100 ms.
"""

from __future__ import annotations

import argparse
import datetime
import random
import statistics
import time

from bench.audit_write import _setup
from bench.services_search import _percentile

DEPARTMENTS = 20
ITEMS_PER_DEPARTMENT = 150


def _populate(applications: int, open_count: int, seed: int = 2026) -> tuple[list[int], dict[int, object]]:
    from django.db import connection, transaction
    from django.utils import timezone

    from yiwang.core.identifiers import compose_credit_code, compose_id_number
    from yiwang.identity import services as identity_services
    from yiwang.identity.roles import Role
    from yiwang.org import services as org_services
    from yiwang.org.services import DivisionRow
    from yiwang.services.catalog import services as catalog
    from yiwang.services.catalog.services import ItemInput
    from yiwang.services.models import Application, ApplicationStatus

    rng = random.Random(seed)
    org_services.division_bulk_create(
        actor=None,
        rows=[DivisionRow("410000", "河南省", "province", None), DivisionRow("419800", "明湖市", "city", "410000")],
    )
    departments: list[int] = []
    clerks: dict[int, object] = {}
    versions: dict[int, list[int]] = {}
    for index in range(DEPARTMENTS):
        department = org_services.department_create(
            actor=None,
            name=f"测试委办局{index + 1}",
            credit_code=compose_credit_code(f"11419800{index + 1:09d}"),
            kind="government_department",
            division_code="419800",
        ).id
        departments.append(department)
        clerks[department] = identity_services.staff_create(
            actor=None,
            details=identity_services.StaffDetails(
                username=f"clerk{index}", real_name="窗口", department_id=department, roles=(Role.CLERK,),
                password="Bench-password-2026", phone="", email="",
            ),
        )  # fmt: skip
        versions[department] = []
        for number in range(ITEMS_PER_DEPARTMENT):
            draft = catalog.item_create(
                actor=None,
                department_id=department,
                catalog_code=f"{index:04d}{number:08d}",
                task_code=f"B{index:02d}-{number:04d}",
                data=ItemInput(
                    name=f"测试事项{index}-{number}",
                    item_type="01",
                    legal_basis="《中华人民共和国行政许可法》",
                    exercise_level="municipal",
                    service_object="both",
                    project_type="promised",
                    statutory_limit=20,
                    promised_limit=rng.choice((5, 10, 15)),
                    online_depth="3",
                    visits=1,
                    result_type="approval",
                ),
            )
            versions[department].append(catalog.item_publish(actor=None, version_id=draft.pk).pk)
    applicant = identity_services.citizen_register(
        registration=identity_services.Registration(
            real_name="王测试",
            id_number=compose_id_number("110105", datetime.date(1980, 1, 1), 1),
            phone="19900001234",
            password="Bench-password-2026",
        )
    )
    open_statuses = [
        ApplicationStatus.RECEIVED,
        ApplicationStatus.ACCEPTED,
        ApplicationStatus.HANDLING,
        ApplicationStatus.SUPPLEMENT_STARTED,
        ApplicationStatus.SPECIAL_STARTED,
    ]
    paused = {ApplicationStatus.SUPPLEMENT_STARTED, ApplicationStatus.SPECIAL_STARTED}
    closed_statuses = [ApplicationStatus.APPROVED, ApplicationStatus.NOT_APPROVED, ApplicationStatus.REFUSED]
    today = timezone.localdate()
    open_positions = set(rng.sample(range(applications), open_count))
    batch: list[Application] = []
    department_of_version = {version: dept for dept, items in versions.items() for version in items}
    all_versions = list(department_of_version)
    for position in range(applications):
        version = rng.choice(all_versions)
        is_open = position in open_positions
        status = rng.choice(open_statuses) if is_open else rng.choice(closed_statuses)
        age = rng.randint(0, 40) if is_open else rng.randint(40, 3 * 365)
        day = today - datetime.timedelta(days=age)
        submitted = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
        accepted = None if status == ApplicationStatus.RECEIVED else day
        batch.append(
            Application(
                number=f"419800{day:%Y%m%d}{position:08d}",
                item_version_id=version,
                department_id=department_of_version[version],
                applicant=applicant,
                status=status,
                form_data={},
                created_at=submitted,
                submitted_at=submitted,
                accepted_on=accepted,
                paused_since=day if status in paused else None,
                concluded_at=None if is_open else submitted + datetime.timedelta(days=7),
            )
        )
        if len(batch) == 20_000:
            with transaction.atomic():
                Application.objects.bulk_create(batch)
            batch = []
    if batch:
        with transaction.atomic():
            Application.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return departments, clerks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--database", default=None)
    options = parser.parse_args()
    _setup(options.database)
    from yiwang.services.applications.selectors import INBOX_PAGE, OPEN, department_inbox
    from yiwang.services.models import Application

    started = time.perf_counter()
    departments, clerks = _populate(options.applications, options.open)
    from yiwang.services.applications.services import applications_recompute_urgency

    began = time.perf_counter()
    changed = applications_recompute_urgency()
    print(f"inbox sort keys of {changed:,} open applications computed in {time.perf_counter() - began:.1f} s")
    print(
        f"{options.applications:,} applications ({options.open:,} open) for {DEPARTMENTS} departments, "
        f"{DEPARTMENTS * ITEMS_PER_DEPARTMENT:,} items, made in {time.perf_counter() - started:.0f} s (not measured)"
    )
    rng = random.Random(7)
    inbox: list[float] = []
    plain: list[float] = []
    shown = 0
    for _round in range(options.rounds):
        department = rng.choice(departments)
        began = time.perf_counter()
        page = department_inbox(actor=clerks[department])
        inbox.append((time.perf_counter() - began) * 1000)
        shown = len(page)
        began = time.perf_counter()
        rows = Application.objects.filter(department_id=department, status__in=OPEN).order_by("urgent_on", "number")
        list(rows.select_related("item_version", "item_version__item", "department")[:INBOX_PAGE])
        plain.append((time.perf_counter() - began) * 1000)
    p95 = _percentile(inbox, 0.95)
    print(f"inbox page ({shown} rows): p50 {statistics.median(inbox):.1f} ms, p95 {p95:.1f} ms")
    baseline_p95 = _percentile(plain, 0.95)
    print(f"baseline (plain query, same page): p50 {statistics.median(plain):.1f} ms, p95 {baseline_p95:.1f} ms")
    print(f"ratio of p95: {p95 / baseline_p95:.1f}")
    print(f"target p95 < 100 ms: {'met' if p95 < 100 else 'MISSED'} ({p95:.1f} ms)")


if __name__ == "__main__":
    main()
