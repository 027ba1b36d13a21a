"""Tickets deleted in HappyFox are found by reconciliation and flagged, never silently kept live."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.harness import HelpdeskUser, Warehouse, client_for, helpdesk, running


@pytest.mark.parametrize("minify_style", ["objects", "ids"])
def test_reconciliation_flags_exactly_the_deleted_tickets_with_the_time_detected(tmp_path: Path, minify_style: str) -> None:
    desk = helpdesk(120)
    with running(desk, minify_style=minify_style) as simulator:
        warehouse = Warehouse(tmp_path)
        with client_for(simulator) as client:
            warehouse.sync(client)
        user = HelpdeskUser(simulator)
        doomed = [t["id"] for t in simulator.helpdesk.tickets[10:13]]
        for ticket_id in doomed:
            user.post(f"ticket/{ticket_id}/delete/", {"staff_id": user.staff_id()})
        user.close()
        with client_for(simulator) as client:
            warehouse.sync(client, reconcile=True)
            gets = dict(client.stats.gets_by_endpoint)
    flagged = warehouse.query("select id from tickets where is_deleted order by id")
    assert [ticket_id for (ticket_id,) in flagged] == sorted(doomed)
    assert warehouse.count("tickets where not is_deleted") == 117
    assert warehouse.count("tickets where is_deleted and deleted_at is not null and subject is not null") == 3
    assert gets["tickets/"] == 1 + 3  # the incremental window + ceil(117 / 50) id pages
    assert gets["ticket/<id>/"] == 3  # each candidate confirmed by its own 404


def test_reconciliation_waits_for_its_age_unless_asked(tmp_path: Path) -> None:
    desk = helpdesk(20)
    with running(desk) as simulator:
        warehouse = Warehouse(tmp_path)
        with client_for(simulator) as client:
            warehouse.sync(client)
        with client_for(simulator) as client:
            warehouse.sync(client)
            second = dict(client.stats.gets_by_endpoint)
    assert second["tickets/"] == 1
    assert "ticket/<id>/" not in second


def test_a_destination_error_while_reading_stored_ids_stops_the_check_and_keeps_reconciled_at(tmp_path: Path) -> None:
    import duckdb

    from happyfox_sync.source import happyfox_source

    desk = helpdesk(20)
    with running(desk) as simulator:
        warehouse = Warehouse(tmp_path)
        with client_for(simulator) as client:
            pipeline = warehouse.sync(client)
        before = pipeline.state["sources"]["happyfox"]["resources"]["deleted_tickets"]["reconciled_at"]
        with duckdb.connect(str(warehouse.database)) as connection:  # a destination whose reads fail
            connection.execute("alter table happyfox.tickets rename to tickets_stored")
            connection.execute(
                "create view happyfox.tickets as select * from happyfox.tickets_stored where error('disk read failed') is null"
            )
        with client_for(simulator) as client, pytest.raises(Exception) as failure:
            pipeline.extract(happyfox_source(client=client, reconcile=True).with_resources("deleted_tickets"))
    chain = []
    error: BaseException | None = failure.value
    while error is not None:
        chain.append(str(error))
        error = error.__cause__ or error.__context__
    assert any("could not read the tickets stored in the destination" in text and "disk read failed" in text for text in chain)
    assert pipeline.state["sources"]["happyfox"]["resources"]["deleted_tickets"]["reconciled_at"] == before
