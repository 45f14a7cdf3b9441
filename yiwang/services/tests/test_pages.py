"""The service pages: who may open and do what, the public guide's search and guide, and the console's actions.

Roles (yiwang/services/tests/conftest.py): "staff" is a clerk of 公安局 and "item_admin" its item administrator,
"staff_other" and "item_admin_other" the same of 民政局, "admin" a platform administrator; the `catalog` fixture
publishes 公安局's 户口迁移登记, 人社局's 社会保险参保登记 and 市场监管局's 个体工商户设立登记.
"""

from __future__ import annotations

from typing import Any

import pytest

from yiwang.conftest import url_routes
from yiwang.core.audit.models import AuditEvent
from yiwang.services.catalog.services import item_new_draft
from yiwang.services.models import ItemVersion, VersionStatus
from yiwang.services.tests.conftest import ROLES, row

OK, REDIRECT, BAD, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 403, 404, 405
CONSOLE = "/console/services/items"
HTMX = {"HTTP_HX_REQUEST": "true"}

EVERYONE = row(*[OK] * 8)
NOBODY = row(*[NOT_FOUND] * 8)
STAFF = row(REDIRECT, FORBIDDEN, FORBIDDEN, OK, OK, OK, OK, OK)
POLICE = row(REDIRECT, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND, OK, NOT_FOUND, OK)  # 公安局's item
EDITORS_OF_POLICE = row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND, REDIRECT)
PLATFORM = row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT)

# route pattern → [(method, path, body, expected per role)]. {residence} is 公安局's published item, {draft} the
# version 2 drafted from it, {unpublished} 公安局's item never published, {insurance} 人社局's.
PAGES: dict[str, list[tuple[Any, ...]]] = {
    "services/": [
        ("get", "/services/", None, EVERYONE),
        ("get", "/services/?q=社保&item_type=20", None, EVERYONE),
        ("get", "/services/?item_type=99", None, row(*[BAD] * 8)),
    ],
    "services/items/<slug:task_code>/": [
        ("get", "/services/items/{residence}/", None, EVERYONE),
        ("get", "/services/items/{unpublished}/", None, NOBODY),
        ("get", "/services/items/NO-SUCH-ITEM/", None, NOBODY),
    ],
    "console/services/items/": [
        ("get", f"{CONSOLE}/", None, STAFF),
        ("get", f"{CONSOLE}/?department=999999", None, row(REDIRECT, FORBIDDEN, FORBIDDEN, OK, OK, OK, OK, BAD)),
    ],
    "console/services/items/<slug:task_code>/": [
        ("get", f"{CONSOLE}/{{residence}}/", None, POLICE),
        ("get", f"{CONSOLE}/{{unpublished}}/", None, POLICE),
        ("get", f"{CONSOLE}/NO-SUCH-ITEM/", None, row(REDIRECT, FORBIDDEN, FORBIDDEN, *[NOT_FOUND] * 5)),
        ("post", f"{CONSOLE}/{{residence}}/", {}, row(REDIRECT, FORBIDDEN, FORBIDDEN, *[NOT_ALLOWED] * 5)),
    ],
    "console/services/items/<slug:task_code>/new-draft/": [
        ("post", f"{CONSOLE}/{{residence}}/new-draft/", {}, EDITORS_OF_POLICE),
        ("post", f"{CONSOLE}/{{unpublished}}/new-draft/", {}, EDITORS_OF_POLICE | {"item_admin": BAD, "admin": BAD}),
        ("get", f"{CONSOLE}/{{residence}}/new-draft/", None, row(REDIRECT, *[FORBIDDEN] * 4, *[NOT_ALLOWED] * 3)),
    ],
    "console/services/items/<slug:task_code>/versions/<int:version_id>/publish/": [
        ("post", f"{CONSOLE}/{{residence}}/versions/{{draft}}/publish/", {}, PLATFORM),
        ("post", f"{CONSOLE}/{{insurance}}/versions/{{draft}}/publish/", {}, PLATFORM | {"admin": NOT_FOUND}),
    ],
    "console/services/items/<slug:task_code>/retire/": [
        ("post", f"{CONSOLE}/{{residence}}/retire/", {"reason": "职能调整，事项取消"}, PLATFORM),
        ("post", f"{CONSOLE}/{{residence}}/retire/", {"reason": " "}, PLATFORM | {"admin": BAD}),
        ("post", f"{CONSOLE}/{{unpublished}}/retire/", {"reason": "取消"}, PLATFORM | {"admin": BAD}),
    ],
}
CASES = [(route, index) for route, cases in sorted(PAGES.items()) for index in range(len(cases))]


