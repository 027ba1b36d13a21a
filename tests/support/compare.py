"""Compare a whole warehouse with the simulator's truth, table by table, field by field.

:func:`assert_warehouse_equals_truth` is the one check the reliability tests end
with: every contract table holds exactly the rows the simulator's records imply
(as multisets, so a duplicated row is a difference too), no table has two rows
under one key, and every ticket deleted in HappyFox that reached the warehouse is
flagged ``is_deleted`` with the time it was detected. It returns the number of
rows compared, for the figures a test run reports.

The expected rows are projected here from the raw API-shaped records, written
independently of ``sources/happyfox/transform.py`` (only the documented coercion
of untyped custom field values is shared, through :func:`tests.support.truth.text`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Callable, Iterable

from happyfox_simulator import Helpdesk, Simulator

from .truth import text, ts

Row = tuple[Any, ...]


def day(value: str | None) -> date | None:
    return None if value in (None, "") else date.fromisoformat(str(value)[:10])


def _get(record: dict[str, Any] | None, *path: str) -> Any:
    value: Any = record
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


@dataclass(frozen=True)
class TableSpec:
    """How one contract table is compared: its columns, its key, its expected rows."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    expected: Callable[[Helpdesk], Iterable[Row]]
    owner_column: str | None = None
    """For tables of ticket rows: the column holding the ticket id (deleted tickets' rows are history)."""


# -- expected rows, from the records -------------------------------------------------------


def _ticket_rows(desk: Helpdesk) -> Iterable[Row]:
    for t in desk.tickets:
        yield (
            t["id"],
            t["display_id"],
            t.get("subject"),
            t.get("first_message"),
            _get(t, "status", "id"),
            _get(t, "priority", "id"),
            _get(t, "category", "id"),
            _get(t, "assigned_to", "id"),
            _get(t, "user", "id"),
            t.get("tags"),
            day(t.get("due_date")),
            ts(t.get("created_at")),
            ts(t.get("last_modified")),
            ts(t.get("last_updated_at")),
            ts(t.get("last_user_reply_at")),
            ts(t.get("last_staff_reply_at")),
            t.get("messages_count"),
            t.get("attachments_count"),
            t.get("time_spent"),
            t.get("sla_breaches"),
            t.get("unresponded"),
            t.get("source"),
            False,
        )


def _update_rows(desk: Helpdesk) -> Iterable[Row]:
    for t in desk.tickets:
        for index, u in enumerate(t.get("updates") or ()):
            yield (
                t["id"],
                index,
                u.get("update_id"),
                ts(u.get("timestamp")),
                _get(u, "by", "id"),
                _get(u, "by", "type"),
                _get(u, "by", "name"),
                _get(u, "by", "email"),
                _get(u, "message", "text"),
                _get(u, "message", "html"),
                _get(u, "message", "subject"),
                _get(u, "message", "message_type"),
                _get(u, "message", "cc_list"),
                _get(u, "status_change", "old"),
                _get(u, "status_change", "new"),
                _get(u, "priority_change", "new"),
                _get(u, "assignee_change", "old"),
                _get(u, "assignee_change", "new"),
                _get(u, "category_change", "new"),
                day(_get(u, "due_date_change", "new")),
                u.get("time_spent"),
                _get(u, "satisfaction_survey", "rating"),
                _get(u, "satisfaction_survey", "comment"),
            )


def _cf_change_rows(desk: Helpdesk) -> Iterable[Row]:
    for t in desk.tickets:
        for index, u in enumerate(t.get("updates") or ()):
            for change in u.get("custom_field_change") or ():
                yield (
                    t["id"],
                    index,
                    u.get("update_id"),
                    ts(u.get("timestamp")),
                    int(change["id"]),
                    change.get("name"),
                    text(change.get("from")),
                    text(change.get("to")),
                )


