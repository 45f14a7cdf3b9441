"""Pairwise precision and recall of a linkage against the generator's truth, counted in DuckDB.

A predicted cluster of n records claims n(n-1)/2 pairs; the truth has n(n-1)/2 pairs per person. Counting
cluster sizes, truth-group sizes and the sizes of their intersections gives all three numbers without ever
listing a pair, so a million people evaluate in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from yiwang.datahub.linking.results import LinkResult


@dataclass(frozen=True)
class Quality:
    """Pairwise quality: pairs claimed, true pairs, pairs both claimed and true."""

    predicted_pairs: int
    true_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        """Share of claimed pairs that are true (1.0 when nothing is claimed)."""
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        """Share of true pairs that are claimed (1.0 when there is nothing to find)."""
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def evaluate(result: LinkResult, truth: pa.Table) -> Quality:
    """Precision and recall of `result` against `truth` (columns source, record_id, truth_id)."""
    return _quality(result.members.select(["source", "record_id", "cluster_id"]), truth)


def _quality(members: pa.Table, truth: pa.Table) -> Quality:
    con = duckdb.connect()
    try:
        con.register("members", members)
        con.register("truth", truth.select(["source", "record_id", "truth_id"]))
        row = con.execute(
            """
            WITH joined AS (
                SELECT m.cluster_id, t.truth_id FROM members AS m JOIN truth AS t USING (source, record_id)
            )
            SELECT
                (SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM (SELECT count(*) AS n FROM joined GROUP BY cluster_id)),
                (SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM (SELECT count(*) AS n FROM joined GROUP BY truth_id)),
                (SELECT coalesce(sum(n * (n - 1) / 2), 0)
                 FROM (SELECT count(*) AS n FROM joined GROUP BY cluster_id, truth_id))
            """
        ).fetchall()[0]
    finally:
        con.close()
    return Quality(predicted_pairs=int(row[0]), true_pairs=int(row[1]), correct_pairs=int(row[2]))


def recall_by_variant(result: LinkResult, truth: pa.Table) -> dict[str, Quality]:
    """For each variant tag of the generator, the true pairs that involve a record with that tag, and how many
    of them were found (`correct_pairs`) or wrongly claimed from such a record (`predicted_pairs`)."""
    con = duckdb.connect()
    try:
        con.register("members", result.members.select(["source", "record_id", "cluster_id"]))
        con.register("truth", truth.select(["source", "record_id", "truth_id", "variants"]))
        rows = con.execute(
            """
            WITH joined AS (
                SELECT m.source, m.record_id, m.cluster_id, t.truth_id, t.variants
                FROM members AS m JOIN truth AS t USING (source, record_id)
            ),
            sizes AS (
                SELECT j.*,
                    count(*) OVER (PARTITION BY truth_id) - 1 AS true_partners,
                    count(*) OVER (PARTITION BY cluster_id) - 1 AS claimed_partners,
                    count(*) OVER (PARTITION BY cluster_id, truth_id) - 1 AS correct_partners
                FROM joined AS j
            ),
            tagged AS (
                SELECT unnest(string_split(variants, ',')) AS tag, true_partners, claimed_partners, correct_partners
                FROM sizes WHERE variants IS NOT NULL
            )
            SELECT tag, sum(claimed_partners), sum(true_partners), sum(correct_partners)
            FROM tagged GROUP BY tag ORDER BY tag
            """
        ).fetchall()
    finally:
        con.close()
    return {
        tag: Quality(predicted_pairs=int(claimed), true_pairs=int(true), correct_pairs=int(correct))
        for tag, claimed, true, correct in rows
    }
