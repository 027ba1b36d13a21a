"""The run lock shared by the scheduled sync and the webhook loader: a run waits for a
webhook batch, but still refuses to start beside another run."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from filelock import FileLock

from happyfox_sync.run_lock import AlreadyRunningError, RunLock, webhook_batch_lock_path


def test_a_run_that_meets_a_webhook_batch_waits_for_it_and_then_runs(tmp_path: Path) -> None:
    holding = threading.Event()

    def batch() -> None:  # as the loader does: the marker first, then the run lock, for a second
        with FileLock(str(webhook_batch_lock_path(tmp_path, "p"))), RunLock(tmp_path, "p", wait_for_webhooks=False):
            holding.set()
            time.sleep(1.0)

    loader = threading.Thread(target=batch)
    loader.start()
    assert holding.wait(10)
    started = time.monotonic()
    with RunLock(tmp_path, "p"):
        waited = time.monotonic() - started
    loader.join()
    assert 0.5 <= waited < 10


def test_a_run_that_meets_another_run_still_refuses_at_once(tmp_path: Path) -> None:
    with RunLock(tmp_path, "p"):
        started = time.monotonic()
        with pytest.raises(AlreadyRunningError, match="another run of pipeline 'p' is still running"):
            RunLock(tmp_path, "p").__enter__()
        assert time.monotonic() - started < 2


def test_the_loader_never_waits_for_a_run(tmp_path: Path) -> None:
    with RunLock(tmp_path, "p"):
        started = time.monotonic()
        with pytest.raises(AlreadyRunningError):
            RunLock(tmp_path, "p", wait_for_webhooks=False).__enter__()
        assert time.monotonic() - started < 0.5
