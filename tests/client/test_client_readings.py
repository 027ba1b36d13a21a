"""The client under the readings of HappyFox's public pages: 503 throttling, redirects, slashes.

Throttling runs against the simulator's real rate limiter in each of its readings;
redirects to other hosts cannot be served by a loopback simulator, so those use an
``httpx.MockTransport`` standing in for ``https://acme.happyfox.com`` and record
every request it was sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from happyfox_sync.source.helpers import HappyFoxClient
from happyfox_sync.source.helpers.errors import HappyFoxAPIError, RateLimitLockoutError
from happyfox_sync.source.helpers.redirects import redirect_target
from happyfox_sync.source.helpers.throttle import throttle_wait_seconds

THROTTLES = ("503_message", "503_field", "503_text")


# -- throttling as 503 with the wait in the body ----------------------------------------


@pytest.mark.parametrize("reading", THROTTLES)
def test_a_503_saying_how_long_to_wait_is_waited_out_and_the_request_resent(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient], reading: str
) -> None:
    sim = simulator(get_limit=2, window_seconds=60.0, lockout_seconds=0.5, throttle_response=reading)
    client = client_for(sim, rate_limit_lockout_seconds=600.0)
    answers = [client.get("staff/") for _ in range(3)]
    assert [len(answer) for answer in answers] == [len(sim.helpdesk.staff)] * 3
    assert sim.stats.responses_by_status[503] == 1
    assert (client.stats.rate_limited, client.stats.retries) == (1, {})
    # the body said "1 second" (0.5 rounded up) + the 1 s margin; not the 600 s of a 429
    assert client.stats.lockout_wait_seconds == pytest.approx(2.0, abs=0.05)


def test_a_503_without_a_wait_keeps_the_quick_backoff(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator(fault_rate=1.0, fault_kinds=("503",))
    client = client_for(sim, max_retries=2)
    with pytest.raises(HappyFoxAPIError, match=r"failed after 3 attempts; last error: HTTP 503 Service Unavailable"):
        client.get("staff/")
    assert (client.stats.rate_limited, client.stats.retries, client.stats.lockout_wait_seconds) == (0, {"http_503": 2}, 0.0)


def test_a_503_throttle_with_waiting_off_stops_saying_the_account_is_locked_out(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator(get_limit=1, window_seconds=60.0, lockout_seconds=600.0, throttle_response="503_message")
    client = client_for(sim, wait_on_lockout=False)
    client.get("staff/")
    with pytest.raises(RateLimitLockoutError) as raised:
        client.get("staff/")
    assert str(raised.value).startswith(
        f"HappyFox account {sim.base_url} is locked out by the HappyFox rate limit (HTTP 503 on GET staff/); "
    )
    assert raised.value.wait_seconds == pytest.approx(601.0, abs=1.0)


def test_a_429_is_still_waited_out_for_the_configured_lockout(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator(get_limit=1, window_seconds=60.0, lockout_seconds=0.5)
    client = client_for(sim, rate_limit_lockout_seconds=0.5)
    client.get("staff/")
    client.get("staff/")
    assert (sim.stats.responses_by_status[429], client.stats.rate_limited) == (1, 1)
    assert client.stats.lockout_wait_seconds == pytest.approx(1.5, abs=0.05)


@pytest.mark.parametrize(
    ("body", "seconds"),
    [
        (b'{"error": "Too many requests. Please retry after 37 seconds."}', 37.0),
        (b'{"error": "Request throttled", "retry_after": 37}', 37.0),
        (b'{"error": {"message": "throttled", "wait_seconds": "12.5"}}', 12.5),
        (b'{"error": ["Rate limit reached, try again in 2 minutes"]}', 120.0),
        (b"Throttled: wait 45s before the next request", 45.0),
        (b"Too many requests. Retry after 99999 seconds.", 3600.0),
    ],
)
def test_throttle_waits_are_read_from_every_body_shape(body: bytes, seconds: float) -> None:
    assert throttle_wait_seconds(body) == seconds


@pytest.mark.parametrize(
    "body",
    [
        b"<html><head><title>503 Service Unavailable</title></head><body><h1>503 Service Unavailable</h1></body></html>",
        b'{"error": "Service temporarily unavailable for 30 seconds of maintenance"}',
        b'{"error": "Please retry later"}',
        b"",
    ],
)
def test_a_503_body_that_states_no_throttle_wait_is_no_throttle(body: bytes) -> None:
    assert throttle_wait_seconds(body) is None


# -- trailing slashes and redirects --------------------------------------------------------


def test_the_client_never_sends_a_path_without_its_trailing_slash(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator(redirect_unslashed=True)
    client = client_for(sim)
    client.get("ticket/1")
    client.get("/tickets", {"status": "_all"})
    client.get("/api/1.1/json/staff")
    list(client.get_many([("ticket/2", None), ("user/1", None)]))
    assert 301 not in sim.stats.responses_by_status
    assert sim.stats.responses_by_status[200] == 5


class Recorder:
    """A fake HappyFox host: answers from ``routes`` (exact URL -> response) and records what it was sent."""

    def __init__(self, routes: dict[str, httpx.Response]) -> None:
        self.routes = routes
        self.sent: list[tuple[str, str | None]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((str(request.url), request.headers.get("Authorization")))
        response = self.routes.get(str(request.url))
        if response is None:
            return httpx.Response(404, json={"error": "Page not found"})
        return httpx.Response(response.status_code, headers=response.headers, content=response.content)


API = "https://acme.happyfox.com/api/1.1/json/"


def _client(recorder: Recorder) -> HappyFoxClient:
    return HappyFoxClient(
        "https://acme.happyfox.com", "key-123", "code-456", max_gets_per_minute=6000,
        retry_backoff_seconds=0.01, retry_backoff_max_seconds=0.02, transport=httpx.MockTransport(recorder),
    )


def _moved(location: str, status: int = 301) -> httpx.Response:
    return httpx.Response(status, headers={"Location": location})


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_the_same_host_over_https_is_followed_with_the_credentials(status: int) -> None:
    recorder = Recorder({
        f"{API}tickets/?status=_all": _moved(f"{API}tickets/?status=_all&page=1", status),
        f"{API}tickets/?status=_all&page=1": httpx.Response(200, json={"page_info": {}, "data": [7]}),
    })
    with _client(recorder) as client:
        assert client.get("tickets/", {"status": "_all"}) == {"page_info": {}, "data": [7]}
        assert client.stats.gets_by_endpoint == {"tickets/": 2}
    assert [url for url, _ in recorder.sent] == [f"{API}tickets/?status=_all", f"{API}tickets/?status=_all&page=1"]
    assert recorder.sent[0][1] == recorder.sent[1][1] is not None


def test_a_relative_redirect_stays_on_the_account_host() -> None:
    recorder = Recorder({
        f"{API}staff/": _moved("/api/1.1/json/staff/?page=1"),
        f"{API}staff/?page=1": httpx.Response(200, json=[{"id": 1}]),
    })
    with _client(recorder) as client:
        assert client.get("staff/") == [{"id": 1}]


@pytest.mark.parametrize(
    ("location", "shown"),
    [
        ("https://login.elsewhere.example/api/1.1/json/staff/", "https://login.elsewhere.example"),
        ("http://acme.happyfox.com/api/1.1/json/staff/", "http://acme.happyfox.com"),
        ("https://acme.happyfox.com:8443/api/1.1/json/staff/", "https://acme.happyfox.com:8443"),
        ("https://user:pw@acme.happyfox.com/api/1.1/json/staff/", "https://acme.happyfox.com"),
    ],
)
def test_a_redirect_elsewhere_is_not_followed_and_nothing_is_sent_there(location: str, shown: str) -> None:
    recorder = Recorder({f"{API}staff/": _moved(location)})
    with _client(recorder) as client, pytest.raises(HappyFoxAPIError) as raised:
        client.get("staff/")
    assert str(raised.value) == (
        f"GET staff/ on https://acme.happyfox.com was redirected (HTTP 301) to {shown}, which is not the "
        "account's own host over https: not followed, so the credentials are not sent there."
    )
    assert [url for url, _ in recorder.sent] == [f"{API}staff/"]
    assert "key-123" not in str(raised.value) and "code-456" not in str(raised.value)


def test_a_redirect_loop_stops_after_three_hops() -> None:
    recorder = Recorder({f"{API}staff/": _moved(f"{API}staff/")})
    with _client(recorder) as client, pytest.raises(HappyFoxAPIError, match="redirected more than 3 times"):
        client.get("staff/")
    assert len(recorder.sent) == 4


def test_a_redirect_without_location_is_an_error_naming_the_endpoint() -> None:
    recorder = Recorder({f"{API}staff/": httpx.Response(301)})
    with _client(recorder) as client, pytest.raises(HappyFoxAPIError, match=r"GET staff/ on https://acme.happyfox.com answered HTTP 301 without a Location header"):
        client.get("staff/")


def test_the_simulators_own_slash_redirect_is_followed_on_its_loopback_host(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator(redirect_unslashed=True)
    client = client_for(sim)
    # what the simulator answers for a path without its slash, judged by the client's own rule
    response = httpx.get(f"{sim.api_url}ticket/1", auth=(sim.api_key, sim.auth_code))
    assert response.status_code == 301
    assert redirect_target(response, client.api_url, account_url=client.account_url, endpoint="ticket/<id>/") == f"{sim.api_url}ticket/1/"
