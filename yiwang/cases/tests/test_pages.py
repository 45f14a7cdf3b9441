"""The console's case pages, through Django's test client: a whole lifecycle (take a call → dispatch → sign → return
→ reassign → sign → extension → conclude → unsatisfied follow-up → reopened → conclude → satisfied follow-up), a
duplicate merged at intake, a consultation concluded directly from the knowledge base, the panels of the intake
page, the boxes, the overdue list, files, concurrent steps and the hidden reporter.

The hotline, its units and people are those of conftest.py (`hotline`); the dispatch catalogue sends 路灯照明 to
城市管理局.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from yiwang.cases import services
from yiwang.cases.models import (
    Case,
    CaseAttachment,
    CaseEvent,
    CaseExtension,
    CaseReturn,
    CaseStatus,
    DispatchRule,
    KnowledgeArticle,
)
from yiwang.cases.routing import forget_loaded_model
from yiwang.cases.tests.conftest import Hotline, take_call
from yiwang.conftest import sign_in

pytestmark = pytest.mark.django_db
CONTENT = "柳园社区3号楼门口的路灯坏了一个星期了，晚上出门很黑，麻烦尽快修一下。"


def png(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def pages(hotline: Hotline, settings: Any, tmp_path: Path) -> Iterator[Callable[[Any], Client]]:
    """`pages(user)`: a client signed in as `user` (None: anonymous), reading English pages; files in a temporary
    media root; the catalogue sends street lamps to 城市管理局. The routing model the pages train (cold start) is
    forgotten afterwards: the next test's database has another."""
    settings.MEDIA_ROOT = tmp_path
    forget_loaded_model()
    rule = DispatchRule.objects.create(
        category_id=_category(hotline.lamp), lead_department_id=hotline.urban, basis="城市管理局权责清单第12项"
    )
    assert rule.pk

    def make(user: Any = None) -> Client:
        client = Client()
        client.cookies["yiwang_language"] = "en"
        return sign_in(client, user) if user is not None else client

    yield make
    forget_loaded_model()


def _category(code: str) -> int:
    from yiwang.cases.models import CaseCategory

    return CaseCategory.objects.get(code=code).pk


def main(response: Any) -> str:
    page = response.content.decode()
    return page[page.index("<main") :]


def number_of(response: Any) -> str:
    assert response.status_code == 302, response.content.decode()[:3000]
    found = re.search(r"/console/cases/(\d+)/$", response["Location"])
    assert found is not None, response["Location"]
    return found.group(1)


def seen(client: Client, number: str) -> str:
    page = client.get(f"/console/cases/{number}/").content.decode()
    found = re.search(r'name="seen" value="([^"]+)"', page)
    return found.group(1) if found else ""


def step(client: Client, number: str, slug: str, data: dict[str, Any] | None = None, *, item: int | None = None) -> Any:
    """POST one step's form as the page has it (prefixed fields, the seen token, the pending item)."""
    prefix = f"{slug}-{item}" if item is not None else slug
    body: dict[str, Any] = {f"{prefix}-{name}": value for name, value in (data or {}).items()}
    body["seen"] = seen(client, number)
    if item is not None:
        body["item"] = str(item)
    return client.post(f"/console/cases/{number}/{slug}/", body)


def status_of(number: str) -> str:
    return Case.objects.get(number=number).status


def kinds(number: str) -> list[str]:
    return list(CaseEvent.objects.filter(case__number=number).order_by("at", "id").values_list("kind", flat=True))


def call(hotline: Hotline, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "contact_phone": "13900001111",
        "contact_name": "刘女士",
        "case_type": "complaint",
        "content": CONTENT,
        "division_code": hotline.community,
        "address": "柳园社区3号楼",
        "action": "save",
    }
    body.update(changes)
    return body


# --- the whole lifecycle ----------------------------------------------------------------------------------------


