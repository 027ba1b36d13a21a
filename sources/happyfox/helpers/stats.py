"""Counters of what a client sent, for the run summary and for tests.

The GET budget is the scarce resource of a HappyFox sync, so the summary says
where it went: GETs per endpoint template, retries by reason, 429s received and
time spent locked out. All updates go through one lock because worker threads of
``get_many`` record concurrently.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


@dataclass
class RequestStats:
    """Thread-safe request counters of one :class:`HappyFoxClient`."""

    gets_by_endpoint: Counter[str] = field(default_factory=Counter)
    """Every GET sent, keyed by endpoint template (``"tickets/"``, ``"ticket/<id>/"``)."""
    total_gets: int = 0
    """Every HTTP GET sent: first attempts, retries and the ones answered with 429."""
    retries: Counter[str] = field(default_factory=Counter)
    """Retries by reason (``"http_503"``, ``"timeout"``, ``"connection"``, ``"protocol"``,
    ``"invalid_json"``); 429s are not retries and are counted in ``rate_limited``."""
    rate_limited: int = 0
    """HTTP 429 responses received."""
    lockout_wait_seconds: float = 0.0
    """Seconds the client held all requests back because of 429 lockouts (overlaps once)."""
    started_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    _started_monotonic: float = field(default_factory=time.monotonic, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record_get(self, endpoint: str) -> None:
        """Count one GET about to be sent."""
        with self._lock:
            self.total_gets += 1
            self.gets_by_endpoint[endpoint] += 1

    def record_retry(self, reason: str) -> None:
        """Count one retry that is about to happen, by reason."""
        with self._lock:
            self.retries[reason] += 1

    def record_rate_limited(self) -> None:
        """Count one 429 response."""
        with self._lock:
            self.rate_limited += 1

    def set_lockout_wait(self, seconds: float) -> None:
        """Set the total lockout time (the pacer keeps the authoritative running total)."""
        with self._lock:
            self.lockout_wait_seconds = seconds

    def summary(self) -> dict[str, Any]:
        """A JSON-serialisable snapshot for the run summary."""
        with self._lock:
            elapsed = time.monotonic() - self._started_monotonic
            return {
                "started_at": self.started_at.isoformat(),
                "elapsed_seconds": round(elapsed, 3),
                "total_gets": self.total_gets,
                "gets_per_minute": round(self.total_gets * 60.0 / elapsed, 1) if elapsed > 0 else 0.0,
                "gets_by_endpoint": dict(sorted(self.gets_by_endpoint.items())),
                "retries": dict(sorted(self.retries.items())),
                "total_retries": sum(self.retries.values()),
                "rate_limited": self.rate_limited,
                "lockout_wait_seconds": round(self.lockout_wait_seconds, 3),
            }
