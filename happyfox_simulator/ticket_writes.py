"""Ticket writes: the single implementation behind every ticket POST endpoint.

Each method takes the endpoint's payload (a mapping, keyword fields, or both),
validates it like HappyFox would, mutates the live records, appends one update to
the ticket's history and stamps ``last_modified``. The HTTP layer only parses the
body and calls these, so Python callers (tests, the churn) and API clients get the
same behaviour.

Which timestamps a write moves (documented readings, also in the README):

* every write sets ``last_modified``;
* a public staff reply (``html``/``plaintext`` on staff_update) sets
  ``last_staff_reply_at`` and ``last_updated_at``, adds one to ``messages_count``
  and clears ``unresponded``;
* a contact reply sets ``last_user_reply_at`` and ``last_updated_at`` and adds one
  to ``messages_count``; ``unresponded`` stays as it is (it means "no public staff
  reply yet", as in the generated history);
* a private note is not a reply: it adds one to ``messages_count`` (which counts
  every update with a message, notes included, as the generator does) but moves
  none of the reply timestamps;
* status/priority/assignee changes, tags, custom fields and moves are not replies
  either: they move ``last_modified`` only, so a ticket changed that way keeps its
  place in the default (last updated) order but jumps to the front of
  ``last_modified_d``;
* an agent who writes to a ticket (staff update, note, move) becomes a subscriber.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from . import custom_fields as cf
from . import updates
from .errors import REQUIRED, ValidationError, keyed_error
from .model import JSON, format_timestamp
from .payload import (
    FieldProblem,
    as_bool,
    as_created_at,
    as_csv,
    as_due_date,
    as_int,
    as_text,
    is_blank,
    merge,
    single,
)
from .records import display_id, fallback_prefix, join_tags, phone, split_tags
from .store_base import StoreBase, locked

COMPLETION_MESSAGE = "This field should be filled before marking this ticket as completed"
MAX_BATCH = 100


class TicketWrites(StoreBase):
    """Create, update, move and delete tickets."""

    # -- create ----------------------------------------------------------------------

    @locked
    def create_ticket(self, payload: Mapping[str, Any] | None = None, /, **fields: Any) -> JSON:
        """``POST tickets/`` with one object: a new ticket raised by a (possibly new) contact.

        Errors use the listed 400 shape, as the docs show for this endpoint.
        """
        data = merge(payload, fields)
        errors: dict[str, list[str]] = {}
        subject = as_text(data.get("subject")).strip()
        if not subject:
            errors["subject"] = [REQUIRED]
        category = self._lookup(self.categories_by_id, data, "category", errors, required=True)
        if category is not None and not category.get("public", True):
            errors["category"] = ["Tickets can only be created in public categories."]
        text, html = as_text(data.get("text")), as_text(data.get("html"))
        if not text.strip() and not html.strip():
            errors["text"] = ["Either text or html is required."]
        priority = self._lookup(self.priorities_by_id, data, "priority", errors) or self._default_priority()
        assignee = None
        if not is_blank(data.get("assignee")):
            assignee = self._lookup(self.staff_by_id, data, "assignee", errors)
        due = self._optional(data, "due_date", as_due_date, errors)
        created = self._optional(data, "created_at", as_created_at, errors)
        private = self._optional(data, "visible_only_staff", as_bool, errors)
        contact_key = self._contact_for_create(data, errors)
        field_values = self._ticket_field_values(data, errors)
        contact_values = self._contact_field_values(data, errors)
        if category is not None:
            for definition in self.helpdesk.ticket_custom_fields:
                if (
                    definition.get("required")
                    and cf.applies_to_category(definition, category["id"])
                    and (definition["id"] not in field_values or field_values[definition["id"]].value in (None, "", []))
                ):
                    errors.setdefault(f"t-cf-{definition['id']}", []).append(REQUIRED)
        self._raise_if(errors, listed=True)
        assert category is not None and contact_key is not None

        now = self._now()
        created_at = format_timestamp(created) if created is not None else now
        contact = self._ensure_contact(contact_key, data, now)
        for field_id, parsed in contact_values.items():
            if cf.apply(contact.setdefault("custom_fields", []), self.contact_fields_by_id[field_id], parsed, ticket=False):
                contact["updated_at"] = now
        ticket_id = self._next_ticket_id
        self._next_ticket_id += 1
        entries = [cf.new_entry(d) for d in self._fields_of_category(category["id"])]
        changes = [
            change
            for field_id, parsed in field_values.items()
            if (change := cf.apply(entries, self.ticket_fields_by_id[field_id], parsed)) is not None
        ]
        first = updates.message(
            text=text if text.strip() else None,
            html=html if html.strip() else None,
            subject=subject,
            cc=as_csv(data.get("cc")),
            bcc=as_csv(data.get("bcc")),
        )
        ticket: JSON = {
            "id": ticket_id,
            "display_id": display_id(self._prefix(category), ticket_id),
            "subject": subject,
            "status": self._default_status(),
            "priority": priority,
            "category": category,
            "user": contact,
            "assigned_to": assignee,
            "custom_fields": entries,
            "tags": join_tags(_unique(as_csv(data.get("tags")))),
            "due_date": due,
            "created_at": created_at,
            "last_modified": now,
            "last_updated_at": created_at,
            "last_user_reply_at": created_at,
            "last_staff_reply_at": None,
            "messages_count": 1,
            "attachments_count": 0,
            "time_spent": None,
            "sla_breaches": 0,
            "unresponded": True,
            "source": "api",
            "merged_tickets": [],
            "merged_to": None,
            "visible_only_staff": private,
            "subscribers": [],
            "first_message": first["text"],
            "updates": [
                updates.update(
                    timestamp=created_at,
                    by=updates.by_contact(contact),
                    update_id=self._take_update_id(),
                    message=first,
                    assignee_change=updates.named_change(None, assignee) if assignee else None,
                    due_date_change=updates.due_date_change(None, due) if due else None,
                    custom_field_change=changes,
                )
            ],
        }
        self.tickets_by_id[ticket_id] = ticket
        self.helpdesk.tickets.append(ticket)
        self._tickets_of_contact.setdefault(contact["id"], set()).add(ticket_id)
        self._recount(contact["id"])
        self._touched(ticket)
        self._ticket_event("ticket-created", ticket)
        return ticket

    @locked
    def create_tickets(self, payloads: list[Mapping[str, Any]]) -> list[JSON]:
        """``POST tickets/`` with a list: per item ``{display_id, id, success: true}`` or the errors."""
        if len(payloads) > MAX_BATCH:
            raise ValidationError(
                {"non_field_errors": [f"A maximum of {MAX_BATCH} tickets can be created in one request."]},
                listed=True,
            )
        results: list[JSON] = []
        for payload in payloads:
            if not isinstance(payload, Mapping):
                results.append({"success": False, "error": [{"field": "non_field_errors", "errors": ["Expected an object."]}]})
                continue
            try:
                ticket = self.create_ticket(payload)
            except ValidationError as error:
                results.append({"success": False, "error": error.body["error"]})
            else:
                results.append({"display_id": ticket["display_id"], "id": ticket["id"], "success": True})
        return results

    # -- staff writes ------------------------------------------------------------------

    @locked
    def staff_update(self, ticket_id: int, payload: Mapping[str, Any] | None = None, /, **fields: Any) -> JSON:
        """``POST ticket/<id>/staff_update/``: a public reply and/or property changes by an agent."""
        return self._staff_write(ticket_id, merge(payload, fields), private=False)

    @locked
    def staff_private_note(self, ticket_id: int, payload: Mapping[str, Any] | None = None, /, **fields: Any) -> JSON:
        """``POST ticket/<id>/staff_pvtnote/``: like staff_update, but the message is a private note."""
        return self._staff_write(ticket_id, merge(payload, fields), private=True)

    def _staff_write(self, ticket_id: int, data: JSON, *, private: bool) -> JSON:
        ticket = self.ticket(ticket_id)
        errors: dict[str, list[str]] = {}
        staff = self._lookup(self.staff_by_id, data, "staff", errors, required=True)
        status = self._lookup(self.statuses_by_id, data, "status", errors)
        priority = self._lookup(self.priorities_by_id, data, "priority", errors)
        assignee_given = "assignee" in data
        assignee = None
        if assignee_given and not is_blank(data["assignee"]):
            assignee = self._lookup(self.staff_by_id, data, "assignee", errors)
        time_spent = self._optional(data, "time_spent", as_int, errors)
        if time_spent is not None and time_spent < 0:
            errors.setdefault("time_spent", []).append("Ensure this value is greater than or equal to 0.")
        due_given = "due_date" in data
        due = self._optional(data, "due_date", as_due_date, errors)
        field_values = self._ticket_field_values(data, errors)
        contact_values = self._contact_field_values(data, errors)
        self._optional(data, "send_survey", as_bool, errors)
        customer_updated = bool(self._optional(data, "update_customer", as_bool, errors))
        self._raise_if(errors, listed=False)
        assert staff is not None
        if ticket["category"].get("time_spent_mandatory") and time_spent is None:
            raise keyed_error("time_spent", REQUIRED)
        if status is not None:
            self._check_completion(ticket, status, field_values)

        now = self._now()
        status_change = self._set_named(ticket, "status", status)
        priority_change = self._set_named(ticket, "priority", priority)
        assignee_change = self._set_named(ticket, "assigned_to", assignee, allow_none=assignee_given)
        due_change = None
        if due_given and due != ticket.get("due_date"):
            due_change = updates.due_date_change(ticket.get("due_date"), due)
            ticket["due_date"] = due
        added = as_csv(data.get("tags"))
        if added:
            ticket["tags"] = join_tags(_unique(split_tags(ticket.get("tags")) + added))
        if time_spent is not None:
            ticket["time_spent"] = (ticket.get("time_spent") or 0) + time_spent
        changes = self._apply_ticket_fields(ticket, field_values)
        self._apply_contact_fields(ticket["user"], contact_values, now)

        text, html = as_text(data.get("plaintext")), as_text(data.get("html"))
        note = None
        if text.strip() or html.strip():
            note = updates.message(
                text=text if text.strip() else None,
                html=html if html.strip() else None,
                subject=as_text(data.get("subject")),
                cc=as_csv(data.get("cc")),
                bcc=as_csv(data.get("bcc")),
                private=private,
                customer_updated=customer_updated and not private,
            )
            ticket["messages_count"] = (ticket.get("messages_count") or 0) + 1
            if not private:
                ticket["last_staff_reply_at"] = now
                ticket["last_updated_at"] = now
                ticket["unresponded"] = False
        self._record_staff_update(
            ticket,
            staff,
            now,
            message=note,
            status_change=status_change,
            priority_change=priority_change,
            assignee_change=assignee_change,
            due_date_change=due_change,
            custom_field_change=changes,
            time_spent=time_spent,
        )
        if status_change:
            self._recount(ticket["user"]["id"])
        self._touched(ticket)
        self._ticket_event("ticket-updated", ticket)
        return ticket

    @locked
    def user_reply(self, ticket_id: int, payload: Mapping[str, Any] | None = None, /, **fields: Any) -> JSON:
        """``POST ticket/<id>/user_reply/``: a reply attributed to the contact ``user``.

        The status is left alone (HappyFox may reopen on a contact reply depending on
        account settings, which the API can't see).
        """
        data = merge(payload, fields)
        ticket = self.ticket(ticket_id)
        errors: dict[str, list[str]] = {}
        contact = self._lookup(self.contacts_by_id, data, "user", errors, required=True)
        text = as_text(data.get("text"))
        if not text.strip():
            errors["text"] = [REQUIRED]
        self._raise_if(errors, listed=False)
        assert contact is not None
        now = self._now()
        looks_html = "<" in text and ">" in text
        reply = updates.message(
            text=None if looks_html else text,
            html=text if looks_html else None,
            cc=as_csv(data.get("cc")),
            bcc=as_csv(data.get("bcc")),
        )
        ticket["last_user_reply_at"] = now
        ticket["last_updated_at"] = now
        ticket["messages_count"] = (ticket.get("messages_count") or 0) + 1
        ticket["last_modified"] = now
        ticket["updates"].append(
            updates.update(timestamp=now, by=updates.by_contact(contact), update_id=self._take_update_id(), message=reply)
        )
        self._touched(ticket)
        self._ticket_event("ticket-updated", ticket)
        return ticket

    @locked
    def update_tags(self, ticket_id: int, payload: Mapping[str, Any] | None = None, /, **fields: Any) -> JSON:
        """``POST ticket/<id>/update_tags/``: remove then add comma-separated tags.

        Without ``staff_id`` the update is attributed to the system (no ``update_id``),
        which is what "required to show the agent name" implies.
        """
        data = merge(payload, fields)
        ticket = self.ticket(ticket_id)
        errors: dict[str, list[str]] = {}
        staff = self._lookup(self.staff_by_id, data, "staff_id", errors)
        self._raise_if(errors, listed=False)
        remove = set(as_csv(data.get("remove")))
        kept = [tag for tag in split_tags(ticket.get("tags")) if tag not in remove]
        ticket["tags"] = join_tags(_unique(kept + as_csv(data.get("add"))))
        now = self._now()
        ticket["last_modified"] = now
        ticket["updates"].append(
            updates.update(
                timestamp=now,
                by=updates.by_staff(staff) if staff else updates.by_system(self._system_email()),
                update_id=self._take_update_id() if staff else None,
            )
        )
        self._touched(ticket)
        self._ticket_event("ticket-updated", ticket)
        return ticket

    @locked
    def update_custom_fields(
        self, ticket_id: int, payload: Mapping[str, Any] | None = None, /, **fields: Any
    ) -> JSON:
        """``POST ticket/<id>/update_custom_fields/``: set ``t-cf-<id>`` values as agent ``staff``."""
        data = merge(payload, fields)
        ticket = self.ticket(ticket_id)
        errors: dict[str, list[str]] = {}
        staff = self._lookup(self.staff_by_id, data, "staff", errors, required=True)
        field_values = self._ticket_field_values(data, errors)
        self._raise_if(errors, listed=False)
        assert staff is not None
        now = self._now()
        changes = self._apply_ticket_fields(ticket, field_values)
        ticket["last_modified"] = now
        ticket["updates"].append(
            updates.update(
                timestamp=now, by=updates.by_staff(staff), update_id=self._take_update_id(), custom_field_change=changes
            )
        )
        self._touched(ticket)
        self._ticket_event("ticket-updated", ticket)
        return ticket

    @locked
    def move_ticket(self, ticket_id: int, payload: Mapping[str, Any] | None = None, /, **fields: Any) -> JSON:
        """``POST ticket/<id>/move/``: change category (and display-id prefix), optionally assign.

        A ``move_note`` is recorded as a private note on the same update.
        """
        data = merge(payload, fields)
        ticket = self.ticket(ticket_id)
        errors: dict[str, list[str]] = {}
        staff = self._lookup(self.staff_by_id, data, "staff_id", errors, required=True)
        category = self._lookup(self.categories_by_id, data, "target_category_id", errors, required=True)
        assignee = self._lookup(self.staff_by_id, data, "assign_to", errors)
        self._raise_if(errors, listed=False)
        assert staff is not None and category is not None
        now = self._now()
        category_change = self._set_named(ticket, "category", category)
        ticket["display_id"] = display_id(self._prefix(category), ticket["id"])
        assignee_change = self._set_named(ticket, "assigned_to", assignee)
        entries = ticket.setdefault("custom_fields", [])
        for definition in self._fields_of_category(category["id"]):
            if cf.find_entry(entries, definition["id"]) is None:
                entries.append(cf.new_entry(definition))
        note_text = as_text(data.get("move_note")).strip()
        note = updates.message(text=note_text, private=True) if note_text else None
        if note is not None:
            ticket["messages_count"] = (ticket.get("messages_count") or 0) + 1
        self._record_staff_update(
            ticket, staff, now, message=note, category_change=category_change, assignee_change=assignee_change
        )
        self._touched(ticket)
        self._ticket_event("ticket-updated", ticket)
        return ticket

    @locked
    def delete_ticket(self, ticket_id: int, payload: Mapping[str, Any] | None = None, /, **fields: Any) -> JSON:
        """``POST ticket/<id>/delete/``: the ticket vanishes; returns ``{"deleted_ticket": display_id}``."""
        data = merge(payload, fields)
        ticket = self.ticket(ticket_id)
        errors: dict[str, list[str]] = {}
        self._lookup(self.staff_by_id, data, "staff_id", errors, required=True)
        self._raise_if(errors, listed=False)
        del self.tickets_by_id[ticket_id]
        for position, candidate in enumerate(self.helpdesk.tickets):
            if candidate is ticket:
                del self.helpdesk.tickets[position]
                break
        self.deleted_tickets[ticket_id] = ticket["display_id"]
        contact_id = ticket["user"]["id"]
        self._tickets_of_contact.get(contact_id, set()).discard(ticket_id)
        self._recount(contact_id)
        self._touched(ticket)
        return {"deleted_ticket": ticket["display_id"]}

    # -- helpers -------------------------------------------------------------------------

    def _optional(
        self, data: JSON, key: str, parse: Callable[[Any], Any], errors: dict[str, list[str]]
    ) -> Any:
        """``parse(data[key])`` when given and not blank, else ``None``; problems become field errors."""
        if key not in data or is_blank(data[key]):
            return None
        try:
            return parse(data[key])
        except FieldProblem as problem:
            errors.setdefault(key, []).append(str(problem))
            return None

    def _ticket_field_values(self, data: JSON, errors: dict[str, list[str]]) -> dict[int, cf.FieldValue]:
        return self._field_values(data, cf.TICKET_FIELD_KEY, self.ticket_fields_by_id, "t-cf-", errors)

    def _contact_field_values(self, data: JSON, errors: dict[str, list[str]]) -> dict[int, cf.FieldValue]:
        return self._field_values(data, cf.CONTACT_FIELD_KEY, self.contact_fields_by_id, "c-cf-", errors)

    def _field_values(
        self,
        data: JSON,
        pattern: Any,
        definitions: dict[int, JSON],
        label: str,
        errors: dict[str, list[str]],
    ) -> dict[int, cf.FieldValue]:
        """Parse every custom field key of a payload against its definition."""
        parsed: dict[int, cf.FieldValue] = {}
        for field_id, raw in cf.field_keys(data, pattern).items():
            definition = definitions.get(field_id)
            if definition is None:
                errors.setdefault(f"{label}{field_id}", []).append("Unknown custom field.")
                continue
            try:
                parsed[field_id] = cf.parse_value(definition, raw)
            except FieldProblem as problem:
                errors.setdefault(f"{label}{field_id}", []).append(str(problem))
        return parsed

    def _apply_ticket_fields(self, ticket: JSON, values: dict[int, cf.FieldValue]) -> list[JSON]:
        entries = ticket.setdefault("custom_fields", [])
        changes = []
        for field_id, parsed in values.items():
            change = cf.apply(entries, self.ticket_fields_by_id[field_id], parsed)
            if change is not None:
                changes.append(change)
        return changes

    def _apply_contact_fields(self, contact: JSON, values: dict[int, cf.FieldValue], now: str) -> None:
        entries = contact.setdefault("custom_fields", [])
        changed = False
        for field_id, parsed in values.items():
            changed |= cf.apply(entries, self.contact_fields_by_id[field_id], parsed, ticket=False) is not None
        if changed:
            contact["updated_at"] = now

    def _check_completion(self, ticket: JSON, status: JSON, values: dict[int, cf.FieldValue]) -> None:
        """Refuse to complete a pending ticket whose compulsory-on-completion fields are empty."""
        if status.get("behavior") != "completed" or ticket["status"].get("behavior") == "completed":
            return
        missing: dict[str, list[str]] = {}
        for definition in self.helpdesk.ticket_custom_fields:
            if not definition.get("compulsory_on_completed"):
                continue
            if not cf.applies_to_category(definition, ticket["category"]["id"]):
                continue
            field_id = definition["id"]
            value = values[field_id].value if field_id in values else cf.current_value(ticket.get("custom_fields") or [], field_id)
            if value in (None, "", []):
                missing[f"t-cf-{field_id}"] = [COMPLETION_MESSAGE]
        self._raise_if(missing, listed=False)

    @staticmethod
    def _set_named(ticket: JSON, key: str, new: JSON | None, *, allow_none: bool = False) -> JSON | None:
        """Point ``ticket[key]`` at a reference record; return the change, or ``None`` if same."""
        if new is None and not allow_none:
            return None
        old = ticket.get(key)
        if (old or {}).get("id") == (new or {}).get("id"):
            return None
        ticket[key] = new
        return updates.named_change(old, new)

    def _fields_of_category(self, category_id: int) -> list[JSON]:
        """Ticket field definitions shown in a category, in the category's field order."""
        shown = [d for d in self.helpdesk.ticket_custom_fields if cf.applies_to_category(d, category_id)]

        def position(definition: JSON) -> int:
            for entry in definition.get("categories") or []:
                if entry.get("category") == category_id:
                    return int(entry.get("order") or 0)
            return 0

        return sorted(shown, key=position)

    def _record_staff_update(self, ticket: JSON, staff: JSON, now: str, **changes: Any) -> None:
        """What every staff write does: bump ``last_modified``, subscribe the agent, append the update."""
        ticket["last_modified"] = now
        self._subscribe(ticket, staff)
        ticket["updates"].append(
            updates.update(timestamp=now, by=updates.by_staff(staff), update_id=self._take_update_id(), **changes)
        )

    @staticmethod
    def _subscribe(ticket: JSON, staff: JSON) -> None:
        subscribers = ticket.setdefault("subscribers", [])
        if not any(s.get("id") == staff["id"] for s in subscribers):
            subscribers.append(updates.subscriber(staff))

    def _system_email(self) -> str:
        """Whom system updates come from: ``notifications@`` the agents' email domain."""
        domain = next((s["email"].split("@", 1)[1] for s in self.helpdesk.staff if "@" in str(s.get("email"))), None)
        return f"notifications@{domain or 'example.com'}"

    def _prefix(self, category: JSON) -> str:
        return self.helpdesk.category_prefixes.get(category["id"]) or fallback_prefix(category)

    def _default_status(self) -> JSON:
        statuses = self.helpdesk.statuses
        default = next((s for s in statuses if s.get("default")), None)
        if default is None:
            pending = [s for s in statuses if s.get("behavior") == "pending"] or statuses
            default = min(pending, key=lambda s: s.get("order", 0))
        return default

    def _default_priority(self) -> JSON | None:
        priorities = self.helpdesk.priorities
        return next((p for p in priorities if p.get("default")), None) or (
            min(priorities, key=lambda p: p.get("order", 0)) if priorities else None
        )

    def _contact_for_create(self, data: JSON, errors: dict[str, list[str]]) -> JSON | str | None:
        """The ticket's contact: ``client`` id, an existing ``email``, or a new name+email.

        Returns the contact record, or the email of a contact still to be created.
        """
        if not is_blank(data.get("client")):
            return self._lookup(self.contacts_by_id, data, "client", errors)
        email = as_text(data.get("email")).strip()
        if email and email.lower() in self._contacts_by_email:
            return self._contacts_by_email[email.lower()]
        if not email:
            errors["email"] = [REQUIRED]
        elif "@" not in email:
            errors["email"] = ["Enter a valid email address."]
        if not as_text(data.get("name")).strip():
            errors["name"] = [REQUIRED]
        return email or None

    def _ensure_contact(self, key: JSON | str, data: JSON, now: str) -> JSON:
        """Create the contact a new ticket names by email, if it doesn't exist yet."""
        if isinstance(key, dict):
            return key
        return self._insert_contact(
            name=as_text(data.get("name")).strip(), email=key, phone_number=as_text(single(data.get("phone"))), now=now
        )

    def _insert_contact(self, *, name: str, email: str | None, phone_number: str, now: str) -> JSON:
        """Add a contact record with the API's fields (shared with contact creation)."""
        contact_id = self._next_contact_id
        self._next_contact_id += 1
        phones = []
        if phone_number.strip():
            phones.append(phone(phone_number.strip(), self._next_phone_id))
            self._next_phone_id += 1
        contact: JSON = {
            "id": contact_id,
            "name": name,
            "email": email,
            "phones": phones,
            "primary_phone": phones[0] if phones else None,
            "contact_groups": [],
            "custom_fields": [cf.new_entry(d, ticket=False) for d in self.helpdesk.user_custom_fields],
            "tickets_count": 0,
            "pending_tickets_count": 0,
            "created_at": now,
            "updated_at": now,
        }
        self.contacts_by_id[contact_id] = contact
        if email:
            self._contacts_by_email[email.lower()] = contact
        self.helpdesk.contacts.append(contact)
        return contact


def _unique(items: list[str]) -> list[str]:
    """Drop repeats, keeping first occurrences in order."""
    return list(dict.fromkeys(items))
