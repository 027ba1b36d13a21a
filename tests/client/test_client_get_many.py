"""get_many: input order, bounded look-ahead, first error, early close."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any, Callable

import pytest

from happyfox_sync.source.helpers import HappyFoxClient, NotFoundError


def test_results_come_back_in_input_order_even_when_some_requests_stall(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    # Stalled requests time out and are retried, finishing long after later ones.
    sim = simulator(fault_rate=0.25, fault_kinds=("stall",), stall_seconds=1.0, fault_seed=5)
    client = client_for(sim, timeout_seconds=0.2, max_concurrency=6)
    order = list(range(1, 41))
    random.Random(1).shuffle(order)
    tickets = list(client.get_many((f"ticket/{n}/", {}) for n in order))
    assert [ticket["id"] for ticket in tickets] == order
    assert sim.stats.faults_injected["stall"] >= 1


def test_at_most_twice_the_concurrency_is_taken_ahead_of_the_consumer(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator(latency_seconds=0.05)
    client = client_for(sim, max_concurrency=3)
    pulled = 0

    def requests() -> Iterator[tuple[str, dict[str, Any]]]:
        nonlocal pulled
        for n in range(100_000):
            pulled += 1
            yield (f"ticket/{n % 40 + 1}/", {})

    results = client.get_many(requests())
    first = next(results)
    assert first["id"] == 1
    assert pulled == 6
    for _ in range(4):
        next(results)
    assert pulled <= 5 + 6 + 1
    results.close()
    assert sim.stats.total_gets <= 12


def test_the_first_error_is_raised_and_stops_further_requests(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator()
    client = client_for(sim, max_concurrency=2, max_gets_per_minute=600)
    pulled = 0

    def requests() -> Iterator[tuple[str, dict[str, Any]]]:
        nonlocal pulled
        for n in [1, 2, 999999] + list(range(3, 41)):
            pulled += 1
            yield (f"ticket/{n}/", {})

    seen = []
    with pytest.raises(NotFoundError) as raised:
        for ticket in client.get_many(requests()):
            seen.append(ticket["id"])
    assert seen == [1, 2]
    assert raised.value.path == "ticket/999999/"
    # The look-ahead is 2 x 2 workers beyond what the consumer has taken, and stops at the error.
    assert pulled <= len(seen) + 4
    assert sim.stats.total_gets <= len(seen) + 4


def test_skip_not_found_yields_none_in_place(simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]) -> None:
    sim = simulator()
    client = client_for(sim)
    results = list(client.get_many([("ticket/1/", {}), ("ticket/999999/", {}), ("ticket/2/", {})], skip_not_found=True))
    assert [None if r is None else r["id"] for r in results] == [1, None, 2]


def test_an_empty_request_list_yields_nothing(simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]) -> None:
    sim = simulator()
    assert list(client_for(sim).get_many([])) == []
    assert sim.stats.total_gets == 0


def test_get_many_accepts_none_params(simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]) -> None:
    sim = simulator()
    assert [s["id"] for s in client_for(sim).get_many([("ticket/3/", None)])] == [3]
