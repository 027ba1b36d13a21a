"""The GET budget and 429 lockouts, against the simulator's real rate limiter.

Budgets are scaled up (600/min = one GET per 0.1 s) so a few seconds show the pacing.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

import pytest

from happyfox_sync.source.helpers import ConfigurationError, HappyFoxClient, RateLimitLockoutError

BUDGET = 600  # per minute: 10 GETs per second, 0.1 s apart


def detail_requests(count: int) -> list[tuple[str, dict[str, Any]]]:
    return [(f"ticket/{n % 40 + 1}/", {}) for n in range(count)]


def test_gets_are_spaced_to_the_budget_and_never_hit_the_limit(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator(get_limit=BUDGET, window_seconds=60.0)
    client = client_for(sim, max_gets_per_minute=BUDGET, max_concurrency=8)
    began = time.monotonic()
    results = list(client.get_many(detail_requests(31)))
    elapsed = time.monotonic() - began
    assert len(results) == 31
    assert elapsed >= 30 * 0.1  # 31 starts, 30 intervals
    assert elapsed < 30 * 0.1 + 1.5
    assert sim.stats.rate_limited == 0
    assert client.stats.rate_limited == 0


def test_sequential_gets_are_paced_too(simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]) -> None:
    sim = simulator()
    client = client_for(sim, max_gets_per_minute=BUDGET)
    began = time.monotonic()
    for _ in range(11):
        client.get("statuses/")
    assert time.monotonic() - began >= 10 * 0.1


def test_pacing_stays_under_a_sliding_window_scaled_to_one_second(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    # 10/s budget against a server allowing 11 per sliding second (one GET of slack for jitter):
    # a client that bursts, or counts per fixed second, would be locked out here.
    sim = simulator(get_limit=11, window_seconds=1.0, lockout_seconds=30.0)
    client = client_for(sim, max_gets_per_minute=BUDGET, max_concurrency=8, wait_on_lockout=False)
    results = list(client.get_many(detail_requests(25)))
    assert len(results) == 25
    assert sim.stats.rate_limited == 0


def test_concurrency_fills_the_budget_despite_half_second_latency(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator(latency_seconds=0.5)
    # Default concurrency for this budget: ceil(10 * 1.5) + 1 = 16 workers.
    client = client_for(sim, max_gets_per_minute=BUDGET, max_concurrency=None)
    assert client.max_concurrency == 16
    count = 40
    began = time.monotonic()
    results = list(client.get_many(detail_requests(count)))
    elapsed = time.monotonic() - began
    assert len(results) == count
    # Request starts span elapsed minus the last response's latency.
    achieved_per_second = count / (elapsed - 0.5)
    assert achieved_per_second >= 0.9 * BUDGET / 60
    assert sim.stats.peak_concurrency >= 5
    assert sim.stats.rate_limited == 0


@pytest.mark.parametrize("retry_after_header", [False, True], ids=["no-retry-after", "retry-after"])
def test_a_lockout_is_waited_out_and_the_request_resent(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient], retry_after_header: bool
) -> None:
    sim = simulator(get_limit=5, window_seconds=60.0, lockout_seconds=2.0, retry_after_header=retry_after_header)
    client = client_for(sim, max_gets_per_minute=6000, rate_limit_lockout_seconds=2.0)
    began = time.monotonic()
    ids = [client.get(f"ticket/{n}/")["id"] for n in range(1, 9)]
    elapsed = time.monotonic() - began
    assert ids == [1, 2, 3, 4, 5, 6, 7, 8]
    assert elapsed >= 2.0
    assert sim.stats.rate_limited == 1
    assert client.stats.rate_limited == 1
    assert client.stats.total_gets == 9  # 8 answered + the one refused with 429
    assert client.stats.retries == {}  # a 429 is not a retry attempt
    assert client.stats.lockout_wait_seconds == pytest.approx(3.0, abs=0.05)  # 2 s + 1 s margin


def test_retry_after_header_takes_precedence_over_the_configured_lockout(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator(get_limit=3, window_seconds=60.0, lockout_seconds=1.0, retry_after_header=True)
    client = client_for(sim, max_gets_per_minute=6000, rate_limit_lockout_seconds=600.0)
    began = time.monotonic()
    for _ in range(4):
        client.get("staff/")
    assert time.monotonic() - began < 10.0  # waited Retry-After (1 s) + 1 s margin, not 600 s
    assert client.stats.rate_limited == 1
    assert client.stats.lockout_wait_seconds == pytest.approx(2.0, abs=0.05)


def test_a_lockout_stops_every_thread_and_loses_no_request(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator(get_limit=6, window_seconds=60.0, lockout_seconds=1.0, latency_seconds=0.05)
    client = client_for(sim, max_gets_per_minute=6000, max_concurrency=4, rate_limit_lockout_seconds=1.0)
    ids = [ticket["id"] for ticket in client.get_many((f"ticket/{n}/", {}) for n in range(1, 13))]
    assert ids == list(range(1, 13))
    # Only requests already in flight when the first 429 arrived can be refused: at most the workers.
    assert 1 <= sim.stats.rate_limited <= 4
    assert client.stats.rate_limited == sim.stats.rate_limited
    assert sim.stats.total_gets == 12 + sim.stats.rate_limited


def test_wait_on_lockout_false_raises_saying_the_account_is_locked_out(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator(get_limit=2, window_seconds=60.0, lockout_seconds=600.0)
    client = client_for(sim, max_gets_per_minute=6000, wait_on_lockout=False)
    client.get("staff/")
    client.get("staff/")
    with pytest.raises(RateLimitLockoutError) as raised:
        client.get("staff/")
    message = str(raised.value)
    assert message.startswith(
        f"HappyFox account {sim.base_url} is locked out by the HappyFox rate limit (HTTP 429 on GET staff/); "
        "the lockout lifts at about "
    )
    assert message.endswith(" UTC (in 601s).")
    assert "\n" not in message
    assert raised.value.wait_seconds == pytest.approx(601.0, abs=1.0)


def test_wait_on_lockout_false_refuses_further_gets_without_sending_them(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator(get_limit=1, window_seconds=60.0, lockout_seconds=600.0)
    client = client_for(sim, max_gets_per_minute=6000, wait_on_lockout=False)
    client.get("staff/")
    with pytest.raises(RateLimitLockoutError):
        client.get("staff/")
    with pytest.raises(RateLimitLockoutError):
        client.get("categories/")
    assert sim.stats.total_gets == 2
    assert client.stats.total_gets == 2


def test_an_account_that_answers_429_forever_stops_the_run_after_max_lockout_waits(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator(get_limit=0, window_seconds=60.0, lockout_seconds=0.1)
    client = client_for(sim, max_gets_per_minute=6000, rate_limit_lockout_seconds=0.0, max_lockout_waits=2)
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            client.get("staff/")
        except BaseException as error:  # noqa: BLE001 - the outcome is what the test reads
            outcome.append(error)

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "the client kept waiting out lockouts"
    assert len(outcome) == 1 and isinstance(outcome[0], RateLimitLockoutError)
    assert str(outcome[0]).startswith(
        f"HappyFox account {sim.base_url} still answered HTTP 429 on GET staff/ after 2 lockouts were waited out "
        "(max_lockout_waits = 2); stopping"
    )
    assert sim.stats.responses_by_status[429] == 3
    assert client.stats.lockout_wait_seconds == pytest.approx(2.0, abs=0.05)  # two 1 s margins, no third wait


def test_max_lockout_waits_below_zero_is_a_configuration_error(simulator: Callable[..., Any]) -> None:
    sim = simulator()
    with pytest.raises(ConfigurationError, match=r"^max_lockout_waits must be >= 0, got -1$"):
        HappyFoxClient(sim.base_url, sim.api_key, sim.auth_code, max_lockout_waits=-1)