def _field_value_rows(owner_id: int, fields: Iterable[dict[str, Any]] | None) -> Iterable[Row]:
    for f in fields or ():
        yield (owner_id, f["id"], f.get("name"), f.get("type"), text(f.get("value")), text(f.get("value_id")))


def _cf_value_rows(desk: Helpdesk) -> Iterable[Row]:
    for t in desk.tickets:
        yield from _field_value_rows(t["id"], t.get("custom_fields"))


def _tag_rows(desk: Helpdesk) -> Iterable[Row]:
    for t in desk.tickets:
        yield from {(t["id"], tag.strip()) for tag in (t.get("tags") or "").split(",") if tag.strip()}


def _attachment_rows(desk: Helpdesk) -> Iterable[Row]:
    for t in desk.tickets:
        for index, u in enumerate(t.get("updates") or ()):
            for a in _get(u, "message", "attachments") or ():
                yield (t["id"], index, u.get("update_id"), a["id"], a.get("filename"))


def _contact_rows(desk: Helpdesk) -> Iterable[Row]:
    for c in desk.contacts:
        yield (
            c["id"],
            c.get("name"),
            c.get("email"),
            ts(c.get("created_at")),
            ts(c.get("updated_at")),
            c.get("tickets_count"),
            c.get("pending_tickets_count"),
            _get(c, "primary_phone", "number"),
        )


def _contact_value_rows(desk: Helpdesk) -> Iterable[Row]:
    for c in desk.contacts:
        yield from _field_value_rows(c["id"], c.get("custom_fields"))


def _member_rows(desk: Helpdesk) -> Iterable[Row]:
    for c in desk.contacts:
        for g in c.get("contact_groups") or ():
            yield (c["id"], g["id"], g.get("access_all_tickets_in_group"))


def _choices(fields: list[dict[str, Any]]) -> Iterable[Row]:
    for f in fields:
        for choice in f.get("choices") or ():
            yield (f["id"], choice["id"], choice.get("text"))


TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "tickets",
        ("id", "display_id", "subject", "first_message", "status_id", "priority_id", "category_id",
         "assignee_id", "contact_id", "tags", "due_date", "created_at", "last_modified", "last_updated_at",
         "last_user_reply_at", "last_staff_reply_at", "messages_count", "attachments_count", "time_spent",
         "sla_breaches", "unresponded", "source", "coalesce(is_deleted, false)"),
        ("id",),
        _ticket_rows,
        owner_column="id",
    ),
    TableSpec(
        "ticket_updates",
        ("ticket_id", "update_index", "update_id", "timestamp", "by__id", "by__type", "by__name", "by__email",
         "message__text", "message__html", "message__subject", "message__message_type", "message__cc_list",
         "status_change__old", "status_change__new", "priority_change__new", "assignee_change__old",
         "assignee_change__new", "category_change__new", "due_date_change__new", "time_spent",
         "satisfaction_survey__rating", "satisfaction_survey__comment"),
        ("ticket_id", "update_index"),
        _update_rows,
        owner_column="ticket_id",
    ),
    TableSpec(
        "ticket_custom_field_changes",
        ("ticket_id", "update_index", "update_id", "timestamp", "field_id", "field_name", "from_value", "to_value"),
        ("ticket_id", "update_index", "field_id"),
        _cf_change_rows,
        owner_column="ticket_id",
    ),
    TableSpec(
        "ticket_custom_field_values",
        ("ticket_id", "field_id", "field_name", "type", "value", "value_id"),
        ("ticket_id", "field_id"),
        _cf_value_rows,
        owner_column="ticket_id",
    ),
    TableSpec("ticket_tags", ("ticket_id", "tag"), ("ticket_id", "tag"), _tag_rows, owner_column="ticket_id"),
    TableSpec(
        "ticket_attachments",
        ("ticket_id", "update_index", "update_id", "id", "filename"),
        ("ticket_id", "update_index", "id"),
        _attachment_rows,
        owner_column="ticket_id",
    ),
    TableSpec(
        "contacts",
        ("id", "name", "email", "created_at", "updated_at", "tickets_count", "pending_tickets_count",
         "primary_phone__number"),
        ("id",),
        _contact_rows,
    ),
    TableSpec(
        "contact_custom_field_values",
        ("contact_id", "field_id", "field_name", "type", "value", "value_id"),
        ("contact_id", "field_id"),
        _contact_value_rows,
    ),
    TableSpec(
        "contact_group_members",
        ("contact_id", "contact_group_id", "access_all_tickets_in_group"),
        ("contact_id", "contact_group_id"),
        _member_rows,
    ),
    TableSpec(
        "contact_groups",
        ("id", "name", "description"),
        ("id",),
        lambda d: ((g["id"], g.get("name"), g.get("description")) for g in d.contact_groups),
    ),
    TableSpec(
        "staff",
        ("id", "name", "email", "active", "is_account_admin", "role__id", "role__name"),
        ("id",),
        lambda d: ((s["id"], s.get("name"), s.get("email"), s.get("active"), s.get("is_account_admin"),
                    _get(s, "role", "id"), _get(s, "role", "name")) for s in d.staff),
    ),
    TableSpec(
        "categories",
        ("id", "name", "description", "public"),
        ("id",),
        lambda d: ((c["id"], c.get("name"), c.get("description"), c.get("public")) for c in d.categories),
    ),
    TableSpec(
        "statuses",
        ("id", "name", "color", '"order"', '"default"', "behavior"),
        ("id",),
        lambda d: ((s["id"], s.get("name"), s.get("color"), s.get("order"), s.get("default"), s.get("behavior"))
                   for s in d.statuses),
    ),
    TableSpec(
        "priorities",
        ("id", "name", '"order"', '"default"'),
        ("id",),
        lambda d: ((p["id"], p.get("name"), p.get("order"), p.get("default")) for p in d.priorities),
    ),
    TableSpec(
        "ticket_custom_fields",
        ("id", "name", "type", "required"),
        ("id",),
        lambda d: ((f["id"], f.get("name"), f.get("type"), f.get("required")) for f in d.ticket_custom_fields),
    ),
    TableSpec(
        "ticket_custom_field_choices",
        ("field_id", "id", "text"),
        ("field_id", "id"),
        lambda d: _choices(d.ticket_custom_fields),
    ),
    TableSpec(
        "contact_custom_fields",
        ("id", "name", "type", "required"),
        ("id",),
        lambda d: ((f["id"], f.get("name"), f.get("type"), f.get("required")) for f in d.user_custom_fields),
    ),
    TableSpec(
        "contact_custom_field_choices",
        ("field_id", "id", "text"),
        ("field_id", "id"),
        lambda d: _choices(d.user_custom_fields),
    ),
)

SPECS = {spec.name: spec for spec in TABLES}


# -- the comparison ----------------------------------------------------------------------


def _show(rows: Counter[Row], limit: int = 8) -> str:
    shown = [f"    {count} x {row!r}"[:400] for row, count in list(rows.items())[:limit]]
    more = f"\n    ... {len(rows) - limit} more" if len(rows) > limit else ""
    return "\n".join(shown) + more


def duplicate_keys(warehouse: Any, table: str, key: Iterable[str]) -> list[Row]:
    """Keys held by more than one row of ``table``."""
    columns = ", ".join(key)
    return warehouse.query(f"select {columns}, count(*) from {table} group by {columns} having count(*) > 1 limit 20")


def _truth_of(truth: Simulator | Helpdesk, deleted: dict[int, str] | None) -> tuple[Helpdesk, dict[int, str]]:
    if isinstance(truth, Simulator):
        return truth.helpdesk, dict(truth.store.deleted_tickets) if deleted is None else deleted
    return truth, deleted or {}


TICKET_TABLES = tuple(spec.name for spec in TABLES if spec.owner_column)


