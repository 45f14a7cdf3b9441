"""The catalog as Excel: export, import (preview, then all-or-nothing), and every kind of bad workbook."""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yiwang.conftest import sign_in
from yiwang.core.audit.models import AuditEvent
from yiwang.datahub.catalog import excel, services
from yiwang.datahub.models import Resource, ResourceStatus
from yiwang.datahub.tests.builders import element

BASE = "/console/datahub/catalog/"
RESOURCE_HEADER = [
    "信息资源名称", "信息资源代码", "信息资源提供方", "信息资源分类(类)", "项", "共享类型", "共享条件", "共享方式",
    "开放类型", "开放条件", "更新周期", "发布日期", "信息资源摘要", "备注",
]  # fmt: skip
ELEMENT_HEADER = [
    "信息资源代码", "序号", "信息项名称", "信息项编码", "数据类型", "数据长度", "是否必填", "是否主键", "是否敏感",
    "代码值",
]  # fmt: skip


def hand_made_rows() -> tuple[list[list[Any]], list[list[Any]]]:
    """The rows of a workbook as a department fills it in: Chinese labels, its own column order, a remark column."""
    resources = [
        [
            "最低生活保障对象信息", "2-03-005", "民政局", "2 主题信息资源", "03 社会保障", "有条件共享",
            "用于社会救助家庭经济状况核对", "接口、文件", "不予开放", "", "每月", "2024/3/1",
            "城乡低保对象的身份和保障金额。", "首次编目",
        ],
    ]  # fmt: skip
    elements = [
        ["2-03-005", 1, "公民身份号码", "id_number", "身份证号", 18, "是", "是", "是", ""],
        ["2-03-005", 2, "保障类别", "category", "代码型", None, "是", "否", "否", "城市低保、农村低保"],
        ["2-03-005", 3, "保障金额", "amount", "数值型", None, "否", "否", "否", ""],
    ]
    return resources, elements


def workbook(resources, elements, *, resource_header=RESOURCE_HEADER, element_header=ELEMENT_HEADER, edit=None):
    book = openpyxl.Workbook()
    first = book.active
    first.title = "信息资源"
    first.append(resource_header)
    for values in resources:
        first.append(values)
    second = book.create_sheet("信息项")
    second.append(element_header)
    for values in elements:
        second.append(values)
    if edit is not None:
        edit(book)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def upload(data, name="catalog.xlsx"):
    return SimpleUploadedFile(name, data, content_type=excel.XLSX_CONTENT_TYPE)


@pytest.fixture
def client_for(registries, accounts):
    users = {
        "admin": accounts.admin,
        "staff": accounts.staff,
        "police_data_admin": registries["police_data_admin"],
        "civil_data_admin": registries["civil_data_admin"],
    }

    def make(role):
        client = Client()
        client.cookies["yiwang_language"] = "en"
        return sign_in(client, users[role])

    return make


def snapshots() -> dict[str, dict[str, Any]]:
    """Every entry as published now would show it, with its department by name (ids differ between databases)."""
    result = {}
    for resource in Resource.objects.select_related("source_department"):
        snapshot = services.resource_snapshot(resource)
        snapshot["source_department_id"] = resource.source_department.name
        snapshot.pop("lenient_identifiers")
        result[resource.code] = snapshot
    return result