@pytest.fixture
def draft(catalog: Any) -> ItemVersion:
    """Version 2 of 公安局's 户口迁移登记, drafted by the department and waiting to be published."""
    return item_new_draft(actor=None, item_id=catalog.residence.item_id)


def main(response: Any) -> str:
    page = response.content.decode()
    return page[page.index("<main") :]


# --- who may open and do what ---------------------------------------------------------------------------------


def test_every_services_route_is_in_the_matrix():
    """Each area of pages has a matrix of its own, with its own guard rail; the rest are this file's."""
    from yiwang.services.tests import (
        test_application_pages,
        test_bundle_pages,
        test_console_process_pages,
        test_supervision_pages,
    )

    routes = {route for route in url_routes() if route.startswith(("services/", "console/services/"))}
    elsewhere = {
        *test_application_pages.PAGES,
        *test_bundle_pages.PAGES,
        *test_console_process_pages.PAGES,
        *(route for route in routes if route.startswith(test_supervision_pages.OWN_ROUTES)),
    }
    assert routes - elsewhere == set(PAGES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("route", "index"), CASES)
def test_matrix(clients, catalog, route, index, role, request):
    method, path, body, expected = PAGES[route][index]
    values = {
        "residence": catalog.residence.item.task_code,
        "unpublished": catalog.unpublished.item.task_code,
        "insurance": catalog.insurance.item.task_code,
    }
    if "{draft}" in path:
        values["draft"] = request.getfixturevalue("draft").pk
    path = path.format(**values)
    client = clients(role)
    response = client.get(path) if method == "get" else client.post(path, body)
    assert response.status_code == expected[role], (method, path, role)


def test_the_console_menu_leads_item_administrators_to_the_items(clients):
    for role in ("item_admin", "admin"):
        assert f'href="{CONSOLE}/"' in clients(role).get("/console/").content.decode()
    assert f'href="{CONSOLE}/"' not in clients("staff").get("/console/").content.decode()


def test_the_portal_links_the_service_guide(clients, catalog):
    home = clients("anonymous").get("/").content.decode()
    assert '<a href="/services/" >Service guide</a>' in home
    search = clients("anonymous").get("/services/").content.decode()
    assert '<a href="/services/" aria-current="page">Service guide</a>' in search


# --- the public guide: search -----------------------------------------------------------------------------------


def _result_names(html: str) -> list[str]:
    names = []
    for chunk in html.split('data-testid="result"')[1:]:
        link = chunk[chunk.index("<h3><a") :]
        names.append(link[link.index(">", 4) + 1 : link.index("</a>")])
    return names


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("社保", ["社会保险参保登记"]),  # 社保 stands for 社会保险
        ("户口", ["户口迁移登记"]),
        ("营业", ["个体工商户设立登记"]),  # its result is the 营业执照
        ("", ["个体工商户设立登记", "户口迁移登记", "社会保险参保登记"]),  # by implementation code
    ],
)
def test_search_finds_items_by_chinese_words_on_the_page_and_in_the_htmx_fragment(clients, catalog, query, names):
    client = clients("anonymous")
    page = client.get("/services/", {"q": query})
    assert page.status_code == OK
    assert _result_names(main(page)) == names
    assert "HX-Request" in page["Vary"]  # the same address answers a page and a fragment
    fragment = client.get("/services/", {"q": query}, **HTMX)
    html = fragment.content.decode()
    assert fragment.status_code == OK and "<html" not in html and "<main" not in html
    assert _result_names(html) == names
    count = html[: html.index("</p>")].strip()
    assert count.startswith('<p id="search-count" hx-swap-oob="innerHTML">')
    assert f"{len(names)} service" in count
    assert "临时身份证明" not in html  # never published


def test_each_result_shows_department_type_limit_depth_and_visits(clients, catalog):
    html = main(clients("anonymous").get("/services/"))
    cards = dict(zip(_result_names(html), html.split('data-testid="result"')[1:], strict=True))
    residence = cards["户口迁移登记"]
    for text in ("公安局", "Administrative licensing (行政许可)", "Promised time limit: 10 working days"):
        assert text in residence
    assert "Level 3: accepted and handled online, result collected in person" in residence
    assert "1 visit in person" in residence
    insurance = cards["社会保险参保登记"]
    assert "Promised time limit: 5 working days" in insurance and "No visit in person" in insurance
    assert "Level 4: fully online, result delivered" in insurance
    assert 'href="/services/items/11419800-SHEBAO-001/"' in insurance
    assert "Answered on the spot" in cards["个体工商户设立登记"]


