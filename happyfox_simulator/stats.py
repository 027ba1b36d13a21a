"""Request accounting, so tests can assert how a client used the API.

Every request that reaches the server is counted, whatever its outcome (401, 429,
injected fault, 404): a sync's budget is spent by the requests it sends, not by
the ones that succeed. Endpoints are keyed by template (``"ticket/<id>/"``) so
assertions don't depend on which ids a run happened to touch.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager


class Stats:
    """Thread-safe counters; read the attributes directly, call :meth:`reset` between runs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight = 0
        self.gets_by_endpoint: Counter[str] = Counter()
        self.posts_by_endpoint: Counter[str] = Counter()
        self.methods_seen: Counter[str] = Counter()
        self.responses_by_status: Counter[int] = Counter()
        self.faults_injected: Counter[str] = Counter()
        self.total_gets = 0
        self.rate_limited = 0
        self.peak_concurrency = 0
        self.attachment_downloads = 0
        """Requests for signed attachment URLs (not API calls: no auth, no rate limit)."""

    def reset(self) -> None:
        """Forget everything counted so far (requests still in flight keep counting)."""
        with self._lock:
            self.gets_by_endpoint.clear()
            self.posts_by_endpoint.clear()
            self.methods_seen.clear()
            self.responses_by_status.clear()
            self.faults_injected.clear()
            self.total_gets = 0
            self.rate_limited = 0
            self.peak_concurrency = self._in_flight
            self.attachment_downloads = 0

    @contextmanager
    def in_flight(self) -> Iterator[None]:
        """Track one request from arrival to its last byte, for ``peak_concurrency``."""
        with self._lock:
            self._in_flight += 1
            self.peak_concurrency = max(self.peak_concurrency, self._in_flight)
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    def request(self, method: str, endpoint: str) -> None:
        """Count an arriving request under its HTTP method and endpoint template."""
        with self._lock:
            self.methods_seen[method] += 1
            if method == "GET":
                self.total_gets += 1
                self.gets_by_endpoint[endpoint] += 1
            elif method == "POST":
                self.posts_by_endpoint[endpoint] += 1

    def attachment_download(self, method: str) -> None:
        """Count a request for an attachment URL (kept out of the API counters)."""
        with self._lock:
            self.methods_seen[method] += 1
            self.attachment_downloads += 1

    def response(self, status: int) -> None:
        """Count a response sent (an injected connection reset sends none)."""
        with self._lock:
            self.responses_by_status[status] += 1
            if status == 429:
                self.rate_limited += 1

    def fault(self, kind: str) -> None:
        """Count an injected fault by kind."""
        with self._lock:
            self.faults_injected[kind] += 1

    def snapshot(self) -> dict[str, object]:
        """A consistent plain-dict copy, handy for printing and for equality asserts."""
        with self._lock:
            return {
                "gets_by_endpoint": dict(self.gets_by_endpoint),
                "posts_by_endpoint": dict(self.posts_by_endpoint),
                "methods_seen": dict(self.methods_seen),
                "total_gets": self.total_gets,
                "responses_by_status": dict(self.responses_by_status),
                "rate_limited": self.rate_limited,
                "peak_concurrency": self.peak_concurrency,
                "faults_injected": dict(self.faults_injected),
                "attachment_downloads": self.attachment_downloads,
            }
