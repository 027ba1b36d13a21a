"""The client a source makes for itself, closed when its resources are done with it.

A caller that runs the source several times passes its own client and closes it
itself. A source called without one (``pipeline.run(happyfox_source())``) builds its
own, and nobody else can close it: its connection pool would stay open for the life
of the process. So every resource holds a lease while it runs; when the last lease
ends, the pool is closed, and a resource that starts later gets a fresh client built
from the same configuration.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from typing import Any

from .helpers import HappyFoxClient


class OwnedClient:
    """Stands in for a :class:`HappyFoxClient` the source owns; see the module docstring."""

    def __init__(self, factory: Callable[[], HappyFoxClient]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._client: HappyFoxClient | None = factory()  # built now, so bad configuration fails at once
        self._leases = 0

    def _current(self) -> HappyFoxClient:
        with self._lock:
            if self._client is None:
                self._client = self._factory()
            return self._client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._current(), name)

    def leased(self, resource: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        """Wrap a resource's generator function so it holds a lease while it runs."""

        @functools.wraps(resource)
        def run(*args: Any, **kwargs: Any) -> Iterator[Any]:
            self._acquire()
            try:
                yield from resource(*args, **kwargs)
            finally:
                self._release()

        return run

    def _acquire(self) -> None:
        with self._lock:
            if self._client is None:
                self._client = self._factory()
            self._leases += 1

    def _release(self) -> None:
        with self._lock:
            self._leases -= 1
            if self._leases > 0 or self._client is None:
                return
            client, self._client = self._client, None
        client.close()


def no_lease(resource: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    """The caller's own client: the caller closes it."""
    return resource
