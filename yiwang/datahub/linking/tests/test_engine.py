import datetime

import pyarrow as pa
import pytest

from yiwang.core.identifiers import compose_credit_code, compose_id_number
from yiwang.datahub.linking.engine import MEMBER_SCHEMA, RecordRef, link_entities, link_persons
from yiwang.datahub.linking.evaluate import evaluate
from yiwang.datahub.linking.generator import (
    ENTITY_OUTPUT_SCHEMA,
    PERSON_OUTPUT_SCHEMA,
    entity_sources_table,
    person_sources_table,
)
from yiwang.datahub.linking.model import PERSON_MODEL
from yiwang.datahub.linking.records import EntityRecord, PersonRecord, entity_table, person_table

POLICE, CIVIL, SOCIAL = "公安局", "民政局", "人力资源和社会保障局"
BORN = datetime.date(1983, 6, 14)
NAMESAKE_A = compose_id_number("419803", BORN, 215)
NAMESAKE_B = compose_id_number("419805", BORN, 217)
SWAPPED_OWNER = compose_id_number("419802", datetime.date(1991, 9, 27), 44)


def _swap(number, index):
    assert number[index] != number[index + 1]
    return number[:index] + number[index + 1] + number[index] + number[index + 2 :]


# People written into the generated extracts, whose fate the tests know.
SCENARIO = [
    # Two people with one name and one birthday, each with a valid ID number of their own.
    PersonRecord(
        POLICE, "T-1", "欧阳明轩", NAMESAKE_A, BORN, "1", "明湖市东湖区人民路12号锦绣小区3栋1单元502室", "13900000001"
    ),
    PersonRecord(
        CIVIL, "T-2", "欧阳明轩", NAMESAKE_A, BORN, "男", "东湖区人民路12号锦绣小区3栋1单元502", "13900000001"
    ),
    PersonRecord(
        POLICE,
        "T-3",
        "欧阳明轩",
        NAMESAKE_B,
        BORN,
        "1",
        "明湖市南城区迎宾大道88号翠湖花园9栋2单元1101室",
        "13900000002",
    ),
    PersonRecord(
        SOCIAL, "T-4", "歐陽明軒", NAMESAKE_B, BORN, "male", "南城区迎宾大道88号翠湖花园9幢2单元1101", "13900000002"
    ),
    # The second namesake again, without an ID number: address and phone say which one he is.
    PersonRecord(CIVIL, "T-5", "欧阳明轩", None, BORN, "男", "南城区迎宾路88号翠湖花园9栋2单元1101室", "13900000002"),
    # A record whose ID number has two adjacent digits swapped.
    PersonRecord(
        POLICE,
        "T-6",
        "诸葛晓雯",
        SWAPPED_OWNER,
        datetime.date(1991, 9, 27),
        "2",
        "明湖市清河区文昌路7号",
        "13900000003",
    ),
    PersonRecord(
        CIVIL,
        "T-7",
        "诸葛晓雯",
        _swap(SWAPPED_OWNER, 8),
        datetime.date(1991, 9, 27),
        "女",
        "清河区文昌路7号",
        "13900000004",
    ),
    # Somebody who shares a rare name and a birthday with a known person, but neither address nor ID number
    # (hers is broken, and not by a slip of one character): a case for a human.
    PersonRecord(
        SOCIAL, "T-8", "诸葛晓雯", "41080119910927", datetime.date(1991, 9, 27), "female", "西山区松林街3号", None
    ),
]


@pytest.fixture(scope="module")
def people():
    generated = person_sources_table(seed=11, people=5_000)
    extra = person_table(SCENARIO)
    extra = extra.append_column("truth_id", pa.array(["A", "A", "B", "B", "B", "C", "C", "D"]))
    extra = extra.append_column("variants", pa.array([None] * len(SCENARIO), pa.string()))
    return pa.concat_tables([generated, extra.cast(PERSON_OUTPUT_SCHEMA)])


@pytest.fixture(scope="module")
def linked(people):
    return link_persons(people, seed=11)


