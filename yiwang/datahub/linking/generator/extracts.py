"""How a department writes what it knows: its profile of mistakes, the writer applying them, Arrow batches."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

import pyarrow as pa

from yiwang.datahub.linking import vocabulary as words
from yiwang.datahub.linking.generator.population import (
    REFERENCE_DATE,
    Person,
    coprime_multiplier,
    homophones,
    pick,
    traditional_characters,
)
from yiwang.datahub.linking.records import ENTITY_SCHEMA, PERSON_SCHEMA, TRUTH_FIELD

VARIANTS_FIELD = pa.field("variants", pa.string())
PERSON_OUTPUT_SCHEMA = PERSON_SCHEMA.append(TRUTH_FIELD).append(VARIANTS_FIELD)
ENTITY_OUTPUT_SCHEMA = ENTITY_SCHEMA.append(TRUTH_FIELD).append(VARIANTS_FIELD)
_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()
FULL_WIDTH_DIGITS = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@dataclass(frozen=True)
class SourceProfile:
    """How carefully one department keeps its records: the share of records with each kind of change."""

    id_missing: float
    id_corrupted: float  # two adjacent characters swapped, one digit wrong, or the last character lost
    id_reformatted: float  # still valid once normalised: full-width, spaced, lower-case x, 15-digit form
    name_traditional: float
    name_homophone: float
    name_spaced: float
    birth_missing: float
    birth_typo: float
    sex_missing: float
    address_stale: float
    address_missing: float
    address_untidy: float  # spaces between parts, full-width digits, a road kind abbreviated
    phone_stale: float
    phone_missing: float
    phone_formatted: float


POPULATION_PROFILE = SourceProfile(
    id_missing=0.005,
    id_corrupted=0.004,
    id_reformatted=0.01,
    name_traditional=0.004,
    name_homophone=0.002,
    name_spaced=0.002,
    birth_missing=0.0,
    birth_typo=0.002,
    sex_missing=0.0,
    address_stale=0.01,
    address_missing=0.002,
    address_untidy=0.05,
    phone_stale=0.04,
    phone_missing=0.02,
    phone_formatted=0.01,
)
DEPARTMENT_PROFILE = SourceProfile(
    id_missing=0.055,
    id_corrupted=0.035,
    id_reformatted=0.03,
    name_traditional=0.03,
    name_homophone=0.012,
    name_spaced=0.01,
    birth_missing=0.02,
    birth_typo=0.015,
    sex_missing=0.02,
    address_stale=0.04,
    address_missing=0.01,
    address_untidy=0.25,
    phone_stale=0.10,
    phone_missing=0.04,
    phone_formatted=0.05,
)
# How each source writes sex: GB/T 2261.1 codes, Chinese words, English words.
SEX_CODES = (("1", "2"), ("男", "女"), ("male", "female"))


class Writer:
    """Writes one true value the way one source would, applying that source's mistakes."""

    def __init__(self, chooser: random.Random) -> None:
        self.random = chooser
        self.traditional = traditional_characters()
        self.homophones = homophones()

    def name(self, person: Person, profile: SourceProfile, clean: bool, tags: list[str]) -> str:
        """The name, perhaps in traditional characters, with a homophone typo, spaced, or another middle dot."""
        rnd, name = self.random, person.name
        if person.surname_length == 0 and not clean and rnd.random() < 0.5:
            name = name.replace("·", rnd.choice(words.MIDDLE_DOT_VARIANTS))
            tags.append("name_dot")
        if rnd.random() < profile.name_homophone and person.surname_length:
            position = rnd.randrange(person.surname_length, len(name))
            alternatives = self.homophones.get(name[position])
            if alternatives:
                name = name[:position] + rnd.choice(alternatives) + name[position + 1 :]
                tags.append("name_homophone")
        if rnd.random() < profile.name_traditional:
            name = name.translate(self.traditional)
            tags.append("name_traditional")
        if rnd.random() < profile.name_spaced and person.surname_length:
            name = name[: person.surname_length] + rnd.choice((" ", "\u3000", "  ")) + name[person.surname_length :]
            tags.append("name_spaced")
        return name

    def id_number(self, person: Person, profile: SourceProfile, tags: list[str]) -> str | None:
        """The ID number: missing, corrupted (never valid), reformatted (valid once normalised) or as issued."""
        rnd, number = self.random, person.id_number
        draw = rnd.random()
        if draw < profile.id_missing:
            tags.append("id_missing")
            return None if rnd.random() < 0.8 else ""
        draw -= profile.id_missing
        if draw < profile.id_corrupted:
            kind = rnd.random()
            if kind < 0.4:
                # MOD 11-2 catches every swap of two different adjacent characters.
                positions = [index for index in range(17) if number[index] != number[index + 1]]
                index = rnd.choice(positions)
                tags.append("id_swapped")
                return number[:index] + number[index + 1] + number[index] + number[index + 2 :]
            if kind < 0.75:
                index = rnd.randrange(18)
                wrong = rnd.choice([digit for digit in "0123456789" if digit != number[index]])
                tags.append("id_wrong_digit")
                return number[:index] + wrong + number[index + 1 :]
            tags.append("id_truncated")
            return number[:17]
        draw -= profile.id_corrupted
        if draw < profile.id_reformatted:
            kind = rnd.random()
            if kind < 0.3 and person.born.year < 2000:
                tags.append("id_fifteen_digit")
                return number[:6] + number[8:17]
            if kind < 0.6:
                tags.append("id_full_width")
                return number.translate(FULL_WIDTH_DIGITS)
            if kind < 0.8 or number[17] != "X":
                tags.append("id_spaced")
                return f"{number[:6]} {number[6:14]} {number[14:]}"
            tags.append("id_lower_x")
            return number.lower()
        return number

    def birth_date(self, person: Person, profile: SourceProfile, tags: list[str]) -> int | None:
        """Days since 1970-01-01, missing, or with a typo that still makes a real date."""
        rnd, born = self.random, person.born
        draw = rnd.random()
        if draw < profile.birth_missing:
            tags.append("birth_missing")
            return None
        if draw < profile.birth_missing + profile.birth_typo:
            typo = _birth_typo(rnd, born)
            if typo is not None:
                tags.append("birth_typo")
                born = typo
        return born.toordinal() - _EPOCH_ORDINAL

    def address(self, person: Person, profile: SourceProfile, population: bool, tags: list[str]) -> str | None:
        """The address as this source writes it: prefix, building word, room suffix, spacing all vary."""
        rnd = self.random
        draw = rnd.random()
        if draw < profile.address_missing:
            tags.append("address_missing")
            return None
        address = person.address
        if draw < profile.address_missing + profile.address_stale:
            tags.append("address_stale")
            address = person.old_address
        _code, district_name, _share = words.DISTRICTS[address.district]
        prefix_draw = rnd.random()
        if population:
            prefix = words.PROVINCE_NAME + words.CITY_NAME if prefix_draw < 0.7 else words.CITY_NAME
        else:
            prefix = (
                words.PROVINCE_NAME + words.CITY_NAME
                if prefix_draw < 0.3
                else words.CITY_NAME
                if prefix_draw < 0.65
                else ""
            )
        district = district_name if population or rnd.random() < 0.8 else ""
        untidy = rnd.random() < profile.address_untidy
        if address.rural:
            parts = [address.road, address.compound, f"{address.building}组", f"{address.number}号"]
        else:
            road = address.road
            if untidy and road.endswith("大道") and rnd.random() < 0.5:
                road = road[:-2] + "路"
                tags.append("address_road_abbreviated")
            building = pick(rnd.random, ("栋", "栋", "栋", "幢", "号楼"))
            room = f"{address.room}室" if rnd.random() < 0.7 else str(address.room)
            parts = [road, f"{address.number}号", address.compound, f"{address.building}{building}"]
            parts += [f"{address.unit}单元", room]
        parts.insert(0, prefix + district)
        if untidy and rnd.random() < 0.5:
            text = " ".join(part for part in parts if part)
            tags.append("address_spaced")
        else:
            text = "".join(parts)
        if untidy and rnd.random() < 0.3:
            text = text.translate(FULL_WIDTH_DIGITS)
            tags.append("address_full_width")
        if rnd.random() < profile.name_traditional:
            text = text.translate(self.traditional)
            tags.append("address_traditional")
        return text

    def phone(self, person: Person, profile: SourceProfile, tags: list[str]) -> str | None:
        """The mobile number: stale (an older number), missing, or written with a country code or dashes."""
        rnd = self.random
        draw = rnd.random()
        phone = person.phone
        if phone is None or draw < profile.phone_missing:
            if phone is not None:
                tags.append("phone_missing")
            return None
        if draw < profile.phone_missing + profile.phone_stale:
            tags.append("phone_stale")
            phone = person.old_phone
        if rnd.random() < profile.phone_formatted:
            tags.append("phone_formatted")
            kind = rnd.random()
            if kind < 0.4:
                return f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}"
            if kind < 0.7:
                return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
            return phone.translate(FULL_WIDTH_DIGITS)
        return phone


