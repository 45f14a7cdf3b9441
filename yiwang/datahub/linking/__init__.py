"""Entity resolution for the data hub: link records of one person or enterprise across departments' extracts.

A pure engine (no tables of its own): `link_persons` / `link_entities` take Arrow tables (or record dataclasses)
and return a `LinkResult` — clusters with match weights, the pairs a person should review, statistics and the
trained Splink model. `generator` makes extracts with known truth and `evaluate` scores a result against it.
"""

from yiwang.datahub.linking.engine import (
    DEFAULT_MATCH_THRESHOLD,
    DEFAULT_REVIEW_BAND,
    link_entities,
    link_persons,
)
from yiwang.datahub.linking.records import (
    ENTITY_SCHEMA,
    PERSON_SCHEMA,
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
    "ENTITY_SCHEMA",
    "MEMBER_SCHEMA",
    "PERSON_SCHEMA",
    "Cluster",
    "ClusterMember",
    "EntityRecord",
    "LinkResult",
    "LinkStatistics",
    "PersonRecord",
    "RecordRef",
    "ReviewPair",
    "entity_table",
    "link_entities",
    "link_persons",
    "person_table",
]
