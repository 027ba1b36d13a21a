"""The simulator's store: the truth a server serves and tests compare against.

:class:`Store` assembles the indexes and reads (:mod:`.store_base`), the ticket
writes (:mod:`.ticket_writes`) and the contact writes (:mod:`.contact_writes`).
Its write methods mirror the POST endpoints one to one and are their only
implementation::

    store.create_ticket(subject=..., category=1, text=..., email=..., name=...)
    store.create_tickets([{...}, {...}])
    store.staff_update(ticket_id, {"staff": 1, "status": 3, "t-cf-2": "x"})
    store.staff_private_note(ticket_id, staff=1, plaintext="...")
    store.user_reply(ticket_id, user=5, text="...")
    store.update_tags(ticket_id, add="a,b", remove="c", staff_id=1)
    store.update_custom_fields(ticket_id, {"staff": 1, "t-cf-3": 2})
    store.move_ticket(ticket_id, staff_id=1, target_category_id=2)
    store.delete_ticket(ticket_id, staff_id=1)
    store.create_contact(name=..., email=...)
    store.update_contact(contact_id, name=...)

They raise :class:`~happyfox_simulator.errors.ApiError` subclasses carrying the
exact HTTP status and body the endpoint would send. They return the live record
(hold ``store.lock`` if you read it while a server is running).
"""

from __future__ import annotations

from .contact_writes import ContactWrites


class Store(ContactWrites):
    """Thread-safe truth of one simulated HappyFox account (see module docstring)."""


__all__ = ["Store"]
