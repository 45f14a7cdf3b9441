from collections import Counter, defaultdict

import pytest

from yiwang.core.identifiers import InvalidIdentifier, validate_credit_code, validate_id_number
from yiwang.datahub.linking import normalise
from yiwang.datahub.linking.generator import (
    DEFAULT_PERSON_SOURCES,
    ENTITY_OUTPUT_SCHEMA,
    PERSON_OUTPUT_SCHEMA,
    entity_sources_table,
    generate_person_sources,
    person_sources_table,
)


@pytest.fixture(scope="module")
def rows():
    return person_sources_table(seed=42, people=6_000).to_pylist()


def _valid(number):
    try:
        return validate_id_number(number, strict=False)
    except InvalidIdentifier:
        return None


def test_a_seed_always_gives_the_same_rows_and_another_seed_other_rows():
    first = person_sources_table(seed=1, people=400)
    assert first.equals(person_sources_table(seed=1, people=400))
    other = person_sources_table(seed=2, people=400)
    assert first.column("name").to_pylist() != other.column("name").to_pylist()
    assert first.schema == PERSON_OUTPUT_SCHEMA


def test_batches_cover_the_people_in_order():
    batches = list(generate_person_sources(seed=1, people=400, batch_people=150))
    assert len(batches) == 3
    truth = [truth_id for batch in batches for truth_id in batch.column("truth_id").to_pylist()]
    assert truth[0] == "P00000000"
    assert {int(truth_id[1:]) for truth_id in truth} <= set(range(400))


def test_every_kind_of_variant_is_produced(rows):
    tags = Counter(tag for row in rows if row["variants"] for tag in row["variants"].split(","))
    expected = {
        "id_missing", "id_swapped", "id_wrong_digit", "id_truncated", "id_full_width", "id_spaced",
        "id_fifteen_digit", "name_traditional", "name_homophone", "name_spaced", "name_dot", "birth_missing",
        "birth_typo", "sex_missing", "address_stale", "address_missing", "address_spaced", "address_full_width",
        "address_road_abbreviated", "address_traditional", "phone_stale", "phone_missing", "phone_formatted",
        "twin", "namesake",
    }  # fmt: skip
    assert expected <= set(tags)
    records = len(rows)
    assert 0.03 <= tags["id_missing"] / records <= 0.05
    corrupted = tags["id_swapped"] + tags["id_wrong_digit"] + tags["id_truncated"]
    assert 0.02 <= corrupted / records <= 0.03


def test_record_ids_are_unique_within_each_source_and_sources_hold_most_people(rows):
    by_source = defaultdict(list)
    for row in rows:
        by_source[row["source"]].append(row["record_id"])
    assert set(by_source) == set(DEFAULT_PERSON_SOURCES)
    for ids in by_source.values():
        assert len(ids) == len(set(ids))
    assert len(by_source["公安局"]) > 0.97 * 6_000
    assert 0.85 * 6_000 < len(by_source["民政局"]) < 0.95 * 6_000
    sizes = Counter(Counter(row["truth_id"] for row in rows).values())
    assert set(sizes) == {1, 2, 3}


def test_corrupted_id_numbers_are_invalid_and_reformatted_ones_valid(rows):
    true_number: dict[str, str] = {}
    for row in rows:
        if row["variants"] is None or "id_" not in row["variants"]:
            true_number.setdefault(row["truth_id"], row["id_number"])
    checked: Counter[str] = Counter()
    for row in rows:
        tags = set((row["variants"] or "").split(","))
        if tags & {"id_swapped", "id_wrong_digit", "id_truncated"}:
            assert _valid(row["id_number"]) is None
            checked["corrupted"] += 1
        elif tags & {"id_full_width", "id_spaced", "id_fifteen_digit", "id_lower_x"}:
            if row["truth_id"] in true_number:
                assert _valid(row["id_number"]) == true_number[row["truth_id"]]
                checked["reformatted"] += 1
        elif "id_missing" in tags:
            assert not row["id_number"]
        else:
            assert _valid(row["id_number"]) == row["id_number"]
    assert checked["corrupted"] > 100
    assert checked["reformatted"] > 100


