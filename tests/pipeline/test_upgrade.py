"""A warehouse outlives releases: a change to the table contract carries it forward and says so."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.pipeline.cli import environment, run
from tests.support.harness import HelpdeskUser, helpdesk, running

TICKETS = 40


def test_a_field_that_appears_later_is_added_as_a_column_and_the_run_names_it(tmp_path: Path) -> None:
    with running(helpdesk(TICKETS)) as simulator:
        env = environment(tmp_path, simulator)
        first = run([], tmp_path, env)
        ticket = simulator.helpdesk.tickets[2]
        ticket["sentiment"] = "calm"
        user = HelpdeskUser(simulator)
        user.post(f"ticket/{ticket['id']}/update_tags/", {"add": "upgraded", "staff_id": user.staff_id()})
        user.close()
        gets_before = simulator.stats.total_gets
        second = run([], tmp_path, env)
        second_gets = simulator.stats.total_gets - gets_before
    assert first.code == 0 and "new columns" not in first.stdout
    assert second.code == 0, second.output
    assert ("new columns (schema evolution; existing rows kept, null until their record changes): "
            "tickets.sentiment") in second.stdout
    assert second_gets < 20  # carried forward, not reloaded
    with duckdb.connect(str(tmp_path / "happyfox_sync.duckdb"), read_only=True) as connection:
        assert connection.execute("select count(*) from happyfox.tickets").fetchone() == (TICKETS,)
        assert connection.execute("select count(*) from happyfox.tickets where sentiment is not null").fetchone() == (1,)
        assert connection.execute(f"select sentiment from happyfox.tickets where id = {ticket['id']}").fetchone() == ("calm",)
