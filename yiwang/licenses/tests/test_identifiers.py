"""GB/T 36904 identifiers: the published example, every part's error, and ISO 7064 MOD 37,36 itself."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.licenses.identifiers import (
    SERIAL_ALPHABET,
    InvalidLicenseIdentifier,
    check_character,
    compose_identifier,
    new_serial,
    validate_identifier,
    validate_type_code,
)

# The example an implementation published (住建部 二级建造师; reference/services.md §11).
EXAMPLE = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"


def _mod_37_36(text: str) -> str:
    """ISO 7064 MOD 37,36 (hybrid system, M = 36) written out from the standard's recursion, independently of
    python-stdnum: p = M; for each character: s = (p + value) mod M or M; p = 2s mod (M + 1); check = (M + 1 - p)
    mod M."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    modulus = 36
    product = modulus
    for character in text:
        total = (product + alphabet.index(character)) % modulus or modulus
        product = total * 2 % (modulus + 1)
    return alphabet[(modulus + 1 - product) % modulus]


def test_the_published_example_is_valid() -> None:
    identifier = validate_identifier(EXAMPLE)
    assert identifier.type_code == "11100000000013338W011"
    assert identifier.issuer_code == "11430000006122244L"
    assert identifier.serial == "20230000403"
    assert identifier.version == "001"
    assert identifier.check == "U"
    assert str(identifier) == EXAMPLE


@given(st.text(alphabet=SERIAL_ALPHABET, min_size=1, max_size=60))
def test_the_check_character_is_iso_7064_mod_37_36(text: str) -> None:
    assert check_character(text, "", "", "") == _mod_37_36(text)


def test_composed_identifiers_validate_and_a_single_changed_character_is_caught() -> None:
    composed = compose_identifier("11100000000013338W011", "11430000006122244L", new_serial())
    text = str(composed)
    assert validate_identifier(text) == composed
    serial_start = text.index(composed.serial)
    for position in range(serial_start, serial_start + len(composed.serial)):
        original = text[position]
        changed = text[:position] + ("0" if original != "0" else "1") + text[position + 1 :]
        with pytest.raises(InvalidLicenseIdentifier) as error:
            validate_identifier(changed)
        assert error.value.part == "check"


def test_serials_are_twenty_random_characters() -> None:
    serials = {new_serial() for _ in range(200)}
    assert len(serials) == 200
    assert all(len(serial) == 20 and set(serial) <= set(SERIAL_ALPHABET) for serial in serials)


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("", "shape"),
        ("1.2.156.3005.3.11100000000013338W011.11430000006122244L.20230000403.001.U", "root"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001", "shape"),
        ("1.2.156.3005.2.11100000000013338W01.11430000006122244L.20230000403.001.U", "type_code"),
        ("1.2.156.3005.2.1110000000001333IW011.11430000006122244L.20230000403.001.U", "type_code"),
        ("1.2.156.3005.2.11100000000013338W011.1143000000612224.20230000403.001.U", "issuer"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.2023-0000403.001.U", "serial"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.01.U", "version"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.000.U", "version"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.V", "check"),
    ],
)
def test_the_validator_names_the_wrong_part(text: str, part: str) -> None:
    with pytest.raises(InvalidLicenseIdentifier) as error:
        validate_identifier(text)
    assert error.value.part == part
    assert error.value.message


def test_a_type_code_is_a_credit_code_and_three_digits() -> None:
    assert validate_type_code(" 11100000000013338w001 ") == "11100000000013338W001"
    with pytest.raises(InvalidLicenseIdentifier, match="21 characters"):
        validate_type_code("11100000000013338W0011")
    with pytest.raises(InvalidLicenseIdentifier, match="credit code"):
        validate_type_code("111000000000133S8W001")  # S is not a credit-code character
