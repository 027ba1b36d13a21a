"""The receiver's durable queue: a local SQLite file in WAL mode, committed before the 2xx.

A verified delivery is one row in ``deliveries``, committed with ``synchronous=FULL``
before the receiver answers, so a receiver killed at any moment after acknowledging
(even by SIGKILL or a power cut) still has it. The loader reads the oldest rows, loads
them, and deletes them in the same transaction that moves unreadable ones to
``dead_letters``: a crash between loading and deleting only means a batch is loaded
twice, which converges (a payload is loaded only when newer than the warehouse's row).

``dead_letters`` keeps every signed body that could not be loaded, with the reason,
for a person to look at; nothing is dropped silently. ``meta`` keeps the time of the
last successful load across restarts.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

SCHEMA = """
create table if not exists deliveries (
    seq integer primary key autoincrement,
    received_at real not null,
    ticket_id integer not null,
    event text,
    last_modified text,
    body blob not null
);
create table if not exists dead_letters (
    seq integer primary key autoincrement,
    received_at real not null,
    dead_at real not null,
    reason text not null,
    body blob not null
);
create table if not exists meta (name text primary key, value text);
"""


@dataclass(frozen=True)
class Delivery:
    """One queued delivery, as the loader reads it."""

    seq: int
    received_at: float
    ticket_id: int
    body: bytes


class DeliveryQueue:
    """Thread-safe access to the queue file; each thread of the receiver may share one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(str(path), timeout=30.0, isolation_level=None, check_same_thread=False)
        self._connection.execute("pragma journal_mode=wal")
        self._connection.execute("pragma synchronous=full")
        self._connection.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    # -- the receiver's side ----------------------------------------------------------------

    def put(self, ticket_id: int, body: bytes, event: str | None = None, last_modified: str | None = None) -> int:
        """Store a verified delivery durably; returns its sequence number once committed."""
        with self._lock:
            cursor = self._connection.execute(
                "insert into deliveries (received_at, ticket_id, event, last_modified, body) values (?, ?, ?, ?, ?)",
                (time.time(), ticket_id, event, last_modified, body),
            )
            return int(cursor.lastrowid or 0)

    def dead_letter(self, reason: str, body: bytes, received_at: float | None = None) -> None:
        """Keep a signed body that cannot be loaded, with the reason."""
        now = time.time()
        with self._lock:
            self._connection.execute(
                "insert into dead_letters (received_at, dead_at, reason, body) values (?, ?, ?, ?)",
                (received_at or now, now, reason, body),
            )

    # -- the loader's side ------------------------------------------------------------------

    def oldest(self, limit: int) -> list[Delivery]:
        with self._lock:
            rows = self._connection.execute(
                "select seq, received_at, ticket_id, body from deliveries order by seq limit ?", (limit,)
            ).fetchall()
        return [Delivery(seq, received_at, ticket_id, bytes(body)) for seq, received_at, ticket_id, body in rows]

    def finish(self, done: Iterable[int], dead: Iterable[tuple[Delivery, str]] = (), *, loaded_at: float | None = None) -> None:
        """In one transaction: dead-letter ``dead``, delete every handled delivery, note the load time."""
        dead = list(dead)
        seqs = sorted(set(done) | {delivery.seq for delivery, _ in dead})
        now = time.time()
        with self._lock:
            connection = self._connection
            connection.execute("begin immediate")
            try:
                connection.executemany(
                    "insert into dead_letters (received_at, dead_at, reason, body) values (?, ?, ?, ?)",
                    [(delivery.received_at, now, reason, delivery.body) for delivery, reason in dead],
                )
                connection.executemany("delete from deliveries where seq = ?", [(seq,) for seq in seqs])
                if loaded_at is not None:
                    connection.execute(
                        "insert into meta (name, value) values ('last_load_at', ?) "
                        "on conflict(name) do update set value = excluded.value",
                        (str(loaded_at),),
                    )
                connection.execute("commit")
            except BaseException:
                connection.execute("rollback")
                raise

    # -- what /health shows -----------------------------------------------------------------

    def depth(self) -> int:
        with self._lock:
            return int(self._connection.execute("select count(*) from deliveries").fetchone()[0])

    def dead_letter_count(self) -> int:
        with self._lock:
            return int(self._connection.execute("select count(*) from dead_letters").fetchone()[0])

    def oldest_received_at(self) -> float | None:
        with self._lock:
            row = self._connection.execute("select min(received_at) from deliveries").fetchone()
        return None if row[0] is None else float(row[0])

    def last_load_at(self) -> float | None:
        with self._lock:
            row = self._connection.execute("select value from meta where name = 'last_load_at'").fetchone()
        return None if row is None else float(row[0])

    def dead_letters(self) -> list[tuple[str, bytes]]:
        """Every dead letter's reason and body, oldest first (for people and tests)."""
        with self._lock:
            rows = self._connection.execute("select reason, body from dead_letters order by seq").fetchall()
        return [(reason, bytes(body)) for reason, body in rows]
