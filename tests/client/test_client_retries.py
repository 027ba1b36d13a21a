"""Transient failures injected by the simulator are retried until the right data arrives."""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable

import pytest

from happyfox_sync.source.helpers import HappyFoxAPIError, HappyFoxClient

# What each simulator fault looks like to the client, as a retry reason.
REASONS = {
    "500": "http_500",
    "502": "http_502",
    "503": "http_503",
    "reset": "connection",
    "truncated": "invalid_json",
    "stall": "timeout",
}


@pytest.mark.parametrize("kind", list(REASONS))
def test_each_fault_kind_is_retried_until_the_right_data_arrives(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient], kind: str
) -> None:
    sim = simulator(fault_rate=0.5, fault_kinds=(kind,), stall_seconds=1.0, fault_seed=3)
    client = client_for(sim, timeout_seconds=0.3, max_concurrency=4)
    tickets = list(client.get_many((f"ticket/{n}/", {}) for n in range(1, 13)))
    assert [ticket["id"] for ticket in tickets] == list(range(1, 13))
    faults = sim.stats.faults_injected[kind]
    assert faults >= 1
    assert client.stats.retries == Counter({REASONS[kind]: faults})
    assert client.stats.total_gets == 12 + faults
    assert sim.stats.total_gets == client.stats.total_gets


def test_a_mix_of_every_fault_kind_still_yields_every_ticket(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator(fault_rate=0.3, stall_seconds=1.0, fault_seed=11)
    client = client_for(sim, timeout_seconds=0.3)
    pages = list(client.get_many(("tickets/", {"size": 10, "page": page, "status": "_all"}) for page in (1, 2, 3, 4)))
    ids = sorted(ticket["id"] for page in pages for ticket in page["data"])
    assert ids == list(range(1, 41))
    assert sum(client.stats.retries.values()) == sum(sim.stats.faults_injected.values())


def test_5xx_that_never_ends_gives_up_after_max_retries_naming_the_endpoint(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator(fault_rate=1.0, fault_kinds=("503",))
    client = client_for(sim, max_retries=2)
    with pytest.raises(HappyFoxAPIError) as raised:
        client.get("ticket/7/")
    assert str(raised.value) == (
        f"GET ticket/7/ on {sim.base_url} failed after 3 attempts; last error: HTTP 503 Service Unavailable."
    )
    assert raised.value.status_code == 503
    assert raised.value.endpoint == "ticket/<id>/"
    assert sim.stats.total_gets == 3
    assert client.stats.retries == Counter({"http_503": 2})


def test_timeouts_that_never_end_give_up_after_max_retries(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator(fault_rate=1.0, fault_kinds=("stall",), stall_seconds=1.0)
    client = client_for(sim, max_retries=1, timeout_seconds=0.2)
    with pytest.raises(HappyFoxAPIError) as raised:
        client.get("staff/")
    assert str(raised.value) == (
        f"GET staff/ on {sim.base_url} failed after 2 attempts; last error: timed out after 0.2s (ReadTimeout)."
    )
    assert raised.value.status_code is None
    assert client.stats.retries == Counter({"timeout": 1})


def test_unreadable_bodies_that_never_end_give_up_saying_so(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator(fault_rate=1.0, fault_kinds=("truncated",))
    client = client_for(sim, max_retries=1)
    with pytest.raises(HappyFoxAPIError, match=r"failed after 2 attempts; last error: unreadable JSON body"):
        client.get("categories/")


def test_retries_are_logged_as_warnings(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient], caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    sim = simulator(fault_rate=1.0, fault_kinds=("500",))
    client = client_for(sim, max_retries=1)
    caplog.set_level(logging.WARNING, logger="happyfox_sync.client")
    with pytest.raises(HappyFoxAPIError):
        client.get("staff/")
    warnings = [r.getMessage() for r in caplog.records if r.name == "happyfox_sync.client" and "retry" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"GET staff/ on {sim.base_url} failed (HTTP 500 Internal Server Error); retry 1/1 in ")
