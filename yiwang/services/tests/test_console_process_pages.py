"""The console's pages of an item version's BPMN process (ADR 0018): who may open and do what, the steps on the
item page, upload, check only, back to the default, the file to download, and a published version left alone.

Roles (yiwang/services/tests/conftest.py): "staff" is a clerk of 公安局 and "item_admin" its item administrator,
"staff_other" and "item_admin_other" the same of 民政局, "admin" a platform administrator. The `catalog` fixture
publishes 公安局's 户口迁移登记 (a 承诺件) and creates 人力资源和社会保障局, which the example process asks to review.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yiwang.conftest import url_routes
from yiwang.core.audit.models import AuditEvent
from yiwang.services.catalog.services import item_new_draft, item_process_set
from yiwang.services.models import ItemVersion
from yiwang.services.tests.conftest import ROLES, row
from yiwang.services.tests.test_process import ALLOWANCE, BAD
from yiwang.services.workflow.engine import MAX_BYTES, default_process_text

pytestmark = pytest.mark.django_db

OK, REDIRECT, BAD_REQUEST, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, CONFLICT = 200, 302, 400, 403, 404, 405, 409
ITEM = "/console/services/items/11419800-HUKOU-001"
BPMN_TYPE = "application/xml; charset=utf-8"


def post_only() -> dict[str, int]:
    """A GET of a form's address: refused before the method is looked at, else 405."""
    return row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)


def editors(code: int) -> dict[str, int]:
    """Only 公安局's item administrator and the platform's get `code`: clerks and applicants are refused, and 民政局's
    item administrator does not learn that the item exists."""
    return row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, code, NOT_FOUND, code)


# route pattern → [(method, path, body, expected per role)]. {draft} is version 2 of 公安局's 户口迁移登记, {published}
# its version 1, {insurance} 人社局's published version (of another item). Bodies: "good" and "bad" BPMN files.
VERSION = "console/services/items/<slug:task_code>/versions/<int:version_id>/"
PAGES: dict[str, list[tuple[Any, ...]]] = {
    f"{VERSION}process/": [
        ("get", f"{ITEM}/versions/{{draft}}/process/", None, editors(OK)),
        ("get", f"{ITEM}/versions/{{published}}/process/", None, editors(OK)),
        ("get", f"{ITEM}/versions/{{insurance}}/process/", None, editors(NOT_FOUND)),
        ("get", "/console/services/items/NO-SUCH-ITEM/versions/1/process/", None, editors(NOT_FOUND)),
        ("post", f"{ITEM}/versions/{{draft}}/process/", "good", editors(REDIRECT)),
        ("post", f"{ITEM}/versions/{{draft}}/process/", "bad", editors(BAD_REQUEST)),
        ("post", f"{ITEM}/versions/{{published}}/process/", "good", editors(CONFLICT)),
    ],
    f"{VERSION}process/check/": [
        ("post", f"{ITEM}/versions/{{draft}}/process/check/", "bad", editors(OK)),
        ("post", f"{ITEM}/versions/{{draft}}/process/check/", None, editors(BAD_REQUEST)),
        ("get", f"{ITEM}/versions/{{draft}}/process/check/", None, post_only()),
    ],
    f"{VERSION}process/reset/": [
        ("post", f"{ITEM}/versions/{{draft}}/process/reset/", {}, editors(REDIRECT)),
        ("post", f"{ITEM}/versions/{{published}}/process/reset/", {}, editors(CONFLICT)),
        ("get", f"{ITEM}/versions/{{draft}}/process/reset/", None, post_only()),
    ],
    f"{VERSION}process.bpmn": [
        ("get", f"{ITEM}/versions/{{draft}}/process.bpmn", None, editors(OK)),
        ("get", f"{ITEM}/versions/{{published}}/process.bpmn", None, editors(OK)),
        ("get", f"{ITEM}/versions/999999/process.bpmn", None, editors(NOT_FOUND)),
        ("post", f"{ITEM}/versions/{{draft}}/process.bpmn", {}, post_only()),
    ],
}
CASES = [(route, index) for route, cases in sorted(PAGES.items()) for index in range(len(cases))]


def upload(text: str | bytes, name: str = "process.bpmn") -> dict[str, Any]:
    content = text.encode("utf-8") if isinstance(text, str) else text
    return {"file": SimpleUploadedFile(name, content, content_type="application/xml")}


@pytest.fixture
def draft(catalog: Any) -> ItemVersion:
    """Version 2 of 公安局's 户口迁移登记, drafted by the department."""
    return item_new_draft(actor=None, item_id=catalog.residence.item_id)


def main(response: Any) -> str:
    page = response.content.decode()
    return page[page.index("<main") :]


def saved(version: ItemVersion) -> str:
    version.refresh_from_db()
    return version.process_bpmn


# --- who may open and do what ---------------------------------------------------------------------------------


def test_every_process_route_is_in_the_matrix():
    assert {route for route in url_routes() if route.startswith(VERSION) and "process" in route} == set(PAGES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("route", "index"), CASES)
