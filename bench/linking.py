"""Entity resolution: one city's people in three departments' extracts, linked, timed and scored.

    .venv/bin/python -m bench.linking [--people 100000] [--seed 2026] [--workdir /tmp] [--entities 0]

Generates `--people` people as 公安局, 民政局 and 人力资源和社会保障局 hold them (about 2.8 records per person, with
missing and corrupted ID numbers, traditional characters, homophones, address variants, stale phones, twins
and namesakes), links them with `link_persons` and scores the clusters against the generator's truth
(pairwise precision and recall). Baseline, measured in the same run: the exact pass alone (records clustered
by valid ID number, every other record left on its own) — its time, and the recall the probabilistic pass adds.
Peak memory is the process's maximum resident set (generator, Arrow tables and DuckDB together) and DuckDB's
own largest reported use at the end of a step. `--entities N` also links N enterprises.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import tempfile
import time
from pathlib import Path


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.config.test_settings")
    import django

    django.setup()
    # Splink reports each training step at INFO; the benchmark prints its own summary.
    logging.getLogger("splink").setLevel(logging.WARNING)


def _mib(value: float) -> str:
    return f"{value / 2**20:,.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--entities", type=int, default=0)
    options = parser.parse_args()
    _setup()
    from yiwang.datahub.linking.engine import link_entities, link_persons
    from yiwang.datahub.linking.evaluate import evaluate, recall_by_variant
    from yiwang.datahub.linking.generator import entity_sources_table, person_sources_table

    print(f"people {options.people:,}, seed {options.seed}, threads {options.threads}, load {os.getloadavg()}")
    started = time.perf_counter()
    people = person_sources_table(seed=options.seed, people=options.people)
    generation = time.perf_counter() - started
    print(f"generated {people.num_rows:,} records in {generation:.1f} s")

    started = time.perf_counter()
    exact_only = link_persons(people, workdir=options.workdir, threads=options.threads, probabilistic=False)
    baseline_seconds = time.perf_counter() - started
    baseline = evaluate(exact_only, people)

    started = time.perf_counter()
    result = link_persons(people, workdir=options.workdir, threads=options.threads, seed=options.seed)
    seconds = time.perf_counter() - started
    quality = evaluate(result, people)
    statistics = result.statistics
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    print()
    print("| run | time | precision | recall | clusters |")
    print("|---|---|---|---|---|")
    print(
        f"| exact pass only (baseline) | {baseline_seconds:.1f} s | {baseline.precision:.5f} | "
        f"{baseline.recall:.5f} | {exact_only.statistics.clusters:,} |"
    )
    print(
        f"| exact + probabilistic | {seconds:.1f} s | {quality.precision:.5f} | {quality.recall:.5f} | "
        f"{statistics.clusters:,} |"
    )
    print()
    steps = ", ".join(f"{step} {value:.1f} s" for step, value in statistics.seconds.items())
    print(f"steps: {steps}")
    print(
        f"records {statistics.records:,}: {statistics.keyed_records:,} with a valid ID number in "
        f"{statistics.exact_clusters:,} exact clusters, {statistics.keyless_records:,} without; "
        f"{statistics.pairs_compared:,} pairs compared, {statistics.probabilistic_links:,} records linked "
        f"probabilistically, {statistics.review_pairs:,} pairs for review; "
        f"prior {statistics.probability_two_random_records_match:.3g}"
    )
    print(
        f"pairs: {quality.predicted_pairs:,} claimed, {quality.true_pairs:,} true, {quality.correct_pairs:,} both; "
        f"baseline finds {baseline.correct_pairs:,}"
    )
    print(f"peak memory: process {_mib(peak_rss)}, DuckDB {_mib(statistics.duckdb_peak_bytes)}")
    print(
        f"ratio to baseline: time {seconds / baseline_seconds:.1f}x, "
        f"recall {baseline.recall:.4f} -> {quality.recall:.4f}, end to end with generation "
        f"{generation + seconds:.0f} s"
    )
    weakest = sorted(recall_by_variant(result, people).items(), key=lambda item: item[1].recall)[:6]
    print("lowest recall by variant: " + ", ".join(f"{tag} {value.recall:.4f}" for tag, value in weakest))

    if options.entities:
        entities = entity_sources_table(seed=options.seed, entities=options.entities)
        started = time.perf_counter()
        linked = link_entities(entities, place_names=["明湖市", "明湖"], workdir=options.workdir, seed=options.seed)
        entity_seconds = time.perf_counter() - started
        entity_quality = evaluate(linked, entities)
        print(
            f"entities {options.entities:,} ({entities.num_rows:,} records): {entity_seconds:.1f} s, "
            f"precision {entity_quality.precision:.5f}, recall {entity_quality.recall:.5f}"
        )


if __name__ == "__main__":
    main()