def test_precision_and_recall_on_five_thousand_people_from_three_sources(people, linked):
    quality = evaluate(linked, people)
    assert quality.precision >= 0.99
    assert quality.recall >= 0.98
    assert linked.statistics.records == people.num_rows
    assert linked.statistics.keyed_records + linked.statistics.keyless_records == people.num_rows
    assert linked.members.schema == MEMBER_SCHEMA
    assert linked.members.num_rows == people.num_rows


def test_the_probabilistic_pass_finds_what_the_exact_pass_misses(people, linked):
    exact_only = link_persons(people, probabilistic=False)
    assert evaluate(exact_only, people).recall < 0.92
    assert evaluate(exact_only, people).precision == 1.0
    assert linked.statistics.probabilistic_links > 0
    assert linked.statistics.pairs_compared >= linked.statistics.probabilistic_links
    assert set(linked.statistics.seconds) == {"normalise", "exact", "train", "predict", "cluster", "output"}


def test_namesakes_with_the_same_birth_date_but_different_id_numbers_are_not_merged(linked):
    clusters = linked.cluster_ids()
    first = {clusters[RecordRef(POLICE, "T-1")], clusters[RecordRef(CIVIL, "T-2")]}
    second = {clusters[RecordRef(POLICE, "T-3")], clusters[RecordRef(SOCIAL, "T-4")]}
    assert len(first) == 1
    assert len(second) == 1
    assert first != second
    # The namesake without an ID number joins the one whose address and phone he shares.
    assert clusters[RecordRef(CIVIL, "T-5")] in second


def test_a_record_with_a_swapped_digit_in_its_id_number_is_linked_to_its_person(linked):
    clusters = linked.cluster_ids()
    assert clusters[RecordRef(CIVIL, "T-7")] == clusters[RecordRef(POLICE, "T-6")]
    cluster = next(cluster for cluster in linked.clusters() if cluster.cluster_id == clusters[RecordRef(POLICE, "T-6")])
    assert cluster.key == SWAPPED_OWNER
    member = next(member for member in cluster.members if member.record_id == "T-7")
    assert member.method == "probabilistic"
    assert member.matched == RecordRef(POLICE, "T-6")
    assert member.match_probability is not None and member.match_probability >= 0.95
    assert member.match_weight is not None and member.match_weight > 0


def test_uncertain_pairs_go_to_the_review_queue(linked):
    low, high = 0.5, 0.95
    assert linked.review
    assert linked.statistics.review_pairs == len(linked.review)
    for pair in linked.review:
        assert pair.reason in {"uncertain", "second_candidate"}
        if pair.reason == "uncertain":
            assert low <= pair.match_probability < high
        else:
            assert pair.match_probability >= high
            assert pair.left_cluster_id != pair.right_cluster_id
        assert set(pair.comparison) == {"name", "birth_date", "sex", "address", "phone", "id_number"}
    rare = [pair for pair in linked.review if RecordRef(SOCIAL, "T-8") in (pair.left, pair.right)]
    assert rare
    assert rare[0].comparison["name"] == "same"
    assert rare[0].comparison["address"] == "different"
    assert rare[0].comparison["id_number"] == "different"
    assert rare[0].comparison["phone"] == "missing"


def test_clusters_walk_the_members_table_in_order(linked):
    clusters = list(linked.clusters())
    assert [cluster.cluster_id for cluster in clusters] == list(range(len(clusters)))
    assert sum(len(cluster.members) for cluster in clusters) == linked.members.num_rows
    assert len(clusters) == linked.statistics.clusters
    exact = [cluster for cluster in clusters if cluster.key is not None]
    assert all(
        member.match_weight is None for cluster in exact for member in cluster.members if member.method == "exact"
    )


def test_the_trained_model_is_returned_as_splink_settings(linked):
    model = linked.model
    assert model["link_type"] == "dedupe_only"
    assert [comparison["output_column_name"] for comparison in model["comparisons"]] == [
        "name",
        "birth_date",
        "sex",
        "address",
        "phone",
        "id_number",
    ]
    assert '"m_probability"' in linked.model_json()


