"""The demo city's bundles (一件事一次办): created from the demo's published items, published, loaded only once.

(In the demo's app, not the services', because only the demo may import both: see the import-linter layers.)
"""

from typing import Any

from yiwang.demo.service_bundles import load_service_bundles
from yiwang.demo.services import demo_load
from yiwang.services import bundles


def test_the_demo_loads_the_two_bundles(db: Any) -> None:
    demo_load(scale="small", seed=11, people=20)
    found = {info.code: (info.name, [item.name for item in info.items]) for info in bundles.bundles_published()}
    assert found == {
        "newborn": ("新生儿出生一件事", ["生育登记", "出生登记", "城乡居民基本医疗保险参保登记", "社会保障卡申领"]),
        "restaurant": ("开餐馆一件事", ["个体工商户设立登记", "食品经营许可", "户外广告设施设置审批"]),
    }
    assert load_service_bundles() == {"bundles": 2, "created": 0}
    restaurant = bundles.bundle_form(bundles.bundle_get(code="restaurant"))
    # Only 食品经营许可 of the three has a form: the 食品经营许可证's elements, its operator from the registry.
    assert list(restaurant.schema["properties"]) == [
        "name",
        "legal_representative",
        "address",
        "premises",
        "business_form",
        "business_items",
    ]
    assert restaurant.schema["required"] == list(restaurant.schema["properties"])
    assert "食品经营许可申请书" in [material.name for material in restaurant.materials]
