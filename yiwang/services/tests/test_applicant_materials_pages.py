"""The applicant's materials on the application page: who may upload, replace, remove and download; each material
the item asks for with its current file, 免提交 materials without an upload; refusals shown on the form they are
about (wrong type, too large, a fetched material); read-only after submission, open again for a supplement.

Files are built as in test_materials.py and stored in a temporary MEDIA_ROOT per test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yiwang.conftest import url_routes
from yiwang.services.applications import services
from yiwang.services.applications.materials import material_upload
from yiwang.services.catalog.services import MaterialInput
from yiwang.services.models import ApplicationMaterial, ItemVersion
from yiwang.services.tests import factories
from yiwang.services.tests.factories import published_item
from yiwang.services.tests.test_application_pages import main, people  # noqa: F401 - the accounts, a fixture
from yiwang.services.tests.test_materials import pdf, png

OK, REDIRECT, BAD, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, CONFLICT = 200, 302, 400, 403, 404, 405, 409
MINE = "/my/applications"
ROLES = ["anonymous", "applicant", "other_citizen", "agent", "clerk", "admin"]
# 申请表 (paper, required), a photo that may be electronic (optional), and the factory's identity card and
# registered address, which the department fetches (免提交).
MATERIALS = (
    factories.MATERIALS[0],
    MaterialInput(name="营业场所照片", required=False, form="either", copies=0, source="applicant"),
    *factories.MATERIALS[1:],
)
WEB_PAGE = b"<!DOCTYPE html><html><body>not a scan</body></html>"


def row(*codes: int) -> dict[str, int]:
    return dict(zip(ROLES, codes, strict=True))


APPLICANT = row(REDIRECT, OK, NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN)
APPLICANT_ACTS = row(REDIRECT, REDIRECT, NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN)


def citizens(code: int) -> dict[str, int]:
    return APPLICANT | dict.fromkeys(("applicant", "other_citizen", "agent"), code)


def applicant_gets(code: int) -> dict[str, int]:
    return APPLICANT | {"applicant": code}


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def item(city: Any) -> ItemVersion:
    return published_item(department_id=city.civil_affairs, name="困难群众救助", handling_items=(), materials=MATERIALS)


@pytest.fixture
def material(item: ItemVersion) -> dict[str, int]:
    return {material.name: material.pk for material in item.materials.all()}


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture
def applications(people: dict[str, Any], item: ItemVersion, material: dict[str, int], media: Path) -> dict[str, int]:  # noqa: F811
    """A draft and a received application, each with 申请表 uploaded, and one under a supplement notice."""
    applicant = people["applicant"]

    def with_form() -> Any:
        draft = services.application_draft_save(actor=applicant, task_code=item.item.task_code, form_data={})
        given = material_upload(
            actor=applicant, application_id=draft.pk, material_id=material["申请表"], file=upload("申请表.pdf", pdf())
        )
        return draft, given

    draft, draft_upload = with_form()
    received, received_upload = with_form()
    services.application_submit(actor=applicant, application_id=received.pk)
    supplementing, _ = with_form()
    services.application_submit(actor=applicant, application_id=supplementing.pk)
    clerk = people["clerk_other"]  # 民政局's clerk: the item's department
    services.application_request_supplement(actor=clerk, application_id=supplementing.pk, missing=["营业场所照片"])
    return {
        "draft": draft.pk,
        "draft_upload": draft_upload.pk,
        "received": received.pk,
        "received_upload": received_upload.pk,
        "supplementing": supplementing.pk,
        "form": material["申请表"],
        "photo": material["营业场所照片"],
        "identity": material["居民身份证"],
    }


# --- who may do what ------------------------------------------------------------------------------------------


def a_png(material: str) -> dict[str, Any]:
    return {"material": material, "file": upload("照片.png", png())}


PAGES: dict[str, list[tuple[Any, ...]]] = {
    "my/applications/<int:application_id>/materials/": [
        ("post", "{draft}/materials/", lambda: a_png("{photo}"), APPLICANT_ACTS),
        ("post", "{draft}/materials/", lambda: {"name": "消防平面图", "file": upload("图.pdf", pdf())}, APPLICANT_ACTS),
        ("post", "{supplementing}/materials/", lambda: a_png("{photo}"), APPLICANT_ACTS),
        ("post", "{received}/materials/", lambda: a_png("{photo}"), applicant_gets(CONFLICT)),
        ("post", "{draft}/materials/", lambda: {"material": "{photo}"}, applicant_gets(BAD)),
        ("post", "{draft}/materials/", lambda: a_png("{identity}"), applicant_gets(BAD)),
        ("post", "{draft}/materials/", lambda: a_png("999999"), applicant_gets(NOT_FOUND)),
        ("post", "999999/materials/", lambda: a_png("{photo}"), applicant_gets(NOT_FOUND)),
        ("get", "{draft}/materials/", None, citizens(NOT_ALLOWED)),
    ],
    "my/applications/<int:application_id>/materials/<int:upload_id>/remove/": [
        ("post", "{draft}/materials/{draft_upload}/remove/", None, APPLICANT_ACTS),
        ("post", "{received}/materials/{received_upload}/remove/", None, applicant_gets(CONFLICT)),
        ("post", "{draft}/materials/{received_upload}/remove/", None, applicant_gets(NOT_FOUND)),
    ],
    "my/applications/<int:application_id>/materials/<int:upload_id>/file/": [
        ("get", "{draft}/materials/{draft_upload}/file/", None, APPLICANT),
        ("get", "{received}/materials/{received_upload}/file/", None, APPLICANT),
        ("get", "{draft}/materials/{received_upload}/file/", None, applicant_gets(NOT_FOUND)),
        ("post", "{draft}/materials/{draft_upload}/file/", None, citizens(NOT_ALLOWED)),
    ],
}  # fmt: skip
CASES = [(route, index) for route, cases in sorted(PAGES.items()) for index in range(len(cases))]


def test_every_materials_route_is_in_the_matrix():
    routes = {route for route in url_routes() if route.startswith("my/applications/<int:application_id>/materials/")}
    assert routes == set(PAGES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("route", "index"), CASES)
def test_matrix(clients, applications, route, index, role):
    method, path, body, expected = PAGES[route][index]
    values = {name: str(pk) for name, pk in applications.items()}
    path = f"{MINE}/{path.format(**values)}"
    data = body() if body else {}
    data = {key: value.format(**values) if isinstance(value, str) else value for key, value in data.items()}
    client = clients(role)
    response = client.get(path) if method == "get" else client.post(path, data)
    assert response.status_code == expected[role], (method, path, role)


# --- through the pages ----------------------------------------------------------------------------------------


def _material(page: str, material_id: int) -> str:
    start = page.index(f'data-material="{material_id}"')
    return (
        page[start : page.index('<div class="material"', start + 1)]
        if '<div class="material"' in page[start:]
        else page[start:]
    )


def test_upload_replace_download_and_remove(clients, people, item, material, media):  # noqa: F811
    applicant = clients("applicant")
    draft = services.application_draft_save(actor=people["applicant"], task_code=item.item.task_code, form_data={})
    page_path = f"{MINE}/{draft.pk}/"
    page = main(applicant.get(page_path))
    section = page[
        page.index('data-testid="materials"') : page.index("</section>", page.index('data-testid="materials"'))
    ]
    assert 'data-editable="true"' in page
    assert "<strong>Still to upload before you submit:</strong> 申请表" in section
    form = _material(section, material["申请表"])
    assert f'<h3 id="material-{material["申请表"]}">申请表</h3>' in form
    assert "<dt>Required</dt><dd>Yes</dd>" in form and "<dt>Form</dt><dd>Paper</dd>" in form
    assert "<dt>Copies</dt><dd>1</dd>" in form and "No file uploaded yet." in form
    assert (
        'enctype="multipart/form-data"' in form
        and f'<input type="hidden" name="material" value="{material["申请表"]}">' in form
    )
    assert f'<label for="id_material-{material["申请表"]}-file">File for 申请表' in form
    identity = _material(section, material["居民身份证"])
    assert 'data-fetched="true"' in identity and "免提交" in identity and "<form" not in identity
    photo = _material(section, material["营业场所照片"])
    assert "<dt>Required</dt><dd>No</dd>" in photo and "Word (.docx)" in photo  # either form: documents too

    uploaded = applicant.post(
        f"{MINE}/{draft.pk}/materials/", {"material": material["申请表"], "file": upload("扫描件.pdf", pdf())}
    )
    assert (uploaded.status_code, uploaded["Location"]) == (REDIRECT, f"{page_path}#materials")
    first = ApplicationMaterial.objects.get(application=draft)
    page = main(applicant.get(page_path))
    assert "扫描件.pdf is uploaded as 申请表." in page
    form = _material(page, material["申请表"])
    link = f'href="{MINE}/{draft.pk}/materials/{first.pk}/file/" data-testid="download">扫描件.pdf</a>'
    assert link in form and f"<dd>{len(pdf())}\xa0bytes</dd>" in form and "Replace the file" in form
    assert "Still to upload before you submit" not in page
    download = applicant.get(f"{MINE}/{draft.pk}/materials/{first.pk}/file/")
    assert b"".join(download.streaming_content) == pdf()
    assert download["Content-Type"] == "application/pdf" and download["Content-Disposition"].startswith("attachment;")

    replaced = applicant.post(
        f"{MINE}/{draft.pk}/materials/", {"material": material["申请表"], "file": upload("新.png", png())}
    )
    assert replaced.status_code == REDIRECT
    first.refresh_from_db()
    current = ApplicationMaterial.objects.get(application=draft, superseded_at__isnull=True)
    assert (first.replaced_by_id, current.original_name, current.content_type) == (current.pk, "新.png", "image/png")
    form = _material(main(applicant.get(page_path)), material["申请表"])
    assert "新.png" in form and "扫描件.pdf" not in form

    other = applicant.post(f"{MINE}/{draft.pk}/materials/", {"name": " 消防平面图 ", "file": upload("plan.pdf", pdf())})
    assert other.status_code == REDIRECT
    page = main(applicant.get(page_path))
    others = page[page.index('data-testid="other-documents"') :]
    assert "<h4>消防平面图</h4>" in others and "plan.pdf</a>" in others

    removed = applicant.post(f"{MINE}/{draft.pk}/materials/{current.pk}/remove/")
    assert removed.status_code == REDIRECT
    page = main(applicant.get(page_path))
    assert "新.png is removed." in page and "No file uploaded yet." in _material(page, material["申请表"])
    assert "<strong>Still to upload before you submit:</strong> 申请表" in page


def _error_of(page: str, field_id: str) -> str:
    start = page.index(f'id="{field_id}_error"')
    return page[start : page.index("</p>", start)]


def test_refusals_are_shown_on_the_form_of_the_material(clients, people, item, material, media, settings):  # noqa: F811
    applicant = clients("applicant")
    draft = services.application_draft_save(actor=people["applicant"], task_code=item.item.task_code, form_data={})
    field = f"id_material-{material['申请表']}-file"

    wrong = applicant.post(
        f"{MINE}/{draft.pk}/materials/", {"material": material["申请表"], "file": upload("scan.pdf", WEB_PAGE)}
    )
    assert wrong.status_code == BAD
    page = main(wrong)
    assert "scan.pdf cannot be accepted: its content is a web page or another markup document." in _error_of(
        page, field
    )
    assert f'aria-describedby="{field}_hint {field}_error"' in page and 'aria-invalid="true"' in page
    assert f'<a href="#{field}">File for 申请表: scan.pdf cannot be accepted' in page  # the error summary

    settings.YIWANG_UPLOAD_MAX_BYTES = 100
    big = applicant.post(
        f"{MINE}/{draft.pk}/materials/",
        {"material": material["申请表"], "file": upload("big.png", png() + b"\0" * 200)},
    )
    assert big.status_code == BAD
    assert "a file may be at most 100\xa0bytes." in _error_of(main(big), field)

    fetched = applicant.post(
        f"{MINE}/{draft.pk}/materials/", {"material": material["居民身份证"], "file": upload("id.png", png())}
    )
    assert fetched.status_code == BAD
    assert "居民身份证 is obtained by the department itself (免提交): do not upload it." in main(fetched)

    nameless = applicant.post(f"{MINE}/{draft.pk}/materials/", {"name": " ", "file": upload("plan.pdf", pdf())})
    assert nameless.status_code == BAD
    assert 'id="id_other-name_error"' in main(nameless)

    empty = applicant.post(f"{MINE}/{draft.pk}/materials/", {"material": material["申请表"]})
    assert empty.status_code == BAD and f'id="{field}_error"' in main(empty)
    assert not ApplicationMaterial.objects.exists() and not [path for path in media.rglob("*") if path.is_file()]


def test_read_only_after_submission_and_open_again_for_a_supplement(clients, applications):
    applicant = clients("applicant")
    page = main(applicant.get(f"{MINE}/{applications['received']}/"))
    section = page[page.index('data-testid="materials"') :]
    assert 'data-editable="false"' in page and "They can no longer be changed." in section
    assert f'{applications["received_upload"]}/file/" data-testid="download">申请表.pdf</a>' in section
    assert "<form" not in section[: section.index("</section>")]
    page = main(applicant.get(f"{MINE}/{applications['supplementing']}/"))
    section = page[page.index('data-testid="materials"') :]
    assert (
        'data-editable="true"' in page and 'data-testid="upload-form"' in section and 'data-testid="remove"' in section
    )
