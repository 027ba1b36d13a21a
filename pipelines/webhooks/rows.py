"""Webhook tickets as rows of the contract's tables, through the scheduled sync's own row code.

The rows come from :func:`~happyfox_sync.source.transform.ticket_table_rows` and
:func:`~happyfox_sync.source.transform.contact_table_rows`, and reach dlt through the
source's :class:`~happyfox_sync.source.TableWriter` with the hints of
:mod:`happyfox_sync.source.schema`, so a webhook row and a synced row are the same row.

What a webhook payload does *not* carry must never erase what the warehouse holds:

* ``ticket_custom_field_changes`` is never written: a webhook payload has no
  custom-field history (``custom_field_change`` is null in it), and the child tables
  are replaced per ticket, so writing it would delete the history the scheduled sync
  loaded. The next scheduled run sees the ticket as changed and fetches it;
* a child table is written for a ticket (or contact) only when the payload has the key
  it comes from: a payload without ``updates`` leaves the ticket's updates and
  attachments alone, one without ``custom_fields`` its values, one without ``tags``
  its tags.
"""

from __future__ import annotations

from typing import Any, Iterator

import dlt

from happyfox_sync.source import SOURCE_NAME, TableWriter
from happyfox_sync.source.transform import contact_table_rows, ticket_table_rows

Rows = dict[str, list[dict[str, Any]]]

TICKET_CHILD_KEYS = {
    "ticket_updates": "updates",
    "ticket_attachments": "updates",
    "ticket_custom_field_values": "custom_fields",
    "ticket_tags": "tags",
}
"""Child tables a webhook writes, and the payload key each comes from."""
CONTACT_CHILD_KEYS = {
    "contact_custom_field_values": "custom_fields",
    "contact_group_members": "contact_groups",
}
RESOURCE_NAME = "webhook_tickets"


class TicketRows:
    """The rows of one ticket payload and the child tables it speaks for."""

    def __init__(self, ticket: dict[str, Any]) -> None:
        self.ticket_id = int(ticket["id"])
        self.tables = ticket_table_rows(ticket)
        self.owned = [table for table, key in TICKET_CHILD_KEYS.items() if key in ticket]


class ContactRows:
    """The rows of one embedded contact and the child tables it speaks for."""

    def __init__(self, contact: dict[str, Any]) -> None:
        self.contact_id = int(contact["id"])
        self.tables = contact_table_rows(contact)
        self.owned = [table for table, key in CONTACT_CHILD_KEYS.items() if key in contact]


def _owned_items(writer: TableWriter, parts: list[Any], owner_of: str) -> Iterator[Any]:
    """Each child table replaced only for the owners whose payload carried it."""
    names = {table for part in parts for table in part.owned}
    for table in sorted(names):
        owners = [getattr(part, owner_of) for part in parts if table in part.owned]
        rows = [row for part in parts if table in part.owned for row in part.tables.get(table, [])]
        yield from writer.owned({table: rows}, owners, [table])


def batch_items(tickets: list[TicketRows], contacts: list[ContactRows]) -> Iterator[Any]:
    """What the webhook resource yields for one batch: tickets, their children, contacts."""
    writer = TableWriter()
    if tickets:
        yield writer.rows("tickets", [row for part in tickets for row in part.tables["tickets"]])
        yield from _owned_items(writer, tickets, "ticket_id")
    if contacts:
        yield writer.rows("contacts", [row for part in contacts for row in part.tables["contacts"]])
        yield from _owned_items(writer, contacts, "contact_id")


@dlt.source(name=SOURCE_NAME, section=SOURCE_NAME, max_table_nesting=0)
def webhook_source(tickets: list[TicketRows], contacts: list[ContactRows]) -> Any:
    """The scheduled sync's source schema (same name), fed one batch of webhook tickets.

    Its one resource has its own name and keeps no state, so the ``tickets``
    resource's cursor and backfill state are never touched.
    """
    return dlt.resource(batch_items(tickets, contacts), name=RESOURCE_NAME)
