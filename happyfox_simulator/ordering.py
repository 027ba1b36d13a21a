"""Orders of ``tickets/``: the default, the documented ``sort`` values, and the search order.

* Without ``q``: ``sort`` picks the order; absent, it is last updated (the last
  agent or contact reply, ``last_updated_at``) descending.
* With ``q``: always last updated descending, whatever ``sort`` says (HappyFox:
  "relevance and last updated descending"; the simulator has no relevance score).

Every order breaks ties by ticket id in the same direction as the sort (descending
sorts put the higher id first), so paging is deterministic. Absent values
(no assignee, no due date, no reply yet) sort as the smallest value, except for
``due``, where tickets without a due date come last. ``clientd`` is documented as
"ascending", clearly a copy-paste slip; it sorts by contact id descending here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import keyed_error
from .model import JSON

KeyFunction = Callable[[JSON], Any]


def _last_updated(t: JSON) -> tuple[str, int]:
    return (t.get("last_updated_at") or "", t["id"])


def _text(value: Any) -> str:
    return str(value or "").lower()


def _name_of(key: str) -> KeyFunction:
    return lambda t: (_text((t.get(key) or {}).get("name")), t["id"])


def _order_of(key: str) -> KeyFunction:
    return lambda t: ((t.get(key) or {}).get("order") or 0, t["id"])


def _column(key: str) -> KeyFunction:
    return lambda t: (t.get(key) or "", t["id"])


# sort value -> (key, descending)
_SORTS: dict[str, tuple[KeyFunction, bool]] = {
    "updated": (_last_updated, True),
    "updatea": (_last_updated, False),
    "last_modified_d": (_column("last_modified"), True),
    "last_modified_a": (_column("last_modified"), False),
    "created": (_column("created_at"), True),
    "createa": (_column("created_at"), False),
    "ticketd": (lambda t: t["id"], True),
    "ticketa": (lambda t: t["id"], False),
    "statusd": (_order_of("status"), True),
    "statusa": (_order_of("status"), False),
    "priorityd": (_order_of("priority"), True),
    "prioritya": (_order_of("priority"), False),
    "categoryd": (_name_of("category"), True),
    "categorya": (_name_of("category"), False),
    "subjectd": (lambda t: (_text(t.get("subject")), t["id"]), True),
    "subjecta": (lambda t: (_text(t.get("subject")), t["id"]), False),
    "assigned": (_name_of("assigned_to"), True),
    "assigneea": (_name_of("assigned_to"), False),
    "clientd": (lambda t: ((t.get("user") or {}).get("id") or 0, t["id"]), True),
    "clienta": (lambda t: ((t.get("user") or {}).get("id") or 0, t["id"]), False),
    "due": (lambda t: (t.get("due_date") is None, t.get("due_date") or "", t["id"]), False),
}

SORT_VALUES: tuple[str, ...] = (*_SORTS, "unresponded")
DEFAULT_SORT = "updated"


def check_sort(value: str) -> str:
    """Validate a ``sort`` parameter (only when it is honoured, i.e. without ``q``)."""
    if value not in SORT_VALUES:
        raise keyed_error("sort", f"Invalid sort '{value}'. Allowed: {', '.join(SORT_VALUES)}.")
    return value


def order(tickets: list[JSON], sort: str) -> list[JSON]:
    """Return the tickets in ``sort`` order (``"updated"`` is the default/search order)."""
    if sort == "unresponded":
        by_updated = sorted(tickets, key=_last_updated, reverse=True)
        return sorted(by_updated, key=lambda t: not t.get("unresponded"))
    key, descending = _SORTS[sort]
    return sorted(tickets, key=key, reverse=descending)
