"""Fixtures for simulator tests: start servers on hand-built helpdesks, talk real HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from happyfox_simulator import Helpdesk, Simulator, SimulatorConfig
from tests.simulator.sim_helpdesk import NOW, HelpdeskBuilder


@pytest.fixture
def builder() -> HelpdeskBuilder:
    """A fresh builder over the reference data in ``sim_helpdesk``."""
    return HelpdeskBuilder()


@pytest.fixture
def start_sim() -> Iterator[Callable[..., Simulator]]:
    """Start a simulator for a helpdesk with config fields (clock fixed at ``NOW`` by default)."""
    started: list[Simulator] = []

    def start(helpdesk: Helpdesk, **config: Any) -> Simulator:
        config.setdefault("clock", lambda: NOW)
        sim = Simulator(helpdesk, SimulatorConfig(**config)).start()
        started.append(sim)
        return sim

    yield start
    for sim in reversed(started):
        sim.stop()


@pytest.fixture
def api() -> Iterator[Callable[..., httpx.Client]]:
    """An authenticated httpx client rooted at a simulator's ``/api/1.1/json/``."""
    clients: list[httpx.Client] = []

    def make(sim: Simulator, **options: Any) -> httpx.Client:
        options.setdefault("auth", (sim.api_key, sim.auth_code))
        options.setdefault("timeout", 10.0)
        client = httpx.Client(base_url=sim.api_url, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()

