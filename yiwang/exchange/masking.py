"""Masking by element type: what a consumer sees of a sensitive value it was not granted in clear."""

from __future__ import annotations

import re
from enum import StrEnum

from yiwang.core.identifiers import mask_id_number, mask_name, mask_phone
from yiwang.datahub.catalog.schema import ElementSpec


class MaskKind(StrEnum):
    ID_NUMBER = "id_number"
    PHONE = "phone"
    NAME = "name"
    ADDRESS = "address"
    BANK_CARD = "bank_card"
    OTHER = "other"


# Concepts of personal names: masked even when the catalog did not mark the element sensitive.
PERSONAL_NAME_CONCEPTS = frozenset({"person.name", "entity.legal_representative"})
_ADDRESS_WORDS = ("地址", "住址", "住所", "address")
_BANK_WORDS = ("银行卡", "银行账号", "账号", "卡号", "bank")
# The street: the first road, street, lane or alley, not a subdistrict (街道).
_STREET = re.compile(r"大道|大街|胡同|路|街(?!道)|巷|弄|里(?=\d)")
# Failing a street, the smallest division named.
_DIVISION = re.compile(r"街道|镇|乡|(?<!社)区|县|市")
ADDRESS_CUT = "****"


def mask_kind(element: ElementSpec) -> MaskKind:
    """How an element's values are masked, from its type, concept and name."""
    label = f"{element.code} {element.name} {element.concept}".lower()
    if element.data_type == "id_number":
        return MaskKind.ID_NUMBER
    if element.data_type == "phone":
        return MaskKind.PHONE
    if element.concept in PERSONAL_NAME_CONCEPTS or element.name in {"姓名", "法定代表人", "联系人"}:
        return MaskKind.NAME
    if any(word in label for word in _BANK_WORDS):
        return MaskKind.BANK_CARD
    if "address" in element.concept or any(word in label for word in _ADDRESS_WORDS):
        return MaskKind.ADDRESS
    return MaskKind.OTHER


def is_masked_by_default(element: ElementSpec) -> bool:
    """Sensitive elements and personal names are masked unless the grant names them in clear."""
    return element.sensitive or mask_kind(element) == MaskKind.NAME


def mask_address(address: str) -> str:
    """The address up to its street (滨河路), the rest hidden; failing a street, up to the smallest division."""
    match = _STREET.search(address)
    if match is None:
        matches = list(_DIVISION.finditer(address))
        match = matches[-1] if matches else None
    if match is None:
        return address[: min(len(address) // 2, 6)] + ADDRESS_CUT
    return address[: match.end()] + ADDRESS_CUT


def mask_bank_card(number: str) -> str:
    """The last four digits only."""
    digits = number.replace(" ", "")
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_other(value: str) -> str:
    """First and last character kept."""
    if len(value) <= 2:
        return "*" * len(value)
    return value[0] + "*" * (len(value) - 2) + value[-1]


_MASKS = {
    MaskKind.ID_NUMBER: mask_id_number,
    MaskKind.PHONE: mask_phone,
    MaskKind.NAME: mask_name,
    MaskKind.ADDRESS: mask_address,
    MaskKind.BANK_CARD: mask_bank_card,
    MaskKind.OTHER: mask_other,
}


def mask_value(element: ElementSpec, value: str) -> str:
    if not value:
        return value
    return _MASKS[mask_kind(element)](value)
