"""The grid worker's pages: a report with a real photo and the place, one resolved on the spot (自处置) with a photo of
the result, the refusals, and "my reports"."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from yiwang.cases.models import Case, CaseAttachment, CaseStatus
from yiwang.cases.tests.conftest import Hotline
from yiwang.conftest import sign_in

pytestmark = pytest.mark.django_db


def png(name: str = "photo.png", colour: tuple[int, int, int] = (200, 30, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def grid(hotline: Hotline, settings: Any, tmp_path: Path) -> Callable[[Any], Client]:
    settings.MEDIA_ROOT = tmp_path

    def make(user: Any) -> Client:
        client = Client()
        client.cookies["yiwang_language"] = "en"
        return sign_in(client, user)

    return make


def report(hotline: Hotline, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category_code": hotline.lamp,
        "content": "柳园社区第一网格内路灯杆倾斜，有倒伏危险",
        "grid_cell_code": hotline.cell,
        "address": "柳园路与滨河路交叉口东北角",
        "latitude": "34.746612",
        "longitude": "113.625328",
    }
    body.update(changes)
    return body


def main(response: Any) -> str:
    page = response.content.decode()
    return page[page.index("<main") :]


def test_the_report_page_is_made_for_a_phone(grid, hotline: Hotline) -> None:
    page = main(grid(hotline.grid_worker).get("/console/cases/grid/report/"))
    assert 'accept="image/*" capture="environment"' in page
    assert '<script src="/static/cases/grid.js" defer></script>' in page
    assert 'id="locate" hidden' in page  # revealed by the script when the browser can locate
    assert f'<option value="{hotline.cell}" selected>' in page  # the worker's only cell, chosen
    for field in ("id_category_code", "id_content", "id_grid_cell_code", "id_latitude", "id_photo", "id_upload"):
        assert f'id="{field}"' in page


def test_a_grid_worker_reports_an_event_with_a_photo_and_the_place(grid, hotline: Hotline) -> None:
    client = grid(hotline.grid_worker)
    response = client.post("/console/cases/grid/report/", report(hotline, photo=png()))
    assert response.status_code == 302
    assert response["Location"] == "/console/cases/grid/"
    case = Case.objects.get()
    assert (case.channel, case.case_type, case.status, case.received_by_id) == (
        "grid",
        "report",
        CaseStatus.RECEIVED,
        hotline.grid_worker.pk,
    )
    assert (case.grid_cell.code, case.division.code, str(case.latitude), str(case.longitude)) == (
        hotline.cell,
        hotline.community,
        "34.746612",
        "113.625328",
    )
    photo = CaseAttachment.objects.get(case=case)
    assert (photo.kind, photo.content_type, photo.from_reporter) == ("photo", "image/png", True)
    mine = main(client.get("/console/cases/grid/"))
    assert f'data-testid="case-row" data-number="{case.number}"' in mine
    assert str(CaseStatus.RECEIVED.label) in mine


def test_a_small_matter_resolved_on_the_spot_needs_a_photo_of_the_result(grid, hotline: Hotline) -> None:
    client = grid(hotline.grid_worker)
    body = report(hotline, content="井盖移位", resolved_on_spot="on", reply="已将井盖复位")
    missing = client.post("/console/cases/grid/report/", body)
    assert missing.status_code == 400
    assert "A photo of the result is required." in main(missing)
    assert not Case.objects.exists()
    wrong_type = client.post(
        "/console/cases/grid/report/",
        body | {"upload": SimpleUploadedFile("result.txt", b"not a photo", content_type="text/plain")},
    )
    assert wrong_type.status_code == 400
    assert "Attach a photo (JPEG, PNG or WebP)." in main(wrong_type)
    # A file whose content is not what its type says: the service refuses, nothing is kept.
    forged = client.post(
        "/console/cases/grid/report/",
        body | {"upload": SimpleUploadedFile("result.png", b"GIF89a not a png", content_type="image/png")},
    )
    assert forged.status_code == 400
    assert "The file&#x27;s content is not what its type says." in main(forged)
    assert not Case.objects.exists()

    done = client.post("/console/cases/grid/report/", body | {"photo": png(), "upload": png("result.png", (0, 90, 0))})
    assert done.status_code == 302
    case = Case.objects.get()
    assert (case.status, case.resolved_on_spot, case.reply) == (CaseStatus.CONCLUDED, True, "已将井盖复位")
    assert sorted(CaseAttachment.objects.filter(case=case).values_list("kind", flat=True)) == ["evidence", "photo"]
    assert "resolved_on_spot" in list(case.events.values_list("kind", flat=True))
    page = main(client.get(f"/console/cases/{case.number}/"))
    assert "evidence of the result" in page


def test_a_worker_reports_only_in_their_own_cells(grid, hotline: Hotline, make_staff) -> None:
    from yiwang.identity.roles import Role

    stranger = make_staff(hotline.street_office, (Role.GRID_WORKER,), real_name="网格员乙")
    client = grid(stranger)
    page = main(client.get("/console/cases/grid/report/"))
    assert 'data-testid="no-cells"' in page
    refused = client.post("/console/cases/grid/report/", report(hotline))
    assert refused.status_code == 400  # the cell is not among the worker's choices
    assert not Case.objects.exists()


def test_a_grid_event_resolved_later_on_the_case_page(grid, hotline: Hotline) -> None:
    client = grid(hotline.grid_worker)
    assert client.post("/console/cases/grid/report/", report(hotline)).status_code == 302
    case = Case.objects.get()
    page = main(client.get(f"/console/cases/{case.number}/"))
    assert 'data-testid="step-resolve_on_spot"' in page and 'enctype="multipart/form-data"' in page
    response = client.post(
        f"/console/cases/{case.number}/resolve_on_spot/",
        {"resolve_on_spot-reply": "已扶正路灯杆", "resolve_on_spot-upload": png("after.png")},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.resolved_on_spot) == (CaseStatus.CONCLUDED, True)