def test_the_filters_narrow_the_results(clients, catalog):
    client = clients("anonymous")
    by_type = client.get("/services/", {"item_type": "20"})
    assert _result_names(main(by_type)) == ["社会保险参保登记"]
    assert '<option value="20" selected>' in main(by_type)
    by_department = client.get("/services/", {"department": catalog.police}, **HTMX)
    assert _result_names(by_department.content.decode()) == ["户口迁移登记"]
    nothing = client.get("/services/", {"q": "社保", "department": catalog.police})
    assert _result_names(main(nothing)) == []
    assert "No service matches." in main(nothing)


def test_the_search_works_without_script_and_with_htmx(clients, catalog):
    page = main(clients("anonymous").get("/services/", {"q": "户口"}))
    form = page[page.index("<form") : page.index("</form>")]
    assert 'method="get" action="/services/" role="search"' in form
    assert 'hx-get="/services/" hx-trigger="input delay:300ms, submit" hx-target="#search-results"' in form
    assert 'value="户口"' in form and 'for="id_q"' in form and 'type="submit"' in form
    assert '<p id="search-count" role="status" aria-live="polite">1 service matches “户口”' in page


def test_wrong_filters_are_shown_as_errors_not_as_a_crash(clients, catalog):
    client = clients("anonymous")
    page = client.get("/services/", {"item_type": "99", "department": "x"})
    assert page.status_code == BAD
    html = main(page)
    assert "There is a problem" in html and 'id="id_item_type_error"' in html and 'id="id_department_error"' in html
    fragment = client.get("/services/", {"item_type": "99"}, **HTMX)
    assert fragment.status_code == OK and "There is a problem" in fragment.content.decode()
    too_long = client.get("/services/", {"q": "社" * 101})
    assert too_long.status_code == BAD and "Ensure this value has at most 100 characters" in main(too_long)