def test_a_case_through_its_whole_lifecycle_on_the_pages(pages, hotline: Hotline) -> None:
    operator, dispatcher = pages(hotline.operator), pages(hotline.dispatcher)
    urban, housing = pages(hotline.urban_handler), pages(hotline.housing_handler)

    form = operator.get("/console/cases/intake/")
    assert form.status_code == 200
    page = main(form)
    for field in ("id_contact_phone", "id_content", "id_case_type", "id_division_code", "id_category_code"):
        assert f'id="{field}"' in page
    body = call(hotline, attachments=png(), category_code=hotline.lamp)
    number = number_of(operator.post("/console/cases/intake/", body))
    assert status_of(number) == CaseStatus.RECEIVED
    case = Case.objects.get(number=number)
    assert (case.channel, case.contact_phone, case.received_by_id) == ("phone", "13900001111", hotline.operator.pk)
    assert CaseAttachment.objects.filter(case=case).count() == 1

    # The dispatcher's page: the catalogue's proposal pre-fills the dispatch form.
    page = main(dispatcher.get(f"/console/cases/{number}/"))
    assert 'data-testid="step-dispatch"' in page
    assert f'data-testid="proposal" data-lead="{hotline.urban}"' in page
    assert f'<option value="{hotline.urban}" selected>城市管理局</option>' in page
    assert (
        step(
            dispatcher, number, "dispatch", {"category_code": hotline.lamp, "lead_department_id": hotline.urban}
        ).status_code
        == 302
    )
    assert status_of(number) == CaseStatus.DISPATCHED

    # The unit signs, then returns it: not its matter.
    assert 'data-testid="step-sign"' in main(urban.get(f"/console/cases/{number}/"))
    assert step(urban, number, "sign").status_code == 302
    assert status_of(number) == CaseStatus.IN_PROGRESS
    refused = step(urban, number, "return", {"reason": ""})
    assert refused.status_code == 400
    assert "This field is required." in main(refused)
    returned = step(
        urban,
        number,
        "return",
        {"reason": "小区内部路灯属物业管理", "basis": "权责清单第3项", "suggested_department_id": hotline.housing},
    )
    assert returned.status_code == 302
    assert status_of(number) == CaseStatus.RETURN_REQUESTED

    # The dispatcher reviews the return and reassigns it to 住房和城乡建设局.
    return_id = CaseReturn.objects.get(case__number=number).pk
    page = main(dispatcher.get(f"/console/cases/{number}/"))
    assert 'data-testid="step-review_return"' in page and "小区内部路灯属物业管理" in page
    missing_unit = step(dispatcher, number, "review_return", {"decision": "reassign"}, item=return_id)
    assert missing_unit.status_code == 400
    assert "Choose the unit the case goes to now." in main(missing_unit)
    reassigned = step(
        dispatcher, number, "review_return", {"decision": "reassign", "reassign_to_id": hotline.housing}, item=return_id
    )
    assert reassigned.status_code == 302
    assert Case.objects.get(number=number).lead_department_id == hotline.housing

    # The new unit signs, asks for an extension, which the dispatcher approves, and concludes.
    assert step(housing, number, "sign").status_code == 302
    assert step(housing, number, "extension", {"days": "3", "reason": "需协调物业公司"}).status_code == 302
    extension_id = CaseExtension.objects.get(case__number=number).pk
    assert step(dispatcher, number, "decide_extension", {"decision": "approve"}, item=extension_id).status_code == 302
    assert Case.objects.get(number=number).extended_days == 3
    assert step(housing, number, "conclude", {"reply": "已联系物业更换灯泡。"}).status_code == 302
    assert status_of(number) == CaseStatus.CONCLUDED

    # The follow-up: not satisfied — reopened with the same lead unit.
    assert 'data-testid="step-follow_up"' in main(operator.get(f"/console/cases/{number}/"))
    unsatisfied = step(
        operator, number, "follow_up", {"resolved": "no", "satisfaction": "unsatisfied", "note": "灯还是不亮"}
    )
    assert unsatisfied.status_code == 302
    case = Case.objects.get(number=number)
    assert (case.status, case.reopen_count, case.lead_department_id) == (CaseStatus.DISPATCHED, 1, hotline.housing)
    assert step(housing, number, "sign").status_code == 302
    assert step(housing, number, "conclude", {"reply": "已更换线路，灯已亮。"}).status_code == 302
    assert step(operator, number, "follow_up", {"resolved": "yes", "satisfaction": "satisfied"}).status_code == 302
    assert status_of(number) == CaseStatus.CLOSED
    assert kinds(number) == [
        "received",
        "attached",
        "dispatched",
        "signed",
        "return_requested",
        "reassigned",
        "signed",
        "extension_requested",
        "extension_approved",
        "concluded",
        "followed_up",
        "reopened",
        "signed",
        "concluded",
        "followed_up",
    ]
    page = main(operator.get(f"/console/cases/{number}/"))
    assert 'data-status="closed"' in page and "已更换线路，灯已亮。" in page
    assert 'data-testid="no-steps"' in page


