"""Contact writes: ``POST users/`` (create, or update the contact matched by email) and
``POST user/<id>/`` (update).

A contact edit shows on every ticket of that contact at once (tickets hold the
contact record itself) but does not touch the tickets' ``last_modified``: HappyFox
tracks contact changes in the contact's own ``updated_at``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import REQUIRED
from .model import JSON
from .payload import as_bool, as_text, merge, single
from .records import phone
from .store_base import locked
from .ticket_writes import TicketWrites


class ContactWrites(TicketWrites):
    """Create and update contacts (uses the ticket writes' contact and field helpers)."""

    @locked
    def create_contact(self, payload: Mapping[str, Any] | None = None, /, **fields: Any) -> JSON:
        """``POST users/``: a new contact, or an update of the one with the same email.

        Errors use the listed 400 shape, like ticket creation.
        """
        data = merge(payload, fields)
        email = as_text(data.get("email")).strip()
        existing = self._contacts_by_email.get(email.lower()) if email else None
        if existing is not None:
            return self._update_contact(existing, data, listed=True)
        errors: dict[str, list[str]] = {}
        name = as_text(data.get("name")).strip()
        if not name:
            errors["name"] = [REQUIRED]
        if email and "@" not in email:
            errors["email"] = ["Enter a valid email address."]
        values = self._contact_field_values(data, errors)
        login = self._optional(data, "is_login_enabled", as_bool, errors)
        self._raise_if(errors, listed=True)
        now = self._now()
        contact = self._insert_contact(
            name=name, email=email or None, phone_number=as_text(single(data.get("phone"))), now=now
        )
        if login is not None:
            contact["is_login_enabled"] = login
        self._apply_contact_fields(contact, values, now)
        contact["updated_at"] = now
        self._touched()
        return contact

    @locked
    def update_contact(self, contact_id: int, payload: Mapping[str, Any] | None = None, /, **fields: Any) -> JSON:
        """``POST user/<id>/``: change name, email, phone, login, ``c-cf-<id>`` values."""
        contact = self.contact(contact_id)
        return self._update_contact(contact, merge(payload, fields), listed=False)

    def _update_contact(self, contact: JSON, data: JSON, *, listed: bool) -> JSON:
        errors: dict[str, list[str]] = {}
        name = as_text(data.get("name")).strip() if "name" in data else None
        if name == "":
            errors["name"] = [REQUIRED]
        email = as_text(data.get("email")).strip() if "email" in data else None
        if email:
            if "@" not in email:
                errors["email"] = ["Enter a valid email address."]
            other = self._contacts_by_email.get(email.lower())
            if other is not None and other is not contact:
                errors["email"] = ["A contact with this email already exists."]
        values = self._contact_field_values(data, errors)
        login = self._optional(data, "is_login_enabled", as_bool, errors)
        self._raise_if(errors, listed=listed)
        now = self._now()
        if name:
            contact["name"] = name
        if email is not None and (email or None) != contact.get("email"):
            if contact.get("email"):
                self._contacts_by_email.pop(contact["email"].lower(), None)
            contact["email"] = email or None
            if email:
                self._contacts_by_email[email.lower()] = contact
        number = as_text(single(data.get("phone"))).strip()
        if number:
            entry = phone(number, self._next_phone_id)
            self._next_phone_id += 1
            contact["phones"] = [entry, *(contact.get("phones") or [])]
            contact["primary_phone"] = entry
        if login is not None:
            contact["is_login_enabled"] = login
        self._apply_contact_fields(contact, values, now)
        contact["updated_at"] = now
        self._touched()
        return contact