def test_the_trained_model_renders_for_spark_with_its_probabilities(linked):
    spark = PERSON_MODEL.trained_settings(linked.model, dialect="spark")
    assert {rule["sql_dialect"] for rule in spark["blocking_rules_to_generate_predictions"]} == {"spark"}
    conditions = [
        level["sql_condition"] for comparison in spark["comparisons"] for level in comparison["comparison_levels"]
    ]
    assert "jaro_winkler(`name_pinyin_l`, `name_pinyin_r`) >= 0.92" in conditions
    learned = [
        level.get("m_probability")
        for comparison in linked.model["comparisons"]
        for level in comparison["comparison_levels"]
    ]
    copied = [
        level.get("m_probability") for comparison in spark["comparisons"] for level in comparison["comparison_levels"]
    ]
    assert copied == learned
    assert spark["probability_two_random_records_match"] == linked.statistics.probability_two_random_records_match


def test_runs_are_deterministic_and_can_spill_to_a_work_directory(tmp_path):
    people = person_sources_table(seed=5, people=500)
    first = link_persons(people, seed=3, workdir=tmp_path)
    second = link_persons(people, seed=3)
    assert first.members.equals(second.members)
    assert list(tmp_path.iterdir()) == []  # the scratch database is removed


def test_dataclass_records_are_accepted():
    number = compose_id_number("419802", datetime.date(1970, 1, 2), 11)
    records = [
        PersonRecord(POLICE, "1", "李雷", number, datetime.date(1970, 1, 2), "1"),
        PersonRecord(CIVIL, "9", "李雷", number.lower(), datetime.date(1970, 1, 2), "男"),
    ]
    result = link_persons(records)
    assert result.statistics.exact_clusters == 1
    assert [len(cluster.members) for cluster in result.clusters()] == [2]


# --- enterprises ------------------------------------------------------------------------------------


def test_enterprises_link_on_credit_code_and_on_name_representative_and_address():
    entities = entity_sources_table(seed=3, entities=2_000)
    code = compose_credit_code("91419802MA1234567")
    extra = entity_table(
        [
            EntityRecord(
                "市场监督管理局", "X-1", "明湖鑫华商贸有限公司", code, "王建国", "明湖市清河区人民路1号", "13800000001"
            ),
            EntityRecord(
                "税务局", "X-2", "鑫华商贸（明湖）有限责任公司", None, "王建国", "清河区人民路1号", "13800000001"
            ),
            EntityRecord(
                "税务局",
                "X-3",
                "明湖鑫华科技有限公司",
                compose_credit_code("91419802MA7654321"),
                "王建国",
                "清河区人民路1号",
                None,
            ),
        ]
    )
    extra = extra.append_column("truth_id", pa.array(["X", "X", "Y"]))
    extra = extra.append_column("variants", pa.array([None, None, None], pa.string()))
    table = pa.concat_tables([entities, extra.cast(ENTITY_OUTPUT_SCHEMA)])
    result = link_entities(table, place_names=["明湖市", "明湖"], seed=3)
    quality = evaluate(result, table)
    assert quality.precision >= 0.98
    assert quality.recall >= 0.97
    clusters = result.cluster_ids()
    assert clusters[RecordRef("税务局", "X-2")] == clusters[RecordRef("市场监督管理局", "X-1")]
    # Another company of the same owner at the same address keeps its own credit code and its own cluster.
    assert clusters[RecordRef("税务局", "X-3")] != clusters[RecordRef("市场监督管理局", "X-1")]
    assert evaluate(link_entities(table, place_names=["明湖"], probabilistic=False), table).recall < quality.recall


def test_small_and_keyless_extracts_link_without_failing():
    assert link_persons([]).members.num_rows == 0
    alone = link_persons([PersonRecord(POLICE, "1", "张三", None, datetime.date(1990, 1, 1))])
    assert [cluster.members[0].method for cluster in alone.clusters()] == ["unlinked"]
    # A department that never recorded ID numbers: no exact pass, no EM on identifiers, defaults stand in.
    people = person_sources_table(seed=8, people=300)
    without_numbers = people.set_column(
        people.schema.get_field_index("id_number"), "id_number", pa.nulls(people.num_rows, pa.string())
    )
    result = link_persons(without_numbers)
    assert result.statistics.keyed_records == 0
    assert evaluate(result, without_numbers).precision >= 0.99
