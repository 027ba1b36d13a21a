"""Which resource writes which of a contact's tables in a run, and what a missing list means.

The ticket resource (contacts embedded in tickets) and the contact sweep both write
a contact's rows, in parallel, into one load. The child tables are replaced per
contact by a merge key with no row key, so a contact sent by both would load its
custom field values and group memberships twice: each table of a contact is
claimed by the first resource that sends it, and the other skips that table.

A record that lacks ``custom_fields`` or ``contact_groups`` (a contact embedded in a
ticket may carry only its own fields) says nothing about those lists. A missing
key is never an empty list: its table is neither claimed nor tombstoned, so the
stored rows stay and a record that does carry the list (the sweep) still sends it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from .schema import CONTACT_TABLES
from .transform import contact_table_rows

Rows = dict[str, list[dict[str, Any]]]

CONTACT_LIST_KEYS = {
    "contact_custom_field_values": "custom_fields",
    "contact_group_members": "contact_groups",
}
"""Child table -> the key of the contact record whose list fills it."""


class ContactClaims:
    """``(contact, table)`` pairs whose rows this run has already emitted, shared by every resource."""

    def __init__(self) -> None:
        self._claimed: set[tuple[int, str]] = set()
        self._lock = threading.Lock()

    def claim(self, contact_id: int, table: str) -> bool:
        """True the first time ``table`` of ``contact_id`` is claimed in this run."""
        with self._lock:
            if (contact_id, table) in self._claimed:
                return False
            self._claimed.add((contact_id, table))
            return True


def claimed_contact_rows(contacts: Iterable[dict[str, Any]], claims: ContactClaims) -> tuple[Rows, dict[str, list[int]]]:
    """Rows of the tables these records carry and nobody sent yet, with the owners per table.

    The owners of a table are the contacts whose rows in it are replaced (and
    tombstoned when empty); a contact whose record lacks a table's list is not one.
    """
    tables: Rows = {}
    owners: dict[str, list[int]] = {}
    for contact in contacts:
        contact_id = contact["id"]
        rows = contact_table_rows(contact)
        for table in CONTACT_TABLES:
            key = CONTACT_LIST_KEYS.get(table)
            if key is not None and not isinstance(contact.get(key), list):
                continue
            if not claims.claim(contact_id, table):
                continue
            owners.setdefault(table, []).append(contact_id)
            tables.setdefault(table, []).extend(rows.get(table, []))
    return tables, owners
