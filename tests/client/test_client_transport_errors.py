"""Every httpx transport error ends as a one-line HappyFox error, never a traceback."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any, Callable

import httpx
import pytest

from happyfox_sync.source.helpers import ConnectionFailedError, HappyFoxAPIError, HappyFoxClient
from tests.client.conftest import FAST


@pytest.fixture
def refusing_proxy() -> Iterator[str]:
    """An HTTP proxy on 127.0.0.1 that answers every CONNECT with 403 (a proxy that forbids the host)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(timeout=2)
    server.close()


def test_a_proxy_that_refuses_the_host_is_retried_then_reported_as_unreachable(refusing_proxy: str) -> None:
    transport = httpx.HTTPTransport(proxy=refusing_proxy)
    settings = {**FAST, "max_retries": 1}
    with HappyFoxClient("https://127.0.0.1:9", "key", "code", transport=transport, **settings) as client:
        with pytest.raises(ConnectionFailedError) as raised:
            client.get("staff/")
        retries = client.stats.retries
    assert str(raised.value).startswith(
        "Could not connect to the HappyFox host 127.0.0.1 (GET staff/) after 2 attempts: ProxyError: "
    )
    assert "\n" not in str(raised.value)
    assert retries == Counter({"proxy": 1})


def test_a_body_that_cannot_be_decoded_is_retried_until_a_readable_one_arrives(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator(fault_rate=0.5, fault_kinds=("bad_encoding",), fault_seed=3)
    client = client_for(sim, max_concurrency=4)
    tickets = list(client.get_many((f"ticket/{n}/", {}) for n in range(1, 13)))
    assert [ticket["id"] for ticket in tickets] == list(range(1, 13))
    faults = sim.stats.faults_injected["bad_encoding"]
    assert faults >= 1
    assert client.stats.retries == Counter({"decoding": faults})


def test_bodies_that_never_decode_give_up_after_max_retries_saying_so(
    simulator: Callable[..., Any], client_for: Callable[..., HappyFoxClient]
) -> None:
    sim = simulator(fault_rate=1.0, fault_kinds=("bad_encoding",))
    client = client_for(sim, max_retries=1)
    with pytest.raises(HappyFoxAPIError) as raised:
        client.get("categories/")
    assert str(raised.value).startswith(
        f"GET categories/ on {sim.base_url} failed after 2 attempts; last error: undecodable body (DecodingError: "
    )


def test_a_request_httpx_refuses_to_send_fails_at_once_with_one_line() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.LocalProtocolError("Illegal header value b'x\\n'")

    with HappyFoxClient(
        "https://acme.happyfox.com", "key", "code", transport=httpx.MockTransport(refuse), **FAST
    ) as client:
        with pytest.raises(HappyFoxAPIError) as raised:
            client.get("staff/")
        gets, retries = client.stats.total_gets, client.stats.retries
    assert str(raised.value) == (
        "GET staff/ on https://acme.happyfox.com could not be sent: LocalProtocolError: Illegal header value b'x\\n'."
    )
    assert (gets, retries) == (1, Counter())
