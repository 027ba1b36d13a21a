"""Readers of the DuckDB warehouse never break a run, and never see half of one.

The file the README tells people to query (`happyfox_sync.duckdb`) is a read copy that
each run publishes by an atomic rename; the sync itself writes `happyfox_sync.sync.duckdb`.
Readers here are other processes, as a notebook, a BI tool or a DuckDB shell would be.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from tests.pipeline.cli import environment, run, start
from tests.support import truth
from tests.support.harness import HelpdeskUser, helpdesk, running

TICKETS = 60

HOLD_OPEN = textwrap.dedent(
    """
    import sys, duckdb
    path, read_only = sys.argv[1], sys.argv[2] == "ro"
    connection = duckdb.connect(path, read_only=read_only)
    print("open", flush=True)
    for line in sys.stdin:  # one query per line, answered with one line, until stdin closes
        print(connection.execute(line).fetchall(), flush=True)
    """
)


class Reader:
    """A process that holds a DuckDB file open and answers queries on that same connection."""

    def __init__(self, database: Path, read_only: bool) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLD_OPEN, str(database), "ro" if read_only else "rw"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert self.process.stdout is not None and self.process.stdout.readline().strip() == "open"

    def query(self, sql: str) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(sql + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


def _edit_one_ticket(simulator) -> int:  # type: ignore[no-untyped-def]
    user = HelpdeskUser(simulator)
    ticket_id = simulator.helpdesk.tickets[5]["id"]
    user.post(f"ticket/{ticket_id}/update_tags/", {"add": "seen-by-reader", "staff_id": user.staff_id()})
    user.close()
    return ticket_id


def _tagged(database: Path) -> int:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute("select count(*) from happyfox.ticket_tags where tag = 'seen-by-reader'").fetchone()[0]


@pytest.mark.parametrize(
    "read_only",
    [True, False],
    ids=["read-only connection (notebook, BI tool)", "read-write session (a DuckDB shell's default)"],
)
def test_a_run_succeeds_while_another_process_holds_the_warehouse_file(tmp_path: Path, read_only: bool) -> None:
    """A read-write session takes DuckDB's write lock on the file, as a DuckDB shell does by default."""
    with running(helpdesk(TICKETS)) as simulator:
        env = environment(tmp_path, simulator)
        assert run([], tmp_path, env).code == 0
        holder = Reader(tmp_path / "happyfox_sync.duckdb", read_only=read_only)
        try:
            _edit_one_ticket(simulator)
            result = run([], tmp_path, env)
        finally:
            holder.close()
    assert result.code == 0, result.output
    assert _tagged(tmp_path / "happyfox_sync.duckdb") == 1


def test_a_reader_held_open_through_a_run_keeps_the_complete_data_from_before_it(tmp_path: Path) -> None:
    with running(helpdesk(TICKETS)) as simulator:
        env = environment(tmp_path, simulator)
        assert run([], tmp_path, env).code == 0
        reader = Reader(tmp_path / "happyfox_sync.duckdb", read_only=True)
        try:
            before_updates = reader.query("select count(*) from happyfox.ticket_updates")
            _edit_one_ticket(simulator)
            user = HelpdeskUser(simulator)
            user.create_ticket(subject="Arrived during the run")
            user.close()
            assert run([], tmp_path, env).code == 0
            held_tickets = reader.query("select count(*) from happyfox.tickets")
            held_updates = reader.query("select count(*) from happyfox.ticket_updates")
            held_tag = reader.query("select count(*) from happyfox.ticket_tags where tag = 'seen-by-reader'")
        finally:
            reader.close()
        desk = simulator.helpdesk
    assert held_tickets == f"[({TICKETS},)]"
    assert held_updates == before_updates
    assert held_tag == "[(0,)]"
    with duckdb.connect(str(tmp_path / "happyfox_sync.duckdb"), read_only=True) as reconnected:
        ids = {row[0] for row in reconnected.execute("select id from happyfox.tickets").fetchall()}
        updates = reconnected.execute("select count(*) from happyfox.ticket_updates").fetchone()[0]
    assert ids == truth.ids(desk.tickets)
    assert updates == len(truth.updates(desk))


