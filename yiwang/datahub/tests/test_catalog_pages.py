"""The catalog's console pages: who may open and change what, search, the review flow, the elements editor.

Roles of the matrix: anonymous, citizen, agent, staff (clerk of 公安局), staff_other (clerk of 民政局),
data_admin (data administrator of 公安局, the source of the population registry and of the drafts below),
data_admin_other (data administrator of 民政局) and admin (platform administrator).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from yiwang.conftest import sign_in, url_routes
from yiwang.datahub.catalog import selectors, services
from yiwang.datahub.models import Resource, ResourceStatus
from yiwang.datahub.tests.builders import element

ROLES = ["anonymous", "citizen", "agent", "staff", "staff_other", "data_admin", "data_admin_other", "admin"]
LOGIN = "login"  # sent to the sign-in page
DONE = "done"  # the change was made (or refused with a message) and the page redirects
OK, BAD, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 400, 403, 404, 405
BASE = "/console/datahub/catalog/"


def row(anonymous, citizen, agent, staff, staff_other, data_admin, data_admin_other, admin):
    values = (anonymous, citizen, agent, staff, staff_other, data_admin, data_admin_other, admin)
    return dict(zip(ROLES, values, strict=True))


STAFF_PAGE = row(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, OK, OK, OK)
EDITOR_PAGE = row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK)
STAFF_GET_ONLY = row(LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)
EDITOR_POST_ONLY = row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)
ADMIN_POST_ONLY = row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED)
ADMIN_DOES = row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, DONE)


def police_fields(department_id, slug, code, name, **overrides):
    values = {
        "slug": slug,
        "code": code,
        "name": name,
        "source_department_id": department_id,
        "sharing_type": "conditional",
        "sharing_condition": "仅用于依法履职",
        "openness": "none",
        "update_cycle": "daily",
        "category_class": "2 主题信息资源",
    }
    values.update(overrides)
    return services.ResourceFields(**values)


KEY = element("plate", "号牌号码", required=True, is_key=True, length=10)


@pytest.fixture
def catalog(registries, accounts):
    """Population (published), a draft of 公安局 (household) and a submitted entry of 公安局 (vehicles)."""
    police_admin = registries["police_data_admin"]
    household = services.resource_create(
        actor=police_admin,
        fields=police_fields(registries["police"], "household", "2-01-009", "户籍迁移登记"),
        elements=[element("id_number", "公民身份号码", "id_number", required=True, is_key=True, length=18)],
    )
    vehicles = services.resource_create(
        actor=police_admin,
        fields=police_fields(registries["police"], "vehicles", "2-01-010", "机动车登记信息"),
        elements=[KEY],
    )
    services.resource_submit(actor=police_admin, resource_id=vehicles.pk)
    return {"household": household, "vehicles": vehicles, **registries}


@pytest.fixture
def client_for(catalog, accounts):
    users = {
        "citizen": accounts.citizen,
        "agent": accounts.agent,
        "staff": accounts.staff,
        "staff_other": accounts.staff_other,
        "data_admin": catalog["police_data_admin"],
        "data_admin_other": catalog["civil_data_admin"],
        "admin": accounts.admin,
    }

    def make(role, **options):
        client = Client(**options)
        client.cookies["yiwang_language"] = "en"  # pages in English, as the messages asserted here
        return client if role == "anonymous" else sign_in(client, users[role])

    return make


def form_data(department_id, *, elements=(), **overrides):
    """A POST of the entry form: metadata and the rows of the elements editor."""
    data = {
        "action": "save",
        "code": "2-01-011",
        "name": "驾驶证信息",
        "slug": "",
        "category_class": "2 主题信息资源",
        "category_item": "01 公共安全",
        "category_catalog": "",
        "category_detail": "",
        "source_department": str(department_id),
        "summary": "机动车驾驶证的准驾车型和状态。",
        "format": "数据库",
        "sharing_type": "conditional",
        "sharing_condition": "仅用于交通管理",
        "sharing_methods": ["api", "verification"],
        "openness": "none",
        "openness_condition": "",
        "update_cycle": "daily",
        "release_date": "",
        "related_codes": "",
    }
    data.update(overrides)
    rows = list(elements) or [
        {
            "code": "licence_no",
            "name": "驾驶证号",
            "data_type": "string",
            "length": "18",
            "required": "on",
            "is_key": "on",
        },
        {"code": "class", "name": "准驾车型", "data_type": "enum", "enumeration": "A1、A2，C1"},
    ]
    data.update(
        {
            "elements-TOTAL_FORMS": str(len(rows)),
            "elements-INITIAL_FORMS": "0",
            "elements-MIN_NUM_FORMS": "0",
            "elements-MAX_NUM_FORMS": "500",
        }
    )
    for index, values in enumerate(rows):
        defaults = {"data_type": "string"}
        for key, value in {**defaults, **values}.items():
            data[f"elements-{index}-{key}"] = value
    return data


def _police(catalog):
    return catalog["police"]


# route pattern → cases: (method, path, data, expected per role); data may be a function of the fixture
MATRIX: dict[str, list[tuple[str, str, Any, dict[str, Any]]]] = {
    "catalog/": [
        ("get", BASE, None, STAFF_PAGE),
        ("get", BASE + "?q=户籍&status=draft", None, STAFF_PAGE),
        ("post", BASE, {}, STAFF_GET_ONLY),
    ],
    "catalog/new/": [
        ("get", BASE + "new/", None, EDITOR_PAGE),
        # 民政局's data administrator may not choose 公安局: the form refuses the department.
        ("post", BASE + "new/", lambda c: form_data(c["police"]), row(LOGIN, 403, 403, 403, 403, DONE, BAD, DONE)),
    ],
    "catalog/import/": [
        ("get", BASE + "import/", None, EDITOR_PAGE),
        ("post", BASE + "import/", {}, row(LOGIN, 403, 403, 403, 403, BAD, BAD, BAD)),
    ],
    "catalog/export.xlsx": [
        ("get", BASE + "export.xlsx", None, STAFF_PAGE),
        ("post", BASE + "export.xlsx", {}, STAFF_GET_ONLY),
    ],
    "catalog/<slug:slug>/": [
        ("get", BASE + "population/", None, STAFF_PAGE),
        ("get", BASE + "household/", None, row(LOGIN, 403, 403, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK)),
        ("get", BASE + "no-such-entry/", None, row(LOGIN, 403, 403, 404, 404, 404, 404, 404)),
        ("post", BASE + "population/", {}, STAFF_GET_ONLY),
    ],
    "catalog/<slug:slug>/edit/": [
        ("get", BASE + "population/edit/", None, row(LOGIN, 403, 403, 403, 403, OK, FORBIDDEN, OK)),
        ("get", BASE + "household/edit/", None, row(LOGIN, 403, 403, 403, 403, OK, NOT_FOUND, OK)),
        (
            "post",
            BASE + "household/edit/",
            lambda c: form_data(c["police"], code="2-01-009", slug="household", name="户籍迁移登记信息"),
            row(LOGIN, 403, 403, 403, 403, DONE, NOT_FOUND, DONE),
        ),
    ],
    "catalog/<slug:slug>/submit/": [
        ("get", BASE + "household/submit/", None, EDITOR_POST_ONLY),
        ("post", BASE + "household/submit/", {}, row(LOGIN, 403, 403, 403, 403, DONE, NOT_FOUND, DONE)),
        ("post", BASE + "population/submit/", {}, row(LOGIN, 403, 403, 403, 403, DONE, FORBIDDEN, DONE)),
    ],
    "catalog/<slug:slug>/publish/": [
        ("get", BASE + "vehicles/publish/", None, ADMIN_POST_ONLY),
        ("post", BASE + "vehicles/publish/", {}, ADMIN_DOES),
    ],
    "catalog/<slug:slug>/return/": [
        ("get", BASE + "vehicles/return/", None, ADMIN_POST_ONLY),
        ("post", BASE + "vehicles/return/", {"note": "请补充共享条件的依据"}, ADMIN_DOES),
    ],
    "catalog/<slug:slug>/authority/": [
        ("get", BASE + "population/authority/", None, ADMIN_POST_ONLY),
        ("post", BASE + "population/authority/", lambda c: {"element": "phone", "department": c["civil"]}, ADMIN_DOES),
    ],
}

CASES = [
    pytest.param(route, index, role, id=f"{route}#{index}-{role}")
    for route, cases in MATRIX.items()
    for index in range(len(cases))
    for role in ROLES
]


def _outcome(response):
    if response.status_code == 302:
        return LOGIN if response["Location"].startswith("/login/") else DONE
    return response.status_code


def test_every_catalog_route_is_in_the_matrix():
    routes = {
        route.removeprefix("console/datahub/") for route in url_routes() if route.startswith("console/datahub/catalog")
    }
    assert routes == set(MATRIX)


def test_every_route_is_checked_for_reading_and_for_changing():
    for route, cases in MATRIX.items():
        assert {method for method, *_rest in cases} == {"get", "post"}, route


@pytest.mark.parametrize(("route", "index", "role"), CASES)
def test_authorization(client_for, catalog, route, index, role):
    method, path, data, expected = MATRIX[route][index]
    client = client_for(role)
    body = data(catalog) if callable(data) else data
    response = client.get(path) if method == "get" else client.post(path, body)
    assert _outcome(response) == expected[role], (method, path, role, response.status_code)


def test_refused_changes_change_nothing(client_for, catalog):
    vehicles = catalog["vehicles"]
    for role in ("staff", "staff_other", "data_admin", "data_admin_other"):
        client_for(role).post(BASE + "vehicles/publish/")
        client_for(role).post(BASE + "vehicles/return/", {"note": "不行"})
    client_for("data_admin_other").post(BASE + "household/submit/")
    vehicles.refresh_from_db()
    assert (vehicles.status, vehicles.version) == (ResourceStatus.SUBMITTED, 0)
    assert Resource.objects.get(slug="household").status == ResourceStatus.DRAFT


# --- CSRF ---------------------------------------------------------------------------------------------------

POSTS = [
    (role, path, data)
    for cases in MATRIX.values()
    for method, path, data, expected in cases
    if method == "post"
    for role, outcome in expected.items()
    if outcome in {DONE, BAD}
]


@pytest.mark.parametrize(("role", "path", "data"), POSTS, ids=[f"{path}-{role}" for role, path, _data in POSTS])
def test_changes_need_the_csrf_token(client_for, catalog, role, path, data):
    client = client_for(role, enforce_csrf_checks=True)
    response = client.post(path, data(catalog) if callable(data) else data)
    assert response.status_code == FORBIDDEN
    assert Resource.objects.get(slug="vehicles").status == ResourceStatus.SUBMITTED
    assert not Resource.objects.filter(code="2-01-011").exists()


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("admin", BASE + "vehicles/"),
        ("admin", BASE + "population/"),
        ("data_admin", BASE + "household/"),
        ("data_admin", BASE + "new/"),
        ("data_admin", BASE + "household/edit/"),
        ("admin", BASE + "import/"),
    ],
)
def test_every_form_that_changes_something_posts_with_a_token(client_for, role, path):
    page = client_for(role).get(path).content.decode()
    forms = re.findall(r"<form\b[^>]*>.*?</form>", page, flags=re.S)
    posting = [form for form in forms if 'method="post"' in form]
    assert posting
    assert all("csrfmiddlewaretoken" in form for form in posting)
    assert all('method="get"' in form or 'method="post"' in form for form in forms)


# --- search and lists -----------------------------------------------------------------------------------------


def _rows(page):
    return re.findall(r'<th scope="row"><a href="/console/datahub/catalog/([a-z0-9-]+)/">', page)


def test_the_search_box_finds_the_population_registry_by_household_registration(client_for):
    page = client_for("staff_other").get(BASE, {"q": "户籍"}).content.decode()
    assert _rows(page)[0] == "population"
    assert 'value="户籍"' in page
    assert "household" not in _rows(page)  # 公安局's draft is not for a clerk of 民政局
    assert "household" in _rows(client_for("data_admin").get(BASE, {"q": "户籍"}).content.decode())


def test_the_abbreviation_of_social_insurance_finds_it(client_for, catalog):
    civil_admin = catalog["civil_data_admin"]
    resource = services.resource_create(
        actor=civil_admin,
        fields=police_fields(catalog["civil"], "social-insurance", "2-03-002", "城乡居民社会保险参保信息"),
        elements=[element("id_number", "公民身份号码", "id_number", required=True, is_key=True)],
    )
    services.resource_submit(actor=civil_admin, resource_id=resource.pk)
    assert _rows(client_for("staff").get(BASE, {"q": "社保"}).content.decode()) == []  # not yet published
    services.resource_publish(actor=None, resource_id=resource.pk)
    assert _rows(client_for("staff").get(BASE, {"q": "社保"}).content.decode()) == ["social-insurance"]


def test_what_each_role_sees_in_the_list(client_for):
    clerk = _rows(client_for("staff").get(BASE).content.decode())
    assert set(clerk) == {"population", "legal-entities", "indicators", "e-licenses"}
    own = _rows(client_for("data_admin").get(BASE).content.decode())
    assert {"household", "vehicles"} <= set(own)
    other = _rows(client_for("data_admin_other").get(BASE).content.decode())
    assert "household" not in other
    everything = _rows(client_for("admin").get(BASE).content.decode())
    assert {"household", "vehicles", "population"} <= set(everything)


def test_the_review_queue_lists_submitted_entries(client_for):
    page = client_for("admin").get(BASE, {"status": "submitted"}).content.decode()
    assert _rows(page) == ["vehicles"]
    assert "Review queue: 1 entry submitted" in client_for("admin").get(BASE).content.decode()
    # a clerk's status filter is ignored: published entries only
    assert "vehicles" not in _rows(client_for("staff").get(BASE, {"status": "submitted"}).content.decode())


# --- the review flow through the pages -----------------------------------------------------------------------


def test_draft_submit_return_and_publish_through_the_pages(client_for, catalog):
    police_admin = client_for("data_admin")
    response = police_admin.post(BASE + "new/", form_data(catalog["police"]))
    assert response.status_code == 302 and response["Location"] == BASE + "2-01-011/"
    resource = Resource.objects.get(code="2-01-011")
    assert (resource.status, resource.slug, resource.sharing_methods) == ("draft", "2-01-011", ["api", "verification"])
    assert list(resource.elements.values_list("code", flat=True)) == ["licence_no", "class"]
    assert resource.elements.get(code="class").enumeration == ["A1", "A2", "C1"]
    # other departments do not see the draft
    assert client_for("staff_other").get(BASE + "2-01-011/").status_code == NOT_FOUND

    police_admin.post(BASE + "2-01-011/submit/")
    admin = client_for("admin")
    page = admin.get(BASE + "2-01-011/").content.decode()
    assert "Publish as version 1" in page and "Return to the department" in page

    response = admin.post(BASE + "2-01-011/return/", {"note": "请写明准驾车型的代码标准"})
    assert response.status_code == 302
    page = police_admin.get(BASE + "2-01-011/").content.decode()
    assert "请写明准驾车型的代码标准" in page and "Submit for review" in page

    police_admin.post(BASE + "2-01-011/submit/")
    admin.post(BASE + "2-01-011/publish/")
    resource.refresh_from_db()
    assert (resource.status, resource.version) == ("published", 1)
    page = client_for("staff_other").get(BASE + "2-01-011/").content.decode()
    assert "驾驶证信息" in page and "First publication" in page
    log = admin.get(BASE + "2-01-011/").content.decode()
    for label in ("Created", "Submitted for review", "Returned to the department", "Published"):
        assert label in log


def test_a_revision_stays_unpublished_until_it_is_published(client_for, catalog):
    vehicles = catalog["vehicles"]
    services.resource_publish(actor=None, resource_id=vehicles.pk)
    data = form_data(catalog["police"], code="2-01-010", slug="vehicles", name="机动车登记信息（新）")
    data.update({"elements-0-code": "plate", "elements-0-name": "号牌号码", "elements-0-length": "10"})
    data.update({"elements-1-code": "colour", "elements-1-name": "号牌颜色", "elements-1-data_type": "string"})
    data["elements-1-enumeration"] = ""
    response = client_for("data_admin").post(BASE + "vehicles/edit/", data)
    assert response.status_code == 302
    vehicles.refresh_from_db()
    assert (vehicles.status, vehicles.name) == ("draft", "机动车登记信息（新）")
    published = client_for("staff_other").get(BASE + "vehicles/").content.decode()
    assert "机动车登记信息（新）" not in published and "机动车登记信息" in published
    assert "You see the version that is published now" in published
    own = client_for("data_admin").get(BASE + "vehicles/").content.decode()
    assert "机动车登记信息（新）" in own and "This is the working copy" in own
    assert selectors.resource_schema(slug="vehicles").version == 1
    services.resource_submit(actor=None, resource_id=vehicles.pk)
    services.resource_publish(actor=None, resource_id=vehicles.pk)
    page = client_for("staff_other").get(BASE + "vehicles/").content.decode()
    assert "Changed: name" in page and "Elements added: colour" in page


def test_saving_without_changes_keeps_the_entry_published(client_for, catalog):
    page = client_for("admin").get(BASE + "legal-entities/edit/")
    assert page.status_code == OK
    form = page.context["form"]
    formset = page.context["formset"]
    data = {"action": "save"}
    for name in form.fields:
        value = form[name].value()
        if name == "sharing_methods":
            data[name] = value
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    management = formset.management_form
    data.update({management.add_prefix(key): str(value) for key, value in management.initial.items()})
    for row_form in formset.forms:
        for name in row_form.fields:
            value = row_form[name].value()
            if isinstance(value, bool):
                if value:
                    data[row_form.add_prefix(name)] = "on"
            elif value is not None:
                data[row_form.add_prefix(name)] = str(value)
    response = client_for("admin").post(BASE + "legal-entities/edit/", data)
    assert response.status_code == 302
    resource = Resource.objects.get(slug="legal-entities")
    assert (resource.status, resource.version) == ("published", 1)
    # a change elsewhere keeps the rules the editor does not show (the reference to the population registry)
    data["summary"] = "在本市登记的法人单位。"
    data[formset.forms[0].add_prefix("name")] = "统一社会信用代码"
    client_for("admin").post(BASE + "legal-entities/edit/", data)
    resource.refresh_from_db()
    assert (resource.status, resource.summary) == ("draft", "在本市登记的法人单位。")
    assert resource.elements.get(code="legal_representative_id_number").rules == {
        "reference": {"resource": "population", "element": "id_number"}
    }
    assert resource.elements.get(code="registered_capital").rules == {"minimum": 0}


def test_a_builtin_registry_keeps_its_code_and_slug(client_for, catalog):
    page = client_for("admin").get(BASE + "population/edit/").content.decode()
    assert re.search(r'<input[^>]*name="code"[^>]*disabled', page)
    assert re.search(r'<input[^>]*name="slug"[^>]*disabled', page)


def test_the_platform_administrator_assigns_an_authoritative_source(client_for, catalog):
    response = client_for("admin").post(
        BASE + "population/authority/", {"element": "phone", "department": catalog["civil"]}
    )
    assert response.status_code == 302 and response["Location"].endswith("#element-phone")
    population = Resource.objects.get(slug="population")
    assert selectors.element_authorities(resource_id=population.pk)["phone"] == catalog["civil"]
    page = client_for("staff").get(BASE + "population/").content.decode()
    assert "民政局" in page
    response = client_for("admin").post(BASE + "population/authority/", {"element": "nope", "department": ""})
    assert response.status_code == BAD
    assert "The resource has no element nope." in response.content.decode()
    # whatever is posted as the element code, the page answers (the code is not trusted in ids)
    response = client_for("admin").post(BASE + "population/authority/", {"element": "%d%s", "department": ""})
    assert response.status_code == BAD


def test_returning_needs_a_reason_shown_next_to_the_field(client_for, catalog):
    response = client_for("admin").post(BASE + "vehicles/return/", {"note": "  "})
    assert response.status_code == BAD
    page = response.content.decode()
    assert 'id="id_note_error"' in page and 'aria-invalid="true"' in page
    assert Resource.objects.get(slug="vehicles").status == ResourceStatus.SUBMITTED


def test_publishing_a_draft_is_refused_with_a_message(client_for, catalog):
    response = client_for("admin").post(BASE + "household/publish/", follow=True)
    assert "Only a submitted resource can be published." in response.content.decode()
    assert Resource.objects.get(slug="household").version == 0


# --- the elements editor ------------------------------------------------------------------------------------


def _row_html(page, number):
    match = re.search(
        rf'<tr id="element-row-{number}".*?</tr>(\s*<tr id="element-row-{number}-errors">.*?</tr>)?', page, re.S
    )
    assert match, number
    return match.group(0)


def test_element_errors_are_shown_next_to_their_row(client_for, catalog):
    rows = [
        {"code": "licence_no", "name": "驾驶证号", "required": "on", "is_key": "on"},
        {"code": "holder", "name": "持证人", "is_key": "on"},  # a key that is not required
        {"code": "licence_no", "name": "证号"},  # the code of row 1 again
        {"code": "class", "name": "准驾车型", "data_type": "enum"},  # a code list without values
        {"code": "9bad", "name": "坏编码", "pattern": "("},
    ]
    response = client_for("data_admin").post(BASE + "new/", form_data(catalog["police"], elements=rows))
    assert response.status_code == BAD
    page = response.content.decode()
    assert "A key element must be required." in _row_html(page, 2)
    assert "Row 1 has this code already." in _row_html(page, 3)
    assert "A code list needs its values" in _row_html(page, 4)
    assert "A code starts with a letter" in _row_html(page, 5)
    assert "This is not a valid regular expression." in _row_html(page, 5)
    assert "A key element must be required." not in _row_html(page, 1)
    assert 'href="#id_elements-1-required"' in page  # the error summary links to the cell
    assert 'aria-describedby="id_elements-1-required_error"' in page
    assert not Resource.objects.filter(code="2-01-011").exists()


def test_the_elements_need_a_key(client_for, catalog):
    rows = [{"code": "licence_no", "name": "驾驶证号", "required": "on"}]
    response = client_for("data_admin").post(BASE + "new/", form_data(catalog["police"], elements=rows))
    assert response.status_code == BAD
    assert "Mark the element(s) that identify a record as the key." in response.content.decode()


def test_service_errors_show_next_to_their_field(client_for, catalog):
    data = form_data(catalog["police"], code="1-01-001", sharing_condition="")
    response = client_for("data_admin").post(BASE + "new/", data)
    assert response.status_code == BAD
    assert 'id="id_sharing_condition_error"' in response.content.decode()
    response = client_for("data_admin").post(BASE + "new/", form_data(catalog["police"], code="1-01-001"))
    assert response.status_code == BAD
    page = response.content.decode()
    assert 'id="id_code_error"' in page and "The resource code 1-01-001 is taken." in page


def test_adding_a_row_saves_nothing_and_shows_one_more_row(client_for, catalog):
    data = form_data(catalog["police"], action="add_row", name="")
    response = client_for("data_admin").post(BASE + "new/", data)
    assert response.status_code == OK
    page = response.content.decode()
    assert 'name="elements-TOTAL_FORMS" value="3"' in page
    assert 'value="licence_no"' in page and 'value="A1、A2、C1"' not in page  # shown as typed
    assert "There is a problem" not in page
    assert not Resource.objects.filter(code="2-01-011").exists()


def test_removing_a_row_drops_the_element(client_for, catalog):
    page = client_for("data_admin").get(BASE + "household/edit/")
    assert page.status_code == OK
    rows = [
        {"code": "id_number", "name": "公民身份号码", "data_type": "id_number", "required": "on", "is_key": "on"},
        {"code": "moved_on", "name": "迁移日期", "data_type": "date", "DELETE": "on"},
    ]
    data = form_data(catalog["police"], code="2-01-009", slug="household", name="户籍迁移登记", elements=rows)
    response = client_for("data_admin").post(BASE + "household/edit/", data)
    assert response.status_code == 302
    assert list(Resource.objects.get(slug="household").elements.values_list("code", flat=True)) == ["id_number"]
