"""The demo city's bundles (一件事一次办): a newborn's birth and opening a restaurant, from the demo's published items.

The demo catalog has no item of its own for the 出生医学证明 (the hospital issues it and the other items fetch it
as an e-license), so the newborn bundle starts with the health commission's 生育登记, its closest item. Loading
again skips the bundles that are published already.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from yiwang.core.errors import NotFound
from yiwang.services import bundles
from yiwang.services.catalog.selectors import item_list


@dataclass(frozen=True)
class DemoBundle:
    code: str
    name: str
    description: str
    items: tuple[str, ...]  # names of published demo items, in the bundle's order


BUNDLES = (
    DemoBundle(
        "newborn",
        "新生儿出生一件事",
        "婴儿出生后，一次申请办理生育登记、出生登记（户口）、城乡居民医保参保登记和社会保障卡申领；"
        "出生医学证明、父母身份证件等以电子证照共享，无需提交。",
        ("生育登记", "出生登记", "城乡居民基本医疗保险参保登记", "社会保障卡申领"),
    ),
    DemoBundle(
        "restaurant",
        "开餐馆一件事",
        "开办餐馆，一次申请办理个体工商户设立登记、食品经营许可和门头招牌的户外广告设施设置审批。",
        ("个体工商户设立登记", "食品经营许可", "户外广告设施设置审批"),
    ),
)


def load_service_bundles() -> dict[str, int]:
    """Create and publish the demo bundles not yet published; returns how many there are and how many were added."""
    task_codes = {summary.name: summary.task_code for summary in item_list(status="published")}
    published = {bundle.code for bundle in bundles.bundles_published()}
    created = 0
    for demo in BUNDLES:
        if demo.code in published:
            continue
        missing = [name for name in demo.items if name not in task_codes]
        if missing:
            raise NotFound(f"The demo catalog has no published item {', '.join(missing)}.")
        with transaction.atomic():  # never leave a draft bundle behind that a resumed load would trip over
            bundles.bundle_create(
                actor=None,
                code=demo.code,
                name=demo.name,
                description=demo.description,
                task_codes=[task_codes[name] for name in demo.items],
            )
            bundles.bundle_publish(actor=None, code=demo.code)
        created += 1
    return {"bundles": len(BUNDLES), "created": created}
