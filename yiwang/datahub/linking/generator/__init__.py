"""Department extracts of the same people (or enterprises) with known truth, for measuring linkage quality.

`generate_person_sources` yields Arrow record batches in `records.PERSON_SCHEMA` plus two columns the engine
ignores: `truth_id` (the real person) and `variants` (comma-separated tags naming what was changed in that
record: `id_missing`, `id_swapped`, `name_traditional`, `phone_stale`, ...; null when the record is clean, and
`twin` / `namesake` on every record of a person generated to look like another). The first source is the
population register (公安局): it holds nearly everyone and is the cleanest. Every other source holds each
person with probability `coverage` and makes more mistakes, in the proportions of `SourceProfile`.

Everything comes from one seeded `random.Random`, so a seed always gives the same rows. One million people
from three sources (about 2.8 million records) take about forty seconds on 2 vCPU.
"""

from yiwang.datahub.linking.generator.entities import (
    DEFAULT_ENTITY_SOURCES,
    entity_sources_table,
    generate_entity_sources,
)
from yiwang.datahub.linking.generator.extracts import (
    DEPARTMENT_PROFILE,
    ENTITY_OUTPUT_SCHEMA,
    PERSON_OUTPUT_SCHEMA,
    POPULATION_PROFILE,
    VARIANTS_FIELD,
    SourceProfile,
)
from yiwang.datahub.linking.generator.persons import (
    DEFAULT_PERSON_SOURCES,
    generate_person_sources,
    person_sources_table,
)
from yiwang.datahub.linking.generator.population import REFERENCE_DATE

__all__ = [
    "DEFAULT_ENTITY_SOURCES",
    "DEFAULT_PERSON_SOURCES",
    "DEPARTMENT_PROFILE",
    "ENTITY_OUTPUT_SCHEMA",
    "PERSON_OUTPUT_SCHEMA",
    "POPULATION_PROFILE",
    "REFERENCE_DATE",
    "VARIANTS_FIELD",
    "SourceProfile",
    "entity_sources_table",
    "generate_entity_sources",
    "generate_person_sources",
    "person_sources_table",
]
