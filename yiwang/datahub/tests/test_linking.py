"""`yiwang link` over the registry: sources found by concept, clusters written, uncertain pairs queued."""

import datetime
import io
import json
import random

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yiwang.core.audit.models import AuditEvent
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.core.identifiers import compose_id_number
from yiwang.datahub.catalog import services as catalog
from yiwang.datahub.ingestion.pipeline import ingest_rows
from yiwang.datahub.linking.services import link_run, place_names, review_decide
from yiwang.datahub.models import LinkReview, LinkRun, ReviewDecision
from yiwang.datahub.tests.builders import element

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧建国平刚玉兰红霞志文斌辉波宁"
POPULATION_SIZE = 300


ROSTER_ELEMENTS = [
    element("case_no", "救助编号", required=True, is_key=True, length=20),
    element("name", "姓名", required=True, length=50, concept="person.name"),
    # Written by hand at a service window: checked as text, so mistyped ID numbers reach the registry.
    element("id_number", "身份证号", length=20, sensitive=True, concept="person.id_number"),
    element("birth_date", "出生日期", "date", concept="person.birth_date"),
    element("phone", "联系电话", "phone", sensitive=True, concept="person.phone"),
    element("address", "家庭住址", length=200, sensitive=True, concept="person.address"),
    element("amount", "保障金额", "integer"),
]


def people():
    chooser = random.Random(7)
    born = datetime.date(1950, 1, 1)
    result = []
    for index in range(POPULATION_SIZE):
        birth = born + datetime.timedelta(days=chooser.randrange(0, 20000))
        name = chooser.choice(SURNAMES) + chooser.choice(GIVEN) + chooser.choice(GIVEN)
        number = compose_id_number("419802", birth, index + 1)
        result.append(
            {
                "公民身份号码": number, "姓名": name, "性别": "男" if (index + 1) % 2 else "女",
                "出生日期": birth.isoformat(), "户籍地址": f"明湖市清河区滨河路{index + 1}号",
                "联系电话": f"139{index:08d}", "所属区划": "419802001001",
            }
        )  # fmt: skip
    return result


def mistyped(number):
    """The ID number with two neighbouring digits of its sequence swapped (or its last digit changed)."""
    swapped = number[:14] + number[15] + number[14] + number[16:]
    return swapped if swapped != number else number[:16] + str((int(number[16]) + 1) % 10) + number[17]


def publish_roster(registries):
    """民政局's roster of minimum-living support (低保), published: a second source of persons."""
    fields = catalog.ResourceFields(
        slug="minimum-living",
        code="2-03-010",
        name="城乡最低生活保障对象名册",
        source_department_id=registries["civil"],
        sharing_type="conditional",
        sharing_condition="用于社会救助核对",
        openness="none",
        update_cycle="monthly",
    )
    resource = catalog.resource_create(actor=None, fields=fields, elements=ROSTER_ELEMENTS)
    catalog.resource_submit(actor=None, resource_id=resource.pk)
    catalog.resource_publish(actor=None, resource_id=resource.pk)


@pytest.fixture
def linked_city(registries, accounts):
    population = people()
    ingest_rows(actor=None, resource_slug="population", source_department_id=registries["police"], rows=population)
    publish_roster(registries)
    roster = []
    for index, person in enumerate(population[:100]):
        number = person["公民身份号码"] if index >= 20 else mistyped(person["公民身份号码"])
        roster.append(
            {
                "救助编号": f"MB{index:05d}", "姓名": person["姓名"], "身份证号": number,
                "出生日期": person["出生日期"], "联系电话": person["联系电话"],
                "家庭住址": person["户籍地址"].replace("明湖市", ""), "保障金额": 600,
            }
        )  # fmt: skip
    # Five more without an ID number and with a new phone: a person should look before they are linked.
    for index, person in enumerate(population[100:105], start=100):
        roster.append(
            {
                "救助编号": f"MB{index:05d}", "姓名": person["姓名"], "出生日期": person["出生日期"],
                "联系电话": f"137{index:08d}", "家庭住址": person["户籍地址"], "保障金额": 600,
            }
        )  # fmt: skip
    result = ingest_rows(
        actor=None, resource_slug="minimum-living", source_department_id=registries["civil"], rows=roster
    )
    assert result.accepted == 105
    return {"population": population, "roster": roster}


def run_command(*arguments):
    out = io.StringIO()
    call_command("link", *arguments, stdout=out)
    return out.getvalue()


def clusters_of(path):
    table = pq.read_table(path).to_pydict()
    return {
        (source, record): cluster
        for source, record, cluster in zip(table["source"], table["record_id"], table["cluster_id"], strict=True)
    }


