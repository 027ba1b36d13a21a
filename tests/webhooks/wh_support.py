"""Plumbing for the webhook tests: a real uvicorn receiver on loopback, signed posts.

The receiver here is the package's own app and loader, served by uvicorn from a thread
of the test process on a free loopback port, loading into the harness's DuckDB
warehouse (the same pipeline the harness's scheduled sync runs).
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import httpx
import orjson
import uvicorn

from happyfox_sync.webhooks.app import create_app
from happyfox_sync.webhooks.loader import LoadTarget, WebhookLoader
from happyfox_sync.webhooks.queue import DeliveryQueue
from happyfox_sync.webhooks.settings import WebhookSettings
from happyfox_sync.webhooks.verify import SIGNATURE_HEADER, sign
from tests.support.harness import Warehouse

SECRET = "whsec-test-7f3a91c2"


@dataclass
class Receiver:
    url: str
    queue: DeliveryQueue
    loader: WebhookLoader | None
    settings: WebhookSettings

    @property
    def webhook_url(self) -> str:
        return self.url + "/happyfox/webhook"

    def post(self, body: bytes | dict[str, Any], *, signature: str | None = "hex", headers: dict[str, str] | None = None) -> httpx.Response:
        """POST ``body``; ``signature`` is "hex", "base64", a literal header value, or None (no header)."""
        raw = body if isinstance(body, bytes) else orjson.dumps(body)
        sent = dict(headers or {})
        if signature in ("hex", "base64"):
            sent[SIGNATURE_HEADER] = sign(self.settings.secret, raw, signature)
        elif signature is not None:
            sent[SIGNATURE_HEADER] = signature
        return httpx.post(self.webhook_url, content=raw, headers={"Content-Type": "application/json", **sent}, timeout=30)

    def health(self) -> dict[str, Any]:
        return httpx.get(self.url + "/health", timeout=30).json()

    def wait_drained(self, timeout: float = 60.0) -> float:
        """Seconds until the queue is empty and no batch is loading."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.queue.depth() == 0 and (self.loader is None or not self.loader.busy):
                return time.monotonic() - started
            time.sleep(0.05)
        raise TimeoutError(f"queue still holds {self.queue.depth()} deliveries after {timeout} s")


def settings(**overrides: Any) -> WebhookSettings:
    values: dict[str, Any] = {"secret": SECRET, "batch_seconds": 0.2, "batch_tickets": 1000}
    values.update(overrides)
    return WebhookSettings(**values)


@contextmanager
def receiver(warehouse: Warehouse | None, folder: Path, *, load: bool = True, **overrides: Any) -> Iterator[Receiver]:
    """A receiver on a free loopback port; with ``load`` its loader writes into ``warehouse``."""
    config = settings(**overrides)
    queue = DeliveryQueue(folder / "webhooks.sqlite")
    loader = None
    if load and warehouse is not None:
        target = LoadTarget(warehouse.pipeline, warehouse.folder / "pipelines", warehouse.name)
        loader = WebhookLoader(queue, target, config)
    app = create_app(config, queue, loader)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the receiver did not start")
        time.sleep(0.02)
    try:
        yield Receiver(f"http://127.0.0.1:{port}", queue, loader, config)
    finally:
        server.should_exit = True
        thread.join(timeout=120)
        queue.close()
        sock.close()
