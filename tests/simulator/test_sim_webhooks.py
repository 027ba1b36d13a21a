"""The simulator's webhook deliveries: which writes fire, the payload shapes, the signature
encodings, retries on non-2xx, duplicates and reordering. Deliveries go to a small capture
server on loopback (the stdlib's), independent of the project's receiver."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
import pytest

from happyfox_simulator import Simulator, SimulatorConfig
from happyfox_simulator.webhooks import WebhookSender, WebhookSettings
from tests.support.harness import HelpdeskUser, helpdesk

SECRET = "sim-webhook-secret"


@dataclass
class Capture:
    """Records each POST; answers the next status of ``statuses`` (then 200)."""

    statuses: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self) -> list[Any]:
        return [orjson.loads(body) for _, body in self.received]


@pytest.fixture
def capture() -> Iterator[tuple[Capture, str]]:
    record = Capture()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with record.lock:
                status = record.statuses.pop(0) if record.statuses else 200
                if status == 200:
                    record.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield record, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(helpdesk(10, seed=9), SimulatorConfig()) as running:
        yield running


def _staff(sim: Simulator) -> int:
    return next(s["id"] for s in sim.helpdesk.staff if s.get("active"))


def _reply(sim: Simulator, ticket_id: int, text: str = "<p>hi</p>") -> None:
    sim.store.staff_update(ticket_id, staff=_staff(sim), html=text, time_spent=1)


def test_create_and_every_update_endpoint_fire_and_delete_fires_nothing(sim: Simulator, capture: tuple[Capture, str]) -> None:
    record, url = capture
    ticket = sim.helpdesk.tickets[0]
    with WebhookSender(sim, WebhookSettings(url=url, secret=SECRET)) as sender:
        staff = _staff(sim)
        _reply(sim, ticket["id"])
        sim.store.staff_private_note(ticket["id"], staff=staff, plaintext="note", time_spent=1)
        sim.store.user_reply(ticket["id"], user=ticket["user"]["id"], text="thanks")
        sim.store.update_tags(ticket["id"], add="x", staff_id=staff)
        sim.store.update_custom_fields(ticket["id"], {"staff": staff})
        other = next(c["id"] for c in sim.helpdesk.categories if c["id"] != ticket["category"]["id"])
        sim.store.move_ticket(ticket["id"], staff_id=staff, target_category_id=other)
        sim.store.delete_ticket(sim.helpdesk.tickets[1]["id"], staff_id=staff)
        assert sender.wait_idle(10)
    events = [body["event"] for body in record.bodies()]
    assert events == ["ticket-updated"] * 6
    assert {body["ticket"]["id"] for body in record.bodies()} == {ticket["id"]}


def test_a_new_ticket_is_delivered_as_ticket_created_with_its_history(sim: Simulator, capture: tuple[Capture, str]) -> None:
    record, url = capture
    user = HelpdeskUser(sim)
    with WebhookSender(sim, WebhookSettings(url=url, secret=SECRET)) as sender:
        created = user.create_ticket("raised by POST tickets/")
        assert sender.wait_idle(10)
    user.close()
    [body] = record.bodies()
    assert body["event"] == "ticket-created"
    assert body["ticket"]["id"] == created["id"]
    assert len(body["ticket"]["updates"]) == 1


def test_the_payload_is_the_detail_view_without_custom_field_history(sim: Simulator, capture: tuple[Capture, str]) -> None:
    record, url = capture
    ticket = next(t for t in sim.helpdesk.tickets if any(u.get("custom_field_change") for u in t["updates"]))
    with WebhookSender(sim, WebhookSettings(url=url, secret=SECRET, shape="bare")) as sender:
        _reply(sim, ticket["id"])
        assert sender.wait_idle(10)
    [body] = record.bodies()
    assert body["id"] == ticket["id"] and "event" not in body
    assert all(update["custom_field_change"] is None for update in body["updates"])
    assert body["last_modified"] == ticket["last_modified"]


@pytest.mark.parametrize("shape", ["bare", "bare_event", "wrapped", "wrapped_event"])
def test_each_shape(sim: Simulator, capture: tuple[Capture, str], shape: str) -> None:
    record, url = capture
    ticket_id = sim.helpdesk.tickets[2]["id"]
    with WebhookSender(sim, WebhookSettings(url=url, secret=SECRET, shape=shape)) as sender:
        _reply(sim, ticket_id)
        assert sender.wait_idle(10)
    [body] = record.bodies()
    expected_keys = {
        "bare": None, "bare_event": "event", "wrapped": {"ticket"}, "wrapped_event": {"event", "ticket"}
    }[shape]
    if shape.startswith("wrapped"):
        assert set(body) == expected_keys and body["ticket"]["id"] == ticket_id
    else:
        assert body["id"] == ticket_id and (("event" in body) == (shape == "bare_event"))


@pytest.mark.parametrize("encoding", ["hex", "base64"])
def test_the_signature_is_hmac_sha1_of_the_raw_body(sim: Simulator, capture: tuple[Capture, str], encoding: str) -> None:
    record, url = capture
    with WebhookSender(sim, WebhookSettings(url=url, secret=SECRET, signature_encoding=encoding)) as sender:
        _reply(sim, sim.helpdesk.tickets[3]["id"])
        assert sender.wait_idle(10)
    [(headers, body)] = record.received
    digest = hmac.new(SECRET.encode(), body, hashlib.sha1).digest()
    expected = digest.hex() if encoding == "hex" else base64.b64encode(digest).decode()
    assert headers["x-happyfox-webhook-signature"] == expected


def test_a_non_2xx_answer_is_retried_until_accepted(sim: Simulator, capture: tuple[Capture, str]) -> None:
    record, url = capture
    record.statuses = [500, 503, 429]
    with WebhookSender(sim, WebhookSettings(url=url, secret=SECRET, retry_seconds=0.01)) as sender:
        _reply(sim, sim.helpdesk.tickets[4]["id"])
        assert sender.wait_idle(10)
    assert len(record.received) == 1
    assert (sender.stats.attempts, sender.stats.retried, sender.stats.delivered) == (4, 3, 1)


def test_a_delivery_that_keeps_failing_is_given_up_after_max_attempts(sim: Simulator, capture: tuple[Capture, str]) -> None:
    record, url = capture
    record.statuses = [500] * 10
    with WebhookSender(sim, WebhookSettings(url=url, secret=SECRET, retry_seconds=0.01, max_attempts=3)) as sender:
        _reply(sim, sim.helpdesk.tickets[4]["id"])
        assert sender.wait_idle(10)
    assert (sender.stats.attempts, sender.stats.given_up, len(record.received)) == (3, 1, 0)


def test_duplicates_resend_a_share_of_deliveries_byte_for_byte(sim: Simulator, capture: tuple[Capture, str]) -> None:
    record, url = capture
    with WebhookSender(sim, WebhookSettings(url=url, secret=SECRET, duplicate_rate=1.0)) as sender:
        _reply(sim, sim.helpdesk.tickets[5]["id"])
        assert sender.wait_idle(10)
    assert len(record.received) == 2 and record.received[0][1] == record.received[1][1]
    assert sender.stats.duplicates == 1


def test_a_reorder_window_delivers_writes_out_of_order(sim: Simulator, capture: tuple[Capture, str]) -> None:
    record, url = capture
    ticket_id = sim.helpdesk.tickets[6]["id"]
    with WebhookSender(sim, WebhookSettings(url=url, secret=SECRET, reorder_window=6, seed=3)) as sender:
        for number in range(6):
            _reply(sim, ticket_id, f"<p>{number}</p>")
        assert sender.wait_idle(10)
    lengths = [len(body["ticket"]["updates"]) for body in record.bodies()]
    assert sorted(lengths) == list(range(min(lengths), min(lengths) + 6))
    assert lengths != sorted(lengths)


def test_without_reordering_deliveries_follow_the_writes(sim: Simulator, capture: tuple[Capture, str]) -> None:
    record, url = capture
    ticket_id = sim.helpdesk.tickets[7]["id"]
    with WebhookSender(sim, WebhookSettings(url=url, secret=SECRET)) as sender:
        for number in range(4):
            _reply(sim, ticket_id, f"<p>{number}</p>")
        assert sender.wait_idle(10)
    lengths = [len(body["ticket"]["updates"]) for body in record.bodies()]
    assert lengths == sorted(lengths) and len(set(lengths)) == 4
