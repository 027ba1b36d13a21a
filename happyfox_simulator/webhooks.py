"""Webhook deliveries: the simulator posts each created or updated ticket to a URL, signed.

HappyFox posts the ticket as JSON when a ticket is created (``POST tickets/``) or
updated (``staff_update``, ``staff_pvtnote``, ``user_reply``, ``update_tags``,
``update_custom_fields``, ``move``); deletions and forwards fire nothing. The store
calls :meth:`WebhookSender.ticket_event` under its lock after each such write (the
churn's writes included), and the ticket is rendered there and then, as the detail
endpoint shows it without ``show_cf_changes`` (``custom_field_change`` null, attachment
URLs signed), so the payload is a snapshot of that moment.

Where the documents are silent, a switch for each reading (:class:`WebhookSettings`):

* ``shape``: ``"bare"`` (the ticket), ``"bare_event"`` (the ticket with an ``event``
  key), ``"wrapped"`` (``{"ticket": ...}``) or ``"wrapped_event"``
  (``{"event": "ticket-created"|"ticket-updated", "ticket": ...}``, the default);
* ``signature_encoding``: ``"hex"`` or ``"base64"`` HMAC-SHA1 of the raw body under
  ``secret``, in ``X-Happyfox-Webhook-Signature`` (after ``signature_prefix``, e.g. ``sha1=``);
* ``duplicate_rate``: the share of deliveries sent a second time, later;
* ``reorder_window``: deliveries are sent in a seeded shuffled order within runs of
  this many, or what has gathered after ``HOLD_SECONDS`` (``1`` keeps the order of the writes);
* a non-2xx answer or a connection failure is retried, ``max_attempts`` times in all,
  ``retry_seconds`` apart, doubling; a delivery that still fails is given up and counted.

Deliveries go out from one background thread, in ``seed``-determined order.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING

import httpx
import orjson

from .model import JSON
from .render import RenderOptions, render_ticket

if TYPE_CHECKING:
    from .simulator import Simulator

SHAPES = ("bare", "bare_event", "wrapped", "wrapped_event")
ENCODINGS = ("hex", "base64")
SIGNATURE_HEADER = "X-Happyfox-Webhook-Signature"
HOLD_SECONDS = 0.5
"""A reorder window that has not filled up is sent after this long."""


@dataclass
class WebhookSettings:
    """Where and how the simulated account delivers webhooks."""

    url: str
    secret: str
    shape: str = "wrapped_event"
    signature_encoding: str = "hex"
    signature_prefix: str = ""
    duplicate_rate: float = 0.0
    reorder_window: int = 1
    max_attempts: int = 8
    retry_seconds: float = 0.2
    timeout_seconds: float = 10.0
    seed: int = 0

    def validate(self) -> None:
        if self.shape not in SHAPES:
            raise ValueError(f"shape must be one of {SHAPES}, not {self.shape!r}")
        if self.signature_encoding not in ENCODINGS:
            raise ValueError(f"signature_encoding must be one of {ENCODINGS}, not {self.signature_encoding!r}")
        if not 0.0 <= self.duplicate_rate <= 1.0 or self.reorder_window < 1 or self.max_attempts < 1:
            raise ValueError("duplicate_rate must be in [0, 1], reorder_window and max_attempts at least 1")


@dataclass
class WebhookStats:
    events: int = 0
    deliveries: int = 0
    duplicates: int = 0
    attempts: int = 0
    delivered: int = 0
    retried: int = 0
    given_up: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    delivered_ids: list[int] = field(default_factory=list)


@dataclass
class _Delivery:
    ticket_id: int
    body: bytes
    attempts: int = 0
    due: float = 0.0


def signature(secret: str, body: bytes, encoding: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha1).digest()
    return digest.hex() if encoding == "hex" else base64.b64encode(digest).decode("ascii")


class WebhookSender:
    """Delivers the simulator's ticket events to ``settings.url`` while started."""

    def __init__(self, simulator: Simulator, settings: WebhookSettings) -> None:
        settings.validate()
        self.simulator = simulator
        self.settings = settings
        self.stats = WebhookStats()
        self._rng = random.Random(settings.seed)
        self._pending: list[_Delivery] = []
        self._held: list[_Delivery] = []
        self._held_since = 0.0
        self._in_flight = 0
        self._cond = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._http = httpx.Client(timeout=settings.timeout_seconds)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> WebhookSender:
        self.simulator.store.on_ticket_event = self.ticket_event
        self._thread = threading.Thread(target=self._run, name="happyfox-simulator-webhooks", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self.simulator.store.on_ticket_event == self.ticket_event:
            self.simulator.store.on_ticket_event = None
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._http.close()

    def __enter__(self) -> WebhookSender:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    # -- events (called by the store, under its lock) ----------------------------------------------

    def payload(self, event: str, ticket: JSON) -> bytes:
        """The body HappyFox would post for ``event`` on ``ticket``, in the configured shape."""
        signer = self.simulator.signer
        view = render_ticket(ticket, RenderOptions(signer, signer.expiry(self.simulator.now())))
        shape = self.settings.shape
        if shape == "bare":
            document: JSON = view
        elif shape == "bare_event":
            document = {"event": event, **view}
        elif shape == "wrapped":
            document = {"ticket": view}
        else:
            document = {"event": event, "ticket": view}
        return orjson.dumps(document)

    def ticket_event(self, event: str, ticket: JSON) -> None:
        body = self.payload(event, ticket)
        with self._cond:
            self.stats.events += 1
            copies = 2 if self._rng.random() < self.settings.duplicate_rate else 1
            self.stats.duplicates += copies - 1
            if not self._held:
                self._held_since = time.monotonic()
            for _ in range(copies):
                self._held.append(_Delivery(int(ticket["id"]), body))
            window = self.settings.reorder_window
            if len(self._held) >= window:
                self._release_held()
            self._cond.notify_all()

    def flush(self) -> None:
        """Release deliveries held back for reordering (a window that never filled up)."""
        with self._cond:
            self._release_held()
            self._cond.notify_all()

    def _release_held(self) -> None:
        held, self._held = self._held, []
        if self.settings.reorder_window > 1:
            self._rng.shuffle(held)
        self._pending.extend(held)
        self.stats.deliveries += len(held)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Flush, then wait until every delivery is delivered or given up."""
        self.flush()
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._in_flight or self._held:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))
        return True

    # -- the delivery thread ---------------------------------------------------------------------

    def _next(self) -> _Delivery | None:
        with self._cond:
            while not self._stopping:
                now = time.monotonic()
                if self._held and now - self._held_since >= HOLD_SECONDS:
                    self._release_held()
                for index, delivery in enumerate(self._pending):
                    if delivery.due <= now:
                        self._in_flight += 1
                        return self._pending.pop(index)
                soonest = min((d.due for d in self._pending), default=now + 0.1)
                self._cond.wait(max(0.005, min(0.1, soonest - now)))
        return None

    def _run(self) -> None:
        while True:
            delivery = self._next()
            if delivery is None:
                return
            ok = self._send(delivery)
            with self._cond:
                self._in_flight -= 1
                if ok:
                    self.stats.delivered += 1
                    self.stats.delivered_ids.append(delivery.ticket_id)
                elif delivery.attempts >= self.settings.max_attempts:
                    self.stats.given_up += 1
                else:
                    self.stats.retried += 1
                    delivery.due = time.monotonic() + self.settings.retry_seconds * 2 ** (delivery.attempts - 1)
                    self._pending.append(delivery)
                self._cond.notify_all()

    def _send(self, delivery: _Delivery) -> bool:
        settings = self.settings
        delivery.attempts += 1
        with self._cond:
            self.stats.attempts += 1
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: settings.signature_prefix + signature(settings.secret, delivery.body, settings.signature_encoding),
        }
        try:
            response = self._http.post(settings.url, content=delivery.body, headers=headers)
        except httpx.HTTPError:
            return False
        with self._cond:
            self.stats.statuses[response.status_code] += 1
        return 200 <= response.status_code < 300
