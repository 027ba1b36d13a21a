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


# -- a busy helpdesk, written the real way (POSTs to the simulator's write endpoints) ------------


class HttpChurn:
    """Seeded random writes through the simulator's HTTP write endpoints, none of them deletions.

    Replies, private notes, contact replies, status changes, tag and custom field
    updates, moves and new tickets: every write HappyFox announces by webhook. A write
    the simulator refuses (a compulsory field on completion) is simply not counted.
    """

    def __init__(self, simulator: Any, seed: int) -> None:
        import random

        self.simulator = simulator
        self.rng = random.Random(seed)
        self.http = httpx.Client(base_url=simulator.api_url, auth=(simulator.api_key, simulator.auth_code), timeout=30)
        self.touched: set[int] = set()
        self.kinds: dict[str, int] = {}

    def close(self) -> None:
        self.http.close()

    def _staff(self) -> int:
        return self.rng.choice([s["id"] for s in self.simulator.helpdesk.staff if s.get("active")])

    def _ticket(self) -> dict[str, Any]:
        return self.rng.choice(self.simulator.helpdesk.tickets)

    def write(self, count: int) -> None:
        for _ in range(count):
            kind = self.rng.choice(["reply", "reply", "note", "contact", "status", "tags", "fields", "move", "new", "new"])
            ticket = self._ticket()
            path, payload = getattr(self, f"_{kind}")(ticket)
            response = self.http.post(path, json=payload)
            if response.status_code == 200:
                self.kinds[kind] = self.kinds.get(kind, 0) + 1
                body = response.json()
                self.touched.add(int(body["id"]) if kind == "new" else ticket["id"])

    def _reply(self, ticket: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return f"ticket/{ticket['id']}/staff_update/", {
            "staff": self._staff(), "html": f"<p>reply {self.rng.randrange(10**6)}</p>", "time_spent": 2}

    def _note(self, ticket: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return f"ticket/{ticket['id']}/staff_pvtnote/", {
            "staff": self._staff(), "html": f"note {self.rng.randrange(10**6)}", "time_spent": 1}

    def _contact(self, ticket: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return f"ticket/{ticket['id']}/user_reply/", {"user": ticket["user"]["id"], "text": "any news?"}

    def _status(self, ticket: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        statuses = [s["id"] for s in self.simulator.helpdesk.statuses if s["id"] != ticket["status"]["id"]]
        return f"ticket/{ticket['id']}/staff_update/", {"staff": self._staff(), "status": self.rng.choice(statuses), "time_spent": 1}

    def _tags(self, ticket: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return f"ticket/{ticket['id']}/update_tags/", {"staff_id": self._staff(), "add": f"tag{self.rng.randrange(20)}"}

    def _fields(self, ticket: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        texts = [f for f in self.simulator.helpdesk.ticket_custom_fields if f["type"] == "text"]
        payload: dict[str, Any] = {"staff": self._staff()}
        if texts:
            payload[f"t-cf-{self.rng.choice(texts)['id']}"] = f"value {self.rng.randrange(1000)}"
        return f"ticket/{ticket['id']}/update_custom_fields/", payload

    def _move(self, ticket: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        others = [c["id"] for c in self.simulator.helpdesk.categories if c["id"] != ticket["category"]["id"]]
        return f"ticket/{ticket['id']}/move/", {"staff_id": self._staff(), "target_category_id": self.rng.choice(others)}

    def _new(self, ticket: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        desk = self.simulator.helpdesk
        category = self.rng.choice([c for c in desk.categories if c.get("public", True)])
        payload: dict[str, Any] = {
            "category": category["id"], "subject": f"new {self.rng.randrange(10**6)}", "text": "help",
            "client": self.rng.choice(desk.contacts)["id"],
        }
        for definition in desk.ticket_custom_fields:
            applies = any(link.get("category") == category["id"] for link in definition.get("categories") or ())
            if definition.get("required") and applies:
                payload[f"t-cf-{definition['id']}"] = _value(definition)
        return "tickets/", payload


def _value(definition: dict[str, Any]) -> Any:
    kind = definition["type"]
    if kind == "choice":
        return definition["choices"][0]["id"]
    if kind == "multiple_choice":
        return [definition["choices"][0]["id"]]
    if kind == "number":
        return 3
    if kind == "date":
        return "2026-01-15"
    return "filled in"


WEBHOOK_TABLES = (
    "tickets", "ticket_updates", "ticket_custom_field_values", "ticket_tags", "ticket_attachments",
    "contacts", "contact_custom_field_values", "contact_group_members",
)
"""Every table a webhook payload fills; custom-field history waits for the next scheduled run."""


def ticket_gets(simulator: Any) -> int:
    return int(simulator.stats.gets_by_endpoint.get("tickets/", 0))


def detail_gets(simulator: Any) -> int:
    return int(simulator.stats.gets_by_endpoint.get("ticket/<id>/", 0))


@dataclass
class PostgresWarehouse(Warehouse):
    """The harness's warehouse in the tests' PostgreSQL server, under a dataset of its own."""

    dsn: str = ""

    def pipeline(self) -> Any:
        import dlt

        return dlt.pipeline(
            pipeline_name=self.name,
            pipelines_dir=str(self.folder / "pipelines"),
            destination=dlt.destinations.postgres(self.dsn),
            dataset_name=self.dataset,
        )

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        import psycopg2

        with psycopg2.connect(self.dsn) as connection, connection.cursor() as cursor:
            cursor.execute(f"set search_path = {self.dataset}; set timezone = 'UTC'")
            cursor.execute(sql)
            rows = cursor.fetchall()
        connection.close()
        return [tuple(row) for row in rows]
