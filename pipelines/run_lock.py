"""One run per pipeline at a time.

Two overlapping runs of one pipeline would both read the same saved state, both
write load packages and race to commit: the second could roll the cursor back or
load a half-extracted package. An OS file lock in the pipeline's working folder is
released by the kernel when the holder dies, even on SIGKILL, so a crashed run never
blocks the next one.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout


class AlreadyRunningError(RuntimeError):
    """Another run of the same pipeline holds the lock."""


class RunLock:
    def __init__(self, folder: Path, pipeline_name: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.pipeline_name = pipeline_name
        self.path = folder / f"{pipeline_name}.run.lock"
        self._lock = FileLock(str(self.path))

    def __enter__(self) -> "RunLock":
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            raise AlreadyRunningError(
                f"another run of pipeline '{self.pipeline_name}' is still running "
                f"(lock {self.path}); not starting a second one"
            ) from None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._lock.release()
