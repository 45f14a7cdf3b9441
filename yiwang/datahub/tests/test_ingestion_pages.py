"""Sending data through the console and the API, and who may do it."""

import csv
import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yiwang.conftest import url_routes
from yiwang.core.identifiers import compose_id_number
from yiwang.datahub.models import Batch, Record
from yiwang.datahub.tests.builders import ROLES, row

OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, UNAUTHORIZED = 200, 302, 403, 404, 405, 401


def population_csv(count=3, start=1):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["公民身份号码", "姓名", "性别", "出生日期"])
    for sequence in range(start, start + count):
        born = datetime.date(1990, 1, 1)
        writer.writerow(
            [compose_id_number("419802", born, sequence), "张三", "男" if sequence % 2 else "女", born.isoformat()]
        )
    return buffer.getvalue().encode("gbk")


@pytest.fixture
def police_batch(registries):
    from yiwang.datahub.ingestion.pipeline import ingest_rows

    result = ingest_rows(
        actor=None,
        resource_slug="population",
        source_department_id=registries["police"],
        rows=[{"公民身份号码": "bad", "姓名": "张三", "性别": "男", "出生日期": "1990-01-01"}],
    )
    return result.batch


PAGES = {
    "ingest/": ("/console/datahub/ingest/", row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK)),
    "ingest/uploads/<str:token>/": (
        "/console/datahub/ingest/uploads/0123456789abcdef0123456789abcdef/",
        row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    ),
    "batches/": ("/console/datahub/batches/", row(REDIRECT, FORBIDDEN, OK, OK, OK, OK, OK)),
    "batches/<int:batch_id>/": (
        "/console/datahub/batches/{batch}/",
        # 公安局 sent it: its staff and data administrators see it; 民政局 does not.
        row(REDIRECT, FORBIDDEN, OK, NOT_FOUND, OK, NOT_FOUND, OK),
    ),
    "batches/<int:batch_id>/report.<str:kind>": (
        "/console/datahub/batches/{batch}/report.csv",
        row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND, OK),
    ),
}


def test_every_ingestion_route_is_in_the_matrix():
    routes = {
        route.removeprefix("console/datahub/")
        for route in url_routes()
        if route.startswith(("console/datahub/ingest", "console/datahub/batches"))
    }
    assert routes == set(PAGES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(PAGES))
def test_pages(clients, police_batch, route, role):
    path, expected = PAGES[route]
    response = clients(role).get(path.format(batch=police_batch))
    assert response.status_code == expected[role], (path, role)


def test_upload_loads_the_file_and_shows_the_result(clients, registries):
    client = clients("data_admin")
    upload = SimpleUploadedFile("人口.csv", population_csv(3), content_type="text/csv")
    response = client.post(
        "/console/datahub/ingest/",
        {"resource": "population", "source": registries["police"], "file": upload},
    )
    assert response.status_code == 302
    status = client.get(response["Location"])
    assert status.status_code == 200
    assert status.context["state"]["stage"] == "done"
    assert status.context["state"]["accepted"] == 3
    assert Record.objects.count() == 3
    batch = Batch.objects.get()
    assert (batch.channel, batch.file_name) == ("upload", "人口.csv")


def test_a_data_administrator_sends_only_for_their_department(clients, registries):
    upload = SimpleUploadedFile("p.csv", population_csv(1), content_type="text/csv")
    response = clients("other_data_admin").post(
        "/console/datahub/ingest/", {"resource": "population", "source": registries["police"], "file": upload}
    )
    assert response.status_code == 400
    assert "source" in response.context["form"].errors
    assert not Record.objects.exists()


def test_a_file_that_does_not_fit_is_reported_on_the_progress_page(clients, registries):
    client = clients("data_admin")
    upload = SimpleUploadedFile("p.csv", "姓名,年龄\n张三,3\n".encode(), content_type="text/csv")
    response = client.post(
        "/console/datahub/ingest/", {"resource": "population", "source": registries["police"], "file": upload}
    )
    state = client.get(response["Location"]).context["state"]
    assert state["stage"] == "failed" and "公民身份号码" in state["error"]


