"""Masking by element type."""

from __future__ import annotations

import pytest

from yiwang.datahub.catalog.schema import ElementSpec
from yiwang.datahub.registries import BUILTIN_REGISTRIES, POPULATION
from yiwang.datahub.tests.builders import element
from yiwang.exchange.masking import MaskKind, is_masked_by_default, mask_address, mask_kind, mask_value


@pytest.mark.parametrize(
    ("spec", "value", "masked"),
    [
        (element("id_number", "公民身份号码", "id_number"), "11010519491231002X", "110105********002X"),
        (element("phone", "联系电话", "phone"), "13812345678", "138****5678"),
        (element("phone", "联系电话", "phone"), "0391-2345678", "0391-***5678"),
        (element("name", "姓名", concept="person.name"), "张三丰", "张*丰"),
        (element("name", "姓名", concept="person.name"), "李四", "李*"),
        (element("name", "姓名", concept="person.name"), "买买提·艾力", "买****力"),
        (element("legal_representative", "法定代表人", concept="entity.legal_representative"), "王小五", "王*五"),
        (element("card", "银行卡号"), "6222 0212 3456 7890", "************7890"),
        (element("account", "社保卡银行账号"), "6217000012345678901", "***************8901"),
        (
            element("home", "户籍地址", concept="person.address"),
            "明湖市清河区滨河路12号3栋402",
            "明湖市清河区滨河路****",
        ),
        (element("home", "现住址"), "明湖市清河区滨河街道滨河路12号", "明湖市清河区滨河街道滨河路****"),
        (element("home", "现住址"), "北京市东城区东长安街1号", "北京市东城区东长安街****"),
        (element("home", "现住址"), "明湖市湖东区湖滨大道88号", "明湖市湖东区湖滨大道****"),
        (element("home", "现住址"), "明湖市清河区柳园社区", "明湖市清河区****"),
        (element("home", "住所"), "某某地方", "某某****"),
        (element("note", "备注", sensitive=True), "内部说明文字", "内****字"),
    ],
)
def test_mask_by_type(spec: object, value: str, masked: str) -> None:
    assert mask_value(spec, value) == masked  # type: ignore[arg-type]


def test_empty_values_stay_empty() -> None:
    assert mask_value(element("phone", "联系电话", "phone"), "") == ""


def test_address_keeps_nothing_after_the_street() -> None:
    assert mask_address("明湖市清河区滨河路12号3栋402").endswith("路****")
    assert "12" not in mask_address("明湖市清河区滨河路12号3栋402")


def test_population_elements_masked_by_default() -> None:
    definition = next(item for item in BUILTIN_REGISTRIES if item.slug == POPULATION)
    masked = {spec.code for spec in definition.elements if is_masked_by_default(_spec(spec))}
    assert masked == {"id_number", "name", "registered_address", "current_address", "phone"}
    kinds = {spec.code: mask_kind(_spec(spec)) for spec in definition.elements}
    assert kinds["id_number"] == MaskKind.ID_NUMBER
    assert kinds["registered_address"] == MaskKind.ADDRESS


def _spec(definition: object) -> ElementSpec:
    return ElementSpec.from_object(definition)
