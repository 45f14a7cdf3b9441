"""The materials an applicant uploads with an application (申请材料), and what is still missing.

Only the applicant uploads, and only while the application is a draft or a supplement notice is open. A file is
judged by its content, never by its name: PDF, OFD, JPEG and PNG are accepted for every material, Word (.docx)
and Excel (.xlsx) documents only for a material that may be given in electronic form; programs, web pages and
anything else are refused. Materials the department fetches itself (e-licenses, base registries, its own
documents: 免提交) are never uploaded. A new file for a material supersedes the previous one, which is kept.

Every check runs before anything is stored. The file is then written to Django's default storage inside the
transaction that records it; if anything in that transaction fails, the file is deleted again, so a refused or
failed upload leaves nothing behind (interfaces call the service outside any transaction of their own, whose later
rollback it could not see).
"""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.audit.services import record_event
from yiwang.core.crypto import sm3_hex
from yiwang.core.errors import NotFound, ValidationFailed, lazy_format
from yiwang.services.applications.services import (
    _locked,
    _require_applicant,
    _require_outside_bundle,
    _require_status,
    _text,
)
from yiwang.services.models import (
    Application,
    ApplicationMaterial,
    ApplicationStatus,
    Material,
    MaterialForm,
    MaterialSource,
    TrustLevel,
)

EDITABLE = frozenset({ApplicationStatus.DRAFT, ApplicationStatus.SUPPLEMENT_STARTED})
NAME_LIMIT = 200
ORIGINAL_NAME_LIMIT = 255


# --- what the content is ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str
    document: bool = False  # Word or Excel: only for a material that may be given in electronic form


PDF = Kind("application/pdf", "pdf")
JPEG = Kind("image/jpeg", "jpg")
PNG = Kind("image/png", "png")
OFD = Kind("application/ofd", "ofd")
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", document=True)
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", document=True)

_SIGNATURES = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
_PROGRAMS = (
    b"MZ",  # Windows (.exe, .dll, .scr)
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce",  # macOS (Mach-O, 32 and 64 bits, both byte orders, and universal binaries)
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",  # scripts
)


def _refused(file_name: str, what: Any, *, documents: bool) -> ValidationFailed:
    if documents:
        message = _(
            "%(file)s cannot be accepted: its content is %(what)s. Upload a PDF, OFD, JPEG, PNG, Word (.docx) or "
            "Excel (.xlsx) file."
        )
    else:
        message = _("%(file)s cannot be accepted: its content is %(what)s. Upload a PDF, OFD, JPEG or PNG file.")
    return ValidationFailed(lazy_format(message, {"file": file_name, "what": what}), field="file", code="file_type")


def _sniff_zip(data: bytes) -> tuple[Kind | None, Any]:
    """OFD, DOCX or XLSX, told by the archive's members; otherwise None and what the archive is."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None, _("a damaged ZIP archive")
    if "OFD.xml" in names:
        return OFD, ""
    if any(name.endswith("vbaProject.bin") for name in names):
        return None, _("a Word or Excel document with macros")
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return DOCX, _("a Word document")
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return XLSX, _("an Excel workbook")
    return None, _("a ZIP archive")


def _sniff(data: bytes) -> tuple[Kind | None, Any]:
    """The kind of file `data` is by its first bytes, or None and what it is instead."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind, ""
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _sniff_zip(data)
    if data.startswith(_PROGRAMS):
        return None, _("a program")
    text = data[:1024].removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if text.startswith(b"<"):
        return None, _("a web page or another markup document")
    return None, _("of a kind that is not accepted")


def _may_be_document(material: Material | None) -> bool:
    return material is not None and material.form in {MaterialForm.ELECTRONIC, MaterialForm.EITHER}


