"""The true people behind the extracts: households, twins, namesakes, their current and previous contacts."""

from __future__ import annotations

import datetime
import random
from bisect import bisect
from collections.abc import Callable, Sequence
from functools import cache
from itertools import accumulate
from typing import NamedTuple

import opencc
from pypinyin import Style, lazy_pinyin

from yiwang.core import names
from yiwang.core.identifiers import compose_id_number, national_areas
from yiwang.datahub.linking import vocabulary as words

# Ages are counted on this day, so that a seed gives the same people whenever it runs.
REFERENCE_DATE = datetime.date(2026, 11, 1)
_FIRST_BIRTH_YEAR, _LAST_BIRTH_YEAR = 1935, 2025
# Relative numbers born each year: the wartime dip, the 1962–1975 boom, its 1985–1991 echo, the recent fall.
_BIRTH_YEAR_WEIGHTS = tuple(
    0.4 if year < 1950 else 0.9 if year < 1962 else 1.4 if year < 1976 else 1.0 if year < 1985 else 1.3
    if year < 1992 else 0.9 if year < 2016 else 0.6
    for year in range(_FIRST_BIRTH_YEAR, _LAST_BIRTH_YEAR + 1)
)  # fmt: skip
_BIRTH_YEARS = tuple(range(_FIRST_BIRTH_YEAR, _LAST_BIRTH_YEAR + 1))
_BIRTH_YEAR_CUMULATIVE = tuple(accumulate(_BIRTH_YEAR_WEIGHTS))
_YEAR_STARTS = tuple(datetime.date(year, 1, 1).toordinal() for year in range(_FIRST_BIRTH_YEAR, _LAST_BIRTH_YEAR + 2))
_HOUSEHOLD_SIZES, _HOUSEHOLD_CUMULATIVE = (1, 2, 3, 4, 5), tuple(accumulate((0.22, 0.3, 0.3, 0.12)))
_DISTRICT_CUMULATIVE = tuple(accumulate(share for _code, _name, share in words.DISTRICTS))
_SHARE_FROM_CITY, _SHARE_FROM_PROVINCE = 0.85, 0.10
_TWIN_SHARE, _NAMESAKE_SHARE, _MINORITY_SHARE = 0.004, 0.004, 0.01
_MALE_POOL = names.MALE_CHARACTERS + names.NEUTRAL_CHARACTERS
_FEMALE_POOL = names.FEMALE_CHARACTERS + names.NEUTRAL_CHARACTERS


class Address(NamedTuple):
    """Where a household lives: a flat in a town compound, or a house in a village."""

    district: int
    rural: bool
    road: str  # road name with its kind (滨河路, 人民大道), or the town (城关镇) of a rural address
    number: int
    compound: str  # 锦绣小区; the village (柳庄村) of a rural address
    building: int  # building; the group (组) of a rural address
    unit: int
    room: int


class Person(NamedTuple):
    """One true person, with the contacts they have now and had before."""

    truth_id: str
    name: str
    surname_length: int  # 0 for names written with a middle dot
    male: bool
    born: datetime.date
    id_number: str
    address: Address
    old_address: Address
    phone: str | None
    old_phone: str
    tag: str | None


@cache
def traditional_characters() -> dict[int, str]:
    """Simplified → traditional for the characters the generator writes, where converting back is exact."""
    to_traditional, to_simplified = opencc.OpenCC("s2t"), opencc.OpenCC("t2s")
    characters = set(
        names.MALE_CHARACTERS
        + names.FEMALE_CHARACTERS
        + names.NEUTRAL_CHARACTERS
        + words.HOMOPHONE_CHARACTERS
        + "".join(names.SURNAMES)
        + "".join(words.MINORITY_GIVEN_NAMES)
        + "".join(words.ROAD_WORDS + words.ROAD_KINDS + words.COMPOUND_WORDS + words.COMPOUND_KINDS)
        + "".join(words.VILLAGE_WORDS + words.TOWN_WORDS + tuple(name for _c, name, _s in words.DISTRICTS))
        + words.TRADE_NAME_CHARACTERS
        + "".join(words.COMPANY_BUSINESSES + words.COMPANY_FORMS)
        + "号栋单元室区市省镇村组明湖河南"
    )
    table = {}
    for character in characters:
        traditional = to_traditional.convert(character)
        if traditional != character and to_simplified.convert(traditional) == character:
            table[ord(character)] = traditional
    return table


