"""Fixtures for client tests against the project's simulator, over real HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest

from happyfox_sync.source.helpers import HappyFoxClient

NOW = datetime(2024, 6, 3, 12, 0, 0)
TICKETS = 40

FAST: dict[str, Any] = {
    "retry_backoff_seconds": 0.01,
    "retry_backoff_max_seconds": 0.05,
    "max_gets_per_minute": 6000,
    "max_concurrency": 8,
}
"""Defaults for tests that are not about pacing: backoff small enough that a dozen
retries take well under a second, a budget of 100 GETs/s, 8 workers. Tests of the
budget pass their own ``max_gets_per_minute`` / ``max_concurrency``."""


@pytest.fixture(scope="session")
def helpdesk_factory() -> Callable[[], Any]:
    """A fresh, small, deterministic helpdesk per simulator (servers may mutate their store)."""
    from happyfox_simulator.generator import generate_helpdesk

    return lambda: generate_helpdesk(TICKETS, seed=7, now=NOW)


@pytest.fixture
def simulator(helpdesk_factory: Callable[[], Any]) -> Iterator[Callable[..., Any]]:
    """Start simulators with given config fields; all are stopped after the test."""
    from happyfox_simulator import Simulator, SimulatorConfig

    started: list[Any] = []

    def start(**config: Any) -> Any:
        sim = Simulator(helpdesk_factory(), SimulatorConfig(**config))
        sim.__enter__()
        started.append(sim)
        return sim

    yield start
    for sim in reversed(started):
        sim.__exit__(None, None, None)


@pytest.fixture
def client_for() -> Iterator[Callable[..., HappyFoxClient]]:
    """Build clients for a simulator (``FAST`` settings unless overridden); all closed after the test."""
    clients: list[HappyFoxClient] = []

    def build(sim: Any, **options: Any) -> HappyFoxClient:
        settings = {**FAST, **options}
        api_key = settings.pop("api_key", sim.api_key)
        auth_code = settings.pop("auth_code", sim.auth_code)
        base_url = settings.pop("base_url", sim.base_url)
        client = HappyFoxClient(base_url, api_key, auth_code, **settings)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()
