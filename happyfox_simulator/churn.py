"""Random writes between pages: what a busy helpdesk does while a sync is paging.

After each ``tickets/`` page the simulator can apply ``churn_per_page`` mutations,
all through the store's public write methods (so they are real, validated writes
with proper update entries). The mix:

* 40% staff reply (moves the ticket to the front of the default order), a third of
  them also changing the status;
* 15% contact reply (also moves the ticket to the front);
* 15% status change without a reply (moves ``last_modified`` only);
* 20% new ticket;
* 10% deletion (shifts every later ticket up by one position).

Draws come from ``random.Random(churn_seed)``, reseeded when the seed changes.
A mutation the store refuses (say, a compulsory field this churn didn't fill) is
retried as another draw, a few times at most.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import date

from . import custom_fields as cf
from .errors import ApiError
from .model import JSON
from .store import Store

MAX_ATTEMPTS = 5


class Churn:
    """Applies seeded random mutations to a store."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seed: int | None = None
        self._rng = random.Random(0)

    def apply(self, store: Store, count: int, seed: int) -> list[str]:
        """Apply ``count`` mutations atomically (one lock hold); return what was done."""
        if count <= 0:
            return []
        done: list[str] = []
        with self._lock, store.lock:
            if self._seed != seed:
                self._seed = seed
                self._rng = random.Random(seed)
            for _ in range(count):
                for _attempt in range(MAX_ATTEMPTS):
                    outcome = self._one(store)
                    if outcome is not None:
                        done.append(outcome)
                        break
        return done

    def _one(self, store: Store) -> str | None:
        rng = self._rng
        actions: list[tuple[float, Callable[[Store], str | None]]] = [
            (0.40, self._staff_reply),
            (0.15, self._contact_reply),
            (0.15, self._status_change),
            (0.20, self._new_ticket),
            (0.10, self._delete),
        ]
        roll = rng.random()
        for weight, action in actions:
            if roll < weight:
                try:
                    return action(store)
                except ApiError:
                    return None
            roll -= weight
        return None

    # -- actions -------------------------------------------------------------------------

    def _pick_ticket(self, store: Store) -> JSON | None:
        tickets = store.helpdesk.tickets
        return self._rng.choice(tickets) if tickets else None

    def _pick_staff(self, store: Store) -> JSON | None:
        staff = [s for s in store.helpdesk.staff if s.get("active", True)] or store.helpdesk.staff
        return self._rng.choice(staff) if staff else None

    def _staff_reply(self, store: Store) -> str | None:
        ticket, staff = self._pick_ticket(store), self._pick_staff(store)
        if ticket is None or staff is None:
            return None
        payload: JSON = {
            "staff": staff["id"],
            "html": f"<p>Churn reply #{self._rng.randrange(10**6)}</p>",
            "time_spent": self._rng.randint(1, 30),
        }
        if self._rng.random() < 1 / 3:
            payload.update(self._status_payload(store, ticket))
        store.staff_update(ticket["id"], payload)
        return f"staff_reply {ticket['id']}"

    def _contact_reply(self, store: Store) -> str | None:
        ticket = self._pick_ticket(store)
        if ticket is None:
            return None
        store.user_reply(ticket["id"], user=ticket["user"]["id"], text=f"Churn follow-up #{self._rng.randrange(10**6)}")
        return f"contact_reply {ticket['id']}"

    def _status_change(self, store: Store) -> str | None:
        ticket, staff = self._pick_ticket(store), self._pick_staff(store)
        if ticket is None or staff is None:
            return None
        payload = {"staff": staff["id"], "time_spent": self._rng.randint(1, 30), **self._status_payload(store, ticket)}
        store.staff_update(ticket["id"], payload)
        return f"status_change {ticket['id']}"

    def _new_ticket(self, store: Store) -> str | None:
        categories = [c for c in store.helpdesk.categories if c.get("public", True)]
        contacts = store.helpdesk.contacts
        if not categories or not contacts:
            return None
        category = self._rng.choice(categories)
        payload: JSON = {
            "subject": f"Churn ticket #{self._rng.randrange(10**6)}",
            "category": category["id"],
            "text": "Raised while a sync was paging.",
            "client": self._rng.choice(contacts)["id"],
        }
        for definition in store.helpdesk.ticket_custom_fields:
            if definition.get("required") and cf.applies_to_category(definition, category["id"]):
                payload[f"t-cf-{definition['id']}"] = self._field_value(definition)
        ticket = store.create_ticket(payload)
        return f"new_ticket {ticket['id']}"

    def _delete(self, store: Store) -> str | None:
        ticket, staff = self._pick_ticket(store), self._pick_staff(store)
        if ticket is None or staff is None:
            return None
        store.delete_ticket(ticket["id"], staff_id=staff["id"])
        return f"delete {ticket['id']}"

    # -- payload helpers -------------------------------------------------------------------

    def _status_payload(self, store: Store, ticket: JSON) -> JSON:
        """A different status, plus values for fields compulsory when completing."""
        others = [s for s in store.helpdesk.statuses if s["id"] != ticket["status"]["id"]]
        if not others:
            return {}
        status = self._rng.choice(others)
        payload: JSON = {"status": status["id"]}
        if status.get("behavior") == "completed":
            for definition in store.helpdesk.ticket_custom_fields:
                if definition.get("compulsory_on_completed") and cf.applies_to_category(
                    definition, ticket["category"]["id"]
                ):
                    if cf.current_value(ticket.get("custom_fields") or [], definition["id"]) in (None, "", []):
                        payload[f"t-cf-{definition['id']}"] = self._field_value(definition)
        return payload

    def _field_value(self, definition: JSON) -> object:
        kind = str(definition.get("type") or "text").lower()
        choices = [c["id"] for c in definition.get("choices") or []]
        if kind in cf.CHOICE_TYPES and choices:
            return self._rng.choice(choices)
        if kind in cf.MULTI_CHOICE_TYPES and choices:
            return [self._rng.choice(choices)]
        if kind == "number":
            return self._rng.randint(1, 100)
        if kind == "date":
            return date(2024, 1, 1).isoformat()
        return f"churn value {self._rng.randrange(1000)}"
