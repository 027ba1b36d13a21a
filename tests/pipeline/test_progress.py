"""Progress: a live line on a terminal, plain log lines under cron, a summary at the end."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

from tests.pipeline.cli import environment, run
from tests.support.harness import helpdesk, running


def test_without_a_terminal_progress_is_logged_as_plain_lines_at_intervals(tmp_path: Path) -> None:
    with running(helpdesk(60), latency_seconds=0.05) as simulator:
        env = environment(tmp_path, simulator, HAPPYFOX_SYNC__PROGRESS_INTERVAL_SECONDS="0.3",
                          SOURCES__HAPPYFOX__MAX_CONCURRENCY="1")
        result = run([], tmp_path, env)
    assert result.code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if "progress: GETs" in line]
    assert len(lines) >= 2
    assert "/min of 60000/min budget" in lines[-1] and "tickets " in lines[-1]
    assert "\x1b[" not in result.stderr  # no terminal control codes in a log


def test_the_summary_gives_rows_by_table_gets_by_endpoint_retries_429s_and_budget_share(tmp_path: Path) -> None:
    with running(helpdesk(40)) as simulator:
        result = run([], tmp_path, environment(tmp_path, simulator))
    assert result.code == 0, result.output
    out = result.stdout
    assert "rows loaded:" in out
    assert "  tickets " in out and "40" in out
    assert "ticket/<id>/" in out and "tickets/" in out
    assert "retries 0, 429s 0" in out
    assert "of the 60000/min budget over the run" in out


def test_on_a_terminal_progress_is_a_live_line(tmp_path: Path) -> None:
    with running(helpdesk(60), latency_seconds=0.05) as simulator:
        env = environment(tmp_path, simulator, SOURCES__HAPPYFOX__MAX_CONCURRENCY="1", COLUMNS="160")
        controller, terminal = pty.openpty()
        process = subprocess.Popen(
            [sys.executable, "-m", "happyfox_sync"],
            cwd=tmp_path, env=env, stdin=terminal, stdout=subprocess.PIPE, stderr=terminal,
        )
        os.close(terminal)
        screen = b""
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                break
            screen += chunk
        process.wait(timeout=60)
        os.close(controller)
    text = screen.decode(errors="replace")
    assert process.returncode == 0
    assert "tickets" in text and "budget" in text
    assert "\x1b[" in text  # drawn and redrawn in place, not logged line by line
    assert "progress: GETs" not in text
