"""Case intake through the API (issue 7): requests per second of `POST /api/v1/cases/`, against an authenticated
read through the same stack measured in the same run.

    .venv/bin/python -m bench.cases_intake_bench [--rounds 7] [--per-round 200] [--chunk 10] [--history 100000]
        [--database postgres://postgres@127.0.0.1:5432/yiwang_bench_intake]

`--database` names a PostgreSQL database that is dropped and created again, as in the other benchmarks; without
it a throw-away SQLite file under /tmp is used.

Set-up, not measured: a freshly migrated database (DEBUG off, the platform's settings); the city's divisions down
to a community; 12345热线中心 and 市城市管理局; the taxonomy's heading 城乡建设 with two leaves (ORM); `--history` old
cases inserted in bulk over the last two years (the numbering and the indexes have something to look through);
two accounts made by `staff_create`: a unit's system account (`cgj.system`, role handler, 市城市管理局) with an
OAuth access token of a registered client, and an operator of the hotline signed in with a session past the
second factor (a confirmed TOTP device, as after a real sign-in).

Each round runs each side `--per-round` times; the sides take turns in chunks of `--chunk` requests (10), in an
order that rotates from round to round, so that load from elsewhere on the machine falls on all of them alike.
Everything runs in this process through Django's test client — the whole WSGI stack: every middleware of the
platform, django-ninja's routing, authentication, body parsing and validation, the endpoint, the service, the
JSON answer — so no network and no server processes are measured:

- `intake, system (bearer)`: `POST /api/v1/cases/` with the system's bearer token — channel api, a complaint with
  category, community, address, contact name and phone (SM4-encrypted, with its HMAC-SM3 blind index), varied
  wording; 201 checked;
- `intake, operator (session)`: the same as the operator, through the session (channel phone);
- `case_intake alone`: the service called directly with the same input (channel api): what the HTTP layers add;
- baseline `GET /api/v1/me` with the system's bearer token: the same stack and authentication, a read of one
  account (its department and roles) and a small JSON answer;
- floor `GET /healthz`: the middleware stack alone.

Reported: medians over the rounds of requests per second and of milliseconds per request for each side, p95 of
the single requests, the ratios intake / baseline (per round too: median and range), and the SQL statements of
one request of each side.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` and `yiwang` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.audit_write import _setup

COMMUNITY = "419802001001"
TOKEN = "bench-intake-token-0123456789abcdef"
PASSWORD = "Bench-password-2026"
COLLECTION = "/api/v1/cases/"
ROADS = ("滨河路", "人民路", "解放大道", "建设路", "中山路", "文化路", "明湖大道", "清河街")
PLACES = ("小区门口", "菜市场旁", "公交站台", "学校东门", "十字路口", "公园北门", "老旧小区院内", "商业街")
MATTERS = (
    "垃圾桶满了好几天没人清运，气味很大",
    "有人占道经营摆摊，行人只能走机动车道",
    "路灯不亮已经一个星期了，晚上很危险",
    "井盖松动，车辆经过时响声很大",
    "共享单车乱停乱放堵住了盲道",
    "店铺外摆烧烤，油烟扰民",
    "绿化带被人毁坏种菜",
    "建筑垃圾随意倾倒在路边",
)
NAMES = ("王先生", "李女士", "张先生", "刘女士", "陈先生", "杨女士", "赵先生", "黄女士")
TYPES = ("complaint", "help", "report", "suggestion")


@dataclass
class Bench:
    system_token: str
    system: Any  # the unit's system account
    operator_client: Any
    token_client: Any
    anonymous_client: Any


def _body(rng: random.Random) -> dict[str, Any]:
    road, place, matter = rng.choice(ROADS), rng.choice(PLACES), rng.choice(MATTERS)
    number = rng.randint(1, 300)
    return {
        "case_type": rng.choice(TYPES),
        "content": f"{road}{number}号{place}{matter}，希望有关部门尽快处理。",
        "category_code": rng.choice(("0101", "0102")),
        "division_code": COMMUNITY,
        "address": f"{road}{number}号",
        "contact_name": rng.choice(NAMES),
        "contact_phone": f"139{rng.randint(0, 99_999_999):08d}",
    }


def _populate(history: int, rng: random.Random) -> Bench:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.test import Client
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from oauth2_provider.models import AccessToken, Application

    from yiwang.cases.models import Case, CaseCategory, CaseStatus
    from yiwang.core.identifiers import compose_credit_code
    from yiwang.identity import services as identity_services
    from yiwang.identity.roles import Role
    from yiwang.org import services as org_services
    from yiwang.org.services import DivisionRow

    org_services.division_bulk_create(
        actor=None,
        rows=[
            DivisionRow("410000", "河南省", "province", None),
            DivisionRow("419800", "明湖市", "city", "410000"),
            DivisionRow("419802", "清河区", "county", "419800"),
            DivisionRow("419802001", "滨河街道", "township", "419802"),
            DivisionRow(COMMUNITY, "柳园社区", "village", "419802001"),
        ],
    )
    units = {}
    for index, (name, kind) in enumerate(
        (("12345热线中心", "public_institution"), ("市城市管理局", "government_department")), start=1
    ):
        units[name] = org_services.department_create(
            actor=None,
            name=name,
            credit_code=compose_credit_code(f"11419800{index:09d}"),
            kind=kind,
            division_code="419800",
        ).id
    heading = CaseCategory.objects.create(code="01", name="城乡建设")
    CaseCategory.objects.create(code="0101", name="市容环境", parent=heading)
    CaseCategory.objects.create(code="0102", name="占道经营", parent=heading)

    def staff(username: str, department: str, role: str) -> Any:
        return identity_services.staff_create(
            actor=None,
            details=identity_services.StaffDetails(
                username=username, real_name="测试", department_id=units[department], roles=(role,),
                password=PASSWORD,
            ),
        )  # fmt: skip

    system = staff("cgj.system", "市城市管理局", Role.HANDLER)
    operator = staff("operator.bench", "12345热线中心", Role.OPERATOR)
    application = Application.objects.create(
        name="城管业务系统",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://cgj.example/callback",
    )
    AccessToken.objects.create(
        user=system,
        application=application,
        token=TOKEN,
        expires=timezone.now() + datetime.timedelta(days=1),
        scope="openid",
    )
    # The operator's session as after a real sign-in: the user, the backend, and the second factor passed.
    device = TOTPDevice.objects.create(user=operator, name="bench", confirmed=True)
    operator_client = Client()
    operator_client.force_login(operator, backend="yiwang.identity.backends.LoginNameBackend")
    session = operator_client.session
    assert session[SESSION_KEY] and session[BACKEND_SESSION_KEY] and session[HASH_SESSION_KEY]
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    if history:
        started = time.perf_counter()
        now = timezone.now()
        batch: list[Case] = []
        sequence: dict[str, int] = {}
        for _index in range(history):
            received = now - datetime.timedelta(days=rng.randint(1, 730), minutes=rng.randint(0, 1440))
            day = timezone.localdate(received).strftime("%Y%m%d")
            sequence[day] = sequence.get(day, 0) + 1
            body = _body(rng)
            batch.append(
                Case(
                    number=f"{day}{sequence[day]:06d}",
                    case_type=body["case_type"],
                    channel="phone",
                    title=body["content"][:30],
                    content=body["content"],
                    status=CaseStatus.CLOSED,
                    address=body["address"],
                    received_at=received,
                    updated_at=received,
                )
            )
            if len(batch) == 5000:
                Case.objects.bulk_create(batch)
                batch.clear()
        Case.objects.bulk_create(batch)
        print(f"history: {history:,} cases inserted in {time.perf_counter() - started:.1f} s", flush=True)
    return Bench(
        system_token=TOKEN,
        system=system,
        operator_client=operator_client,
        token_client=Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}"),
        anonymous_client=Client(),
    )


Side = Callable[[int], list[float]]  # runs `count` operations; returns the seconds of each


def _sides(bench: Bench, rng: random.Random) -> dict[str, Side]:
    from yiwang.cases import services

    def post_as(client: Any) -> Side:
        def run(count: int) -> list[float]:
            bodies = [json.dumps(_body(rng), ensure_ascii=False) for _index in range(count)]
            seconds = []
            for body in bodies:
                started = time.perf_counter()
                response = client.post(COLLECTION, body, content_type="application/json")
                seconds.append(time.perf_counter() - started)
                if response.status_code != 201:
                    raise RuntimeError(f"intake answered {response.status_code}: {response.content[:300]!r}")
            return seconds

        return run

    def service(count: int) -> list[float]:
        intakes = [services.CaseIntake(channel="api", **_body(rng)) for _index in range(count)]
        seconds = []
        for intake in intakes:
            started = time.perf_counter()
            services.case_intake(actor=bench.system, intake=intake)
            seconds.append(time.perf_counter() - started)
        return seconds

    def get(client: Any, path: str) -> Side:
        def run(count: int) -> list[float]:
            seconds = []
            for _index in range(count):
                started = time.perf_counter()
                response = client.get(path)
                seconds.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"{path} answered {response.status_code}")
            return seconds

        return run

    return {
        "intake, system (bearer)": post_as(bench.token_client),
        "intake, operator (session)": post_as(bench.operator_client),
        "case_intake alone": service,
        "baseline GET /api/v1/me": get(bench.token_client, "/api/v1/me"),
        "floor GET /healthz": get(bench.anonymous_client, "/healthz"),
    }


def _queries(bench: Bench, sides: dict[str, Side]) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, side in sides.items():
        with CaptureQueriesContext(connection) as captured:
            side(1)
        counts[name] = len(captured.captured_queries)
    return counts


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--per-round", type=int, default=200)
    parser.add_argument("--chunk", type=int, default=10)
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--database", default=None)
    options = parser.parse_args()
    os.environ["YIWANG_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("YIWANG_DEBUG", "0")
    _setup(options.database)
    from django.conf import settings
    from django.db import connection

    rng = random.Random(2026)
    started = time.perf_counter()
    bench = _populate(options.history, rng)
    print(f"set-up in {time.perf_counter() - started:.1f} s", flush=True)
    print(
        f"database {connection.vendor}, DEBUG {settings.DEBUG}, sessions {settings.SESSION_ENGINE.rpartition('.')[2]}, "
        f"password hasher {settings.PASSWORD_HASHERS[0].rpartition('.')[2]}",
        flush=True,
    )
    sides = _sides(bench, rng)
    for side in sides.values():  # warm-up: imports, schema caches, the first connection's statements
        side(20)
    names = list(sides)
    per_round: dict[str, list[float]] = {name: [] for name in names}
    singles: dict[str, list[float]] = {name: [] for name in names}
    for number in range(options.rounds):
        # The sides take turns in chunks, so that a burst of load from elsewhere falls on all of them alike.
        shift = number % len(names)
        order = names[shift:] + names[:shift]
        spent: dict[str, list[float]] = {name: [] for name in names}
        for _chunk in range(0, options.per_round, options.chunk):
            for name in order:
                spent[name].extend(sides[name](min(options.chunk, options.per_round - len(spent[name]))))
        for name in names:
            per_round[name].append(sum(spent[name]) / len(spent[name]))
            singles[name].extend(spent[name])
        shown = ", ".join(f"{name} {1000 * per_round[name][-1]:.2f}" for name in names)
        print(f"  round {number + 1} (ms each): {shown}", flush=True)
    queries = _queries(bench, sides)
    baseline = "baseline GET /api/v1/me"
    print(f"\n{options.rounds} rounds × {options.per_round} requests per side; medians over the rounds")
    print(f"{'side':32} {'req/s':>9} {'ms each':>9} {'p95 ms':>8} {'SQL':>5}")
    for name in names:
        median = statistics.median(per_round[name])
        print(
            f"{name:32} {1 / median:9,.1f} {1000 * median:9.2f} {1000 * _percentile(singles[name], 0.95):8.2f} "
            f"{queries[name]:5d}"
        )
    for name in ("intake, system (bearer)", "intake, operator (session)", "case_intake alone"):
        ratios = [base / mine for mine, base in zip(per_round[name], per_round[baseline], strict=True)]
        ratio = statistics.median(per_round[baseline]) / statistics.median(per_round[name])
        print(
            f"ratio {name} / baseline: {ratio:.3f} (per round: median {statistics.median(ratios):.3f}, "
            f"{min(ratios):.3f}–{max(ratios):.3f})"
        )
    service = statistics.median(per_round["case_intake alone"])
    api = statistics.median(per_round["intake, system (bearer)"])
    print(f"the service's share of an API intake: {service / api:.2f} ({1000 * (api - service):.2f} ms around it)")


if __name__ == "__main__":
    main()
