"""Issue item 2: a helpdesk that changes between the pages a sync reads.

Tickets are edited, created and deleted after every ``tickets/`` page (the simulator's
hook runs before the client can ask for the next one). Records shift between pages
while they are read; the sync must miss none that stayed put, duplicate none, and
equal the truth after the next run at the latest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from happyfox_simulator import Simulator
from tests.reliability.rel_support import PagingChurn, assert_only_gets, figures, mutate
from tests.support.compare import TICKET_TABLES, assert_no_duplicate_keys, assert_warehouse_equals_truth
from tests.support.harness import Warehouse, client_for, helpdesk, running

QUIET_FINAL = {"reconcile": True, "contacts_sweep_hours": 0}
"""The run after the busy ones: reconcile deletions now, re-read every contact."""


def test_a_first_sync_while_tickets_change_between_pages_misses_and_duplicates_none_and_the_next_run_equals_the_truth(tmp_path: Path) -> None:
    with running(helpdesk(400, seed=21)) as simulator:
        before = {t["id"] for t in simulator.helpdesk.tickets}
        churn = PagingChurn(simulator, per_page=2, seed=21)
        warehouse = Warehouse(tmp_path)
        with client_for(simulator) as client:
            warehouse.sync(client)
        churn.stop()
        touched = churn.touched()
        untouched_rows = assert_warehouse_equals_truth(warehouse, simulator, tables=TICKET_TABLES, exclude_tickets=touched)
        assert_no_duplicate_keys(warehouse)
        stayed = before - touched
        loaded = {ticket_id for (ticket_id,) in warehouse.query("select id from tickets")}
        assert stayed <= loaded
        with client_for(simulator) as client:
            warehouse.sync(client, **QUIET_FINAL)
        gets = assert_only_gets(simulator)
        rows = assert_warehouse_equals_truth(warehouse, simulator)
    assert len(churn.done) >= 20
    figures("busy/first sync", pages_read=churn.pages, mutations=len(churn.done), by_kind=churn.kinds(),
            untouched_rows_equal_after_run_1=untouched_rows, rows_compared=rows, gets=gets)


def test_three_incremental_runs_on_a_busy_helpdesk_then_one_more_equal_the_truth(tmp_path: Path) -> None:
    with running(helpdesk(200, seed=22)) as simulator:
        warehouse = Warehouse(tmp_path)
        with client_for(simulator) as client:
            warehouse.sync(client)
        total_mutations: list[str] = []
        pages = 0
        for round_number in range(3):
            # a recent window several pages long, so the churn lands between its pages
            total_mutations += mutate(simulator, 60, seed=220 + round_number)
            churn = PagingChurn(simulator, per_page=2, seed=230 + round_number)
            with client_for(simulator) as client:
                warehouse.sync(client, reconcile=True)
            churn.stop()
            total_mutations += churn.done
            pages += churn.pages
            assert_warehouse_equals_truth(warehouse, simulator, tables=TICKET_TABLES, exclude_tickets=churn.touched())
            assert_no_duplicate_keys(warehouse)
        during_paging = len(total_mutations) - 3 * 60
        with client_for(simulator) as client:
            warehouse.sync(client, **QUIET_FINAL)
        assert_only_gets(simulator)
        rows = assert_warehouse_equals_truth(warehouse, simulator)
    assert during_paging >= 15
    figures("busy/incremental", runs=4, pages_read_in_busy_runs=pages, mutations_between_runs=3 * 60,
            mutations_during_paging=during_paging, deleted=len(simulator.store.deleted_tickets), rows_compared=rows)


class ShiftBack:
    """After each page of the first pass, take an already-read ticket out of the window.

    With pages read one at a time, the first ticket of the next page then slides onto
    the page just read: a pager that trusts offsets never sees it. Alternately the
    ticket is deleted and replied to (a reply moves it out of a closed backfill window
    into the open recent one).
    """

    def __init__(self, simulator: Simulator, pages: int) -> None:
        self.simulator = simulator
        self.pages = pages
        self.calls = 0
        self.victims: list[int] = []
        self.moved: list[int] = []
        self.staff = simulator.helpdesk.staff[0]["id"]
        simulator.on_list_page = self

    def order(self) -> list[dict[str, Any]]:
        """The search order of the backfill's closed window (last updated, then id, descending)."""
        tickets = [t for t in self.simulator.helpdesk.tickets if t["id"] not in self.moved]
        return sorted(tickets, key=lambda t: (t.get("last_updated_at") or "", t["id"]), reverse=True)

    def __call__(self, page: int) -> None:
        self.calls += 1
        if self.calls > self.pages:
            return
        order = self.order()
        self.victims.append(order[page * 50]["id"])
        target = order[page - 1]["id"]  # on the page just read
        self.moved.append(target)
        store = self.simulator.store
        if self.calls % 2:
            store.delete_ticket(target, staff_id=self.staff)
        else:
            store.staff_update(target, staff=self.staff, plaintext="moving on", time_spent=5)

    def stop(self) -> None:
        self.simulator.on_list_page = None


def test_a_ticket_that_slides_onto_a_page_already_read_is_not_missed(tmp_path: Path) -> None:
    with running(helpdesk(300, seed=23)) as simulator:
        shifts = ShiftBack(simulator, pages=5)
        warehouse = Warehouse(tmp_path)
        with client_for(simulator, max_concurrency=1) as client:
            warehouse.sync(client)
            list_gets = client.stats.gets_by_endpoint["tickets/"]
        shifts.stop()
        loaded = {ticket_id for (ticket_id,) in warehouse.query("select id from tickets")}
        assert set(shifts.victims) <= loaded
        assert_warehouse_equals_truth(warehouse, simulator, tables=TICKET_TABLES, exclude_tickets=shifts.moved)
        assert_no_duplicate_keys(warehouse)
        with client_for(simulator) as client:
            warehouse.sync(client, **QUIET_FINAL)
        rows = assert_warehouse_equals_truth(warehouse, simulator)
    assert len(shifts.victims) == 5
    assert list_gets > 6 + 1  # the window was read again after it moved (6 pages, then the recent window)
    figures("busy/shift onto a read page", shifts=len(shifts.moved), victims_found=len(shifts.victims),
            list_gets_run_1=list_gets, rows_compared=rows)
