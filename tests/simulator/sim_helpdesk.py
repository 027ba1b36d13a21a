"""A tiny hand-written helpdesk for simulator tests: every value known by heart.

Reference data (ids are what tests use):

* categories 1 Support (``SUP``), 2 Billing (``BIL``), 3 Internal (``INT``, not public)
* statuses 1 New (pending, default), 2 In Progress, 3 On Hold (pending), 4 Closed (completed)
* priorities 1 Low, 2 Medium (default), 3 High
* staff 1 Ada Lovelace, 2 Grace Hopper
* contact group 1 VIP
* ticket fields 1 Product (text), 2 City (choice: 1 Chennai, 2 Mumbai),
  3 Platforms (multiple choice: 10 Web, 11 iOS), 4 Root cause (text, compulsory on
  completion, Billing only)
* contact field 1 Company (text)
* contacts 1 James Doe (VIP), 2 Mia Wong, 3 No Email (email null)

:class:`HelpdeskBuilder` adds tickets with explicit timestamps; anything not given
is derived from ``created_at`` so a test only states what it asserts on.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from happyfox_simulator import Helpdesk
from happyfox_simulator.model import format_timestamp, parse_timestamp

JSON = dict[str, Any]

NOW = datetime(2024, 3, 10, 12, 0, 0)
PREFIXES = {1: "SUP", 2: "BIL", 3: "INT"}


def _reference(now: datetime) -> Helpdesk:
    categories = [
        {"id": 1, "name": "Support", "description": "", "public": True, "prepopulate_cc": "", "time_spent_mandatory": False},
        {"id": 2, "name": "Billing", "description": "", "public": True, "prepopulate_cc": "", "time_spent_mandatory": False},
        {"id": 3, "name": "Internal", "description": "", "public": False, "prepopulate_cc": "", "time_spent_mandatory": True},
    ]
    statuses = [
        {"id": 1, "name": "New", "color": "#f00", "order": 1, "default": True, "behavior": "pending"},
        {"id": 2, "name": "In Progress", "color": "#0f0", "order": 2, "default": False, "behavior": "pending"},
        {"id": 3, "name": "On Hold", "color": "#00f", "order": 3, "default": False, "behavior": "pending"},
        {"id": 4, "name": "Closed", "color": "#999", "order": 4, "default": False, "behavior": "completed"},
    ]
    priorities = [
        {"id": 1, "name": "Low", "order": 1, "default": False},
        {"id": 2, "name": "Medium", "order": 2, "default": True},
        {"id": 3, "name": "High", "order": 3, "default": False},
    ]
    staff = [
        {"id": 1, "name": "Ada Lovelace", "email": "ada@acme.test", "active": True, "is_account_admin": True,
         "role": {"id": 1, "name": "Administrator"}, "categories": [1, 2, 3], "permissions": []},
        {"id": 2, "name": "Grace Hopper", "email": "grace@acme.test", "active": True, "is_account_admin": False,
         "role": {"id": 2, "name": "Agent"}, "categories": [1, 2], "permissions": []},
    ]
    groups = [{"id": 1, "name": "VIP", "description": "Important", "tagged_domains": ["example.com"]}]
    both = [{"category": 1, "order": 1}, {"category": 2, "order": 1}]
    ticket_fields = [
        {"id": 1, "name": "Product", "type": "text", "required": False, "compulsory_on_completed": False,
         "choices": None, "categories": both, "visible_to_staff_only": False},
        {"id": 2, "name": "City", "type": "choice", "required": False, "compulsory_on_completed": False,
         "choices": [{"id": 1, "text": "Chennai", "dependant_fields": []}, {"id": 2, "text": "Mumbai", "dependant_fields": []}],
         "categories": [{"category": 1, "order": 2}], "visible_to_staff_only": False},
        {"id": 3, "name": "Platforms", "type": "multiple_choice", "required": False, "compulsory_on_completed": False,
         "choices": [{"id": 10, "text": "Web", "dependant_fields": []}, {"id": 11, "text": "iOS", "dependant_fields": []}],
         "categories": [{"category": 1, "order": 3}], "visible_to_staff_only": False},
        {"id": 4, "name": "Root cause", "type": "text", "required": False, "compulsory_on_completed": True,
         "choices": None, "categories": [{"category": 2, "order": 2}], "visible_to_staff_only": False},
    ]
    user_fields = [{"id": 1, "name": "Company", "type": "text", "required": False, "choices": None, "visible_to_staff_only": False}]

    def contact(contact_id: int, name: str, email: str | None, in_vip: bool) -> JSON:
        return {
            "id": contact_id,
            "name": name,
            "email": email,
            "phones": [{"type": "m", "number": f"+1555000{contact_id}", "id": contact_id}],
            "primary_phone": {"type": "m", "number": f"+1555000{contact_id}", "id": contact_id},
            "contact_groups": [{**groups[0], "access_all_tickets_in_group": True}] if in_vip else [],
            "custom_fields": [{"id": 1, "name": "Company", "value": None, "value_id": None, "type": "text",
                               "visible_to_staff_only": False}],
            "tickets_count": 0,
            "pending_tickets_count": 0,
            "created_at": "2024-01-01 00:00:00",
            "updated_at": "2024-01-02 00:00:00" if contact_id != 3 else None,
        }

    contacts = [
        contact(1, "James Doe", "james@example.com", True),
        contact(2, "Mia Wong", "mia@example.org", False),
        contact(3, "No Email", None, False),
    ]
    return Helpdesk(
        now=now, categories=categories, category_prefixes=dict(PREFIXES), statuses=statuses,
        priorities=priorities, staff=staff, contact_groups=groups, ticket_custom_fields=ticket_fields,
        user_custom_fields=user_fields, contacts=contacts,
    )


class HelpdeskBuilder:
    """Accumulates tickets on the reference data above; :meth:`build` returns the Helpdesk."""

    def __init__(self, now: datetime = NOW) -> None:
        self.helpdesk = _reference(now)
        self._statuses = {s["name"]: s for s in self.helpdesk.statuses}
        self._priorities = {p["name"]: p for p in self.helpdesk.priorities}
        self._categories = {c["id"]: c for c in self.helpdesk.categories}
        self._contacts = {c["id"]: c for c in self.helpdesk.contacts}
        self._staff = {s["id"]: s for s in self.helpdesk.staff}

    def ticket(
        self,
        ticket_id: int | None = None,
        *,
        subject: str | None = None,
        status: str = "New",
        priority: str = "Medium",
        category: int = 1,
        contact: int = 1,
        created_at: str = "2024-03-01 09:00:00",
        last_modified: str | None = None,
        last_updated_at: str | None = None,
        last_user_reply_at: str | None = None,
        last_staff_reply_at: str | None = None,
        tags: str = "",
        assignee: int | None = None,
        due_date: str | None = None,
        product: str | None = None,
        attachments: int = 0,
        unresponded: bool = True,
    ) -> JSON:
        """Add one ticket; its opening update carries ``product`` as a custom field change."""
        desk = self.helpdesk
        ticket_id = ticket_id if ticket_id is not None else len(desk.tickets) + 1
        user = self._contacts[contact]
        last_user_reply_at = last_user_reply_at or created_at
        last_updated_at = last_updated_at or max(last_user_reply_at, last_staff_reply_at or "")
        last_modified = last_modified or last_updated_at
        files = [{"id": ticket_id * 100 + n, "filename": f"file{n}.png", "url": "https://files.invalid/x"}
                 for n in range(attachments)]
        opening = {
            "timestamp": created_at,
            "by": {"id": user["id"], "name": user["name"], "email": user["email"], "type": "user"},
            "message": {"text": "Help", "html": "<p>Help</p>", "subject": subject or f"Ticket {ticket_id}",
                        "cc_list": "", "bcc_list": "", "attachments": files, "customer_updated": False,
                        "forward_list": None, "message_type": None},
            "status_change": None, "priority_change": None, "assignee_change": None, "category_change": None,
            "due_date_change": None,
            "custom_field_change": [{"id": "1", "name": "Product", "from": "", "to": product}] if product else None,
            "time_spent": None, "satisfaction_survey": None, "update_id": desk.next_update_id,
        }
        desk.next_update_id += 1
        ticket = {
            "id": ticket_id,
            "display_id": f"#{PREFIXES[category]}{ticket_id:08d}",
            "subject": subject or f"Ticket {ticket_id}",
            "status": self._statuses[status],
            "priority": self._priorities[priority],
            "category": self._categories[category],
            "user": user,
            "assigned_to": self._staff[assignee] if assignee else None,
            "custom_fields": [{"id": 1, "name": "Product", "value": product, "value_id": None, "type": "text",
                               "visible_to_staff_only": False, "compulsory_on_complete": False}],
            "tags": tags,
            "due_date": due_date,
            "created_at": created_at,
            "last_modified": last_modified,
            "last_updated_at": last_updated_at,
            "last_user_reply_at": last_user_reply_at,
            "last_staff_reply_at": last_staff_reply_at,
            "messages_count": 1,
            "attachments_count": attachments,
            "time_spent": None,
            "sla_breaches": 0,
            "unresponded": unresponded,
            "source": "email",
            "merged_tickets": [],
            "merged_to": None,
            "visible_only_staff": None,
            "subscribers": [],
            "first_message": "Help",
            "updates": [opening],
        }
        desk.tickets.append(ticket)
        user["tickets_count"] += 1
        if ticket["status"]["behavior"] == "pending":
            user["pending_tickets_count"] += 1
        return ticket

    def many(self, count: int, *, start: str = "2024-03-01 00:00:00", step_minutes: int = 1, **fields: Any) -> None:
        """``count`` tickets, ids 1.., created (and last updated) ``step_minutes`` apart.

        The default order (last updated descending) is then simply id descending.
        """
        moment = parse_timestamp(start)
        for _ in range(count):
            self.ticket(created_at=format_timestamp(moment), **fields)
            moment += timedelta(minutes=step_minutes)

    def build(self) -> Helpdesk:
        return self.helpdesk


def helpdesk_with(count: int, **fields: Any) -> Helpdesk:
    """Shortcut: a helpdesk of ``count`` tickets made by :meth:`HelpdeskBuilder.many`."""
    builder = HelpdeskBuilder()
    builder.many(count, **fields)
    return builder.build()


def ids(response: Any) -> list[int]:
    """The ticket ids of a ``tickets/`` response, in order (asserts it is a 200)."""
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]
