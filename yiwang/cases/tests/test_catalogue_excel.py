"""The dispatch catalogue as an Excel workbook: the export's columns, the round trip, headers in any order with
short names and codes typed as numbers, and a bad workbook reported row by row with nothing written."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest

from yiwang.cases import catalogue
from yiwang.cases.catalogue_excel import (
    SHEET,
    CatalogueImportRejected,
    CatalogueImportResult,
    CellProblem,
    catalogue_import,
    catalogue_workbook,
)
from yiwang.cases.models import DispatchRule
from yiwang.cases.tests.conftest import Hotline
from yiwang.core.audit.models import AuditEvent
from yiwang.core.errors import PermissionDenied, ValidationFailed
from yiwang.org import services as org_services

pytestmark = pytest.mark.django_db

HEADER = ["分类代码", "分类名称", "区域代码", "区域名称", "主办方式", "主办单位", "协办单位", "依据"]


def workbook(rows: list[list[Any]], *, title: str = SHEET) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def cells(data: bytes) -> list[tuple[Any, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data))[SHEET]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def entries(hotline: Hotline) -> Hotline:
    catalogue.dispatch_rule_save(
        actor=None,
        category_code="0102",
        division_code=None,
        lead_kind="department",
        lead_department_id=hotline.urban,
        co_department_ids=[hotline.housing, hotline.street_office],
        basis="《明湖市城市管理局权责清单》第2项",
    )
    catalogue.dispatch_rule_save(
        actor=None,
        category_code="01",
        division_code="419802001",
        lead_kind="street",
        lead_department_id=None,
        basis="《明湖市街道履职事项清单》第1项",
    )
    catalogue.dispatch_rule_save(
        actor=None, category_code="0201", division_code="419802", lead_kind="district", lead_department_id=None
    )
    return hotline


def test_the_export_has_the_catalogues_columns(entries: Hotline) -> None:
    assert cells(catalogue_workbook()) == [
        tuple(HEADER),
        ("01", "城乡建设", "419802001", "滨河街道", "属地街道", None, None, "《明湖市街道履职事项清单》第1项"),
        (
            "0102",
            "路灯照明",
            None,
            "全市",
            "承办单位",
            "城市管理局",
            "住房和城乡建设局、滨河街道办事处",
            "《明湖市城市管理局权责清单》第2项",
        ),
        ("0201", "噪声污染", "419802", "清河区", "属地区县", None, None, None),
    ]


def test_the_round_trip_restores_the_catalogue(entries: Hotline) -> None:
    exported = catalogue_workbook()
    before = catalogue.dispatch_rules_list()
    DispatchRule.objects.all().delete()
    assert catalogue_import(actor=entries.dispatcher, data=exported) == CatalogueImportResult(3, 0, 0)
    after = catalogue.dispatch_rules_list()
    strip = [
        (rule.category_code, rule.division_code, rule.lead_kind, rule.lead_name, rule.co_departments, rule.basis)
        for rule in before
    ]
    assert strip == [
        (rule.category_code, rule.division_code, rule.lead_kind, rule.lead_name, rule.co_departments, rule.basis)
        for rule in after
    ]
    assert cells(catalogue_workbook()) == cells(exported)
    assert catalogue_import(actor=entries.dispatcher, data=exported) == CatalogueImportResult(0, 0, 3)
    event = AuditEvent.objects.filter(action="cases.catalogue.import").order_by("-id").first()
    assert event is not None and event.actor_id == entries.dispatcher.pk


def test_headers_in_any_order_short_names_and_numbers(entries: Hotline) -> None:
    data = workbook(
        [
            ["依据", "协办单位", "主办单位", "分类代码", "区域代码", "备注"],
            ["新依据", "住房和城乡建设局，滨河街道办事处", "城市管理局", 102, None, "不读"],
            [None, None, "住房和城乡建设局", "0201", 419802001, None],
            [None, None, None, None, None, None],
        ]
    )
    # 主办方式 is a column every workbook has, even where a named lead unit would say it.
    with pytest.raises(CatalogueImportRejected) as missing:
        catalogue_import(actor=entries.dispatcher, data=data)
    assert [str(problem) for problem in missing.value.report] == ["row 1: The header has no column 主办方式."]
    data = workbook(
        [
            ["依据", "协办单位", "主办方式", "主办单位", "分类代码", "区域代码", "备注"],
            ["新依据", "住房和城乡建设局，滨河街道办事处", "承办单位", "城管", 102, None, "不读"],
            [None, None, None, "住房和城乡建设局", "0201", 419802001, None],
        ]
    )
    # The short name 城管 is unknown until the unit has it.
    with pytest.raises(CatalogueImportRejected) as unknown:
        catalogue_import(actor=entries.dispatcher, data=data)
    assert unknown.value.report == [
        CellProblem(2, "主办单位", "城管", "No active unit has this name or short name."),
    ]
    org_services.department_update(actor=None, department_id=entries.urban, short_name="城管")
    assert catalogue_import(actor=entries.dispatcher, data=data) == CatalogueImportResult(1, 1, 0)
    lamp = catalogue.dispatch_lookup(category_code="0102").proposal
    assert lamp is not None and (lamp.basis, [name for _id, name in lamp.co_departments]) == (
        "新依据",
        ["住房和城乡建设局", "滨河街道办事处"],
    )
    noise = catalogue.dispatch_proposal(category_code="0201", division_code="419802001001")
    assert noise is not None and noise.lead_name == "住房和城乡建设局"


def test_a_bad_workbook_reports_every_problem_and_writes_nothing(entries: Hotline) -> None:
    before = catalogue.dispatch_rules_list()
    events = AuditEvent.objects.count()
    data = workbook(
        [
            ["说明：明湖市派单目录"],
            HEADER,
            ["0102", "路灯照明", "", "全市", "承办单位", "住房和城乡建设局", "", "合法的行"],
            ["9901", "不存在", "", "", "承办单位", "城市管理局", "", ""],
            ["0201", "噪声污染", "110101", "东城区", "承办单位", "城市管理局", "", ""],
            ["0201", "噪声污染", "", "", "属地街道", "城市管理局", "", ""],
            ["0201", "噪声污染", "", "", "看着办", "", "", ""],
            ["0201", "噪声污染", "419802", "", "承办单位", "", "", ""],
            ["0201", "噪声污染", "419803", "", "承办单位", "城市管理局", "环保局、城市管理局", ""],
            ["0102", "路灯照明", None, "全市", "承办单位", "城市管理局", "", ""],
            ["02", "生态环境", "", "", "承办单位", "公安局", "", "依" * 301],
        ]
    )
    with pytest.raises(CatalogueImportRejected) as rejected:
        catalogue_import(actor=entries.dispatcher, data=data)
    assert rejected.value.field == "file"
    assert rejected.value.report == [
        CellProblem(4, "分类代码", "9901", "No category has code 9901."),
        CellProblem(5, "区域代码", "110101", "No division has code 110101."),
        CellProblem(
            6, "主办单位", "城市管理局", "The place's street office or district government leads: leave 主办单位 empty."
        ),
        CellProblem(7, "主办方式", "看着办", "Write 承办单位, 属地街道 or 属地区县."),
        CellProblem(8, "主办单位", "", "Name the lead unit (主办方式 is 承办单位)."),
        CellProblem(9, "协办单位", "环保局", "No active unit has this name or short name."),
        CellProblem(10, "分类代码", "0102", "Row 3 already has this category in this area."),
        CellProblem(11, "依据", "依" * 301, "The basis is at most 300 characters."),
    ]
    assert str(rejected.value.report[0]) == "row 4, 分类代码 “9901”: No category has code 9901."
    assert catalogue.dispatch_rules_list() == before
    assert AuditEvent.objects.count() == events


def test_the_co_unit_cannot_lead(entries: Hotline) -> None:
    data = workbook([HEADER, ["0102", "", "", "", "承办单位", "城市管理局", "城市管理局", ""]])
    with pytest.raises(CatalogueImportRejected) as rejected:
        catalogue_import(actor=entries.dispatcher, data=data)
    assert rejected.value.report == [
        CellProblem(2, "协办单位", "城市管理局", "城市管理局 leads this matter: it cannot also be a co-unit.")
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a workbook", "This is not an Excel workbook (.xlsx)."),
        (b"PK\x03\x04broken", "The workbook is damaged or not a complete .xlsx file."),
    ],
)
def test_a_file_that_is_no_workbook_is_refused(entries: Hotline, data: bytes, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        catalogue_import(actor=entries.dispatcher, data=data)
    assert refused.value.field == "file"
    assert str(refused.value).startswith(message)


def test_an_empty_sheet_and_another_sheet_name(entries: Hotline) -> None:
    with pytest.raises(CatalogueImportRejected) as empty:
        catalogue_import(actor=entries.dispatcher, data=workbook([]))
    assert [problem.reason for problem in empty.value.report] == [
        "No header row: no cell of the first rows says 分类代码."
    ]
    with pytest.raises(CatalogueImportRejected) as header_only:
        catalogue_import(actor=entries.dispatcher, data=workbook([HEADER]))
    assert [problem.reason for problem in header_only.value.report] == ["The sheet has no entries under its header."]
    renamed = workbook([HEADER, ["0201", "", "", "", "承办单位", "公安局", "", ""]], title="Sheet1")
    assert catalogue_import(actor=None, data=renamed) == CatalogueImportResult(1, 0, 0)


def test_only_editors_import(entries: Hotline) -> None:
    with pytest.raises(PermissionDenied):
        catalogue_import(actor=entries.urban_handler, data=catalogue_workbook())
