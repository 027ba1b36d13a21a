"""Turn HappyFox JSON records into the rows of this source's tables.

Flattening is done here, by hand, instead of by dlt's normaliser, for two reasons:
the table names and natural keys are a public contract (``ticket_updates`` joined
on ``ticket_id``, not ``tickets__updates`` joined on ``_dlt_parent_id``), and values
whose type HappyFox does not pin down (custom field values that are sometimes a
list) get one documented coercion instead of a variant column per shape.

Nested objects become ``parent__child`` columns, the names dlt itself would give,
so a field HappyFox adds tomorrow still loads under a predictable name.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Callable, Iterator

import orjson

from .helpers.errors import HappyFoxError

Row = dict[str, Any]

TICKET_OBJECT_IDS = {
    "status": "status_id",
    "priority": "priority_id",
    "category": "category_id",
    "assigned_to": "assignee_id",
    "user": "contact_id",
}
"""Nested objects on a ticket that are dimensions of their own: only their id stays."""

TICKET_CHILD_LISTS = ("updates", "custom_fields")
TICKET_TIMESTAMPS = (
    "created_at",
    "last_modified",
    "last_updated_at",
    "last_user_reply_at",
    "last_staff_reply_at",
)
UPDATE_SKIPPED = ("custom_field_change",)
MESSAGE_SKIPPED = ("attachments",)
DATE_COLUMNS = ("due_date", "due_date_change__old", "due_date_change__new")


def parse_timestamp(value: Any) -> datetime | None:
    """Read HappyFox's ``YYYY-MM-DD HH:MM:SS`` (UTC, no offset) as an aware UTC datetime.

    Also accepts ISO strings with ``T`` and an offset, and minutes-only values such as
    ``2022-02-08 15:59`` that appear in the API's own examples.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    text = str(value).strip().replace("T", " ")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as error:
        raise ValueError(f"unreadable timestamp {value!r}") from error
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def parse_date(value: Any) -> date | None:
    """Read ``YYYY-MM-DD`` (or ``DD/MM/YYYY``, which writes accept) as a date."""
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    text = str(value).strip()
    if "/" in text:
        day, month, year = text.split("/")
        return date(int(year), int(month), int(day))
    return date.fromisoformat(text[:10])


class FieldValueError(HappyFoxError, ValueError):
    """A field of a record holds a value this source cannot read; says which record and field.

    A :class:`HappyFoxError`, so the sync command finds it anywhere in the chain dlt
    wraps around it and prints its message.
    """


def read_field(parse: Callable[[Any], Any], value: Any, record: str, field: str) -> Any:
    """``parse(value)``, or :class:`FieldValueError` naming ``record`` and ``field``."""
    try:
        return parse(value)
    except (TypeError, ValueError) as error:
        problem = str(error)
    raise FieldValueError(f"{record}: field {field!r} has a value that cannot be read: {value!r} ({problem})")


