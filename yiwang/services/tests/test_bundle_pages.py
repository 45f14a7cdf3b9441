"""The bundle pages (一件事一次办): who may open and do what, a whole bundle through the pages (start, save, upload,
submit, the one status), errors at their fields in Chinese, and a second submission refused as a conflict.

The bundle and its three items of three departments are those of yiwang/services/tests/test_bundles.py: 生育登记
(民政局), 出生登记 (公安局) and 城乡居民基本医疗保险参保登记 (医疗保障局); the merged form asks the applicant's name
once (data element population:name), and 申请表 is uploaded once for the two items asking for it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yiwang.conftest import url_routes
from yiwang.services import bundles
from yiwang.services.models import Application, ApplicationMaterial, ApplicationStatus, BundleApplication
from yiwang.services.tests import test_bundles
from yiwang.services.tests.test_bundles import ANSWERS
from yiwang.services.tests.test_materials import png

S = ApplicationStatus
pytestmark = pytest.mark.django_db
OK, REDIRECT, BAD, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, CONFLICT = 200, 302, 400, 403, 404, 405, 409
GUIDE = "/services/bundles"
MINE = "/my/bundles"

ROLES = ["anonymous", "applicant", "other_citizen", "agent", "clerk", "admin"]
VALID_POST = {
    "answers-population:name": "王小明",
    "answers-baby_name": "王小宝",
    "answers-phone": "13800000000",
    "answers-address": "明湖市清河区柳园社区1号",
    "answers-insured_type": "居民",
}
FILE = object()  # in a body of the matrix: a fresh PNG file for each request
UPLOAD = {"material-material_name": "申请表", "material-file": FILE}
SUBMIT = {"action": "submit", **VALID_POST}
# The fixtures of the bundle, its three items and the accounts, and of the storage of uploads.
setting = test_bundles.setting
media = test_bundles.media


def row(*codes: int) -> dict[str, int]:
    """The expected status code per role, in the order of ROLES."""
    return dict(zip(ROLES, codes, strict=True))


@pytest.fixture
def people(setting: dict[str, Any]) -> dict[str, Any]:
    """The accounts of the matrix but anonymous: the clerk is 公安局's, which handles an item of the bundle."""
    accounts = setting["accounts"]
    return {
        "applicant": setting["applicant"],
        "other_citizen": setting["other_citizen"],
        "agent": accounts.agent,
        "clerk": setting["clerks"][1],
        "admin": accounts.admin,
    }