def test_the_report_download_is_audited(clients, police_batch):
    from yiwang.core.audit.selectors import audit_events_for_object

    response = clients("data_admin").get(f"/console/datahub/batches/{police_batch}/report.xlsx")
    assert response.status_code == 200
    assert (
        audit_events_for_object(object_type="datahub.batch", object_id=police_batch)
        .filter(action="datahub.batch.report.read")
        .exists()
    )
    assert clients("data_admin").get(f"/console/datahub/batches/{police_batch}/report.exe").status_code == 404


API = {
    ("get", "/api/v1/datahub/resources"): ("/api/v1/datahub/resources?q=户籍", None),
    ("get", "/api/v1/datahub/resources/{slug}"): ("/api/v1/datahub/resources/population", None),
    ("post", "/api/v1/datahub/resources/{slug}/records"): (
        "/api/v1/datahub/resources/population/records",
        {
            "records": [
                {
                    "公民身份号码": compose_id_number("419802", datetime.date(1990, 1, 1), 1),
                    "姓名": "张三",
                    "性别": "男",
                    "出生日期": "1990-01-01",
                }
            ]
        },
    ),
    ("get", "/api/v1/datahub/batches/{batch_id}"): ("/api/v1/datahub/batches/{batch}", None),
}
API_EXPECTED = {
    ("get", "/api/v1/datahub/resources"): row(UNAUTHORIZED, FORBIDDEN, OK, OK, OK, OK, OK),
    ("get", "/api/v1/datahub/resources/{slug}"): row(UNAUTHORIZED, FORBIDDEN, OK, OK, OK, OK, OK),
    # Every department's data administrators send their own department's values (the police's are
    # authoritative; others' become cross-checks); clerks send nothing.
    ("post", "/api/v1/datahub/resources/{slug}/records"): row(
        UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK
    ),
    ("get", "/api/v1/datahub/batches/{batch_id}"): row(UNAUTHORIZED, FORBIDDEN, OK, NOT_FOUND, OK, NOT_FOUND, OK),
}


def test_every_datahub_endpoint_is_in_the_matrix(db):
    schema = Client().get("/api/v1/openapi.json").json()
    operations = {
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if path.startswith("/api/v1/datahub/")
    }
    assert operations == set(API)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", sorted(API))
def test_endpoints(clients, police_batch, registries, operation, role):
    method, _path = operation
    path, body = API[operation]
    client = clients(role)
    path = path.format(batch=police_batch)
    if method == "get":
        response = client.get(path)
    else:
        if role == "admin":
            body = {**(body or {}), "source_department_id": registries["police"]}
        response = client.post(path, json.dumps(body), content_type="application/json")
    assert response.status_code == API_EXPECTED[operation][role], (path, role, response.content[:300])


def test_pushed_records_come_back_with_their_errors(clients, registries):
    records = [
        {"公民身份号码": compose_id_number("419802", datetime.date(1990, 1, 1), 3), "姓名": "李四", "性别": "男",
         "出生日期": "1990-01-01"},
        {"公民身份号码": "110105194912310021", "姓名": "王五", "性别": "女", "出生日期": "1949-12-31"},
    ]  # fmt: skip
    response = clients("data_admin").post(
        "/api/v1/datahub/resources/population/records",
        json.dumps({"records": records}),
        content_type="application/json",
    )
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert body["errors"][0]["row"] == "2" and body["errors"][0]["column"] == "公民身份号码"
    too_many = clients("data_admin").post(
        "/api/v1/datahub/resources/population/records",
        json.dumps({"records": [records[0]] * 10_001}),
        content_type="application/json",
    )
    assert too_many.status_code == 413


def test_pushing_for_another_department_is_refused(clients, registries):
    body = {"records": [{"公民身份号码": "x"}], "source_department_id": registries["police"]}
    response = clients("other_data_admin").post(
        "/api/v1/datahub/resources/population/records", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 403


def test_the_administrator_pushes_on_behalf_of_a_department(clients, registries):
    from yiwang.datahub.models import Batch

    record = {"公民身份号码": compose_id_number("419802", datetime.date(1990, 1, 1), 5), "姓名": "赵六", "性别": "男",
              "出生日期": "1990-01-01"}  # fmt: skip
    body = {"records": [record], "source_department_id": registries["police"]}
    response = clients("admin").post(
        "/api/v1/datahub/resources/population/records", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert Batch.objects.get(pk=response.json()["batch"]).source_department_id == registries["police"]
