"""What the warehouse must hold, read straight from the simulator's records.

Written independently of the source's transforms, in the plainest terms the API
documents give, so a bug in the source cannot hide behind the same bug here.
Each function returns rows keyed the way the table is keyed, as plain tuples, so a
test compares sets and a difference prints as the rows that differ.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable

from happyfox_simulator import Helpdesk


def ts(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)


def text(value: Any) -> str | None:
    """The source's documented coercion of untyped values: lists join with ', '."""
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def live_tickets(desk: Helpdesk) -> list[dict[str, Any]]:
    return list(desk.tickets)


def tickets(desk: Helpdesk) -> set[tuple[Any, ...]]:
    """(id, display_id, subject, status_id, priority_id, category_id, assignee_id, contact_id, last_modified)."""
    return {
        (
            t["id"],
            t["display_id"],
            t["subject"],
            t["status"]["id"],
            t["priority"]["id"],
            t["category"]["id"],
            (t["assigned_to"] or {}).get("id"),
            t["user"]["id"],
            ts(t["last_modified"]),
        )
        for t in live_tickets(desk)
    }


def updates(desk: Helpdesk) -> set[tuple[Any, ...]]:
    """(ticket_id, update_index, update_id, timestamp, by type, message type, status change new)."""
    rows = set()
    for t in live_tickets(desk):
        for index, u in enumerate(t["updates"]):
            message = u.get("message") or {}
            rows.add(
                (
                    t["id"],
                    index,
                    u.get("update_id"),
                    ts(u["timestamp"]),
                    (u.get("by") or {}).get("type"),
                    message.get("message_type"),
                    (u.get("status_change") or {}).get("new"),
                )
            )
    return rows


def custom_field_changes(desk: Helpdesk) -> set[tuple[Any, ...]]:
    """(ticket_id, update_index, field_id, from, to)."""
    return {
        (t["id"], index, int(change["id"]), text(change["from"]), text(change["to"]))
        for t in live_tickets(desk)
        for index, u in enumerate(t["updates"])
        for change in u.get("custom_field_change") or ()
    }


def custom_field_values(desk: Helpdesk) -> set[tuple[Any, ...]]:
    """(ticket_id, field_id, value)."""
    return {(t["id"], f["id"], text(f.get("value"))) for t in live_tickets(desk) for f in t["custom_fields"]}


def tags(desk: Helpdesk) -> set[tuple[int, str]]:
    return {
        (t["id"], tag.strip())
        for t in live_tickets(desk)
        for tag in (t.get("tags") or "").split(",")
        if tag.strip()
    }


def attachments(desk: Helpdesk) -> set[tuple[Any, ...]]:
    """(ticket_id, update_index, attachment id, filename)."""
    return {
        (t["id"], index, a["id"], a["filename"])
        for t in live_tickets(desk)
        for index, u in enumerate(t["updates"])
        for a in ((u.get("message") or {}).get("attachments") or ())
    }


def contacts(desk: Helpdesk) -> set[tuple[Any, ...]]:
    return {(c["id"], c["name"], c.get("email")) for c in desk.contacts}


def group_members(desk: Helpdesk) -> set[tuple[int, int]]:
    return {(g["id"], c["id"]) for c in desk.contacts for g in c.get("contact_groups") or ()}


def ids(records: Iterable[dict[str, Any]]) -> set[int]:
    return {record["id"] for record in records}
