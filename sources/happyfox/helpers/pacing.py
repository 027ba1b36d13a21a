"""The GET budget: one pacer shared by every thread of a client.

HappyFox allows 500 GET requests per minute per *account* (shared with every other
integration on it), and going over costs a 10-minute lockout. Whether the minute is
a fixed clock minute or a sliding 60-second window is not documented, so the pacer
must be safe under both. It does that by spacing request *starts* evenly, at least
``60 / max_per_minute`` seconds apart:

* in any 60-second window [t, t + 60), sliding or fixed, there are then at most
  ``max_per_minute`` starts (the client's default budget of 400 also leaves room
  for thread-scheduling jitter between a granted start and the bytes on the wire,
  and for other integrations on the same account);
* there is no burst credit: after an idle spell the next request goes at once, but
  the one after waits a full interval. A token bucket would let a burst of
  ``max_per_minute`` requests through after a quiet minute, which a sliding-window
  limiter could count together with the previous minute's tail.

A 429 pauses the pacer: :meth:`GetPacer.pause` sets a shared "paused until" instant
and no thread starts a request before it, including threads already waiting for a
slot reserved before the pause.

Time comes from an injectable monotonic ``clock`` and ``sleep`` so unit tests can
drive the pacer without waiting.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class PacerCancelled(Exception):
    """A waiting caller's cancel event was set (e.g. ``get_many`` is aborting)."""


class PacerPaused(Exception):
    """The pacer is paused by a lockout and the caller asked not to wait for it."""

    def __init__(self, remaining_seconds: float) -> None:
        super().__init__(f"paused for another {remaining_seconds:.1f}s")
        self.remaining_seconds = remaining_seconds


class GetPacer:
    """Thread-safe even spacing of request starts, plus a shared lockout pause."""

    def __init__(
        self,
        max_per_minute: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if not max_per_minute > 0:
            raise ValueError(f"max_per_minute must be positive, got {max_per_minute!r}")
        self.max_per_minute = max_per_minute
        # A hair over 60 / budget, so float rounding in the running sum of slots can
        # never squeeze budget + 1 starts into a 60-second window.
        self.interval = 60.0 / max_per_minute * (1.0 + 1e-9)
        """Minimum seconds between two request starts."""
        self._clock = clock
        self._sleep = sleep if sleep is not None else time.sleep
        # With the real clock, waits can be cut short by a cancel event; an injected
        # sleep (tests) is used as is.
        self._cancellable = sleep is None and clock is time.monotonic
        self._lock = threading.Lock()
        self._next_start = -math.inf
        self._paused_until = -math.inf
        self._paused_seconds = 0.0

    def acquire(self, cancel: threading.Event | None = None, *, wait_for_pause: bool = True) -> float:
        """Block until the caller may start one request; return the granted monotonic instant.

        Each call reserves the next free slot under the lock, sleeps outside it, and
        re-checks the pause on waking: a lockout that began while it slept sends it
        back to the queue behind the pause. With ``wait_for_pause=False`` a pause in
        force raises :class:`PacerPaused` instead of waiting; a set ``cancel`` event
        raises :class:`PacerCancelled`.
        """
        while True:
            with self._lock:
                now = self._clock()
                if not wait_for_pause and self._paused_until > now:
                    raise PacerPaused(self._paused_until - now)
                start = max(now, self._next_start, self._paused_until)
                self._next_start = start + self.interval
            if start > now:
                self._wait(start - now, cancel)
            if cancel is not None and cancel.is_set():
                raise PacerCancelled()
            with self._lock:
                now = self._clock()
                if now >= self._paused_until:
                    return start
                if not wait_for_pause:
                    raise PacerPaused(self._paused_until - now)

    def pause(self, seconds: float) -> float:
        """Stop every thread from starting a request for ``seconds`` from now.

        Never shortens a pause already in force. Returns the monotonic instant the
        pause ends.
        """
        with self._lock:
            now = self._clock()
            until = now + max(0.0, seconds)
            if until > self._paused_until:
                self._paused_seconds += until - max(now, self._paused_until)
                self._paused_until = until
            return self._paused_until

    def paused_remaining(self) -> float:
        """Seconds until the current pause ends (0 when not paused)."""
        with self._lock:
            return max(0.0, self._paused_until - self._clock())

    @property
    def paused_seconds(self) -> float:
        """Total seconds the pacer has been (or is scheduled to be) paused, overlaps counted once."""
        with self._lock:
            return self._paused_seconds

    def _wait(self, seconds: float, cancel: threading.Event | None) -> None:
        if cancel is not None and self._cancellable:
            cancel.wait(seconds)
        else:
            self._sleep(seconds)
