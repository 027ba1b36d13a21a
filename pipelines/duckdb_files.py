"""The DuckDB warehouse as two files: one the sync writes, one everybody else reads.

DuckDB lets one process write a file, and a process that holds it open, even read-only,
locks every writer out. The file the README tells people to query is held open by
notebooks, BI tools and DuckDB CLI sessions for hours, so a sync that wrote into it
would fail at the first open dashboard. Instead the sync writes a working file of its
own (``<name>.sync.duckdb`` beside the published one) and, at the end of each run,
publishes a copy of it with an atomic rename over ``<name>.duckdb``:

* a reader that reconnects (or opens the file anew) sees the whole run;
* a reader that kept the old file open keeps reading the old inode, a complete snapshot
  of the previous run: nobody ever sees tickets without their updates;
* the cost is one sequential file copy per run and twice the disk (bench/README.md).

``dlt``'s ``ducklake`` destination would avoid the copy, but readers would have to
attach it through the ducklake extension instead of opening a ``.duckdb`` file, which
every DuckDB client, BI connector and the CLI already can.

The working file is only ever opened by the sync itself; if something else holds it,
the run waits with backoff for ``duckdb_lock_timeout_seconds`` and then fails naming
the file and the holder.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

logger = logging.getLogger("happyfox_sync")

WORKING_SUFFIX = ".sync.duckdb"
DEFAULT_LOCK_TIMEOUT_SECONDS = 60.0
_HOLDER_RE = re.compile(r"Conflicting lock is held in (?P<holder>.+?)(?:\.\s|\.$|$)", re.S)


class DuckDBFileBusyError(RuntimeError):
    """Another process holds the sync's working DuckDB file for longer than allowed."""


@dataclass(frozen=True)
class WarehouseFiles:
    """The published DuckDB file (what readers open) and the sync's working file."""

    published: Path

    @property
    def working(self) -> Path:
        return self.published.with_name(self.published.name.removesuffix(".duckdb") + WORKING_SUFFIX)

    def prepare(self, lock_timeout_seconds: float = DEFAULT_LOCK_TIMEOUT_SECONDS) -> Path:
        """Make the working file ready for writing and return its path.

        A warehouse from a release before the split (or a working file removed by hand)
        has only the published file: it becomes the working file's starting point, so
        the data and dlt's state in it carry forward and nothing is reloaded.
        """
        self.published.parent.mkdir(parents=True, exist_ok=True)
        if not self.working.exists() and self.published.exists():
            logger.info("starting the working file %s from %s", self.working.name, self.published.name)
            _copy_atomically(self.published, self.working)
        wait_until_writable(self.working, lock_timeout_seconds)
        return self.working

    def publish(self) -> float:
        """Copy the working file over the published one atomically; return the seconds taken."""
        if not self.working.exists():
            return 0.0
        started = time.perf_counter()
        _checkpoint(self.working)
        _copy_atomically(self.working, self.published)
        seconds = time.perf_counter() - started
        logger.info("published %s (%.1f MB) in %.2f s", self.published.name,
                    self.published.stat().st_size / 1e6, seconds)
        return seconds


def wait_until_writable(database: Path, timeout_seconds: float) -> None:
    """Wait, with backoff, until this process can open ``database`` for writing."""
    deadline = time.monotonic() + max(0.0, timeout_seconds)
    delay = 0.2
    while True:
        try:
            duckdb.connect(str(database)).close()
            return
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
            if time.monotonic() >= deadline:
                match = _HOLDER_RE.search(str(error))
                holder = match.group("holder").strip() if match else "another process"
                raise DuckDBFileBusyError(
                    f"DuckDB file {database} is held by {holder} for over {timeout_seconds:g} s "
                    "(only the sync may open its working file; readers open the published file)"
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def _checkpoint(database: Path) -> None:
    """Fold the write-ahead log into the file, so a copy of the file alone is complete."""
    connection = duckdb.connect(str(database))
    try:
        connection.execute("CHECKPOINT")
    finally:
        connection.close()


def _copy_file(source: Path, target: Path) -> None:
    """Copy in the kernel and flush to disk.

    ``copy_file_range`` lets a filesystem that can share extents (XFS, Btrfs) clone the
    file instead of copying it; elsewhere it is an in-kernel copy like ``sendfile``.
    """
    with open(source, "rb") as reader, open(target, "wb") as writer:
        remaining = os.fstat(reader.fileno()).st_size
        try:
            while remaining > 0:
                copied = os.copy_file_range(reader.fileno(), writer.fileno(), min(remaining, 1 << 30))
                if copied == 0:
                    break
                remaining -= copied
        except OSError:  # a filesystem or kernel without it: copy the portable way
            reader.seek(0)
            writer.seek(0)
            writer.truncate()
            shutil.copyfileobj(reader, writer, 1 << 20)
        writer.flush()
        os.fsync(writer.fileno())


def _copy_atomically(source: Path, target: Path) -> None:
    """Copy to a temporary name in the target's folder, flush it, then rename over the target.

    ``os.replace`` is atomic on POSIX: a reader opens either the old file or the new one.
    A stale write-ahead log of the old file would be replayed into the new one, so the
    target's ``.wal`` goes first (readers of a published file never write one).
    """
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        _copy_file(source, temporary)
        stale_wal = target.with_name(target.name + ".wal")
        if stale_wal.exists():
            stale_wal.unlink()
        os.replace(temporary, target)
    finally:
        if temporary.exists():
            temporary.unlink()
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
