"""What ``GET /health`` reports besides the queue: counters since the receiver started."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Counters:
    """Thread-safe counters shared by the receiver and the loader."""

    received: int = 0
    rejected: int = 0
    loaded: int = 0
    stale_skipped: int = 0
    dead_lettered: int = 0
    batches: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    last_error: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **amounts: int) -> None:
        with self._lock:
            for name, amount in amounts.items():
                setattr(self, name, getattr(self, name) + amount)

    def reject(self, reason: str) -> None:
        with self._lock:
            self.rejected += 1
            self.rejected_by_reason[reason] = self.rejected_by_reason.get(reason, 0) + 1

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            return {
                "received": self.received,
                "rejected": self.rejected,
                "rejected_by_reason": dict(self.rejected_by_reason),
                "loaded": self.loaded,
                "stale_skipped": self.stale_skipped,
                "dead_lettered": self.dead_lettered,
                "batches": self.batches,
                "last_error": self.last_error,
            }
