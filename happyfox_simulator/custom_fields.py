"""Custom field values: parsing what a write sends, storing it, and describing the change.

A write sends ``t-cf-<id>`` (ticket) or ``c-cf-<id>`` / ``ccf-<id>`` (contact) with
a value whose format depends on the field type: text, a number, a choice id, a list
of choice ids, or a ``yyyy-mm-dd`` date. The ticket (or contact) then holds an entry
``{id, name, value, value_id, type, ...}`` where a choice's ``value`` is its label
and ``value_id`` its id; for multiple choice, ``value`` is the list of labels and
``value_id`` the list of ids. ``custom_field_change`` entries report values as the
text a person sees (``""`` when unset, labels joined by ``", "``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .payload import FieldProblem, as_id_list, as_int, as_iso_date, as_number, as_text, is_blank

JSON = dict[str, Any]

TICKET_FIELD_KEY = re.compile(r"^t-cf-(\d+)$")
CONTACT_FIELD_KEY = re.compile(r"^c-?cf-(\d+)$")

CHOICE_TYPES = frozenset({"choice", "dropdown"})
MULTI_CHOICE_TYPES = frozenset({"multiple_choice", "multiple-choice", "multiplechoice"})


@dataclass(frozen=True)
class FieldValue:
    """A parsed value ready to store: ``value`` and ``value_id`` as the API shows them."""

    value: Any
    value_id: Any


def field_keys(payload: Mapping[str, Any], pattern: re.Pattern[str]) -> dict[int, Any]:
    """The ``{field id: raw value}`` pairs of the payload keys matching ``pattern``."""
    found: dict[int, Any] = {}
    for key, raw in payload.items():
        match = pattern.match(key)
        if match:
            found[int(match.group(1))] = raw
    return found


def parse_value(definition: JSON, raw: Any) -> FieldValue:
    """Turn a write's raw value into the stored form, validating it against the field type."""
    if is_blank(raw) and not isinstance(raw, list):
        return FieldValue(None, None)
    kind = str(definition.get("type") or "text").lower()
    choices = {choice["id"]: choice["text"] for choice in definition.get("choices") or []}
    if kind in CHOICE_TYPES:
        choice_id = as_int(raw)
        if choice_id not in choices:
            raise FieldProblem(f"Select a valid choice. {choice_id} is not one of the available choices.")
        return FieldValue(choices[choice_id], choice_id)
    if kind in MULTI_CHOICE_TYPES:
        ids = as_id_list(raw)
        bad = [choice_id for choice_id in ids if choice_id not in choices]
        if bad:
            raise FieldProblem(f"Select a valid choice. {bad[0]} is not one of the available choices.")
        return FieldValue([choices[i] for i in ids] or None, ids or None)
    if kind == "number":
        return FieldValue(as_number(raw), None)
    if kind == "date":
        return FieldValue(as_iso_date(raw), None)
    return FieldValue(as_text(raw), None)


def display(value: Any) -> str:
    """A stored value as the text ``custom_field_change`` reports (``""`` when unset)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(display(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def applies_to_category(definition: JSON, category_id: int) -> bool:
    """Whether a ticket field is shown in a category (no category list means everywhere)."""
    categories = definition.get("categories")
    if not categories:
        return True
    return any(entry.get("category") == category_id for entry in categories)


def find_entry(entries: list[JSON], field_id: int) -> JSON | None:
    """The record's entry for a field, if it has one."""
    for entry in entries:
        if entry.get("id") == field_id:
            return entry
    return None


def new_entry(definition: JSON, *, ticket: bool = True) -> JSON:
    """An empty entry for a field the record didn't carry yet (contacts lack the completion flag)."""
    entry: JSON = {
        "id": definition["id"],
        "name": definition["name"],
        "value": None,
        "value_id": None,
        "type": definition.get("type", "text"),
        "visible_to_staff_only": bool(definition.get("visible_to_staff_only", False)),
    }
    if ticket:
        entry["compulsory_on_complete"] = bool(definition.get("compulsory_on_completed", False))
    return entry


def current_value(entries: list[JSON], field_id: int) -> Any:
    """The stored value of a field on a record, ``None`` when unset or absent."""
    entry = find_entry(entries, field_id)
    return None if entry is None else entry.get("value")


def apply(entries: list[JSON], definition: JSON, parsed: FieldValue, *, ticket: bool = True) -> JSON | None:
    """Store a value; return its ``custom_field_change`` item, or ``None`` if nothing changed."""
    entry = find_entry(entries, definition["id"])
    old = None if entry is None else entry.get("value")
    if old == parsed.value and (entry is None or entry.get("value_id") == parsed.value_id):
        return None
    if entry is None:
        entry = new_entry(definition, ticket=ticket)
        entries.append(entry)
    entry["value"] = parsed.value
    entry["value_id"] = parsed.value_id
    if display(old) == display(parsed.value):
        return None
    return {"id": str(definition["id"]), "name": definition["name"], "from": display(old), "to": display(parsed.value)}
