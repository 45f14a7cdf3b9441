"""The people and enterprises of the demo city, generated from a seed without touching the database.

The same seed gives the same rows in the same order, which is what lets an interrupted load resume: the
rows already committed are the first ones the generator yields.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from itertools import accumulate

from yiwang.core.identifiers import compose_credit_code, compose_id_number, national_areas
from yiwang.core.names import (
    FEMALE_CHARACTERS,
    MALE_CHARACTERS,
    NEUTRAL_CHARACTERS,
    SURNAME_CUMULATIVE_WEIGHTS,
    SURNAMES,
)
from yiwang.demo.city import NAMED_CITIZENS, NamedCitizen, organisation_code
from yiwang.demo.vocabulary import (
    COMPANY_BUSINESSES,
    COMPANY_FORMS,
    COOPERATIVE_KINDS,
    DISTRICTS,
    FEMALE_NAMES_BEFORE_1970,
    MALE_NAMES_BEFORE_1970,
    MOBILE_PREFIXES,
    SHOP_KINDS,
    TRADE_NAME_CHARACTERS,
)
from yiwang.identity.services import CitizenRow

SCALES: dict[str, int] = {"small": 1_000, "medium": 100_000, "large": 1_000_000}
DISTRICT_CODES = tuple(code for code, _name, _romanised, _streets in DISTRICTS)
DISTRICT_NAMES = {code: name for code, name, _romanised, _streets in DISTRICTS}
FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR = 1940, 2008
# Where ID numbers were issued: mostly in the city, some elsewhere in Henan, a few in other provinces.
DISTRICT_WEIGHTS = (0.30, 0.30, 0.20, 0.20)
SHARE_FROM_CITY, SHARE_FROM_PROVINCE = 0.85, 0.10
OUTSIDE_AREAS_IN_PROVINCE, OUTSIDE_AREAS_ELSEWHERE = 10, 10
# About one person in ten runs an enterprise; only adults do (born by 2002, about nine in ten people).
ENTERPRISE_SHARE_OF_ADULTS = 0.11
LAST_FOUNDER_BIRTH_YEAR = 2002
NON_MAINLAND_PROVINCES = frozenset({"71", "81", "82", "83"})

# Relative numbers of people born in each year: the wartime dip, the 1962–1975 boom and its 1985–1991 echo.
_BIRTH_YEAR_WEIGHTS = tuple(
    0.5
    if year < 1950
    else 0.9
    if year < 1962
    else 1.4
    if year < 1976
    else 1.0
    if year < 1985
    else 1.3
    if year < 1992
    else 0.9
    for year in range(FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR + 1)
)
_BIRTH_YEARS = tuple(range(FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR + 1))
_BIRTH_YEAR_CUMULATIVE = tuple(accumulate(_BIRTH_YEAR_WEIGHTS))
_YEAR_STARTS = {year: datetime.date(year, 1, 1).toordinal() for year in range(FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR + 2)}
_MALE_POOL = MALE_CHARACTERS + NEUTRAL_CHARACTERS
_FEMALE_POOL = FEMALE_CHARACTERS + NEUTRAL_CHARACTERS
_MAX_PER_DAY_AND_SEX = 500  # sequence codes 000–999, odd for men and even for women
# Generated organisation codes of digits start with 1–9; the planned units' codes start with 0, so never clash.
_DIGIT_CODES = 9 * 10**7


@dataclass(frozen=True)
class EnterpriseRow:
    """An enterprise to register, with its legal representative among the generated citizens."""

    credit_code: str
    name: str
    representative_username: str
    representative_name: str


@dataclass(frozen=True)
class Person:
    """One generated citizen and, for about one in ten, the enterprise they represent."""

    citizen: CitizenRow
    enterprise: EnterpriseRow | None


class IdNumberIssuer:
    """Issues ID numbers that are unique by construction, as a public-security bureau does.

    For each area, birth date and sex the sequence codes are handed out in turn from a starting point that
    depends on the date, so no set of issued numbers has to be kept for a million people.
    """

    def __init__(self) -> None:
        self._issued: dict[int, int] = {}

    def issue(self, area_index: int, area_code: str, born: datetime.date, male: bool) -> str | None:
        """The next ID number for this area, date and sex; None once the 500 codes of that day are used."""
        ordinal = born.toordinal()
        key = (area_index * 1_000_000 + ordinal) * 2 + male
        issued = self._issued.get(key, 0)
        if issued >= _MAX_PER_DAY_AND_SEX:
            return None
        self._issued[key] = issued + 1
        start = (ordinal * 37 + area_index * 101) % _MAX_PER_DAY_AND_SEX * 2
        return compose_id_number(area_code, born, (start + 2 * issued + male) % 1000)


def named_citizen_id_number(citizen: NamedCitizen, issuer: IdNumberIssuer) -> str:
    """The ID number of a named demo citizen (the first issued for their area, date and sex)."""
    number = issuer.issue(
        DISTRICT_CODES.index(citizen.district_code), citizen.district_code, citizen.birth_date, citizen.male
    )
    if number is None:  # pragma: no cover - the named citizens are issued first
        raise ValueError("named citizens must be issued before anyone else")
    return number


def named_citizen_rows() -> tuple[CitizenRow, ...]:
    """The named demo citizens as rows, with the ID numbers the population generator leaves to them."""
    issuer = IdNumberIssuer()
    return tuple(
        CitizenRow(
            username=citizen.username,
            real_name=citizen.real_name,
            id_number=named_citizen_id_number(citizen, issuer),
            phone=citizen.phone,
        )
        for citizen in NAMED_CITIZENS
    )


@cache
def _current_areas() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """County-level codes in use today, in Henan outside the city and in the other provinces."""
    # Not a province or prefecture (…00), nor a prefecture's 市辖区 (…01), which issue no ID numbers today.
    current = sorted(
        code
        for code, area in national_areas().items()
        if area.current and code[4:] not in {"00", "01"} and code[:2] not in NON_MAINLAND_PROVINCES
    )
    in_province = tuple(code for code in current if code.startswith("41") and not code.startswith("4198"))
    elsewhere = tuple(code for code in current if not code.startswith("41"))
    return in_province, elsewhere


def outside_areas(seed: int) -> tuple[str, ...]:
    """Real current area codes outside the city where some of its people were issued their ID numbers."""
    in_province, elsewhere = _current_areas()
    chooser = random.Random(f"{seed}:areas")  # noqa: S311 (demo data, not secrets)
    return tuple(
        sorted(chooser.sample(in_province, OUTSIDE_AREAS_IN_PROVINCE))
        + sorted(chooser.sample(elsewhere, OUTSIDE_AREAS_ELSEWHERE))
    )


def _coprime_multiplier(chooser: random.Random, modulus: int) -> int:
    """A seeded multiplier coprime with `modulus`, for a bijective scramble of counters."""
    # An affine map i → (a·i + b) mod m is a bijection when a is coprime with m, so numbers never repeat.
    while True:
        candidate = chooser.randrange(modulus // 10, modulus)
        if _coprime(candidate, modulus):
            return candidate


def _coprime(left: int, right: int) -> bool:
    """Whether two numbers share no factor (Euclid)."""
    while right:
        left, right = right, left % right
    return left == 1


class _Generator:
    """The state of one generation run; `people()` yields rows until `count` are made."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(f"{seed}:people")  # noqa: S311 (demo data, not secrets)
        self.issuer = IdNumberIssuer()
        for citizen in NAMED_CITIZENS:
            named_citizen_id_number(citizen, self.issuer)
        outside = outside_areas(seed)
        self.area_index = {code: index for index, code in enumerate(DISTRICT_CODES + outside)}
        self.province_areas = outside[:OUTSIDE_AREAS_IN_PROVINCE]
        self.other_areas = outside[OUTSIDE_AREAS_IN_PROVINCE:]
        self.district_cumulative = tuple(accumulate(DISTRICT_WEIGHTS))
        self.phone_multiplier = _coprime_multiplier(self.random, 10**8)
        self.phone_offset = self.random.randrange(10**8)
        self.digit_code_multiplier = _coprime_multiplier(self.random, _DIGIT_CODES)
        self.digit_code_offset = self.random.randrange(_DIGIT_CODES)
        self.letter_code_multiplier = _coprime_multiplier(self.random, 31**6)
        self.letter_code_offset = self.random.randrange(31**6)
        self.digit_codes = 0
        self.letter_codes = 0
        self.enterprise_names: set[str] = set()

    def area(self) -> tuple[int, str]:
        """The index and code of the area that issued the next person's ID number."""
        draw = self.random.random()
        if draw < SHARE_FROM_CITY:
            index = self.random.choices(range(len(DISTRICT_CODES)), cum_weights=self.district_cumulative)[0]
            return index, DISTRICT_CODES[index]
        pool = self.province_areas if draw < SHARE_FROM_CITY + SHARE_FROM_PROVINCE else self.other_areas
        code = self.random.choice(pool)
        return self.area_index[code], code

    def birth_date(self) -> datetime.date:
        """A birth date between 1940 and 2008, weighted by how many were born each year."""
        year = self.random.choices(_BIRTH_YEARS, cum_weights=_BIRTH_YEAR_CUMULATIVE)[0]
        start = _YEAR_STARTS[year]
        return datetime.date.fromordinal(start + self.random.randrange(_YEAR_STARTS[year + 1] - start))

    def real_name(self, male: bool, year: int) -> str:
        """A surname by frequency and a given name fitting sex and generation."""
        surname = self.random.choices(SURNAMES, cum_weights=SURNAME_CUMULATIVE_WEIGHTS)[0]
        draw = self.random.random()
        if year < 1970 and draw < 0.25:
            return surname + self.random.choice(MALE_NAMES_BEFORE_1970 if male else FEMALE_NAMES_BEFORE_1970)
        pool = _MALE_POOL if male else _FEMALE_POOL
        first = self.random.choice(pool)
        if draw < (0.45 if 1970 <= year < 1995 else 0.3):
            return surname + first
        if not male and draw > 0.97:
            return surname + first + first  # 婷婷, 丹丹: reduplicated girls' names
        second = self.random.choice(pool)
        while second == first:
            second = self.random.choice(pool)
        return surname + first + second

    def phone(self, index: int) -> str:
        """A mobile number unique to person `index` (scrambled counter after a common prefix)."""
        suffix = (self.phone_multiplier * index + self.phone_offset) % 10**8
        return f"{self.random.choice(MOBILE_PREFIXES)}{suffix:08d}"

    def organisation_code(self) -> str:
        """The next unique 9-character organisation code of a generated enterprise."""
        # Codes issued since 2015 begin with MA and continue in the credit-code alphabet; older ones are digits.
        if self.random.random() < 0.6:
            value = (self.letter_code_multiplier * self.letter_codes + self.letter_code_offset) % 31**6
            self.letter_codes += 1
            characters = []
            for _position in range(6):
                value, digit = divmod(value, 31)
                characters.append("0123456789ABCDEFGHJKLMNPQRTUWXY"[digit])
            return organisation_code("MA" + "".join(characters))
        value = 10**7 + (self.digit_code_multiplier * self.digit_codes + self.digit_code_offset) % _DIGIT_CODES
        self.digit_codes += 1
        return organisation_code(f"{value:08d}")

    def enterprise_name(self, kind: str, district_code: str) -> str:
        """A registered name not used before, in the style of its kind of entity."""
        district = DISTRICT_NAMES[district_code]
        while True:
            trade = "".join(self.random.sample(TRADE_NAME_CHARACTERS, 2 if self.random.random() < 0.8 else 3))
            if kind == "91":
                name = f"明湖{trade}{self.random.choice(COMPANY_BUSINESSES)}{self.random.choice(COMPANY_FORMS)}"
            elif kind == "92":
                name = f"{district}{trade}{self.random.choice(SHOP_KINDS)}"
            else:
                name = f"明湖市{district[:-1]}{trade}{self.random.choice(COOPERATIVE_KINDS)}"
            if name not in self.enterprise_names:
                self.enterprise_names.add(name)
                return name

    def enterprise(self, citizen: CitizenRow, area_index: int) -> EnterpriseRow:
        """The enterprise a person represents: a company (91), an individual business (92) or a cooperative (93)."""
        draw = self.random.random()
        kind = "91" if draw < 0.7 else "92" if draw < 0.95 else "93"
        district_code = (
            DISTRICT_CODES[area_index] if area_index < len(DISTRICT_CODES) else self.random.choice(DISTRICT_CODES)
        )
        return EnterpriseRow(
            credit_code=compose_credit_code(kind + district_code + self.organisation_code()),
            name=self.enterprise_name(kind, district_code),
            representative_username=citizen.username,
            representative_name=citizen.real_name,
        )

    def people(self, count: int) -> Iterator[Person]:
        """Yield `count` people in a fixed order for this seed."""
        for index in range(count):
            area_index, area_code = self.area()
            male = self.random.random() < 0.51
            id_number = None
            while id_number is None:
                born = self.birth_date()
                id_number = self.issuer.issue(area_index, area_code, born, male)
            phone = self.phone(index)
            citizen = CitizenRow(
                username=phone, real_name=self.real_name(male, born.year), id_number=id_number, phone=phone
            )
            enterprise = None
            if born.year <= LAST_FOUNDER_BIRTH_YEAR and self.random.random() < ENTERPRISE_SHARE_OF_ADULTS:
                enterprise = self.enterprise(citizen, area_index)
            yield Person(citizen=citizen, enterprise=enterprise)


def generate_people(*, seed: int, count: int) -> Iterator[Person]:
    """`count` citizens (and their enterprises) of the demo city; the same seed yields the same rows."""
    if not 0 <= count <= 10**8:
        raise ValueError("the demo generates between 0 and 100 million people")
    return _Generator(seed).people(count)
