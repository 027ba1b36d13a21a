"""Issue item 4: a first sync of a large helpdesk commits in checkpoints, so a backfill
killed halfway resumes where it stopped instead of starting over, and skips no window.

The sync command runs as a subprocess against a 5,000-ticket simulator in this process
and is SIGKILLed once the simulator has served half the tickets' detail GETs and at
least two checkpoints have been loaded (dlt keeps each loaded package in ``load/loaded``).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.reliability.rel_support import (
    CliWarehouse,
    assert_only_gets,
    cli_environment,
    figures,
    pipeline_phase,
    run_cli,
    start_cli,
)
from tests.support.compare import assert_no_duplicate_keys, assert_warehouse_equals_truth
from tests.support.harness import helpdesk, running

TICKETS = 5000
CHECKPOINT = 1000
FULL_RESTART_GETS = TICKETS + TICKETS // 50
"""The least a backfill from scratch costs: every list page and every ticket's detail GET."""


def _loaded(warehouse: CliWarehouse) -> int:
    folder = warehouse.working_dir / "load" / "loaded"
    return len(list(folder.iterdir())) if folder.exists() else 0


@pytest.mark.timeout(400)
def test_a_backfill_killed_halfway_resumes_from_its_last_checkpoint_and_ends_equal_to_the_truth(tmp_path: Path) -> None:
    with running(helpdesk(TICKETS, seed=41)) as simulator:
        env = cli_environment(tmp_path, simulator, SOURCES__HAPPYFOX__CHECKPOINT_TICKETS=CHECKPOINT)
        warehouse = CliWarehouse(tmp_path)
        run = start_cli(["--no-models"], tmp_path, env)
        while simulator.stats.gets_by_endpoint["ticket/<id>/"] < TICKETS // 2 or _loaded(warehouse) < 2:
            assert run.process.poll() is None, f"the backfill ended before half of it was read: {run.output[-2000:]}"
            time.sleep(0.005)
        phase = pipeline_phase(warehouse.working_dir)
        run.kill()
        killed_details = simulator.stats.gets_by_endpoint["ticket/<id>/"]
        killed_gets = simulator.stats.total_gets
        committed_so_far = CliWarehouse(tmp_path, working=True)  # a killed run publishes nothing
        committed = committed_so_far.count("tickets")
        checkpoints = committed_so_far.query("select count(*) from _dlt_loads where status = 0")[0][0]
        simulator.stats.reset()

        rerun = run_cli(["--no-models"], tmp_path, env, timeout=300)
        assert rerun.code == 0, rerun.output[-3000:]
        rerun_gets = simulator.stats.total_gets
        rerun_details = simulator.stats.gets_by_endpoint["ticket/<id>/"]
        assert_only_gets(simulator)
        assert_no_duplicate_keys(warehouse)
        rows = assert_warehouse_equals_truth(warehouse, simulator)

    assert checkpoints >= 2 and committed >= CHECKPOINT  # the backfill had committed progress when killed
    assert rerun_details <= TICKETS - committed  # no committed ticket is read again
    assert rerun_gets < 0.7 * FULL_RESTART_GETS
    figures("backfill", tickets=TICKETS, killed_in=phase, gets_before_kill=killed_gets, details_before_kill=killed_details,
            checkpoints_committed=checkpoints, tickets_committed=committed, rerun_gets=rerun_gets,
            rerun_details=rerun_details, full_restart_gets_at_least=FULL_RESTART_GETS, rows_compared=rows)
