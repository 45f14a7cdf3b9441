"""What of a case's text may be published: Open311 answers are public, so the reporter never appears in them."""

from __future__ import annotations

import re

from yiwang.core.identifiers import mask_id_number, mask_phone

# Ways a reply or a caller names a person by the surname: 张先生, 李女士, 王师傅 …
HONORIFICS = ("先生", "女士", "小姐", "师傅", "阿姨", "大爷", "大妈", "老师", "同志")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def public_text(text: str, *, name: str = "", phone: str = "") -> str:
    """`text` with the reporter's name (also as 张先生), phone numbers and ID numbers masked."""
    name = name.strip()
    if len(name) >= 2:
        text = text.replace(name, "*" * len(name))
    if name:
        for honorific in HONORIFICS:
            text = text.replace(name[0] + honorific, "*" + honorific)
    phone = phone.strip()
    if len(phone) >= 5:
        text = text.replace(phone, mask_phone(phone))
    text = _ID_NUMBER.sub(lambda match: mask_id_number(match.group()), text)
    text = _MOBILE.sub(lambda match: mask_phone(match.group()), text)
    return _LANDLINE.sub(lambda match: _mask_landline(match.group()), text)


def _mask_landline(number: str) -> str:
    return "*" * (len(number) - 4) + number[-4:]