def test_a_history_restore_gets_the_whole_page(clients, catalog):
    headers = {**HTMX, "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}
    assert "<main" in clients("anonymous").get("/services/", {"q": "户口"}, **headers).content.decode()


# --- the public guide: one item ------------------------------------------------------------------------------


def test_the_guide_shows_every_section_and_marks_materials_that_need_no_submission(clients, catalog):
    html = main(clients("citizen").get("/services/items/11419800-HUKOU-001/"))
    assert "<h1>户口迁移登记</h1>" in html
    for heading in (
        "Basic information", "Legal basis", "Acceptance conditions", "Materials", "Fees", "Time limits",
        "Where and when to apply", "Enquiries and complaints", "Result", "What you can apply for",
    ):  # fmt: skip
        assert f">{heading}</h2>" in html, heading
    for text in (
        "公安局", "11419800-HUKOU-001", "000105011000", "《中华人民共和国行政许可法》第十二条",
        "申请人为本市户籍居民。", "明湖市政务服务中心一楼综合窗口", "工作日 9:00-17:00", "0379-12345", "准予迁入证明",
        "首次申请",
        "20 working days", "10 working days", "Version 1, published",
    ):  # fmt: skip
        assert text in html, text
    table = html[html.index('<table data-testid="materials">') : html.index("</table>")]
    rows = table.split("<tr>")[2:]
    assert len(rows) == 3
    application, identity_card, address = rows
    assert "申请表" in application and "Required" in application and "Paper" in application
    assert (
        "现场填写" in application
        and "Provided by the applicant" in application
        and "No need to submit" not in application
    )
    mark = "No need to submit: the department obtains it from e-licenses or base registries"
    assert "居民身份证" in identity_card and mark in identity_card and "Electronic" in identity_card
    assert "户籍信息" in address and mark in address and "If applicable" in address
    fees = html[html.index('id="fees"') : html.index('id="time-limits"')]
    assert "工本费" in fees and "每证10元" in fees and "《收费标准通知》" in fees and "Free of charge." not in fees


def test_a_free_item_and_one_answered_on_the_spot_say_so(clients, catalog):
    insurance = main(clients("anonymous").get("/services/items/11419800-SHEBAO-001/"))
    assert '<p data-testid="free">Free of charge.</p>' in insurance
    assert "No need to submit" not in insurance
    licence = main(clients("anonymous").get("/services/items/11419800-GETI-001/"))
    time_limits = licence[licence.index('id="time-limits"') : licence.index('id="where"')]
    assert "Answered on the spot" in time_limits


def test_an_unpublished_item_is_the_sites_404_page(clients, catalog):
    response = clients("anonymous").get("/services/items/11419800-DRAFT-001/")
    assert response.status_code == NOT_FOUND
    assert "Page not found" in main(response) and "临时身份证明" not in response.content.decode()


# --- the console ------------------------------------------------------------------------------------------------


def test_the_console_lists_the_departments_items_and_the_platform_filters_by_department(clients, catalog):
    police = main(clients("item_admin").get(f"{CONSOLE}/"))
    assert f'href="{CONSOLE}/11419800-HUKOU-001/"' in police and f'href="{CONSOLE}/11419800-DRAFT-001/"' in police
    assert "11419800-SHEBAO-001" not in police and 'name="department"' not in police
    assert "2 items" in police and "Published" in police and "Draft" in police
    assert "No service item here yet." in main(clients("item_admin_other").get(f"{CONSOLE}/"))
    everything = main(clients("admin").get(f"{CONSOLE}/"))
    assert "4 items" in everything and 'name="department"' in everything
    filtered = main(clients("admin").get(f"{CONSOLE}/", {"department": catalog.social_security}))
    assert "1 item" in filtered and "11419800-SHEBAO-001" in filtered and "11419800-HUKOU-001" not in filtered


def test_a_new_draft_is_published_through_the_pages_with_its_audit_events(clients, people, catalog):
    item_admin, admin = clients("item_admin"), clients("admin")
    page = main(item_admin.get(f"{CONSOLE}/11419800-HUKOU-001/"))
    assert "Start a new draft" in page and "Publish version" not in page and "Retire the item" not in page
    response = item_admin.post(f"{CONSOLE}/11419800-HUKOU-001/new-draft/", follow=True)
    assert response.redirect_chain == [(f"{CONSOLE}/11419800-HUKOU-001/", REDIRECT)]
    assert "Version 2 is started as a draft." in main(response) and "Start a new draft" not in main(response)
    draft = ItemVersion.objects.get(item=catalog.residence.item, number=2)
    assert draft.status == VersionStatus.DRAFT
    event = AuditEvent.objects.get(action="services.item.new_draft")
    assert (event.object_id, event.actor_id) == (str(draft.pk), people["item_admin"].pk)

    page = main(admin.get(f"{CONSOLE}/11419800-HUKOU-001/"))
    publish = f'action="{CONSOLE}/11419800-HUKOU-001/versions/{draft.pk}/publish/"'
    assert publish in page and 'name="csrfmiddlewaretoken"' in page and "Publish version 2" in page
    response = admin.post(f"{CONSOLE}/11419800-HUKOU-001/versions/{draft.pk}/publish/", follow=True)
    assert "Version 2 is published." in main(response)
    statuses = dict(ItemVersion.objects.filter(item=catalog.residence.item).values_list("number", "status"))
    assert statuses == {1: VersionStatus.SUPERSEDED, 2: VersionStatus.PUBLISHED}
    assert (
        AuditEvent.objects.get(action="services.item.publish", object_id=str(draft.pk)).actor_id == people["admin"].pk
    )
    assert "Version 2, published" in main(clients("anonymous").get("/services/items/11419800-HUKOU-001/"))


def test_refusals_of_the_services_are_shown_on_the_page(clients, catalog, draft):
    admin = clients("admin")
    path = f"{CONSOLE}/11419800-HUKOU-001"
    assert admin.post(f"{path}/versions/{draft.pk}/publish/").status_code == REDIRECT
    again = admin.post(f"{path}/versions/{draft.pk}/publish/")  # the button of a page opened before
    assert again.status_code == BAD
    assert "There is a problem" in main(again) and "Only a draft can be published." in main(again)
    item_new_draft(actor=None, item_id=catalog.residence.item_id)
    twice = clients("item_admin").post(f"{path}/new-draft/")
    assert twice.status_code == BAD and "This item already has a draft: edit that one." in main(twice)
    assert AuditEvent.objects.filter(action="services.item.publish").count() == 4  # three items and version 2


def test_retiring_needs_a_reason_and_takes_the_item_out_of_the_guide(clients, people, catalog):
    admin = clients("admin")
    path = f"{CONSOLE}/11419800-HUKOU-001"
    refused = admin.post(f"{path}/retire/", {"reason": "  "})
    assert refused.status_code == BAD
    assert "Say why the item is retired." in main(refused) and 'id="id_reason_error"' in main(refused)
    assert 'aria-invalid="true"' in main(refused)
    response = admin.post(f"{path}/retire/", {"reason": "职能调整，事项取消"}, follow=True)
    assert "The item is retired" in main(response) and "Retired" in main(response)
    assert "Retire the item</h2>" not in main(response) and "Not in the service guide" in main(response)
    event = AuditEvent.objects.get(action="services.item.retire")
    assert event.actor_id == people["admin"].pk and "职能调整，事项取消" in event.changes
    assert clients("anonymous").get("/services/items/11419800-HUKOU-001/").status_code == NOT_FOUND
    assert _result_names(main(clients("anonymous").get("/services/", {"q": "户口"}))) == []
    again = admin.post(f"{path}/retire/", {"reason": "重复操作"})
    assert again.status_code == BAD and "The item has no published version to retire." in main(again)
