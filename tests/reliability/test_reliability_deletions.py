"""Issue item 5: a ticket deleted in HappyFox is marked deleted in the warehouse.

A reconciliation pass lists ids cheaply (``minify_response``), confirms each missing
id with its own 404, and flags the warehouse row ``is_deleted`` with the time the
deletion was detected. It runs when the last pass is older than ``reconcile_hours``
(default 24) or on request; the reporting models leave deleted tickets out.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from happyfox_sync.models import build_models
from tests.reliability.rel_support import CliWarehouse, assert_only_gets, cli_environment, figures, mutate, run_cli
from tests.support.compare import assert_warehouse_equals_truth
from tests.support.harness import Warehouse, client_for, helpdesk, running

MODELS_WITH_TICKET_ID = ("ticket_metrics", "ticket_status_history", "ticket_custom_field_history", "ticket_custom_fields_current")


class RecordingTransport(httpx.HTTPTransport):
    """Remembers the path and query of every request the client sends."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[str, dict[str, list[str]]]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        split = urlsplit(str(request.url))
        self.requests.append((split.path.split("/api/1.1/json/")[-1], parse_qs(split.query)))
        return super().handle_request(request)


def _delete(simulator, ticket_ids: list[int]) -> None:
    staff = simulator.helpdesk.staff[0]["id"]
    for ticket_id in ticket_ids:
        simulator.store.delete_ticket(ticket_id, staff_id=staff)


def _flagged(warehouse) -> dict[int, datetime]:
    return {ticket_id: at for ticket_id, at in warehouse.query("select id, deleted_at from tickets where is_deleted")}


def test_reconciliation_on_request_flags_exactly_the_deleted_tickets_with_the_time_detected(tmp_path: Path) -> None:
    with running(helpdesk(180, seed=51)) as simulator:
        warehouse = Warehouse(tmp_path)
        with client_for(simulator) as client:
            warehouse.sync(client)
        doomed = [t["id"] for t in simulator.helpdesk.tickets[5:180:30]]
        _delete(simulator, doomed)
        transport = RecordingTransport()
        before = datetime.now(timezone.utc)
        with client_for(simulator, transport=transport) as client:
            warehouse.sync(client, reconcile=True, contacts_sweep_hours=0)
        after = datetime.now(timezone.utc)
        assert_only_gets(simulator)
        rows = assert_warehouse_equals_truth(warehouse, simulator)
    flagged = _flagged(warehouse)
    assert sorted(flagged) == sorted(doomed)
    assert all(before <= at <= after for at in flagged.values())
    listings = [query for path, query in transport.requests if path == "tickets/" and "minify_response" in query]
    assert len(listings) == math.ceil((180 - len(doomed)) / 50)
    assert all(query["minify_response"] == ["true"] and query["status"] == ["_all"] for query in listings)
    confirmations = [path for path, _ in transport.requests if path.startswith("ticket/")]
    assert sorted(confirmations) == sorted(f"ticket/{ticket_id}/" for ticket_id in doomed)
    figures("deletions/on request", deleted=len(doomed), id_pages=len(listings), confirm_gets=len(confirmations), rows_compared=rows)


def test_reconciliation_runs_by_itself_only_once_the_last_one_is_older_than_reconcile_hours(tmp_path: Path) -> None:
    with running(helpdesk(60, seed=52)) as simulator:
        warehouse = Warehouse(tmp_path)
        with client_for(simulator) as client:
            warehouse.sync(client)
        doomed = [t["id"] for t in simulator.helpdesk.tickets[:2]]
        _delete(simulator, doomed)
        with client_for(simulator) as client:
            warehouse.sync(client)  # default 24 h: the first run's pass is minutes old
        assert _flagged(warehouse) == {}
        with client_for(simulator) as client:
            warehouse.sync(client, reconcile_hours=0, contacts_sweep_hours=0)
        rows = assert_warehouse_equals_truth(warehouse, simulator)
    assert sorted(_flagged(warehouse)) == sorted(doomed)
    figures("deletions/by age", deleted=len(doomed), rows_compared=rows)


def test_tickets_deleted_during_busy_runs_are_all_flagged_and_left_out_of_every_reporting_model(tmp_path: Path) -> None:
    with running(helpdesk(200, seed=53)) as simulator:
        warehouse = Warehouse(tmp_path)
        with client_for(simulator) as client:
            warehouse.sync(client)
            for round_number in range(2):
                mutate(simulator, 60, seed=530 + round_number)  # about 10% of them deletions
                warehouse.sync(client, reconcile=True, contacts_sweep_hours=0)
            pipeline = warehouse.sync(client)
        rows = assert_warehouse_equals_truth(warehouse, simulator)
        deleted = set(simulator.store.deleted_tickets)
        live = {t["id"] for t in simulator.helpdesk.tickets}
        build_models(pipeline)
    flagged = set(_flagged(warehouse))
    assert flagged and flagged <= deleted
    with _reporting(warehouse) as connection:
        metrics = {ticket_id for (ticket_id,) in connection.execute("select ticket_id from ticket_metrics").fetchall()}
        leaked = {
            model: connection.execute(
                f"select distinct ticket_id from {model} where ticket_id in ({', '.join(map(str, flagged))})"
            ).fetchall()
            for model in MODELS_WITH_TICKET_ID
        }
    assert metrics == live
    assert leaked == {model: [] for model in MODELS_WITH_TICKET_ID}
    figures("deletions/models", deleted=len(flagged), live=len(live), rows_compared=rows)


def _reporting(warehouse):
    import duckdb

    connection = duckdb.connect(str(warehouse.database), read_only=True)
    connection.execute("set search_path = 'happyfox_reporting'")
    return connection


def test_the_sync_command_reconciles_on_reconcile_and_its_models_leave_deleted_tickets_out(tmp_path: Path) -> None:
    with running(helpdesk(80, seed=54)) as simulator:
        env = cli_environment(tmp_path, simulator, SOURCES__HAPPYFOX__CONTACTS_SWEEP_HOURS=0)
        warehouse = CliWarehouse(tmp_path)
        first = run_cli(["--no-models"], tmp_path, env)
        assert first.code == 0, first.output[-2000:]
        doomed = [t["id"] for t in simulator.helpdesk.tickets[10:13]]
        _delete(simulator, doomed)
        unasked = run_cli(["--no-models"], tmp_path, env)
        assert unasked.code == 0, unasked.output[-2000:]
        assert _flagged(warehouse) == {}
        asked = run_cli(["--reconcile"], tmp_path, env)
        assert asked.code == 0, asked.output[-2000:]
        assert_only_gets(simulator)
        rows = assert_warehouse_equals_truth(warehouse, simulator)
        live = {t["id"] for t in simulator.helpdesk.tickets}
    assert sorted(_flagged(warehouse)) == sorted(doomed)
    with _reporting(warehouse) as connection:
        metrics = {ticket_id for (ticket_id,) in connection.execute("select ticket_id from ticket_metrics").fetchall()}
    assert metrics == live
    figures("deletions/cli --reconcile", deleted=len(doomed), rows_compared=rows)
