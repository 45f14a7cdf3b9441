import csv
import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yiwang.core.identifiers import compose_credit_code, compose_id_number
from yiwang.datahub.catalog.selectors import resource_schema
from yiwang.datahub.ingestion.pipeline import ingest_file, ingest_rows
from yiwang.datahub.models import Batch, BatchStatus, Conflict, Record
from yiwang.datahub.registry.selectors import population_real_name_match, record_get, records_by_lookup
from yiwang.identity.realname import MatchOutcome

HEADER = ["公民身份号码", "姓名", "性别", "出生日期", "民族", "户籍地址", "现住址", "联系电话", "所属区划"]


def person(sequence, name="张三", born=datetime.date(1980, 1, 1), **overrides):
    number = compose_id_number("419802", born, sequence)
    sex = "男" if sequence % 2 else "女"
    row = {
        "公民身份号码": number, "姓名": name, "性别": sex, "出生日期": born.isoformat(), "民族": "汉族",
        "户籍地址": f"明湖市清河区滨河路{sequence}号", "现住址": "", "联系电话": f"1380000{sequence:04d}",
        "所属区划": "419802001001",
    }  # fmt: skip
    row.update(overrides)
    return row


def write_csv(path, rows, encoding="gbk", header=HEADER):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def run(path, source="公安局", *extra):
    out = io.StringIO()
    call_command("ingest", str(path), "--resource", "population", "--source", source, "--json", *extra, stdout=out)
    return json.loads(out.getvalue())


def test_a_gbk_file_loads_and_reports_its_bad_rows(registries, tmp_path):
    rows = [person(index) for index in range(1, 51)]
    rows[3]["公民身份号码"] = rows[3]["公民身份号码"][:-1] + ("1" if rows[3]["公民身份号码"][-1] != "1" else "2")
    rows[7]["性别"] = "女" if rows[7]["性别"] == "男" else "男"
    rows[9]["姓名"] = ""
    result = run(write_csv(tmp_path / "人口.csv", rows))
    assert set(result) == {"batch", "rows", "accepted", "rejected", "unchanged", "conflicts", "report"}
    assert (result["rows"], result["accepted"], result["rejected"], result["unchanged"], result["conflicts"]) == (
        50,
        47,
        3,
        0,
        0,
    )
    report = (tmp_path / "x").parent  # the report lives under MEDIA_ROOT
    with Path(result["report"]).open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert [line[0] for line in lines[1:]] == ["5", "9", "11"]  # header is line 1, the 4th data row is line 5
    assert {line[1] for line in lines[1:]} == {"公民身份号码", "性别", "姓名"}
    assert report.exists()
    assert Record.objects.filter(resource__slug="population").count() == 47
    batch = Batch.objects.get(pk=result["batch"])
    assert (batch.status, batch.encoding) == (BatchStatus.COMMITTED, "gb18030")


def test_the_same_file_twice_changes_nothing(registries, tmp_path):
    path = write_csv(tmp_path / "p.csv", [person(index) for index in range(1, 11)])
    first = run(path)
    second = run(path)
    assert second["accepted"] == 0 and second["unchanged"] == 10
    assert Batch.objects.get(pk=second["batch"]).status == BatchStatus.DUPLICATE
    assert Batch.objects.get(pk=second["batch"]).duplicate_of_id == first["batch"]
    # The same rows in another file (other bytes): every row is unchanged.
    third = run(write_csv(tmp_path / "q.csv", [person(index) for index in range(1, 11)], encoding="utf-8-sig"))
    assert (third["accepted"], third["unchanged"]) == (0, 10)


def test_values_are_encrypted_and_provenance_kept(registries, tmp_path):
    result = run(write_csv(tmp_path / "p.csv", [person(1, name="李四")]))
    record = Record.objects.get(resource__slug="population")
    assert "李四" not in json.dumps(record.data, ensure_ascii=False) and "李四" not in record.protected
    assert record.key != person(1)["公民身份号码"]  # the key of a sensitive element is its blind index
    view = record_get(schema=resource_schema(slug="population"), key_values={"id_number": person(1)["公民身份号码"]})
    assert view.values["name"] == "李四" and view.values["ethnicity"] == "汉族"
    assert view.provenance["name"] == [registries["police"], result["batch"]]


