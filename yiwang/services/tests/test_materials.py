"""Application materials: files judged by their content, only the applicant's and only while editable, 免提交
materials never uploaded, replacements kept, and a submission refused while a required material is missing.

Every file below is built here byte by byte (a PDF, a 1×1 JPEG and PNG, OFD, Word and Excel packages), and each
test stores into its own temporary MEDIA_ROOT, so what a refused upload leaves behind can be seen.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from yiwang.core.audit.models import AuditEvent
from yiwang.core.crypto import sm3_hex
from yiwang.core.errors import Conflict, NotFound, ValidationFailed
from yiwang.identity.roles import Role
from yiwang.services.applications import services
from yiwang.services.applications.materials import material_remove, material_upload, materials_missing
from yiwang.services.catalog.services import MaterialInput
from yiwang.services.models import Application, ApplicationMaterial, ApplicationStatus
from yiwang.services.tests import factories
from yiwang.services.tests.factories import published_item

S = ApplicationStatus
pytestmark = pytest.mark.django_db

# The factory's 申请表 (paper), a business plan that may be a Word or Excel document, an optional photo, and the
# factory's identity card and registered address that the department fetches (免提交).
MATERIALS = (
    factories.MATERIALS[0],
    MaterialInput(name="经营方案", required=True, form="electronic", copies=0, source="applicant"),
    MaterialInput(name="营业场所照片", required=False, form="either", copies=0, source="applicant"),
    *factories.MATERIALS[1:],
)


# --- files, built here -----------------------------------------------------------------------------------------


def pdf() -> bytes:
    body = (
        b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    )
    return body + b"trailer <</Root 1 0 R>>\n%%EOF\n"


def png() -> bytes:
    """A 1×1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1×1, 8-bit greyscale
    pixels = zlib.compress(b"\x00\xff")  # filter 0, one white pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def jpeg() -> bytes:
    """A 1×1 grey baseline JPEG: one Huffman code for DC difference 0 and one for end-of-block."""

    def segment(marker: int, data: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(data) + 2) + data

    return (
        b"\xff\xd8"
        + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(0xDB, b"\x00" + b"\x01" * 64)
        + segment(0xC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00")
        + segment(0xC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00")
        + segment(0xC4, b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00")
        + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + b"\x3f"
        + b"\xff\xd9"
    )


def package(members: dict[str, str]) -> bytes:
    """A ZIP of these members, the same bytes every time (a fixed date: test ids built from it must not vary)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


def ofd() -> bytes:
    return package({"OFD.xml": '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"/>'})


def docx() -> bytes:
    return package({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})


def xlsx() -> bytes:
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "岗位"])
    workbook.save(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


# --- fixtures ----------------------------------------------------------------------------------------------------


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media: Path) -> list[str]:
    return sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file())


@pytest.fixture
def people(city: Any, make_citizen: Any, make_staff: Any, media: Path) -> dict[str, Any]:
    department = city.civil_affairs
    item = published_item(department_id=department, handling_items=(), materials=MATERIALS)
    materials = {material.name: material.pk for material in item.materials.all()}
    applicant = make_citizen("王小明")
    draft = services.application_draft_save(actor=applicant, task_code=item.item.task_code, form_data={})
    return {
        "applicant": applicant,
        "other_citizen": make_citizen("李四"),
        "clerk": make_staff(department, (Role.CLERK,), real_name="窗口甲"),
        "draft": draft,
        "material": materials,
    }


def give(people: dict[str, Any], material: str | None, file_name: str, content: bytes, **kwargs: Any) -> Any:
    """Upload `content` as `file_name` for the item's material so named (None: an extra document), as the applicant."""
    return material_upload(
        actor=kwargs.pop("actor", people["applicant"]),
        application_id=people["draft"].pk,
        material_id=people["material"][material] if material else None,
        file=upload(file_name, content),
        **kwargs,
    )


# --- tests -------------------------------------------------------------------------------------------------------


def test_a_pdf_a_jpeg_and_a_png_are_stored_with_their_digest_size_and_type(people: dict[str, Any], media: Path) -> None:
    form = give(people, "申请表", "C:\\扫描件\\申请表.pdf", pdf())
    photo = give(people, "营业场所照片", "photo.JPG", jpeg())
    plan = give(people, None, "消防平面图", png(), name=" 消防平面图 ")
    assert [(u.name, u.original_name, u.content_type, u.size, u.sm3) for u in (form, photo, plan)] == [
        ("申请表", "申请表.pdf", "application/pdf", len(pdf()), sm3_hex(pdf())),
        ("营业场所照片", "photo.JPG", "image/jpeg", len(jpeg()), sm3_hex(jpeg())),
        ("消防平面图", "消防平面图", "image/png", len(png()), sm3_hex(png())),
    ]
    assert plan.material_id is None
    assert (form.uploaded_by_id, form.superseded) == (people["applicant"].pk, False)
    for stored, content in ((form, pdf()), (photo, jpeg()), (plan, png())):
        with default_storage.open(stored.file.name) as opened:
            assert opened.read() == content
    # Stored under a name the platform chose, with the extension of the content, never the applicant's name.
    assert [Path(name).parent.as_posix() for name in stored_files(media)] == [
        f"services/applications/{people['draft'].pk}"
    ] * 3
    assert sorted(Path(name).suffix for name in stored_files(media)) == [".jpg", ".pdf", ".png"]
    audited = AuditEvent.objects.filter(action="services.application.material_upload").order_by("pk")
    first = json.loads(audited[0].changes)
    assert first == {
        "upload_id": form.pk,
        "material_id": people["material"]["申请表"],
        "size": len(pdf()),
        "content_type": "application/pdf",
        "sm3": sm3_hex(pdf()),
        "replaced": None,
    }
    assert (audited[0].object_type, audited[0].object_id, audited.count()) == (
        "services.Application",
        str(people["draft"].pk),
        3,
    )


def test_ofd_is_accepted_and_word_and_excel_only_for_an_electronic_material(
    people: dict[str, Any], media: Path
) -> None:
    assert give(people, "申请表", "申请表.ofd", ofd()).content_type == "application/ofd"
    word = give(people, "经营方案", "经营方案.docx", docx())
    assert word.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    sheet = give(people, "营业场所照片", "照片清单.xlsx", xlsx())  # "paper or electronic"
    assert sheet.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    before = stored_files(media)
    for material, name, content in (("申请表", "申请表.docx", docx()), (None, "附件.xlsx", xlsx())):
        with pytest.raises(ValidationFailed) as refused:
            give(people, material, name, content, name="附件")
        assert refused.value.field == "file"
        assert str(refused.value).startswith(f"{name} cannot be accepted: its content is ")
        assert str(refused.value).endswith("Upload a PDF, OFD, JPEG or PNG file.")
    assert stored_files(media) == before


@pytest.mark.parametrize(
    ("name", "content", "what"),
    [
        ("申请表.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200, "a program"),
        ("申请表.png", b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "a program"),
        ("申请表.jpg", b"\xef\xbb\xbf\n  <!DOCTYPE html><html><script>alert(1)</script></html>", "a web page"),
        ("申请表.ofd", package({"readme.txt": "not an OFD"}), "a ZIP archive"),
        ("申请表.pdf", b"just some text that claims to be a PDF", "of a kind that is not accepted"),
    ],
    ids=["exe-as-pdf", "elf-as-png", "html-as-jpg", "zip-as-ofd", "text-as-pdf"],
)
def test_the_content_decides_not_the_name(
    people: dict[str, Any], media: Path, name: str, content: bytes, what: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        give(people, "经营方案", name, content)
    assert str(refused.value).startswith(f"{name} cannot be accepted: its content is {what}")
    assert str(refused.value).endswith("Upload a PDF, OFD, JPEG, PNG, Word (.docx) or Excel (.xlsx) file.")
    assert (refused.value.field, refused.value.code) == ("file", "file_type")
    assert stored_files(media) == []
    assert not ApplicationMaterial.objects.exists()


def test_a_file_over_the_limit_or_empty_is_refused_naming_it(
    people: dict[str, Any], media: Path, settings: Any
) -> None:
    assert settings.YIWANG_UPLOAD_MAX_BYTES == 20 * 1024 * 1024
    settings.YIWANG_UPLOAD_MAX_BYTES = 1024
    large = pdf().ljust(2048, b"%")
    with pytest.raises(ValidationFailed) as refused:
        give(people, "申请表", "大文件.pdf", large)
    assert str(refused.value) == "大文件.pdf is 2.0\xa0KB: a file may be at most 1.0\xa0KB."
    assert refused.value.code == "file_too_large"
    with pytest.raises(ValidationFailed) as empty:
        give(people, "申请表", "空白.pdf", b"")
    assert str(empty.value) == "空白.pdf is empty."
    assert give(people, "申请表", "申请表.pdf", pdf()).size == len(pdf())  # under the limit
    assert len(stored_files(media)) == 1


def test_materials_the_department_fetches_are_not_uploaded(people: dict[str, Any], media: Path) -> None:
    for material in ("居民身份证", "户籍信息"):
        with pytest.raises(ValidationFailed) as refused:
            give(people, material, "身份证.jpg", jpeg())
        assert str(refused.value) == f"{material} is obtained by the department itself (免提交): do not upload it."
        assert refused.value.field == "material_id"
    with pytest.raises(ValidationFailed) as unnamed:
        give(people, None, "scan.pdf", pdf(), name="  ")
    assert unnamed.value.field == "name"
    with pytest.raises(NotFound):
        material_upload(
            actor=people["applicant"],
            application_id=people["draft"].pk,
            material_id=999_999,
            file=upload("a.pdf", pdf()),
        )
    assert stored_files(media) == []


def test_only_the_applicant_uploads_and_removes(people: dict[str, Any], media: Path) -> None:
    for stranger in (people["other_citizen"], people["clerk"]):
        with pytest.raises(NotFound):
            give(people, "申请表", "申请表.pdf", pdf(), actor=stranger)
    assert stored_files(media) == []
    mine = give(people, "申请表", "申请表.pdf", pdf())
    for stranger in (people["other_citizen"], people["clerk"]):
        with pytest.raises(NotFound):
            material_remove(actor=stranger, upload_id=mine.pk)
    assert ApplicationMaterial.objects.get(pk=mine.pk).superseded_at is None


def test_submission_waits_for_the_required_materials(people: dict[str, Any]) -> None:
    draft = people["draft"]
    assert materials_missing(draft) == ["申请表", "经营方案"]  # not the optional photo, not the 免提交 ones
    with pytest.raises(ValidationFailed) as refused:
        services.application_submit(actor=people["applicant"], application_id=draft.pk)
    assert (refused.value.field, str(refused.value)) == (
        "materials",
        "Upload the required materials first: 申请表、经营方案.",
    )
    give(people, "申请表", "申请表.pdf", pdf())
    removed = give(people, "经营方案", "经营方案.docx", docx())
    material_remove(actor=people["applicant"], upload_id=removed.pk)
    with pytest.raises(ValidationFailed) as still:
        services.application_submit(actor=people["applicant"], application_id=draft.pk)
    assert str(still.value) == "Upload the required materials first: 经营方案."
    assert Application.objects.get(pk=draft.pk).status == S.DRAFT
    give(people, "经营方案", "经营方案.pdf", pdf())
    assert materials_missing(draft) == []
    assert services.application_submit(actor=people["applicant"], application_id=draft.pk).status == S.RECEIVED


def test_no_upload_after_submission_except_while_a_supplement_is_open(people: dict[str, Any], media: Path) -> None:
    give(people, "申请表", "申请表.pdf", pdf())
    plan = give(people, "经营方案", "经营方案.pdf", pdf())
    application = services.application_submit(actor=people["applicant"], application_id=people["draft"].pk)
    with pytest.raises(Conflict):
        give(people, "营业场所照片", "照片.png", png())
    with pytest.raises(Conflict):
        material_remove(actor=people["applicant"], upload_id=plan.pk)
    services.application_request_supplement(
        actor=people["clerk"], application_id=application.pk, missing=["营业场所照片"]
    )
    assert give(people, "营业场所照片", "照片.png", png()).content_type == "image/png"
    services.application_answer_supplement(actor=people["applicant"], application_id=application.pk)
    with pytest.raises(Conflict):
        give(people, "营业场所照片", "另一张.png", png())
    assert len(stored_files(media)) == 3


def test_a_new_file_supersedes_the_previous_one_which_is_kept(people: dict[str, Any], media: Path) -> None:
    first = give(people, "申请表", "申请表.pdf", pdf())
    second = give(people, "申请表", "申请表（修改）.png", png())
    first.refresh_from_db()
    assert (first.superseded, first.replaced_by_id, second.superseded) == (True, second.pk, False)
    with default_storage.open(first.file.name) as kept:
        assert kept.read() == pdf()
    current = ApplicationMaterial.objects.filter(application=people["draft"], superseded_at__isnull=True)
    assert [upload.pk for upload in current] == [second.pk]
    removed = material_remove(actor=people["applicant"], upload_id=second.pk)
    assert (removed.superseded, removed.replaced_by_id) == (True, None)
    with pytest.raises(NotFound):
        material_remove(actor=people["applicant"], upload_id=second.pk)  # already removed
    assert materials_missing(people["draft"]) == ["申请表", "经营方案"]
    assert len(stored_files(media)) == 2  # history: both files stay
    audited = AuditEvent.objects.filter(action__startswith="services.application.material_").order_by("pk")
    assert [(event.action.rsplit(".", 1)[1], json.loads(event.changes).get("replaced")) for event in audited] == [
        ("material_upload", None),
        ("material_upload", first.pk),
        ("material_remove", None),
    ]
