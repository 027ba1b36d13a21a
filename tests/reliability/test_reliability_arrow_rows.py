"""Issue 16: the Arrow-table path loads exactly the warehouse the row-dict path loads.

One simulated helpdesk, two warehouses: after every change to the truth, one is synced
through the row dicts of before (``arrow_tables=False``) and the other through typed
Arrow tables (the default), from the same simulator state. Every table is then
compared column by column (name, position, DuckDB type, nullability) and row by row
(all columns but dlt's random ``_dlt_id`` and the load's ``_dlt_load_id``, which are
checked on their own, and ``deleted_at``, the clock of the run that found the deletion). The changes are the bad and surprising input of
``test_reliability_bad_input.py`` and more: fields HappyFox adds, values whose type
changes (dlt's variant columns), a float where ints were,
a timestamp-like string in a new field, nulls, 50 KB bodies, unicode, deletions.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from happyfox_simulator import Simulator
from happyfox_simulator.model import format_timestamp
from happyfox_sync.source.arrow_tables import ArrowRows
from happyfox_sync.source.schema import TABLE_HINTS
from tests.reliability.rel_support import CliWarehouse, cli_environment, figures, mutate, run_cli
from tests.support.harness import Warehouse, client_for, helpdesk, running

DLT_COLUMNS = ("_dlt_id", "_dlt_load_id")

Columns = dict[str, list[tuple[str, int, str, str]]]


def _touch(simulator: Simulator, ticket: dict[str, Any], **changes: Any) -> None:
    """Change a ticket record as HappyFox would show it, moving its last_modified."""
    ticket.update(changes)
    ticket["last_modified"] = format_timestamp(datetime.now(timezone.utc))
    simulator.store.invalidate()


def _columns(warehouse: Warehouse) -> Columns:
    tables: Columns = {}
    for table, column, position, data_type, nullable in warehouse.query(
        "select table_name, column_name, ordinal_position, data_type, is_nullable from information_schema.columns"
        f" where table_schema = '{warehouse.dataset}' and table_name not like '_dlt%' order by 1, 3"
    ):
        tables.setdefault(table, []).append((column, position, data_type, nullable))
    return tables


def _typed(columns: list[tuple[str, int, str, str]]) -> list[tuple[str, str, str]]:
    return [(name, data_type, nullable) for name, _, data_type, nullable in columns]


def _contract_columns(table: str, columns: list[tuple[str, int, str, str]]) -> list[tuple[str, int, str, str]]:
    """The columns the table contract declares, with their positions."""
    declared = TABLE_HINTS[table].get("columns", {})
    return [column for column in columns if column[0] in declared]


RUN_TIMES = ("deleted_at",)
"""Set to the run's own clock when a deletion is found: compared as set or not."""


def _rows(warehouse: Warehouse, table: str, columns: list[str]) -> Counter[tuple[Any, ...]]:
    names = ", ".join(
        f'"{name}" is not null' if name in RUN_TIMES else f'"{name}"' for name in columns if name not in DLT_COLUMNS
    )
    return Counter(warehouse.query(f'select {names} from "{table}"'))


def _assert_dlt_columns_filled(warehouse: Warehouse, table: str) -> None:
    rows, ids, nulls = warehouse.query(
        f'select count(*), count(distinct _dlt_id), count(*) filter (where _dlt_load_id is null) from "{table}"'
    )[0]
    assert (ids, nulls) == (rows, 0), f"{table}: {rows} rows, {ids} distinct _dlt_id, {nulls} without _dlt_load_id"
    unknown = warehouse.query(
        f'select count(*) from "{table}" where _dlt_load_id not in (select load_id from _dlt_loads)'
    )[0][0]
    assert unknown == 0, f"{table}: {unknown} rows with a _dlt_load_id of no load"


