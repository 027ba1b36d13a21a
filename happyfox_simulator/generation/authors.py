"""Update authors beyond staff and contacts: smart-rule messages and null ``by``.

HappyFox's public pages say ``by.type`` may be ``smartrule`` (a smart rule posting a
message, e.g. an auto-acknowledgement of a new ticket) and that ``by`` may be null.
Both are off unless asked for (:func:`~happyfox_simulator.generator.generate_helpdesk`
``smart_rule_rate`` / ``null_author_rate``), applied after the histories are built
with an RNG of their own, so a helpdesk generated without them is byte-identical to
one generated before they existed.

Shapes chosen (undocumented upstream):

* A smart-rule update: ``by = {"id": <rule id>, "name": <rule name>, "email": None,
  "type": "smartrule"}``, a public message (``message_type`` null) to the contact,
  one second to two minutes after the opening message, with a fresh ``update_id``
  (handed out after every generated id, so ids of these updates are not in time
  order). It counts in ``messages_count`` and moves ``last_modified`` when it is the
  latest update; it is no reply, so ``last_staff_reply_at``, ``last_updated_at`` and
  ``unresponded`` stay as they were.
* A null author: a system update (no ``update_id``) whose ``by`` is ``null``.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from ..model import Helpdesk, format_timestamp, parse_timestamp
from .reference import SYSTEM_NAME

JSON = dict[str, Any]

SMART_RULES: tuple[tuple[int, str], ...] = ((1, "Auto acknowledgement"), (2, "After-hours auto reply"))

ACKNOWLEDGEMENT = (
    "Thanks for contacting us! We have received your request and an agent will reply shortly.",
    "<p>Thanks for contacting us! We have received your request and an agent will reply shortly.</p>",
)


def smart_rule_by(rule: tuple[int, str]) -> JSON:
    """``by`` of an update a smart rule made."""
    return {"id": rule[0], "name": rule[1], "email": None, "type": "smartrule"}


def _acknowledgement(ticket: JSON, timestamp: str, rule: tuple[int, str], update_id: int) -> JSON:
    return {
        "timestamp": timestamp,
        "by": smart_rule_by(rule),
        "message": {
            "text": ACKNOWLEDGEMENT[0],
            "html": ACKNOWLEDGEMENT[1],
            "subject": "Re: " + str(ticket.get("subject") or ""),
            "cc_list": "",
            "bcc_list": "",
            "attachments": [],
            "customer_updated": False,
            "forward_list": None,
            "message_type": None,
        },
        "status_change": None,
        "priority_change": None,
        "assignee_change": None,
        "category_change": None,
        "due_date_change": None,
        "custom_field_change": None,
        "time_spent": None,
        "satisfaction_survey": None,
        "update_id": update_id,
    }


def add_smart_rule_updates(desk: Helpdesk, rate: float, seed: int) -> int:
    """Acknowledge about ``rate`` of the tickets by a smart rule; returns how many."""
    rng = random.Random(f"smart-rules-{seed}")
    added = 0
    for ticket in desk.tickets:
        if rng.random() >= rate:
            continue
        history = ticket["updates"]
        when = parse_timestamp(history[0]["timestamp"]) + timedelta(seconds=1 + int(rng.random() * 120))
        if when > desk.now:
            continue
        stamp = format_timestamp(when)
        at = 1
        while at < len(history) and history[at]["timestamp"] <= stamp:
            at += 1
        rule = SMART_RULES[int(rng.random() * len(SMART_RULES))]
        history.insert(at, _acknowledgement(ticket, stamp, rule, desk.next_update_id))
        desk.next_update_id += 1
        ticket["messages_count"] = int(ticket.get("messages_count") or 0) + 1
        if stamp > ticket["last_modified"]:
            ticket["last_modified"] = stamp
        added += 1
    return added


def add_null_authors(desk: Helpdesk, rate: float, seed: int) -> int:
    """Null the ``by`` of about ``rate`` of the system updates; returns how many."""
    rng = random.Random(f"null-authors-{seed}")
    nulled = 0
    for ticket in desk.tickets:
        for entry in ticket["updates"]:
            by = entry.get("by")
            if isinstance(by, dict) and by.get("name") == SYSTEM_NAME and "type" not in by and rng.random() < rate:
                entry["by"] = None
                nulled += 1
    return nulled
