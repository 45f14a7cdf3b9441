"""How long loading the demo city takes, against the cheapest way of storing the same people.

    .venv/bin/python -m bench.demo_generation --scale medium [--runs 3] [--database postgres://…/yiwang_bench]

Each run starts from an empty, migrated database (a throw-away SQLite file under /tmp, or a PostgreSQL
database that is dropped and created again) and times `demo_load`: the organisation in one transaction,
then the generated citizens through `citizens_bulk_create` in committed batches, then
their enterprises.

Baseline, measured in the same run on the same engine: generate the same rows and store them as plain text
with the engine's fastest bulk path (SQLite: `executemany`; PostgreSQL: `COPY`) in a bare table with unique
username, ID number and phone, as the accounts table has, committing after each batch of the same size.
That is the floor for putting these people into this database; the ratio of the citizens step to it is what
the platform's guarantees cost: SM4-GCM encryption of ID number and phone, HMAC-SM3 blind indexes, the ORM,
one audit event per batch. The pure generation time (no database) is printed too, to show how much of either
figure is making up the people.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

DEFAULT_RUNS = {"small": 5, "medium": 3, "large": 1}
BARE_TABLE = (
    "CREATE TABLE citizen (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, real_name TEXT NOT NULL, "
    "id_number TEXT NOT NULL UNIQUE, phone TEXT NOT NULL UNIQUE)"
)
BARE_TABLE_POSTGRES = BARE_TABLE.replace("id INTEGER PRIMARY KEY", "id BIGSERIAL PRIMARY KEY")


@dataclass(frozen=True)
class RunFigures:
    """Seconds spent in each step of one run."""

    migrate: float
    organisation: float
    citizens: float
    enterprises: float
    total: float
    generation_only: float
    baseline: float


def _configure(database: str | None) -> tuple[str, Path]:
    """Point Django at a throw-away var directory and database, then set it up."""
    var_dir = Path(tempfile.mkdtemp(prefix="yiwang-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "yiwang.config.settings"
    os.environ["YIWANG_VAR_DIR"] = str(var_dir)
    os.environ["YIWANG_DATABASE_POOL"] = "0"
    os.environ["DATABASE_URL"] = database or f"sqlite:///{var_dir / 'bench.sqlite3'}"
    from yiwang.config.secrets import ensure_development_secrets

    ensure_development_secrets(var_dir)
    import django

    django.setup()
    return os.environ["DATABASE_URL"], var_dir


def _postgres_admin(url: str) -> tuple[str, str]:
    """The URL of the server's maintenance database, and the name of the benchmark database."""
    base, _slash, name = url.rpartition("/")
    return f"{base}/postgres", name


def _reset_database(url: str, var_dir: Path) -> None:
    """An empty database for the next run: a deleted SQLite file or a recreated PostgreSQL database."""
    from django.db import connections

    connections.close_all()
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            path = var_dir / f"bench.sqlite3{suffix}"
            path.unlink(missing_ok=True)
        return
    import psycopg

    admin_url, name = _postgres_admin(url)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def _rows(seed: int, count: int) -> Iterator[tuple[str, str, str, str]]:
    """The generated citizens as plain tuples."""
    from yiwang.demo.population import generate_people

    for person in generate_people(seed=seed, count=count):
        citizen = person.citizen
        yield citizen.username, citizen.real_name, citizen.id_number, citizen.phone


def _generation_only(seed: int, count: int) -> float:
    """Seconds to generate `count` people without any database."""
    started = time.perf_counter()
    for _row in _rows(seed, count):
        pass
    return time.perf_counter() - started


def _batches(rows: Iterator[tuple[str, str, str, str]], size: int) -> Iterator[list[tuple[str, str, str, str]]]:
    """Rows grouped into lists of `size`."""
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _baseline(url: str, var_dir: Path, seed: int, count: int, batch_size: int) -> float:
    """Generate the same rows and bulk-insert them into a bare table, one commit per batch."""
    if url.startswith("sqlite"):
        return _baseline_sqlite(var_dir / "baseline.sqlite3", seed, count, batch_size)
    return _baseline_postgres(url, seed, count, batch_size)


