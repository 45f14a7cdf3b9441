"""The exchange gateway under load: signed single-record lookups and `verify`, against an unsigned plain read.

    .venv/bin/python -m bench.gateway --persons 1000000 \
        --database postgres://postgres@127.0.0.1:5432/yiwang_bench_gateway [--workers 2 --threads 4] [--seconds 20]

Set-up (timed and printed, not the measured figures): the database is dropped, created and migrated; N persons
are generated (`bench.ingestion.generate`) and ingested with `ingest_file` as 公安局's population file; through
`yiwang.exchange.services` the platform registers a consumer system of 民政局, raises its rate limit to 10,000 a
second and grants it six elements of population (the request passes the compliance check and 公安局's decision).
The nonce and rate-limit cache is Redis (`--redis-db`, flushed before and after).

The server runs as in production: gunicorn with gthread workers, no access log, DEBUG off, the database pool on,
with `bench.gateway_settings` (the platform's settings plus one route) in every phase. The load comes from
separate processes (`--clients` processes × `--connections` threads, each thread with its own kept-alive
connection and `GatewayClient`), on the same two CPUs as the server. Each phase: warm-up, then the measured
seconds. Closed-loop phases: the generator alone against /healthz; (z) the ceiling, `/gateway/bench/empty`: the
gateway's own handler and middleware answering an empty JSON object with no database, i.e. the most any answer
served by Django can reach here with the load generator on the same CPUs; (a) the baseline,
`/gateway/bench/record/<key>` (served by the gateway's own handler and middleware, like the gateway, but not
logged): the same record read by key the same way, with no signature, grant, mask or log entry; (b) signed
lookups `client.record("population", key)`; (a) and (b) alternate `--runs` times and their medians give the ratio
(b) / (a); (c) signed `verify` of name and ID number; (e) signed lookups of keys the registry does not hold (404).
Open loop: (d) signed lookups sent on a clock at `--rate` requests a second, latency measured from each request's
scheduled time (no coordinated omission); when the server cannot take that rate, (d') runs at half the signed
capacity measured. Keys are drawn at random from the loaded persons (`--keys` of them).
Every phase prints the CPU milliseconds per answered request of gunicorn's processes, of the database backends
of this database, of Redis and of the load generator, and how busy the machine was.

After the phases the access log must hold one entry per signed call the clients sent, status by status. Then a
profile (`--profile-seconds`): one gunicorn worker with one thread under cProfile serves the baseline and then signed
lookups, timed by the wall clock and then by the thread's CPU time; the time per area and per step is printed. Last,
`yiwang exchange seal-log` and `verify-log` run once over the whole log, timed.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import http.client
import io
import json
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CONSUMER_DEPARTMENT = "民政局"
ELEMENTS = ["name", "id_number", "sex", "birth_date", "phone", "registered_address"]
USER_ID = "bench-clerk-0001"
PURPOSE = "最低生活保障资格审核"
TARGET_SIGNED_RPS = 1_500
TARGET_P99_MS = 50.0
TARGET_RATIO = 0.70
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
EXPECTED = {"miss": "404"}  # the answer each kind should get, by the start of its status; 2xx otherwise


# --- the load generator (a separate process per client) ---------------------------------------------------------


def _sleep_until(moment: float) -> None:
    delay = moment - time.time()
    if delay > 0:
        time.sleep(delay)


def _sender(spec: dict[str, Any], keys: dict[str, list[list[str]]]) -> Callable[[random.Random], int]:
    """One thread's way of sending one request of the phase's kind; returns the HTTP status."""
    from yiwang.exchange.client import GatewayClient, HttpTransport

    transport = HttpTransport(spec["base_url"], timeout=60)
    client = GatewayClient(
        spec["base_url"], spec["app_key"], spec["secret"], user_id=USER_ID, purpose=PURPOSE, transport=transport
    )
    hits, misses = keys["hits"], keys["misses"]
    kind = spec["kind"]
    if kind == "healthz":
        return lambda chooser: transport("GET", "/healthz", {}, b"").status
    if kind == "empty":
        return lambda chooser: transport("GET", "/gateway/bench/empty", {}, b"").status
    if kind == "baseline":
        return lambda chooser: transport("GET", f"/gateway/bench/record/{chooser.choice(hits)[0]}", {}, b"").status
    if kind == "record":
        return lambda chooser: client.record("population", chooser.choice(hits)[0]).status
    if kind == "miss":
        return lambda chooser: client.record("population", chooser.choice(misses)[0]).status
    if kind == "verify":

        def verify(chooser: random.Random) -> int:
            number, name = chooser.choice(hits)
            return client.verify("population", {"id_number": number, "name": name}).status

        return verify
    raise ValueError(f"unknown kind {kind}")


@dataclass
class ThreadFigures:
    latencies: list[float] = field(default_factory=list)
    service: list[float] = field(default_factory=list)
    measured: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    in_window: int = 0


def _drive(spec: dict[str, Any], keys: dict[str, list[list[str]]], slot: int, figures: ThreadFigures) -> None:
    """Closed loop (send, wait, send) or, with a rate, open loop: this thread's share of slots on the clock."""
    send = _sender(spec, keys)
    chooser = random.Random(spec["seed"] * 10_000 + slot)
    start_at, measure_from, end_at = spec["start_at"], spec["measure_from"], spec["end_at"]
    rate, stride = spec.get("rate"), spec["stride"]
    index = slot
    _sleep_until(start_at)
    while True:
        if rate:
            scheduled = start_at + index / rate
            index += stride
            if scheduled >= end_at:
                break
            _sleep_until(scheduled)
        else:
            scheduled = time.time()
            if scheduled >= end_at:
                break
        began = time.time()
        try:
            status = str(send(chooser))
        except (OSError, http.client.HTTPException) as error:
            status = f"error:{type(error).__name__}"
            time.sleep(0.01)
        ended = time.time()
        figures.total[status] += 1
        # Open loop: every request scheduled in the window counts, however late it ends (the tail is the point).
        # Closed loop: the requests that began and ended inside the window.
        figures.in_window += measure_from <= ended <= end_at and status.startswith(spec["expect"])
        if scheduled >= measure_from and (rate or ended <= end_at):
            figures.measured[status] += 1
            if status.startswith(spec["expect"]):
                figures.latencies.append(round((ended - scheduled) * 1000, 3))
                figures.service.append(round((ended - began) * 1000, 3))


