"""The Splink models: comparisons, blocking rules and training rules for persons and for entities.

The same settings run on DuckDB here and on Spark for a province (`SparkAPI` instead of `DuckDBAPI`): the SQL
uses only functions both dialects have (Jaro-Winkler, Levenshtein, Jaccard). Column names
are those the engine prepares (see `engine.py`): `name` and `name_pinyin`, `birth_text` (YYYYMMDD), `address`
(canonical), `address_house` (road and number) and `address_road`, `id_text` (the normalised identifier as
written, valid or not).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator


@dataclass(frozen=True)
class LinkModel:
    """What differs between persons and entities: comparisons, rules, and the labels of their levels."""

    kind: str
    comparisons: tuple[ComparisonCreator, ...]
    # Candidate pairs for scoring: every record without a valid key against every record.
    prediction_rules: tuple[BlockingRuleCreator, ...]
    # Pairs for EM: each rule leaves the comparisons it does not block on free to be estimated. The identifier
    # as written comes first: its pairs are nearly all true matches, so EM learns m from how one person's
    # records differ. Blocking on a phone instead lets households (a child on a parent's phone, at the same
    # address) pass for matches, and EM then learns that a match may have another name and birth date.
    training_rules: tuple[BlockingRuleCreator, ...]
    # Comparison name → level labels from the highest comparison vector value down to 0 (the else level).
    level_labels: dict[str, tuple[str, ...]]
    term_frequency_columns: tuple[str, ...]

    def settings(self, probability_two_random_records_match: float) -> SettingsCreator:
        """Splink settings for a dedupe of all records, with the prior the exact pass measured."""
        return SettingsCreator(
            link_type="dedupe_only",
            unique_id_column_name="record_key",
            comparisons=list(self.comparisons),
            blocking_rules_to_generate_predictions=list(self.prediction_rules),
            probability_two_random_records_match=probability_two_random_records_match,
            # Matching columns bring the comparison levels (gamma_*) that explain a pair to a reviewer; only
            # pairs above the lowest probability of interest are kept, so the cost is small.
            retain_matching_columns=True,
            retain_intermediate_calculation_columns=False,
            max_iterations=25,
            em_convergence=0.0001,
        )

    def trained_settings(self, trained: Mapping[str, Any], *, dialect: str) -> dict[str, Any]:
        """This model's settings rendered for `dialect` ("spark", "duckdb") with the prior and m/u of `trained`.

        `trained` is `LinkResult.model` (Splink's JSON of a run here): its SQL is DuckDB's, so on Spark the
        comparisons are rendered again (jaro_winkler_similarity becomes the Splink jar's jaro_winkler) and
        the learned probabilities are copied level by level.
        """
        settings = self.settings(trained["probability_two_random_records_match"]).create_settings_dict(dialect)
        for comparison, learned in zip(settings["comparisons"], trained["comparisons"], strict=True):
            levels = zip(comparison["comparison_levels"], learned["comparison_levels"], strict=True)
            for level, learned_level in levels:
                for name in ("m_probability", "u_probability"):
                    if name in learned_level:
                        level[name] = learned_level[name]
        return settings


def _name_comparison(column: str, label: str, *, term_frequencies: bool) -> ComparisonCreator:
    # DuckDB's string distances count UTF-8 bytes, so the fuzzy level compares pinyin (ASCII), where one
    # wrong character is one wrong syllable; homophones (伟/玮) agree on pinyin exactly.
    return cl.CustomComparison(
        output_column_name=label,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column, term_frequency_adjustments=term_frequencies),
            cll.ExactMatchLevel(f"{column}_pinyin"),
            cll.JaroWinklerLevel(f"{column}_pinyin", 0.92),
            cll.ElseLevel(),
        ],
    )


def _address_comparison() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.NullLevel("address"),
            cll.ExactMatchLevel("address"),
            cll.ExactMatchLevel("address_house"),
            # DuckDB's Jaro-Winkler works on UTF-8 bytes: for Chinese text it still rises with shared characters.
            cll.JaroWinklerLevel("address", 0.9),
            cll.ElseLevel(),
        ],
    )


def _one_slip(column: str) -> str:
    """SQL: one character inserted, lost or changed, or two characters swapped (as by Damerau-Levenshtein).

    DuckDB's damerau_levenshtein is ten times slower than levenshtein, so a swap is recognised as two edits
    between strings of one length made of the same characters (Jaccard similarity 1).
    """
    left, right = f"{column}_l", f"{column}_r"
    swap_possible = f"length({left}) = length({right}) AND jaccard({left}, {right}) = 1.0"
    return f"levenshtein({left}, {right}) <= CASE WHEN {swap_possible} THEN 2 ELSE 1 END"


def _identifier_comparison(label: str) -> ComparisonCreator:
    # Only pairs where at least one side has no valid key are scored, so an exact level here means the same
    # invalid value twice; one slip (swap, wrong character, lost last character) is the usual corruption.
    return cl.CustomComparison(
        output_column_name=label,
        comparison_levels=[
            cll.NullLevel("id_text"),
            cll.ExactMatchLevel("id_text"),
            cll.CustomLevel(_one_slip("id_text"), label_for_charts="one slip apart"),
            cll.ElseLevel(),
        ],
    )


_MONTH_AND_DAY_SWAPPED = (
    "substr(birth_text_l, 1, 4) = substr(birth_text_r, 1, 4) "
    "AND substr(birth_text_l, 5, 2) = substr(birth_text_r, 7, 2) "
    "AND substr(birth_text_l, 7, 2) = substr(birth_text_r, 5, 2)"
)

PERSON_MODEL = LinkModel(
    kind="person",
    comparisons=(
        _name_comparison("name", "name", term_frequencies=True),
        cl.CustomComparison(
            output_column_name="birth_date",
            comparison_levels=[
                cll.NullLevel("birth_text"),
                cll.ExactMatchLevel("birth_text"),
                cll.CustomLevel(
                    f"({_one_slip('birth_text')}) OR ({_MONTH_AND_DAY_SWAPPED})", label_for_charts="one slip apart"
                ),
                cll.ElseLevel(),
            ],
        ),
        cl.ExactMatch("sex"),
        _address_comparison(),
        cl.ExactMatch("phone"),
        _identifier_comparison("id_number"),
    ),
    prediction_rules=(
        block_on("birth_text", "surname_pinyin"),
        block_on("name_pinyin", "birth_year"),
        block_on("phone"),
        block_on("name_pinyin", "address_road"),
        block_on("id_prefix"),
    ),
    training_rules=(block_on("id_text"), block_on("name_pinyin", "birth_text")),
    level_labels={
        "name": ("same", "same pinyin", "similar pinyin", "different"),
        "birth_date": ("same", "one slip apart", "different"),
        "sex": ("same", "different"),
        "address": ("same", "same house", "similar writing", "different"),
        "phone": ("same", "different"),
        "id_number": ("same invalid value", "one slip apart", "different"),
    },
    term_frequency_columns=("name",),
)

ENTITY_MODEL = LinkModel(
    kind="entity",
    comparisons=(
        _name_comparison("name", "name", term_frequencies=False),
        _name_comparison("representative", "legal_representative", term_frequencies=True),
        _address_comparison(),
        cl.ExactMatch("phone"),
        _identifier_comparison("credit_code"),
    ),
    prediction_rules=(
        block_on("name"),
        block_on("representative_pinyin"),
        block_on("phone"),
        block_on("address"),
        block_on("id_prefix"),
    ),
    training_rules=(block_on("id_text"), block_on("representative", "address")),
    level_labels={
        "name": ("same", "same pinyin", "similar pinyin", "different"),
        "legal_representative": ("same", "same pinyin", "similar pinyin", "different"),
        "address": ("same", "same house", "similar writing", "different"),
        "phone": ("same", "different"),
        "credit_code": ("same invalid value", "one slip apart", "different"),
    },
    term_frequency_columns=("representative",),
)
