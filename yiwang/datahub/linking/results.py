"""What a linkage run returns: clusters as an Arrow table, the review queue, statistics, the trained model."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

MEMBER_SCHEMA = pa.schema(
    [
        ("cluster_id", pa.int64()),
        ("source", pa.string()),
        ("record_id", pa.string()),
        ("key", pa.string()),  # the cluster's valid ID number / credit code; null for a cluster without one
        ("method", pa.string()),  # exact | probabilistic | unlinked
        ("match_weight", pa.float64()),  # for probabilistic members: their best accepted link
        ("match_probability", pa.float64()),
        ("matched_source", pa.string()),
        ("matched_record_id", pa.string()),
    ]
)


@dataclass(frozen=True)
class RecordRef:
    """One record of one source."""

    source: str
    record_id: str


@dataclass(frozen=True)
class ClusterMember:
    """A record in a cluster; probabilistic members carry the link that brought them in."""

    source: str
    record_id: str
    method: str
    match_weight: float | None
    match_probability: float | None
    matched: RecordRef | None


@dataclass(frozen=True)
class Cluster:
    """The records believed to be one person or entity; `key` is their valid ID number or credit code."""

    cluster_id: int
    key: str | None
    members: tuple[ClusterMember, ...]


@dataclass(frozen=True)
class ReviewPair:
    """A pair a person should look at: `reason` is `uncertain` (in the review band) or `second_candidate`."""

    left: RecordRef
    right: RecordRef
    match_weight: float
    match_probability: float
    reason: str
    left_cluster_id: int
    right_cluster_id: int
    comparison: Mapping[str, str]  # comparison → level, e.g. {"name": "same pinyin", "phone": "different"}


@dataclass(frozen=True)
class LinkStatistics:
    """Counts and timings of one run."""

    records: int
    keyed_records: int
    keyless_records: int
    exact_clusters: int
    pairs_compared: int
    probabilistic_links: int
    clusters: int
    review_pairs: int
    probability_two_random_records_match: float
    seconds: Mapping[str, float]
    duckdb_peak_bytes: int


@dataclass(frozen=True)
class LinkResult:
    """Clusters (one member row per record), the review queue, statistics and the trained model."""

    members: pa.Table
    review: tuple[ReviewPair, ...]
    statistics: LinkStatistics
    model: Mapping[str, Any] = field(default_factory=dict)  # Splink settings with trained m/u: reusable JSON

    def clusters(self) -> Iterator[Cluster]:
        """Each cluster with its members, in cluster id order."""
        current: list[ClusterMember] = []
        cluster_id, key = -1, None
        for batch in self.members.to_batches(max_chunksize=65_536):
            for row in batch.to_pylist():
                if row["cluster_id"] != cluster_id:
                    if current:
                        yield Cluster(cluster_id=cluster_id, key=key, members=tuple(current))
                    current, cluster_id, key = [], row["cluster_id"], row["key"]
                matched = None
                if row["matched_source"] is not None:
                    matched = RecordRef(source=row["matched_source"], record_id=row["matched_record_id"])
                current.append(
                    ClusterMember(
                        source=row["source"],
                        record_id=row["record_id"],
                        method=row["method"],
                        match_weight=row["match_weight"],
                        match_probability=row["match_probability"],
                        matched=matched,
                    )
                )
        if current:
            yield Cluster(cluster_id=cluster_id, key=key, members=tuple(current))

    def cluster_ids(self) -> dict[RecordRef, int]:
        """Record → cluster id, for small results (tests, the review console)."""
        columns = self.members.select(["source", "record_id", "cluster_id"]).to_pydict()
        return {
            RecordRef(source, record_id): cluster_id
            for source, record_id, cluster_id in zip(
                columns["source"], columns["record_id"], columns["cluster_id"], strict=True
            )
        }

    def model_json(self) -> str:
        """The trained model as Splink settings JSON (load with `Linker(table, json.loads(...))` on any backend)."""
        return json.dumps(self.model, ensure_ascii=False, indent=2)
