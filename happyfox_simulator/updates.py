"""Builders for the entries of a ticket's ``updates`` history, in the API's exact shape.

Every write appends one update. Keeping the shapes here (rather than inline in the
store) means generated history and simulated writes can't drift apart in key names,
and a sync test can compare both against the same structure.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

JSON = dict[str, Any]

SYSTEM_NAME = "The system"

_TAG = re.compile(r"<[^>]+>")


def by_staff(staff: JSON) -> JSON:
    """``by`` for an update written by an agent."""
    return {"id": staff["id"], "name": staff["name"], "email": staff.get("email"), "type": "staff"}


def by_contact(contact: JSON) -> JSON:
    """``by`` for an update written by the ticket's contact (``type`` is ``"user"``)."""
    return {"id": contact["id"], "name": contact["name"], "email": contact.get("email"), "type": "user"}


def by_system(email: str) -> JSON:
    """``by`` for an update made by the system, which HappyFox renders without id or type."""
    return {"name": SYSTEM_NAME, "email": email, "avatar": None}


def subscriber(staff: JSON) -> JSON:
    """A ``subscribers`` entry for an agent: ``{first_name, last_name, id, email}``."""
    first, _, last = str(staff.get("name") or "").partition(" ")
    return {"first_name": first, "last_name": last, "id": staff["id"], "email": staff.get("email")}


def html_to_text(markup: str) -> str:
    """Crude plain-text rendering of an HTML reply (what HappyFox stores as ``text``)."""
    return html_lib.unescape(_TAG.sub("", markup)).strip()


def text_to_html(text: str) -> str:
    """HTML rendering of a plain-text reply, one paragraph per line."""
    lines = [html_lib.escape(line) for line in text.splitlines()] or [""]
    return "".join(f"<p>{line}</p>" for line in lines)


def message(
    *,
    text: str | None = None,
    html: str | None = None,
    subject: str = "",
    cc: list[str] | None = None,
    bcc: list[str] | None = None,
    private: bool = False,
    customer_updated: bool = False,
) -> JSON:
    """A ``message`` object; give ``text`` or ``html`` and the other is derived.

    ``message_type`` is ``"p"`` for a staff private note and ``None`` otherwise, as a
    public client observed on a live account.
    """
    if html is None:
        html = text_to_html(text or "")
    if text is None:
        text = html_to_text(html)
    return {
        "text": text,
        "html": html,
        "subject": subject,
        "cc_list": ", ".join(cc or []),
        "bcc_list": ", ".join(bcc or []),
        "attachments": [],
        "customer_updated": customer_updated,
        "forward_list": None,
        "message_type": "p" if private else None,
    }


def named_change(old: JSON | None, new: JSON | None) -> JSON:
    """``status_change`` / ``priority_change`` / ``assignee_change`` / ``category_change``."""
    return {
        "old": old["id"] if old else None,
        "new": new["id"] if new else None,
        "old_name": old["name"] if old else None,
        "new_name": new["name"] if new else None,
    }


def due_date_change(old: str | None, new: str | None) -> JSON:
    """``due_date_change`` carries only ``old`` and ``new`` (dates, no names)."""
    return {"old": old, "new": new}


def update(
    *,
    timestamp: str,
    by: JSON,
    update_id: int | None,
    message: JSON | None = None,
    status_change: JSON | None = None,
    priority_change: JSON | None = None,
    assignee_change: JSON | None = None,
    category_change: JSON | None = None,
    due_date_change: JSON | None = None,
    custom_field_change: list[JSON] | None = None,
    time_spent: int | None = None,
    satisfaction_survey: JSON | None = None,
) -> JSON:
    """One history entry. ``update_id=None`` omits the key, as system updates may."""
    entry: JSON = {
        "timestamp": timestamp,
        "by": by,
        "message": message,
        "status_change": status_change,
        "priority_change": priority_change,
        "assignee_change": assignee_change,
        "category_change": category_change,
        "due_date_change": due_date_change,
        "custom_field_change": custom_field_change or None,
        "time_spent": time_spent,
        "satisfaction_survey": satisfaction_survey,
    }
    if update_id is not None:
        entry["update_id"] = update_id
    return entry