@pytest.fixture
def richer_catalog(registries):
    """The built-in registries, plus entries with relations both ways, dates, code lists and rules."""
    civil = registries["civil"]

    def fields(slug, code, name, **overrides):
        values = {
            "slug": slug, "code": code, "name": name, "source_department_id": civil, "sharing_type": "open",
            "openness": "conditional", "openness_condition": "经申请后开放", "update_cycle": "quarterly",
        }  # fmt: skip
        values.update(overrides)
        return services.ResourceFields(**values)

    services.resource_create(
        actor=None,
        fields=fields(
            "marriage",
            "2-03-001",
            "婚姻登记信息",
            summary="=SUM(A1:A2) 不是公式，只是摘要",
            category_class="2 主题信息资源",
            category_item="03 社会保障",
            category_catalog="001 婚姻",
            category_detail="结婚登记",
            format="数据库",
            sharing_methods=["file", "api"],
            release_date=datetime.date(2023, 12, 30),
            related_codes=["1-01-001"],
        ),
        elements=[
            element("id_number", "公民身份号码", "id_number", required=True, is_key=True, sensitive=True, length=18),
            element("kind", "登记类型", "enum", required=True, enumeration=("结婚", "离婚", "补领")),
            element("registered_on", "登记日期", "date", concept="event.date"),
            element("fee", "收费金额", "decimal", rules={"minimum": 0, "maximum": 100}),
            element("office", "登记机关代码", rules={"pattern": r"^\d{6}$"}, lookup=True),
        ],
    )
    # Related to an entry whose code comes later in the file: the import relates them once both exist.
    services.resource_create(
        actor=None,
        fields=fields(
            "adoption",
            "2-03-000",
            "收养登记信息",
            sharing_type="none",
            sharing_condition="依法不予共享",
            openness="none",
            openness_condition="",
            related_codes=["2-03-001"],
        ),
        elements=[element("certificate_no", "收养登记证号", required=True, is_key=True)],
    )
    return registries


# --- export -------------------------------------------------------------------------------------------------


