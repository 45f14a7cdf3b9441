"""Background work of the data hub: each task takes ids and calls one service."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _
from django_tasks import task

from yiwang.core.errors import YiwangError
from yiwang.datahub.ingestion.pipeline import ingest_file
from yiwang.datahub.ingestion.progress import progress_write
from yiwang.identity.selectors import user_get


@task()
def ingest_uploaded_file(
    *, token: str, path: str, resource_slug: str, source_department_id: int, actor_id: int | None, file_name: str
) -> int | None:
    """Ingest a file uploaded in the console, writing progress for its page; the file is deleted afterwards."""
    actor = user_get(user_id=actor_id) if actor_id is not None else None
    progress_write(token, stage="reading", rows=0, rejected=0)

    def progress(rows: int, rejected: int) -> None:
        progress_write(token, stage="checking", rows=rows, rejected=rejected)

    try:
        result = ingest_file(
            actor=actor,
            resource_slug=resource_slug,
            source_department_id=source_department_id,
            path=Path(path),
            file_name=file_name,
            channel="upload",
            progress=progress,
        )
    except YiwangError as error:
        progress_write(token, stage="failed", error=str(error))
        return None
    except Exception:
        progress_write(token, stage="failed", error=_("The file could not be loaded; nothing was changed."))
        raise
    finally:
        Path(path).unlink(missing_ok=True)
    progress_write(token, stage="done", **result.as_json())
    return result.batch
