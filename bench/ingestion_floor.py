"""The floor under any population ingestion on this machine: what the registry's own write and sealing cost.

    .venv/bin/python -m bench.ingestion_floor \\
        --database postgres://postgres@127.0.0.1:5432/yiwang_floor [--rows 1000000] [--runs 3]

Issue 3 asks for 100,000 rows/s end to end on PostgreSQL. `bench.ingestion` measures the pipeline; this
measures the work no pipeline can leave out, each part alone and with nothing else running, on the same
generated GBK file (`bench.ingestion.generate`, about 2 % bad rows, all kept here) and the migrated schema:

- **read**: decode the GBK file and split it into rows (`csv`, C), the CPU time of this process;
- **seal**: per row, what the registry stores instead of the plaintext — the key's blind index (HMAC-SM3),
  one SM4-GCM token of the sensitive values bound to resource and key, the plain values and the provenance
  as JSON (the real `RecordKeys`, `RecordCipher` and the stager's JSON) — and the line of `COPY` text;
- **write**: `COPY` of those finished lines straight into `datahub_record` (its unique key and order
  indexes, `jsonb` values, write-ahead log) in one transaction, with no staging table: the wall time, the
  CPU time of the PostgreSQL backend (read from /proc, so the server must run on this machine) and of this
  process; and the same into a table like it whose values are `text` instead of `jsonb`, to show what
  the storage design could still give.

No row is checked, no existing key is merged, no error report or quality score is made: a real pipeline
spends more. The bound printed is the best any pipeline could do on this machine if every one of its cores
were kept busy by these parts alone: rows/s ≤ cores ÷ (CPU seconds per row of read + seal + write).

Baseline, same run (as in `bench.ingestion`): the same file decoded and loaded unchecked into a bare table
of nine text columns by `COPY`. Each run does every part once; medians over the runs are printed.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench.ingestion import _prepare, _setup, baseline, generate

CHUNK = 50_000


def _copy_text(value: str) -> str:
    """A value as COPY's text format needs it (JSON, hex and base64url seldom hold anything to escape)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _backend_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) a PostgreSQL backend on this machine has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def read_and_seal(path: Path, staged: Path) -> tuple[int, float, float]:
    """Read the file, seal every row into COPY lines in `staged`; return rows and CPU seconds of each part."""
    from django.utils import timezone

    from yiwang.datahub.catalog.selectors import resource_schema
    from yiwang.datahub.ingestion.loader import _json
    from yiwang.datahub.registry.records import RecordCipher, RecordKeys

    schema = resource_schema(slug="population")
    by_name = {element.name: element for element in schema.elements}
    keys = RecordKeys(schema)
    cipher = RecordCipher(schema.resource_id)
    provenance = _json({element.code: [schema.source_department_id or 0, 1] for element in schema.elements})
    now = timezone.now().isoformat()
    prefix = f"{schema.resource_id}\t"
    rows = 0
    read_cpu = seal_cpu = 0.0
    with path.open(encoding="gb18030", newline="") as handle, staged.open("w", encoding="utf-8") as out:
        reader = csv.reader(handle)
        header = next(reader)
        codes = [by_name[name].code for name in header]
        secret_at = [index for index, name in enumerate(header) if by_name[name].sensitive]
        plain_at = [index for index, name in enumerate(header) if not by_name[name].sensitive]
        while True:
            started = time.process_time()
            chunk = [row for _, row in zip(range(CHUNK), reader, strict=False)]
            read_cpu += time.process_time() - started
            if not chunk:
                break
            started = time.process_time()
            lines = []
            for row in chunk:
                values = dict(zip(codes, row, strict=True))
                key = keys.key(values)
                plain = _json({codes[index]: row[index] for index in plain_at if row[index]})
                token = cipher.seal(key, {codes[index]: row[index] for index in secret_at if row[index]})
                lines.append(
                    prefix
                    + "\t".join(_copy_text(part) for part in (key, plain, token, provenance))
                    + f"\t{now}\t{now}\n"
                )
            out.writelines(lines)
            seal_cpu += time.process_time() - started
            rows += len(chunk)
    return rows, read_cpu, seal_cpu


