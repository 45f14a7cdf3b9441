"""Sending a file in the browser: the upload, its progress (htmx) while a worker loads it, the result and the report."""

from __future__ import annotations

import csv
import datetime
import io
import re
from pathlib import Path

from django.core.management import call_command
from playwright.sync_api import expect

from yiwang.core.identifiers import compose_id_number, id_number_sex

HEADER = ["公民身份号码", "姓名", "性别", "出生日期", "民族", "户籍地址", "现住址", "联系电话", "所属区划"]
DATA_ADMIN_ENTRIES = [
    "/console/datahub/ingest/",
    "/console/datahub/conflicts/",
    "/console/datahub/conflicts/feedback/",
    "/console/datahub/linking/",
]
UPLOAD_STATUS = re.compile(r"/console/datahub/ingest/uploads/[0-9a-f]{32}/$")


def person(sequence: int, name: str, born: datetime.date) -> list[str]:
    """A row of the population registry with a valid ID number whose birth date and sex agree with the others."""
    number = compose_id_number("419802", born, sequence)
    sex = "男" if id_number_sex(number) == "male" else "女"
    return [number, name, sex, born.isoformat(), "汉族", f"明湖市清河区滨河路{sequence}号",
            f"明湖市东湖区湖滨路{sequence}号", f"1380000{sequence:04d}", "419802001001"]  # fmt: skip


def gbk_csv(rows: list[list[str]]) -> bytes:
    """A CSV file as a department's office software exports it: GBK, Chinese headers, CRLF line ends."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    return buffer.getvalue().encode("gbk")


def test_a_data_administrator_uploads_a_gbk_file_and_follows_it_to_the_error_report(
    live_server, page, registries, sign_in, settings
):
    # Uploads are loaded by the task worker, as in production (`make run` starts `yiwang worker`), not inside the
    # request: the progress page shows the upload waiting, and the test plays the worker once the page polls.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    good = [person(1, "赵一", datetime.date(1980, 3, 14)), person(2, "钱二", datetime.date(1992, 11, 30))]
    bad = person(3, "孙三", datetime.date(1975, 6, 1))
    bad[0] = bad[0][:17] + ("0" if bad[0][17] != "0" else "1")  # a wrong check character
    sign_in(registries["police_data_admin"], "/console/datahub/batches/")
    expect(page.locator("main table tbody tr td[colspan]")).to_have_count(1)  # no batch yet
    menu = page.locator("nav.console-nav a").evaluate_all("links => links.map(link => link.getAttribute('href'))")
    assert [path for path in DATA_ADMIN_ENTRIES if path not in menu] == []

    page.click("nav.console-nav a[href='/console/datahub/ingest/']")
    page.wait_for_url(f"{live_server.url}/console/datahub/ingest/")
    expect(page.locator("#id_source option")).to_have_text(["公安局"])  # only for their own department
    page.select_option("#id_resource", "population")
    page.set_input_files("#id_file", {"name": "人口.csv", "mimeType": "text/csv", "buffer": gbk_csv([*good, bad])})
    page.click("main form button[type=submit]")

    page.wait_for_url(UPLOAD_STATUS)
    progress = page.locator("#progress")
    expect(progress).to_have_attribute("hx-get", page.url.removeprefix(live_server.url))  # polls while waiting
    expect(progress).to_have_attribute("aria-live", "polite")
    expect(progress.locator(".message--success")).to_have_count(0)
    page.evaluate("window.notReloaded = true")

    call_command("worker", "--batch")  # the platform's worker command, until the queue is empty

    # htmx swaps the finished state in: 3 rows, 2 accepted, 1 rejected, then stops polling.
    expect(progress.locator(".message--success")).to_contain_text(re.compile(r"\D3\D+2\D+1\D"))
    expect(page.locator("#progress[hx-get]")).to_have_count(0)
    assert page.evaluate("window.notReloaded") is True
    progress.locator("a[href^='/console/datahub/batches/']").click()

    page.wait_for_url(re.compile(r"/console/datahub/batches/\d+/$"))
    batch_id = page.url.rstrip("/").rsplit("/", 1)[1]
    summary = page.locator("main dl.summary dd")
    expect(summary.nth(0)).to_have_text("人口基础信息")
    expect(summary.nth(2)).to_have_text("人口.csv")
    expect(summary.nth(4)).to_have_text("3")  # rows
    expect(summary.nth(5)).to_have_text("2")  # accepted
    expect(summary.nth(6)).to_have_text("1")  # rejected
    expect(page.locator(f"main a[href='/console/datahub/batches/{batch_id}/report.xlsx']")).to_be_visible()
    with page.expect_download() as download_info:
        page.click(f"main a[href='/console/datahub/batches/{batch_id}/report.csv']")
    download = download_info.value
    assert download.suggested_filename == f"batch-{batch_id}-errors.csv"
    report = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert [(line[0], line[1], line[2]) for line in report[1:]] == [("4", "公民身份号码", bad[0])]  # file line 4

    page.click("main a[href='/console/datahub/batches/']")

    page.wait_for_url(f"{live_server.url}/console/datahub/batches/")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.locator("td a")).to_have_attribute("href", f"/console/datahub/batches/{batch_id}/")
    cells = row.locator("td")
    expect(cells.nth(1)).to_have_text("人口基础信息")
    expect(cells.nth(2)).to_have_text("公安局")
    expect(cells.nth(3)).to_have_text("人口.csv")
    expect(cells.nth(5)).to_have_text("3")
    expect(cells.nth(6)).to_have_text("2")
    expect(cells.nth(7)).to_have_text("1")
