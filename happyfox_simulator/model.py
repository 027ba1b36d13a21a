"""The data a simulated HappyFox account holds, in the API's own JSON shapes.

The generator builds a :class:`Helpdesk`; the store serves and mutates it. Keeping
every record in the exact shape the API returns means the server only has to pick,
filter and serialise, and tests can compare the warehouse with the truth field by
field without a translation layer that could hide a bug on both sides.

Conventions shared by the generator, the store and the tests:

* Timestamps are UTC strings ``"YYYY-MM-DD HH:MM:SS"`` (``due_date`` is
  ``"YYYY-MM-DD"``), exactly as the API sends them.
* ``ticket["status"]``, ``["priority"]``, ``["category"]``, ``["assigned_to"]`` and
  ``["user"]`` are the very dict objects held in the reference lists / contacts,
  not copies, so an edit to a contact shows on every ticket of that contact.
* ``update["custom_field_change"]`` always holds the real change list (or ``None``);
  the server blanks it to ``None`` unless ``show_cf_changes=true`` is asked on the
  detail endpoint, as HappyFox does.
* ``category_prefixes`` maps a category id to its display-id prefix: a ticket's
  ``display_id`` is ``"#" + prefix + f"{id:08d}"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

JSON = dict[str, Any]

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


def format_timestamp(moment: datetime) -> str:
    """Render a naive-UTC or aware datetime the way HappyFox does."""
    return moment.strftime(TIMESTAMP_FORMAT)


def parse_timestamp(text: str) -> datetime:
    """Parse a HappyFox UTC timestamp into a naive UTC datetime."""
    return datetime.strptime(text, TIMESTAMP_FORMAT)


@dataclass
class Helpdesk:
    """Everything one HappyFox account holds, as the API would return it."""

    now: datetime
    """Naive UTC instant the generated history ends at (no record is later)."""
    categories: list[JSON] = field(default_factory=list)
    category_prefixes: dict[int, str] = field(default_factory=dict)
    statuses: list[JSON] = field(default_factory=list)
    priorities: list[JSON] = field(default_factory=list)
    staff: list[JSON] = field(default_factory=list)
    contact_groups: list[JSON] = field(default_factory=list)
    ticket_custom_fields: list[JSON] = field(default_factory=list)
    user_custom_fields: list[JSON] = field(default_factory=list)
    contacts: list[JSON] = field(default_factory=list)
    tickets: list[JSON] = field(default_factory=list)
    next_update_id: int = 1
    """The next ``update_id`` to hand out (one counter for the whole account)."""
    next_attachment_id: int = 1
