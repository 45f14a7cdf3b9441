"""Normalising department records into the `records` table the linkage runs on (DuckDB).

Text work that needs Python (NFKC, OpenCC, pinyin) runs in `normalise`, once per column; identifier checks and
address canonical forms run in SQL once per distinct value, since a person's number and a household's address
recur across sources.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence

import duckdb
import pyarrow as pa

from yiwang.datahub.linking import normalise
from yiwang.datahub.linking.records import ENTITY_SCHEMA, PERSON_SCHEMA

# The columns Splink sees: what the models compare and block on.
SPLINK_PERSON_COLUMNS = (
    "record_key, name, name_pinyin, surname_pinyin, birth_text, birth_year, sex, address, address_house, "
    "address_road, phone, id_text, id_prefix"
)
SPLINK_ENTITY_COLUMNS = (
    "record_key, name, name_pinyin, representative, representative_pinyin, address, address_house, "
    "address_road, phone, id_text, id_prefix"
)


def prepare_persons(con: duckdb.DuckDBPyConnection, table: pa.Table) -> None:
    """Normalise person records into the `records` table."""
    table = _conform(table, PERSON_SCHEMA)
    names, name_pinyin = normalise.name_texts(table.column("name").to_pylist())
    raw = pa.table(
        {
            "record_key": pa.array(range(table.num_rows), pa.int64()),
            "source": table.column("source"),
            "record_id": table.column("record_id"),
            "name": pa.array(names, pa.string()),
            "name_pinyin_spaced": pa.array(name_pinyin, pa.string()),
            **_identifier_columns(table.column("id_number").to_pylist(), normalise.id_number_key),
            "birth_date": table.column("birth_date"),
            "sex": table.column("sex"),
            "address_text": pa.array(normalise.simplified_texts(table.column("address").to_pylist()), pa.string()),
            "phone_text": pa.array(normalise.nfkc_texts(table.column("phone").to_pylist()), pa.string()),
        }
    )
    con.register("raw_records", raw)
    _prepare_identifiers(con, normalise.id_number_key_sql("id_ascii", "id_body", datetime.date.today()))
    _prepare_addresses(con)
    con.execute(
        f"""
        CREATE TABLE records AS
        SELECT record_key, source, record_id, coalesce(i.key, slow_key) AS key,
            name, nullif(replace(name_pinyin_spaced, ' ', ''), '') AS name_pinyin,
            nullif(split_part(name_pinyin_spaced, ' ', 1), '') AS surname_pinyin,
            strftime(birth_date, '%Y%m%d') AS birth_text, year(birth_date) AS birth_year,
            {normalise.sex_sql("sex")} AS sex,
            a.address, a.address_house, a.address_road,
            {normalise.phone_sql("phone_text")} AS phone,
            nullif(id_text, '') AS id_text, nullif(substr(id_text, 1, 14), '') AS id_prefix
        FROM raw_records AS r
        LEFT JOIN identifier_forms AS i ON i.id_ascii = r.id_ascii
        LEFT JOIN address_forms AS a ON a.address_text = r.address_text
        """  # noqa: S608 (SQL built from our own fragments)
    )
    con.unregister("raw_records")


def _prepare_identifiers(con: duckdb.DuckDBPyConnection, key_sql: str) -> None:
    """Check each distinct identifier once (a person's number recurs in every source)."""
    con.execute(
        f"""
        CREATE TEMP TABLE identifier_forms AS
        SELECT id_ascii, {key_sql} AS key
        FROM (
            SELECT id_ascii, {normalise.id_number_body_sql("id_ascii")} AS id_body
            FROM (SELECT DISTINCT id_ascii FROM raw_records WHERE id_ascii IS NOT NULL)
        )
        """  # noqa: S608 (SQL built from our own fragments)
    )


def _prepare_addresses(con: duckdb.DuckDBPyConnection) -> None:
    """Canonical form and parts of each distinct address (a household's address recurs many times)."""
    con.execute(
        f"""
        CREATE TEMP TABLE address_forms AS
        WITH written AS (
            SELECT address_text, {normalise.address_canonical_sql("address_text")} AS canonical
            FROM (SELECT DISTINCT address_text FROM raw_records WHERE address_text IS NOT NULL)
        )
        SELECT address_text, nullif(canonical, '') AS address,
            {normalise.address_house_sql("canonical")} AS address_house,
            {normalise.address_road_sql("canonical")} AS address_road
        FROM written
        """  # noqa: S608 (SQL built from our own fragments)
    )


def prepare_entities(con: duckdb.DuckDBPyConnection, table: pa.Table, place_names: Sequence[str]) -> None:
    """Normalise entity records into the `records` table."""
    table = _conform(table, ENTITY_SCHEMA)
    names = normalise.simplified_texts(table.column("name").to_pylist())
    representatives, representative_pinyin = normalise.name_texts(table.column("legal_representative").to_pylist())
    places = sorted({place for place in normalise.simplified_texts(list(place_names)) if place}, key=len)
    raw = pa.table(
        {
            "record_key": pa.array(range(table.num_rows), pa.int64()),
            "source": table.column("source"),
            "record_id": table.column("record_id"),
            "name_text": pa.array(names, pa.string()),
            "representative": pa.array(representatives, pa.string()),
            "representative_pinyin_spaced": pa.array(representative_pinyin, pa.string()),
            **_identifier_columns(table.column("credit_code").to_pylist(), normalise.credit_code_key),
            "address_text": pa.array(normalise.simplified_texts(table.column("address").to_pylist()), pa.string()),
            "phone_text": pa.array(normalise.nfkc_texts(table.column("phone").to_pylist()), pa.string()),
        }
    )
    con.register("raw_records", raw)
    _prepare_identifiers(con, normalise.credit_code_key_sql("id_ascii"))
    _prepare_addresses(con)
    # Longest place names first, so that 明湖市 goes before 明湖; brackets and the legal form's long spelling go.
    place_pattern = "|".join(reversed(places)) if places else None
    name_sql = "regexp_replace(name_text, '[()（）\\[\\]【】]', '', 'g')"
    name_sql = f"replace({name_sql}, '有限责任公司', '有限公司')"
    if place_pattern:
        name_sql = f"regexp_replace({name_sql}, '({place_pattern})', '', 'g')"
    con.execute(
        f"""
        CREATE TABLE records AS
        SELECT record_key, source, record_id, coalesce(i.key, slow_key) AS key,
            nullif({name_sql}, '') AS name,
            representative, nullif(replace(representative_pinyin_spaced, ' ', ''), '') AS representative_pinyin,
            a.address, a.address_house, a.address_road,
            {normalise.phone_sql("phone_text")} AS phone,
            nullif(id_text, '') AS id_text, nullif(substr(id_text, 1, 12), '') AS id_prefix
        FROM raw_records AS r
        LEFT JOIN identifier_forms AS i ON i.id_ascii = r.id_ascii
        LEFT JOIN address_forms AS a ON a.address_text = r.address_text
        """  # noqa: S608 (SQL built from our own fragments)
    )
    con.unregister("raw_records")
    # Pinyin of the canonical name, for the fuzzy name level: computed after canonicalisation, in Python.
    canonical = [row[0] for row in con.execute("SELECT name FROM records ORDER BY record_key").fetchall()]
    _names, canonical_pinyin = normalise.name_texts(canonical)
    pinyin_table = pa.table(
        {
            "record_key": pa.array(range(len(canonical)), pa.int64()),
            "name_pinyin": pa.array([text.replace(" ", "") if text else None for text in canonical_pinyin]),
        }
    )
    con.register("name_pinyin_input", pinyin_table)
    con.execute("ALTER TABLE records ADD COLUMN name_pinyin VARCHAR")
    con.execute(
        "UPDATE records SET name_pinyin = p.name_pinyin FROM name_pinyin_input p "
        "WHERE records.record_key = p.record_key"
    )
    con.unregister("name_pinyin_input")


# --- the run ----------------------------------------------------------------------------------


def _identifier_columns(values: list[str | None], reference: Callable[[str], str | None]) -> dict[str, pa.Array]:
    """Normalised identifiers: ASCII ones for the SQL check, the rest already checked by the reference validator."""
    texts = normalise.identifier_texts(values)
    text_array = pa.array(texts, pa.string())
    if "".join(text for text in texts if text).isascii():  # the usual case: one C-level check for the column
        return {"id_text": text_array, "id_ascii": text_array, "slow_key": pa.nulls(len(texts), pa.string())}
    ascii_texts = [text if text is not None and text.isascii() else None for text in texts]
    slow = [
        reference(value) if value is not None and text is not None and not text.isascii() else None
        for value, text in zip(values, texts, strict=True)
    ]
    return {
        "id_text": text_array,
        "id_ascii": pa.array(ascii_texts, pa.string()),
        "slow_key": pa.array(slow, pa.string()),
    }


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The schema's columns of `table`, cast to their types; extra columns (truth, variants) are left out."""
    return pa.table({field.name: table.column(field.name).cast(field.type) for field in schema})
