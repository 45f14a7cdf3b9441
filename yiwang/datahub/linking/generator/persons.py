"""Person extracts: the population register and other departments' copies of the same people."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

import pyarrow as pa

from yiwang.datahub.linking.generator.extracts import (
    DEPARTMENT_PROFILE,
    PERSON_OUTPUT_SCHEMA,
    POPULATION_PROFILE,
    SEX_CODES,
    Writer,
    record_id_scrambler,
    to_batch,
)
from yiwang.datahub.linking.generator.population import People

DEFAULT_PERSON_SOURCES = ("公安局", "民政局", "人力资源和社会保障局")


def generate_person_sources(
    *,
    seed: int,
    people: int,
    sources: Sequence[str] = DEFAULT_PERSON_SOURCES,
    coverage: float = 0.9,
    batch_people: int = 50_000,
) -> Iterator[pa.RecordBatch]:
    """Yield the sources' extracts of `people` true people, `batch_people` people per record batch."""
    if not sources:
        raise ValueError("at least one source is needed")
    chooser = random.Random(f"{seed}:linking-people")  # noqa: S311 (test data, not secrets)
    truth = People(chooser, people)
    writer = Writer(chooser)
    record_ids = [record_id_scrambler(chooser) for _source in sources]
    counters = [0] * len(sources)
    for start in range(0, people, batch_people):
        rows: list[tuple[object, ...]] = []
        persons = [truth.person(index) for index in range(start, min(start + batch_people, people))]
        for source_index, source in enumerate(sources):
            population = source_index == 0
            profile = POPULATION_PROFILE if population else DEPARTMENT_PROFILE
            held = 0.98 if population else coverage
            male_code, female_code = SEX_CODES[source_index % len(SEX_CODES)]
            multiplier, offset = record_ids[source_index]
            draw = chooser.random
            for person in persons:
                if draw() >= held:
                    continue
                tags: list[str] = [person.tag] if person.tag else []
                clean = population and draw() < 0.9
                sex: str | None = male_code if person.male else female_code
                if draw() < profile.sex_missing:
                    sex = None
                    tags.append("sex_missing")
                record_id = f"{(multiplier * counters[source_index] + offset) % 10**10:010d}"
                counters[source_index] += 1
                rows.append(
                    (
                        source,
                        record_id,
                        writer.name(person, profile, clean, tags),
                        writer.id_number(person, profile, tags),
                        writer.birth_date(person, profile, tags),
                        sex,
                        writer.address(person, profile, population, tags),
                        writer.phone(person, profile, tags),
                        person.truth_id,
                        ",".join(tags) if tags else None,
                    )
                )
        yield to_batch(rows, PERSON_OUTPUT_SCHEMA)


def person_sources_table(
    *, seed: int, people: int, sources: Sequence[str] = DEFAULT_PERSON_SOURCES, coverage: float = 0.9
) -> pa.Table:
    """All batches of `generate_person_sources` as one table."""
    batches = generate_person_sources(seed=seed, people=people, sources=sources, coverage=coverage)
    return pa.Table.from_batches(list(batches), schema=PERSON_OUTPUT_SCHEMA)