def _cpu_seconds_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load_child(spec_path: Path) -> None:
    """Run one client process's threads for one phase and print its figures as JSON."""
    sys.path.insert(0, str(ROOT))
    spec = json.loads(spec_path.read_text())
    keys = json.loads(Path(spec["keys_file"]).read_text())
    figures = [ThreadFigures() for _ in range(spec["threads"])]
    threads = [
        threading.Thread(target=_drive, args=(spec, keys, spec["first_slot"] + number, figures[number]), daemon=True)
        for number in range(spec["threads"])
    ]
    for thread in threads:
        thread.start()
    _sleep_until(spec["measure_from"])
    cpu_from = _cpu_seconds_self()
    _sleep_until(spec["end_at"])
    cpu = _cpu_seconds_self() - cpu_from
    for thread in threads:
        thread.join()
    merged = ThreadFigures()
    for item in figures:
        merged.latencies += item.latencies
        merged.service += item.service
        merged.measured.update(item.measured)
        merged.total.update(item.total)
        merged.in_window += item.in_window
    print(
        json.dumps(
            {
                "latencies": merged.latencies,
                "service": merged.service,
                "measured": dict(merged.measured),
                "total": dict(merged.total),
                "in_window": merged.in_window,
                "cpu": cpu,
            }
        )
    )


# --- profiling one worker (gunicorn bench.gateway:profiled_application --workers 1 --threads 1) -----------------

_profiling: dict[str, Any] = {}


def profiled_application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The platform's WSGI application (`yiwang.config.wsgi`: the gateway's own handler for /gateway/) under
    cProfile. GET /bench/profile-dump?name=N&clock=wall|cpu writes the stats
    so far and starts anew, timing with the wall clock or with this thread's CPU time (`time.thread_time`)."""
    import cProfile
    import urllib.parse

    if "application" not in _profiling:
        from yiwang.config.wsgi import application

        _profiling["application"] = application
        _profiling["profile"] = cProfile.Profile()
        _profiling["requests"] = 0
    if environ.get("PATH_INFO") == "/bench/profile-dump":
        query = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))
        profile = _profiling["profile"]
        target = Path(os.environ["BENCH_GATEWAY_PROFILE_DIR"]) / f"{query.get('name', 'profile')}.pstats"
        profile.dump_stats(str(target))
        body = str(_profiling["requests"]).encode()
        timer = time.thread_time if query.get("clock") == "cpu" else time.perf_counter
        _profiling["profile"] = cProfile.Profile(timer)
        _profiling["requests"] = 0
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]
    profile = _profiling["profile"]
    profile.enable()
    try:
        result = _profiling["application"](environ, start_response)
        try:
            chunks = list(result)
        finally:
            result.close()  # Django's request_finished: the pooled connection goes back
    finally:
        profile.disable()
    _profiling["requests"] += 1
    return chunks