def test_matrix(clients, catalog, draft, route, index, role):
    method, template, body, expected = PAGES[route][index]
    values = {"draft": draft.pk, "published": catalog.residence.pk, "insurance": catalog.insurance.pk}
    path = template.format(**values)
    client = clients(role)
    if method == "get":
        response = client.get(path)
    else:
        files = {"good": ALLOWANCE, "bad": BAD}
        response = client.post(path, upload(files[body]) if isinstance(body, str) else (body or {}))
    assert response.status_code == expected[role], (method, path, role)
    changed = body == "good" and expected[role] == REDIRECT and role != "anonymous"
    assert saved(draft) == (ALLOWANCE if changed else "")
    assert saved(catalog.residence) == ""


def test_the_item_page_shows_the_process_section_only_to_those_who_edit_the_item(clients, catalog, draft):
    for role in ("item_admin", "admin"):
        page = main(clients(role).get(f"{ITEM}/"))
        assert page.count('data-testid="process"') == 2, role
    clerk = main(clients("staff").get(f"{ITEM}/"))  # sees the item, but does not edit it
    assert "Process of version" not in clerk and "process.bpmn" not in clerk


# --- the item page ------------------------------------------------------------------------------------------------


def _section(page: str, version: ItemVersion) -> str:
    start = page.index(f'<section aria-labelledby="process-{version.pk}"')
    return page[start : page.index("</section>", start)]


def test_each_version_shows_the_process_it_runs_with_its_steps(clients, catalog, draft):
    page = main(clients("item_admin").get(f"{ITEM}/"))
    published = _section(page, catalog.residence)
    assert f'<h2 id="process-{catalog.residence.pk}">Process of version 1</h2>' in published
    assert "The platform's default process for: Answered within a promised limit (承诺件)" in published
    assert "<caption>Version 1: 3 steps, as the platform reads the process</caption>" in published
    steps = published.split('data-testid="process-step"')[1:]
    assert [step[step.index("<th") : step.index("<code>")] for step in steps] == [
        '<th scope="row">受理 ',
        '<th scope="row">审查 ',
        '<th scope="row">决定 ',
    ]
    assert "Acceptance (受理)" in steps[0] and "Window clerk" in steps[0] and "公安局" in steps[0]
    download = f'href="{ITEM}/versions/{catalog.residence.pk}/process.bpmn" download="11419800-HUKOU-001-v1.bpmn"'
    assert download in published
    assert "<form" not in published and "Only a draft's process can be changed" in published
    drafted = _section(page, draft)
    assert f'action="{ITEM}/versions/{draft.pk}/process/"' in drafted
    assert 'enctype="multipart/form-data"' in drafted and 'name="csrfmiddlewaretoken"' in drafted
    assert f'formaction="{ITEM}/versions/{draft.pk}/process/check/"' in drafted
    assert '<label for="id_file">BPMN file' in drafted and 'aria-describedby="id_file_hint"' in drafted
    assert "Use the platform's default process" not in drafted  # it runs the default already


# --- upload, check only, reset --------------------------------------------------------------------------------------


def test_a_good_file_is_saved_and_its_steps_are_listed(clients, people, catalog, draft):
    client = clients("item_admin")
    response = client.post(f"{ITEM}/versions/{draft.pk}/process/", upload(ALLOWANCE, "低保.bpmn"))
    assert response.status_code == REDIRECT
    assert response["Location"] == f"{ITEM}/#process-{draft.pk}"
    assert saved(draft) == ALLOWANCE
    event = AuditEvent.objects.get(action="services.item.process")
    assert (event.object_id, event.actor_id) == (str(draft.pk), people["item_admin"].pk)
    page = main(client.get(f"{ITEM}/"))
    assert "Version 2 now runs its own process." in page
    section = _section(page, draft)
    assert "The item's own process — 最低生活保障审核确认 (<code>minimum_living_allowance</code>)" in section
    steps = {
        step[step.index("<code>") + 6 : step.index("</code>")]: step
        for step in section.split('data-testid="process-step"')[1:]
    }
    assert list(steps) == ["accept", "review_income", "review_employment", "countersign", "decide"]
    assert "人力资源和社会保障局" in steps["review_employment"] and "5 working days" in steps["review_employment"]
    assert "公安局" in steps["review_income"] and "Review (审查)" in steps["review_income"]
    assert "3 people sign" in steps["countersign"] and "3 working days" in steps["countersign"]
    assert "Approver" in steps["decide"] and "Decision (决定)" in steps["decide"]
    assert f'action="{ITEM}/versions/{draft.pk}/process/reset/"' in section


def test_a_bad_file_is_refused_with_every_problem_its_line_and_element(clients, catalog, draft):
    response = clients("item_admin").post(f"{ITEM}/versions/{draft.pk}/process/", upload(BAD))
    assert response.status_code == BAD_REQUEST
    page = main(response)
    assert "There is a problem" in page
    assert '<a href="#id_file">BPMN file: The process cannot be used: 2 problems, listed below.</a>' in page
    assert 'id="id_file_error"' in page and 'aria-invalid="true"' in page
    table = page[page.index('data-testid="process-problems"') : page.index("</table>")]
    assert "<caption>2 problems in the file</caption>" in table
    rows = table.split("<tr>")[2:]
    assert rows[0].startswith("<td>95</td><td>—</td><td>not valid against the BPMN 2.0 schema")
    assert rows[1].startswith("<td>92</td><td><code>remind</code></td><td>not supported: service tasks")
    assert saved(draft) == ""
    assert not AuditEvent.objects.filter(action="services.item.process").exists()


