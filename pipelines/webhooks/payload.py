"""Find the ticket in a webhook body, whatever shape HappyFox gives it.

HappyFox "posts the ticket as JSON with an event type marking it a creation or an
update"; whether the ticket is the top-level object or wrapped is not documented, so
each reading is accepted:

* the bare ticket: ``{"id": 5, "subject": ..., ...}``;
* the bare ticket with the event beside its fields: ``{"event": "ticket-updated", "id": 5, ...}``
  (the event keys are not ticket fields and are not loaded as columns);
* wrapped: ``{"ticket": {...}}``, possibly with an event name
  (``{"event": "ticket-created", "ticket": {...}}``) or under ``data``.

Anything else (not JSON, not an object, no ticket with an integer ``id``) is
:class:`UnreadablePayload`, whose message is the reason kept in the dead-letter table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from happyfox_sync.source.transform import parse_timestamp

EVENT_KEYS = ("event", "event_type", "event_name", "webhook_event")
"""Top-level keys that name the event, never fields of a ticket."""
WRAPPER_KEYS = ("ticket", "data")


class UnreadablePayload(ValueError):
    """A signed body that holds no ticket this receiver can load; the message says why."""


@dataclass(frozen=True)
class Version:
    """How new a ticket payload is: ``last_modified``, then the length of its history.

    ``last_modified`` has whole seconds, and a busy ticket is written twice in one
    second; every write appends one update, so the number of updates orders those.
    ``None`` parts are unknown (a payload without ``updates`` or ``last_modified``).
    """

    modified: datetime | None
    updates: int | None

    def newer_than(self, stored: "Version | None") -> bool:
        """True only when this payload is provably newer than what ``stored`` describes."""
        if stored is None:
            return True
        if self.modified is None or stored.modified is None:
            return False
        if self.modified != stored.modified:
            return self.modified > stored.modified
        if self.updates is None or stored.updates is None:
            return False
        return self.updates > stored.updates

    def sort_key(self) -> tuple[float, int]:
        return (self.modified.timestamp() if self.modified else float("-inf"), -1 if self.updates is None else self.updates)


@dataclass(frozen=True)
class TicketPayload:
    """The ticket of one delivery, with what ordering needs."""

    ticket: dict[str, Any]
    event: str | None

    @property
    def ticket_id(self) -> int:
        return int(self.ticket["id"])

    @property
    def latest_update_id(self) -> int:
        """The highest ``update_id`` in the history (-1 when none): orders writes across tickets.

        Update ids are handed out account-wide as writes happen (every public client shows
        them growing); it is only a tie-break between snapshots of one contact taken in the
        same second, and a wrong reading costs nothing the next scheduled run does not fix.
        """
        ids = [u.get("update_id") for u in self.ticket.get("updates") or () if isinstance(u, dict)]
        return max((int(i) for i in ids if isinstance(i, int) and not isinstance(i, bool)), default=-1)

    def snapshot_key(self) -> tuple[float, int]:
        """How recent the embedded contact is: when its ticket was written, then the update id."""
        modified = self.version.modified
        return (modified.timestamp() if modified else float("-inf"), self.latest_update_id)

    @property
    def version(self) -> Version:
        updates = self.ticket.get("updates")
        return Version(_modified(self.ticket), len(updates) if isinstance(updates, list) else None)


def _modified(ticket: dict[str, Any]) -> datetime | None:
    try:
        return parse_timestamp(ticket.get("last_modified"))
    except ValueError:
        return None


def _event_of(document: dict[str, Any]) -> str | None:
    for key in EVENT_KEYS:
        value = document.get(key)
        if isinstance(value, str):
            return value
    return None


def read_payload(body: bytes) -> TicketPayload:
    """The ticket in ``body``, or :class:`UnreadablePayload` saying why there is none."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise UnreadablePayload(f"body is not JSON ({error})") from None
    if not isinstance(document, dict):
        raise UnreadablePayload(f"body is a JSON {type(document).__name__}, not an object holding a ticket")
    event = _event_of(document)
    ticket: Any = document
    for key in WRAPPER_KEYS:
        if isinstance(document.get(key), dict) and "id" not in document:
            ticket = document[key]
            event = event or _event_of(ticket)
            break
    if "id" not in ticket:
        raise UnreadablePayload("no ticket in the body (no object with an 'id' at the top level or under 'ticket')")
    ticket_id = ticket["id"]
    if isinstance(ticket_id, bool) or not isinstance(ticket_id, (int, str)) or not str(ticket_id).isdigit():
        raise UnreadablePayload(f"the ticket's id {ticket_id!r} is not a ticket number")
    ticket = {key: value for key, value in ticket.items() if key not in EVENT_KEYS}
    ticket["id"] = int(ticket_id)
    if ticket.get("last_modified") is not None and _modified(ticket) is None:
        raise UnreadablePayload(f"ticket {ticket['id']}: last_modified {ticket['last_modified']!r} is not a timestamp")
    return TicketPayload(ticket, event)
