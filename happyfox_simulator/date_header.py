"""The ``Date`` header, and a CDN in front of the API whose clock runs ahead.

Every response's ``Date`` is the simulated clock's now. A real account may sit
behind a CDN or proxy that stamps its own ``Date``, from a clock that need not
agree with the API's records. ``date_skew_seconds`` adds that much to the ``Date``
of every ``date_skew_every``-th response (1: all of them), so a client can be
proven never to trust one fast header, nor a fast clock the records do not support.
"""

from __future__ import annotations

import itertools
import threading
from datetime import datetime, timedelta

from .config import SimulatorConfig


class DateHeader:
    """Counts responses and says which instant each one's ``Date`` shows."""

    def __init__(self) -> None:
        self._count = itertools.count(1)
        self._lock = threading.Lock()

    def instant(self, config: SimulatorConfig, now: datetime) -> datetime:
        """``now``, plus the configured skew on every ``date_skew_every``-th response."""
        if not config.date_skew_seconds:
            return now
        with self._lock:
            number = next(self._count)
        if number % max(1, config.date_skew_every) == 0:
            return now + timedelta(seconds=config.date_skew_seconds)
        return now
