"""The client against the simulator over real HTTP: URLs, auth, errors, GET-only, stats, logs."""

from __future__ import annotations

import base64
import logging
import traceback
from collections import Counter
from typing import Any, Callable

import pytest

from happyfox_sync.source.helpers import (
    AuthenticationError,
    ConnectionFailedError,
    HappyFoxAPIError,
    HappyFoxClient,
    NotFoundError,
)

WRONG_CODE = "wrong-auth-code-5ecret"


def test_client_accepts_the_simulator_root_url(simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]) -> None:
    sim = simulator()
    statuses = client_for(sim).get("statuses/")
    assert [status["name"] for status in statuses] == ["New", "Open", "In Progress", "On Hold", "Resolved", "Closed"]


def test_client_accepts_a_base_url_already_ending_in_the_api_path(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator()
    client = client_for(sim, base_url=sim.base_url + "/api/1.1/json")
    assert client.api_url == sim.base_url + "/api/1.1/json/"
    assert len(client.get("statuses/")) == 6


def test_wrong_auth_code_raises_authentication_error_naming_the_account_url(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator()
    client = client_for(sim, auth_code=WRONG_CODE)
    with pytest.raises(AuthenticationError) as raised:
        client.get("tickets/")
    assert str(raised.value) == (
        f"HappyFox at {sim.base_url} rejected the API key / auth code pair (HTTP 401 on GET tickets/): "
        "check the source's api_key and auth_code and that the key is active."
    )
    assert raised.value.status_code == 401


def test_authentication_failure_is_not_retried(simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]) -> None:
    sim = simulator()
    client = client_for(sim, auth_code=WRONG_CODE)
    with pytest.raises(AuthenticationError):
        client.get("staff/")
    assert sim.stats.total_gets == 1
    assert client.stats.total_gets == 1
    assert client.stats.retries == Counter()


def test_secrets_never_appear_in_error_repr_traceback_or_logs(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient], caplog: pytest.LogCaptureFixture
) -> None:
    sim = simulator()
    client = client_for(sim, auth_code=WRONG_CODE)
    caplog.set_level(logging.DEBUG)  # every logger, httpx and httpcore included
    with pytest.raises(AuthenticationError) as raised:
        client.get("tickets/", {"size": 50})
    texts = [
        str(raised.value),
        repr(raised.value),
        "".join(traceback.format_exception(raised.value)),
        repr(client),
        caplog.text,
    ]
    basic = base64.b64encode(f"{sim.api_key}:{WRONG_CODE}".encode()).decode()
    for text in texts:
        for secret in (sim.api_key, WRONG_CODE, basic):
            assert secret not in text