def _birth_typo(chooser: random.Random, born: datetime.date) -> datetime.date | None:
    """A real date one slip of the keyboard away: digits of the day swapped, month and day swapped, one digit."""
    text = f"{born:%Y%m%d}"
    candidates = [
        text[:6] + text[7] + text[6],
        text[:4] + text[6:8] + text[4:6],
        text[:7] + str((int(text[7]) + 1) % 10),
        text[:3] + str((int(text[3]) + 1) % 10) + text[4:],
        text[:6] + str((int(text[6]) + 1) % 3) + text[7],
    ]
    chooser.shuffle(candidates)
    for candidate in candidates:
        if candidate == text:
            continue
        try:
            typo = datetime.date(int(candidate[:4]), int(candidate[4:6]), int(candidate[6:]))
        except ValueError:
            continue
        if typo <= REFERENCE_DATE:
            return typo
    return None


def record_id_scrambler(chooser: random.Random) -> tuple[int, int]:
    """Multiplier and offset that turn a source's record counter into unique ids that look random."""
    return coprime_multiplier(chooser, 10**10), chooser.randrange(10**10)


def to_batch(rows: list[tuple[object, ...]], schema: pa.Schema) -> pa.RecordBatch:
    """One Arrow record batch of `rows` (tuples in `schema` order); birth dates arrive as days since 1970."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _field in schema]
    arrays = []
    for field, values in zip(schema, columns, strict=True):
        if field.type == pa.date32():
            arrays.append(pa.array(values, type=pa.int32()).cast(pa.date32()))
        else:
            arrays.append(pa.array(values, type=field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
