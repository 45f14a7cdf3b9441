"""The quality pass over a registry, against reading the same records without scoring them.

    .venv/bin/python -m bench.quality --rows 100000 [--database postgres://postgres@127.0.0.1:5432/yiwang_bench_quality]

Set-up (not timed): the population file of `bench.ingestion` (about 2 % bad rows) ingested by `ingest_file`.
Timed, three times each, alternating, medians reported: `quality_compute` of the resource (a full pass over its
records, opening every sealed token, then the scores written) and, as the baseline, the same records read in the
same chunks by raw SQL and nothing else. To compare two versions of the code, run it once, then in each checkout
with `--reuse --var-dir DIR` (the directory it printed: the keys that sealed the records are there).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.ingestion import _prepare, _setup, generate

REPEATS = 3
CHUNK = 5000  # as the quality pass reads


def _read_only(resource_id: int) -> int:
    """Read every record of the resource as the pass does (chunks in id order), decode nothing."""
    from django.db import connection

    seen = last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT id, key, data, protected, provenance FROM datahub_record "
                "WHERE resource_id = %s AND id > %s ORDER BY id LIMIT %s",
                [resource_id, last, CHUNK],
            )
            chunk = cursor.fetchall()
            if not chunk:
                return seen
            last = chunk[-1][0]
            seen += len(chunk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", help="postgres://… (dropped and created unless --reuse)")
    parser.add_argument("--var-dir", type=Path, help="where the keys (and the SQLite database) live; kept")
    parser.add_argument("--reuse", action="store_true", help="score the records of an earlier run (same --var-dir)")
    options = parser.parse_args()
    if options.reuse and options.var_dir is None:
        parser.error("--reuse needs the --var-dir of the run that made the records (their keys are there)")
    var_dir = options.var_dir or Path(tempfile.mkdtemp(prefix="yiwang-bench-quality-"))
    var_dir.mkdir(parents=True, exist_ok=True)
    _setup(options.database, var_dir)
    if options.reuse:
        import django

        django.setup()
    else:
        _prepare(options.database)
        path = var_dir / "population.csv"
        generate(path, options.rows)
        from yiwang.datahub.ingestion.pipeline import ingest_file
        from yiwang.org.selectors import department_get_by_name

        police = department_get_by_name(name="公安局")
        assert police is not None
        ingest_file(actor=None, resource_slug="population", source_department_id=police.id, path=path)
        path.unlink()
        print(f"records made; to score them again: --reuse --var-dir {var_dir}")
    from yiwang.datahub.catalog.selectors import resource_schema
    from yiwang.datahub.quality.services import quality_compute

    resource_id = resource_schema(slug="population").resource_id
    scoring: list[float] = []
    reading: list[float] = []
    records = 0
    for _repeat in range(REPEATS):
        started = time.perf_counter()
        quality_compute(resource_id=resource_id)
        scoring.append(time.perf_counter() - started)
        started = time.perf_counter()
        records = _read_only(resource_id)
        reading.append(time.perf_counter() - started)
    score, read = statistics.median(scoring), statistics.median(reading)
    print(f"records: {records:,}; database: {(options.database or 'sqlite').split(':', 1)[0]}")
    print(f"quality pass: median {score:.2f} s ({records / score:,.0f} records/s) of {[round(s, 2) for s in scoring]}")
    print(f"baseline (read the records only): median {read:.2f} s of {[round(s, 2) for s in reading]}")
    print(f"ratio quality pass / baseline: {score / read:.2f}")


if __name__ == "__main__":
    main()