def test_intake_can_dispatch_at_once_with_the_suggestion(pages, hotline: Hotline) -> None:
    operator = pages(hotline.operator)
    incomplete = operator.post("/console/cases/intake/", call(hotline, action="dispatch"))
    assert incomplete.status_code == 400
    page = main(incomplete)
    assert "Choose the category to dispatch the case." in page and "Choose the lead unit to dispatch the case." in page
    assert not Case.objects.exists()
    body = call(hotline, action="dispatch", category_code=hotline.lamp, lead_department_id=str(hotline.urban))
    number = number_of(operator.post("/console/cases/intake/", body))
    case = Case.objects.get(number=number)
    assert (case.status, case.lead_department_id, case.category.code) == ("dispatched", hotline.urban, hotline.lamp)


def test_a_refused_dispatch_at_intake_leaves_nothing(pages, hotline: Hotline) -> None:
    body = call(hotline, action="dispatch", category_code="01", lead_department_id=str(hotline.urban))
    response = pages(hotline.operator).post("/console/cases/intake/", body)
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_the_check_button_fills_the_dispatch_fields_from_the_catalogue(pages, hotline: Hotline) -> None:
    operator = pages(hotline.operator)
    take_call(hotline, contact_phone="13900001111", content="3号楼路灯不亮了好几天")
    response = operator.post("/console/cases/intake/", call(hotline, action="check", category_code=hotline.lamp))
    assert response.status_code == 200
    page = main(response)
    assert not Case.objects.filter(content=CONTENT).exists()  # nothing saved
    assert f'<option value="{hotline.urban}" selected>城市管理局</option>' in page
    assert CONTENT in page  # what was typed comes back
    history = page[page.index('id="caller-history"') : page.index('id="suggestions"')]
    assert "3号楼路灯不亮了好几天" in history


