"""The store's foundation: indexes over a :class:`Helpdesk`, one lock, reads, write plumbing.

The store is the single source of truth the server serves from and the tests
compare a warehouse with. It keeps the helpdesk's own lists current (a created
ticket is appended to ``helpdesk.tickets``, a deleted one removed) and adds id
indexes so a request never scans. ``version`` increases on every write, which is
what the list cache keys on.

All access goes through one re-entrant lock: writes mutate the ticket dicts in
place (a ticket's ``user`` *is* the contact record), so a reader serialising a
page must hold the lock too, or it could see a half-applied update.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from .config import utc_now
from .errors import REQUIRED, NotFoundError, ValidationError
from .model import JSON, Helpdesk, format_timestamp
from .payload import FieldProblem, as_int, single

FREEZE_THRESHOLD = 20_000
"""Helpdesks at least this big are moved out of the cyclic GC's reach (see :func:`_freeze_heap`)."""

P = ParamSpec("P")
R = TypeVar("R")


def locked(method: Callable[P, R]) -> Callable[P, R]:
    """Run a store method under the store's lock (re-entrant, so methods may nest)."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with args[0].lock:  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    return wrapper


def _freeze_heap() -> None:
    """Move every live object into the GC's permanent generation.

    A 100,000-ticket helpdesk is ~10 million dicts, lists and strings. Left in the
    collected generations, each full collection walks all of them (seconds), at
    moments that land inside request handling. The records have no reference cycles
    and live as long as the simulator, so exempting them from cyclic collection
    loses nothing (reference counting still frees whatever is dropped).
    """
    gc.freeze()


class StoreBase:
    """Indexes, reads and shared helpers; the write methods live in the mixins."""

    def __init__(self, helpdesk: Helpdesk, clock: Callable[[], datetime] = utc_now) -> None:
        self.helpdesk = helpdesk
        self.lock = threading.RLock()
        self.version = 0
        """Increases on every write; caches of derived data key on it."""
        self.deleted_tickets: dict[int, str] = {}
        """``{id: display_id}`` of tickets deleted through the store, for tests to check."""
        self._clock = clock
        self.on_ticket_event: Callable[[str, JSON], None] | None = None
        """Called under the lock after a write that fires a webhook (see :mod:`.webhooks`)."""
        self._last_closed: dict[int, str | None] = {}
        if len(helpdesk.tickets) >= FREEZE_THRESHOLD:
            _freeze_heap()
        self._reindex()

    # -- indexes ---------------------------------------------------------------------

    def _reindex(self) -> None:
        """Build every id index from the helpdesk lists (at start and after :meth:`invalidate`)."""
        desk = self.helpdesk
        self.tickets_by_id: dict[int, JSON] = {t["id"]: t for t in desk.tickets}
        self.contacts_by_id: dict[int, JSON] = {c["id"]: c for c in desk.contacts}
        self._contacts_by_email: dict[str, JSON] = {
            c["email"].lower(): c for c in desk.contacts if c.get("email")
        }
        self.staff_by_id: dict[int, JSON] = {s["id"]: s for s in desk.staff}
        self.statuses_by_id: dict[int, JSON] = {s["id"]: s for s in desk.statuses}
        self.priorities_by_id: dict[int, JSON] = {p["id"]: p for p in desk.priorities}
        self.categories_by_id: dict[int, JSON] = {c["id"]: c for c in desk.categories}
        self.contact_groups_by_id: dict[int, JSON] = {g["id"]: g for g in desk.contact_groups}
        self.ticket_fields_by_id: dict[int, JSON] = {f["id"]: f for f in desk.ticket_custom_fields}
        self.contact_fields_by_id: dict[int, JSON] = {f["id"]: f for f in desk.user_custom_fields}
        self._tickets_of_contact: dict[int, set[int]] = {}
        for ticket in desk.tickets:
            self._tickets_of_contact.setdefault(ticket["user"]["id"], set()).add(ticket["id"])
        known_ids = list(self.tickets_by_id) + list(self.deleted_tickets)
        self._next_ticket_id = max(known_ids, default=0) + 1
        self._next_contact_id = max(self.contacts_by_id, default=0) + 1
        phone_ids = [p.get("id", 0) for c in desk.contacts for p in c.get("phones") or []]
        self._next_phone_id = max(phone_ids, default=0) + 1
        self._last_closed.clear()

    @locked
    def invalidate(self) -> None:
        """Call after mutating ``helpdesk`` records directly: reindexes and drops caches."""
        self._reindex()
        self.version += 1

    # -- reads -----------------------------------------------------------------------

    @locked
    def ticket(self, ticket_id: int) -> JSON:
        """The live ticket record; raises the API's 404 for unknown or deleted ids."""
        ticket = self.tickets_by_id.get(ticket_id)
        if ticket is None:
            raise NotFoundError("Ticket")
        return ticket

    @locked
    def contact(self, key: int | str) -> JSON:
        """A contact by id or (case-insensitive) email; 404 when there is none."""
        if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
            found = self.contacts_by_id.get(int(key))
        else:
            found = self._contacts_by_email.get(key.lower())
        if found is None:
            raise NotFoundError("Contact")
        return found

    @locked
    def contact_group(self, group_id: int) -> JSON:
        """A contact group record; 404 when unknown."""
        group = self.contact_groups_by_id.get(group_id)
        if group is None:
            raise NotFoundError("Contact group")
        return group

    @locked
    def group_members(self, group_id: int) -> list[JSON]:
        """Contacts whose ``contact_groups`` include the group, ordered by id."""
        return [
            contact
            for contact in self.helpdesk.contacts
            if any(g.get("id") == group_id for g in contact.get("contact_groups") or [])
        ]

    def iter_tickets(self) -> Iterator[JSON]:
        """Every live ticket (hold :attr:`lock` while iterating)."""
        return iter(self.tickets_by_id.values())

    def last_closed_at(self, ticket: JSON) -> str | None:
        """When the ticket last moved into a completed-behaviour status, from its history.

        ``None`` if no update shows such a status change (the current status alone
        doesn't tell when it was reached). Cached per ticket until it is written.
        """
        ticket_id = ticket["id"]
        if ticket_id in self._last_closed:
            return self._last_closed[ticket_id]
        found = None
        for entry in reversed(ticket.get("updates") or []):
            change = entry.get("status_change")
            if change and self._is_completed(change.get("new")):
                found = entry.get("timestamp")
                break
        self._last_closed[ticket_id] = found
        return found

    def _is_completed(self, status_id: Any) -> bool:
        status = self.statuses_by_id.get(status_id)
        return bool(status) and status.get("behavior") == "completed"

    # -- write plumbing ----------------------------------------------------------------

    def _now(self) -> str:
        """The write timestamp, from the simulator's clock."""
        return format_timestamp(self._clock())

    def _take_update_id(self) -> int:
        update_id = self.helpdesk.next_update_id
        self.helpdesk.next_update_id += 1
        return update_id

    def _ticket_event(self, event: str, ticket: JSON) -> None:
        """A write HappyFox announces by webhook (``ticket-created`` / ``ticket-updated``)."""
        if self.on_ticket_event is not None:
            self.on_ticket_event(event, ticket)

    def _touched(self, ticket: JSON | None = None) -> None:
        """Record that a write happened (and that a ticket's derived data is stale)."""
        if ticket is not None:
            self._last_closed.pop(ticket["id"], None)
        self.version += 1

    def _recount(self, contact_id: int) -> None:
        """Refresh a contact's ``tickets_count`` / ``pending_tickets_count`` after a ticket write."""
        contact = self.contacts_by_id.get(contact_id)
        if contact is None:
            return
        ids = self._tickets_of_contact.get(contact_id, set())
        tickets = [self.tickets_by_id[i] for i in ids if i in self.tickets_by_id]
        contact["tickets_count"] = len(tickets)
        contact["pending_tickets_count"] = sum(
            1 for t in tickets if (t.get("status") or {}).get("behavior") == "pending"
        )

    def _lookup(
        self,
        index: dict[int, JSON],
        payload: JSON,
        key: str,
        errors: dict[str, list[str]],
        *,
        required: bool = False,
    ) -> JSON | None:
        """Resolve ``payload[key]`` as an id in ``index``, collecting a field error if bad."""
        raw = single(payload.get(key))
        if raw is None or raw == "":
            if required:
                errors.setdefault(key, []).append(REQUIRED)
            return None
        try:
            found = index.get(as_int(raw))
        except FieldProblem as problem:
            errors.setdefault(key, []).append(str(problem))
            return None
        if found is None:
            errors.setdefault(key, []).append(
                f"Select a valid choice. {raw} is not one of the available choices."
            )
        return found

    @staticmethod
    def _raise_if(errors: dict[str, list[str]], *, listed: bool) -> None:
        if errors:
            raise ValidationError(errors, listed=listed)
