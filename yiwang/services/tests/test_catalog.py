"""The item catalog's services and selectors: drafting, validation, publishing, versions, search."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from yiwang.core.audit.models import AuditEvent
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.identity.roles import Role
from yiwang.services.catalog import services
from yiwang.services.catalog.selectors import item_guide, item_list, item_search, item_version_get, item_versions
from yiwang.services.catalog.services import FeeInput, HandlingItemInput, ItemInput, MaterialInput
from yiwang.services.models import ItemVersion, VersionStatus

pytestmark = pytest.mark.django_db

CARD = ItemInput(
    name="社会保障卡申领",
    item_type="20",
    legal_basis="《中华人民共和国社会保险法》第五十八条",
    exercise_level="municipal",
    service_object="person",
    project_type="promised",
    statutory_limit=20,
    promised_limit=10,
    online_depth="4",
    result_type="license",
    result_name="社会保障卡",
    acceptance_conditions="参加本市社会保险的人员",
    handling_place="明湖市政务服务中心二楼人社窗口",
    handling_hours="工作日 9:00-12:00, 13:30-17:30",
    consult_phone="0398-12345",
    handling_items=(HandlingItemInput("01", "首次申领"), HandlingItemInput("02", "补领")),
    materials=(
        MaterialInput("居民身份证", source="registry", source_reference="population:id_number"),
        MaterialInput("近期免冠照片", form="electronic", copies=1),
    ),
)
FEE = FeeInput("补卡工本费", "20元/张", "《关于社会保障卡补换卡收费的通知》", reducible=True)


def _create(actor: Any, department: int, task_code: str = "11419800MB0000001X001", **changes: Any) -> ItemVersion:
    return services.item_create(
        actor=actor,
        department_id=department,
        catalog_code="000120001000",
        task_code=task_code,
        data=dataclasses.replace(CARD, **changes),
    )


@pytest.fixture
def item_admin(city: Any, make_staff: Any) -> Any:
    return make_staff(city.civil_affairs, (Role.ITEM_ADMIN,), real_name="事项管理员")


def test_an_item_admin_drafts_and_the_platform_publishes(city: Any, item_admin: Any, accounts: Any) -> None:
    draft = _create(item_admin, city.civil_affairs, fees=(FEE,))
    assert (draft.number, draft.status) == (1, VersionStatus.DRAFT)
    assert [h.code for h in draft.handling_items.all()] == ["01", "02"]
    assert [(m.name, m.source, m.source_reference) for m in draft.materials.order_by("position")] == [
        ("居民身份证", "registry", "population:id_number"),
        ("近期免冠照片", "applicant", ""),
    ]
    with pytest.raises(NotFound):  # not in the guide before it is published
        item_guide(task_code="11419800MB0000001X001")
    with pytest.raises(PermissionDenied):
        services.item_publish(actor=item_admin, version_id=draft.pk)
    published = services.item_publish(actor=accounts.admin, version_id=draft.pk)
    assert published.status == VersionStatus.PUBLISHED
    assert published.published_by == accounts.admin
    guide = item_guide(task_code="11419800MB0000001X001")
    assert guide.pk == draft.pk
    assert [fee.standard for fee in guide.fees.all()] == ["20元/张"]
    actions = list(
        AuditEvent.objects.filter(action__startswith="services.item").order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["services.item.create", "services.item.publish"]


def test_a_published_version_never_changes_a_new_draft_supersedes_it(city: Any, item_admin: Any, accounts: Any) -> None:
    first = services.item_publish(actor=accounts.admin, version_id=_create(item_admin, city.civil_affairs).pk)
    with pytest.raises(Conflict):
        services.item_draft_update(actor=item_admin, version_id=first.pk, data=dataclasses.replace(CARD, name="改"))
    draft = services.item_new_draft(actor=item_admin, item_id=first.item_id)
    assert (draft.number, draft.name, draft.materials.count()) == (2, "社会保障卡申领", 2)
    with pytest.raises(Conflict):  # one draft at a time
        services.item_new_draft(actor=item_admin, item_id=first.item_id)
    services.item_draft_update(
        actor=item_admin, version_id=draft.pk, data=dataclasses.replace(CARD, promised_limit=5, materials=())
    )
    assert item_guide(task_code=first.item.task_code).promised_limit == 10  # the guide is still version 1
    services.item_publish(actor=accounts.admin, version_id=draft.pk)
    guide = item_guide(task_code=first.item.task_code)
    assert (guide.number, guide.promised_limit, guide.materials.count()) == (2, 5, 0)
    old = item_version_get(version_id=first.pk)
    assert (old.status, old.promised_limit, old.materials.count()) == (VersionStatus.SUPERSEDED, 10, 2)
    assert [(v.version, v.status) for v in item_versions(task_code=first.item.task_code)] == [
        (2, "published"),
        (1, "superseded"),
    ]


def test_editors_are_the_departments_item_admins(city: Any, item_admin: Any, make_staff: Any, accounts: Any) -> None:
    other_admin = make_staff(city.public_security, (Role.ITEM_ADMIN,))
    clerk = make_staff(city.civil_affairs, (Role.CLERK,))
    for actor in (other_admin, clerk, accounts.citizen):
        with pytest.raises(PermissionDenied):
            _create(actor, city.civil_affairs)
    draft = _create(accounts.admin, city.civil_affairs)  # platform administrators may draft for any department
    with pytest.raises(PermissionDenied):
        services.item_draft_update(actor=other_admin, version_id=draft.pk, data=CARD)
    services.item_draft_update(actor=item_admin, version_id=draft.pk, data=CARD)
    with pytest.raises(PermissionDenied):
        services.item_retire(actor=item_admin, item_id=draft.item_id, reason="合并")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": " "}, "name"),
        ({"item_type": "11"}, "item_type"),
        ({"legal_basis": ""}, "legal_basis"),
        ({"exercise_level": "planet"}, "exercise_level"),
        ({"project_type": "immediate"}, "promised_limit"),  # 即办件 promise 0 days
        ({"project_type": "promised", "promised_limit": 0}, "promised_limit"),
        ({"promised_limit": 30}, "promised_limit"),  # longer than the statutory 20
        ({"statutory_limit": -1}, "statutory_limit"),
        ({"visits": 1}, "visits"),  # a fully online item needs no visit
        ({"handling_items": (HandlingItemInput("01", "a"), HandlingItemInput("01", "b"))}, "handling_items.1.code"),
        (
            {"materials": (MaterialInput("身份证", source="registry", source_reference="身份证"),)},
            "materials.0.source_reference",
        ),
        ({"materials": (MaterialInput("营业执照", source="license"),)}, "materials.0.source_reference"),
        ({"materials": (MaterialInput("照片", copies=99),)}, "materials.0.copies"),
        ({"fees": (FeeInput("工本费", "20元", ""),)}, "fees.0.legal_basis"),
        ({"form_schema": {"type": "strin"}}, "form_schema"),  # not JSON Schema
        ({"form_schema": {"type": "object", "properties": {"a": {"type": "string"}}}}, "form_schema"),  # no title
        ({"form_schema": {"type": "object", "properties": {}, "required": ["a"]}}, "form_schema"),
    ],
)
def test_bad_items_are_refused_naming_the_field(
    city: Any, item_admin: Any, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _create(item_admin, city.civil_affairs, **changes)
    assert refused.value.field == field
    assert ItemVersion.objects.count() == 0


@pytest.mark.parametrize(
    ("catalog_code", "task_code", "field"),
    [
        ("00012000100", "T1", "catalog_code"),  # 11 characters
        ("00012000100-", "T1", "catalog_code"),
        ("000120001000", "", "task_code"),
        ("000120001000", "x" * 37, "task_code"),
        ("000120001000", "带中文", "task_code"),
    ],
)
def test_codes_are_checked(city: Any, item_admin: Any, catalog_code: str, task_code: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.item_create(
            actor=item_admin,
            department_id=city.civil_affairs,
            catalog_code=catalog_code,
            task_code=task_code,
            data=CARD,
        )
    assert refused.value.field == field


def test_an_implementation_code_is_unique(city: Any, item_admin: Any) -> None:
    _create(item_admin, city.civil_affairs)
    with pytest.raises(Conflict) as refused:
        _create(item_admin, city.civil_affairs)
    assert refused.value.field == "task_code"
    assert ItemVersion.objects.count() == 1


def test_retiring_takes_the_item_out_of_the_guide(city: Any, item_admin: Any, accounts: Any) -> None:
    version = services.item_publish(actor=accounts.admin, version_id=_create(item_admin, city.civil_affairs).pk)
    with pytest.raises(ValidationFailed):
        services.item_retire(actor=accounts.admin, item_id=version.item_id, reason=" ")
    services.item_retire(actor=accounts.admin, item_id=version.item_id, reason="已与其他事项合并")
    with pytest.raises(NotFound):
        item_guide(task_code=version.item.task_code)
    assert item_search(query="社保") == []
    assert [summary.status for summary in item_list(department_id=city.civil_affairs)] == ["retired"]


def test_search_in_chinese_finds_two_character_queries(city: Any, item_admin: Any, accounts: Any) -> None:
    items = [
        (city.civil_affairs, "T-CARD", {}),
        (
            city.public_security,
            "T-BIRTH",
            {"name": "出生登记", "result_name": "居民户口簿", "materials": (), "handling_items": ()},
        ),
        (
            city.civil_affairs,
            "T-SHOP",
            {"name": "个体工商户设立登记", "result_name": "营业执照", "materials": (), "handling_items": ()},
        ),
    ]
    for department, code, changes in items:
        version = _create(accounts.admin, department, task_code=code, **changes)
        services.item_publish(actor=accounts.admin, version_id=version.pk)
    _create(accounts.admin, city.civil_affairs, task_code="T-DRAFT", name="社会保险登记")  # a draft is not found

    def names(query: str, **filters: Any) -> list[str]:
        return [summary.name for summary in item_search(query=query, **filters)]

    assert names("社保") == ["社会保障卡申领"]  # 社保 expands to 社会保障 and 社会保险
    assert names("户口") == ["出生登记"]  # through its result, 居民户口簿
    assert names("营业") == ["个体工商户设立登记"]
    assert names("登记") == ["出生登记", "个体工商户设立登记"]  # name hits, then by code
    assert names("登记", department_id=city.public_security) == ["出生登记"]
    assert names("", item_type="20") == ["出生登记", "社会保障卡申领", "个体工商户设立登记"]  # by code
    assert names("", item_type="01") == []
    assert names("不存在的事项") == []
