"""The item list as an Excel workbook: export, import (all or nothing), problems by sheet, row and column."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from yiwang.core.errors import PermissionDenied
from yiwang.identity.roles import Role
from yiwang.services.catalog.excel import import_items, items_read, items_workbook
from yiwang.services.catalog.selectors import item_list, item_version_get, item_versions
from yiwang.services.catalog.services import (
    FeeInput,
    HandlingItemInput,
    ItemInput,
    MaterialInput,
    input_of,
    item_create,
    item_draft_update,
    item_publish,
)
from yiwang.services.models import ItemVersion

pytestmark = pytest.mark.django_db

TASK_CODE = "11419800MB0000001X-001"
# An item as a department drafts it: a form filled in on the spot, an identity card from e-licenses and the
# registered address from the population registry, one fee.
BASE = ItemInput(
    name="测试事项", item_type="01", legal_basis="《中华人民共和国行政许可法》第十二条", exercise_level="municipal",
    service_object="person", project_type="promised", statutory_limit=20, promised_limit=10, online_depth="3",
    result_type="license", acceptance_conditions="申请人为本市户籍居民。",
    handling_place="明湖市政务服务中心一楼综合窗口", handling_hours="工作日 9:00-17:00", consult_phone="0379-12345",
    complaint_phone="12345", visits=1,
    result_name="准予许可决定书", handling_items=(HandlingItemInput(code="01", name="首次申请"),),
    materials=(
        MaterialInput(name="申请表", required=True, form="paper", copies=1, source="applicant", notes="现场填写"),
        MaterialInput("居民身份证", form="electronic", copies=0, source="license", source_reference="resident_id"),
        MaterialInput("户籍信息", required=False, form="electronic", copies=0, source="registry",
                      source_reference="population:registered_address"),
    ),
    fees=(FeeInput(name="工本费", standard="每证10元", legal_basis="《收费标准通知》", reducible=True),),
)  # fmt: skip
FULL = dataclasses.replace(
    BASE,
    name="社会团体成立登记", power_source="2", exercise_level="township", service_object="both",
    statutory_limit=60, statutory_unit="natural_days", promised_limit=20, result_type="approval",
    acceptance_conditions="有50个以上的个人会员；\n有规范的名称和相应的组织机构。",
    handling_items=(HandlingItemInput("SG-01", "成立登记"), HandlingItemInput("SG-02", "变更登记")),
    materials=(
        *BASE.materials,
        MaterialInput("章程草案", required=False, form="paper", copies=2, legal_basis="《条例》第十一条", notes="盖章"),
        MaterialInput(name="验资报告", form="either", source="department"),
    ),
    fees=(FeeInput("登记费", "每件100元", "豫价费〔2020〕1号", reducible=True), FeeInput("证书工本费", "10元", "同上")),
)  # fmt: skip


def _item(department_id: int, *, publish: bool = True) -> ItemVersion:
    """The item BASE under TASK_CODE, published unless asked not to (created by the system)."""
    version = item_create(
        actor=None, department_id=department_id, catalog_code="000123456000", task_code=TASK_CODE, data=BASE
    )
    return item_publish(actor=None, version_id=version.pk) if publish else version


@pytest.fixture
def people(city: Any, accounts: Any, make_staff: Any) -> dict[str, Any]:
    """民政局's item administrator and clerk, 公安局's item administrator, a citizen, a platform administrator."""
    return {
        "item_admin": make_staff(city.civil_affairs, (Role.ITEM_ADMIN,), real_name="民政事项员"),
        "staff_other": accounts.staff_other,
        "item_admin_police": make_staff(city.public_security, (Role.ITEM_ADMIN,), real_name="公安事项员"),
        "citizen": accounts.citizen,
        "admin": accounts.admin,
    }


def _sheets(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}


def _edit(data: bytes, *changes: tuple[str, str, Any]) -> bytes:
    """The workbook with cells changed: (sheet, cell, value)."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    for sheet, cell, value in changes:
        workbook[sheet][cell] = value
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for values in rows:
            sheet.append(values)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _command(*arguments: str) -> tuple[int, str, str]:
    """`yiwang services …`: its exit code, what it printed, and its errors (the CommandError's message last)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("services", *arguments, stdout=stdout, stderr=stderr)
    except CommandError as error:
        return error.returncode, stdout.getvalue(), stderr.getvalue() + str(error)
    return 0, stdout.getvalue(), stderr.getvalue()


def _problems(result: Any) -> list[tuple[str, int | None, str, str, str]]:
    return [(p.sheet, p.row, p.column, p.header, p.message) for p in result.problems]


def test_the_export_has_the_departments_columns_and_words(city: Any) -> None:
    _item(city.civil_affairs)
    sheets = _sheets(items_workbook(department_id=city.civil_affairs))
    assert list(sheets) == ["事项", "办理项", "材料", "收费"]
    header, row = sheets["事项"]
    assert dict(zip(header, row, strict=True)) == {
        "基本编码": "000123456000",
        "实施编码": TASK_CODE,
        "事项名称": "测试事项",
        "事项类型": "01 行政许可",
        "实施主体": "民政局",
        "设定依据": "《中华人民共和国行政许可法》第十二条",
        "权力来源": "法定本级行使",
        "行使层级": "市级",
        "服务对象": "自然人",
        "办件类型": "承诺件",
        "法定办结时限": 20,
        "法定时限单位": "工作日",
        "承诺办结时限": 10,
        "承诺时限单位": "工作日",
        "受理条件": "申请人为本市户籍居民。",
        "办理地点": "明湖市政务服务中心一楼综合窗口",
        "办理时间": "工作日 9:00-17:00",
        "咨询电话": "0379-12345",
        "监督投诉电话": "12345",
        "网上办理深度": "三级",
        "到现场次数": 1,
        "审批结果类型": "证照",
        "审批结果名称": "准予许可决定书",
        "结果证照类型代码": None,
    }
    assert sheets["办理项"] == [("实施编码", "办理项编码", "办理项名称"), (TASK_CODE, "01", "首次申请")]
    assert sheets["材料"] == [
        ("实施编码", "材料名称", "是否必要", "材料形式", "份数", "来源渠道", "来源说明", "设定依据", "备注"),
        (TASK_CODE, "申请表", "是", "纸质", 1, "申请人自备", None, None, "现场填写"),
        (TASK_CODE, "居民身份证", "是", "电子", 0, "电子证照", "resident_id", None, None),
        (TASK_CODE, "户籍信息", "否", "电子", 0, "基础数据库", "population:registered_address", None, None),
    ]
    assert sheets["收费"] == [
        ("实施编码", "收费项目", "收费标准", "收费依据", "是否允许减免"),
        (TASK_CODE, "工本费", "每证10元", "《收费标准通知》", "是"),
    ]
    assert items_workbook(department_id=city.public_security) != b""
    assert _sheets(items_workbook(department_id=city.public_security))["事项"] == [sheets["事项"][0]]


def test_export_then_import_is_the_same_item(city: Any, accounts: Any) -> None:
    version = _item(city.civil_affairs, publish=False)
    item_draft_update(actor=None, version_id=version.pk, data=FULL)
    exported = items_workbook(department_id=city.civil_affairs)
    [parsed] = items_read(data=exported, name="list.xlsx").items
    assert (parsed.task_code, parsed.catalog_code, parsed.department) == (TASK_CODE, "000123456000", "民政局")

    again = import_items(actor=accounts.admin, department_id=city.civil_affairs, data=exported, dry_run=False)
    assert (again.created, again.updated, again.unchanged, again.problems, again.written) == (
        [],
        [],
        [TASK_CODE],
        [],
        True,
    )
    # The same workbook under another code creates an item equal in every field.
    renamed = exported
    for sheet, rows in (("事项", 1), ("办理项", 2), ("材料", 5), ("收费", 2)):
        column = "B" if sheet == "事项" else "A"
        for row in range(2, rows + 2):
            renamed = _edit(renamed, (sheet, f"{column}{row}", "COPY-001"))
    result = import_items(actor=accounts.admin, department_id=city.civil_affairs, data=renamed, dry_run=False)
    assert (result.created, result.problems, result.written) == (["COPY-001"], [], True)
    [copy] = item_versions(task_code="COPY-001")
    assert input_of(item_version_get(version_id=copy.version_id)) == FULL
    assert _sheets(items_workbook(department_id=city.civil_affairs))["材料"][1:6] == _sheets(exported)["材料"][1:6]


def test_every_problem_in_every_sheet_is_named_and_nothing_is_written(city: Any, accounts: Any) -> None:
    _item(city.civil_affairs)
    exported = items_workbook(department_id=city.civil_affairs)
    broken = _edit(
        exported,
        ("事项", "J2", "加急件"),  # 办件类型
        ("事项", "A3", "000123456001"),  # a second, new item whose limit is not a number
        ("事项", "B3", "NEW-001"),
        ("事项", "C3", "新事项"),
        ("事项", "D3", "行政确认"),
        ("事项", "F3", "《条例》"),
        ("事项", "H3", "县级"),
        ("事项", "I3", "法人"),
        ("事项", "J3", "即办件"),
        ("事项", "K3", "十天"),
        ("事项", "M3", 0),
        ("事项", "T3", 1),
        ("事项", "V3", "其他"),
        ("办理项", "B2", "首次 申请"),
        ("材料", "F3", "基础数据库"),  # 居民身份证 now from a registry, but 来源说明 names a license
        ("材料", "C4", "可能"),
        ("收费", "C2", ""),
        ("收费", "A3", "NEW-002"),
        ("收费", "B3", "邮寄费"),
        ("收费", "C3", "10元"),
        ("收费", "D3", "无"),
    )
    result = import_items(actor=accounts.admin, department_id=city.civil_affairs, data=broken, dry_run=False)
    assert _problems(result) == [
        ("事项", 2, "J", "办件类型", "“加急件” is not one of 即办件、承诺件."),
        ("事项", 3, "K", "法定办结时限", "“十天” is not a whole number of at least 0."),
        ("办理项", 2, "B", "办理项编码", "A handling-item code has up to 50 letters, digits, '-', '_' or '.'."),
        (
            "材料",
            3,
            "G",
            "来源说明",
            "A material fetched from a registry names it as resource:element, e.g. population:name.",
        ),
        ("材料", 4, "C", "是否必要", "Write 是 or 否, not “可能”."),
        ("收费", 2, "C", "收费标准", "Give the fee's standard (amount or rate)."),
        ("收费", 3, "A", "实施编码", "No row of sheet 事项 has the implementation code NEW-002."),
    ]
    assert (result.created, result.updated, result.written) == ([], [], False)
    assert [summary.task_code for summary in item_list(department_id=city.civil_affairs)] == [TASK_CODE]
    assert [(v.version, v.status) for v in item_versions(task_code=TASK_CODE)] == [(1, "published")]


def test_the_services_rules_are_mapped_to_the_cells(city: Any, accounts: Any) -> None:
    _item(city.civil_affairs)
    exported = items_workbook(department_id=city.civil_affairs)
    broken = _edit(
        exported,
        ("事项", "J2", "即办件"),  # a 即办件 with a promised limit of 10 days
        ("办理项", "A3", TASK_CODE),  # the same handling-item code twice
        ("办理项", "B3", "01"),
        ("办理项", "C3", "再次申请"),
    )
    result = import_items(actor=accounts.admin, department_id=city.civil_affairs, data=broken, dry_run=True)
    assert _problems(result) == [
        (
            "事项",
            2,
            "M",
            "承诺办结时限",
            "An item answered on the spot (即办件) has a promised limit of 0 days.",
        ),
    ]
    fixed = _edit(broken, ("事项", "J2", "承诺件"))
    result = import_items(actor=accounts.admin, department_id=city.civil_affairs, data=fixed, dry_run=True)
    assert _problems(result) == [("办理项", 3, "B", "办理项编码", "Handling-item code 01 appears twice.")]
    bad_code = _edit(items_workbook(department_id=city.civil_affairs), ("事项", "B2", "NEW 001"))
    result = import_items(actor=accounts.admin, department_id=city.civil_affairs, data=bad_code, dry_run=True)
    assert _problems(result) == [
        ("事项", 2, "B", "实施编码", "An implementation code (实施编码) has up to 36 letters, digits or '-'."),
        ("办理项", 2, "A", "实施编码", "No row of sheet 事项 has the implementation code " + TASK_CODE + "."),
        ("材料", 2, "A", "实施编码", "No row of sheet 事项 has the implementation code " + TASK_CODE + "."),
        ("材料", 3, "A", "实施编码", "No row of sheet 事项 has the implementation code " + TASK_CODE + "."),
        ("材料", 4, "A", "实施编码", "No row of sheet 事项 has the implementation code " + TASK_CODE + "."),
        ("收费", 2, "A", "实施编码", "No row of sheet 事项 has the implementation code " + TASK_CODE + "."),
    ]


ITEM_ROW = {
    "实施编码": "NEW-001",
    "name": "新事项",
    "基本编码": "000123456001",
    "item_type": "20",
    "设定依据": "《条例》",
    "exercise_level": "municipal",
    "服务对象": "自然人、法人",
    "办件类型": "即办件",
    "statutory_limit": 5,
    "承诺办结时限": 0,
    "网上办理深度": 4,
    "到现场次数": 0,
    "result_type": "其他",
}


def test_headers_in_any_order_by_label_or_field_name(city: Any, accounts: Any) -> None:
    data = _workbook(
        {
            "事项": [list(ITEM_ROW), list(ITEM_ROW.values())],
            "材料": [["材料名称", "task_code", "source", "来源说明"], ["身份证", "NEW-001", "电子证照", "resident_id"]],
        }
    )
    result = import_items(actor=accounts.admin, department_id=city.civil_affairs, data=data, dry_run=False)
    assert (result.created, result.problems, result.notes, result.written) == (["NEW-001"], [], [], True)
    [summary] = item_versions(task_code="NEW-001")
    assert summary.catalog_code == "000123456001"
    expected = ItemInput(
        name="新事项", item_type="20", legal_basis="《条例》", exercise_level="municipal", service_object="both",
        project_type="immediate", statutory_limit=5, promised_limit=0, online_depth="4", result_type="other",
        materials=(MaterialInput(name="身份证", source="license", source_reference="resident_id"),),
    )  # fmt: skip
    assert input_of(item_version_get(version_id=summary.version_id)) == expected


def test_an_unknown_column_is_reported_not_fatal(city: Any, accounts: Any) -> None:
    data = _workbook({"事项": [[*ITEM_ROW, "负责人"], [*ITEM_ROW.values(), "王五"]]})
    result = import_items(actor=accounts.admin, department_id=city.civil_affairs, data=data, dry_run=False)
    assert (result.created, result.problems, result.written) == (["NEW-001"], [], True)
    assert result.notes == ["事项, column N (负责人) is not a catalog column and is not read."]


def test_blank_rows_are_skipped_and_a_missing_column_is_named(city: Any, accounts: Any) -> None:
    data = _workbook({"事项": [list(ITEM_ROW), [None] * len(ITEM_ROW), list(ITEM_ROW.values())]})
    result = import_items(actor=accounts.admin, department_id=city.civil_affairs, data=data, dry_run=True)
    assert (result.created, result.problems) == (["NEW-001"], [])
    without = {key: value for key, value in ITEM_ROW.items() if key != "设定依据"}
    data = _workbook({"事项": [list(without), list(without.values())]})
    result = import_items(actor=accounts.admin, department_id=city.civil_affairs, data=data, dry_run=True)
    assert _problems(result) == [("事项", 1, "", "", "the header has no column 设定依据.")]


@pytest.mark.parametrize(
    "content",
    ["实施编码,事项名称\n11419800-001,社会团体登记\n".encode("gbk"), b"\x89PNG\r\n\x1a\n" + b"\x00" * 64],
    ids=["gbk-csv", "png"],
)
def test_a_file_that_is_not_an_xlsx_is_refused(city: Any, accounts: Any, content: bytes) -> None:
    result = import_items(
        actor=accounts.admin, department_id=city.civil_affairs, data=content, dry_run=False, file_name="清单.xlsx"
    )
    assert _problems(result) == [
        ("", None, "", "", "清单.xlsx is not an Excel workbook (.xlsx). Upload the item list as an .xlsx file.")
    ]
    assert result.written is False


def test_a_zip_that_is_not_a_workbook_and_a_workbook_without_the_items_sheet(city: Any, accounts: Any) -> None:
    damaged = items_workbook(department_id=city.civil_affairs)[:300]
    result = import_items(actor=accounts.admin, department_id=city.civil_affairs, data=damaged, dry_run=False)
    assert _problems(result) == [("", None, "", "", "workbook.xlsx is damaged or not a complete Excel workbook.")]
    other = _workbook({"Sheet1": [["a"]]})
    result = import_items(actor=accounts.admin, department_id=city.civil_affairs, data=other, dry_run=False)
    assert _problems(result) == [("事项", None, "", "", "The workbook has no sheet named “事项” (it has: Sheet1).")]


def test_merged_cells_are_refused(city: Any, accounts: Any) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(items_workbook(department_id=city.civil_affairs)))
    workbook["材料"].merge_cells("A2:A3")
    output = io.BytesIO()
    workbook.save(output)
    result = import_items(actor=accounts.admin, department_id=city.civil_affairs, data=output.getvalue(), dry_run=True)
    assert _problems(result) == [
        ("材料", 2, "A", "", "merged cells A2:A3. Unmerge them and fill in every cell, then upload again.")
    ]


def test_a_dry_run_writes_nothing(city: Any, accounts: Any) -> None:
    data = _workbook({"事项": [list(ITEM_ROW), list(ITEM_ROW.values())]})
    result = import_items(actor=accounts.admin, department_id=city.civil_affairs, data=data, dry_run=True)
    assert (result.created, result.problems, result.written) == (["NEW-001"], [], False)
    assert item_versions(task_code="NEW-001") == []


def test_a_changed_workbook_drafts_a_new_version_and_the_published_one_stays(city: Any, people: Any) -> None:
    admin = people["item_admin"]  # 民政局's item administrator
    published = _item(city.civil_affairs)
    changed = _edit(items_workbook(department_id=city.civil_affairs), ("事项", "C2", "社会团体成立登记"))
    result = import_items(actor=admin, department_id=city.civil_affairs, data=changed, dry_run=False)
    assert (result.created, result.updated, result.problems, result.written) == ([], [TASK_CODE], [], True)
    assert [(v.version, v.status, v.name) for v in item_versions(task_code=TASK_CODE)] == [
        (2, "draft", "社会团体成立登记"),
        (1, "published", "测试事项"),
    ]
    assert input_of(item_version_get(version_id=published.pk)) == BASE
    # Changed again: the same draft changes, no third version.
    again = _edit(changed, ("收费", "C2", "每证20元"))
    result = import_items(actor=admin, department_id=city.civil_affairs, data=again, dry_run=False)
    assert (result.updated, result.problems) == ([TASK_CODE], [])
    versions = item_versions(task_code=TASK_CODE)
    assert [(v.version, v.status) for v in versions] == [(2, "draft"), (1, "published")]
    assert [fee.standard for fee in item_version_get(version_id=versions[0].version_id).fees.all()] == ["每证20元"]
    item_publish(actor=people["admin"], version_id=versions[0].version_id)
    assert [(v.version, v.status) for v in item_versions(task_code=TASK_CODE)] == [(2, "published"), (1, "superseded")]


def test_an_item_of_another_department_is_not_taken_over(city: Any, accounts: Any) -> None:
    _item(city.public_security)
    exported = items_workbook(department_id=city.public_security)
    result = import_items(actor=accounts.admin, department_id=city.civil_affairs, data=exported, dry_run=False)
    assert _problems(result) == [
        ("事项", 2, "B", "实施编码", "An item of 公安局 has this implementation code."),
        (
            "事项",
            2,
            "E",
            "实施主体",
            "The workbook is imported for 民政局: this row names another implementing body.",
        ),
    ]


@pytest.mark.parametrize("role", ["item_admin_police", "citizen", "staff_other"])
def test_only_the_departments_item_admins_and_platform_admins_import(city: Any, people: Any, role: str) -> None:
    data = _workbook({"事项": [list(ITEM_ROW), list(ITEM_ROW.values())]})
    with pytest.raises(PermissionDenied):  # 公安局's item administrator, a citizen, a clerk of 民政局
        import_items(actor=people[role], department_id=city.civil_affairs, data=data, dry_run=False)
    assert item_versions(task_code="NEW-001") == []


@pytest.mark.parametrize("role", ["item_admin", "admin"])
def test_the_departments_item_admin_and_a_platform_admin_import(city: Any, people: Any, role: str) -> None:
    data = _workbook({"事项": [list(ITEM_ROW), list(ITEM_ROW.values())]})
    result = import_items(actor=people[role], department_id=city.civil_affairs, data=data, dry_run=False)
    assert (result.created, result.written) == (["NEW-001"], True)
    assert [(v.version, v.status, v.department) for v in item_versions(task_code="NEW-001")] == [(1, "draft", "民政局")]


def test_the_command_imports_and_exports(city: Any, tmp_path: Path, capsys: Any) -> None:
    _item(city.civil_affairs)
    exported = tmp_path / "清单.xlsx"
    call_command("services", "export-items", str(exported), "--department", str(city.civil_affairs))
    assert _sheets(exported.read_bytes()) == _sheets(items_workbook(department_id=city.civil_affairs))

    department = str(city.civil_affairs)
    assert _command("import-items", str(exported), "--department", department) == (
        0,
        "0 created, 0 updated, 1 unchanged\n",
        "",
    )
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(_edit(exported.read_bytes(), ("事项", "J2", "加急件"), ("收费", "C2", None)))
    assert _command("import-items", str(broken), "--department", department) == (
        1,
        "0 created, 0 updated, 0 unchanged (nothing written)\n",
        "事项, row 2, column J (办件类型): “加急件” is not one of 即办件、承诺件.\n"
        "收费, row 2, column C (收费标准): Give the fee's standard (amount or rate).\n"
        "broken.xlsx: 2 problem(s), nothing written",
    )
    code, stdout, _stderr = _command("import-items", str(broken), "--department", department, "--dry-run", "--json")
    report = json.loads(stdout)
    assert (code, report["ok"], report["written"], report["problems"][1]) == (
        1,
        False,
        False,
        {
            "message": "Give the fee's standard (amount or rate).",
            "sheet": "收费",
            "row": 2,
            "column": "C",
            "header": "收费标准",
        },
    )
    assert _command("import-items", str(broken), "--department", "999999") == (2, "", "No department has id 999999.")
    code, _stdout, stderr = _command("import-items", str(tmp_path / "missing.xlsx"), "--department", department)
    assert (code, stderr.startswith("cannot read ")) == (2, True)