def assert_same_warehouse(rows_path: Warehouse, arrow_path: Warehouse) -> int:
    """Every table equal in columns and rows; returns the rows compared."""
    expected, actual = _columns(rows_path), _columns(arrow_path)
    assert sorted(actual) == sorted(expected)
    compared = 0
    for table, columns in expected.items():
        # Positions are compared for the contract's columns; a column outside it is placed
        # where dlt first meets it, which already varies between runs of either path
        # (contacts arrive from two resources in parallel), so those compare as a set.
        assert _contract_columns(table, actual[table]) == _contract_columns(table, columns), f"{table}: contract columns differ"
        assert sorted(_typed(actual[table])) == sorted(_typed(columns)), (
            f"{table}: columns differ\n rows:  {columns}\n arrow: {actual[table]}"
        )
        names = [name for name, *_ in columns]
        want, got = _rows(rows_path, table, names), _rows(arrow_path, table, names)
        assert got == want, (
            f"{table}: rows differ; only in the rows path: {list((want - got).items())[:3]};"
            f" only in the Arrow path: {list((got - want).items())[:3]}"
        )
        _assert_dlt_columns_filled(arrow_path, table)
        compared += sum(want.values())
    return compared


class Twins:
    """The two warehouses, synced one after the other from the same simulator state."""

    def __init__(self, tmp_path: Path, simulator: Simulator) -> None:
        self.simulator = simulator
        self.rows_path = Warehouse(tmp_path / "rows", name="hf_rows")
        self.arrow_path = Warehouse(tmp_path / "arrow", name="hf_arrow")
        self.gets: list[tuple[dict[str, int], dict[str, int]]] = []

    def _gets(self) -> dict[str, int]:
        return dict(self.simulator.stats.snapshot()["gets_by_endpoint"])  # type: ignore[call-overload]

    def sync(self, **options: Any) -> None:
        spent = []
        for warehouse, arrow in ((self.rows_path, False), (self.arrow_path, True)):
            before = self._gets()
            with client_for(self.simulator) as client:
                warehouse.sync(client, arrow_tables=arrow, **options)
            after = self._gets()
            spent.append({name: count - before.get(name, 0) for name, count in after.items() if count != before.get(name, 0)})
        self.gets.append((spent[0], spent[1]))


def _surprising_helpdesk() -> Any:
    """The first run's truth: fields outside the contract in tickets, updates and contacts."""
    desk = helpdesk(160, seed=81)
    ticket, other = desk.tickets[3], desk.tickets[8]
    ticket["sentiment"] = "frustrated 😤"
    ticket["sla"] = {"policy": "Gold", "hours_left": 4}
    ticket["escalated_at"] = "2026-03-01 10:00:00"
    other["watchers"] = [3, 5]
    ticket["updates"][0]["channel"] = "whatsapp"
    desk.contacts[0]["twitter"] = "@ann"
    desk.tickets[12]["first_message"] = ("Le système a planté 💥 — " * 2200)[:50_000]
    desk.tickets[13]["subject"] = "Zürich ✓ 日本語 עברית العربية 👩🏽‍💻 🇫🇷 e\u0301 \u200b𝔘𝔫𝔦𝔠𝔬𝔡𝔢"
    return desk


def _count_items(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple[str, str]]:
    """Which tables went as Arrow and which as dicts (so the test shows both paths ran)."""
    kinds: Counter[tuple[str, str]] = Counter()
    table_of = ArrowRows.table

    def table(self: ArrowRows, name: str, rows: list[dict[str, Any]]) -> Any:
        item = table_of(self, name, rows)
        kinds[(name, "dicts" if item is None else "arrow")] += 1
        return item

    monkeypatch.setattr(ArrowRows, "table", table)
    return kinds


