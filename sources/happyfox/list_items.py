"""A ticket list item may lack a child list: never read a missing key as "empty".

The current reference says a ``tickets/`` item carries everything the detail does,
``updates`` included; an older version of the tickets page documents an
``include_updates`` (0/1) list parameter, so an account may list tickets without
their ``updates``, and a public client reports ``fields=`` style trimming too. Child
tables are replaced per ticket, so a ticket loaded from an item without ``updates``
would have every update already in the warehouse deleted (an empty list sends a
tombstone). Here, a missing key (as opposed to an empty list or string) is never
taken for "none":

1. Every list request asks for updates (``include_updates=1``, see
   :func:`~.ticket_search.search_params`): where the parameter is honoured the items
   are complete and nothing more is spent.
2. Items that still lack one of :data:`CHILD_KEYS` are swapped for their detail
   (one GET each, paced under the run's budget like every GET). With custom-field
   history on, every emitted ticket is read in detail anyway, so this costs nothing
   extra; with it off, one GET per incomplete ticket.
3. Should a detail lack a key as well, :func:`owners_with_source` leaves that
   ticket out of the owners of the tables built from the key: neither rows nor a
   tombstone are sent for them, so what was loaded before stays.
"""

from __future__ import annotations

import logging
from typing import Any, Iterable, Sequence

from .ticket_search import PagedGetter

logger = logging.getLogger("happyfox_sync.source")

Ticket = dict[str, Any]

INCLUDE_UPDATES = {"include_updates": 1}
"""Sent with every ``tickets/`` list request (ignored where the parameter is unknown)."""

CHILD_KEYS: dict[str, tuple[str, ...]] = {
    "updates": ("ticket_updates", "ticket_custom_field_changes", "ticket_attachments"),
    "custom_fields": ("ticket_custom_field_values",),
    "tags": ("ticket_tags",),
    "user": (),
}
"""Keys of a ticket whose absence must not erase anything, and the child tables built from each.

``user`` owns no ticket child table (it is the contact and ``tickets.contact_id``),
but an item without it is fetched in detail all the same.
"""

SOURCE_KEY = {table: key for key, tables in CHILD_KEYS.items() for table in tables}
"""The ticket key each child table is built from."""


NULL_IS_MISSING = ("updates", "custom_fields")
"""Lists whose ``null`` is read as "not sent" (an empty history is ``[]``); a null
``tags`` or ``user`` is an explicit "none"."""


def missing_keys(ticket: Ticket) -> list[str]:
    """The child keys ``ticket`` lacks."""
    return [key for key in CHILD_KEYS if key not in ticket or (key in NULL_IS_MISSING and ticket[key] is None)]


def complete_list_items(client: PagedGetter, tickets: list[Ticket]) -> tuple[list[Ticket], int]:
    """``tickets`` with every incomplete item replaced by its detail; and the details fetched.

    A ticket deleted between the list and the detail (404) is dropped, as the detail
    read of custom-field history does; the deletion reconciliation marks it.
    """
    incomplete = [index for index, ticket in enumerate(tickets) if missing_keys(ticket)]
    if not incomplete:
        return tickets, 0
    logger.debug("%d of %d listed tickets lack child lists; reading their detail", len(incomplete), len(tickets))
    requests = [(f"ticket/{tickets[index]['id']}/", None) for index in incomplete]
    details = dict(zip(incomplete, client.get_many(requests, skip_not_found=True)))
    completed = []
    for index, ticket in enumerate(tickets):
        if index not in details:
            completed.append(ticket)
        elif details[index] is not None:
            completed.append(details[index])
    return completed, len(requests)


def owners_with_source(tickets: Iterable[Ticket], table: str) -> Sequence[int]:
    """Ids of the tickets whose rows of ``table`` may be replaced: those that carry its key."""
    key = SOURCE_KEY.get(table)
    if key is None:
        return [ticket["id"] for ticket in tickets]
    owners = []
    for ticket in tickets:
        if key not in missing_keys(ticket):
            owners.append(ticket["id"])
        elif table == CHILD_KEYS[key][0]:  # one warning per ticket and key
            logger.warning(
                "ticket %s came without %r even in its detail: its %s rows are kept as loaded before",
                ticket["id"], key, ", ".join(CHILD_KEYS[key]),
            )
    return owners