def table_differences(warehouse: Any, truth: Simulator | Helpdesk, *, deleted: dict[int, str] | None = None,
                      tables: Iterable[str] | None = None,
                      exclude_tickets: Iterable[int] = ()) -> tuple[list[str], int]:
    """Every difference found (as readable lines) and the number of rows compared."""
    desk, deleted_ids = _truth_of(truth, deleted)
    excluded = set(exclude_tickets)
    if excluded:
        desk = replace(desk, tickets=[t for t in desk.tickets if t["id"] not in excluded])
        deleted_ids = {i: d for i, d in deleted_ids.items() if i not in excluded}
    if tables is not None:
        tables = list(tables)
    problems: list[str] = []
    compared = 0
    present = warehouse.tables()
    for spec in (SPECS[name] for name in tables) if tables is not None else TABLES:
        expected = Counter(spec.expected(desk))
        if spec.name not in present:
            if expected:
                problems.append(f"{spec.name}: table missing, {sum(expected.values())} rows expected")
            continue
        select = f"select {', '.join(spec.columns)} from {spec.name}"
        skipped = set(deleted_ids) | excluded
        if spec.owner_column and skipped:
            # a deleted ticket's rows stay as history (its flag is checked below); excluded
            # tickets are left out on both sides
            select += f" where {spec.owner_column} not in ({', '.join(str(i) for i in sorted(skipped))})"
        actual = Counter(tuple(row) for row in warehouse.query(select))
        compared += sum(actual.values())
        if actual != expected:
            missing, extra = expected - actual, actual - expected
            problems.append(
                f"{spec.name}: {sum(missing.values())} expected rows missing, {sum(extra.values())} unexpected"
                f"\n  missing:\n{_show(missing)}\n  unexpected:\n{_show(extra)}"
            )
        duplicates = duplicate_keys(warehouse, spec.name, spec.key)
        if duplicates:
            problems.append(f"{spec.name}: duplicate keys {spec.key}: {duplicates[:5]}")
    if deleted_ids and (tables is None or "tickets" in tables):
        id_list = ", ".join(str(i) for i in deleted_ids)
        flagged = warehouse.query(
            f"select id, is_deleted, deleted_at is not null from tickets where id in ({id_list})"
        )
        compared += len(flagged)
        unflagged = [row for row in flagged if row[1] is not True or row[2] is not True]
        if unflagged:
            problems.append(f"tickets: deleted in HappyFox but not flagged is_deleted with deleted_at: {unflagged[:10]}")
    return problems, compared


def assert_warehouse_equals_truth(warehouse: Any, truth: Simulator | Helpdesk, *, deleted: dict[int, str] | None = None,
                                  tables: Iterable[str] | None = None, exclude_tickets: Iterable[int] = ()) -> int:
    """Assert every contract table equals the simulator's records; return the rows compared.

    ``truth`` is the simulator (its ``store.deleted_tickets`` then says which tickets
    were deleted) or a bare helpdesk with ``deleted`` given. Live tickets and their
    child rows must match exactly; rows of a deleted ticket may stay (history), but
    its ``tickets`` row must be flagged ``is_deleted`` with a ``deleted_at``.
    ``tables`` limits the check to some tables; ``exclude_tickets`` leaves those
    tickets (say, the ones written while a run was paging) out on both sides.
    """
    problems, compared = table_differences(warehouse, truth, deleted=deleted, tables=tables,
                                           exclude_tickets=exclude_tickets)
    assert not problems, "warehouse differs from the simulator's truth:\n" + "\n".join(problems)
    return compared


def assert_no_duplicate_keys(warehouse: Any) -> None:
    """No contract table holds two rows under one natural key."""
    present = warehouse.tables()
    found = {spec.name: duplicate_keys(warehouse, spec.name, spec.key) for spec in TABLES if spec.name in present}
    assert not any(found.values()), f"duplicate keys: { {k: v for k, v in found.items() if v} }"
