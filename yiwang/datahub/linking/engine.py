"""Entity resolution: link the records of one person (or enterprise) across departments' extracts.

Two passes. The exact pass clusters every record that carries a valid key (ID number checked as
`validate_id_number(strict=False)` does, credit code with its check character) by that key: two different valid
keys are two different people, whatever else they share. The probabilistic pass scores, with a Splink
(Fellegi-Sunter) model on DuckDB, each record whose key is missing or invalid against all records; its
parameters are estimated without labels (u by random sampling, m by EM on blocked pairs, the prior from the
exact pass). A keyless record joins the exact cluster it matches best when the match probability reaches the
threshold; keyless records that match each other are grouped, but no group ever joins two exact clusters.
Pairs whose probability falls in the review band, and second-best clusters above the threshold, are returned
for a person to decide.

The result is columnar (`LinkResult.members`, an Arrow table, one row per record) so that a million people
fit; `LinkResult.clusters()` walks it cluster by cluster.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker

from yiwang.datahub.linking.clustering import Components, Edge
from yiwang.datahub.linking.model import ENTITY_MODEL, PERSON_MODEL, LinkModel
from yiwang.datahub.linking.preparation import (
    SPLINK_ENTITY_COLUMNS,
    SPLINK_PERSON_COLUMNS,
    prepare_entities,
    prepare_persons,
)
from yiwang.datahub.linking.records import (
    EntityRecord,
    PersonRecord,
    entity_table,
    person_table,
)
from yiwang.datahub.linking.results import (
    MEMBER_SCHEMA,
    Cluster,
    ClusterMember,
    LinkResult,
    LinkStatistics,
    RecordRef,
    ReviewPair,
)

__all__ = [
    "DEFAULT_MATCH_THRESHOLD",
    "DEFAULT_REVIEW_BAND",
    "MEMBER_SCHEMA",
    "Cluster",
    "ClusterMember",
    "LinkResult",
    "LinkStatistics",
    "RecordRef",
    "ReviewPair",
    "link_entities",
    "link_persons",
]

DEFAULT_MATCH_THRESHOLD = 0.95
DEFAULT_REVIEW_BAND = (0.5, 0.95)
DUCKDB_MEMORY_LIMIT = "6GB"


def link_persons(
    records: pa.Table | Iterable[PersonRecord],
    *,
    match_threshold: float = DEFAULT_MATCH_THRESHOLD,
    review_band: tuple[float, float] = DEFAULT_REVIEW_BAND,
    workdir: Path | None = None,
    seed: int = 2026,
    threads: int = 2,
    probabilistic: bool = True,
) -> LinkResult:
    """Link person records: exact on a valid ID number, probabilistic (Splink) for the others."""
    table = records if isinstance(records, pa.Table) else person_table(records)
    return _Run(PERSON_MODEL, workdir=workdir, threads=threads).link(
        lambda run: prepare_persons(run.con, table),
        match_threshold=match_threshold,
        review_band=review_band,
        seed=seed,
        probabilistic=probabilistic,
    )


def link_entities(
    records: pa.Table | Iterable[EntityRecord],
    *,
    place_names: Sequence[str] = (),
    match_threshold: float = DEFAULT_MATCH_THRESHOLD,
    review_band: tuple[float, float] = DEFAULT_REVIEW_BAND,
    workdir: Path | None = None,
    seed: int = 2026,
    threads: int = 2,
    probabilistic: bool = True,
) -> LinkResult:
    """Link enterprise records: exact on a valid credit code, probabilistic on name, representative, address.

    `place_names` (the city's and districts' names, e.g. 明湖市, 明湖) are taken out of enterprise names before
    comparing, since departments write 明湖鑫华商贸有限公司, 明湖市鑫华商贸有限公司 and 鑫华商贸（明湖）有限公司.
    """
    table = records if isinstance(records, pa.Table) else entity_table(records)
    return _Run(ENTITY_MODEL, workdir=workdir, threads=threads).link(
        lambda run: prepare_entities(run.con, table, place_names),
        match_threshold=match_threshold,
        review_band=review_band,
        seed=seed,
        probabilistic=probabilistic,
    )


class _Run:
    """One linkage run: a DuckDB connection (on disk in `workdir` when given) and the steps' timings."""

    def __init__(self, model: LinkModel, *, workdir: Path | None, threads: int) -> None:
        self.model = model
        self.seconds: dict[str, float] = {}
        self.peak_bytes = 0
        self.scratch: Path | None = None
        if workdir is not None:
            workdir.mkdir(parents=True, exist_ok=True)
            self.scratch = Path(tempfile.mkdtemp(prefix="linking-", dir=workdir))
            self.con = duckdb.connect(str(self.scratch / "linking.duckdb"))
            spill = str(self.scratch / "spill").replace("'", "''")
            self.con.execute(f"SET temp_directory = '{spill}'")
            # Past this DuckDB spills to `workdir` instead of growing (a million people used about 1 GiB).
            self.con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
        else:
            self.con = duckdb.connect()
        self.con.execute(f"SET threads = {int(threads)}")
        self.con.execute("SET preserve_insertion_order = false")
        self.splink_columns = SPLINK_PERSON_COLUMNS if model.kind == "person" else SPLINK_ENTITY_COLUMNS

    def step(self, name: str, started: float) -> float:
        """Record how long a step took and DuckDB's memory at its end; return the time now."""
        now = time.perf_counter()
        self.seconds[name] = round(self.seconds.get(name, 0.0) + now - started, 3)
        in_use = self._scalar("SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory()")
        self.peak_bytes = max(self.peak_bytes, int(in_use))
        return now

    def link(
        self,
        prepare: Callable[[_Run], None],
        *,
        match_threshold: float,
        review_band: tuple[float, float],
        seed: int,
        probabilistic: bool,
    ) -> LinkResult:
        """Prepare, link exactly, then probabilistically; build the result; drop the scratch database."""
        low, high = review_band
        if not 0 < low <= high <= 1 or not 0 < match_threshold <= 1:
            raise ValueError("probabilities must lie in (0, 1] with review_band low ≤ high")
        try:
            started = time.perf_counter()
            prepare(self)
            started = self.step("normalise", started)
            counts = self.exact_pass()
            started = self.step("exact", started)
            review: list[ReviewPair] = []
            model: dict[str, Any] = {}
            pairs_compared = links = 0
            # One record, or no record without a valid key, leaves nothing for the model to score.
            scoring = probabilistic and counts["keyless"] > 0 and counts["records"] > 1
            if scoring:
                model, pairs_compared = self.probabilistic_pass(
                    counts["prior"], seed=seed, lowest=min(low, match_threshold)
                )
                started = time.perf_counter()
                links = self.assign(match_threshold)
                started = self.step("cluster", started)
            else:
                self.con.execute(
                    "CREATE TABLE assignment (record_key BIGINT, anchor_key VARCHAR, root BIGINT, "
                    "match_weight DOUBLE, match_probability DOUBLE, matched_record_key BIGINT)"
                )
            members = self.members()
            if scoring:
                review = self.review_pairs(match_threshold, review_band)
            started = self.step("output", started)
            statistics = LinkStatistics(
                records=counts["records"],
                keyed_records=counts["keyed"],
                keyless_records=counts["keyless"],
                exact_clusters=counts["exact_clusters"],
                pairs_compared=pairs_compared,
                probabilistic_links=links,
                clusters=int(self._scalar("SELECT count(DISTINCT cluster_id) FROM membership")),
                review_pairs=len(review),
                probability_two_random_records_match=counts["prior"],
                seconds=dict(self.seconds),
                duckdb_peak_bytes=self.peak_bytes,
            )
            return LinkResult(members=members, review=tuple(review), statistics=statistics, model=model)
        finally:
            self.con.close()
            if self.scratch is not None:
                shutil.rmtree(self.scratch, ignore_errors=True)

    def _scalar(self, sql: str) -> Any:
        # fetchall: DuckDB refuses further statements while a result is only partly fetched.
        rows = self.con.execute(sql).fetchall()
        return rows[0][0] if rows else None

    def _row(self, sql: str) -> tuple[Any, ...]:
        rows = self.con.execute(sql).fetchall()
        return tuple(rows[0])

    def exact_pass(self) -> dict[str, Any]:
        """Count records with and without a valid key, and measure the prior from the exact clusters."""
        row = self._row(
            """
            SELECT count(*), count(key), count(DISTINCT key),
                (SELECT coalesce(sum(size * (size - 1) / 2), 0)
                 FROM (SELECT count(*) AS size FROM records WHERE key IS NOT NULL GROUP BY key))
            FROM records
            """
        )
        records, keyed, exact_clusters, keyed_pairs = (int(value) for value in row)
        # Matching pairs among keyed records, scaled to all records (keyless ones are assumed to be like
        # them), over all pairs: the chance that two records drawn at random are the same person.
        all_pairs = max(records * (records - 1) / 2, 1.0)
        expected = keyed_pairs * (records / keyed) ** 2 if keyed else 0.0
        # At least one pair in all; at most even odds, which only a handful of records can reach.
        prior = min(max(expected / all_pairs, 1.0 / all_pairs), 0.5)
        return {
            "records": records,
            "keyed": keyed,
            "keyless": records - keyed,
            "exact_clusters": exact_clusters,
            "prior": prior,
        }

    def probabilistic_pass(self, prior: float, *, seed: int, lowest: float) -> tuple[dict[str, Any], int]:
        """Train the model without labels and score keyless records against all records."""
        started = time.perf_counter()
        columns = self.splink_columns
        self.con.execute(f"CREATE TABLE splink_all AS SELECT {columns} FROM records")  # noqa: S608
        self.con.execute(f"CREATE TABLE splink_keyless AS SELECT {columns} FROM records WHERE key IS NULL")  # noqa: S608
        self.con.execute(f"CREATE TABLE splink_keyed AS SELECT {columns} FROM records WHERE key IS NOT NULL")  # noqa: S608
        db_api = DuckDBAPI(connection=self.con)
        everyone = db_api.register("splink_all", table_name="everyone")
        keyless = db_api.register("splink_keyless", table_name="keyless")
        keyed = db_api.register("splink_keyed", table_name="keyed")
        linker = Linker(everyone, self.model.settings(prior), log_level=None)
        records = int(self._scalar("SELECT count(*) FROM splink_all"))
        # u from random pairs: about two per record, at least enough for a small run to see rare agreements and
        # at most what keeps a million people's training under half a minute.
        pairs = min(max(records * 2.0, 3e5), 3e6)
        linker.training.estimate_u_using_random_sampling(
            max_pairs=pairs, seed=seed, num_chunks=1, min_count_per_level=None
        )
        for rule in self.model.training_rules:
            # A small or unusual extract (no two records share an identifier) gives a rule too few pairs to
            # learn from; Splink's default m probabilities then stand in. (Splink raises on an empty rule and
            # leaves its settings half-changed, so the pairs are counted first.)
            condition = rule.get_blocking_rule("duckdb").blocking_rule_sql
            found = self._scalar(
                f"""SELECT count(*) FROM (SELECT 1 FROM splink_all AS l JOIN splink_all AS r
                ON ({condition}) AND l.record_key < r.record_key LIMIT {MINIMUM_TRAINING_PAIRS})"""  # noqa: S608
            )
            if found >= MINIMUM_TRAINING_PAIRS:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    rule, max_pairs=2e6, estimate_without_term_frequencies=True
                )
        model = _with_floor(linker.misc.save_model_to_json())
        # Score with the model as saved: the same JSON would be loaded on Spark for a province.
        linker = Linker(everyone, model, log_level=None)
        for column in self.model.term_frequency_columns:
            linker.table_management.compute_tf_table(column)
        started = self.step("train", started)

        between = linker.inference.predict_between(
            keyless, keyed, threshold_match_probability=lowest, warning_mode="never"
        )
        within = linker.inference.predict_within(keyless, threshold_match_probability=lowest, warning_mode="never")
        gammas = ", ".join(f"gamma_{name}" for name in self.model.level_labels)
        self.con.execute(
            f"""
            CREATE TABLE predictions AS
            SELECT least(record_key_l, record_key_r) AS left_key, greatest(record_key_l, record_key_r) AS right_key,
                match_weight, match_probability, {gammas}
            FROM {between.physical_name}
            UNION ALL
            SELECT least(record_key_l, record_key_r), greatest(record_key_l, record_key_r),
                match_weight, match_probability, {gammas}
            FROM {within.physical_name}
            """  # noqa: S608 (Splink's own table names)
        )
        pairs_compared = self.count_candidate_pairs()
        self.step("predict", started)
        return model, pairs_compared

    def count_candidate_pairs(self) -> int:
        """How many pairs the blocking rules produced (each pair once), keyless × keyed plus keyless × keyless."""
        # Splink filters by the threshold before it writes predictions, so the pairs it scored are counted here.
        conditions = [rule.get_blocking_rule("duckdb").blocking_rule_sql for rule in self.model.prediction_rules]
        total = 0
        for index, condition in enumerate(conditions):
            earlier = "".join(f" AND NOT coalesce(({previous}), false)" for previous in conditions[:index])
            total += int(
                self._scalar(
                    f"""SELECT count(*) FROM splink_keyless AS l JOIN splink_keyed AS r ON ({condition}){earlier}"""  # noqa: S608
                )
            )
            total += int(
                self._scalar(
                    f"""SELECT count(*) FROM splink_keyless AS l JOIN splink_keyless AS r
                    ON ({condition}) AND l.record_key < r.record_key{earlier}"""  # noqa: S608
                )
            )
        return total

    def assign(self, match_threshold: float) -> int:
        """Attach keyless records to exact clusters and to each other; return how many were linked."""
        # For each keyless record and each exact cluster it was compared with, the best-scoring member.
        self.con.execute(
            """
            CREATE TABLE candidates AS
            WITH oriented AS (
                SELECT CASE WHEN a.key IS NULL THEN p.left_key ELSE p.right_key END AS keyless_key,
                    CASE WHEN a.key IS NULL THEN p.right_key ELSE p.left_key END AS other_key,
                    p.match_weight, p.match_probability
                FROM predictions AS p
                JOIN records AS a ON a.record_key = p.left_key
                JOIN records AS b ON b.record_key = p.right_key
                WHERE (a.key IS NULL) <> (b.key IS NULL)
            )
            SELECT o.keyless_key, r.key AS cluster_key,
                arg_max(o.other_key, o.match_weight) AS other_key,
                max(o.match_weight) AS match_weight, max(o.match_probability) AS match_probability
            FROM oriented AS o JOIN records AS r ON r.record_key = o.other_key
            GROUP BY o.keyless_key, r.key
            """
        )
        self.con.execute(
            """
            CREATE TABLE ranked_candidates AS
            SELECT *, row_number() OVER (
                PARTITION BY keyless_key ORDER BY match_weight DESC, cluster_key
            ) AS rank
            FROM candidates
            """
        )
        to_clusters = self.con.execute(
            "SELECT keyless_key, cluster_key, other_key, match_weight, match_probability FROM ranked_candidates "
            "WHERE rank = 1 AND match_probability >= ? ORDER BY keyless_key",
            [match_threshold],
        ).fetchall()
        between_keyless = self.con.execute(
            """
            SELECT p.left_key, p.right_key, p.match_weight, p.match_probability
            FROM predictions AS p
            JOIN records AS a ON a.record_key = p.left_key
            JOIN records AS b ON b.record_key = p.right_key
            WHERE a.key IS NULL AND b.key IS NULL AND p.match_probability >= ?
            ORDER BY p.left_key, p.right_key
            """,
            [match_threshold],
        ).fetchall()
        components = Components()
        edges: list[Edge] = []
        for keyless_key, cluster_key, other_key, weight, probability in to_clusters:
            edges.append(Edge(weight, probability, keyless_key, components.anchor(cluster_key), other_key, None))
        for left_key, right_key, weight, probability in between_keyless:
            edges.append(Edge(weight, probability, left_key, right_key, right_key, left_key))
        # Strongest links first; a union that would put two exact clusters together is refused.
        edges.sort(key=lambda edge: (-edge.weight, edge.left, edge.right))
        best: dict[int, tuple[float, float, int]] = {}
        for edge in edges:
            if not components.union(edge.left, edge.right):
                continue
            for node, matched in ((edge.left, edge.matched_for_left), (edge.right, edge.matched_for_right)):
                if matched is not None and node not in best:
                    best[node] = (edge.weight, edge.probability, matched)
        rows = [
            (node, components.key_of(node), components.find(node), weight, probability, matched)
            for node, (weight, probability, matched) in best.items()
        ]
        rows.sort()
        assignment = pa.table(
            {
                "record_key": pa.array([row[0] for row in rows], pa.int64()),
                "anchor_key": pa.array([row[1] for row in rows], pa.string()),
                "root": pa.array([row[2] for row in rows], pa.int64()),
                "match_weight": pa.array([row[3] for row in rows], pa.float64()),
                "match_probability": pa.array([row[4] for row in rows], pa.float64()),
                "matched_record_key": pa.array([row[5] for row in rows], pa.int64()),
            }
        )
        self.con.register("assignment_input", assignment)
        self.con.execute("CREATE TABLE assignment AS SELECT * FROM assignment_input")
        self.con.unregister("assignment_input")
        return len(rows)

    def members(self) -> pa.Table:
        """One row per record with its cluster: exact clusters, keyless records attached or grouped, the rest."""
        self.con.execute(
            """
            CREATE TABLE membership AS
            WITH grouped AS (
                SELECT r.record_key, r.source, r.record_id,
                    coalesce(r.key, a.anchor_key) AS key,
                    CASE WHEN coalesce(r.key, a.anchor_key) IS NOT NULL THEN 'k' || coalesce(r.key, a.anchor_key)
                        ELSE 'r' || CAST(coalesce(a.root, r.record_key) AS VARCHAR) END AS group_id,
                    CASE WHEN r.key IS NOT NULL THEN 'exact'
                        WHEN a.record_key IS NOT NULL THEN 'probabilistic' ELSE 'unlinked' END AS method,
                    a.match_weight, a.match_probability, m.source AS matched_source, m.record_id AS matched_record_id
                FROM records AS r
                LEFT JOIN assignment AS a ON a.record_key = r.record_key
                LEFT JOIN records AS m ON m.record_key = a.matched_record_key
            ),
            firsts AS (
                SELECT group_id, min(source || chr(1) || record_id) AS first_member FROM grouped GROUP BY group_id
            ),
            numbered AS (
                SELECT group_id, CAST(row_number() OVER (ORDER BY first_member) - 1 AS BIGINT) AS cluster_id
                FROM firsts
            )
            SELECT n.cluster_id, g.*
            FROM grouped AS g JOIN numbered AS n USING (group_id)
            """
        )
        names = ", ".join(field.name for field in MEMBER_SCHEMA)
        table = self.con.sql(
            f"SELECT {names} FROM membership ORDER BY cluster_id, source, record_id"  # noqa: S608
        ).to_arrow_table()
        return table.cast(MEMBER_SCHEMA)

    def review_pairs(self, match_threshold: float, review_band: tuple[float, float]) -> list[ReviewPair]:
        """Pairs in the review band, and runner-up clusters above the threshold, with their comparison levels."""
        low, high = review_band
        gammas = list(self.model.level_labels)
        gamma_columns = ", ".join(f"p.gamma_{name}" for name in gammas)
        rows = self.con.execute(
            f"""
            WITH chosen AS (
                SELECT c.keyless_key AS left_key, c.other_key AS right_key,
                    CASE WHEN c.rank > 1 AND c.match_probability >= $threshold THEN 'second_candidate'
                        ELSE 'uncertain' END AS reason
                FROM ranked_candidates AS c
                WHERE (c.match_probability >= $low AND c.match_probability < $high)
                    OR (c.rank > 1 AND c.match_probability >= $threshold)
                UNION ALL
                SELECT p.left_key, p.right_key, 'uncertain'
                FROM predictions AS p
                JOIN records AS a ON a.record_key = p.left_key
                JOIN records AS b ON b.record_key = p.right_key
                WHERE a.key IS NULL AND b.key IS NULL
                    AND p.match_probability >= $low AND p.match_probability < $high
            )
            SELECT a.source, a.record_id, b.source, b.record_id, p.match_weight, p.match_probability, c.reason,
                ma.cluster_id, mb.cluster_id, {gamma_columns}
            FROM chosen AS c
            JOIN predictions AS p
                ON p.left_key = least(c.left_key, c.right_key) AND p.right_key = greatest(c.left_key, c.right_key)
            JOIN records AS a ON a.record_key = c.left_key
            JOIN records AS b ON b.record_key = c.right_key
            JOIN membership AS ma ON ma.record_key = c.left_key
            JOIN membership AS mb ON mb.record_key = c.right_key
            WHERE ma.cluster_id <> mb.cluster_id
            ORDER BY p.match_probability DESC, a.source, a.record_id, b.source, b.record_id
            """,  # noqa: S608 (column names from our model)
            {"threshold": match_threshold, "low": low, "high": high},
        ).fetchall()
        pairs = []
        for row in rows:
            levels = {}
            for name, gamma in zip(gammas, row[9:], strict=True):
                labels = self.model.level_labels[name]
                levels[name] = "missing" if gamma < 0 else labels[len(labels) - 1 - gamma]
            pairs.append(
                ReviewPair(
                    left=RecordRef(row[0], row[1]),
                    right=RecordRef(row[2], row[3]),
                    match_weight=float(row[4]),
                    match_probability=float(row[5]),
                    reason=row[6],
                    left_cluster_id=int(row[7]),
                    right_cluster_id=int(row[8]),
                    comparison=levels,
                )
            )
        return pairs


# Fewer blocked pairs than this and EM is not worth running on a training rule.
MINIMUM_TRAINING_PAIRS = 50
# A level EM never saw among matches (a wrong sex in clean test data) would otherwise forbid a match outright.
M_PROBABILITY_FLOOR = 0.001


def _with_floor(model: dict[str, Any]) -> dict[str, Any]:
    """The trained model with every trained m probability at least `M_PROBABILITY_FLOOR`."""
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            m_probability = level.get("m_probability")
            if isinstance(m_probability, float | int) and m_probability < M_PROBABILITY_FLOOR:
                level["m_probability"] = M_PROBABILITY_FLOOR
    return model