# --- the server -------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of one process (0 when it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class Server:
    """gunicorn with gthread workers, started and stopped by this process (by its id)."""

    def __init__(self, *, app: str, workers: int, threads: int, environment: dict[str, str], log: Path) -> None:
        self.app, self.workers, self.threads, self.environment, self.log = app, workers, threads, environment, log
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start and wait until /healthz answers; the seconds it took."""
        started = time.perf_counter()
        command = [
            str(BIN / "gunicorn"),
            self.app,
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "-k",
            "gthread",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            "--worker-tmp-dir",
            "/dev/shm",  # noqa: S108 - gunicorn's heartbeat files, as its documentation advises in containers
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own virtualenv's gunicorn
                command, cwd=ROOT, env=self.environment, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=5) as answer:  # noqa: S310 - local
                    if answer.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz within 120 s; see {self.log}")

    def pids(self) -> list[int]:
        """The master and its workers."""
        if self.process is None:
            return []
        master = self.process.pid
        found = [master]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                if parent == master:
                    found.append(int(entry.name))
        return found

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- CPU accounting of one phase --------------------------------------------------------------------------------


class CpuMeter:
    """CPU seconds of the server's processes, the database's backends for our database, Redis, and the machine."""

    def __init__(self, url: str, redis_url: str, database: str) -> None:
        import psycopg
        import redis

        self.connection = psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True)
        self.redis = redis.Redis.from_url(redis_url)
        self.database = database

    def _postgres(self) -> dict[int, float]:
        rows = self.connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [self.database]
        ).fetchall()
        return {pid: _cpu_of(pid) for (pid,) in rows}

    def snapshot(self, server: Server) -> dict[str, Any]:
        info = self.redis.info("cpu")
        machine = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        ticks = [int(value) for value in machine]
        return {
            "server": sum(_cpu_of(pid) for pid in server.pids()),
            "postgres": self._postgres(),
            "redis": float(info["used_cpu_user"]) + float(info["used_cpu_sys"]),
            "machine_total": sum(ticks[:8]) / CLOCK_TICKS,
            "machine_idle": (ticks[3] + ticks[4]) / CLOCK_TICKS,
        }

    @staticmethod
    def difference(before: dict[str, Any], after: dict[str, Any]) -> dict[str, float]:
        postgres = sum(seconds - before["postgres"].get(pid, 0.0) for pid, seconds in after["postgres"].items())
        total = after["machine_total"] - before["machine_total"]
        idle = after["machine_idle"] - before["machine_idle"]
        return {
            "server": after["server"] - before["server"],
            "postgres": postgres,
            "redis": after["redis"] - before["redis"],
            "busy": (total - idle) / total if total else 0.0,
        }


# --- phases -----------------------------------------------------------------------------------------------------


@dataclass
class Phase:
    """The merged figures of one phase."""

    name: str
    kind: str
    seconds: float
    rate: float | None
    latencies: list[float]
    service: list[float]
    measured: Counter[str]
    total: Counter[str]
    cpu: dict[str, float]
    load: float
    in_window: int = 0

    @property
    def expect(self) -> str:
        return EXPECTED.get(self.kind, "2")

    @property
    def ok(self) -> int:
        return sum(count for status, count in self.measured.items() if status.startswith(self.expect))

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds

    def percentile(self, share: float, values: list[float] | None = None) -> float:
        ordered = sorted(self.latencies if values is None else values)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    @property
    def errors(self) -> dict[str, int]:
        return {status: count for status, count in sorted(self.measured.items()) if not status.startswith(self.expect)}

    def cpu_ms_per_request(self, part: str) -> float:
        return 1000 * self.cpu[part] / self.ok if self.ok else float("nan")

    def line(self) -> str:
        text = (
            f"{self.name:<38} {self.per_second:>8,.0f} req/s  p50 {self.percentile(0.5):7.2f} ms  "
            f"p99 {self.percentile(0.99):7.2f} ms  {'404' if self.expect == '404' else 'ok'} {self.ok:,}  "
            f"errors {self.errors or 0}"
        )
        if self.rate:
            text += (
                f"\n{'':<38} answered during the window: {self.in_window / self.seconds:,.0f} req/s; "
                f"service time (from the actual send): p50 {self.percentile(0.5, self.service):.2f} ms, "
                f"p99 {self.percentile(0.99, self.service):.2f} ms"
            )
        parts = ", ".join(
            f"{part} {self.cpu_ms_per_request(part):.2f}" for part in ("server", "postgres", "redis", "client")
        )
        return (
            text + f"\n{'':<38} CPU ms per request: {parts}; machine busy {self.cpu['busy']:.0%}, load {self.load:.1f}"
        )


@dataclass
class Bench:
    """What every phase needs: the server, the credentials, the keys, the load's shape and the CPU meter."""

    server: Server
    meter: CpuMeter
    work_dir: Path
    keys_file: Path
    app_key: str
    secret: str
    clients: int
    connections: int
    warmup: float
    seed: int = 2026
    phases: list[Phase] = field(default_factory=list)

    def run(
        self,
        name: str,
        kind: str,
        seconds: float,
        *,
        rate: float | None = None,
        clients: int | None = None,
        connections: int | None = None,
        warmup: float | None = None,
    ) -> Phase:
        clients = clients or self.clients
        connections = connections or self.connections
        warmup = self.warmup if warmup is None else warmup
        start_at = time.time() + 3.0  # the clients' imports happen before this
        measure_from = start_at + warmup
        end_at = measure_from + seconds
        children = []
        for number in range(clients):
            spec = {
                "kind": kind,
                "expect": EXPECTED.get(kind, "2"),
                "base_url": self.server.base_url,
                "app_key": self.app_key,
                "secret": self.secret,
                "keys_file": str(self.keys_file),
                "threads": connections,
                "first_slot": number * connections,
                "stride": clients * connections,
                "rate": rate,
                "start_at": start_at,
                "measure_from": measure_from,
                "end_at": end_at,
                "seed": self.seed + len(self.phases),
            }
            path = self.work_dir / f"spec-{len(self.phases)}-{number}.json"
            path.write_text(json.dumps(spec))
            children.append(
                subprocess.Popen(  # noqa: S603 - our own interpreter and module
                    [sys.executable, "-m", "bench.gateway", "--load-child", str(path)],
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
        _sleep_until(measure_from)
        before = self.meter.snapshot(self.server)
        _sleep_until(end_at)
        after = self.meter.snapshot(self.server)
        load = os.getloadavg()[0]
        outputs = [child.communicate()[0] for child in children]
        if any(child.returncode for child in children):
            raise RuntimeError(f"a load generator of phase {name} failed")
        figures = [json.loads(output.strip().splitlines()[-1]) for output in outputs]
        cpu = CpuMeter.difference(before, after) | {"client": sum(item["cpu"] for item in figures)}
        phase = Phase(
            name=name,
            kind=kind,
            seconds=seconds,
            rate=rate,
            latencies=[value for item in figures for value in item["latencies"]],
            service=[value for item in figures for value in item["service"]],
            measured=sum((Counter(item["measured"]) for item in figures), Counter()),
            total=sum((Counter(item["total"]) for item in figures), Counter()),
            cpu=cpu,
            load=load,
            in_window=sum(item["in_window"] for item in figures),
        )
        self.phases.append(phase)
        print(phase.line(), flush=True)
        return phase


# --- set-up -----------------------------------------------------------------------------------------------------


def _flush_redis(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def _vacuum(url: str) -> None:
    """Leave no autovacuum or hint-bit writes of the freshly loaded registry to fall into the measured phases."""
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")
        connection.execute("CHECKPOINT")


def _code_version() -> str:
    """The commit measured, and whether the gateway's code had uncommitted changes."""

    def git(*arguments: str) -> str:
        return subprocess.run(  # noqa: S603 - read-only git commands
            ["git", *arguments],  # noqa: S607 - git from PATH
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()

    changed = git("status", "--porcelain", "yiwang")
    return f"{git('rev-parse', '--short', 'HEAD')}{' with uncommitted changes under yiwang/' if changed else ''}"


def _register_consumer() -> tuple[int, str, str]:
    """民政局's system, rate limit 10,000/s, granted six population elements; (consumer id, app key, secret)."""
    from django.utils import timezone

    from yiwang.exchange import services
    from yiwang.exchange.models import RequestStatus
    from yiwang.org.selectors import department_get_by_name

    department = department_get_by_name(name=CONSUMER_DEPARTMENT)
    assert department is not None
    credentials = services.consumer_register(actor=None, department_id=department.id, name="最低生活保障审核系统")
    services.consumer_set_rate_limit(actor=None, consumer_id=credentials.consumer_id, rate_limit=10_000)
    today = timezone.localdate()
    request = services.access_request_submit(
        actor=None,
        data=services.AccessRequestInput(
            consumer_id=credentials.consumer_id,
            resource="population",
            elements=ELEMENTS,
            purpose="最低生活保障资格审核",
            legal_basis="《社会救助暂行办法》第十一条",
            valid_from=today,
            valid_until=today + datetime.timedelta(days=365),
            expected_volume=1_000_000,
        ),
    )
    if request.status == RequestStatus.COMPLIANCE:
        services.access_request_compliance_decide(actor=None, request_id=request.pk, approve=True)
        services.access_request_source_decide(actor=None, request_id=request.pk, approve=True)
    request.refresh_from_db()
    assert request.status == RequestStatus.GRANTED, request.status
    return credentials.consumer_id, credentials.app_key, credentials.secret


def _sample_keys(path: Path, persons: int, count: int, seed: int) -> dict[str, list[list[str]]]:
    """`count` persons drawn at random from the file that the registry holds (ID number, name as stored), and as
    many well-formed ID numbers it does not hold (the generator's formula past the last row)."""
    from bench.ingestion import DISTRICTS
    from yiwang.core.errors import ValidationFailed
    from yiwang.core.identifiers import compose_id_number
    from yiwang.datahub.catalog.selectors import resource_schema
    from yiwang.datahub.registry.selectors import RegistryReader

    chooser = random.Random(seed)
    wanted = set(chooser.sample(range(persons), min(persons, count + count // 10 + 10)))
    candidates: list[str] = []
    with path.open(encoding="gbk", newline="") as handle:
        rows = csv.reader(handle)
        next(rows)
        for index, row in enumerate(rows):
            if index in wanted:
                candidates.append(row[0])
    chooser.shuffle(candidates)
    reader = RegistryReader(resource_schema(slug="population"))
    hits: list[list[str]] = []
    for start in range(0, len(candidates), 1_000):
        number_of: dict[str, str] = {}
        for number in candidates[start : start + 1_000]:
            try:
                number_of[reader.stored_key(number)] = number
            except ValidationFailed:
                continue
        for stored, view in reader.by_stored_keys(list(number_of)).items():
            hits.append([number_of[stored], view.values["name"]])
        if len(hits) >= count:
            break
    first = datetime.date(1940, 1, 1)
    misses = [
        [compose_id_number(DISTRICTS[index % 4], first + datetime.timedelta(days=index // 1000 % 24000), index % 1000)]
        for index in range(persons, persons + min(count, 5_000))
    ]
    return {"hits": hits[:count], "misses": misses}


def _smoke(base_url: str, app_key: str, secret: str, hit: list[str], miss: str) -> Counter[str]:
    """One call of each kind, printed, so that a wrong set-up shows before the load; the gateway statuses."""
    from yiwang.exchange.client import GatewayClient, HttpTransport

    transport = HttpTransport(base_url)
    client = GatewayClient(base_url, app_key, secret, user_id=USER_ID, purpose=PURPOSE, transport=transport)
    plain = transport("GET", f"/gateway/bench/record/{hit[0]}", {}, b"")
    signed = client.record("population", hit[0])
    verified = client.verify("population", {"id_number": hit[0], "name": hit[1]})
    absent = client.record("population", miss)
    print(f"smoke: baseline {plain.status} {plain.body.decode()[:200]}")
    print(f"smoke: signed record {signed.status} {signed.body.decode()[:300]}")
    print(f"smoke: verify {verified.status} {verified.body.decode()}")
    print(f"smoke: absent key {absent.status} {json.loads(absent.body)['code']}")
    transport.close()
    if plain.status != 200 or signed.status != 200 or verified.status != 200 or not verified.data["matched"]:
        raise RuntimeError("the smoke calls failed: see above")
    return Counter(str(response.status) for response in (signed, verified, absent))


def _client_alone(app_key: str, secret: str, key: str, seconds: float = 2.0) -> float:
    """Signed requests a second that one client thread prepares with no network (signing, headers, URL)."""
    from yiwang.exchange.client import GatewayClient, GatewayResponse

    client = GatewayClient(
        "http://127.0.0.1",
        app_key,
        secret,
        user_id=USER_ID,
        purpose=PURPOSE,
        transport=lambda method, path, headers, body: GatewayResponse(200, {}, b""),
    )
    count = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        client.record("population", key)
        count += 1
    return count / (time.perf_counter() - started)


def _server_environment(url: str, redis_url: str) -> dict[str, str]:
    environment = os.environ.copy()
    environment.pop("YIWANG_DATABASE_POOL", None)  # production's default: the connection pool on
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.gateway_settings",
            "DATABASE_URL": url,
            "REDIS_URL": redis_url,
            "YIWANG_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "YIWANG_DEBUG": "0",
            "YIWANG_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    return environment


# --- after the phases -----------------------------------------------------------------------------------------


def _check_log(sent: Counter[str]) -> bool:
    """The access log holds exactly one entry per signed call sent, status by status."""
    from django.db.models import Count

    from yiwang.exchange.models import AccessLogEntry

    logged = Counter(
        {
            str(row["status"]): row["count"]
            for row in AccessLogEntry.objects.values("status").annotate(count=Count("id")).order_by()
        }
    )
    print(f"access log: {sum(logged.values()):,} entries {dict(logged)}; signed calls sent: {sum(sent.values()):,}")
    match = logged == +sent
    print("access log: one entry per signed call" if match else "access log: DOES NOT MATCH the calls sent")
    return match


def _seal_and_verify() -> None:
    from django.core.management import CommandError, call_command

    from yiwang.exchange.models import AccessLogEntry

    entries = AccessLogEntry.objects.count()
    output = io.StringIO()
    started = time.perf_counter()
    call_command("exchange", "seal-log", "--settle-seconds", "0", stdout=output)
    sealed = time.perf_counter() - started
    rate = entries / sealed
    print(f"yiwang exchange seal-log: {output.getvalue().strip()} in {sealed:.1f} s = {rate:,.0f} entries/s")
    output = io.StringIO()
    started = time.perf_counter()
    try:
        call_command("exchange", "verify-log", stdout=output, stderr=output)
        verdict = "verifies"
    except CommandError as error:
        verdict = f"FAILS: {error}"
    checked = time.perf_counter() - started
    print(
        f"yiwang exchange verify-log: {output.getvalue().strip()}; {verdict}; {checked:.1f} s = "
        f"{entries / checked:,.0f} entries/s"
    )


def _profile(
    *,
    environment: dict[str, str],
    work_dir: Path,
    meter: CpuMeter,
    keys_file: Path,
    app_key: str,
    secret: str,
    seconds: float,
    top: int,
) -> None:
    """One worker, one thread, under cProfile: the baseline and then signed lookups; print where the time goes."""
    import pstats

    profile_dir = work_dir / "profiles"
    profile_dir.mkdir()
    server = Server(
        app="bench.gateway:profiled_application",
        workers=1,
        threads=1,
        environment=environment | {"BENCH_GATEWAY_PROFILE_DIR": str(profile_dir)},
        log=work_dir / "gunicorn-profile.log",
    )
    server.start()
    try:
        bench = Bench(server, meter, work_dir, keys_file, app_key, secret, clients=1, connections=2, warmup=2)

        def dump(name: str, next_clock: str) -> int:
            address = f"{server.base_url}/bench/profile-dump?name={name}&clock={next_clock}"
            with urllib.request.urlopen(address) as answer:  # noqa: S310 - our own server
                return int(answer.read())

        bench.run("profile: warm-up (discarded)", "baseline", 3, warmup=0)
        bench.run("profile: warm-up signed (discarded)", "record", 3, warmup=0)
        dump("discard", "wall")
        requests = {}
        runs = [("baseline", "wall"), ("signed", "wall"), ("baseline", "cpu"), ("signed", "cpu")]
        for number, (name, clock) in enumerate(runs):
            bench.run(f"profile: {name} ({clock} clock)", "record" if name == "signed" else name, seconds, warmup=0)
            following = runs[number + 1][1] if number + 1 < len(runs) else "wall"
            requests[f"{name}-{clock}"] = dump(f"{name}-{clock}", following)
    finally:
        server.stop()
    site = str(BIN.parent / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages") + "/"
    for name, count in requests.items():
        stats = pstats.Stats(str(profile_dir / f"{name}.pstats"))
        total = sum(value[2] for value in stats.stats.values())  # type: ignore[attr-defined]
        clock = "CPU time of the serving thread" if name.endswith("cpu") else "wall clock"
        print(f"\nprofile {name}: {count:,} requests, {1000 * total / count:.2f} ms per request ({clock}, cProfile)")
        print(_by_area(stats, count))
        print(_selected(stats, count))
        for order in ("tottime", "cumulative") if name.startswith("signed") else ():
            text = io.StringIO()
            pstats.Stats(str(profile_dir / f"{name}.pstats"), stream=text).sort_stats(order).print_stats(top)
            body = text.getvalue().replace(site, "").replace(str(ROOT) + "/", "")
            print(body[body.find("   ncalls") :])


AREAS = (
    ("psycopg / libpq (database round trips)", ("psycopg/", "psycopg_pool/", "psycopg_c/")),
    ("redis client (nonce, rate limit)", ("redis/",)),
    ("gmssl-pyx (SM3, SM4)", ("gmssl_pyx",)),
    ("yiwang.exchange", ("yiwang/exchange/",)),
    ("yiwang (other)", ("yiwang/",)),
    ("django-ninja / pydantic", ("ninja/", "pydantic")),
    ("django (ORM, middleware, request)", ("django/",)),
    ("other libraries", ("site-packages/",)),
)


SELECTED = (
    ("the whole request (Django's WSGI handler)", "django/core/handlers/wsgi.py", "__call__"),
    ("GatewayLogMiddleware (the gateway's part)", "yiwang/exchange/middleware.py", "__call__"),
    ("  access_log_append (insert and commit)", "yiwang/exchange/log.py", "access_log_append"),
    ("    of which the commit", "psycopg/connection.py", "commit"),
    ("  SignedRequest.authenticate", "yiwang/exchange/gateway.py", "authenticate"),
    ("    string_to_sign (SM3 of the body)", "yiwang/exchange/signing.py", "string_to_sign"),
    ("    signature_matches (HMAC-SM3)", "yiwang/exchange/signing.py", "signature_matches"),
    ("    _check_rate (Redis)", "yiwang/exchange/gateway.py", "_check_rate"),
    ("    _nonce_and_rate (Redis)", "yiwang/exchange/gateway.py", "_nonce_and_rate"),
    ("    Redis cache add (nonce, rate window)", "django/core/cache/backends/redis.py", "add"),
    ("    Redis cache incr (rate window)", "django/core/cache/backends/redis.py", "incr"),
    ("    of which new redis.Redis clients", "redis/client.py", "__init__"),
    ("  django-ninja operation (parse, call, render)", "ninja/operation.py", "run"),
    ("    _access (consumer, resource, grants)", "yiwang/exchange/gateway.py", "_access"),
    ("    record endpoint", "yiwang/exchange/gateway.py", "record"),
    ("      RegistryReader.stored_key (HMAC-SM3)", "yiwang/datahub/registry/selectors.py", "stored_key"),
    ("      RegistryReader.by_stored_keys", "yiwang/datahub/registry/selectors.py", "by_stored_keys"),
    ("        of which opening the sealed values", "yiwang/datahub/registry/records.py", "unseal"),
    ("      _present (masking)", "yiwang/exchange/gateway.py", "_present"),
    ("baseline view (stored_key + by_stored_keys + JSON)", "bench/gateway_urls.py", "plain_record"),
    ("psycopg execute (every query)", "psycopg/cursor.py", "execute"),
)


def _selected(stats: Any, requests: int) -> str:
    """Cumulative time of the gateway's steps and of a few middlewares, per request."""
    lines = []
    for label, file_end, function in SELECTED:
        # The largest match: where two functions of one name nest (a cache's add calls its client's), the outer.
        total = max(
            (
                value[3]
                for (file_name, _line, name), value in stats.stats.items()
                if name == function and file_name.endswith(file_end)
            ),
            default=0.0,
        )
        if total:
            lines.append(f"  {label:<52} {1000 * total / requests:6.3f} ms")
    return "\n".join(lines)


PYTHON_ITSELF = "Python (standard library, built-ins)"


def _by_area(stats: Any, requests: int) -> str:
    """Own time (tottime) summed by where the code lives, per request."""
    sums: Counter[str] = Counter()
    for (file_name, _line, _function), value in stats.stats.items():
        area = next((label for label, marks in AREAS if any(mark in file_name for mark in marks)), PYTHON_ITSELF)
        sums[area] += value[2]
    total = sum(sums.values())
    return "\n".join(
        f"  {label:<42} {1000 * seconds / requests:6.3f} ms  {seconds / total:5.1%}"
        for label, seconds in sums.most_common()
    )


# --- main -------------------------------------------------------------------------------------------------------


def _median_phase(phases: list[Phase]) -> Phase:
    return sorted(phases, key=lambda phase: phase.per_second)[len(phases) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument(
        "--database",
        default="postgres://postgres@127.0.0.1:5432/yiwang_bench_gateway",
        help="PostgreSQL; a database of this name is dropped and created",
    )
    parser.add_argument("--redis-db", type=int, default=5, help="the Redis database number (flushed)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--clients", type=int, default=2, help="load generator processes")
    parser.add_argument("--connections", type=int, default=8, help="threads (connections) per generator process")
    parser.add_argument("--open-connections", type=int, default=16, help="threads per process in the open loop")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--rate", type=float, default=500, help="requests/s of the open-loop phase")
    parser.add_argument("--runs", type=int, default=3, help="alternating runs of baseline and signed lookups")
    parser.add_argument("--keys", type=int, default=50_000, help="persons drawn at random as lookup keys")
    parser.add_argument("--profile-seconds", type=float, default=10, help="0: no profile")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (file, logs, profiles)")
    parser.add_argument("--load-child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.load_child:
        load_child(Path(options.load_child))
        return
    if not options.database.startswith("postgres"):
        parser.error("--database must be a postgres:// URL")

    from bench.ingestion import _prepare, _setup, generate

    work_dir = Path(tempfile.mkdtemp(prefix="yiwang-bench-gateway-"))
    url = _setup(options.database, work_dir)
    redis_url = f"redis://127.0.0.1:6379/{options.redis_db}"
    os.environ["REDIS_URL"] = redis_url
    _flush_redis(redis_url)
    print(f"code: {_code_version()}")
    print(f"load average at the start: {' '.join(f'{value:.2f}' for value in os.getloadavg())}; work dir {work_dir}")
    started = time.perf_counter()
    _prepare(options.database)
    print(f"database created and migrated in {time.perf_counter() - started:.1f} s")
    path = work_dir / "population.csv"
    started = time.perf_counter()
    bad = generate(path, options.persons)
    print(f"generated {options.persons:,} persons ({bad:,} bad on purpose) in {time.perf_counter() - started:.1f} s")

    from yiwang.datahub.ingestion.pipeline import ingest_file
    from yiwang.org.selectors import department_get_by_name

    police = department_get_by_name(name="公安局")
    assert police is not None
    started = time.perf_counter()
    result = ingest_file(actor=None, resource_slug="population", source_department_id=police.id, path=path)
    elapsed = time.perf_counter() - started
    print(
        f"ingest_file: accepted {result.accepted:,}, rejected {result.rejected:,} in {elapsed:.1f} s "
        f"({result.rows / elapsed:,.0f} rows/s; not the measured figure)"
    )
    started = time.perf_counter()
    _vacuum(url)
    print(f"VACUUM (ANALYZE) and CHECKPOINT after the load in {time.perf_counter() - started:.1f} s (not measured)")
    _consumer_id, app_key, secret = _register_consumer()
    started = time.perf_counter()
    keys = _sample_keys(path, options.persons, options.keys, seed=2026)
    keys_file = work_dir / "keys.json"
    keys_file.write_text(json.dumps(keys))
    print(
        f"{len(keys['hits']):,} persons drawn as keys, {len(keys['misses']):,} absent keys, "
        f"in {time.perf_counter() - started:.1f} s"
    )
    path.unlink()

    environment = _server_environment(url, redis_url)
    server = Server(
        app="yiwang.config.wsgi",
        workers=options.workers,
        threads=options.threads,
        environment=environment,
        log=work_dir / "gunicorn.log",
    )
    meter = CpuMeter(url, redis_url, options.database.rpartition("/")[2])
    sent: Counter[str] = Counter()
    print(f"gunicorn: {options.workers} workers × {options.threads} threads (gthread) up in {server.start():.1f} s")
    print(
        f"load: {options.clients} processes × {options.connections} connections (closed loop), "
        f"{options.clients} × {options.open_connections} (open loop); warm-up {options.warmup:g} s, "
        f"measured {options.seconds:g} s per phase"
    )
    alone = _client_alone(app_key, secret, keys["hits"][0][0])
    print(f"client alone: {alone:,.0f} signed requests/s prepared by one thread with no network")
    try:
        sent += _smoke(server.base_url, app_key, secret, keys["hits"][0], keys["misses"][0][0])
        bench = Bench(
            server,
            meter,
            work_dir,
            keys_file,
            app_key,
            secret,
            clients=options.clients,
            connections=options.connections,
            warmup=options.warmup,
        )
        generator = bench.run("generator alone (GET /healthz)", "healthz", options.seconds)
        ceiling = bench.run("(z) ceiling: the gateway's handler answering {} (no database)", "empty", options.seconds)
        baselines, signed = [], []
        for run in range(1, options.runs + 1):
            baselines.append(bench.run(f"(a) baseline, unsigned, run {run}", "baseline", options.seconds))
            signed.append(bench.run(f"(b) signed lookup, run {run}", "record", options.seconds))
        verify = bench.run("(c) signed verify", "verify", options.seconds)
        misses = bench.run("(e) signed lookup of absent keys", "miss", options.seconds)
        opened = bench.run(
            f"(d) signed lookup, open loop {options.rate:g}/s",
            "record",
            options.seconds,
            rate=options.rate,
            connections=options.open_connections,
        )
        sustainable = None
        capacity = _median_phase(signed).per_second
        if capacity < 1.1 * options.rate:  # the server cannot take the asked rate: also show a rate it can take
            sustainable = bench.run(
                f"(d') signed lookup, open loop {capacity / 2:.0f}/s",
                "record",
                options.seconds,
                rate=round(capacity / 2),
                connections=options.open_connections,
            )
        for phase in (*signed, verify, misses, opened, *([sustainable] if sustainable else [])):
            sent.update(phase.total)
    finally:
        server.stop()
    log_ok = _check_log(sent)
    if options.profile_seconds:
        _profile(
            environment=environment,
            work_dir=work_dir,
            meter=meter,
            keys_file=keys_file,
            app_key=app_key,
            secret=secret,
            seconds=options.profile_seconds,
            top=25,
        )
    _seal_and_verify()
    _flush_redis(redis_url)

    baseline, lookup = _median_phase(baselines), _median_phase(signed)
    ratio = lookup.per_second / baseline.per_second
    pairs = ", ".join(f"{b.per_second / a.per_second:.2f}" for a, b in zip(baselines, signed, strict=True))
    print("\nsummary (medians of the alternating runs for (a) and (b))")
    extra = [sustainable] if sustainable else []
    for phase in (generator, ceiling, baseline, lookup, verify, misses, opened, *extra):
        print(phase.line())
    print(f"ratio signed / baseline throughput: {ratio:.2f} (runs: {pairs})")
    p99 = opened.percentile(0.99)
    fast_enough = lookup.per_second >= TARGET_SIGNED_RPS
    print(
        f"target ≥ {TARGET_SIGNED_RPS:,} signed lookups/s: {'met' if fast_enough else 'MISSED'}"
        f" ({lookup.per_second:,.0f}); p99 < {TARGET_P99_MS:g} ms at {options.rate:g}/s: "
        f"{'met' if p99 < TARGET_P99_MS else 'MISSED'} ({p99:.1f} ms); checks cost ≤ 30 %: "
        f"{'met' if ratio >= TARGET_RATIO else 'MISSED'} ({1 - ratio:.0%})"
    )
    print(f"client alone: {alone:,.0f} signed requests/s per thread, no network")
    print(f"access log complete: {log_ok}; load average at the end: {os.getloadavg()[0]:.2f}")
    meter.connection.close()
    if options.keep:
        print(f"kept {work_dir}")
    else:
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
