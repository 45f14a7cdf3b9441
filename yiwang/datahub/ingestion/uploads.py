"""Files uploaded in the console wait under MEDIA_ROOT until the worker ingests them."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile


def uploads_directory() -> Path:
    """Where uploaded files wait for ingestion."""
    path = Path(settings.MEDIA_ROOT) / "datahub" / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_store(upload: UploadedFile[bytes]) -> Path:
    """Save an uploaded file under a random name (never the uploader's file name) and return its path."""
    target = uploads_directory() / uuid.uuid4().hex
    with target.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return target