def write(staged: Path, table: str) -> tuple[float, float | None, float]:
    """COPY the sealed lines into `table` in one transaction; wall, backend CPU and client CPU seconds."""
    from django.db import connection, transaction

    columns = "resource_id, key, data, protected, provenance, created_at, updated_at"
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} CASCADE")
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    backend_before = _backend_cpu(pid)
    client_before = time.process_time()
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        staged.open("rb") as lines,
    ):
        while block := lines.read(1 << 20):
            copy.write(block)
    wall = time.perf_counter() - started
    client = time.process_time() - client_before
    backend_after = _backend_cpu(pid)
    backend = None if backend_before is None or backend_after is None else backend_after - backend_before
    return wall, backend, client


def _lean_table() -> None:
    """A table like the registry's, its values `text` rather than `jsonb`, with the same indexes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_lean_record")
        cursor.execute(
            "CREATE TABLE bench_lean_record"
            " (LIKE datahub_record INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING INDEXES)"
        )
        cursor.execute("ALTER TABLE bench_lean_record ALTER COLUMN data TYPE text, ALTER COLUMN provenance TYPE text")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--database", required=True, help="postgres://… on this machine (a database of that name is dropped)"
    )
    options = parser.parse_args()
    if not options.database.startswith("postgres"):
        parser.error("--database must be PostgreSQL: the floor is the one the issue's target is set on")
    var_dir = Path(tempfile.mkdtemp(prefix="yiwang-bench-floor-"))
    try:
        url = _setup(options.database, var_dir)
        _prepare(options.database)
        _lean_table()
        path, staged = var_dir / "population.csv", var_dir / "sealed.copy"
        bad = generate(path, options.rows)
        print(f"generated {options.rows:,} rows ({bad:,} bad, all kept here), {path.stat().st_size / 1e6:.0f} MB")
        figures: dict[str, list[float]] = {}

        def keep(name: str, value: float | None) -> None:
            if value is not None:
                figures.setdefault(name, []).append(value)

        for run in range(1, options.runs + 1):
            rows, read_cpu, seal_cpu = read_and_seal(path, staged)
            keep("read", read_cpu)
            keep("seal", seal_cpu)
            for table, label in (("datahub_record", "write"), ("bench_lean_record", "lean")):
                wall, backend, client = write(staged, table)
                keep(f"{label} wall", wall)
                keep(f"{label} backend", backend)
                keep(f"{label} client", client)
            keep("baseline", baseline(path, url))
            print(
                f"run {run}: read {read_cpu:.1f} s, seal {seal_cpu:.1f} s (CPU); "
                f"write {figures['write wall'][-1]:.1f} s, text-valued table {figures['lean wall'][-1]:.1f} s, "
                f"baseline {figures['baseline'][-1]:.1f} s (wall)"
            )
        median = {name: statistics.median(values) for name, values in figures.items()}
        cores = os.cpu_count() or 1
        micro = 1e6 / rows
        print(f"\nmedians of {options.runs} runs, {rows:,} rows, {cores} cores")
        print(f"read (decode + split), CPU: {median['read'] * micro:.1f} µs/row")
        print(f"seal (blind index, SM4 token, JSON, COPY line), CPU: {median['seal'] * micro:.1f} µs/row")
        print(
            f"baseline (decode + bare COPY), wall: {median['baseline']:.1f} s = {rows / median['baseline']:,.0f} rows/s"
        )
        if "write backend" not in median:
            print("the PostgreSQL backend's CPU time cannot be read here: run the server on this machine")
            return
        for label, title in (("write", "datahub_record"), ("lean", "the same with text values")):
            wall, backend, client = median[f"{label} wall"], median[f"{label} backend"], median[f"{label} client"]
            floor = median["read"] + median["seal"] + backend + client
            bound = cores / floor * rows
            print(
                f"write into {title}: {wall:.1f} s wall = {rows / wall:,.0f} rows/s; CPU backend "
                f"{backend * micro:.1f} µs/row, client {client * micro:.1f} µs/row; "
                f"ratio to the baseline (time) {wall / median['baseline']:.2f}"
            )
            print(
                f"  floor read + seal + write: {floor * micro:.1f} CPU µs/row -> at most {bound:,.0f} rows/s "
                f"on {cores} cores kept fully busy ({bound / 100_000:.2f} of the 100,000 rows/s target)"
            )
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
