"""Issue 16: which rows become Arrow tables, and what those tables hold.

A batch becomes Arrow only when every value is of the one Python type its column's
type takes as is; otherwise ``arrow_table`` answers ``None`` and the rows go to dlt as
dicts, so dlt coerces or builds a variant column as it always did. The warehouse-level
proof is ``tests/reliability/test_reliability_arrow_rows.py``.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import orjson
import pyarrow as pa

from happyfox_sync.source.arrow_tables import arrow_hints_columns, arrow_table, batched, known_column_types

LOAD_ID = "1796180000.123"
TYPES = {"ticket_id": "bigint", "tag": "text", "_hf_tombstone": "bool"}


def test_rows_whose_values_fit_become_one_table_with_dlt_columns() -> None:
    table = arrow_table([{"ticket_id": 1, "tag": "vip"}, {"ticket_id": 2, "tag": "gdpr"}], TYPES, LOAD_ID)
    assert table is not None
    assert table.column_names == ["ticket_id", "tag", "_dlt_load_id", "_dlt_id"]
    assert table.column("ticket_id").to_pylist() == [1, 2]
    assert table.column("_dlt_load_id").to_pylist() == [LOAD_ID, LOAD_ID]
    ids = table.column("_dlt_id").to_pylist()
    assert len(set(ids)) == 2 and all(len(value) == 14 for value in ids)  # dlt's 10 random bytes, base64
    assert not table.schema.field("_dlt_id").nullable and table.schema.field("tag").nullable


def test_the_contract_columns_come_first_in_order_and_null_where_absent() -> None:
    table = arrow_table([{"tag": "vip", "ticket_id": 1}], TYPES, LOAD_ID, contract=["ticket_id", "tag", "_hf_tombstone"])
    assert table is not None
    assert table.column_names[:3] == ["ticket_id", "tag", "_hf_tombstone"]
    assert table.column("_hf_tombstone").to_pylist() == [None]
    assert table.schema.field("_hf_tombstone").type == pa.bool_()


def test_a_bool_where_ints_are_sends_the_rows_as_dicts() -> None:
    assert arrow_table([{"ticket_id": 1}, {"ticket_id": True}], TYPES, LOAD_ID) is None


def test_a_float_where_ints_are_sends_the_rows_as_dicts_although_arrow_would_take_it() -> None:
    assert arrow_table([{"ticket_id": 1.0}], TYPES, LOAD_ID) is None


def test_an_int_in_a_text_column_sends_the_rows_as_dicts() -> None:
    assert arrow_table([{"ticket_id": 1, "tag": 7}], TYPES, LOAD_ID) is None


def test_a_column_dlt_has_not_typed_sends_the_rows_as_dicts() -> None:
    assert arrow_table([{"ticket_id": 1, "sentiment": "happy"}], TYPES, LOAD_ID) is None


def test_an_int_beyond_64_bits_sends_the_rows_as_dicts() -> None:
    assert arrow_table([{"ticket_id": 2**70}], TYPES, LOAD_ID) is None


def test_a_timestamp_string_in_a_timestamp_column_sends_the_rows_as_dicts() -> None:
    types = {"created_at": "timestamp"}
    assert arrow_table([{"created_at": "2026-03-01 10:00:00"}], types, LOAD_ID) is None
    moment = datetime(2026, 3, 1, 10, 0, 1, 250, tzinfo=timezone.utc)
    table = arrow_table([{"created_at": moment}], types, LOAD_ID)
    assert table is not None and table.column("created_at").to_pylist() == [moment]
    assert table.schema.field("created_at").type == pa.timestamp("us", tz="UTC")


def test_a_datetime_in_a_date_column_sends_the_rows_as_dicts() -> None:
    types = {"due_date": "date"}
    assert arrow_table([{"due_date": datetime(2026, 3, 1, tzinfo=timezone.utc)}], types, LOAD_ID) is None
    table = arrow_table([{"due_date": date(2026, 3, 1)}], types, LOAD_ID)
    assert table is not None and table.column("due_date").to_pylist() == [date(2026, 3, 1)]


def test_json_values_are_stored_as_the_json_text_dlt_writes() -> None:
    table = arrow_table([{"watchers": [3, {"id": 5}]}, {"watchers": None}], {"watchers": "json"}, LOAD_ID)
    assert table is not None
    assert table.column("watchers").to_pylist() == [orjson.dumps([3, {"id": 5}]).decode(), None]


def test_types_are_the_contract_then_what_dlt_already_typed_and_never_what_it_cannot_write() -> None:
    schema_columns = {
        "merged_tickets": {"name": "merged_tickets", "data_type": "json"},
        "huge": {"name": "huge", "data_type": "wei"},
        "seen_null": {"name": "seen_null"},
        "_dlt_id": {"name": "_dlt_id", "data_type": "text"},
    }
    types = known_column_types("tickets", schema_columns)  # type: ignore[arg-type]
    assert types["merged_tickets"] == "json" and types["id"] == "bigint" and types["created_at"] == "timestamp"
    assert "huge" not in types and "seen_null" not in types and "_dlt_id" not in types


def test_an_arrow_items_hints_keep_json_columns_json_and_dlt_columns_as_the_normaliser_makes_them() -> None:
    columns = arrow_hints_columns("tickets", {"merged_tickets": "json", "id": "bigint"})
    assert columns["merged_tickets"]["data_type"] == "json"
    assert columns["_dlt_id"]["nullable"] is False and columns["_dlt_id"]["row_key"] is True
    assert columns["_dlt_load_id"]["nullable"] is False
    assert list(columns)[0] == "id"


def test_pages_are_merged_into_batches_of_at_least_the_size_and_nothing_is_lost() -> None:
    pages = [[{"id": n} for n in range(start, min(start + 50, 230))] for start in range(0, 230, 50)]
    batches = list(batched(pages, 100))
    assert [len(batch) for batch in batches] == [100, 100, 30]
    assert [row["id"] for batch in batches for row in batch] == list(range(230))
