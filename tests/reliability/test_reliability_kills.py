"""Issue item 3: a sync SIGKILLed during extract, normalise and load, three times over,
then run again, ends equal to the truth with no duplicate rows.

The real command runs in a subprocess against a simulator in this process. Each kill
waits until dlt's package folders show the targeted step, then a seeded random moment
more; the step the pipeline was actually in at the kill is recorded. The helpdesk
changes between the runs, so a package left behind by a killed run is older than
what the next run reads.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.reliability.rel_support import (
    CliWarehouse,
    assert_only_gets,
    cli_environment,
    figures,
    mutate,
    pipeline_phase,
    run_cli,
    start_cli,
    wait_for_phase,
)
from tests.support.compare import assert_no_duplicate_keys, assert_warehouse_equals_truth
from tests.support.harness import helpdesk, running

KILLS = (("extract", 1.5), ("normalize", 0.15), ("load", 0.25))
"""Target step and the longest random wait once it is reached (well inside its usual length)."""


@pytest.mark.timeout(300)
def test_three_sigkills_during_extract_normalize_and_load_then_a_clean_run_equal_the_truth(tmp_path: Path) -> None:
    rng = random.Random(31)
    with running(helpdesk(1000, seed=31)) as simulator:
        env = cli_environment(tmp_path, simulator, SOURCES__HAPPYFOX__CONTACTS_SWEEP_HOURS=0)
        warehouse = CliWarehouse(tmp_path)
        hit: list[str] = []
        mutations = 0
        for number, (target, longest) in enumerate(KILLS):
            run = start_cli(["--no-models"], tmp_path, env)
            reached = wait_for_phase(run, warehouse.working_dir, target)
            assert reached, f"run {number + 1} ended before reaching {target}: {run.output[-2000:]}"
            _sleep(rng.uniform(0.0, longest))
            hit.append(pipeline_phase(warehouse.working_dir) or "between steps")
            assert run.process.poll() is None, f"run {number + 1} finished before the kill"
            run.kill()
            assert run.code == -9
            mutations += len(mutate(simulator, 30, seed=310 + number))
        final = run_cli(["--no-models", "--reconcile"], tmp_path, env)
        assert final.code == 0, final.output[-3000:]
        assert_only_gets(simulator)
        assert_no_duplicate_keys(warehouse)
        rows = assert_warehouse_equals_truth(warehouse, simulator)
        loads = warehouse.query("select count(*) from _dlt_loads where status = 0")[0][0]
    assert hit == [target for target, _ in KILLS], hit
    figures("kills", kills=len(hit), phases_hit=hit, mutations_between_runs=mutations,
            deleted=len(simulator.store.deleted_tickets), loads_completed=loads, rows_compared=rows)


def _sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)
