"""Rate limits: per-method sliding windows, a 429 lockout that holds and then lifts."""

from __future__ import annotations

import time

import httpx


def statuses(client: httpx.Client, count: int, path: str = "staff/") -> list[int]:
    return [client.get(path).status_code for _ in range(count)]


def tag(client: httpx.Client) -> int:
    return client.post("ticket/1/update_tags/", json={"add": "x", "staff_id": 1}).status_code


def test_the_request_over_the_get_cap_and_every_get_after_it_get_429(builder, start_sim, api):
    sim = start_sim(builder.build(), get_limit=5, lockout_seconds=60)
    client = api(sim)
    assert statuses(client, 7) == [200, 200, 200, 200, 200, 429, 429]
    assert sim.stats.rate_limited == 2
    assert sim.stats.responses_by_status == {200: 5, 429: 2}
    assert client.get("tickets/").json() == {"error": "Rate limit exceeded. Try again later."}


def test_posts_are_counted_separately_from_gets(builder, start_sim, api):
    builder.ticket(1)
    sim = start_sim(builder.build(), get_limit=3, post_limit=2, lockout_seconds=60)
    client = api(sim)
    assert [tag(client) for _ in range(4)] == [200, 200, 429, 429]
    assert statuses(client, 4) == [200, 200, 200, 429]
    assert sim.stats.rate_limited == 3


def test_unauthenticated_requests_do_not_spend_the_budget(builder, start_sim, api):
    sim = start_sim(builder.build(), get_limit=2)
    for _ in range(5):
        assert httpx.get(sim.api_url + "staff/").status_code == 401
    assert statuses(api(sim), 3) == [200, 200, 429]


def test_lockout_holds_past_the_window_and_is_not_extended_by_429s_then_lifts(builder, start_sim, api):
    sim = start_sim(builder.build(), get_limit=2, window_seconds=0.1, lockout_seconds=0.8)
    client = api(sim)
    assert statuses(client, 2) == [200, 200]
    tripped_before = time.monotonic()
    assert client.get("staff/").status_code == 429
    tripped_after = time.monotonic()
    while time.monotonic() < tripped_before + 0.5:  # window long gone, lockout still on
        assert client.get("staff/").status_code == 429
        time.sleep(0.05)
    time.sleep(max(0.0, tripped_after + 0.8 + 0.05 - time.monotonic()))
    assert client.get("staff/").status_code == 200


def test_retry_after_is_absent_by_default(builder, start_sim, api):
    client = api(start_sim(builder.build(), get_limit=1))
    responses = [client.get("staff/") for _ in range(2)]
    assert responses[1].status_code == 429
    assert "Retry-After" not in responses[1].headers


def test_retry_after_tells_the_seconds_left_when_switched_on(builder, start_sim, api):
    client = api(start_sim(builder.build(), get_limit=1, lockout_seconds=30, retry_after_header=True))
    responses = [client.get("staff/") for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 429, 429]
    assert responses[1].headers["Retry-After"] == "30"
    assert responses[2].headers["Retry-After"] in ("29", "30")
