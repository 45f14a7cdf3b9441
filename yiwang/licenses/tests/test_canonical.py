"""The canonical form of license data (docs/licenses/license-file.md): the published test vector, and what it
refuses."""

from __future__ import annotations

import json

import pytest
from gmssl import func, sm3
from hypothesis import given
from hypothesis import strategies as st

from yiwang.core.crypto import sm3_hex
from yiwang.licenses.documents import canonical_bytes

VECTOR = {"b": "电子证照", "a": [1, True, None], "c": {"y": "\n", "x": '"q"'}}
CANONICAL = '{"a":[1,true,null],"b":"电子证照","c":{"x":"\\"q\\"","y":"\\n"}}'
DIGEST = "4e6b58e902791cfd781fddb1d8d8e30cc5f7e814c528a6510b1382840cb75ded"


def test_the_documented_vector() -> None:
    data = canonical_bytes(VECTOR)
    assert data.decode() == CANONICAL and len(data) == 65
    assert sm3_hex(data) == DIGEST
    assert sm3.sm3_hash(func.bytes_to_list(data)) == DIGEST


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_reading_a_reformatted_copy_gives_the_same_bytes(value: object) -> None:
    pretty = json.dumps(value, ensure_ascii=True, indent=3)
    assert canonical_bytes(json.loads(pretty)) == canonical_bytes(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [({"a": 1.5}, "a is a floating-point number"), ({"a": [b"x"]}, r"a\[0\] is a bytes"), ({1: "x"}, "not a string")],
)
def test_what_json_cannot_say_exactly_is_refused(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        canonical_bytes(value)