def test_the_command_links_the_roster_to_the_population_registry(linked_city):
    summary = json.loads(run_command("persons", "--json"))
    assert set(summary) == {
        "run", "kind", "sources", "records", "clusters", "linked_exactly", "linked_probabilistically",
        "unlinked", "review_pairs", "seconds", "clusters_file",
    }  # fmt: skip
    assert sorted(summary["sources"]) == ["minimum-living", "population"]
    assert summary["records"] == POPULATION_SIZE + 105
    # Every record with a valid ID number is placed on it: the whole registry, and the roster's 80 correct rows.
    assert summary["linked_exactly"] == POPULATION_SIZE + 80
    run = LinkRun.objects.get(pk=summary["run"])
    assert run.status == "finished" and run.model
    clusters = clusters_of(summary["clusters_file"])
    assert len(clusters) == POPULATION_SIZE + 105
    # The 20 roster rows with a mistyped ID number are linked to their person, or asked about: never lost.
    reviewed = {(review.left_source, review.left_record) for review in LinkReview.objects.filter(run=run)} | {
        (review.right_source, review.right_record) for review in LinkReview.objects.filter(run=run)
    }
    population_clusters = {cluster for (source, _record), cluster in clusters.items() if source == "population"}
    roster = sorted((source, record) for (source, record) in clusters if source == "minimum-living")[:100]
    settled = [item for item in roster if clusters[item] in population_clusters or item in reviewed]
    assert len(settled) == 100
    assert summary["clusters"] <= POPULATION_SIZE + 25
    assert AuditEvent.objects.filter(action="datahub.link.run", object_id=str(run.pk)).exists()


def test_the_human_output_says_what_was_done(linked_city):
    text = run_command("persons", "--resource", "population", "--resource", "minimum-living")
    assert "405" in text and "minimum-living" in text


def test_bad_requests_are_refused_clearly(linked_city, registries):
    with pytest.raises(CommandError, match="no-such-resource"):
        run_command("persons", "--resource", "no-such-resource")
    with pytest.raises(CommandError, match="indicators"):
        run_command("persons", "--resource", "indicators")
    with pytest.raises(ValidationFailed):
        link_run(actor=None, kind="persons", match_threshold=0.4, review_band=(0.5, 0.4))
    with pytest.raises(PermissionDenied):
        link_run(actor=registries["civil_data_admin"], kind="persons")
    assert not LinkRun.objects.exists()


def test_a_decision_is_audited_taken_once_and_not_asked_again(linked_city, registries, accounts):
    link_run(actor=None, kind="persons", match_threshold=0.99999, review_band=(0.01, 0.99999))
    review = LinkReview.objects.order_by("id").first()
    assert review is not None, "a wide review band must leave pairs to review"
    with pytest.raises(PermissionDenied):
        review_decide(actor=accounts.staff, review_id=review.pk, decision=ReviewDecision.SAME)
    review_decide(
        actor=registries["civil_data_admin"], review_id=review.pk, decision=ReviewDecision.SAME, note="核对一致"
    )
    with pytest.raises(Conflict):
        review_decide(actor=accounts.admin, review_id=review.pk, decision=ReviewDecision.DIFFERENT)
    assert AuditEvent.objects.filter(action="datahub.link.review", object_id=str(review.pk)).count() == 1
    second = link_run(actor=None, kind="persons", match_threshold=0.99999, review_band=(0.01, 0.99999))
    pair = (review.left_source, review.left_record, review.right_source, review.right_record)
    again = [
        (item.left_source, item.left_record, item.right_source, item.right_record)
        for item in LinkReview.objects.filter(run=second)
    ]
    assert pair not in again and pair[2:] + pair[:2] not in again


def test_enterprises_link_on_their_credit_code(registries):
    from yiwang.conftest import next_credit_code

    rows = [
        {"统一社会信用代码": next_credit_code("91419800"), "名称": f"明湖{word}商贸有限公司", "类型": "有限责任公司",
         "法定代表人": "王建国", "住所": f"明湖市清河区滨河路{index}号", "登记状态": "存续"}
        for index, word in enumerate(["鑫华", "宏达", "永盛"], start=1)
    ]  # fmt: skip
    ingest_rows(actor=None, resource_slug="legal-entities", source_department_id=registries["market"], rows=rows)
    summary = json.loads(run_command("entities", "--json"))
    assert (summary["records"], summary["clusters"], summary["linked_exactly"]) == (3, 3, 3)
    assert "明湖" in place_names()