def _read(file: File[Any], file_name: str) -> bytes:
    """The whole content, refused when empty or over YIWANG_UPLOAD_MAX_BYTES (the size is checked before reading)."""
    limit: int = settings.YIWANG_UPLOAD_MAX_BYTES
    declared = file.size if file.size is not None else 0
    data = b""
    if declared <= limit:
        file.seek(0)
        data = file.read(limit + 1)
    size = max(declared, len(data))
    if size > limit:
        raise ValidationFailed(
            lazy_format(
                _("%(file)s is %(size)s: a file may be at most %(limit)s."),
                {"file": file_name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            ),
            field="file",
            code="file_too_large",
        )
    if not data:
        raise ValidationFailed(lazy_format(_("%(file)s is empty."), {"file": file_name}), field="file", code="empty")
    return data


def _original_name(file: File[Any]) -> str:
    """The file's own name, without any folder the browser sent with it."""
    name = (file.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[-ORIGINAL_NAME_LIMIT:]


# --- the applicant ----------------------------------------------------------------------------------------------


def _material_of(application: Application, material_id: int) -> Material:
    material = Material.objects.filter(pk=material_id, version_id=application.item_version_id).first()
    if material is None:
        raise NotFound(
            lazy_format(_("The item asks for no material with id %(id)s."), {"id": material_id}), field="material_id"
        )
    if material.source != MaterialSource.APPLICANT:
        raise ValidationFailed(
            lazy_format(
                _("%(material)s is obtained by the department itself (免提交): do not upload it."),
                {"material": material.name},
            ),
            field="material_id",
            code="not_uploaded",
        )
    return material


def _audit(actor: Any, action: str, upload: ApplicationMaterial, **extra: Any) -> None:
    """The audit event of an upload or a removal: what identifies the file, never its content or its name."""
    record_event(
        actor=actor,
        action=f"services.application.{action}",
        object_type="services.Application",
        object_id=upload.application_id,
        changes={
            "upload_id": upload.pk,
            "material_id": upload.material_id,
            "size": upload.size,
            "content_type": upload.content_type,
            "sm3": upload.sm3,
            **extra,
        },
    )


def material_upload(
    *,
    actor: Any,
    application_id: int,
    material_id: int | None,
    name: str = "",
    file: File[Any],
    in_bundle: bool = False,
) -> ApplicationMaterial:
    """Upload a file for a material the item asks for (replacing the current one), or an extra named document.
    A draft that is part of a bundle (一件事) gets its files through the bundle (`in_bundle`), never alone."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            return _upload(
                actor=actor,
                application_id=application_id,
                material_id=material_id,
                name=name,
                file=file,
                stored=stored,
                in_bundle=in_bundle,
            )
    except BaseException:
        for stored_name in stored:
            default_storage.delete(stored_name)
        raise


def _upload(
    *,
    actor: Any,
    application_id: int,
    material_id: int | None,
    name: str,
    file: File[Any],
    stored: list[str],
    in_bundle: bool,
) -> ApplicationMaterial:
    application = _locked(application_id)
    _require_applicant(actor, application)
    _require_status(application, EDITABLE)
    if application.status == ApplicationStatus.DRAFT:
        _require_outside_bundle(application, in_bundle)
    material: Material | None = None
    if material_id is not None:
        material = _material_of(application, material_id)
        name = material.name
    else:
        name = _text(name, "name", _("Name the document you upload."))[:NAME_LIMIT]
    file_name = _original_name(file)
    data = _read(file, file_name)
    kind, what = _sniff(data)
    documents = _may_be_document(material)
    if kind is None or (kind.document and not documents):
        raise _refused(file_name, what, documents=documents)
    return _store(
        application, material, name=name, file_name=file_name, data=data, kind=kind, actor=actor, stored=stored
    )


def _store(
    application: Application,
    material: Material | None,
    *,
    name: str,
    file_name: str,
    data: bytes,
    kind: Kind,
    actor: Any,
    stored: list[str],
    trust_level: str = TrustLevel.C,
    license_identifier: str = "",
) -> ApplicationMaterial:
    """Write the file and its row, superseding the material's current file."""
    now = timezone.now()
    previous = None
    if material is not None:
        previous = ApplicationMaterial.objects.filter(
            application=application, material=material, superseded_at__isnull=True
        ).first()
        if previous is not None:
            previous.superseded_at = now
            previous.save(update_fields=["superseded_at"])
    upload = ApplicationMaterial(
        application=application,
        material=material,
        name=name,
        original_name=file_name,
        size=len(data),
        content_type=kind.content_type,
        sm3=sm3_hex(data),
        trust_level=trust_level,
        license_identifier=license_identifier,
        uploaded_by=actor,
        uploaded_at=now,
    )
    upload.file.save(f"{uuid.uuid4().hex}.{kind.extension}", ContentFile(data), save=False)
    stored.append(upload.file.name or "")
    upload.save()
    if previous is not None:
        previous.replaced_by = upload
        previous.save(update_fields=["replaced_by"])
    _audit(
        actor,
        "material_license" if license_identifier else "material_upload",
        upload,
        replaced=previous.pk if previous is not None else None,
        **({"license": license_identifier} if license_identifier else {}),
    )
    return upload


def material_attach_license(
    *,
    actor: Any,
    application_id: int,
    material_id: int,
    identifier: str,
    pdf: bytes,
    file_name: str,
) -> ApplicationMaterial:
    """Attach the applicant's e-license (its PDF) to a material whose source is a license: trust level A, issued
    by the government and usable directly (免提交). Called by the licenses app once the holder has consented and
    the license has been verified; replaces the material's current file like an upload."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            application = _locked(application_id)
            _require_applicant(actor, application)
            _require_status(application, EDITABLE)
            material = Material.objects.filter(pk=material_id, version_id=application.item_version_id).first()
            if material is None or material.source != MaterialSource.LICENSE:
                raise ValidationFailed(
                    lazy_format(_("The item asks for no e-license as material %(id)s."), {"id": material_id}),
                    field="material_id",
                )
            kind, what = _sniff(pdf)
            if kind is None or kind.extension != "pdf":
                raise _refused(file_name, what, documents=False)
            return _store(
                application,
                material,
                name=material.name,
                file_name=file_name,
                data=pdf,
                kind=kind,
                actor=actor,
                stored=stored,
                trust_level=TrustLevel.A,
                license_identifier=identifier,
            )
    except BaseException:
        for stored_name in stored:
            default_storage.delete(stored_name)
        raise


@transaction.atomic
def material_remove(*, actor: Any, upload_id: int, application_id: int | None = None) -> ApplicationMaterial:
    """Take an upload back while the application may still be changed; it stays in the record, superseded.
    With `application_id`, an upload of another application is not found (and nothing changes)."""
    found = ApplicationMaterial.objects.filter(pk=upload_id).values_list("application_id", flat=True).first()
    missing = NotFound(lazy_format(_("No uploaded file of yours has id %(id)s."), {"id": upload_id}), field="upload_id")
    if found is None or (application_id is not None and found != application_id):
        raise missing
    application_id = found
    application = _locked(application_id)
    _require_applicant(actor, application)
    _require_status(application, EDITABLE)
    if application.status == ApplicationStatus.DRAFT:
        _require_outside_bundle(application, in_bundle=False)  # a bundle's files are replaced through the bundle
    upload = ApplicationMaterial.objects.filter(
        pk=upload_id, application=application, superseded_at__isnull=True
    ).first()
    if upload is None:
        raise missing
    upload.superseded_at = timezone.now()
    upload.save(update_fields=["superseded_at"])
    _audit(actor, "material_remove", upload)
    return upload


# --- what is missing ----------------------------------------------------------------------------------------


def materials_missing(application: Application) -> list[str]:
    """The names of the required materials the applicant provides that have no current upload, in the item's order."""
    uploaded = ApplicationMaterial.objects.filter(
        application=application, material__isnull=False, superseded_at__isnull=True
    ).values("material_id")
    return list(
        Material.objects.filter(version_id=application.item_version_id, required=True, source=MaterialSource.APPLICANT)
        .exclude(pk__in=uploaded)
        .order_by("position", "pk")
        .values_list("name", flat=True)
    )


def materials_check(application: Application) -> None:
    """Refuse a submission while a required material is missing, naming every one (called by the submission)."""
    missing = materials_missing(application)
    if missing:
        raise ValidationFailed(
            lazy_format(_("Upload the required materials first: %(materials)s."), {"materials": "、".join(missing)}),
            field="materials",
            code="materials_missing",
        )