def test_the_export_writes_the_two_sheets_departments_hand_in(client_for, richer_catalog):
    response = client_for("admin").get(BASE + "export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["信息资源", "信息项"]
    resources = list(book["信息资源"].iter_rows(values_only=True))
    assert list(resources[0]) == [
        "信息资源代码", "信息资源名称", "资源标识", "信息资源分类(类)", "信息资源分类(项)", "信息资源分类(目)",
        "信息资源分类(细目)", "信息资源提供方", "信息资源摘要", "信息资源格式", "共享类型", "共享条件", "共享方式",
        "开放类型", "开放条件", "更新周期", "发布日期", "关联资源代码",
    ]  # fmt: skip
    population = next(row for row in resources if row[0] == "1-01-001")
    assert population[1:3] == ("人口基础信息", "population")
    assert population[7] == "公安局"
    assert (population[10], population[12], population[13], population[15]) == (
        "有条件共享",
        "接口、核验",
        "不予开放",
        "每日",
    )
    elements = list(book["信息项"].iter_rows(values_only=True))
    assert list(elements[0]) == [
        "信息资源代码", "序号", "信息项编码", "信息项名称", "数据类型", "数据长度", "是否必填", "是否主键", "是否敏感",
        "是否被引用", "代码值", "概念", "校验规则",
    ]  # fmt: skip
    first = next(row for row in elements if row[0] == "1-01-001")
    assert first == (
        "1-01-001",
        1,
        "id_number",
        "公民身份号码",
        "身份证号",
        18,
        "是",
        "是",
        "是",
        "否",
        None,
        "person.id_number",
        None,
    )
    marriage = next(row for row in resources if row[0] == "2-03-001")
    assert marriage[8] == "=SUM(A1:A2) 不是公式，只是摘要"  # text, not a formula
    assert book["信息资源"].cell(row=resources.index(marriage) + 1, column=9).data_type == "s"
    assert marriage[16] == datetime.datetime(2023, 12, 30)


def test_a_clerk_exports_only_published_entries(client_for, richer_catalog):
    book = openpyxl.load_workbook(io.BytesIO(client_for("staff").get(BASE + "export.xlsx").content))
    codes = [row[0] for row in book["信息资源"].iter_rows(min_row=2, values_only=True)]
    assert codes == ["1-01-001", "1-02-001", "1-05-001", "1-06-001"]
    searched = openpyxl.load_workbook(io.BytesIO(client_for("staff").get(BASE + "export.xlsx?q=户籍").content))
    assert next(searched["信息资源"].iter_rows(min_row=2, values_only=True))[0] == "1-01-001"


# --- round trip -------------------------------------------------------------------------------------------


def test_export_then_import_on_an_empty_catalog_reproduces_it(client_for, richer_catalog):
    before = snapshots()
    exported = client_for("admin").get(BASE + "export.xlsx").content
    Resource.objects.all().delete()

    admin = client_for("admin")
    preview = admin.post(BASE + "import/", {"action": "preview", "workbook": upload(exported)})
    assert preview.status_code == 200, [str(item) for item in preview.context["report"].problems]
    report = preview.context["report"]
    assert [change.action for change in report.changes] == ["create"] * len(before)
    assert not Resource.objects.exists()  # a preview writes nothing

    applied = admin.post(BASE + "import/", {"action": "apply", "token": preview.context["token"]})
    assert applied.status_code == 302
    after = snapshots()
    assert after == before
    assert set(Resource.objects.values_list("status", flat=True)) == {ResourceStatus.DRAFT}


def test_importing_the_same_workbook_again_changes_nothing(client_for, richer_catalog):
    exported = client_for("admin").get(BASE + "export.xlsx").content
    events = AuditEvent.objects.count()
    parsed = excel.workbook_read(data=exported, name="catalog.xlsx")
    report = excel.catalog_import(actor=richer_catalog["police_data_admin"], parsed=parsed, apply=True)
    assert report.problems == []
    assert {change.action for change in report.changes} == {"unchanged"}
    assert AuditEvent.objects.count() == events
    assert Resource.objects.get(slug="population").status == ResourceStatus.PUBLISHED


def test_a_changed_row_revises_only_its_entry(client_for, richer_catalog):
    book = openpyxl.load_workbook(io.BytesIO(client_for("admin").get(BASE + "export.xlsx").content))
    for row in book["信息资源"].iter_rows(min_row=2):
        if row[0].value == "1-01-001":
            row[8].value = "全市户籍人口和常住人口的基础信息。"
    for row in book["信息项"].iter_rows(min_row=2):
        if row[0].value == "1-01-001" and row[2].value == "phone":
            row[5].value = 11
    output = io.BytesIO()
    book.save(output)
    parsed = excel.workbook_read(data=output.getvalue(), name="catalog.xlsx")
    report = excel.catalog_import(actor=richer_catalog["police_data_admin"], parsed=parsed, apply=True)
    assert report.problems == [] and report.applied
    assert [change.code for change in report.changes if change.action == "update"] == ["1-01-001"]
    population = Resource.objects.get(slug="population")
    assert (population.summary, population.status, population.version) == (
        "全市户籍人口和常住人口的基础信息。",
        ResourceStatus.DRAFT,
        1,
    )
    assert population.elements.get(code="phone").length == 11
    assert population.elements.get(code="name").authoritative_department_id == richer_catalog["police"]


# --- a department's own workbook --------------------------------------------------------------------------


def test_a_hand_made_workbook_with_chinese_labels_is_imported(client_for, registries):
    data = workbook(*hand_made_rows())
    client = client_for("civil_data_admin")
    preview = client.post(BASE + "import/", {"action": "preview", "workbook": upload(data)})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "New draft" in page and "最低生活保障对象信息" in page
    assert "column N (备注) is not a catalog column" in page
    response = client.post(BASE + "import/", {"action": "apply", "token": preview.context["token"]})
    assert response.status_code == 302
    resource = Resource.objects.get(code="2-03-005")
    assert (resource.slug, resource.source_department_id, resource.status) == ("2-03-005", registries["civil"], "draft")
    assert (resource.sharing_type, resource.sharing_methods, resource.openness) == (
        "conditional",
        ["api", "file"],
        "none",
    )
    assert (resource.update_cycle, resource.release_date) == ("monthly", datetime.date(2024, 3, 1))
    assert resource.category_item == "03 社会保障"
    elements = list(resource.elements.values_list("code", "data_type", "required", "is_key", "sensitive"))
    assert elements == [
        ("id_number", "id_number", True, True, True),
        ("category", "enum", True, False, False),
        ("amount", "decimal", False, False, False),
    ]
    assert resource.elements.get(code="category").enumeration == ["城市低保", "农村低保"]


def test_english_codes_are_accepted_as_headers_and_values(registries):
    resources = [["2-03-006", "特困人员信息", "民政局", "conditional", "核对", "api", "none", "monthly"]]
    elements = [["2-03-006", "id_number", "公民身份号码", "id_number", "yes", "yes"]]
    data = workbook(
        resources,
        elements,
        resource_header=[
            "code",
            "name",
            "source_department",
            "sharing_type",
            "sharing_condition",
            "sharing_methods",
            "openness",
            "update_cycle",
        ],
        element_header=["resource_code", "code", "name", "data_type", "required", "is_key"],
    )
    report = excel.catalog_import(actor=None, parsed=excel.workbook_read(data=data, name="en.xlsx"), apply=True)
    assert report.problems == [] and report.applied
    assert Resource.objects.get(code="2-03-006").elements.get().is_key


def test_the_preview_is_confirmed_by_whoever_made_it_only(client_for, registries):
    preview = client_for("civil_data_admin").post(
        BASE + "import/", {"action": "preview", "workbook": upload(workbook(*hand_made_rows()))}
    )
    token = preview.context["token"]
    response = client_for("admin").post(BASE + "import/", {"action": "apply", "token": token})
    assert response.status_code == 400 and "The preview has expired" in response.content.decode()
    response = client_for("civil_data_admin").post(BASE + "import/", {"action": "apply", "token": token + "x"})
    assert response.status_code == 400
    assert not Resource.objects.filter(code="2-03-005").exists()


def test_applying_is_all_or_nothing(registries):
    resources, elements = hand_made_rows()
    resources.append(
        ["低保边缘家庭信息", "2-03-007", "民政局", "", "", "无条件共享", "", "接口", "不予开放", "", "每月", "", "", ""]
    )
    elements.append(["2-03-007", 1, "公民身份号码", "id_number", "身份证号", 18, "是", "是", "是", ""])
    parsed = excel.workbook_read(data=workbook(resources, elements), name="catalog.xlsx")
    assert excel.catalog_import(actor=None, parsed=parsed, apply=False).problems == []
    # Between the preview and the confirmation someone takes the slug of the second entry.
    services.resource_create(
        actor=None,
        fields=services.ResourceFields(
            slug="2-03-007",
            code="9-99-999",
            name="别的资源",
            source_department_id=registries["civil"],
            sharing_type="open",
            openness="none",
            update_cycle="yearly",
        ),
        elements=[element("a", "甲", required=True, is_key=True)],
    )
    events = AuditEvent.objects.count()
    report = excel.catalog_import(actor=None, parsed=parsed, apply=True)
    assert not report.applied
    # the file has no slug column: the problem is at the row
    assert [str(problem) for problem in report.problems] == ["信息资源, row 3: The slug 2-03-007 is taken."]
    assert not Resource.objects.filter(code__in=["2-03-005", "2-03-007"]).exists()
    assert AuditEvent.objects.count() == events


# --- bad workbooks ----------------------------------------------------------------------------------------


def _set(table, row, column, value):
    def change(resources, elements):
        rows = resources if table == "resources" else elements
        rows[row][column] = value

    return change


def _append(table, values):
    def change(resources, elements):
        (resources if table == "resources" else elements).append(values)

    return change


DUPLICATE_RESOURCE = [
    "另一个名称",
    "2-03-005",
    "民政局",
    "",
    "",
    "无条件共享",
    "",
    "接口",
    "不予开放",
    "",
    "每月",
    "",
    "",
    "",
]
BAD_WORKBOOKS = {
    "unknown department": (
        _set("resources", 0, 2, "不存在局"),
        "信息资源, row 2, column C (信息资源提供方): No department is named 不存在局.",
    ),
    "bad share type": (
        _set("resources", 0, 5, "部分共享"),
        "信息资源, row 2, column F (共享类型): “部分共享” is not one of 无条件共享、有条件共享、不予共享.",
    ),
    "bad sharing method": (
        _set("resources", 0, 7, "接口、邮寄"),
        "信息资源, row 2, column H (共享方式): “邮寄” is not one of 接口、文件、核验.",
    ),
    "bad update cycle": (
        _set("resources", 0, 10, "偶尔"),
        "信息资源, row 2, column K (更新周期): “偶尔” is not one of "
        "实时、每日、每周、每月、每季度、每半年、每年、不定期.",
    ),
    "impossible date": (
        _set("resources", 0, 11, "2024-02-30"),
        "信息资源, row 2, column L (发布日期): “2024-02-30” is not a date such as 2024-03-01.",
    ),
    "missing name": (_set("resources", 0, 0, None), "信息资源, row 2, column A (信息资源名称): This cell is required."),
    "duplicate resource codes": (
        _append("resources", DUPLICATE_RESOURCE),
        "信息资源, row 3, column B (信息资源代码): Row 2 has this resource code already.",
    ),
    "duplicate element codes": (
        _append("elements", ["2-03-005", 4, "身份号码", "id_number", "字符型", 18, "否", "否", "否", ""]),
        "信息项, row 5, column D (信息项编码): Row 2 has this element code for the same resource.",
    ),
    "a key element not marked required": (
        _set("elements", 0, 6, "否"),
        "信息项, row 2, column G (是否必填): A key element (是否主键 = 是) must be required (是否必填 = 是).",
    ),
    "no key": (
        _set("elements", 0, 7, "否"),
        "信息项, row 2, column H (是否主键): None of the elements of 2-03-005 is marked as the key (是否主键 = 是).",
    ),
    "a code list without values": (
        _set("elements", 1, 9, ""),
        "信息项, row 3, column J (代码值): A code list (代码型) needs its values, separated by 、.",
    ),
    "unknown data type": (
        _set("elements", 2, 4, "货币型"),
        "信息项, row 4, column E (数据类型): “货币型” is not one of "
        "字符型、整数型、数值型、日期型、日期时间型、布尔型、代码型、身份证号、统一社会信用代码、电话号码、行政区划代码.",
    ),
    "a flag that is neither yes nor no": (
        _set("elements", 2, 8, "可能"),
        "信息项, row 4, column I (是否敏感): Write 是 or 否, not “可能”.",
    ),
    "a length that is not a number": (
        _set("elements", 0, 5, "十八"),
        "信息项, row 2, column F (数据长度): “十八” is not a whole number of at least 1.",
    ),
    "a bad element code": (
        _set("elements", 2, 3, "金额"),
        "信息项, row 4, column D (信息项编码): "
        "An element code starts with a letter and has only letters, digits and _.",
    ),
    "an element of an unknown resource": (
        _append("elements", ["2-09-999", 1, "名称", "name", "字符型", None, "是", "是", "否", ""]),
        "信息项, row 5, column A (信息资源代码): No row of sheet 信息资源 has the resource code 2-09-999.",
    ),
    "a resource without elements": (
        lambda resources, elements: elements.clear(),
        "信息资源, row 2, column B (信息资源代码): Sheet 信息项 has no data elements for this resource.",
    ),
    # The services' own rules are checked too, before anything is kept.
    "conditional sharing without its condition": (
        _set("resources", 0, 6, ""),
        "信息资源, row 2, column G (共享条件): Conditional sharing needs its condition.",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_WORKBOOKS))
def test_a_bad_row_is_reported_by_sheet_row_and_column_and_nothing_is_written(registries, case):
    change, expected = BAD_WORKBOOKS[case]
    resources, elements = hand_made_rows()
    change(resources, elements)
    events, count = AuditEvent.objects.count(), Resource.objects.count()
    parsed = excel.workbook_read(data=workbook(resources, elements), name="catalog.xlsx")
    report = excel.catalog_import(actor=None, parsed=parsed, apply=True)
    assert [str(problem) for problem in report.problems] == [expected]
    assert not report.applied and report.changes == []
    assert (AuditEvent.objects.count(), Resource.objects.count()) == (events, count)


def test_a_related_code_must_exist(registries):
    resources, elements = hand_made_rows()
    resources[0].append("1-01-001、8-88-888")
    data = workbook(resources, elements, resource_header=[*RESOURCE_HEADER, "关联资源代码"])
    report = excel.catalog_import(actor=None, parsed=excel.workbook_read(data=data, name="x.xlsx"), apply=True)
    assert [str(problem) for problem in report.problems] == [
        "信息资源, row 2, column O (关联资源代码): No resource has the code 8-88-888."
    ]


def test_another_departments_entry_is_refused_at_its_department_cell(registries):
    resources, elements = hand_made_rows()
    resources[0][2] = "公安局"
    parsed = excel.workbook_read(data=workbook(resources, elements), name="catalog.xlsx")
    report = excel.catalog_import(actor=registries["civil_data_admin"], parsed=parsed, apply=True)
    assert [str(problem) for problem in report.problems] == [
        "信息资源, row 2, column C (信息资源提供方): Only the source department's data administrators edit this "
        "resource."
    ]
    assert not Resource.objects.filter(code="2-03-005").exists()


def test_a_missing_column_is_named(registries):
    header = [item for item in RESOURCE_HEADER if item != "共享类型"]
    resources, elements = hand_made_rows()
    del resources[0][5]
    report = excel.workbook_read(data=workbook(resources, elements, resource_header=header), name="x.xlsx")
    assert [str(problem) for problem in report.problems] == ["信息资源, row 1: the header has no column 共享类型."]


def _merged(book):
    book["信息资源"].merge_cells("M2:N2")


def _formula(book):
    book["信息项"]["F3"] = "=F2*2"


def _renamed(book):
    book["信息项"].title = "数据项"


FILE_PROBLEMS = {
    "merged cells": (
        lambda: workbook(*hand_made_rows(), edit=_merged),
        "信息资源, row 2, column M: merged cells M2:N2. Unmerge them and fill in every cell, then upload again.",
    ),
    "a formula without a value": (
        lambda: workbook(*hand_made_rows(), edit=_formula),
        "信息项, row 3, column F: cells F3 hold formulas without a computed value. Open the file in Excel or WPS "
        "and save it again, or replace the formulas by their values.",
    ),
    "a missing sheet": (
        lambda: workbook(*hand_made_rows(), edit=_renamed),
        "信息项: The workbook has no sheet named “信息项” (it has: 信息资源、数据项).",
    ),
    "a CSV file": (
        lambda: "信息资源代码,信息资源名称\n2-03-005,低保\n".encode(),
        "catalog.xlsx is not an Excel workbook (.xlsx). Upload the catalog as an .xlsx file.",
    ),
    "an old .xls workbook": (
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
        "catalog.xlsx is an Excel 97-2003 workbook (.xls). Open it in Excel or WPS, save it as an Excel workbook "
        "(.xlsx) and upload that file.",
    ),
    "a Word document": (
        lambda: _zip({"word/document.xml": "<w:document/>"}),
        "catalog.xlsx is not an Excel workbook (.xlsx). Upload the catalog as an .xlsx file.",
    ),
    "a damaged workbook": (
        lambda: workbook(*hand_made_rows())[:2000],
        "catalog.xlsx is damaged or not a complete Excel workbook.",
    ),
    "an empty resources sheet": (
        lambda: workbook([], []),
        "信息资源: The sheet has no resources below its header.",
    ),
}


def _zip(members):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return output.getvalue()


@pytest.mark.parametrize("case", sorted(FILE_PROBLEMS))
def test_a_workbook_that_cannot_be_read_as_a_whole_is_refused(client_for, case):
    make, expected = FILE_PROBLEMS[case]
    events = AuditEvent.objects.count()
    response = client_for("civil_data_admin").post(BASE + "import/", {"action": "preview", "workbook": upload(make())})
    assert response.status_code == 400
    assert [str(problem) for problem in response.context["report"].problems] == [expected]
    assert "Nothing was saved." in response.content.decode()
    assert not Resource.objects.filter(code="2-03-005").exists()
    assert AuditEvent.objects.count() == events


def test_the_import_page_shows_problems_in_a_table(client_for):
    resources, elements = hand_made_rows()
    elements[0][6] = "否"
    response = client_for("civil_data_admin").post(
        BASE + "import/", {"action": "preview", "workbook": upload(workbook(resources, elements))}
    )
    page = response.content.decode()
    assert "<caption>Problems in catalog.xlsx</caption>" in page
    assert "<td>信息项</td><td>2</td><td>G (是否必填)</td>" in page
    assert 'name="token"' not in page  # nothing to confirm
