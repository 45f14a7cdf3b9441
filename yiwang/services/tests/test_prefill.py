"""Forms pre-filled from the base registries with the applicant's consent (applications/prefill.py)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from yiwang.conftest import sign_in
from yiwang.core.errors import Conflict, NotFound, ValidationFailed
from yiwang.datahub.ingestion.pipeline import ingest_rows
from yiwang.datahub.tests.conftest import registries  # noqa: F401 - the fixture
from yiwang.identity.selectors import enterprises_for
from yiwang.services.applications import services
from yiwang.services.applications.prefill import application_prefill, prefill_fields
from yiwang.services.models import Application
from yiwang.services.tests.factories import draft_item, published_item

pytestmark = pytest.mark.django_db

FORM = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "title": "姓名", "x-registry": "population:name"},
        "address": {"type": "string", "title": "户籍地址", "x-registry": "population:registered_address"},
        "birth": {"type": "string", "title": "出生日期", "x-registry": "population:birth_date", "maxLength": 4},
        "company": {"type": "string", "title": "企业名称", "x-registry": "legal-entities:name"},
        "area": {"type": "integer", "title": "经营面积（平方米）"},
    },
    "required": ["name", "area"],
}
ADDRESS = "明湖市清河区滨河路12号3栋402"


@pytest.fixture
def setting(registries: dict[str, Any], accounts: Any) -> dict[str, Any]:  # noqa: F811
    citizen = accounts.citizen
    number = citizen.id_number
    stored = ingest_rows(
        actor=None,
        resource_slug="population",
        source_department_id=registries["police"],
        rows=[
            {
                "公民身份号码": citizen.id_number,
                "姓名": citizen.real_name,
                "性别": "男" if int(number[16]) % 2 else "女",  # as the ID number says
                "出生日期": f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
                "户籍地址": ADDRESS,
            }
        ],
    )
    assert stored.accepted == 1
    (link,) = enterprises_for(accounts.agent)
    entities = ingest_rows(
        actor=None,
        resource_slug="legal-entities",
        source_department_id=registries["market"],
        rows=[{"统一社会信用代码": link.credit_code, "名称": "明湖示范贸易股份有限公司"}],
    )
    assert entities.accepted == 1
    item = published_item(department_id=registries["civil"], form_schema=FORM, handling_items=(), materials=())
    return {"accounts": accounts, "task_code": item.item.task_code}


def _draft(actor: Any, task_code: str, **extra: Any) -> Application:
    return services.application_draft_save(actor=actor, task_code=task_code, form_data={}, **extra)


def test_the_fields_a_registry_answers_are_listed_in_the_forms_order() -> None:
    assert [(field.field, field.resource, field.element) for field in prefill_fields(FORM)] == [
        ("name", "population", "name"),
        ("address", "population", "registered_address"),
        ("birth", "population", "birth_date"),
        ("company", "legal-entities", "name"),
    ]


def test_a_citizens_draft_is_filled_from_their_own_record_and_the_consent_recorded(setting: dict[str, Any]) -> None:
    citizen = setting["accounts"].citizen
    draft = _draft(citizen, setting["task_code"])
    filled = application_prefill(actor=citizen, application_id=draft.pk)
    assert filled.form_data == {"name": citizen.real_name, "address": ADDRESS}
    event = filled.events.get(action="prefill")
    assert (event.actor_id, event.status) == (citizen.pk, None)
    assert event.details == {
        "consent": True,
        "read": [
            "legal-entities:name",
            "population:birth_date",
            "population:name",
            "population:registered_address",
        ],
        "filled": ["name", "address"],
        # the date does not fit the field (at most 4 characters); no enterprise is applied for
        "unavailable": ["birth", "company"],
    }


def test_what_the_applicant_typed_stays(setting: dict[str, Any]) -> None:
    citizen = setting["accounts"].citizen
    draft = services.application_draft_save(
        actor=citizen, task_code=setting["task_code"], form_data={"name": "自己填写的名字", "area": 30}
    )
    filled = application_prefill(actor=citizen, application_id=draft.pk)
    assert filled.form_data == {"name": "自己填写的名字", "area": 30, "address": ADDRESS}
    assert filled.events.get(action="prefill").details["filled"] == ["address"]


def test_an_agent_gets_the_enterprises_registered_name(setting: dict[str, Any]) -> None:
    accounts = setting["accounts"]
    draft = _draft(accounts.agent, setting["task_code"], enterprise_id=accounts.enterprise_id)
    filled = application_prefill(actor=accounts.agent, application_id=draft.pk)
    assert filled.form_data["company"] == "明湖示范贸易股份有限公司"
    assert "name" not in filled.form_data  # the agent is not in the population registry here


def test_someone_the_registry_does_not_hold_gets_nothing_and_the_request_is_still_recorded(
    setting: dict[str, Any], make_citizen: Any
) -> None:
    stranger = make_citizen("外地人")
    draft = _draft(stranger, setting["task_code"])
    filled = application_prefill(actor=stranger, application_id=draft.pk)
    assert filled.form_data == {}
    assert filled.events.get(action="prefill").details["unavailable"] == ["name", "address", "birth", "company"]


def test_refusals(setting: dict[str, Any], registries: dict[str, Any]) -> None:  # noqa: F811
    accounts = setting["accounts"]
    draft = _draft(accounts.citizen, setting["task_code"])
    with pytest.raises(NotFound):  # another citizen's draft does not exist for them
        application_prefill(actor=accounts.agent, application_id=draft.pk)
    plain = published_item(
        department_id=registries["civil"],
        form_schema={"type": "object", "properties": {"area": {"type": "integer", "title": "面积"}}},
        handling_items=(),
        materials=(),
    )
    with pytest.raises(ValidationFailed) as nothing:
        application_prefill(actor=accounts.citizen, application_id=_draft(accounts.citizen, plain.item.task_code).pk)
    assert nothing.value.field == "form_data"
    answered = services.application_draft_save(
        actor=accounts.citizen, application_id=draft.pk, form_data={"name": "钱七", "area": 20}
    )
    services.application_submit(actor=accounts.citizen, application_id=answered.pk)
    with pytest.raises(Conflict):  # only a draft is filled
        application_prefill(actor=accounts.citizen, application_id=draft.pk)
    assert not Application.objects.get(pk=draft.pk).events.filter(action="prefill").exists()


def test_an_item_cannot_name_an_element_no_registry_has(registries: dict[str, Any]) -> None:  # noqa: F811
    for reference in ("population:salary", "taxes:income", "name"):
        form = {"type": "object", "properties": {"x": {"type": "string", "title": "X", "x-registry": reference}}}
        with pytest.raises(ValidationFailed) as refused:
            draft_item(department_id=registries["civil"], form_schema=form)
        assert refused.value.field == "form_schema"
        assert reference in str(refused.value)


def test_the_api(setting: dict[str, Any]) -> None:
    accounts = setting["accounts"]
    draft = _draft(accounts.citizen, setting["task_code"])
    url = f"/api/v1/services/applications/{draft.pk}/prefill"
    assert Client().post(url).status_code == 401
    assert sign_in(Client(), accounts.agent).post(url).status_code == 404
    assert sign_in(Client(), accounts.staff).post(url).status_code == 404
    answer = sign_in(Client(), accounts.citizen).post(url)
    assert answer.status_code == 200
    data = json.loads(answer.content)
    assert data["form_data"] == {"name": accounts.citizen.real_name, "address": ADDRESS}
    assert [field["field"] for field in data["prefill_fields"]] == ["name", "address", "birth", "company"]
    assert [event["action"] for event in data["events"]] == ["prefill"]


def test_the_page_asks_for_consent_and_fills_the_form(setting: dict[str, Any]) -> None:
    citizen = setting["accounts"].citizen
    draft = _draft(citizen, setting["task_code"])
    browser = sign_in(Client(), citizen)
    browser.cookies["yiwang_language"] = "en"
    page = browser.get(f"/my/applications/{draft.pk}/").content.decode()
    consent = page[page.index('data-testid="prefill"') : page.index("</section>", page.index('data-testid="prefill"'))]
    assert "Your consent and what was read are recorded" in consent
    assert re.findall(r"<li>([^<]+)</li>", consent) == ["姓名", "户籍地址", "出生日期", "企业名称"]
    answered = browser.post(f"/my/applications/{draft.pk}/prefill/", follow=True)
    assert answered.redirect_chain[-1] == (f"/my/applications/{draft.pk}/#form-heading", 302)
    assert "Filled in from the base registries: 姓名、户籍地址." in answered.content.decode()
    assert Application.objects.get(pk=draft.pk).form_data == {"name": citizen.real_name, "address": ADDRESS}
    assert f'value="{ADDRESS}"' in answered.content.decode()  # the form shows what was filled in
