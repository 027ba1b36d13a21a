"""Issue item 6: another tool's burst locks the account out (HTTP 429 on every call for
the lockout's length). The sync waits it out and finishes, or with waiting switched off
exits non-zero with a clear message; either way the next run loses nothing.

Time is scaled down: the simulator admits 40 GETs per 0.25 s, the sync paces itself
to 100 GETs/s, and a lockout lasts 2 s instead of 10 minutes.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from happyfox_simulator import Simulator
from tests.reliability.rel_support import CliWarehouse, assert_only_gets, cli_environment, figures, mutate, run_cli
from tests.support.compare import assert_warehouse_equals_truth
from tests.support.harness import Warehouse, client_for, helpdesk, running

LIMITS = {"get_limit": 40, "window_seconds": 0.25, "lockout_seconds": 2.0}
SYNC_BUDGET = 6000  # GETs per minute: 25 per 0.25 s window, under the 40 allowed
LOCKOUT = 2.0


class OtherToolBurst:
    """After the sync's ``at_page``-th ``tickets/`` page, another integration bursts GETs until locked out."""

    def __init__(self, simulator: Simulator, at_page: int = 2) -> None:
        self.simulator = simulator
        self.at_page = at_page
        self.pages = 0
        self.sent = 0
        self.locked_at: float | None = None
        simulator.on_list_page = self

    def __call__(self, page: int) -> None:
        self.pages += 1
        if self.pages != self.at_page:
            return
        sim = self.simulator
        with httpx.Client(base_url=sim.api_url, auth=(sim.api_key, sim.auth_code), timeout=5.0) as other:
            for _ in range(200):
                self.sent += 1
                if other.get("statuses/").status_code == 429:
                    self.locked_at = time.monotonic()
                    return

    def stop(self) -> None:
        self.simulator.on_list_page = None


def test_a_lockout_caused_by_another_tool_is_waited_out_and_the_warehouse_equals_the_truth(tmp_path: Path) -> None:
    with running(helpdesk(150, seed=61), **LIMITS) as simulator:
        burst = OtherToolBurst(simulator)
        warehouse = Warehouse(tmp_path)
        started = time.monotonic()
        with client_for(simulator, max_gets_per_minute=SYNC_BUDGET, rate_limit_lockout_seconds=LOCKOUT) as client:
            warehouse.sync(client)
            sync_429s = client.stats.rate_limited
            waited = client.stats.lockout_wait_seconds
        elapsed = time.monotonic() - started
        burst.stop()
        rows = assert_warehouse_equals_truth(warehouse, simulator)
        server_429s = simulator.stats.rate_limited
    assert burst.locked_at is not None
    assert sync_429s >= 1
    assert waited >= LOCKOUT and elapsed >= LOCKOUT
    figures("lockout/waited out", burst_gets=burst.sent, sync_429s=sync_429s, server_429s=server_429s,
            waited_seconds=round(waited, 1), rows_compared=rows)


def test_with_waiting_off_a_lockout_exits_5_with_one_clear_line_and_the_next_run_loses_nothing(tmp_path: Path) -> None:
    with running(helpdesk(150, seed=62)) as simulator:
        env = cli_environment(
            tmp_path, simulator, SOURCES__HAPPYFOX__WAIT_ON_LOCKOUT="false", SOURCES__HAPPYFOX__CONTACTS_SWEEP_HOURS=0
        )
        warehouse = CliWarehouse(tmp_path)
        first = run_cli(["--no-models"], tmp_path, env)
        assert first.code == 0, first.output[-2000:]
        # edits the locked-out run would have loaded: the next run must still find them
        mutations = mutate(simulator, 120, seed=62)
        for name, value in {**LIMITS, "lockout_seconds": 600.0}.items():
            setattr(simulator.config, name, value)
        burst = OtherToolBurst(simulator, at_page=1)
        locked = run_cli(["--no-models"], tmp_path, {**env, "SOURCES__HAPPYFOX__MAX_GETS_PER_MINUTE": str(SYNC_BUDGET)})
        burst.stop()
        errors = [line for line in locked.stderr.splitlines() if "error" in line.lower()]
        simulator.reset_rate_limits()  # the lockout lifts
        simulator.config.get_limit = 1_000_000
        after = run_cli(["--no-models", "--reconcile"], tmp_path, env)
        assert after.code == 0, after.output[-2000:]
        assert_only_gets(simulator)
        rows = assert_warehouse_equals_truth(warehouse, simulator)
    assert locked.code == 5, locked.output[-2000:]
    assert len(errors) == 1, locked.stderr
    assert errors[0].startswith("happyfox-sync: error: ")
    assert "locked out" in errors[0] and "lifts at" in errors[0]
    assert "Traceback" not in locked.output
    figures("lockout/waiting off", exit_code=locked.code, burst_gets=burst.sent, mutations_before=len(mutations),
            message=errors[0][:160], rows_compared=rows)


def test_an_account_that_answers_429_forever_exits_5_after_max_lockout_waits_and_frees_the_lock(tmp_path: Path) -> None:
    with running(helpdesk(30, seed=63)) as simulator:
        simulator.config.get_limit = 0  # every GET is refused, lockout after lockout
        simulator.config.lockout_seconds = 0.2
        env = cli_environment(
            tmp_path, simulator, SOURCES__HAPPYFOX__RATE_LIMIT_LOCKOUT_SECONDS=0, SOURCES__HAPPYFOX__MAX_LOCKOUT_WAITS=2
        )
        started = time.monotonic()
        stuck = run_cli(["--no-models"], tmp_path, env, timeout=60)
        elapsed = time.monotonic() - started
        simulator.config.get_limit = 1_000_000
        simulator.reset_rate_limits()
        after = run_cli(["--no-models"], tmp_path, env)
    errors = [line for line in stuck.stderr.splitlines() if "error" in line.lower()]
    assert stuck.code == 5, stuck.output[-2000:]
    assert len(errors) == 1 and errors[0].startswith("happyfox-sync: error: HappyFox account ")
    assert "after 2 lockouts were waited out (max_lockout_waits = 2)" in errors[0]
    assert "Traceback" not in stuck.output
    assert after.code == 0, after.output[-2000:]
    figures("lockout/429 forever", exit_code=stuck.code, seconds_to_stop=round(elapsed, 1))
