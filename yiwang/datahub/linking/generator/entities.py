"""Enterprise extracts: the market regulator's register and other departments' copies of the same entities."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import pyarrow as pa

from yiwang.core.identifiers import compose_credit_code
from yiwang.datahub.linking import vocabulary as words
from yiwang.datahub.linking.generator.extracts import (
    DEPARTMENT_PROFILE,
    ENTITY_OUTPUT_SCHEMA,
    POPULATION_PROFILE,
    SourceProfile,
    Writer,
    record_id_scrambler,
    to_batch,
)
from yiwang.datahub.linking.generator.population import REFERENCE_DATE, Address, People, Person, coprime_multiplier

DEFAULT_ENTITY_SOURCES = ("市场监督管理局", "税务局", "人力资源和社会保障局")


class _Entity(NamedTuple):
    truth_id: str
    credit_code: str
    trade_name: str
    business: str
    form: str
    representative: str
    address: Address
    phone: str
    old_phone: str
    tag: str | None


def generate_entity_sources(
    *,
    seed: int,
    entities: int,
    sources: Sequence[str] = DEFAULT_ENTITY_SOURCES,
    coverage: float = 0.9,
    batch_entities: int = 50_000,
) -> Iterator[pa.RecordBatch]:
    """Yield the sources' extracts of `entities` true enterprises (same shape as the person generator).

    Variants: the legal form written 有限公司/有限责任公司, the city in the name or not (明湖市鑫华商贸有限公司,
    鑫华商贸（明湖）有限公司), traditional characters, full-width brackets; the representative's name with the
    person variants; the address variants; stale phones; credit codes missing or corrupted. Some owners run two
    companies with one trade name (`sibling`): distinct entities that share representative and trade name.
    """
    chooser = random.Random(f"{seed}:linking-entities")  # noqa: S311 (test data, not secrets)
    people = People(chooser, entities)
    writer = Writer(chooser)
    record_ids = [record_id_scrambler(chooser) for _source in sources]
    counters = [0] * len(sources)
    code_multiplier, code_offset = coprime_multiplier(chooser, 31**9), chooser.randrange(31**9)
    previous: _Entity | None = None
    for start in range(0, entities, batch_entities):
        rows: list[tuple[object, ...]] = []
        batch: list[_Entity] = []
        for index in range(start, min(start + batch_entities, entities)):
            value = (code_multiplier * index + code_offset) % 31**9
            body = []
            for _position in range(9):
                value, digit = divmod(value, 31)
                body.append("0123456789ABCDEFGHJKLMNPQRTUWXY"[digit])
            address = people.address()
            district_code = words.DISTRICTS[address.district][0]
            credit_code = compose_credit_code("91" + district_code + "".join(body))
            if previous is not None and previous.tag is None and chooser.random() < 0.01:
                business = chooser.choice([item for item in words.COMPANY_BUSINESSES if item != previous.business])
                entity = _Entity(
                    truth_id=f"E{index:08d}",
                    credit_code=credit_code,
                    trade_name=previous.trade_name,
                    business=business,
                    form=chooser.choice(words.COMPANY_FORMS),
                    representative=previous.representative,
                    address=address,
                    phone=people.phone(index),
                    old_phone=people.phone(entities + index),
                    tag="sibling",
                )
            else:
                size = 2 if chooser.random() < 0.8 else 3
                entity = _Entity(
                    truth_id=f"E{index:08d}",
                    credit_code=credit_code,
                    trade_name="".join(chooser.sample(words.TRADE_NAME_CHARACTERS, size)),
                    business=chooser.choice(words.COMPANY_BUSINESSES),
                    form=chooser.choice(words.COMPANY_FORMS),
                    representative=people.surname() + people.given_name(chooser.random() < 0.7),
                    address=address,
                    phone=people.phone(index),
                    old_phone=people.phone(entities + index),
                    tag=None,
                )
            batch.append(entity)
            previous = entity
        for source_index, source in enumerate(sources):
            profile = POPULATION_PROFILE if source_index == 0 else DEPARTMENT_PROFILE
            held = 0.98 if source_index == 0 else coverage
            multiplier, offset = record_ids[source_index]
            for entity in batch:
                if chooser.random() >= held:
                    continue
                tags: list[str] = [entity.tag] if entity.tag else []
                representative = Person(
                    truth_id=entity.truth_id,
                    name=entity.representative,
                    surname_length=len(entity.representative) - 2 if len(entity.representative) > 2 else 1,
                    male=True,
                    born=REFERENCE_DATE,
                    id_number=entity.credit_code,
                    address=entity.address,
                    old_address=people.address(),
                    phone=entity.phone,
                    old_phone=entity.old_phone,
                    tag=None,
                )
                record_id = f"{(multiplier * counters[source_index] + offset) % 10**10:010d}"
                counters[source_index] += 1
                rows.append(
                    (
                        source,
                        record_id,
                        _entity_name(chooser, writer, entity, profile, tags),
                        _credit_code(chooser, entity.credit_code, profile, tags),
                        writer.name(representative, profile, True, tags),
                        writer.address(representative, profile, source_index == 0, tags),
                        writer.phone(representative, profile, tags),
                        entity.truth_id,
                        ",".join(tags) if tags else None,
                    )
                )
        yield to_batch(rows, ENTITY_OUTPUT_SCHEMA)


def entity_sources_table(
    *, seed: int, entities: int, sources: Sequence[str] = DEFAULT_ENTITY_SOURCES, coverage: float = 0.9
) -> pa.Table:
    """All batches of `generate_entity_sources` as one table."""
    batches = generate_entity_sources(seed=seed, entities=entities, sources=sources, coverage=coverage)
    return pa.Table.from_batches(list(batches), schema=ENTITY_OUTPUT_SCHEMA)


def _entity_name(
    chooser: random.Random, writer: Writer, entity: _Entity, profile: SourceProfile, tags: list[str]
) -> str:
    form = entity.form
    if form == "有限公司" and chooser.random() < profile.name_homophone * 8:
        form = "有限责任公司"
        tags.append("name_form")
    elif form == "有限责任公司" and chooser.random() < profile.name_homophone * 8:
        form = "有限公司"
        tags.append("name_form")
    draw = chooser.random()
    if draw < 0.6:
        name = f"{words.CITY_SHORT_NAME}{entity.trade_name}{entity.business}{form}"
    elif draw < 0.85:
        name = f"{words.CITY_NAME}{entity.trade_name}{entity.business}{form}"
        tags.append("name_city")
    else:
        brackets = ("（", "）") if chooser.random() < 0.6 else ("(", ")")
        name = f"{entity.trade_name}{entity.business}{brackets[0]}{words.CITY_SHORT_NAME}{brackets[1]}{form}"
        tags.append("name_city_in_brackets")
    if chooser.random() < profile.name_traditional:
        name = name.translate(writer.traditional)
        tags.append("name_traditional")
    return name


def _credit_code(chooser: random.Random, code: str, profile: SourceProfile, tags: list[str]) -> str | None:
    draw = chooser.random()
    if draw < profile.id_missing:
        tags.append("code_missing")
        return None
    if draw < profile.id_missing + profile.id_corrupted:
        index = chooser.randrange(17)
        if chooser.random() < 0.5 and code[index] != code[index + 1]:
            tags.append("code_swapped")
            return code[:index] + code[index + 1] + code[index] + code[index + 2 :]
        wrong = chooser.choice([character for character in "0123456789ABCDEFGH" if character != code[index]])
        tags.append("code_wrong_character")
        return code[:index] + wrong + code[index + 1 :]
    if draw < profile.id_missing + profile.id_corrupted + profile.id_reformatted:
        tags.append("code_lower_case")
        return code.lower()
    return code
