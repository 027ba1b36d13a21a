"""Where a sync's CPU goes: sample it with py-spy and sort the samples into stages.

Usage: python bench/profile_sync.py RAW_FILE      (a ``py-spy record -f raw`` output)

``bench/run.py --profile`` records a first sync of each side with
``py-spy record -f raw`` (all threads, idle samples excluded, so the figures are
CPU) and prints :func:`breakdown` of it. Each sampled stack is put in the first
stage it touches, in this order:

===========================  =================================================
load                         ``dlt/load``, DuckDB
dlt normaliser               ``dlt/normalize`` (row-by-row JSON normaliser, or
                             the Arrow/Parquet pass-through)
JSON parsing                 response bodies to Python objects (orjson in the
                             HappyFox client, ``Response.json`` in requests)
HTTP client                  httpx/httpcore, requests/urllib3, sockets
flattening                   this source's row transforms (``transform.py``, Arrow tables,
                             batch assembly)
dlt extract                  dlt writing extracted items to files, pipes,
                             incremental, schema inference at extract
imports and start-up         module imports
other                        the rest (sync command, dlt state, threads)
===========================  =================================================
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("load", ("dlt/load/", "duckdb")),
    ("dlt normaliser", ("dlt/normalize/",)),
    ("JSON parsing", ("HappyFoxClient._parse (", "Response.json (", "json/decoder.py", "complexjson")),
    ("HTTP client", ("httpx/", "httpcore/", "requests/", "urllib3/", "http/client.py", "socket.py", "ssl.py")),
    ("flattening", ("sources/happyfox/transform.py", "sources/happyfox/arrow_tables.py", "_ticket_batch_rows", "_merge_tables", "TableWriter.owned",
                    "deletions.py")),
    ("dlt extract", ("dlt/extract/", "dlt/common/data_writers", "dlt/common/storages", "dlt/common/schema",
                     "dlt/common/normalizers")),
    ("imports and start-up", ("_find_and_load", "<frozen importlib", "importlib/")),
)


IDLE_LEAVES = (
    "_worker (concurrent/futures/thread.py",
    "Condition.wait (threading.py",
    "Event.wait (threading.py",
    "Thread.join (threading.py",
    "Thread._wait_for_tstate_lock",
    "SyncStream.read (httpcore/_backends/sync.py",
    "SocketIO.readinto (socket.py",
    "ThreadLock.__enter__ (httpcore",
    "Queue.get (queue.py",
    "select (selectors.py",
    "sleep",
)
"""Leaf frames of threads that wait (py-spy's idle detection misses some here): dropped."""


def classify(stack: str) -> str:
    for stage, markers in STAGES:
        if any(marker in stack for marker in markers):
            return stage
    return "other"


def breakdown(raw: Path) -> dict[str, float]:
    """Share of samples per stage (0..1), largest first."""
    counts: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        if not stack or not number.isdigit():
            continue
        leaf = stack.rsplit(";", 1)[-1]
        if any(leaf.startswith(idle) or idle in leaf for idle in IDLE_LEAVES):
            continue
        counts[classify(stack)] += int(number)
    total = sum(counts.values()) or 1
    return {stage: count / total for stage, count in counts.most_common()}


def render(shares: dict[str, float]) -> str:
    return ", ".join(f"{stage} {share:.0%}" for stage, share in shares.items())


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"{name}: {render(breakdown(Path(name)))}")
