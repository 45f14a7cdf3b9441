"""National identifiers: resident ID numbers (GB 11643), unified social credit codes (GB 32100), phones.

Each validator returns the normalised value or raises `InvalidIdentifier`, whose message names the part
that is wrong. Strict mode is for what people type today; lenient mode accepts what real registries hold:
ID numbers whose area code is no longer (or not yet) in the division list, first-generation 15-digit ID
numbers (converted to 18 digits), and early pilot-region credit codes that fail the check character.
"""

from __future__ import annotations

import datetime
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

from django.utils.translation import gettext as _


class IdentifierPart(StrEnum):
    """Which part of an identifier a validation error is about."""

    EMPTY = "empty"
    LENGTH = "length"
    CHARACTERS = "characters"
    AREA = "area"
    BIRTH_DATE = "birth_date"
    CHECK = "check"
    REGISTRATION_AUTHORITY = "registration_authority"
    DIVISION = "division"


class InvalidIdentifier(ValueError):
    """An identifier that breaks its standard; `part` and `position` say where."""

    def __init__(self, message: str, *, part: IdentifierPart, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.part = part
        self.position = position


def _normalise(value: str) -> str:
    if value.isascii() and value.isalnum():
        return value.upper()  # the common case, ~10x cheaper than the general path below
    # Full-width digits and letters arrive from Excel sheets and Chinese input methods.
    text = unicodedata.normalize("NFKC", value)
    return re.sub(r"[\s\-]", "", text).upper()


# --- GB/T 2260 area codes --------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaPeriod:
    """One name an area code carried, and the years it carried it (None = open)."""

    name: str
    start: int | None
    end: int | None


@dataclass(frozen=True)
class Area:
    """A six-digit GB/T 2260 code with its province and the names it has had."""

    code: str
    province: str
    periods: tuple[AreaPeriod, ...]

    @property
    def current(self) -> bool:
        return any(period.end is None for period in self.periods)

    @property
    def name(self) -> str:
        """The current name, or the last name the code had."""
        for period in self.periods:
            if period.end is None:
                return period.name
        return self.periods[-1].name

    @property
    def abolished_in(self) -> int | None:
        if self.current:
            return None
        return max(period.end for period in self.periods if period.end is not None)


_PERIOD = re.compile(r"^(?:\[(\d{4})?-(\d{4})?\])?(.+)$")

# Provinces, plus 81/82/83 used by residence permits of Hong Kong, Macao and Taiwan residents.
PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    ]
)


@cache
def national_areas() -> Mapping[str, Area]:
    """The GB/T 2260 codes with their history, from the table python-stdnum maintains."""
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    areas: dict[str, Area] = {}
    province_code, province_name = "", ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            province_code, _sep, rest = line.partition(" ")
            province_name = rest.split("=", 1)[1].strip('"')
            continue
        county, _sep, rest = line.strip().partition(" ")
        periods = []
        for item in rest.split("=", 1)[1].strip('"').split(","):
            match = _PERIOD.match(item)
            if match is None:  # pragma: no cover - the table's format is fixed
                continue
            start, end, name = match.groups()
            periods.append(AreaPeriod(name=name, start=int(start) if start else None, end=int(end) if end else None))
        code = province_code + county
        areas[code] = Area(code=code, province=province_name, periods=tuple(periods))
    return areas


@cache
def current_national_codes() -> frozenset[str]:
    """Codes that are in the national table today."""
    return frozenset(code for code, area in national_areas().items() if area.current)


LocalAreaProvider = Callable[[], Mapping[str, str]]
_local_area_provider: LocalAreaProvider | None = None
_local_area_cache: tuple[float, Mapping[str, str]] = (0.0, {})
_local_area_lock = threading.Lock()
LOCAL_AREA_TTL_SECONDS = 60.0


def set_local_area_provider(provider: LocalAreaProvider | None) -> None:
    """Register where the platform's own divisions come from (code → name), for codes newer than the table."""
    global _local_area_provider, _local_area_cache
    with _local_area_lock:
        _local_area_provider = provider
        _local_area_cache = (0.0, {})


def forget_local_areas() -> None:
    """Drop the memo of local divisions so that the next lookup reads them again."""
    global _local_area_cache
    with _local_area_lock:
        _local_area_cache = (0.0, {})


def _local_areas() -> Mapping[str, str]:
    global _local_area_cache
    provider = _local_area_provider
    if provider is None:
        return {}
    loaded_at, codes = _local_area_cache
    if time.monotonic() - loaded_at < LOCAL_AREA_TTL_SECONDS:
        return codes
    codes = provider()
    with _local_area_lock:
        _local_area_cache = (time.monotonic(), codes)
    return codes


def local_area_codes() -> frozenset[str]:
    """The six-digit codes of the platform's own divisions (memoised for a minute)."""
    return frozenset(_local_areas())


@dataclass(frozen=True)
class AreaInfo:
    """What an ID number's area code says: the code, its name, its province, whether it is current."""

    code: str
    name: str | None
    province: str | None
    current: bool
    abolished_in: int | None


