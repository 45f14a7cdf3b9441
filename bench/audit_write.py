"""Writing audit events: what the hash chain costs, and what the lanes buy under concurrency.

    .venv/bin/python -m bench.audit_write [--database postgres://postgres@127.0.0.1:5432/yiwang_bench_audit]

1. One writer, one event per transaction, N events. Baseline in the same run: the same rows inserted with a
   plain INSERT in their own transactions (no digest, no lane lock, no head update).
2. PostgreSQL only: 8 threads, each running transactions that write an event and then hold the transaction
   for 2 ms (the rest of a request's work). Baseline in the same run: one lane (`YIWANG_AUDIT_CHAIN_LANES=1`,
   i.e. a single chain whose head every writer locks) against the default 16 lanes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path


def _setup(database: str | None) -> None:
    var_dir = Path(tempfile.mkdtemp(prefix="yiwang-bench-audit-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "yiwang.config.settings"
    os.environ["YIWANG_VAR_DIR"] = str(var_dir)
    os.environ["YIWANG_DATABASE_POOL"] = "0"
    os.environ["DATABASE_URL"] = database or f"sqlite:///{var_dir / 'bench.sqlite3'}"
    from yiwang.config.secrets import ensure_development_secrets

    ensure_development_secrets(var_dir)
    import django

    django.setup()
    from django.core.management import call_command

    if database and database.startswith("postgres"):
        _recreate_postgres(database)
    call_command("migrate", verbosity=0)


def _recreate_postgres(url: str) -> None:
    import psycopg

    base, _sep, name = url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def single_writer(count: int) -> tuple[float, float]:
    """Events per second through record_event, and plain inserts per second (baseline)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from yiwang.core.audit.services import record_event

    started = time.perf_counter()
    for index in range(count):
        record_event(actor=None, action="bench.write", object_type="bench", object_id=index, changes={"n": index})
    chained = count / (time.perf_counter() - started)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_plain (id INTEGER PRIMARY KEY, at TEXT, action TEXT, object_id TEXT, changes TEXT)"
        )
    started = time.perf_counter()
    for index in range(count):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_plain (id, at, action, object_id, changes) VALUES (%s, %s, %s, %s, %s)",
                [index, timezone.now().isoformat(), "bench.write", str(index), f'{{"n":{index}}}'],
            )
    plain = count / (time.perf_counter() - started)
    return chained, plain


def concurrent_writers(lanes: int, threads: int = 8, per_thread: int = 150, hold_seconds: float = 0.002) -> float:
    """Transactions per second with `threads` writers holding each transaction for `hold_seconds`."""
    from django.conf import settings
    from django.db import connection, transaction

    from yiwang.core.audit.services import record_event

    settings.YIWANG_AUDIT_CHAIN_LANES = lanes
    barrier = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            barrier.wait()
            for index in range(per_thread):
                with transaction.atomic():
                    record_event(
                        actor=None, action="bench.concurrent", object_type="bench", object_id=f"{number}-{index}"
                    )
                    time.sleep(hold_seconds)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=writer, args=(number,)) for number in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return threads * per_thread / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", help="postgres://… (a database of that name is dropped and created)")
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    _setup(options.database)
    from django.db import connection

    from yiwang.core.audit.selectors import audit_chain_verify

    print(f"database: {connection.vendor}")
    chained, plain = single_writer(options.count)
    print(f"one writer, {options.count} events, one transaction each:")
    print(f"  record_event (SM3 chain, lane lock, head update) {chained:10,.0f} events/s")
    print(f"  plain INSERT (baseline)                          {plain:10,.0f} rows/s")
    print(f"  ratio record_event / plain                       {chained / plain:10.2f}")
    if connection.vendor == "postgresql":
        one = statistics.median(concurrent_writers(1) for _ in range(options.runs))
        many = statistics.median(concurrent_writers(16) for _ in range(options.runs))
        print("8 writers, each transaction holds its lane 2 ms (median of runs):")
        print(f"  1 lane (one chain; baseline)                     {one:10,.0f} transactions/s")
        print(f"  16 lanes                                         {many:10,.0f} transactions/s")
        print(f"  ratio 16 lanes / 1 lane                          {many / one:10.2f}")
    started = time.perf_counter()
    result = audit_chain_verify()
    rate = result.events_checked / (time.perf_counter() - started)
    print(f"verify: {result.events_checked} events, intact={result.intact}, {rate:,.0f} events/s")


if __name__ == "__main__":
    main()
