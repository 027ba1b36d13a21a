"""The public table contract: names, keys, write dispositions and column types.

Dashboards are built on these names, so they are declared here once and never
inferred from whatever a page happened to contain. Columns that a sparse history
might never produce (an account with no assignee changes yet) are declared too,
so the SQL models can rely on them from the first run.

Child tables of tickets and contacts are loaded with dlt's ``delete-insert`` merge
keyed on the owner's id: a re-synced ticket's updates, tags, custom field values
and attachments replace the old ones as a whole, so a deleted reply disappears and
an update without ``update_id`` never duplicates. An owner whose list became empty
sends one tombstone row (``_hf_tombstone`` true, dlt's ``hard_delete`` hint): it
deletes the old rows and is not inserted itself.
"""

from __future__ import annotations

from typing import Any

from dlt.common.schema.typing import TColumnSchema

TOMBSTONE_COLUMN = "_hf_tombstone"

Columns = dict[str, TColumnSchema]


def _columns(**types: str) -> Columns:
    return {name: {"name": name, "data_type": data_type, "nullable": True} for name, data_type in types.items()}  # type: ignore[typeddict-item]


def _change(prefix: str, id_type: str = "bigint") -> dict[str, str]:
    return {
        f"{prefix}__old": id_type,
        f"{prefix}__new": id_type,
        f"{prefix}__old_name": "text",
        f"{prefix}__new_name": "text",
    }


TICKET_COLUMNS = _columns(
    id="bigint",
    display_id="text",
    subject="text",
    first_message="text",
    status_id="bigint",
    priority_id="bigint",
    category_id="bigint",
    assignee_id="bigint",
    contact_id="bigint",
    tags="text",
    due_date="date",
    created_at="timestamp",
    last_modified="timestamp",
    last_updated_at="timestamp",
    last_user_reply_at="timestamp",
    last_staff_reply_at="timestamp",
    messages_count="bigint",
    attachments_count="bigint",
    time_spent="bigint",
    sla_breaches="bigint",
    unresponded="bool",
    source="text",
    is_deleted="bool",
    deleted_at="timestamp",
)

UPDATE_COLUMNS = _columns(
    ticket_id="bigint",
    update_index="bigint",
    update_id="bigint",
    timestamp="timestamp",
    by__id="bigint",
    by__type="text",
    by__name="text",
    by__email="text",
    message__text="text",
    message__html="text",
    message__subject="text",
    message__message_type="text",
    message__cc_list="text",
    message__bcc_list="text",
    **_change("status_change"),
    **_change("priority_change"),
    **_change("assignee_change"),
    **_change("category_change"),
    due_date_change__old="date",
    due_date_change__new="date",
    time_spent="bigint",
    satisfaction_survey__rating="bigint",
    satisfaction_survey__comment="text",
)

CUSTOM_FIELD_CHANGE_COLUMNS = _columns(
    ticket_id="bigint",
    update_index="bigint",
    update_id="bigint",
    timestamp="timestamp",
    field_id="bigint",
    field_name="text",
    from_value="text",
    to_value="text",
)

CUSTOM_FIELD_VALUE_COLUMNS = _columns(
    field_id="bigint", field_name="text", type="text", value="text", value_id="text"
)

ATTACHMENT_COLUMNS = _columns(
    ticket_id="bigint", update_index="bigint", update_id="bigint", id="bigint", filename="text"
)

CONTACT_COLUMNS = _columns(
    id="bigint",
    name="text",
    email="text",
    created_at="timestamp",
    updated_at="timestamp",
    tickets_count="bigint",
    pending_tickets_count="bigint",
)


def _tombstone() -> Columns:
    return {TOMBSTONE_COLUMN: {"name": TOMBSTONE_COLUMN, "data_type": "bool", "nullable": True, "hard_delete": True}}


def _owned(owner_key: str, columns: Columns) -> dict[str, Any]:
    """Hints of a table whose rows are replaced as a whole for each owner in a load."""
    return {
        "write_disposition": {"disposition": "merge", "strategy": "delete-insert"},
        "merge_key": owner_key,
        "columns": {**_columns(**{owner_key: "bigint"}), **columns, **_tombstone()},
    }


def _keyed(primary_key: str | list[str], columns: Columns | None = None) -> dict[str, Any]:
    return {"write_disposition": "merge", "primary_key": primary_key, "columns": columns or {}}


def _reference(columns: Columns | None = None) -> dict[str, Any]:
    return {"write_disposition": "replace", "columns": columns or {}}


TABLE_HINTS: dict[str, dict[str, Any]] = {
    "tickets": _keyed("id", TICKET_COLUMNS),
    "ticket_updates": _owned("ticket_id", UPDATE_COLUMNS),
    "ticket_custom_field_changes": _owned("ticket_id", CUSTOM_FIELD_CHANGE_COLUMNS),
    "ticket_custom_field_values": _owned("ticket_id", CUSTOM_FIELD_VALUE_COLUMNS),
    "ticket_tags": _owned("ticket_id", _columns(tag="text")),
    "ticket_attachments": _owned("ticket_id", ATTACHMENT_COLUMNS),
    "contacts": _keyed("id", CONTACT_COLUMNS),
    "contact_custom_field_values": _owned("contact_id", CUSTOM_FIELD_VALUE_COLUMNS),
    "contact_group_members": _owned(
        "contact_id", _columns(contact_group_id="bigint", access_all_tickets_in_group="bool")
    ),
    "contact_groups": _reference(_columns(id="bigint", name="text", description="text")),
    "staff": _reference(_columns(id="bigint", name="text", email="text", active="bool", is_account_admin="bool", role__id="bigint", role__name="text")),
    "categories": _reference(_columns(id="bigint", name="text", description="text", public="bool")),
    "statuses": _reference(_columns(id="bigint", name="text", color="text", order="bigint", default="bool", behavior="text")),
    "priorities": _keyed("id", _columns(id="bigint", name="text", order="bigint", default="bool")),
    "ticket_custom_fields": _reference(_columns(id="bigint", name="text", type="text")),
    "ticket_custom_field_choices": _reference(_columns(field_id="bigint", id="bigint", text="text")),
    "contact_custom_fields": _reference(_columns(id="bigint", name="text", type="text")),
    "contact_custom_field_choices": _reference(_columns(field_id="bigint", id="bigint", text="text")),
}

TICKET_TABLES = (
    "tickets",
    "ticket_updates",
    "ticket_custom_field_changes",
    "ticket_custom_field_values",
    "ticket_tags",
    "ticket_attachments",
)
CONTACT_TABLES = ("contacts", "contact_custom_field_values", "contact_group_members")
OWNER_KEYS = {name: hints["merge_key"] for name, hints in TABLE_HINTS.items() if "merge_key" in hints}


def tombstone(table: str, owner_id: int) -> dict[str, Any]:
    """The row that clears an owner's rows from ``table`` without adding any."""
    return {OWNER_KEYS[table]: owner_id, TOMBSTONE_COLUMN: True}