def _png(name: str = "申请表.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png(), content_type="image/png")


def _upload_all(applicant: Any, bundle_application_id: int) -> None:
    for name in ("申请表", "参保登记表"):
        bundles.bundle_material_upload(
            actor=applicant, bundle_application_id=bundle_application_id, material_name=name, file=_png(f"{name}.png")
        )


@pytest.fixture
def started(setting: dict[str, Any]) -> dict[str, int]:
    """The applicant's bundle applications the pages act on, by id: an empty draft, a complete one, a submitted one."""
    applicant = setting["applicant"]
    draft = bundles.bundle_application_start(actor=applicant, bundle_code="newborn", form_data={})
    ready = bundles.bundle_application_start(actor=applicant, bundle_code="newborn", form_data=ANSWERS)
    _upload_all(applicant, ready.pk)
    submitted = bundles.bundle_application_start(actor=applicant, bundle_code="newborn", form_data=ANSWERS)
    _upload_all(applicant, submitted.pk)
    bundles.bundle_application_submit(actor=applicant, bundle_application_id=submitted.pk)
    return {"draft": draft.pk, "ready": ready.pk, "submitted": submitted.pk}


def main(response: Any) -> str:
    page = response.content.decode()
    return page[page.index("<main") :]


# --- who may open and do what ---------------------------------------------------------------------------------

PUBLIC = row(*[OK] * 6)
CITIZENS = row(REDIRECT, OK, OK, OK, FORBIDDEN, FORBIDDEN)
APPLICANT = row(REDIRECT, OK, NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN)
APPLICANT_ACTS = row(REDIRECT, REDIRECT, NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN)


def citizens(code: int) -> dict[str, int]:
    """Every citizen gets `code`; staff 403, anonymous visitors the sign-in page."""
    return CITIZENS | dict.fromkeys(("applicant", "other_citizen", "agent"), code)


PAGES: dict[str, list[tuple[Any, ...]]] = {
    "services/bundles/": [("get", f"{GUIDE}/", None, PUBLIC)],
    "services/bundles/<slug:code>/": [
        ("get", f"{GUIDE}/newborn/", None, PUBLIC),
        ("get", f"{GUIDE}/no-such-bundle/", None, row(*[NOT_FOUND] * 6)),
    ],
    "services/bundles/<slug:code>/start/": [
        ("post", f"{GUIDE}/newborn/start/", {}, citizens(REDIRECT)),
        ("post", f"{GUIDE}/no-such-bundle/start/", {}, citizens(NOT_FOUND)),
        ("get", f"{GUIDE}/newborn/start/", None, citizens(NOT_ALLOWED)),
    ],
    "my/bundles/": [("get", f"{MINE}/", None, CITIZENS)],
    "my/bundles/<int:bundle_application_id>/": [
        ("get", f"{MINE}/{{draft}}/", None, APPLICANT),
        ("get", f"{MINE}/{{submitted}}/", None, APPLICANT),
        ("get", f"{MINE}/999999/", None, APPLICANT | {"applicant": NOT_FOUND}),
        ("post", f"{MINE}/{{draft}}/", {}, citizens(NOT_ALLOWED)),
    ],
    "my/bundles/<int:bundle_application_id>/form/": [
        ("post", f"{MINE}/{{draft}}/form/", {"action": "save", "answers-baby_name": "王小宝"}, APPLICANT_ACTS),
        ("post", f"{MINE}/{{ready}}/form/", SUBMIT, APPLICANT_ACTS),
        ("post", f"{MINE}/{{draft}}/form/", {"action": "submit"}, APPLICANT | {"applicant": BAD}),
        ("post", f"{MINE}/{{submitted}}/form/", SUBMIT, APPLICANT | {"applicant": CONFLICT}),
        ("get", f"{MINE}/{{draft}}/form/", None, citizens(NOT_ALLOWED)),
    ],
    "my/bundles/<int:bundle_application_id>/materials/": [
        ("post", f"{MINE}/{{draft}}/materials/", UPLOAD, APPLICANT_ACTS),
        ("post", f"{MINE}/{{draft}}/materials/", {"material-material_name": "申请表"}, APPLICANT | {"applicant": BAD}),
        ("post", f"{MINE}/{{submitted}}/materials/", UPLOAD, APPLICANT | {"applicant": CONFLICT}),
        ("get", f"{MINE}/{{draft}}/materials/", None, citizens(NOT_ALLOWED)),
    ],
}  # fmt: skip
CASES = [(route, index) for route, cases in sorted(PAGES.items()) for index in range(len(cases))]
OWN_ROUTES = ("services/bundles/", "my/bundles/")


def test_every_bundle_route_is_in_the_matrix():
    assert {route for route in url_routes() if route.startswith(OWN_ROUTES)} == set(PAGES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("route", "index"), CASES)
def test_matrix(clients, started, route, index, role):
    method, path, body, expected = PAGES[route][index]
    path = path.format(**started)
    client = clients(role)
    if method == "get":
        response = client.get(path)
    else:
        response = client.post(path, {name: _png() if value is FILE else value for name, value in body.items()})
    assert response.status_code == expected[role], (method, path, role)


# --- a whole bundle through the pages ---------------------------------------------------------------------------


def _field(html: str, name: str) -> str:
    """The markup of one field of the merged form (its wrapping div)."""
    start = html.index(f'for="id_{name}"')
    start = html.rindex('<div class="field', 0, start)
    return html[start : html.index("</div>", start)]


def test_the_list_and_the_guide_show_the_items_departments_and_merged_materials(clients, setting):
    listed = main(clients("anonymous").get(f"{GUIDE}/"))
    assert f'<a href="{GUIDE}/newborn/">新生儿出生一件事</a>' in listed
    for name, department in (
        ("生育登记", "民政局"),
        ("出生登记", "公安局"),
        ("城乡居民基本医疗保险参保登记", "医疗保障局"),
    ):
        assert f"<li>{name} <span" in listed and department in listed

    guide = main(clients("anonymous").get(f"{GUIDE}/newborn/"))
    assert f'href="/login/?next={GUIDE}/newborn/" data-testid="sign-in"' in guide
    assert 'data-testid="start"' not in guide
    assert "You apply once for 3 items handled by 3 departments." in guide
    materials = guide[guide.index('data-testid="materials"') : guide.index("</table>", guide.index('id="materials"'))]
    assert re.findall(r'<th scope="row">([^<]+)</th>', materials) == ["申请表", "参保登记表"]
    assert "<td>生育登记、出生登记</td>" in materials  # one upload for both items asking for it
    fetched = guide[guide.index('data-testid="fetched"') :]
    assert "居民身份证" in fetched and "出生医学证明" in fetched
    assert 'data-testid="start"' not in main(clients("clerk").get(f"{GUIDE}/newborn/"))
    assert 'data-testid="start"' in main(clients("applicant").get(f"{GUIDE}/newborn/"))


def test_a_bundle_from_start_to_its_one_status(clients, people, setting):
    applicant = clients("applicant")
    started = applicant.post(f"{GUIDE}/newborn/start/")
    bundle_application = BundleApplication.objects.get(applicant=people["applicant"])
    page_path = f"{MINE}/{bundle_application.pk}/"
    assert started["Location"] == page_path
    assert bundle_application.status == "draft" and bundle_application.enterprise_id is None

    page = main(applicant.get(page_path))
    assert 'data-progress="draft"' in page
    assert 'name="answers-population:name"' in _field(page, "answers-population:name")  # once, for two items
    assert page.count('name="answers-population:name"') == 1
    assert "<legend>" not in _field(page, "answers-insured_type") and "<select" in _field(page, "answers-insured_type")
    assert page.count('data-testid="sub-application"') == 3
    assert page.count('data-missing="true"') == 2

    saved = applicant.post(f"{page_path}form/", {"action": "save", "answers-population:name": "王小明"})
    assert saved.status_code == REDIRECT
    bundle_application.refresh_from_db()
    assert bundle_application.form_data == {"population:name": "王小明"}
    subs = list(Application.objects.filter(bundle_application=bundle_application).order_by("pk"))
    assert [sub.form_data for sub in subs] == [{"name": "王小明"}, {"applicant_name": "王小明"}, {}]
    assert 'value="王小明"' in _field(main(applicant.get(page_path)), "answers-population:name")

    # Every answer given but no material: refused at the upload form's material field, the answers kept.
    refused = applicant.post(f"{page_path}form/", {"action": "submit", **VALID_POST})
    assert refused.status_code == BAD
    material = _field(main(refused), "material-material_name")
    assert 'id="id_material-material_name_error"' in material and "申请表、参保登记表" in material
    bundle_application.refresh_from_db()
    assert bundle_application.form_data == ANSWERS and bundle_application.status == "draft"

    uploaded = applicant.post(f"{page_path}materials/", {"material-material_name": "申请表", "material-file": _png()})
    assert uploaded.status_code == REDIRECT
    assert sorted(ApplicationMaterial.objects.filter(name="申请表").values_list("application_id", flat=True)) == [
        subs[0].pk,
        subs[1].pk,
    ]
    page = main(applicant.get(page_path))
    assert page.count('data-missing="true"') == 1 and "<td>申请表.png</td>" in page
    applicant.post(f"{page_path}materials/", {"material-material_name": "参保登记表", "material-file": _png("表.png")})

    submitted = applicant.post(f"{page_path}form/", {"action": "submit", **VALID_POST})
    assert submitted.status_code == REDIRECT
    bundle_application.refresh_from_db()
    assert bundle_application.status == "submitted" and bundle_application.number.startswith("YJS")
    page = main(applicant.get(page_path))
    assert f'data-testid="number">{bundle_application.number}<' in page
    assert 'data-progress="in_progress"' in page and "0 of 3 items concluded" in page
    assert 'id="id_answers-' not in page and 'data-testid="upload"' not in page
    for sub in Application.objects.filter(bundle_application=bundle_application):
        assert sub.status == S.RECEIVED
        assert f'<a href="/my/applications/{sub.pk}/">{sub.number}</a>' in page
        assert sub.department.name in page
    assert page.count(f'data-status="{S.RECEIVED.value}"') == 3

    mine = main(applicant.get(f"{MINE}/"))
    assert f'<a href="{page_path}">{bundle_application.number}</a>' in mine and 'data-progress="in_progress"' in mine


def test_errors_are_shown_at_their_fields_in_chinese(clients, started):
    client = clients("applicant")
    del client.cookies["yiwang_language"]  # the platform's default language
    path = f"{MINE}/{started['draft']}/form/"
    response = client.post(path, {"action": "submit", "answers-phone": "13800000000", "answers-insured_type": "其他"})
    assert response.status_code == BAD
    page = main(response)
    baby = _field(page, "answers-baby_name")
    assert 'id="id_answers-baby_name_error"' in baby and "请填写新生儿姓名。" in baby
    assert 'aria-invalid="true"' in baby and 'aria-describedby="id_answers-baby_name_error"' in baby
    assert 'id="id_answers-insured_type_error"' in _field(page, "answers-insured_type")
    assert 'id="id_answers-phone_error"' not in page
    assert '<a href="#id_answers-population:name">' in page  # the summary links each error to its field
    assert 'value="13800000000"' in _field(page, "answers-phone")  # what was typed stays

    # A stricter rule of one department (公安局: a phone of at most 11 characters) shows at the merged field.
    too_long = {**VALID_POST, "answers-phone": "138000000001"}
    page = main(client.post(f"{MINE}/{started['ready']}/form/", {"action": "submit", **too_long}))
    assert 'id="id_answers-phone_error"' in _field(page, "answers-phone")

    program = SimpleUploadedFile("申请表.pdf", b"MZ\x90\x00 a program", content_type="application/pdf")
    upload = f"{MINE}/{started['draft']}/materials/"
    response = client.post(upload, {"material-material_name": "申请表", "material-file": program})
    assert response.status_code == BAD
    assert 'id="id_material-file_error"' in _field(main(response), "material-file")
    response = client.post(upload, {"material-material_name": "户口簿", "material-file": _png()})
    assert 'id="id_material-material_name_error"' in _field(main(response), "material-material_name")
    assert not ApplicationMaterial.objects.filter(application__bundle_application_id=started["draft"]).exists()


def test_submitting_twice_is_a_conflict_shown_clearly(clients, started):
    client = clients("applicant")
    path = f"{MINE}/{started['ready']}/"
    assert client.post(f"{path}form/", {"action": "submit", **VALID_POST}).status_code == REDIRECT
    number = BundleApplication.objects.get(pk=started["ready"]).number
    again = client.post(f"{path}form/", {"action": "submit", **VALID_POST})
    assert again.status_code == CONFLICT
    page = main(again)
    assert 'data-testid="conflict"' in page and f"Bundle application {number} is submitted" in page
    assert 'data-progress="in_progress"' in page  # the page shows the bundle as it is
    assert BundleApplication.objects.get(pk=started["ready"]).number == number
    assert Application.objects.filter(bundle_application_id=started["ready"], status=S.RECEIVED).count() == 3


def test_an_agent_starts_a_bundle_for_the_enterprise(clients, people, setting):
    accounts = setting["accounts"]
    agent = clients("agent")
    session = agent.session
    session["yiwang_acting_enterprise"] = accounts.enterprise_id
    session.save()
    assert 'data-testid="acting-for"' in main(agent.get(f"{GUIDE}/newborn/"))
    assert agent.post(f"{GUIDE}/newborn/start/").status_code == REDIRECT
    started = BundleApplication.objects.get(applicant=people["agent"])
    assert started.enterprise_id == accounts.enterprise_id
    assert agent.get(f"{MINE}/{started.pk}/").status_code == OK
    assert clients("applicant").get(f"{MINE}/{started.pk}/").status_code == NOT_FOUND