def test_swapped_id_numbers_differ_from_the_truth_by_two_adjacent_characters(rows):
    true_number = {
        row["truth_id"]: row["id_number"] for row in rows if row["source"] == "公安局" and not row["variants"]
    }
    swapped = [row for row in rows if "id_swapped" in (row["variants"] or "") and row["truth_id"] in true_number]
    assert swapped
    for row in swapped:
        truth = true_number[row["truth_id"]]
        differences = [index for index, (a, b) in enumerate(zip(truth, row["id_number"], strict=True)) if a != b]
        assert len(differences) == 2 and differences[1] == differences[0] + 1


def test_the_population_register_is_the_cleanest_source(rows):
    def changed(source):
        held = [row for row in rows if row["source"] == source]
        return sum(
            1 for row in held if row["variants"] and set(row["variants"].split(",")) - {"twin", "namesake"}
        ) / len(held)

    assert changed("公安局") < 0.2
    assert changed("公安局") * 2 < changed("民政局")


def test_namesakes_and_twins_are_different_people_that_look_alike(rows):
    valid: dict[str, str] = {}
    for row in rows:
        number = _valid(row["id_number"]) if row["id_number"] else None
        if number:
            valid.setdefault(row["truth_id"], number)
    people = {row["truth_id"]: row for row in rows if row["source"] == "公安局"}
    by_name_and_birth = defaultdict(set)
    for truth_id, row in people.items():
        by_name_and_birth[(row["name"], row["birth_date"])].add(truth_id)
    namesakes = [row for row in people.values() if "namesake" in (row["variants"] or "")]
    assert namesakes
    collisions = [by_name_and_birth[(row["name"], row["birth_date"])] for row in namesakes]
    assert sum(1 for group in collisions if len(group) > 1) > len(namesakes) // 2
    for group in collisions:
        numbers = [valid[truth_id] for truth_id in group if truth_id in valid]
        assert len(numbers) == len(set(numbers))
    twins = [row for row in people.values() if "twin" in (row["variants"] or "")]
    assert twins


def test_traditional_and_homophone_names_read_as_the_true_name(rows):
    true_name = {row["truth_id"]: row["name"] for row in rows if row["source"] == "公安局" and not row["variants"]}
    homophones = [row for row in rows if row["variants"] == "name_homophone" and row["truth_id"] in true_name]
    traditional = [row for row in rows if row["variants"] == "name_traditional" and row["truth_id"] in true_name]
    assert homophones
    assert traditional
    for row in homophones:
        truth = true_name[row["truth_id"]]
        assert len(row["name"]) == len(truth)
        assert sum(1 for a, b in zip(row["name"], truth, strict=True) if a != b) == 1
        assert normalise.pinyin(row["name"]) == normalise.pinyin(truth)
    assert any(row["name"] != true_name[row["truth_id"]] for row in traditional)
    names, _pinyin = normalise.name_texts([row["name"] for row in traditional])
    assert names == [true_name[row["truth_id"]] for row in traditional]


def test_enterprise_extracts_carry_valid_and_broken_credit_codes():
    table = entity_sources_table(seed=4, entities=1_500)
    assert table.schema == ENTITY_OUTPUT_SCHEMA
    rows = table.to_pylist()
    tags = Counter(tag for row in rows if row["variants"] for tag in row["variants"].split(","))
    assert {"code_missing", "name_form", "name_city", "name_city_in_brackets", "sibling"} <= set(tags)
    assert tags["code_swapped"] + tags["code_wrong_character"] > 20
    for row in rows:
        variants = row["variants"] or ""
        if "code_swapped" in variants or "code_wrong_character" in variants:
            with pytest.raises(InvalidIdentifier):
                validate_credit_code(row["credit_code"])
        elif row["credit_code"]:
            assert validate_credit_code(row["credit_code"])