def test_the_panels_follow_what_is_typed(pages, hotline: Hotline) -> None:
    operator = pages(hotline.operator)
    earlier = take_call(hotline, content="柳园社区3号楼门口路灯坏了，晚上很黑")
    services.case_dispatch(
        actor=hotline.dispatcher, case_id=earlier.pk, category_code=hotline.lamp, lead_department_id=hotline.urban
    )
    history = operator.get("/console/cases/intake/caller/", {"contact_phone": "139 0000 1111"}, HTTP_HX_REQUEST="true")
    assert history.status_code == 200
    assert earlier.number in history.content.decode()
    nobody = operator.get("/console/cases/intake/caller/", {"contact_phone": "13700000000"}, HTTP_HX_REQUEST="true")
    assert "No earlier case from this phone." in nobody.content.decode()

    suggestions = operator.get(
        "/console/cases/intake/suggestions/",
        {
            "content": CONTENT,
            "division_code": hotline.community,
            "category_code": hotline.lamp,
            "lead_department_id": str(hotline.housing),
        },
        HTTP_HX_REQUEST="true",
    )
    fragment = suggestions.content.decode()
    assert f'data-testid="duplicate" data-number="{earlier.number}"' in fragment
    assert f'name="merge_into" value="{earlier.number}"' in fragment
    assert f'data-testid="proposal" data-lead="{hotline.urban}"' in fragment
    assert "hx-swap-oob" not in fragment  # the operator chose the unit: the dispatch fields stay as they are
    taken = operator.get(
        "/console/cases/intake/suggestions/",
        {"content": CONTENT, "use_category": hotline.lamp},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'id="dispatch-fields" data-testid="dispatch-fields" hx-swap-oob="outerHTML"' in taken
    assert f'<option value="{hotline.urban}" selected>城市管理局</option>' in taken


def test_a_duplicate_is_merged_at_intake(pages, hotline: Hotline) -> None:
    operator = pages(hotline.operator)
    main_case = take_call(hotline, contact_phone="13900002222")
    number = number_of(operator.post("/console/cases/intake/", call(hotline, merge_into=main_case.number)))
    case = Case.objects.get(number=number)
    assert (case.status, case.merged_into_id) == (CaseStatus.MERGED, main_case.pk)
    page = main(operator.get(f"/console/cases/{main_case.number}/"))
    assert f'<a href="/console/cases/{number}/">{number}</a>' in page


def test_merge_on_the_case_page_names_an_unknown_number(pages, hotline: Hotline) -> None:
    dispatcher = pages(hotline.dispatcher)
    first, second = take_call(hotline), take_call(hotline, content="路灯又坏了")
    unknown = step(dispatcher, second.number, "merge", {"into": "20990101000001"})
    assert unknown.status_code == 400
    assert "There is no case 20990101000001." in main(unknown)
    assert step(dispatcher, second.number, "merge", {"into": first.number}).status_code == 302
    assert status_of(second.number) == CaseStatus.MERGED


def test_a_consultation_is_concluded_directly_from_the_knowledge_base(pages, hotline: Hotline) -> None:
    article = KnowledgeArticle.objects.create(
        title="路灯报修渠道",
        answer="小区外道路路灯由城市管理局负责，可拨打12345报修。",
        department_id=hotline.urban,
        effective_from=datetime.date(2020, 1, 1),
    )
    operator = pages(hotline.operator)
    page = main(operator.get("/console/cases/intake/"))
    assert 'data-testid="knowledge-box"' in page and 'data-testid="conclude-directly"' in page
    empty = operator.post("/console/cases/intake/", call(hotline, case_type="consultation", action="conclude_directly"))
    assert empty.status_code == 400
    assert "Choose a knowledge base article or write the answer given." in main(empty)
    body = call(hotline, case_type="consultation", action="conclude_directly", article_id=str(article.pk))
    number = number_of(operator.post("/console/cases/intake/", body))
    case = Case.objects.get(number=number)
    assert (case.status, case.concluded_directly, case.reply) == ("concluded", True, article.answer)
    # A complaint cannot be concluded directly: the service's refusal comes back on the form.
    refused = operator.post(
        "/console/cases/intake/", call(hotline, action="conclude_directly", article_id=str(article.pk))
    )
    assert refused.status_code == 400
    assert "Only a consultation can be concluded directly by the hotline." in main(refused)


def test_conclude_directly_on_the_case_page_takes_the_article_of_the_knowledge_box(pages, hotline: Hotline) -> None:
    article = KnowledgeArticle.objects.create(
        title="路灯报修渠道",
        answer="可拨打12345报修。",
        department_id=hotline.urban,
        effective_from=datetime.date(2020, 1, 1),
    )
    case = take_call(hotline, case_type="consultation", content="路灯坏了找谁修？")
    operator = pages(hotline.operator)
    page = main(operator.get(f"/console/cases/{case.number}/"))
    assert 'id="step-conclude_directly-form"' in page
    response = operator.post(
        f"/console/cases/{case.number}/conclude_directly/", {"article_id": str(article.pk), "seen": "x"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.reply) == ("concluded", "可拨打12345报修。")


# --- concurrency, refusals, files ---------------------------------------------------------------------------------


def test_a_step_someone_else_took_first_shows_the_conflict(pages, hotline: Hotline) -> None:
    case = take_call(hotline)
    dispatcher = pages(hotline.dispatcher)
    token = seen(dispatcher, case.number)
    services.case_merge(actor=hotline.operator, case_id=case.pk, into_case_id=take_call(hotline, content="另一件").pk)
    body = {
        "dispatch-category_code": hotline.lamp,
        "dispatch-lead_department_id": str(hotline.urban),
        "seen": token,
    }
    response = dispatcher.post(f"/console/cases/{case.number}/dispatch/", body)
    assert response.status_code == 409
    page = main(response)
    assert 'data-testid="conflict"' in page
    assert f"Case {case.number} is Merged into another case: this step is not possible now." in page

    # Two signatures of the same unit: the second learns it was signed meanwhile.
    other = take_call(hotline, content="第三件")
    services.case_dispatch(
        actor=hotline.dispatcher, case_id=other.pk, category_code=hotline.lamp, lead_department_id=hotline.urban
    )
    urban = pages(hotline.urban_handler)
    token = seen(urban, other.number)
    services.case_sign(actor=hotline.urban_handler, case_id=other.pk)
    late = urban.post(f"/console/cases/{other.number}/sign/", {"seen": token})
    assert late.status_code == 409
    assert "this step is not open to it" in main(late)


def test_a_step_of_another_role_is_refused(pages, hotline: Hotline) -> None:
    case = take_call(hotline)
    urban = pages(hotline.urban_handler)
    response = urban.post(f"/console/cases/{case.number}/dispatch/", {})
    assert response.status_code == 404  # the case is not the unit's
    services.case_dispatch(
        actor=hotline.dispatcher, case_id=case.pk, category_code=hotline.lamp, lead_department_id=hotline.urban
    )
    assert urban.post(f"/console/cases/{case.number}/dispatch/", {}).status_code == 403
    assert urban.post(f"/console/cases/{case.number}/no-such-step/", {}).status_code == 404


def test_files_are_served_through_the_guarded_view_only(pages, hotline: Hotline) -> None:
    case = take_call(hotline)
    attachment = services.case_attach(actor=hotline.operator, case_id=case.pk, upload=png("门口.png"))
    operator = pages(hotline.operator)
    page = main(operator.get(f"/console/cases/{case.number}/"))
    link = f"/console/cases/{case.number}/files/{attachment.pk}/"
    assert f'href="{link}"' in page
    assert "/media/" not in page
    response = operator.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert pages(hotline.housing_handler).get(link).status_code == 404
    assert operator.get(f"/console/cases/{case.number}/files/{attachment.pk + 1000}/").status_code == 404


# --- boxes, overdue, hidden reporters -------------------------------------------------------------------------


def test_boxes_show_each_role_its_tabs_and_search(pages, hotline: Hotline) -> None:
    waiting = take_call(hotline)
    dispatched = take_call(hotline, content="噪音扰民，晚上施工")
    services.case_dispatch(
        actor=hotline.dispatcher, case_id=dispatched.pk, category_code=hotline.noise, lead_department_id=hotline.urban
    )
    dispatcher = main(pages(hotline.dispatcher).get("/console/cases/"))
    tabs = re.findall(r'data-box="(\w+)"', dispatcher)
    assert tabs == ["to_dispatch", "returns", "extensions", "in_progress", "overdue", "follow_up", "mine", "all"]
    assert f'data-number="{waiting.number}"' in dispatcher and f'data-number="{dispatched.number}"' not in dispatcher
    urban = pages(hotline.urban_handler)
    page = main(urban.get("/console/cases/"))
    assert re.findall(r'data-box="(\w+)"', page) == ["to_sign", "in_progress", "overdue", "all"]
    assert f'data-number="{dispatched.number}"' in page and f'data-number="{waiting.number}"' not in page
    assert str(CaseStatus.DISPATCHED.label) in page  # the status in words
    assert urban.get("/console/cases/?box=returns").status_code == 404
    found = pages(hotline.operator).get("/console/cases/", {"box": "all", "q": "噪音"}, HTTP_HX_REQUEST="true")
    fragment = found.content.decode()
    assert "<main" not in fragment and f'data-number="{dispatched.number}"' in fragment
    assert f'data-number="{waiting.number}"' not in fragment


def test_overdue_lists_per_unit_link_to_the_overdue_box(pages, hotline: Hotline) -> None:
    from freezegun import freeze_time

    with freeze_time("2026-03-02T02:00:00Z"):
        case = take_call(hotline)
        services.case_dispatch(
            actor=hotline.dispatcher, case_id=case.pk, category_code=hotline.lamp, lead_department_id=hotline.urban
        )
    with freeze_time("2026-04-30T02:00:00Z"):
        page = main(pages(hotline.dispatcher).get("/console/cases/overdue/"))
        assert f'data-testid="overdue-unit" data-unit="{hotline.urban}"' in page
        assert 'href="/console/cases/?box=overdue"' in page
        overdue_box = main(pages(hotline.dispatcher).get("/console/cases/?box=overdue"))
        assert f'data-number="{case.number}"' in overdue_box and "Overdue" in overdue_box
        assert 'data-testid="no-overdue"' in main(pages(hotline.housing_handler).get("/console/cases/overdue/"))


def test_a_hidden_reporter_never_reaches_the_handling_units_pages(pages, hotline: Hotline) -> None:
    operator = pages(hotline.operator)
    body = call(hotline, hide_reporter="on", contact_name="保密的刘女士", contact_phone="13912345678")
    number = number_of(operator.post("/console/cases/intake/", body))
    assert "13912345678" in main(operator.get(f"/console/cases/{number}/"))  # the hotline sees the caller
    case = Case.objects.get(number=number)
    services.case_dispatch(
        actor=hotline.dispatcher, case_id=case.pk, category_code=hotline.lamp, lead_department_id=hotline.urban
    )
    urban = pages(hotline.urban_handler)
    services.case_sign(actor=hotline.urban_handler, case_id=case.pk)
    for path in (f"/console/cases/{number}/", "/console/cases/", "/console/cases/?box=in_progress",
                 "/console/cases/?box=all&q=路灯"):  # fmt: skip
        page = urban.get(path).content.decode()
        assert "13912345678" not in page and "保密的刘女士" not in page and "139****5678" not in page, path
    page = main(urban.get(f"/console/cases/{number}/"))
    assert '<dd data-testid="contact-name">保密</dd>' in page
    assert '<dd data-testid="contact-phone">保密</dd>' in page


def test_the_router_proposes_its_top_units_and_categories_with_confidence(pages, hotline: Hotline) -> None:
    fragment = (
        pages(hotline.operator)
        .get("/console/cases/intake/suggestions/", {"content": "路灯不亮了，晚上很黑"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    units = fragment[fragment.index('data-testid="routing-units"') : fragment.index('data-testid="routing-categories"')]
    assert f'<li data-value="{hotline.urban}">城市管理局 — ' in units
    assert re.search(r"城市管理局 — \d+% confidence", units)
    assert f'name="use_lead" value="{hotline.urban}"' in units
    categories = fragment[fragment.index('data-testid="routing-categories"') :]
    assert f'<li data-value="{hotline.lamp}">{hotline.lamp} 路灯照明 — ' in categories
    # The lead unit is not chosen yet: the dispatch fields are filled from the router's first category's catalogue
    # entry (out of band).
    assert 'hx-swap-oob="outerHTML"' in fragment
    assert f'<option value="{hotline.urban}" selected>城市管理局</option>' in fragment
    # The category select swapped in asks for the suggestions itself when corrected by hand (a listener bound to
    # the select first drawn would be lost with it).
    select = fragment[fragment.index('<select name="category_code"') :]
    assert select.startswith(
        '<select name="category_code" hx-get="/console/cases/intake/suggestions/" hx-trigger="change" '
        'hx-target="#suggestions"'
    )


def test_a_correction_of_the_routing_suggestion_is_recorded_as_training_data(pages, hotline: Hotline) -> None:
    from yiwang.cases.models import RoutingFeedback

    body = call(
        hotline, action="dispatch", category_code=hotline.lamp, lead_department_id=str(hotline.housing)
    )  # the router proposes 城市管理局; the operator corrects it
    number = number_of(pages(hotline.operator).post("/console/cases/intake/", body))
    feedback = RoutingFeedback.objects.get(case__number=number)
    assert (feedback.proposed_department_id, feedback.chosen_department_id) == (hotline.urban, hotline.housing)
