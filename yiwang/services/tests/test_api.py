"""The services API: the item catalog is public to read, for every role alike."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from yiwang.conftest import ROLES
from yiwang.services.catalog import services
from yiwang.services.tests.test_catalog import CARD, FEE

pytestmark = pytest.mark.django_db

TASK_CODE = "11419800MB0000001X001"


@pytest.fixture
def published(city: Any, accounts: Any) -> Any:
    draft = services.item_create(
        actor=accounts.admin,
        department_id=city.civil_affairs,
        catalog_code="000120001000",
        task_code=TASK_CODE,
        data=dataclasses.replace(CARD, fees=(FEE,)),
    )
    services.item_create(
        actor=accounts.admin,
        department_id=city.civil_affairs,
        catalog_code="000120001001",
        task_code="DRAFT-ONLY",
        data=dataclasses.replace(CARD, name="社会保险登记"),
    )
    return services.item_publish(actor=accounts.admin, version_id=draft.pk)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_catalog_and_the_guide(client_as: Any, published: Any, role: str) -> None:
    client = client_as(role)
    found = client.get("/api/v1/services/items", {"q": "社保"})
    assert found.status_code == 200
    assert [(item["task_code"], item["name"], item["department"]) for item in found.json()] == [
        (TASK_CODE, "社会保障卡申领", "民政局")
    ]
    guide = client.get(f"/api/v1/services/items/{TASK_CODE}")
    assert guide.status_code == 200
    body = guide.json()
    assert (body["version"], body["promised_limit"], body["promised_unit"]) == (1, 10, "working_days")
    assert [m["source"] for m in body["materials"]] == ["registry", "applicant"]
    assert body["fees"] == [
        {
            "name": "补卡工本费",
            "standard": "20元/张",
            "legal_basis": "《关于社会保障卡补换卡收费的通知》",
            "reducible": True,
        }
    ]
    assert [h["name"] for h in body["handling_items"]] == ["首次申领", "补领"]


def test_drafts_and_unknown_codes_are_not_found(client: Any, published: Any) -> None:
    for code in ("DRAFT-ONLY", "NO-SUCH-ITEM"):
        answer = client.get(f"/api/v1/services/items/{code}")
        assert answer.status_code == 404
        assert answer["Content-Type"] == "application/problem+json"
        assert code in json.loads(answer.content)["detail"]


@pytest.mark.parametrize(
    ("query", "field"),
    [({"item_type": "11"}, "item_type"), ({"limit": "500"}, "limit"), ({"q": "字" * 101}, "q")],
)
def test_bad_filters_are_named(client: Any, published: Any, query: dict[str, str], field: str) -> None:
    answer = client.get("/api/v1/services/items", query)
    assert answer.status_code == 422
    assert [error["field"] for error in json.loads(answer.content)["errors"]] == [field]


def test_the_catalog_is_in_the_published_openapi_document(client: Any) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/services/items", "/api/v1/services/items/{task_code}"} <= set(document["paths"])