def as_text(value: Any) -> str | None:
    """Coerce a value of unpinned type to text: lists join with ', ', objects become JSON.

    Custom field values are strings, numbers, ids or lists depending on the field
    type and, undocumented, on the account; one text column holds all of them.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return ", ".join(as_text(item) or "" for item in value)
    return orjson.dumps(value).decode()


def flatten(record: dict[str, Any], prefix: str = "", skip: tuple[str, ...] = ()) -> Row:
    """Flatten nested objects into ``a__b`` columns; lists are kept as JSON values.

    Nulls are left out: a missing key loads as NULL, and a null where an object
    usually is (``status_change: null``) must not become a column of its own.
    """
    row: Row = {}
    for key, value in record.items():
        if key in skip or value is None:
            continue
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            row.update(flatten(value, f"{name}__"))
        else:
            row[name] = value
    return row


def _object_id(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("id")
    return value


def ticket_row(ticket: dict[str, Any]) -> Row:
    """The ``tickets`` row: top-level scalars, dimension ids, timestamps as UTC."""
    row: Row = {}
    for key, value in ticket.items():
        if key in TICKET_CHILD_LISTS or value is None:
            continue
        if key in TICKET_OBJECT_IDS:
            row[TICKET_OBJECT_IDS[key]] = _object_id(value)
        elif isinstance(value, dict):
            row.update(flatten(value, f"{key}__"))
        else:
            row[key] = value
    record = f"ticket {ticket.get('id')}"
    for key in TICKET_TIMESTAMPS:
        if key in row:
            row[key] = read_field(parse_timestamp, row[key], record, key)
    if "due_date" in row:
        row["due_date"] = read_field(parse_date, row["due_date"], record, "due_date")
    row["is_deleted"] = False
    row["deleted_at"] = None
    return row


def update_row(ticket_id: int, index: int, update: dict[str, Any]) -> Row:
    """One ``ticket_updates`` row; the position in the history is its stable key.

    System updates have no ``update_id``, so ``(ticket_id, update_index)`` is the
    only key every update has.
    """
    row: Row = {"ticket_id": ticket_id, "update_index": index}
    message = update.get("message")
    for key, value in update.items():
        if key in UPDATE_SKIPPED or key == "message" or value is None:
            continue
        if isinstance(value, dict):
            row.update(flatten(value, f"{key}__"))
        else:
            row[key] = value
    if isinstance(message, dict):
        row.update(flatten(message, "message__", skip=MESSAGE_SKIPPED))
    record = f"ticket {ticket_id} update {index}"
    row["timestamp"] = read_field(parse_timestamp, row.get("timestamp"), record, "timestamp")
    for key in DATE_COLUMNS[1:]:
        if key in row:
            row[key] = read_field(parse_date, row[key], record, key)
    return row


def custom_field_change_rows(ticket_id: int, index: int, update: dict[str, Any]) -> Iterator[Row]:
    """Rows of ``ticket_custom_field_changes`` for one update (empty unless asked for)."""
    record = f"ticket {ticket_id} update {index}"
    for change in update.get("custom_field_change") or ():
        yield {
            "ticket_id": ticket_id,
            "update_index": index,
            "update_id": update.get("update_id"),
            "timestamp": read_field(parse_timestamp, update.get("timestamp"), record, "timestamp"),
            "field_id": read_field(int, change.get("id"), record, "custom_field_change.id"),
            "field_name": change.get("name"),
            "from_value": as_text(change.get("from")),
            "to_value": as_text(change.get("to")),
        }


def attachment_rows(ticket_id: int, index: int, update: dict[str, Any]) -> Iterator[Row]:
    """Attachment metadata; the signed URL expires in 5 minutes, so it is not kept."""
    message = update.get("message") or {}
    for attachment in message.get("attachments") or ():
        yield {
            "ticket_id": ticket_id,
            "update_index": index,
            "update_id": update.get("update_id"),
            "id": attachment.get("id"),
            "filename": attachment.get("filename"),
        }


def custom_field_value_rows(owner_key: str, owner_id: int, fields: list[dict[str, Any]] | None) -> Iterator[Row]:
    """Current custom field values of a ticket or a contact, values coerced to text."""
    for field in fields or ():
        yield {
            owner_key: owner_id,
            "field_id": field.get("id"),
            "field_name": field.get("name"),
            "type": field.get("type"),
            "value": as_text(field.get("value")),
            "value_id": as_text(field.get("value_id")),
        }


def tag_rows(ticket_id: int, tags: Any) -> Iterator[Row]:
    """HappyFox sends tags as one comma-separated string (possibly empty)."""
    if isinstance(tags, list):
        names = [str(tag) for tag in tags]
    else:
        names = str(tags or "").split(",")
    seen: set[str] = set()
    for name in (name.strip() for name in names):
        if name and name not in seen:
            seen.add(name)
            yield {"ticket_id": ticket_id, "tag": name}


def ticket_table_rows(ticket: dict[str, Any]) -> dict[str, list[Row]]:
    """Every row one ticket contributes, by table name."""
    ticket_id = ticket["id"]
    tables: dict[str, list[Row]] = {
        "tickets": [ticket_row(ticket)],
        "ticket_updates": [],
        "ticket_custom_field_changes": [],
        "ticket_attachments": [],
        "ticket_custom_field_values": list(
            custom_field_value_rows("ticket_id", ticket_id, ticket.get("custom_fields"))
        ),
        "ticket_tags": list(tag_rows(ticket_id, ticket.get("tags"))),
    }
    for index, update in enumerate(ticket.get("updates") or ()):
        tables["ticket_updates"].append(update_row(ticket_id, index, update))
        tables["ticket_custom_field_changes"].extend(custom_field_change_rows(ticket_id, index, update))
        tables["ticket_attachments"].extend(attachment_rows(ticket_id, index, update))
    return tables


def contact_table_rows(contact: dict[str, Any]) -> dict[str, list[Row]]:
    """A contact's row, its custom field values and its group memberships."""
    contact_id = contact["id"]
    row = flatten(contact, skip=("custom_fields", "contact_groups"))
    for key in ("created_at", "updated_at"):
        if key in row:
            row[key] = read_field(parse_timestamp, row[key], f"contact {contact_id}", key)
    memberships = [
        {
            "contact_group_id": group.get("id"),
            "contact_id": contact_id,
            "access_all_tickets_in_group": group.get("access_all_tickets_in_group"),
        }
        for group in contact.get("contact_groups") or ()
    ]
    return {
        "contacts": [row],
        "contact_custom_field_values": list(
            custom_field_value_rows("contact_id", contact_id, contact.get("custom_fields"))
        ),
        "contact_group_members": memberships,
    }


def reference_row(record: dict[str, Any]) -> Row:
    """A row of a small reference list (staff, statuses, ...): nested objects flattened."""
    return flatten(record, skip=("choices",))


def choice_rows(field: dict[str, Any]) -> Iterator[Row]:
    """The choices of a choice / multiple-choice custom field definition."""
    for choice in field.get("choices") or ():
        yield {"field_id": field.get("id"), "id": choice.get("id"), "text": choice.get("text")}
