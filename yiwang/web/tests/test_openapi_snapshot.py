"""The published API changes only on purpose: the OpenAPI document is checked in and compared here."""

import json
from pathlib import Path

from django.test import Client

SNAPSHOT = Path(__file__).resolve().parents[3] / "docs" / "api" / "openapi-v1.json"
REGENERATE = (
    ".venv/bin/yiwang export_openapi_schema --api yiwang.config.api.api --indent 2 --sorted "
    "--output docs/api/openapi-v1.json"
)


def test_the_api_matches_its_published_document(db):
    published = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    current = Client().get("/api/v1/openapi.json").json()
    assert current == published, f"The API changed. If that is intended, regenerate the document: {REGENERATE}"