def test_the_authoritative_source_wins_and_others_raise_conflicts(registries, tmp_path):
    run(write_csv(tmp_path / "police.csv", [person(1), person(3)]))
    civil = [person(1, **{"联系电话": "13900009999"}), person(3), person(5)]
    result = run(write_csv(tmp_path / "civil.csv", civil), "民政局")
    # Row 1: the phone differs from the police's value → a conflict, record unchanged.
    # Row 2: identical. Row 3: a new person (no authoritative value yet) → accepted.
    assert (result["accepted"], result["unchanged"], result["conflicts"]) == (1, 2, 1)
    schema = resource_schema(slug="population")
    view = record_get(schema=schema, key_values={"id_number": person(1)["公民身份号码"]})
    assert view.values["phone"] == "13800000001"
    conflict = Conflict.objects.get()
    assert conflict.element_code == "phone" and conflict.values_protected
    assert "13900009999" not in conflict.other_value
    # The police correct the phone themselves: their value wins.
    fixed = run(write_csv(tmp_path / "police2.csv", [person(1, **{"联系电话": "13900009999"})]))
    assert fixed["accepted"] == 1
    assert record_get(schema=schema, key_values={"id_number": person(1)["公民身份号码"]}).values["phone"] == (
        "13900009999"
    )


def test_duplicate_keys_inside_a_file_are_all_refused(registries, tmp_path):
    rows = [person(1), person(2), person(1, name="王五")]
    result = run(write_csv(tmp_path / "dup.csv", rows))
    assert (result["accepted"], result["rejected"]) == (1, 2)
    with Path(result["report"]).open(encoding="utf-8-sig") as handle:
        text = handle.read()
    assert "2, 4" in text


def test_a_file_repeating_many_keys_many_times_is_refused_row_by_row_in_one_pass(registries, tmp_path):
    # Three people twelve times each (lines 2–37, interleaved), then two people once (lines 38 and 39).
    rows = [person(1 + index % 3) for index in range(36)] + [person(4), person(5)]
    result = run(write_csv(tmp_path / "dup.csv", rows))
    assert (result["rows"], result["accepted"], result["rejected"]) == (38, 2, 36)
    assert Record.objects.filter(resource__slug="population").count() == 2
    with Path(result["report"]).open(encoding="utf-8-sig") as handle:
        report = list(csv.reader(handle))[1:]
    assert sorted(int(line[0]) for line in report) == list(range(2, 38))
    first = [line[3] for line in report if line[0] == "2"]
    assert first == ["the same key is on rows 2, 5, 8, 11, 14, 17, 20, 23, 26, 29 and 2 more of this file"]
    assert Batch.objects.get(pk=result["batch"]).duplicate_key_rows == 36


