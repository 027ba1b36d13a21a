"""One run per pipeline at a time.

Two overlapping runs of one pipeline would both read the same saved state, both
write load packages and race to commit: the second could roll the cursor back or
load a half-extracted package. An OS file lock in the pipeline's working folder is
released by the kernel when the holder dies, even on SIGKILL, so a crashed run never
blocks the next one.

The webhook loader (``happyfox-sync webhooks``) takes the same lock for each batch, a
few seconds at a time, and marks it by holding a second lock file first
(:func:`webhook_batch_lock_path`). A run that finds the lock held by a batch waits for
it (up to ``WEBHOOK_BATCH_WAIT_SECONDS``) instead of refusing to start, so a scheduled
sync beside a busy receiver still runs; a run held by another run still refuses.
"""

from __future__ import annotations

import time
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout


class AlreadyRunningError(RuntimeError):
    """Another run of the same pipeline holds the lock."""


WEBHOOK_BATCH_WAIT_SECONDS = 600.0
_POLL_SECONDS = 0.05
_FREE_MARKER_PROBES = 3
"""A held run lock with a free batch marker this many polls in a row is another run."""


def webhook_batch_lock_path(folder: Path, pipeline_name: str) -> Path:
    """The file the webhook loader locks while (and just before) it holds the run lock."""
    return folder / f"{pipeline_name}.webhook-batch.lock"


def _batch_marker_held(folder: Path, pipeline_name: str) -> bool:
    marker = FileLock(str(webhook_batch_lock_path(folder, pipeline_name)))
    try:
        marker.acquire(timeout=0)
    except Timeout:
        return True
    marker.release()
    return False


class RunLock:
    def __init__(self, folder: Path, pipeline_name: str, *, wait_for_webhooks: bool = True) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.pipeline_name = pipeline_name
        self.path = folder / f"{pipeline_name}.run.lock"
        self._lock = FileLock(str(self.path))
        self._wait_for_webhooks = wait_for_webhooks

    def __enter__(self) -> "RunLock":
        deadline = time.monotonic() + WEBHOOK_BATCH_WAIT_SECONDS
        free_marker_polls = 0
        while True:
            try:
                self._lock.acquire(timeout=0)
                return self
            except Timeout:
                pass
            if not self._wait_for_webhooks:
                break
            if _batch_marker_held(self.folder, self.pipeline_name):
                free_marker_polls = 0
            else:
                free_marker_polls += 1
            if free_marker_polls >= _FREE_MARKER_PROBES or time.monotonic() > deadline:
                break
            time.sleep(_POLL_SECONDS)
        raise AlreadyRunningError(
            f"another run of pipeline '{self.pipeline_name}' is still running "
            f"(lock {self.path}); not starting a second one"
        )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._lock.release()
