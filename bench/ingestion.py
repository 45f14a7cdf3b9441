"""Ingesting a department's population file end to end, against loading the same rows unchecked.

    .venv/bin/python -m bench.ingestion --rows 1000000 [--database postgres://postgres@127.0.0.1:5432/yiwang_bench]

The file: a GBK CSV of N population rows (the registry's Chinese headers) of which about 2% are bad (a wrong
check character, an impossible birth date, a missing name, a sex that contradicts the ID number), generated
into a temporary directory before timing. Timed: `ingest_file` — read and decode, check every row, stage,
merge into the registry with provenance, write the error report — then the quality scores of the resource.
Memory: the peak resident size of a separate process that only ingests and scores (so the generator's memory
does not count).

Baseline, same run, same database: the same rows, decoded from the same file and loaded without any check
into a bare table of text columns with the engine's fastest bulk path (PostgreSQL `COPY`, SQLite
`executemany`), in one transaction.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = ["公民身份号码", "姓名", "性别", "出生日期", "民族", "户籍地址", "现住址", "联系电话", "所属区划"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧建国平刚桂英玉兰红霞志强文斌辉波宁"
DISTRICTS = ("419802", "419803", "419804", "419805")


def _setup(database: str | None, var_dir: Path) -> str:
    os.environ["DJANGO_SETTINGS_MODULE"] = "yiwang.config.settings"
    os.environ["YIWANG_VAR_DIR"] = str(var_dir)
    os.environ["YIWANG_DATABASE_POOL"] = "0"
    url = database or f"sqlite:///{var_dir / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    return url


def _prepare(database: str | None, *, sealing: bool = True) -> None:
    """Create the database with the demo city's organisation and the published registries (no people).

    Without sealing, the published population registry marks no element sensitive: no SM4 token, no blind
    index for the key — the same rows and code, to measure what protecting the sensitive elements costs.
    """
    import django

    from yiwang.config.secrets import ensure_development_secrets

    ensure_development_secrets(Path(os.environ["YIWANG_VAR_DIR"]))
    if database and database.startswith("postgres"):
        import psycopg

        base, _sep, name = database.rpartition("/")
        with psycopg.connect(base + "/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    django.setup()
    from django.core.management import call_command

    from yiwang.datahub.catalog.services import registries_ensure
    from yiwang.demo.city import city_plan
    from yiwang.org import services as org_services

    call_command("migrate", verbosity=0)
    plan = city_plan()
    org_services.division_bulk_create(actor=None, rows=list(plan.divisions))
    for department in plan.departments:
        if department.name in {"公安局", "民政局"}:
            org_services.department_create(
                actor=None,
                name=department.name,
                credit_code=department.credit_code,
                kind=department.kind,
                division_code=department.division_code,
            )
    registries_ensure()
    if not sealing:
        from yiwang.datahub.models import ResourceVersion

        version = ResourceVersion.objects.get(resource__slug="population")
        for element in version.snapshot["elements"]:
            element["sensitive"] = element["lookup"] = False
        version.save(update_fields=["snapshot"])


def generate(path: Path, rows: int, *, seed: int = 2026, bad_share: float = 0.02) -> int:
    """Write the GBK population file; return how many rows were made bad on purpose."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from yiwang.core.identifiers import compose_id_number

    chooser = random.Random(seed)
    bad = 0
    start = datetime.date(1940, 1, 1)
    with path.open("w", encoding="gbk", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for index in range(rows):
            born = start + datetime.timedelta(days=index // 1000 % 24000)
            # Birth date × order code repeat every 24 million rows: the next 24 million go to the next district,
            # so that every key is unique up to 96 million rows (and the first 24 million are as before).
            area = DISTRICTS[(index + index // 24_000_000) % 4]
            number = compose_id_number(area, born, index % 1000)
            sex = "男" if index % 1000 % 2 else "女"
            name = chooser.choice(SURNAMES) + chooser.choice(GIVEN) + (chooser.choice(GIVEN) if index % 3 else "")
            birth = born.isoformat()
            if chooser.random() < bad_share:
                bad += 1
                kind = index % 4
                if kind == 0:
                    number = number[:17] + ("0" if number[17] != "0" else "1")
                elif kind == 1:
                    birth = f"{born.year}-02-30"
                elif kind == 2:
                    name = ""
                else:
                    sex = "女" if sex == "男" else "男"
            address = f"明湖市清河区滨河路{index % 300 + 1}号"
            writer.writerow(
                [number, name, sex, birth, "汉族", address, "", f"13{index % 1000000000:09d}", f"{area}001001"]
            )
    return bad


def ingest_child(path: str) -> None:
    """Run in a separate process: ingest the file and print the figures as JSON."""
    import django

    django.setup()
    from yiwang.datahub.ingestion.pipeline import ingest_file
    from yiwang.org.selectors import department_get_by_name

    police = department_get_by_name(name="公安局")
    assert police is not None
    started = time.perf_counter()
    result = ingest_file(actor=None, resource_slug="population", source_department_id=police.id, path=Path(path))
    ingest_seconds = time.perf_counter() - started
    from yiwang.datahub.catalog.selectors import resource_schema
    from yiwang.datahub.quality.services import quality_compute

    started = time.perf_counter()
    quality_compute(resource_id=resource_schema(slug="population").resource_id, batch_id=result.batch)
    quality_seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                **result.as_json(),
                "seconds": ingest_seconds,
                "quality_seconds": quality_seconds,
                "phases": result.phases,
                "peak_mib": peak_kib / 1024,
            }
        )
    )


def baseline(path: Path, url: str) -> float:
    """Seconds to decode the same file and bulk-load it unchecked into a bare table."""
    started = time.perf_counter()
    with path.open(encoding="gb18030", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        if url.startswith("postgres"):
            import psycopg

            with psycopg.connect(url.replace("postgres://", "postgresql://")) as connection:
                connection.execute(
                    "CREATE TABLE IF NOT EXISTS bench_plain (" + ", ".join(f"c{i} text" for i in range(9)) + ")"
                )
                with connection.cursor() as cursor, cursor.copy("COPY bench_plain FROM STDIN") as copy:
                    for row in reader:
                        copy.write_row(row)
        else:
            import sqlite3

            lite = sqlite3.connect(url.removeprefix("sqlite:///"))
            lite.execute("CREATE TABLE IF NOT EXISTS bench_plain (" + ", ".join(f"c{i} text" for i in range(9)) + ")")
            with lite:
                lite.executemany("INSERT INTO bench_plain VALUES (?,?,?,?,?,?,?,?,?)", reader)
            lite.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", help="postgres://… (a database of that name is dropped and created)")
    parser.add_argument(
        "--without-sealing", action="store_true", help="mark no element sensitive (to measure what SM4 costs)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated file and SQLite database")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        ingest_child(options.child)
        return
    var_dir = Path(tempfile.mkdtemp(prefix="yiwang-bench-ingest-"))
    url = _setup(options.database, var_dir)
    _prepare(options.database, sealing=not options.without_sealing)
    path = var_dir / "population.csv"
    started = time.perf_counter()
    bad = generate(path, options.rows)
    elapsed = time.perf_counter() - started
    print(f"generated {options.rows:,} rows ({bad:,} bad) in {elapsed:.1f} s, {path.stat().st_size / 1e6:.0f} MB")
    child = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.ingestion", "--child", str(path)],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    plain = baseline(path, url)
    rate = figures["rows"] / figures["seconds"]
    print(f"database: {url.split(':', 1)[0]}{' (no element sealed)' if options.without_sealing else ''}")
    print(
        f"ingest_file: {figures['seconds']:.1f} s = {rate:,.0f} rows/s; "
        f"accepted {figures['accepted']:,}, rejected {figures['rejected']:,}"
    )
    phases = ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in figures["phases"].items())
    print(f"  phases: {phases}")
    total = figures["seconds"] + figures["quality_seconds"]
    print(f"quality scores: {figures['quality_seconds']:.1f} s; end to end {figures['rows'] / total:,.0f} rows/s")
    print(f"peak resident memory of the ingesting process: {figures['peak_mib']:.0f} MiB")
    print(f"baseline (decode + unchecked bulk load): {plain:.1f} s = {options.rows / plain:,.0f} rows/s")
    print(f"ratio ingest_file / baseline (time): {figures['seconds'] / plain:.2f}")
    print(f"ratio end to end / baseline (time): {total / plain:.2f}")
    if options.keep:
        print(f"kept {var_dir}")
    else:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