def test_the_arrow_path_loads_the_same_tables_and_rows_as_the_row_path_through_surprising_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kinds = _count_items(monkeypatch)
    with running(_surprising_helpdesk()) as simulator:
        twins = Twins(tmp_path, simulator)
        twins.sync()
        after_first = assert_same_warehouse(twins.rows_path, twins.arrow_path)

        # The contract's and dlt's types changing under values (variant columns), new
        # fields, a list where text was, nulls where values were.
        desk = simulator.helpdesk
        a, b, c, d, e, f, g = (desk.tickets[i] for i in (1, 2, 4, 5, 6, 7, 9))
        _touch(simulator, a, time_spent="1h 20m")
        _touch(simulator, b, sla_breaches=[1, 2], messages_count=True)
        _touch(simulator, c, source={"id": 3, "name": "email"})
        d["updates"][-1]["time_spent"] = "ten minutes"
        _touch(simulator, d)
        _touch(simulator, e, sla={"policy": "Silver", "hours_left": 4.5}, mood="calm")
        _touch(simulator, f, watchers=[7, {"id": 8}], escalated_at="not a time")
        field = next(x for x in g["custom_fields"] if isinstance(x["value"], str))
        field["value"], field["value_id"] = ["Web App", "Public API ⚙"], [1, 3]
        _touch(simulator, g, tags="", subject=None, assigned_to=None, due_date=None)
        twins.sync(contacts_sweep_hours=0)
        after_changes = assert_same_warehouse(twins.rows_path, twins.arrow_path)

        # Ordinary churn (replies, status changes, new tickets, deletions), then values
        # of the types dlt now knows: these go as Arrow tables again. The tickets changed
        # above are re-read (their day is today's), so their surprises are put back to
        # values of their columns' first types; otherwise their batch rightly goes as dicts.
        _touch(simulator, a, time_spent=20)
        _touch(simulator, b, sla_breaches=0, messages_count=3)
        d["updates"][-1]["time_spent"] = 10
        _touch(simulator, d)
        _touch(simulator, e, sla={"policy": "Silver", "hours_left": 4})
        _touch(simulator, f, escalated_at=None)
        mutate(simulator, 40, seed=82)
        _touch(simulator, desk.tickets[20], sentiment="happy", watchers=[1], mood="fine")
        twins.sync(contacts_sweep_hours=0, reconcile=True)
        after_churn = assert_same_warehouse(twins.rows_path, twins.arrow_path)

    variants = {name for name, *_ in _columns(twins.arrow_path)["tickets"] if "__v_" in name}
    assert {"time_spent__v_text", "sla_breaches__v_json", "messages_count__v_bool"} <= variants
    assert twins.arrow_path.query(
        f"select mood, sentiment from tickets where id = {desk.tickets[20]['id']}"
    ) == [("fine", "happy")]
    # Same GETs per endpoint in the first two runs. After the churn the sync that runs first
    # may confirm deletions the churn made with a few more detail GETs, whichever path it is
    # (seen both ways when the order is swapped), so that run is not compared.
    assert [rows for rows, arrow in twins.gets[:2]] == [arrow for rows, arrow in twins.gets[:2]]
    for table in ("tickets", "ticket_updates"):  # fell back on surprises, Arrow otherwise
        assert kinds[(table, "arrow")] >= 1 and kinds[(table, "dicts")] >= 1, kinds
    assert kinds[("contacts", "arrow")] >= 1, kinds
    figures("arrow path/same warehouse", rows_compared=after_first + after_changes + after_churn,
            variant_columns=len(variants), gets_per_run=[sum(arrow.values()) for _, arrow in twins.gets])


def test_a_sync_through_arrow_tables_prints_nothing_about_arrow_schemas(tmp_path: Path) -> None:
    with running(helpdesk(60, seed=83)) as simulator:
        env = cli_environment(tmp_path, simulator, SOURCES__HAPPYFOX__CONTACTS_SWEEP_HOURS=0)
        first = run_cli(["--no-models", "-v"], tmp_path, env)
        _touch(simulator, simulator.helpdesk.tickets[0], subject="Again")
        second = run_cli(["--no-models", "-v"], tmp_path, env)  # json columns now typed: Arrow with json hints
    assert (first.code, second.code) == (0, 0), second.output[-2000:]
    assert "arrow schema" not in first.output + second.output
    assert CliWarehouse(tmp_path).count("tickets where subject = 'Again'") == 1
