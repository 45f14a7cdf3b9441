"""Bundles (一件事一次办): the merged form and materials, one submission for all items or none, one status from
the sub-applications' own, permissions and the API by role (the demo's two bundles are tested in
yiwang/demo/tests/test_service_bundles.py).

Dates are real working days (see test_applications): submitted on Friday 26 September 2025, accepted on Monday 29.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yiwang.conftest import next_credit_code, sign_in
from yiwang.core.audit.models import AuditEvent
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.identity.roles import Role
from yiwang.org import services as org_services
from yiwang.services import bundles
from yiwang.services.applications import services
from yiwang.services.applications.form_schema import FormInvalid
from yiwang.services.applications.materials import material_remove, material_upload
from yiwang.services.applications.selectors import department_inbox
from yiwang.services.catalog.services import HandlingItemInput, MaterialInput
from yiwang.services.models import Application, ApplicationMaterial, ApplicationStatus, BundleApplication
from yiwang.services.tests.factories import published_item
from yiwang.services.tests.test_applications import on
from yiwang.services.tests.test_materials import docx, png

S = ApplicationStatus
D = datetime.date
pytestmark = pytest.mark.django_db

NAME = {"type": "string", "title": "申请人姓名", "maxLength": 20, "x-element": "population:name"}
BIRTH_FORM = {  # 民政局's item: asks the applicant's name, the baby's name and a phone number
    "type": "object",
    "properties": {
        "name": NAME,
        "baby_name": {"type": "string", "title": "新生儿姓名"},
        "phone": {"type": "string", "title": "联系电话"},
    },
    "required": ["name", "baby_name"],
}
POLICE_FORM = {  # 公安局's: the same name under another property, the same phone (stricter) and an address
    "type": "object",
    "properties": {
        "applicant_name": {"type": "string", "title": "姓名", "x-element": "population:name"},
        "phone": {"type": "string", "title": "电话", "maxLength": 11},
        "address": {"type": "string", "title": "落户地址"},
    },
    "required": ["applicant_name", "phone", "address"],
}
INSURANCE_FORM = {
    "type": "object",
    "properties": {
        "insured_type": {"type": "string", "title": "参保类别", "enum": ["居民", "学生"]},
        "baby_name": {"type": "string", "title": "参保人姓名"},
    },
    "required": ["insured_type"],
}
ANSWERS = {
    "population:name": "王小明",
    "baby_name": "王小宝",
    "phone": "13800000000",
    "address": "明湖市清河区柳园社区1号",
    "insured_type": "居民",
}
FORM_SHEET = MaterialInput(name="申请表", source="applicant", form="electronic")
ID_CARD = MaterialInput(
    name="居民身份证", form="electronic", copies=0, source="license", source_reference="resident_id"
)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _department(name: str) -> int:
    return org_services.department_create(
        actor=None,
        name=name,
        credit_code=next_credit_code("11419800"),
        kind="government_department",
        division_code="419800",
    ).id


@pytest.fixture
def setting(city: Any, accounts: Any, make_citizen: Any, make_staff: Any, media: Path) -> dict[str, Any]:
    medicare = _department("医疗保障局")
    birth = published_item(
        department_id=city.civil_affairs,
        name="生育登记",
        form_schema=BIRTH_FORM,
        materials=(FORM_SHEET, ID_CARD),
        fees=(),
        handling_items=(HandlingItemInput(code="first", name="一孩"), HandlingItemInput(code="second", name="二孩")),
    )
    police = published_item(
        department_id=city.public_security,
        name="出生登记",
        form_schema=POLICE_FORM,
        materials=(
            MaterialInput(name="申请表", source="applicant", form="paper"),
            MaterialInput(name="出生医学证明", form="electronic", copies=0, source="license", source_reference="bmc"),
        ),
        handling_items=(),
    )
    insurance = published_item(
        department_id=medicare,
        name="城乡居民基本医疗保险参保登记",
        form_schema=INSURANCE_FORM,
        materials=(MaterialInput(name="参保登记表", source="applicant", form="electronic"), ID_CARD),
        handling_items=(),
    )
    versions = (birth, police, insurance)
    bundles.bundle_create(
        actor=accounts.admin,
        code="newborn",
        name="新生儿出生一件事",
        task_codes=[version.item.task_code for version in versions],
    )
    bundle = bundles.bundle_publish(actor=accounts.admin, code="newborn")
    departments = (city.civil_affairs, city.public_security, medicare)
    return {
        "bundle": bundle,
        "versions": versions,
        "applicant": accounts.citizen,
        "other_citizen": make_citizen("路人甲"),
        "clerks": [make_staff(department, (Role.CLERK,), real_name="窗口") for department in departments],
        "approvers": [make_staff(department, (Role.APPROVER,), real_name="审批") for department in departments],
        # 民政局 (the usual "staff_other") handles 生育登记 here; this clerk's department has no item of the bundle.
        "outsider": make_staff(_department("统计局"), (Role.CLERK,), real_name="局外人"),
        "accounts": accounts,
    }


def _file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def _ready(setting: dict[str, Any], answers: dict[str, Any] | None = None) -> BundleApplication:
    """A bundle draft with every answer and every material given."""
    applicant = setting["applicant"]
    started = bundles.bundle_application_start(
        actor=applicant, bundle_code="newborn", form_data=answers if answers is not None else ANSWERS
    )
    for name, content in (("申请表", png()), ("参保登记表", png())):
        bundles.bundle_material_upload(
            actor=applicant, bundle_application_id=started.pk, material_name=name, file=_file(f"{name}.png", content)
        )
    return started


def _submitted(setting: dict[str, Any]) -> BundleApplication:
    with on("2025-09-26"):
        return bundles.bundle_application_submit(actor=setting["applicant"], bundle_application_id=_ready(setting).pk)


def _subs(bundle_application: BundleApplication) -> list[Application]:
    return list(Application.objects.filter(bundle_application=bundle_application).order_by("pk"))


def test_the_merged_form_joins_fields_by_data_element_and_lists_each_material_once(setting: dict[str, Any]) -> None:
    form = bundles.bundle_form(setting["bundle"])
    assert form.schema == {
        "type": "object",
        "properties": {
            "population:name": NAME,  # the first definition: 民政局's title and limit
            "baby_name": {"type": "string", "title": "新生儿姓名"},
            "phone": {"type": "string", "title": "联系电话"},
            "address": {"type": "string", "title": "落户地址"},
            "insured_type": {"type": "string", "title": "参保类别", "enum": ["居民", "学生"]},
        },
        "required": ["population:name", "baby_name", "phone", "address", "insured_type"],
    }
    assert list(form.schema["properties"]) == ["population:name", "baby_name", "phone", "address", "insured_type"]
    birth, police, insurance = (version.item.task_code for version in setting["versions"])
    assert [(m.name, m.required, m.items) for m in form.materials] == [
        ("申请表", True, (birth, police)),
        ("参保登记表", True, (insurance,)),
    ]
    assert [(m.name, m.source, m.items) for m in form.fetched] == [
        ("居民身份证", "license", (birth, insurance)),
        ("出生医学证明", "license", (police,)),
    ]


def test_one_submission_numbers_the_bundle_and_submits_every_item_to_its_department(setting: dict[str, Any]) -> None:
    submitted = _submitted(setting)
    assert (submitted.number, submitted.status) == ("YJS20250926000001", "submitted")
    birth, police, insurance = _subs(submitted)
    assert [sub.status for sub in (birth, police, insurance)] == [S.RECEIVED] * 3
    assert [sub.number for sub in (birth, police, insurance)] == [  # the three departments share the city's division
        "41980020250926000001",
        "41980020250926000002",
        "41980020250926000003",
    ]
    assert birth.form_data == {"name": "王小明", "baby_name": "王小宝", "phone": "13800000000"}
    assert police.form_data == {"applicant_name": "王小明", "phone": "13800000000", "address": ANSWERS["address"]}
    assert insurance.form_data == {"insured_type": "居民", "baby_name": "王小宝"}
    assert birth.handling_item is not None and birth.handling_item.code == "first"  # the first handling item
    # One file given once, stored for both items that ask for a 申请表.
    uploads = ApplicationMaterial.objects.filter(name="申请表").order_by("application_id")
    assert [upload.application_id for upload in uploads] == [birth.pk, police.pk]
    assert len({upload.sm3 for upload in uploads}) == 1
    for clerk, sub in zip(setting["clerks"], (birth, police, insurance), strict=True):
        assert [summary.number for summary in department_inbox(actor=clerk)] == [sub.number]
    actions = AuditEvent.objects.filter(object_type="services.BundleApplication", object_id=str(submitted.pk))
    assert sorted(actions.values_list("action", flat=True)) == [
        "services.bundle_application.draft",
        "services.bundle_application.material_upload",
        "services.bundle_application.material_upload",
        "services.bundle_application.submit",
    ]


def test_the_merged_form_is_checked_once_with_every_problem(setting: dict[str, Any]) -> None:
    draft = _ready(setting, answers={"phone": "13800000000", "insured_type": "其他"})
    with pytest.raises(FormInvalid) as refused:
        bundles.bundle_application_submit(actor=setting["applicant"], bundle_application_id=draft.pk)
    assert [field for field, _message in refused.value.problems] == [
        "population:name",
        "baby_name",
        "address",
        "insured_type",
    ]
    assert [sub.status for sub in _subs(draft)] == [S.DRAFT] * 3
    bundles.bundle_application_save(actor=setting["applicant"], bundle_application_id=draft.pk, form_data=ANSWERS)
    assert _subs(draft)[1].form_data["address"] == ANSWERS["address"]


def test_nothing_is_submitted_when_one_item_refuses(setting: dict[str, Any]) -> None:
    # 公安局's phone allows 11 characters; the merged form keeps 民政局's definition, which has no limit.
    draft = _ready(setting, answers={**ANSWERS, "phone": "0379-1234-5678"})
    with pytest.raises(FormInvalid) as refused:
        bundles.bundle_application_submit(actor=setting["applicant"], bundle_application_id=draft.pk)
    assert [field for field, _message in refused.value.problems] == ["phone"]
    draft.refresh_from_db()
    assert (draft.number, draft.status) == (None, "draft")
    assert [(sub.status, sub.number) for sub in _subs(draft)] == [(S.DRAFT, None)] * 3  # 民政局's too


def test_nothing_is_submitted_while_a_material_is_missing(setting: dict[str, Any]) -> None:
    applicant = setting["applicant"]
    draft = bundles.bundle_application_start(actor=applicant, bundle_code="newborn", form_data=ANSWERS)
    bundles.bundle_material_upload(
        actor=applicant, bundle_application_id=draft.pk, material_name="申请表", file=_file("a.pdf", png())
    )
    with pytest.raises(ValidationFailed) as refused:
        bundles.bundle_application_submit(actor=applicant, bundle_application_id=draft.pk)
    assert (refused.value.field, refused.value.code) == ("materials", "materials_missing")
    assert "参保登记表" in str(refused.value)
    assert [sub.status for sub in _subs(draft)] == [S.DRAFT] * 3


def test_an_upload_one_item_refuses_is_stored_for_none(setting: dict[str, Any], media: Path) -> None:
    applicant = setting["applicant"]
    draft = bundles.bundle_application_start(actor=applicant, bundle_code="newborn", form_data=ANSWERS)
    # A Word document suits 民政局's electronic 申请表 but not 公安局's paper one.
    with pytest.raises(ValidationFailed):
        bundles.bundle_material_upload(
            actor=applicant, bundle_application_id=draft.pk, material_name="申请表", file=_file("申请表.docx", docx())
        )
    assert ApplicationMaterial.objects.count() == 0
    assert [path for path in media.rglob("*") if path.is_file()] == []
    with pytest.raises(NotFound):
        bundles.bundle_material_upload(
            actor=applicant, bundle_application_id=draft.pk, material_name="居民身份证", file=_file("id.png", png())
        )


def _decide(setting: dict[str, Any], index: int, sub: Application, outcome: str = "approved") -> None:
    services.application_review(actor=setting["approvers"][index], application_id=sub.pk, verdict="agree")
    services.application_decide(
        actor=setting["approvers"][index], application_id=sub.pk, outcome=outcome, opinion="理由" * 2
    )


def test_one_status_in_progress_late_then_concluded(setting: dict[str, Any]) -> None:
    submitted = _submitted(setting)
    subs = _subs(submitted)
    with on("2025-09-29"):
        for clerk, sub in zip(setting["clerks"], subs, strict=True):
            services.application_accept(actor=clerk, application_id=sub.pk)
    draft = bundles.bundle_application_start(actor=setting["applicant"], bundle_code="newborn", form_data={})
    assert bundles.bundle_application_status(draft).code == "draft"
    with on("2025-10-09"):
        _decide(setting, 0, subs[0])
        _decide(setting, 2, subs[2])
    # 公安局's 10 promised working days from 29 September ended on 20 October: a red card on the 21st.
    progress = bundles.bundle_application_status(submitted, today=D(2025, 10, 21))
    assert (progress.code, progress.concluded, progress.total, progress.late) == ("in_progress", 2, 3, True)
    early = bundles.bundle_application_status(submitted, today=D(2025, 10, 13))
    assert (early.code, early.late, early.concluded_at) == ("in_progress", False, None)
    assert bundles.bundle_applications_conclude() == []
    with on("2025-10-22"):
        _decide(setting, 1, subs[1])
    detail = bundles.bundle_application_detail(actor=setting["applicant"], bundle_application_id=submitted.pk)
    assert (detail.progress.code, detail.progress.concluded, detail.progress.late) == ("approved", 3, False)
    assert [summary.department for summary in detail.applications] == ["民政局", "公安局", "医疗保障局"]
    submitted.refresh_from_db()
    assert submitted.status == "concluded"
    assert submitted.concluded_at == datetime.datetime(2025, 10, 22, 2, tzinfo=datetime.UTC)
    assert AuditEvent.objects.filter(action="services.bundle_application.conclude").count() == 1


def test_a_refusal_concludes_with_refusals_and_the_sweep_records_it(setting: dict[str, Any]) -> None:
    submitted = _submitted(setting)
    subs = _subs(submitted)
    with on("2025-09-29"):
        for clerk, sub in zip(setting["clerks"][:2], subs[:2], strict=True):
            services.application_accept(actor=clerk, application_id=sub.pk)
        _decide(setting, 0, subs[0])
        _decide(setting, 1, subs[1], outcome="not_approved")
        services.application_refuse(actor=setting["clerks"][2], application_id=subs[2].pk, reasons="不属于参保范围")
    assert bundles.bundle_application_status(submitted).code == "refused"
    assert bundles.bundle_applications_conclude() == [submitted.number]
    assert bundles.bundle_applications_conclude() == []


def test_who_may_do_what(setting: dict[str, Any]) -> None:
    accounts, applicant, other = setting["accounts"], setting["applicant"], setting["other_citizen"]
    draft = bundles.bundle_application_start(actor=applicant, bundle_code="newborn", form_data=ANSWERS)
    for attempt in (
        lambda: bundles.bundle_application_detail(actor=other, bundle_application_id=draft.pk),
        lambda: bundles.bundle_application_save(actor=other, bundle_application_id=draft.pk, form_data={}),
        lambda: bundles.bundle_application_submit(actor=other, bundle_application_id=draft.pk),
        lambda: bundles.bundle_material_upload(
            actor=other, bundle_application_id=draft.pk, material_name="申请表", file=_file("a.png", png())
        ),
        lambda: bundles.bundle_application_detail(actor=accounts.admin, bundle_application_id=draft.pk),  # a draft
    ):
        with pytest.raises(NotFound):
            attempt()
    assert bundles.bundle_applications_of(actor=other) == []
    with pytest.raises(PermissionDenied):
        bundles.bundle_application_start(actor=accounts.staff, bundle_code="newborn", form_data={})
    task_codes = [version.item.task_code for version in setting["versions"]]
    for actor in (accounts.staff, applicant, setting["approvers"][0]):
        with pytest.raises(PermissionDenied):
            bundles.bundle_create(actor=actor, code="other", name="另一件事", task_codes=task_codes)
        with pytest.raises(PermissionDenied):
            bundles.bundle_publish(actor=actor, code="newborn")
    with pytest.raises(ValidationFailed) as one_department:
        bundles.bundle_create(actor=accounts.admin, code="other", name="另一件事", task_codes=task_codes[:1])
    assert one_department.value.field == "task_codes"
    drafted = bundles.bundle_create(actor=accounts.admin, code="other", name="另一件事", task_codes=task_codes[:2])
    with pytest.raises(NotFound):  # not published yet
        bundles.bundle_application_start(actor=applicant, bundle_code=drafted.code, form_data={})


# --- the API -----------------------------------------------------------------------------------------------------

ROLES = ["anonymous", "citizen", "other_citizen", "agent", "staff", "staff_other", "admin"]
EXPECTED = {
    # endpoint: status per role, in ROLES order ("staff" handles an item of the bundle, "staff_other" none)
    "list": [200, 200, 200, 200, 200, 200, 200],
    "bundle": [200, 200, 200, 200, 200, 200, 200],
    "create": [401, 403, 403, 403, 403, 403, 201],
    "start": [401, 201, 201, 201, 403, 403, 403],
    "mine": [401, 200, 200, 200, 200, 200, 200],
    "detail": [401, 200, 404, 404, 404, 404, 200],
    "save": [401, 200, 404, 404, 404, 404, 404],
    "upload": [401, 200, 404, 404, 404, 404, 404],
    "submit": [401, 200, 404, 404, 404, 404, 404],
}


def _post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, json.dumps(body or {}), content_type="application/json")


@pytest.mark.parametrize(("role", "index"), [(role, index) for index, role in enumerate(ROLES)])
def test_every_endpoint_for_every_role(setting: dict[str, Any], role: str, index: int) -> None:
    accounts = setting["accounts"]
    users = {
        "citizen": setting["applicant"],
        "other_citizen": setting["other_citizen"],
        "agent": accounts.agent,
        "staff": accounts.staff,  # a clerk of 公安局, which handles 出生登记
        "staff_other": setting["outsider"],
        "admin": accounts.admin,
    }
    client = Client() if role == "anonymous" else sign_in(Client(), users[role])
    submitted = _submitted(setting)
    draft = _ready(setting)
    base = f"/api/v1/services/bundle-applications/{draft.pk}"
    task_codes = [version.item.task_code for version in setting["versions"]]
    answers = {
        "list": client.get("/api/v1/services/bundles"),
        "bundle": client.get("/api/v1/services/bundles/newborn"),
        "create": _post(
            client, "/api/v1/services/bundles", {"code": "again", "name": "再一件事", "task_codes": task_codes}
        ),
        "start": _post(client, "/api/v1/services/bundle-applications", {"bundle": "newborn"}),
        "mine": client.get("/api/v1/services/bundle-applications"),
        "detail": client.get(f"/api/v1/services/bundle-applications/{submitted.pk}"),
        "save": client.put(f"{base}/form", json.dumps({"form_data": ANSWERS}), content_type="application/json"),
        "upload": client.post(f"{base}/materials", {"material_name": "申请表", "file": _file("申请表.png", png())}),
        "submit": _post(client, f"{base}/submit"),
    }
    got = {endpoint: answers[endpoint].status_code for endpoint in EXPECTED}
    assert got == {endpoint: statuses[index] for endpoint, statuses in EXPECTED.items()}
    for endpoint, response in answers.items():
        if response.status_code >= 400:
            assert response["Content-Type"] == "application/problem+json", endpoint
    mine = [row["number"] for row in answers["mine"].json()] if answers["mine"].status_code == 200 else []
    assert (submitted.number in mine) == (role == "citizen")


def test_a_bundle_through_the_api(setting: dict[str, Any]) -> None:
    guide = Client().get("/api/v1/services/bundles/newborn").json()
    assert [item["name"] for item in guide["items"]] == ["生育登记", "出生登记", "城乡居民基本医疗保险参保登记"]
    assert list(guide["form_schema"]["properties"]) == [
        "population:name",
        "baby_name",
        "phone",
        "address",
        "insured_type",
    ]
    assert [m["name"] for m in guide["materials"]] == ["申请表", "参保登记表"]
    assert [m["name"] for m in guide["fetched_materials"]] == ["居民身份证", "出生医学证明"]
    citizen = sign_in(Client(), setting["applicant"])
    started = _post(citizen, "/api/v1/services/bundle-applications", {"bundle": "newborn"}).json()
    assert (started["progress"]["code"], len(started["applications"])) == ("draft", 3)
    base = f"/api/v1/services/bundle-applications/{started['id']}"
    refused = _post(citizen, f"{base}/submit")
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json()["errors"]] == [
        "population:name",
        "baby_name",
        "phone",
        "address",
        "insured_type",
    ]
    citizen.put(f"{base}/form", json.dumps({"form_data": ANSWERS}), content_type="application/json")
    for name in ("申请表", "参保登记表"):
        assert (
            citizen.post(f"{base}/materials", {"material_name": name, "file": _file("a.png", png())}).status_code == 200
        )
    with on("2025-09-26"):
        done = _post(citizen, f"{base}/submit").json()
    assert (done["number"], done["progress"]["code"], done["progress"]["total"]) == (
        "YJS20250926000001",
        "in_progress",
        3,
    )
    assert [(sub["department"], sub["status"]) for sub in done["applications"]] == [
        ("民政局", 1),
        ("公安局", 1),
        ("医疗保障局", 1),
    ]


def test_a_sub_application_is_changed_and_submitted_only_with_its_bundle(setting: dict[str, Any]) -> None:
    from yiwang.services.applications import services as application_services

    ready = _ready(setting)
    first = _subs(ready)[0]
    with pytest.raises(Conflict):
        application_services.application_submit(actor=setting["applicant"], application_id=first.pk)
    with pytest.raises(Conflict):
        application_services.application_draft_save(
            actor=setting["applicant"], application_id=first.pk, form_data={"name": "改"}
        )
    uploads = list(first.materials.filter(superseded_at__isnull=True).values_list("pk", flat=True))
    with pytest.raises(Conflict):  # its files come through the bundle too
        extra = _file("x.png", png())
        material_upload(actor=setting["applicant"], application_id=first.pk, material_id=None, name="另附", file=extra)
    with pytest.raises(Conflict):
        material_remove(actor=setting["applicant"], upload_id=uploads[0], application_id=first.pk)
    assert list(first.materials.filter(superseded_at__isnull=True).values_list("pk", flat=True)) == uploads
    assert Application.objects.get(pk=first.pk).status == S.DRAFT
    page = sign_in(Client(), setting["applicant"]).get(f"/my/applications/{first.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="in-bundle"' in html and f'href="/my/bundles/{ready.pk}/"' in html
    assert 'action="/my/applications/' not in html  # neither its form nor its uploads: the bundle's page has them
    with on("2025-09-26"):
        submitted = bundles.bundle_application_submit(actor=setting["applicant"], bundle_application_id=ready.pk)
    assert [sub.status for sub in _subs(submitted)] == [S.RECEIVED] * 3