def test_unknown_record_raises_not_found_with_the_path_without_retrying(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator()
    client = client_for(sim)
    with pytest.raises(NotFoundError) as raised:
        client.get("ticket/999999/")
    assert raised.value.path == "ticket/999999/"
    assert raised.value.endpoint == "ticket/<id>/"
    assert sim.stats.total_gets == 1


def test_optional_priorities_endpoint_404_is_a_not_found_error(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator(priorities_endpoint=False)
    with pytest.raises(NotFoundError):
        client_for(sim).get("priorities/")


def test_bad_request_raises_api_error_with_the_body_text_without_retrying(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator()
    client = client_for(sim)
    with pytest.raises(HappyFoxAPIError) as raised:
        client.get("tickets/", {"page": 0})
    assert str(raised.value) == (
        f"GET tickets/ on {sim.base_url} failed with HTTP 400: page: Enter a whole number greater than 0, not '0'."
    )
    assert raised.value.status_code == 400
    assert sim.stats.total_gets == 1


def test_unreachable_host_raises_connection_failed_naming_the_host(client_for: Callable[..., HappyFoxClient]) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    class Nowhere:
        base_url = f"http://127.0.0.1:{port}"
        api_key = "key"
        auth_code = "code"

    client = client_for(Nowhere, max_retries=2)
    with pytest.raises(ConnectionFailedError) as raised:
        client.get("staff/")
    assert raised.value.host == "127.0.0.1"
    assert str(raised.value).startswith("Could not connect to the HappyFox host 127.0.0.1 (GET staff/) after 3 attempts")
    assert client.stats.retries == Counter({"connection": 2})


def test_client_exposes_no_request_method_but_get() -> None:
    public = {name for name in dir(HappyFoxClient) if not name.startswith("_")}
    assert {name for name in public if callable(getattr(HappyFoxClient, name))} == {"get", "get_many", "close", "server_clock_offset"}


def test_simulator_only_ever_sees_get(simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]) -> None:
    sim = simulator()
    client = client_for(sim)
    client.get("staff/")
    client.get("tickets/", {"size": 5, "status": "_all"})
    list(client.get_many([(f"ticket/{n}/", {}) for n in range(1, 6)]))
    assert sim.stats.methods_seen == Counter({"GET": 7})


def test_stats_count_gets_by_endpoint_template_like_the_server(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator()
    client = client_for(sim)
    client.get("staff/")
    client.get("tickets/", {"size": 10, "page": 1})
    client.get("tickets/", {"size": 10, "page": 2})
    list(client.get_many([(f"ticket/{n}/", {"show_cf_changes": "true"}) for n in (3, 1, 2)]))
    expected = Counter({"staff/": 1, "tickets/": 2, "ticket/<id>/": 3})
    assert client.stats.gets_by_endpoint == expected
    assert sim.stats.gets_by_endpoint == expected
    assert client.stats.total_gets == 6


def test_summary_reports_the_counters(simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]) -> None:
    sim = simulator()
    client = client_for(sim)
    client.get("categories/")
    client.get("categories/")
    summary = client.stats.summary()
    assert summary["total_gets"] == 2
    assert summary["gets_by_endpoint"] == {"categories/": 2}
    assert summary["retries"] == {}
    assert summary["total_retries"] == 0
    assert summary["rate_limited"] == 0
    assert summary["lockout_wait_seconds"] == 0.0
    assert set(summary) == {
        "started_at",
        "elapsed_seconds",
        "total_gets",
        "gets_per_minute",
        "gets_by_endpoint",
        "retries",
        "total_retries",
        "rate_limited",
        "lockout_wait_seconds",
    }


def test_each_request_is_logged_at_debug_with_endpoint_status_and_time(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient], caplog: pytest.LogCaptureFixture
) -> None:
    sim = simulator()
    client = client_for(sim)
    caplog.set_level(logging.DEBUG, logger="happyfox_sync.client")
    client.get("ticket/4/")
    records = [r for r in caplog.records if r.name == "happyfox_sync.client" and r.levelno == logging.DEBUG]
    assert len(records) == 1
    assert records[0].levelno == logging.DEBUG
    assert records[0].getMessage().startswith("GET ticket/<id>/ -> 200 in ")


def test_params_are_sent_as_the_query_string(simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]) -> None:
    sim = simulator()
    page = client_for(sim).get("tickets/", {"size": 7, "page": 2, "status": "_all"})
    assert page["page_info"]["count"] == 7
    assert page["page_info"]["start_index"] == 8
    assert page["page_info"]["last_index"] == 40


def test_closed_client_cannot_send(simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]) -> None:
    sim = simulator()
    with client_for(sim) as client:
        client.get("staff/")
    with pytest.raises(RuntimeError):
        client.get("staff/")


def test_secrets_never_appear_when_retries_give_up_or_the_host_is_down(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient], caplog: pytest.LogCaptureFixture
) -> None:
    import socket

    sim = simulator(fault_rate=1.0, fault_kinds=("503", "reset", "truncated"), api_key="key-7f3a9", auth_code="code-b41e2")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    for base_url in (sim.base_url, dead_url):
        client = client_for(sim, base_url=base_url, max_retries=3)
        try:
            client.get("tickets/")
        except Exception as exc:  # noqa: BLE001 - the test inspects whatever was raised
            errors.append(exc)
    assert [type(e).__name__ for e in errors] == ["HappyFoxAPIError", "ConnectionFailedError"]
    basic = base64.b64encode(b"key-7f3a9:code-b41e2").decode()
    texts = [caplog.text] + ["".join(traceback.format_exception(e)) + repr(e) for e in errors]
    for text in texts:
        for secret in ("key-7f3a9", "code-b41e2", basic):
            assert secret not in text


def test_server_clock_offset_comes_from_the_date_header_and_never_overstates_it(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    from datetime import datetime, timedelta

    ahead = timedelta(hours=3)
    sim = simulator(clock=lambda: datetime.utcnow() + ahead)
    client = client_for(sim)
    assert client.server_clock_offset() is None
    client.get("staff/")
    offset = client.server_clock_offset()
    assert offset is not None
    assert ahead.total_seconds() - 2.0 <= offset <= ahead.total_seconds()