def _baseline_sqlite(path: Path, seed: int, count: int, batch_size: int) -> float:
    """Seconds to executemany the rows into a bare SQLite table, one commit per batch."""
    import sqlite3

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    connection = sqlite3.connect(path, isolation_level=None)
    # The same pragmas as the platform's SQLite connections (settings.py).
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(BARE_TABLE)
    insert = "INSERT INTO citizen (username, real_name, id_number, phone) VALUES (?, ?, ?, ?)"
    started = time.perf_counter()
    for batch in _batches(_rows(seed, count), batch_size):
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(insert, batch)
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def _baseline_postgres(url: str, seed: int, count: int, batch_size: int) -> float:
    """Seconds to COPY the rows into a bare PostgreSQL table, one commit per batch."""
    import psycopg

    # COPY, not executemany: it is the fastest way into PostgreSQL, as executemany is into SQLite.
    with psycopg.connect(url) as connection:
        connection.execute("DROP TABLE IF EXISTS citizen")
        connection.execute(BARE_TABLE_POSTGRES)
        connection.commit()
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for batch in _batches(_rows(seed, count), batch_size):
                with cursor.copy("COPY citizen (username, real_name, id_number, phone) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
                connection.commit()
        elapsed = time.perf_counter() - started
        connection.execute("DROP TABLE citizen")
        connection.commit()
    return elapsed


def _timed_progress(marks: dict[str, float], echo: bool) -> Callable[[str, str], None]:
    """A progress callback that notes when each step of the load ends."""

    def progress(step: str, message: str) -> None:
        marks[step] = time.perf_counter()
        if echo:
            print(f"    {message}", flush=True)

    return progress


def run_once(*, url: str, var_dir: Path, scale: str, seed: int, people: int, batch_size: int, echo: bool) -> RunFigures:
    """One load into a fresh database, the generation alone, and the baseline."""
    from django.core.management import call_command

    from yiwang.demo.services import demo_load

    _reset_database(url, var_dir)
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrated = time.perf_counter()
    marks: dict[str, float] = {}
    demo_load(scale=scale, seed=seed, people=people, batch_size=batch_size, progress=_timed_progress(marks, echo))
    finished = time.perf_counter()
    generation = _generation_only(seed, people)
    baseline = _baseline(url, var_dir, seed, people, batch_size)
    return RunFigures(
        migrate=migrated - started,
        organisation=marks["organisation"] - migrated,
        citizens=marks["citizens"] - marks["organisation"],
        enterprises=marks["enterprises"] - marks["citizens"],
        total=finished - migrated,
        generation_only=generation,
        baseline=baseline,
    )


def _machine() -> str:
    """Architecture, CPUs, memory and Python version."""
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kilobytes = int(meminfo.read_text().split()[1])
        memory = f", {kilobytes / 1024 / 1024:.0f} GiB"
    return f"{platform.machine()}, {os.cpu_count()} CPU{memory}, Python {platform.python_version()}"


def _engine() -> str:
    """The database engine and its version."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        row = cursor.fetchone()
    return f"{connection.vendor} {row[0] if row else '?'}"


def _load_average() -> str:
    """The load average, to show whether other work competed with the benchmark."""
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments, run the benchmark, print each run and the medians."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=list(DEFAULT_RUNS), default="medium")
    parser.add_argument("--runs", type=int, help="default: 5 small, 3 medium, 1 large")
    parser.add_argument("--people", type=int, help="override the number of citizens of the scale")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--batch-size", type=int, help="citizens per committed batch (default: the loader's)")
    parser.add_argument("--database", help="a postgres:// URL of a database the benchmark may drop (default: SQLite)")
    parser.add_argument("--quiet", action="store_true", help="do not echo the loader's progress")
    options = parser.parse_args(argv)
    url, var_dir = _configure(options.database)

    from yiwang.demo.population import SCALES
    from yiwang.demo.services import DEFAULT_BATCH_SIZE

    batch_size = options.batch_size or DEFAULT_BATCH_SIZE

    people = options.people if options.people is not None else SCALES[options.scale]
    runs = options.runs or DEFAULT_RUNS[options.scale]
    print(f"demo load, scale {options.scale} ({people:,} citizens), seed {options.seed}, batch {batch_size}")
    print(f"machine: {_machine()}; {_load_average()} at the start")
    results: list[RunFigures] = []
    for number in range(1, runs + 1):
        figures = run_once(
            url=url,
            var_dir=var_dir,
            scale=options.scale,
            seed=options.seed,
            people=people,
            batch_size=batch_size,
            echo=not options.quiet,
        )
        results.append(figures)
        print(
            f"  run {number}: total {figures.total:.1f} s (organisation {figures.organisation:.1f}, citizens "
            f"{figures.citizens:.1f}, enterprises {figures.enterprises:.1f}); generation alone "
            f"{figures.generation_only:.1f} s; baseline {figures.baseline:.1f} s; migrate {figures.migrate:.1f} s",
            flush=True,
        )
    print(f"engine: {_engine()}; {_load_average()} at the end")

    def median(field: str) -> float:
        return statistics.median(getattr(item, field) for item in results)

    citizens, baseline = median("citizens"), median("baseline")
    print(f"median of {runs} run(s):")
    generation = median("generation_only")
    print(f"  total load            {median('total'):8.2f} s")
    print(f"  organisation          {median('organisation'):8.2f} s")
    print(f"  citizens              {citizens:8.2f} s  ({people / citizens:,.0f} per second)")
    print(f"  enterprises           {median('enterprises'):8.2f} s")
    print(f"  generation alone      {generation:8.2f} s  ({people / generation:,.0f} per second)")
    print(f"  baseline (bare table) {baseline:8.2f} s  ({people / baseline:,.0f} per second)")
    print(f"  ratio citizens / baseline: {citizens / baseline:.2f}")


if __name__ == "__main__":
    main()
