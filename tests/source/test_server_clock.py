"""A fast ``Date`` header (a CDN clock running ahead) never pushes the cursor past the truth."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.support.harness import HelpdeskUser, Warehouse, client_for, helpdesk, running

HOUR = 3600.0


def _cursor(pipeline) -> datetime:
    return datetime.fromisoformat(pipeline.state["sources"]["happyfox"]["resources"]["tickets"]["cursor"])


@pytest.mark.parametrize("skew_every", [5, 1], ids=["one-header-in-five-an-hour-fast", "every-header-an-hour-fast"])
def test_a_ticket_changed_after_a_run_behind_a_fast_cdn_clock_is_loaded_by_the_next_run(tmp_path: Path, skew_every: int) -> None:
    desk = helpdesk(120)
    with running(desk, date_skew_seconds=HOUR, date_skew_every=skew_every) as simulator:
        warehouse = Warehouse(tmp_path)
        with client_for(simulator) as client:
            pipeline = warehouse.sync(client)
        finished = datetime.now(timezone.utc)
        cursor = _cursor(pipeline)
        user = HelpdeskUser(simulator)
        changed = desk.tickets[7]["id"]
        user.post(f"ticket/{changed}/staff_update/", {"staff": user.staff_id(), "plaintext": "After the run.", "time_spent": 1})
        user.close()
        with client_for(simulator) as client:
            warehouse.sync(client)
        expected_updates = len(simulator.store.tickets_by_id[changed]["updates"])
    assert cursor < finished  # the run started before it finished, whatever the Date headers said
    assert warehouse.count(f"ticket_updates where ticket_id = {changed}") == expected_updates
    assert warehouse.query(f"select message__text from ticket_updates where ticket_id = {changed} order by update_index desc limit 1") == [("After the run.",)]


def test_the_clock_offset_is_a_robust_estimate_that_one_fast_header_does_not_move() -> None:
    with running(helpdesk(20), date_skew_seconds=HOUR, date_skew_every=4) as simulator, client_for(simulator) as client:
        for _ in range(8):
            client.get("statuses/")
        offset = client.server_clock_offset()
    assert offset is not None and -2.0 <= offset <= 0.0
