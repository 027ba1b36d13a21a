"""The receiver's front door, on a real uvicorn server on loopback: what is accepted, what is
refused, and that nothing refused is ever stored. No loader runs here; the queue is read
directly."""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path
from typing import Iterator

import httpx
import orjson
import pytest

from tests.webhooks.wh_support import SECRET, Receiver, receiver

TICKET = {"id": 42, "subject": "Printer on fire", "last_modified": "2026-03-02 10:00:00", "updates": []}


@pytest.fixture
def front(tmp_path: Path) -> Iterator[Receiver]:
    with receiver(None, tmp_path, load=False, max_body_bytes=4096) as running:
        yield running


def _stored(front: Receiver) -> tuple[int, int]:
    return front.queue.depth(), front.queue.dead_letter_count()


def test_a_hex_signed_ticket_is_queued_and_acknowledged(front: Receiver) -> None:
    response = front.post(TICKET, signature="hex")
    assert response.status_code == 200
    assert response.json()["ticket"] == 42
    assert [d.ticket_id for d in front.queue.oldest(10)] == [42]


def test_a_base64_signed_ticket_is_queued(front: Receiver) -> None:
    assert front.post(TICKET, signature="base64").status_code == 200
    assert _stored(front) == (1, 0)


def test_uppercase_hex_unpadded_urlsafe_base64_and_a_sha1_prefix_are_accepted(front: Receiver) -> None:
    body = orjson.dumps(TICKET)
    digest = hmac.new(SECRET.encode(), body, hashlib.sha1).digest()
    for value in (digest.hex().upper(), base64.urlsafe_b64encode(digest).decode().rstrip("="), "sha1=" + digest.hex()):
        assert front.post(body, signature=value).status_code == 200, value
    assert _stored(front) == (3, 0)


def test_a_wrong_signature_is_401_and_nothing_is_stored(front: Receiver) -> None:
    body = orjson.dumps(TICKET)
    wrong = hmac.new(b"not-the-secret", body, hashlib.sha1).hexdigest()
    response = front.post(body, signature=wrong)
    assert response.status_code == 401
    assert _stored(front) == (0, 0)
    assert front.health()["rejected_by_reason"] == {"signature": 1}


def test_a_signature_of_another_body_is_401(front: Receiver) -> None:
    other = hmac.new(SECRET.encode(), b'{"id": 43}', hashlib.sha1).hexdigest()
    assert front.post(TICKET, signature=other).status_code == 401
    assert _stored(front) == (0, 0)


def test_a_missing_signature_is_401_and_nothing_is_stored(front: Receiver) -> None:
    assert front.post(TICKET, signature=None).status_code == 401
    assert _stored(front) == (0, 0)


def test_a_body_over_the_limit_is_413_and_nothing_is_stored(front: Receiver) -> None:
    big = {**TICKET, "first_message": "x" * 5000}
    response = front.post(big, signature="hex")
    assert response.status_code == 413
    assert _stored(front) == (0, 0)


def test_a_chunked_body_over_the_limit_is_413_without_a_content_length(front: Receiver) -> None:
    body = orjson.dumps({**TICKET, "first_message": "x" * 5000})

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 1000):
            yield body[start : start + 1000]

    response = httpx.post(front.webhook_url, content=chunks(), headers={"X-Happyfox-Webhook-Signature": "0" * 40})
    assert response.status_code == 413
    assert _stored(front) == (0, 0)


def test_a_signed_body_that_is_not_json_is_400_and_dead_lettered_with_the_reason(front: Receiver) -> None:
    response = front.post(b"ticket=42&subject=hi", signature="hex")
    assert response.status_code == 400
    assert front.queue.depth() == 0
    [(reason, body)] = front.queue.dead_letters()
    assert reason.startswith("body is not JSON")
    assert body == b"ticket=42&subject=hi"
    assert front.health()["dead_lettered"] == 1


def test_signed_json_without_a_ticket_is_400_and_dead_lettered(front: Receiver) -> None:
    response = front.post({"event": "ticket-updated", "payload": {"subject": "no id"}}, signature="hex")
    assert response.status_code == 400
    [(reason, _)] = front.queue.dead_letters()
    assert reason.startswith("no ticket in the body")


def test_a_ticket_whose_id_is_not_a_number_is_dead_lettered(front: Receiver) -> None:
    assert front.post({"ticket": {"id": "#HFS0042"}}, signature="hex").status_code == 400
    [(reason, _)] = front.queue.dead_letters()
    assert "is not a ticket number" in reason


@pytest.mark.parametrize(
    "document",
    [
        TICKET,
        {"event": "ticket-updated", **TICKET},
        {"ticket": TICKET},
        {"event": "ticket-created", "ticket": TICKET},
        {"data": TICKET, "event_type": "ticket_updated"},
    ],
    ids=["bare", "bare-with-event", "wrapped", "wrapped-with-event", "under-data"],
)
def test_every_shape_of_payload_is_queued_as_the_ticket(front: Receiver, document: dict) -> None:
    assert front.post(document, signature="hex").status_code == 200
    [delivery] = front.queue.oldest(10)
    assert delivery.ticket_id == 42


def test_health_reports_queue_depth_counters_and_lag_and_never_the_secret(front: Receiver) -> None:
    front.post(TICKET, signature="hex")
    front.post(TICKET, signature=None)
    response = httpx.get(front.url + "/health")
    health = response.json()
    assert response.status_code == 200
    assert (health["queue_depth"], health["received"], health["rejected"], health["loaded"]) == (1, 1, 1, 0)
    assert health["lag_seconds"] >= 0.0
    assert health["last_load_at"] is None
    assert SECRET not in response.text


def test_an_acknowledged_delivery_is_already_committed_to_the_queue_file(front: Receiver) -> None:
    import sqlite3

    assert front.post(TICKET, signature="hex").status_code == 200
    with sqlite3.connect(front.queue.path) as other:  # another connection, as a restarted receiver
        assert other.execute("select ticket_id from deliveries").fetchall() == [(42,)]
        assert other.execute("pragma journal_mode").fetchone() == ("wal",)