def test_dry_run_counts_and_changes_nothing(registries, tmp_path):
    result = run(write_csv(tmp_path / "p.csv", [person(1), person(2)]), "公安局", "--dry-run")
    assert (result["batch"], result["accepted"]) == (None, 2)
    assert not Record.objects.exists() and not Batch.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        ("名字,年龄\n张三,3\n".encode(), "No column"),
        ("公民身份号码,性别\n".encode(), "required element"),
    ],
)
def test_files_that_cannot_load_say_why(registries, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(path)
    assert not Record.objects.exists()


def test_unknown_columns_are_reported_not_fatal(registries, tmp_path):
    path = write_csv(tmp_path / "p.csv", [person(1)], header=[*HEADER, "备注"])
    out = io.StringIO()
    err = io.StringIO()
    call_command("ingest", str(path), "--resource", "population", "--source", "公安局", stdout=out, stderr=err)
    assert "备注" in err.getvalue()
    assert "1 accepted" in out.getvalue()


def test_headers_marked_required_or_written_full_width_are_recognised(registries, tmp_path):
    marked = ["*公民身份号码", "姓名（必填）", " 性 别 ", "出生日期*", "民族(选填)"]
    marked += ["户籍地址", "现住址", "联系电话", "所属区划"]
    rows = [dict(zip(marked, person(1).values(), strict=True))]
    outcome = run(write_csv(tmp_path / "p.csv", rows, header=marked))
    assert (outcome["accepted"], outcome["rejected"]) == (1, 0)


def test_pushed_rows_and_lookups(registries):
    representative = person(7)
    ingest_rows(
        actor=None, resource_slug="population", source_department_id=registries["police"], rows=[representative]
    )
    result = ingest_rows(
        actor=None,
        resource_slug="legal-entities",
        source_department_id=registries["market"],
        rows=[
            {
                "统一社会信用代码": compose_credit_code("91419802MA45R8YH2"),
                "名称": "明湖测试有限公司",
                "法定代表人": "张三",
                "法定代表人身份证号": representative["公民身份号码"],
                "注册资本(万元)": "100.00",
                "成立日期": "2020-01-02",
                "登记状态": "存续",
            }
        ],
    )
    assert (result.accepted, result.rejected) == (1, 0)
    schema = resource_schema(slug="legal-entities")
    [found] = records_by_lookup(
        schema=schema, element_code="legal_representative_id_number", value=representative["公民身份号码"]
    )
    assert found.values["registered_capital"] == "100"
    assert found.values["legal_representative_id_number"] == representative["公民身份号码"]


def test_the_real_name_check_matches_the_population_registry(registries):
    ingest_rows(
        actor=None, resource_slug="population", source_department_id=registries["police"], rows=[person(9, name="赵六")]
    )
    number = person(9)["公民身份号码"]
    assert population_real_name_match("赵六", number).outcome == MatchOutcome.MATCHED
    assert population_real_name_match("赵七", number).outcome == MatchOutcome.NAME_MISMATCH
    assert population_real_name_match("赵六", person(11)["公民身份号码"]).outcome == MatchOutcome.NOT_FOUND


def test_other_departments_data_admins_cannot_send_for_the_police(registries, tmp_path):
    from yiwang.core.errors import PermissionDenied

    path = write_csv(tmp_path / "p.csv", [person(1)])
    with pytest.raises(PermissionDenied):
        ingest_file(
            actor=registries["civil_data_admin"],
            resource_slug="population",
            source_department_id=registries["police"],
            path=path,
        )
    result = ingest_file(
        actor=registries["police_data_admin"],
        resource_slug="population",
        source_department_id=registries["police"],
        path=path,
    )
    assert result.accepted == 1


@pytest.mark.django_db(transaction=True)
def test_a_killed_batch_changes_nothing_and_a_rerun_finishes(registries, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        url = "sqlite:///" + settings_dict["NAME"]
    else:
        url = f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/{settings_dict['NAME']}"
    path = write_csv(
        tmp_path / "big.csv",
        [
            person(index % 1000, born=datetime.date(1960, 1, 1) + datetime.timedelta(days=index // 1000))
            for index in range(60000)
        ],
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "yiwang.config.test_settings", "DATABASE_URL": url}
    command = [
        sys.executable,
        "-m",
        "yiwang.config.cli",
        "ingest",
        str(path),
        "--resource",
        "population",
        "--source",
        "公安局",
        "--json",
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not Batch.objects.filter(status=BatchStatus.RUNNING).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert Record.objects.count() == 0
    assert Batch.objects.get().status == BatchStatus.RUNNING
    finished = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    result = json.loads(finished.stdout)
    assert result["accepted"] == 60000
    assert Record.objects.count() == 60000
    assert list(Batch.objects.order_by("id").values_list("status", flat=True)) == [
        BatchStatus.FAILED,
        BatchStatus.COMMITTED,
    ]


@pytest.mark.django_db(transaction=True)
def test_two_batches_of_one_resource_at_once_both_commit_one_after_the_other(registries, tmp_path):
    import threading

    from django.db import connection

    def born(index):
        return datetime.date(1970, 1, 1) + datetime.timedelta(days=index // 1000)

    files = {
        "police": write_csv(tmp_path / "police.csv", [person(index % 1000, born=born(index)) for index in range(3000)]),
        "civil": write_csv(
            tmp_path / "civil.csv",
            [person(index % 1000, born=born(index), **{"联系电话": "13900000000"}) for index in range(2000, 5000)],
        ),
    }
    results: dict[str, object] = {}

    def send(department):
        try:
            results[department] = ingest_file(
                actor=None,
                resource_slug="population",
                source_department_id=registries[department],
                path=files[department],
            )
        except Exception as error:
            results[department] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(name,)) for name in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {name: type(result).__name__ for name, result in results.items()} == {
        "police": "IngestResult",
        "civil": "IngestResult",
    }
    assert Record.objects.count() == 5000
    assert set(Batch.objects.values_list("status", flat=True)) == {BatchStatus.COMMITTED}


def test_citizens_reach_level_three_when_the_registry_knows_them(registries):
    from django.test import Client

    from yiwang.conftest import PASSWORD, next_phone, sign_in
    from yiwang.identity import services as identity_services

    known = person(21, name="孙悟空")
    ingest_rows(actor=None, resource_slug="population", source_department_id=registries["police"], rows=[known])
    registered = identity_services.citizen_register(
        registration=identity_services.Registration(
            real_name="孙悟空", id_number=known["公民身份号码"], phone=next_phone(), password=PASSWORD
        )
    )
    assert registered.assurance_level == 3
    unknown = identity_services.citizen_register(
        registration=identity_services.Registration(
            real_name="猪八戒", id_number=person(23)["公民身份号码"], phone=next_phone(), password=PASSWORD
        )
    )
    assert unknown.assurance_level == 2
    ingest_rows(
        actor=None,
        resource_slug="population",
        source_department_id=registries["police"],
        rows=[person(23, name="猪八戒")],
    )
    client = sign_in(Client(), unknown)
    assert client.post("/account/verify/").status_code == 302
    unknown.refresh_from_db()
    assert unknown.assurance_level == 3


def test_a_large_batch_refreshes_the_planner_statistics(registries, monkeypatch, django_capture_on_commit_callbacks):
    from yiwang.datahub.ingestion import loader, pipeline

    monkeypatch.setattr(pipeline, "ANALYZE_AFTER_ROWS", 2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ingest_rows(
            actor=None,
            resource_slug="population",
            source_department_id=registries["police"],
            rows=[person(1), person(2)],
        )
    assert loader.refresh_statistics in callbacks
