"""HappyFox's account-wide rate limit: a per-method sliding window plus a long lockout.

HappyFox allows 500 GET and 300 POST requests per minute, counted separately. The
request that goes over gets 429 and from then on *every* call of that method gets
429 for the next 10 minutes. This module reproduces that, with the numbers taken
from the config on every call so tests can use short windows.

Choices where the documentation is silent (also in the package README):

* Only admitted requests occupy the window: a 429 is not recorded, so it neither
  extends the lockout nor counts against the window once the lockout lifts; the
  window starts empty when a lockout begins.
* Unauthenticated requests (401) never reach the limiter: the budget is the
  account's, and a request without valid credentials belongs to no account.
* Time is the real monotonic clock, not the config's simulated clock: rate limits
  are about wall-clock pacing of the client.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class _Bucket:
    admitted: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0


class RateLimiter:
    """Decides, per request method, whether a request is admitted or refused with 429."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}

    def admit(self, kind: str, limit: int, window: float, lockout: float) -> float | None:
        """Admit one ``kind`` ("GET"/"POST") request, or return the seconds of lockout left.

        A return of ``None`` means admitted; a float means "send 429", the value being
        how long until calls are accepted again (for an optional ``Retry-After``).
        """
        now = self._clock()
        with self._lock:
            bucket = self._buckets.setdefault(kind, _Bucket())
            if now < bucket.locked_until:
                return bucket.locked_until - now
            horizon = now - window
            while bucket.admitted and bucket.admitted[0] <= horizon:
                bucket.admitted.popleft()
            if len(bucket.admitted) >= limit:
                bucket.locked_until = now + lockout
                bucket.admitted.clear()
                return lockout
            bucket.admitted.append(now)
            return None

    def reset(self) -> None:
        """Forget all windows and lift every lockout (for tests that reuse a server)."""
        with self._lock:
            self._buckets.clear()