def test_a_run_that_cannot_open_its_working_file_waits_then_fails_naming_file_and_holder(tmp_path: Path) -> None:
    with running(helpdesk(TICKETS)) as simulator:
        env = environment(tmp_path, simulator, HAPPYFOX_SYNC__DUCKDB_LOCK_TIMEOUT_SECONDS="2")
        assert run([], tmp_path, env).code == 0
        holder = Reader(tmp_path / "happyfox_sync.sync.duckdb", read_only=False)
        try:
            started = time.monotonic()
            blocked = run([], tmp_path, env)
            waited = time.monotonic() - started
        finally:
            holder.close()
        _edit_one_ticket(simulator)
        after = run([], tmp_path, env)
    assert blocked.code == 6
    last = blocked.stderr.strip().splitlines()[-1]
    assert last.startswith(f"happyfox-sync: error: DuckDB file {tmp_path / 'happyfox_sync.sync.duckdb'} is held by ")
    assert f"(PID {holder.process.pid})" in last
    assert waited >= 2
    assert after.code == 0, after.output
    assert _tagged(tmp_path / "happyfox_sync.duckdb") == 1


def test_a_warehouse_written_in_place_by_an_earlier_release_carries_forward_without_a_reload(tmp_path: Path) -> None:
    """Before the read copy, the sync wrote `happyfox_sync.duckdb` itself: it becomes the working file."""
    with running(helpdesk(TICKETS)) as simulator:
        env = environment(tmp_path, simulator)
        assert run([], tmp_path, env).code == 0
        (tmp_path / "happyfox_sync.sync.duckdb").unlink()  # as an earlier release left the folder
        _edit_one_ticket(simulator)
        gets_before = simulator.stats.total_gets
        result = run([], tmp_path, env)
        gets = simulator.stats.total_gets - gets_before
        desk = simulator.helpdesk
    assert result.code == 0, result.output
    assert gets < 20  # an incremental run (reference lists, one page, one detail), not a backfill of 60
    assert (tmp_path / "happyfox_sync.sync.duckdb").exists()
    with duckdb.connect(str(tmp_path / "happyfox_sync.duckdb"), read_only=True) as connection:
        ids = {row[0] for row in connection.execute("select id from happyfox.tickets").fetchall()}
    assert ids == truth.ids(desk.tickets)
    assert _tagged(tmp_path / "happyfox_sync.duckdb") == 1


def test_a_failed_run_leaves_the_published_file_as_the_last_complete_run(tmp_path: Path) -> None:
    with running(helpdesk(TICKETS)) as simulator:
        env = environment(tmp_path, simulator)
        assert run([], tmp_path, env).code == 0
        _edit_one_ticket(simulator)
        failed = run([], tmp_path, {**env, "SOURCES__HAPPYFOX__AUTH_CODE": "wrong"})
        tagged_after_failure = _tagged(tmp_path / "happyfox_sync.duckdb")
        after = run([], tmp_path, env)
    assert failed.code == 3
    assert tagged_after_failure == 0
    assert after.code == 0
    assert _tagged(tmp_path / "happyfox_sync.duckdb") == 1


def test_the_running_sync_never_shows_readers_a_partial_file(tmp_path: Path) -> None:
    """While a run writes, the published file stays the previous run's: a reader polls it throughout."""
    with running(helpdesk(TICKETS), latency_seconds=0.05) as simulator:
        env = environment(tmp_path, simulator, SOURCES__HAPPYFOX__MAX_CONCURRENCY="1")
        assert run([], tmp_path, env).code == 0
        with duckdb.connect(str(tmp_path / "happyfox_sync.duckdb"), read_only=True) as connection:
            expected = connection.execute(
                "select count(*), (select count(*) from happyfox.ticket_updates) from happyfox.tickets"
            ).fetchone()
        process = start(["--full-refresh"], tmp_path, env)
        seen: set[tuple[int, int]] = set()
        while process.poll() is None:
            with duckdb.connect(str(tmp_path / "happyfox_sync.duckdb"), read_only=True) as connection:
                seen.add(connection.execute(
                    "select count(*), (select count(*) from happyfox.ticket_updates) from happyfox.tickets"
                ).fetchone())
            time.sleep(0.05)
        process.communicate(timeout=60)
    assert process.returncode == 0
    assert seen <= {expected}
    assert seen == {expected}