def area_info(code: str) -> AreaInfo:
    """Look up a six-digit area code in the platform's divisions and the national table."""
    local = _local_areas()
    national = national_areas().get(code)
    province = national_areas().get(code[:2] + "0000")
    province_name = province.name if province else None
    if code in local:
        return AreaInfo(code=code, name=local[code], province=province_name, current=True, abolished_in=None)
    if national is None:
        return AreaInfo(code=code, name=None, province=province_name, current=False, abolished_in=None)
    return AreaInfo(
        code=code,
        name=national.name,
        province=national.province,
        current=national.current,
        abolished_in=national.abolished_in,
    )


# --- GB 11643 resident ID numbers -------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
EARLIEST_BIRTH_YEAR = 1880


def id_number_check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def _birth_date(digits: str, position: int) -> datetime.date:
    try:
        born = datetime.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise InvalidIdentifier(
            _("Birth date %(date)s (characters %(start)d–%(end)d) is not a real date.")
            % {"date": digits, "start": position, "end": position + 7},
            part=IdentifierPart.BIRTH_DATE,
            position=position,
        ) from None
    today = datetime.date.today()
    if born > today:
        raise InvalidIdentifier(
            _("Birth date %(date)s (characters %(start)d–%(end)d) is in the future.")
            % {"date": born.isoformat(), "start": position, "end": position + 7},
            part=IdentifierPart.BIRTH_DATE,
            position=position,
        )
    if born.year < EARLIEST_BIRTH_YEAR:
        raise InvalidIdentifier(
            _("Birth date %(date)s (characters %(start)d–%(end)d) is before %(year)d.")
            % {"date": born.isoformat(), "start": position, "end": position + 7, "year": EARLIEST_BIRTH_YEAR},
            part=IdentifierPart.BIRTH_DATE,
            position=position,
        )
    return born


def _check_area(code: str, *, strict: bool) -> None:
    if code[:2] not in PROVINCE_CODES:
        raise InvalidIdentifier(
            _("Area code %(code)s (characters 1–6) does not start with a province code.") % {"code": code},
            part=IdentifierPart.AREA,
            position=1,
        )
    if not strict or code in current_national_codes() or code in _local_areas():
        return
    info = area_info(code)
    if info.abolished_in is not None:
        message = _(
            "Area code %(code)s (characters 1–6, %(name)s) left the division list in %(year)d; "
            "numbers issued there are accepted in lenient mode."
        ) % {"code": code, "name": info.name, "year": info.abolished_in}
    else:
        message = _("Area code %(code)s (characters 1–6) is not in the division list.") % {"code": code}
    raise InvalidIdentifier(message, part=IdentifierPart.AREA, position=1)


def validate_id_number(value: str, *, strict: bool = True) -> str:
    """Return the normalised 18-character ID number, or raise InvalidIdentifier naming the wrong part."""
    if value is None or not str(value).strip():
        raise InvalidIdentifier(_("The ID number is empty."), part=IdentifierPart.EMPTY)
    number = _normalise(str(value))
    if len(number) == 15 and number.isascii() and number.isdigit():
        if strict:
            raise InvalidIdentifier(
                _("%(number)s is a first-generation 15-digit number; an 18-character number is required.")
                % {"number": number},
                part=IdentifierPart.LENGTH,
            )
        return _upgrade_fifteen_digit(number)
    if len(number) != 18:
        raise InvalidIdentifier(
            _("An ID number has 18 characters; this one has %(count)d.") % {"count": len(number)},
            part=IdentifierPart.LENGTH,
        )
    body = number[:17]
    for index, character in enumerate(body if not (body.isascii() and body.isdigit()) else "", start=1):
        if not character.isdigit() or not character.isascii():
            raise InvalidIdentifier(
                _("Character %(position)d (%(character)s) must be a digit.")
                % {"position": index, "character": character},
                part=IdentifierPart.CHARACTERS,
                position=index,
            )
    if not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdentifier(
            _("The last character (%(character)s) must be a digit or X.") % {"character": number[17]},
            part=IdentifierPart.CHARACTERS,
            position=18,
        )
    _check_area(number[:6], strict=strict)
    _birth_date(number[6:14], position=7)
    expected = id_number_check_character(number[:17])
    if number[17] != expected:
        raise InvalidIdentifier(
            _("The check character (character 18) is %(found)s but the first 17 digits give %(expected)s.")
            % {"found": number[17], "expected": expected},
            part=IdentifierPart.CHECK,
            position=18,
        )
    return number


def _upgrade_fifteen_digit(number: str) -> str:
    _check_area(number[:6], strict=False)
    _birth_date("19" + number[6:12], position=7)
    first17 = number[:6] + "19" + number[6:]
    return first17 + id_number_check_character(first17)


def compose_id_number(area_code: str, birth_date: datetime.date, sequence: int) -> str:
    """Build a well-formed ID number from its parts (sequence 0–999; odd = male), adding the check character."""
    if len(area_code) != 6 or not area_code.isdigit() or not 0 <= sequence <= 999:
        raise ValueError("area code must be 6 digits and sequence 0–999")
    first17 = f"{area_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + id_number_check_character(first17)