@cache
def homophones() -> dict[str, tuple[str, ...]]:
    """For each given-name character, the other characters read the same (tones ignored)."""
    characters = sorted(set(_MALE_POOL + _FEMALE_POOL + words.HOMOPHONE_CHARACTERS))
    by_sound: dict[str, list[str]] = {}
    for character in characters:
        by_sound.setdefault(lazy_pinyin(character, style=Style.NORMAL)[0], []).append(character)
    return {
        character: tuple(other for other in group if other != character)
        for group in by_sound.values()
        if len(group) > 1
        for character in group
    }


@cache
def _outside_areas() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Current county-level codes elsewhere in Henan and in other provinces, in code order."""
    codes = sorted(code for code, area in national_areas().items() if area.current and code[4:] != "00")
    in_province = tuple(code for code in codes if code.startswith("41") and not code.startswith("4198"))
    elsewhere = tuple(code for code in codes if code[:2] not in {"41", "71", "81", "82", "83"})
    return in_province, elsewhere


def pick(draw: Callable[[], float], items: Sequence[str]) -> str:
    """A uniform choice from `items`, cheaper than Random.choice in the generator's inner loops."""
    return items[int(draw() * len(items))]


def coprime_multiplier(chooser: random.Random, modulus: int) -> int:
    """A multiplier that makes `(a * i + b) % modulus` a permutation: a scrambled but unique counter."""
    while True:
        candidate = chooser.randrange(modulus // 3, modulus - 1)
        if candidate % 2 and candidate % 5 and candidate % 3:
            return candidate


class People:
    """The true people of one seed: households, twins, namesakes, their current and previous contacts."""

    def __init__(self, chooser: random.Random, people: int) -> None:
        self.random = chooser
        self.people = people
        in_province, elsewhere = _outside_areas()
        self.province_areas = tuple(chooser.sample(in_province, 12))
        self.other_areas = tuple(chooser.sample(elsewhere, 12))
        self.sequences: dict[tuple[str, int, bool], int] = {}
        self.phone_multiplier = coprime_multiplier(chooser, 10**8)
        self.phone_offset = chooser.randrange(10**8)
        self.household: tuple[Address, str | None, str] | None = None
        self.household_left = 0
        self.recent: list[Person] = []
        self.twin_of: Person | None = None

    def area(self, district: int) -> str:
        """The area that issued an ID number: mostly the city's district, some elsewhere."""
        draw = self.random.random()
        if draw < _SHARE_FROM_CITY:
            return words.DISTRICTS[district][0]
        pool = self.province_areas if draw < _SHARE_FROM_CITY + _SHARE_FROM_PROVINCE else self.other_areas
        return self.random.choice(pool)

    def born(self) -> datetime.date:
        """A birth date weighted by how many were born each year."""
        draw = self.random.random
        year_index = bisect(_BIRTH_YEAR_CUMULATIVE, draw() * _BIRTH_YEAR_CUMULATIVE[-1])
        start, end = _YEAR_STARTS[year_index], _YEAR_STARTS[year_index + 1]
        return datetime.date.fromordinal(start + int(draw() * (end - start)))

    def id_number(self, area: str, born: datetime.date, male: bool) -> str:
        """A valid ID number, unique by construction: the sequence counts up per area, day and sex."""
        key = (area, born.toordinal(), male)
        issued = self.sequences.get(key, 0)
        self.sequences[key] = issued + 1
        return compose_id_number(area, born, (2 * issued + male) % 1000)

    def given_name(self, male: bool) -> str:
        """One or two characters fitting the sex."""
        pool, draw = _MALE_POOL if male else _FEMALE_POOL, self.random.random
        first = pick(draw, pool)
        if draw() < 0.3:
            return first
        second = pick(draw, pool)
        while second == first:
            second = pick(draw, pool)
        return first + second

    def surname(self) -> str:
        """A surname by frequency."""
        cumulative = names.SURNAME_CUMULATIVE_WEIGHTS
        return names.SURNAMES[bisect(cumulative, self.random.random() * cumulative[-1])]

    def minority_name(self) -> str:
        """Given name · father's name, written with the right middle dot."""
        given, father = self.random.sample(words.MINORITY_GIVEN_NAMES, 2)
        return f"{given}·{father}"

    def phone(self, index: int) -> str:
        """A mobile number unique to `index` (a scrambled counter after a common prefix)."""
        suffix = (self.phone_multiplier * index + self.phone_offset) % 10**8
        return f"{pick(self.random.random, words.MOBILE_PREFIXES)}{suffix:08d}"

    def address(self) -> Address:
        """Where somebody lives: a flat in a compound in town, or a house in a village."""
        # random() arithmetic instead of choice()/randint(): this runs for every household of a million people.
        draw = self.random.random
        district = bisect(_DISTRICT_CUMULATIVE, draw() * _DISTRICT_CUMULATIVE[-1])
        if draw() < 0.2:
            return Address(
                district=district,
                rural=True,
                road=pick(draw, words.TOWN_WORDS) + "镇",
                number=1 + int(draw() * 120),
                compound=pick(draw, words.VILLAGE_WORDS) + "村",
                building=1 + int(draw() * 12),
                unit=0,
                room=0,
            )
        return Address(
            district=district,
            rural=False,
            road=pick(draw, words.ROAD_WORDS) + pick(draw, words.ROAD_KINDS),
            number=1 + int(draw() * 399),
            compound=pick(draw, words.COMPOUND_WORDS) + pick(draw, words.COMPOUND_KINDS),
            building=1 + int(draw() * 32),
            unit=1 + int(draw() * 6),
            room=(1 + int(draw() * 33)) * 100 + 1 + int(draw() * 4),
        )

    def previous_address(self, current: Address) -> Address:
        """Where somebody lived before: mostly the home of another recent person (people move within the city)."""
        if self.recent:
            previous = self.recent[int(self.random.random() * len(self.recent))].address
            if previous != current:
                return previous
        return self.address()

    def person(self, index: int) -> Person:
        """The next true person: a twin of the last one, a namesake of a recent one, or somebody new."""
        rnd = self.random
        if self.household_left == 0:
            self.household = (self.address(), None, self.surname())
            self.household_left = _HOUSEHOLD_SIZES[bisect(_HOUSEHOLD_CUMULATIVE, rnd.random())]
        assert self.household is not None
        address, household_phone, household_surname = self.household
        self.household_left -= 1
        twin_of, self.twin_of = self.twin_of, None
        tag = None
        if twin_of is not None:
            tag, male, born = "twin", rnd.random() < 0.5, twin_of.born
            area = twin_of.id_number[:6]
            if twin_of.surname_length:
                surname = twin_of.name[: twin_of.surname_length]
                sibling_given = twin_of.name[twin_of.surname_length :]
                given = self.given_name(male)
                if len(sibling_given) == 2 and len(given) == 2 and rnd.random() < 0.5:
                    given = sibling_given[0] + given[1]  # 浩然 and 浩宇: twins often share a character
                while given == sibling_given:
                    given = self.given_name(male)
                name, surname_length = surname + given, len(surname)
            else:
                name, surname_length = self.minority_name(), 0
        elif self.recent and rnd.random() < _NAMESAKE_SHARE:
            other = rnd.choice(self.recent)
            tag, male, born, name, surname_length = "namesake", other.male, other.born, other.name, other.surname_length
            area = self.area(address.district)
        else:
            male, born = rnd.random() < 0.51, self.born()
            area = self.area(address.district)
            if rnd.random() < _MINORITY_SHARE:
                name, surname_length = self.minority_name(), 0
            else:
                surname = household_surname if rnd.random() < 0.6 else self.surname()
                name, surname_length = surname + self.given_name(male), len(surname)
        age = REFERENCE_DATE.year - born.year
        if age < 16:
            phone = household_phone if household_phone is not None and rnd.random() < 0.6 else None
        else:
            phone = self.phone(index)
            if household_phone is None:
                self.household = (address, phone, household_surname)
        person = Person(
            truth_id=f"P{index:08d}",
            name=name,
            surname_length=surname_length,
            male=male,
            born=born,
            id_number=self.id_number(area, born, male),
            address=address,
            old_address=self.previous_address(address),
            phone=phone,
            old_phone=self.phone(self.people + index),
            tag=tag,
        )
        if tag is None and rnd.random() < _TWIN_SHARE:
            self.twin_of = person
            self.household_left = max(self.household_left, 1)
        self.recent.append(person)
        if len(self.recent) > 2000:
            del self.recent[:1000]
        return person