def test_an_unknown_department_is_a_problem_with_its_line(clients, catalog, draft):
    unknown = ALLOWANCE.replace("@人力资源和社会保障局", "@不存在局")
    response = clients("admin").post(f"{ITEM}/versions/{draft.pk}/process/", upload(unknown))
    assert response.status_code == BAD_REQUEST
    row_html = main(response).split('data-testid="process-problems"')[1].split("<tr>")[2]
    assert row_html.startswith("<td>52</td><td><code>review_employment</code></td><td>No active department")
    assert saved(draft) == ""


def test_check_only_lists_the_problems_and_saves_nothing(clients, catalog, draft):
    client = clients("item_admin")
    checked = client.post(f"{ITEM}/versions/{draft.pk}/process/check/", upload(BAD))
    assert checked.status_code == OK
    page = main(checked)
    assert "The check found 2 problems; nothing was saved." in page and "There is a problem" not in page
    assert "<td>92</td><td><code>remind</code></td>" in page
    good = main(client.post(f"{ITEM}/versions/{draft.pk}/process/check/", upload(ALLOWANCE)))
    assert "The file has no problems: the platform can run it." in good and 'data-testid="process-problems"' not in good
    assert saved(draft) == ""
    assert not AuditEvent.objects.filter(action="services.item.process").exists()


def test_the_form_refuses_what_is_not_a_bpmn_file(clients, catalog, draft):
    client = clients("item_admin")
    path = f"{ITEM}/versions/{draft.pk}/process/"
    for data, message in (
        ({}, "Choose a BPMN file."),
        (upload(b""), "The file is empty: choose a BPMN file."),
        (upload("<x/>".encode("gbk") + "流程".encode("gbk")), "A BPMN file is UTF-8 encoded XML."),
        (upload(b" " * (MAX_BYTES + 1)), "A BPMN file is at most 1 MB."),
    ):
        response = client.post(path, data)
        assert response.status_code == BAD_REQUEST
        assert f'<a href="#id_file">BPMN file: {message}</a>' in main(response), message
    not_xml = client.post(path, upload(b"not xml at all"))
    assert not_xml.status_code == BAD_REQUEST and "not well-formed XML" in main(not_xml)
    assert saved(draft) == ""


def test_a_draft_returns_to_the_default_process(clients, catalog, draft):
    item_process_set(actor=None, version_id=draft.pk, bpmn=ALLOWANCE)
    client = clients("admin")
    response = client.post(f"{ITEM}/versions/{draft.pk}/process/reset/", follow=True)
    assert response.redirect_chain == [(f"{ITEM}/#process-{draft.pk}", REDIRECT)]
    assert "Version 2 runs the platform&#x27;s default process again." in main(response)
    assert saved(draft) == ""
    assert AuditEvent.objects.filter(action="services.item.process", object_id=str(draft.pk)).count() == 2


# --- the file -------------------------------------------------------------------------------------------------------


def test_the_file_downloads_with_its_type_and_name(clients, catalog, draft):
    client = clients("item_admin")
    default = client.get(f"{ITEM}/versions/{catalog.residence.pk}/process.bpmn")
    assert default["Content-Type"] == BPMN_TYPE
    assert default["Content-Disposition"] == 'attachment; filename="11419800-HUKOU-001-v1.bpmn"'
    assert default.content.decode("utf-8") == default_process_text("promised")
    item_process_set(actor=None, version_id=draft.pk, bpmn=ALLOWANCE)
    own = client.get(f"{ITEM}/versions/{draft.pk}/process.bpmn")
    assert own["Content-Disposition"] == 'attachment; filename="11419800-HUKOU-001-v2.bpmn"'
    assert own.content.decode("utf-8") == ALLOWANCE


# --- a published version stays as published -------------------------------------------------------------------------


def test_a_published_version_shows_no_forms_and_refuses_a_forged_post(clients, catalog):
    client = clients("item_admin")
    path = f"{ITEM}/versions/{catalog.residence.pk}/process"
    page = main(client.get(f"{path}/"))
    assert "<h1>户口迁移登记</h1>" in page and 'type="file"' not in page and "/process/reset/" not in page
    forged = client.post(f"{path}/", upload(ALLOWANCE))
    assert forged.status_code == CONFLICT
    refusal = main(forged)
    assert "There is a problem" in refusal
    assert "Only a draft can be changed; a published version stays as it was published." in refusal
    assert 'type="file"' not in refusal
    reset = client.post(f"{path}/reset/")
    assert reset.status_code == CONFLICT and "Only a draft can be changed" in main(reset)
    assert saved(catalog.residence) == ""
    assert not AuditEvent.objects.filter(action="services.item.process").exists()