def id_number_birth_date(number: str) -> datetime.date:
    """Birth date encoded in a (valid, normalised) 18-character ID number."""
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id_number_sex(number: str) -> str:
    """'male' or 'female', from the parity of the sequence code (character 17)."""
    return "male" if int(number[16]) % 2 == 1 else "female"


def id_number_area(number: str) -> AreaInfo:
    """The area where the number was issued (not necessarily the place of birth)."""
    return area_info(number[:6])


# --- GB 32100 unified social credit codes ---------------------------------------------------------

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUES = {character: value for value, character in enumerate(CREDIT_CODE_ALPHABET)}
_CREDIT_CHARACTERS = frozenset(CREDIT_CODE_ALPHABET)
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_character(first17: str) -> str:
    """The MOD 31 check character for the first 17 characters."""
    total = sum(_CREDIT_VALUES[c] * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def compose_credit_code(first17: str) -> str:
    """Append the check character to the first 17 characters of a credit code."""
    if len(first17) != 17 or any(character not in _CREDIT_VALUES for character in first17):
        raise ValueError("a credit code body is 17 characters of the credit-code alphabet")
    return first17 + credit_code_check_character(first17)


def validate_credit_code(value: str, *, strict: bool = True) -> str:
    """Return the normalised credit code, or raise InvalidIdentifier naming the wrong part."""
    if value is None or not str(value).strip():
        raise InvalidIdentifier(_("The credit code is empty."), part=IdentifierPart.EMPTY)
    code = _normalise(str(value))
    if len(code) != 18:
        raise InvalidIdentifier(
            _("A unified social credit code has 18 characters; this one has %(count)d.") % {"count": len(code)},
            part=IdentifierPart.LENGTH,
        )
    for index, character in enumerate(code if not _CREDIT_CHARACTERS.issuperset(code) else "", start=1):
        if character not in _CREDIT_VALUES:
            raise InvalidIdentifier(
                _(
                    "Character %(position)d (%(character)s) is not allowed: credit codes use digits and "
                    "capital letters except I, O, Z, S and V."
                )
                % {"position": index, "character": character},
                part=IdentifierPart.CHARACTERS,
                position=index,
            )
    if not code[2:8].isdigit():
        raise InvalidIdentifier(
            _("Characters 3–8 (%(division)s) must be the six digits of the registering division.")
            % {"division": code[2:8]},
            part=IdentifierPart.DIVISION,
            position=3,
        )
    expected = credit_code_check_character(code[:17])
    if strict and code[17] != expected:
        raise InvalidIdentifier(
            _("The check character (character 18) is %(found)s but the first 17 characters give %(expected)s.")
            % {"found": code[17], "expected": expected},
            part=IdentifierPart.CHECK,
            position=18,
        )
    return code


# --- phone numbers ------------------------------------------------------------------------------------

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Area codes: 010 and 020–029 have three digits, all others four (0371, 0755 ...).
_LANDLINE = re.compile(r"^(010|02\d|0[3-9]\d{2})([2-9]\d{6,7})(?:(?:EXT|转|#)(\d{1,6}))?$")


def validate_phone(value: str) -> str:
    """Return a mainland mobile number as 11 digits or a landline as `0AREA-NUMBER[-EXT]`."""
    if value is None or not str(value).strip():
        raise InvalidIdentifier(_("The phone number is empty."), part=IdentifierPart.EMPTY)
    text = unicodedata.normalize("NFKC", str(value)).upper()
    text = re.sub(r"[\s()\-（）]", "", text)
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    if len(text) == 13 and text.startswith("86") and _MOBILE.match(text[2:]):
        text = text[2:]
    if _MOBILE.match(text):
        return text
    landline = _LANDLINE.match(text)
    if landline:
        area, number, extension = landline.groups()
        return f"{area}-{number}" + (f"-{extension}" if extension else "")
    if text.startswith("1") and text.isdigit():
        raise InvalidIdentifier(
            _("A mobile number has 11 digits starting 13–19; %(value)s has %(count)d digits.")
            % {"value": text, "count": len(text)},
            part=IdentifierPart.LENGTH,
        )
    raise InvalidIdentifier(
        _("%(value)s is neither a mobile number (11 digits) nor a landline with its area code.") % {"value": text},
        part=IdentifierPart.CHARACTERS,
    )


# --- masking for display and logs ---------------------------------------------------------------------


def mask_id_number(number: str) -> str:
    """`110105********002X`: area code and last four kept."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    """`138****5678` for mobiles; landlines keep their area code and last four digits."""
    if _MOBILE.match(phone):
        return phone[:3] + "****" + phone[-4:]
    if len(phone) <= 4:
        return "*" * len(phone)
    head, _sep, rest = phone.partition("-")
    if rest:
        return head + "-" + "*" * max(len(rest) - 4, 0) + rest[-4:]
    return "*" * (len(phone) - 4) + phone[-4:]


def mask_name(name: str) -> str:
    """`张*三` for three characters or more, `张*` for two, `*` for one."""
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
