"""A hand-written helpdesk for the model tests.

Each ticket's history is written out below, update by update. `raw_tables()` only turns
that compact notation into rows of the raw tables the dlt source loads (it computes no
metric): the expected values in the tests are worked out by hand from the histories.

Days (UTC): D1 = 2024-03-04 (Mon) ... D5 = 2024-03-08 (Fri); D6 = 2024-03-09 only on the
deleted ticket. Statuses: 1 New, 2 In Progress, 3 On Hold (pending); 4 Resolved,
5 Closed (completed). Priorities: 1 Low, 2 Medium, 3 High. Categories: 10 Support,
20 Billing. Staff: 100 Alice, 101 Bob, 102 Carol. Contacts: 500 Dan, 501 Eve, 502 Fay,
503 Gus. Custom fields: 7 Product (choice), 8 Order number (text), 9 Components
(multiple_choice).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator, Optional

import dlt

UTC = dt.timezone.utc


def ts(day: int, hhmm: str) -> dt.datetime:
    """Timestamp on day `day` (1 = 2024-03-04) at HH:MM UTC."""
    h, m = hhmm.split(":")
    return dt.datetime(2024, 3, 3 + day, int(h), int(m), tzinfo=UTC)


def d(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


STATUSES = [
    {"id": 1, "name": "New", "color": "#0a0", "order": 1, "default": True, "behavior": "pending"},
    {"id": 2, "name": "In Progress", "color": "#00a", "order": 2, "default": False, "behavior": "pending"},
    {"id": 3, "name": "On Hold", "color": "#aa0", "order": 3, "default": False, "behavior": "pending"},
    {"id": 4, "name": "Resolved", "color": "#0aa", "order": 4, "default": False, "behavior": "completed"},
    {"id": 5, "name": "Closed", "color": "#555", "order": 5, "default": False, "behavior": "completed"},
]
PRIORITIES = [
    {"id": 1, "name": "Low", "order": 1, "default": False},
    {"id": 2, "name": "Medium", "order": 2, "default": True},
    {"id": 3, "name": "High", "order": 3, "default": False},
    {"id": 4, "name": "Urgent", "order": 4, "default": False},
]
CATEGORIES = [
    {"id": 10, "name": "Support", "description": "General support", "public": True},
    {"id": 20, "name": "Billing", "description": "Invoices", "public": False},
]
STAFF = [
    {"id": 100, "name": "Alice", "email": "alice@example.com", "active": True, "is_account_admin": True, "role__id": 1, "role__name": "Administrator"},
    {"id": 101, "name": "Bob", "email": "bob@example.com", "active": True, "is_account_admin": False, "role__id": 2, "role__name": "Agent"},
    {"id": 102, "name": "Carol", "email": "carol@example.com", "active": True, "is_account_admin": False, "role__id": 2, "role__name": "Agent"},
]
CONTACTS = [
    {"id": 500, "name": "Dan", "email": "dan@example.com"},
    {"id": 501, "name": "Eve", "email": "eve@example.com"},
    {"id": 502, "name": "Fay", "email": "fay@example.com"},
    {"id": 503, "name": "Gus", "email": "gus@example.com"},
]
CUSTOM_FIELDS = [
    {"id": 7, "name": "Product", "type": "choice", "required": False},
    {"id": 8, "name": "Order number", "type": "text", "required": False},
    {"id": 9, "name": "Components", "type": "multiple_choice", "required": False},
]
CUSTOM_FIELD_CHOICES = [
    {"field_id": 7, "id": 71, "text": "Printer"},
    {"field_id": 7, "id": 72, "text": "Scanner"},
    {"field_id": 7, "id": 73, "text": "Fax"},
    {"field_id": 9, "id": 91, "text": "Toner"},
    {"field_id": 9, "id": 92, "text": "Drum"},
]

# Update notation: (at, by, fields) where by is ("user", contact id), ("staff", staff id),
# ("smartrule", rule id) for a smart rule's message, None for a system update (no
# update_id), or "null" for an update whose `by` is null. fields: msg (text; private=True makes it a
# private note), status/priority/category/assignee/due = (old, new), time = minutes,
# rating = 1..5, cf = [(field id, from, to)].
TICKETS: list[dict[str, Any]] = [
    # T1: reopened twice, resolved three times, rated.
    dict(id=1, created=ts(1, "09:00"), contact=500, category=10, priority=2, status=5, assignee=100,
         due=None, time_spent=30, cf_values={7: "Printer"}, updates=[
        (ts(1, "09:00"), ("user", 500), dict(msg="My printer is on fire")),
        (ts(1, "09:30"), ("staff", 100), dict(msg="Try water", status=(1, 2), time=10)),
        (ts(1, "10:00"), ("staff", 100), dict(status=(2, 4))),
        (ts(2, "08:00"), ("user", 500), dict(msg="Still burning", status=(4, 1))),
        (ts(2, "09:00"), ("staff", 100), dict(msg="Try more water", status=(1, 4), time=5)),
        (ts(3, "11:00"), ("user", 500), dict(msg="Again", status=(4, 2))),
        (ts(3, "12:00"), ("staff", 100), dict(msg="Replaced it", status=(2, 5), time=15)),
        (ts(3, "13:00"), ("user", 500), dict(rating=4)),
    ]),
    # T2: unassigned at creation, auto-assigned by the system (no update_id), unassigned,
    # reassigned to Bob by Carol.
    dict(id=2, created=ts(1, "10:00"), contact=501, category=10, priority=1, status=2, assignee=101,
         due=None, time_spent=0, cf_values={8: ""}, updates=[
        (ts(1, "10:00"), ("user", 501), dict(msg="Invoice question")),
        (ts(1, "11:00"), None, dict(assignee=(None, 100))),
        (ts(1, "12:00"), ("staff", 100), dict(assignee=(100, None))),
        (ts(2, "09:00"), ("staff", 102), dict(assignee=(None, 101), status=(1, 2))),
        (ts(2, "10:00"), ("staff", 101), dict(msg="Looking into it")),
    ]),
    # T3: private note before the first public reply; one-touch; rating changed 5 -> 3;
    # resolved on its due date (not overdue).
    dict(id=3, created=ts(1, "11:00"), contact=502, category=20, priority=3, status=4, assignee=101,
         due=d("2024-03-04"), time_spent=15, sla_breaches=1, updates=[
        (ts(1, "11:00"), ("user", 502), dict(msg="Charged twice")),
        (ts(1, "11:15"), ("staff", 101), dict(msg="Check billing system", private=True, time=5)),
        (ts(1, "11:45"), ("staff", 101), dict(msg="Refunded", status=(1, 4), time=10)),
        (ts(2, "09:00"), ("user", 502), dict(rating=5)),
        (ts(2, "09:30"), ("user", 502), dict(rating=3)),
    ]),
    # T4: due date set to D2, resolved on D3: resolved past due.
    dict(id=4, created=ts(1, "12:00"), contact=503, category=10, priority=2, status=4, assignee=102,
         due=d("2024-03-05"), time_spent=0, updates=[
        (ts(1, "12:00"), ("user", 503), dict(msg="Login fails")),
        (ts(1, "12:30"), ("staff", 102), dict(msg="Reset your password", status=(1, 2), due=(None, d("2024-03-05")))),
        (ts(3, "10:00"), ("staff", 102), dict(msg="Fixed on our side", status=(2, 4))),
    ]),
    # T5: on hold, still open past its due date (D3).
    # A message with a null author (by: null) counts as nothing.
    dict(id=5, created=ts(2, "08:00"), contact=500, category=20, priority=3, status=3, assignee=100,
         due=d("2024-03-06"), time_spent=0, updates=[
        (ts(2, "08:00"), ("user", 500), dict(msg="Need a quote")),
        (ts(2, "08:20"), ("staff", 100), dict(msg="Waiting for sales", status=(1, 3))),
        (ts(2, "12:00"), "null", dict(msg="Forwarded from the sales inbox")),
        (ts(3, "09:00"), ("user", 500), dict(msg="Any news?")),
    ]),
    # T6: no staff reply at all (a smart rule's auto-acknowledgement is not one), never
    # assigned, time_spent null.
    dict(id=6, created=ts(2, "09:00"), contact=501, category=10, priority=1, status=1, assignee=None,
         due=None, time_spent=None, updates=[
        (ts(2, "09:00"), ("user", 501), dict(msg="Hello")),
        (ts(2, "09:01"), ("smartrule", 900), dict(msg="We received your request")),
        (ts(2, "18:30"), ("user", 501), dict(msg="Hello?")),
    ]),
    # T7: custom field Product changed twice (Printer -> Scanner -> Fax), Order number set
    # once, Components never changed; one-touch resolution.
    dict(id=7, created=ts(2, "10:00"), contact=502, category=10, priority=2, status=4, assignee=101,
         due=d("2024-03-30"), time_spent=0,
         cf_values={7: "Fax", 8: "A-1", 9: "Toner,Drum"}, updates=[
        (ts(2, "10:00"), ("user", 502), dict(msg="Wrong device")),
        (ts(2, "10:30"), ("staff", 101), dict(msg="Which one?", cf=[(7, "Printer", "Scanner")])),
        (ts(3, "09:00"), ("staff", 101), dict(cf=[(7, "Scanner", "Fax"), (8, "", "A-1")])),
        (ts(4, "09:00"), ("staff", 101), dict(status=(1, 4))),
    ]),
    # T8: deleted: left out of every model (its last update on D6 must not extend the backlog).
    dict(id=8, created=ts(1, "13:00"), contact=503, category=10, priority=1, status=4, assignee=100,
         due=None, time_spent=7, deleted=True, cf_values={7: "Printer"}, updates=[
        (ts(1, "13:00"), ("user", 503), dict(msg="Spam")),
        (ts(1, "13:10"), ("staff", 100), dict(msg="Closing", status=(1, 4), time=7)),
        (ts(6, "10:00"), ("staff", 100), dict(msg="Really", cf=[(7, "", "Printer")])),
    ]),
    # T9: created 02:00 UTC (the evening before in America/Los_Angeles), moved from
    # Support to Billing, priority raised Low -> High.
    dict(id=9, created=ts(3, "02:00"), contact=500, category=20, priority=3, status=2, assignee=102,
         due=None, time_spent=0, updates=[
        (ts(3, "02:00"), ("user", 500), dict(msg="Refund please")),
        (ts(3, "10:00"), ("staff", 102), dict(msg="Moving to billing", private=True, category=(10, 20))),
        (ts(4, "08:00"), ("staff", 102), dict(msg="On it", priority=(1, 3), status=(1, 2))),
    ]),
    # T10: time spent over three updates by two agents (20 + 25 + 15); the private note is
    # at 16:00 UTC (the next day in Asia/Tokyo).
    dict(id=10, created=ts(3, "09:00"), contact=501, category=20, priority=2, status=4, assignee=100,
         due=None, time_spent=60, updates=[
        (ts(3, "09:00"), ("user", 501), dict(msg="Update my card")),
        (ts(3, "09:10"), ("staff", 100), dict(msg="Sure", time=20)),
        (ts(3, "16:00"), ("staff", 100), dict(msg="Card processor slow", private=True, time=25)),
        (ts(4, "10:00"), ("staff", 102), dict(msg="Done", status=(1, 4), time=15)),
    ]),
    # T11: resolved, then closed by the system (completed -> completed: no new resolution).
    dict(id=11, created=ts(4, "09:00"), contact=503, category=10, priority=2, status=5, assignee=101,
         due=None, time_spent=0, updates=[
        (ts(4, "09:00"), ("user", 503), dict(msg="Quick question")),
        (ts(4, "09:05"), ("staff", 101), dict(msg="Quick answer", status=(1, 4))),
        (ts(5, "09:05"), None, dict(status=(4, 5))),
    ]),
    # T12: resolved, reopened by the contact, still open past its due date (D4).
    dict(id=12, created=ts(4, "10:00"), contact=500, category=20, priority=1, status=1, assignee=100,
         due=d("2024-03-07"), time_spent=0, updates=[
        (ts(4, "10:00"), ("user", 500), dict(msg="Receipt missing")),
        (ts(4, "10:30"), ("staff", 100), dict(msg="Sent", status=(1, 4))),
        (ts(5, "08:00"), ("user", 500), dict(msg="Not received", status=(4, 1))),
    ]),
    # T13: opened by staff on behalf of a contact: the opening message is not a reply.
    dict(id=13, created=ts(5, "10:00"), contact=503, category=10, priority=1, status=1, assignee=101,
         due=None, time_spent=0, updates=[
        (ts(5, "10:00"), ("staff", 101), dict(msg="Logged phone call")),
        (ts(5, "10:20"), ("staff", 101), dict(msg="Follow-up")),
    ]),
]

_NAMES = {
    "status": {s["id"]: s["name"] for s in STATUSES},
    "priority": {p["id"]: p["name"] for p in PRIORITIES},
    "category": {c["id"]: c["name"] for c in CATEGORIES},
    "assignee": {s["id"]: s["name"] for s in STAFF},
}
_STAFF = {s["id"]: s for s in STAFF}
_SMART_RULES = {900: {"name": "Auto-acknowledge", "email": None}}
_CONTACTS = {c["id"]: c for c in CONTACTS}
_FIELDS = {f["id"]: f for f in CUSTOM_FIELDS}
_CHOICE_IDS = {(c["field_id"], c["text"]): c["id"] for c in CUSTOM_FIELD_CHOICES}


def _update_rows(ticket: dict[str, Any]) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    for index, (at, by, f) in enumerate(ticket["updates"]):
        update_id: Optional[int] = None if by is None else ticket["id"] * 1000 + index
        row: dict[str, Any] = {
            "ticket_id": ticket["id"],
            "update_index": index,
            "update_id": update_id,
            "timestamp": at,
            "by__id": None,
            "by__type": None,
            "by__name": "The system",
            "by__email": "system@example.com",
        }
        if by == "null":
            row.update({"by__name": None, "by__email": None})
        elif by is not None:
            kind, who = by
            person = _STAFF[who] if kind == "staff" else _SMART_RULES[who] if kind == "smartrule" else _CONTACTS[who]
            row.update({"by__id": who, "by__type": kind, "by__name": person["name"], "by__email": person["email"]})
        if "msg" in f:
            row.update({
                "message__text": f["msg"],
                "message__html": f"<p>{f['msg']}</p>",
                "message__subject": None,
                "message__message_type": "p" if f.get("private") else None,
            })
        for key in ("status", "priority", "category", "assignee"):
            if key in f:
                old, new = f[key]
                row[f"{key}_change__old"] = old
                row[f"{key}_change__new"] = new
                row[f"{key}_change__old_name"] = _NAMES[key].get(old)
                row[f"{key}_change__new_name"] = _NAMES[key].get(new)
        if "due" in f:
            row["due_date_change__old"], row["due_date_change__new"] = f["due"]
        if "time" in f:
            row["time_spent"] = f["time"]
        if "rating" in f:
            row["satisfaction_survey__rating"] = f["rating"]
            row["satisfaction_survey__comment"] = None
        cf_rows = [
            {
                "ticket_id": ticket["id"],
                "update_id": update_id,
                "update_index": index,
                "timestamp": at,
                "field_id": fid,
                "field_name": _FIELDS[fid]["name"],
                "from_value": old,
                "to_value": new,
            }
            for fid, old, new in f.get("cf", [])
        ]
        yield row, cf_rows


# ticket_tags rows as the source loads them: T4 lists a tag twice and has an empty one,
# T8 (deleted) has one
TAGS = {3: ["billing", "refund"], 4: ["login", "billing", "login", ""], 8: ["billing"]}


def raw_tables(tickets: Optional[list[dict[str, Any]]] = None) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {
        "tickets": [], "ticket_updates": [], "ticket_custom_field_changes": [],
        "ticket_custom_field_values": [], "ticket_tags": [], "ticket_attachments": [],
    }
    for t in TICKETS if tickets is None else tickets:
        updates = []
        for row, cf_rows in _update_rows(t):
            updates.append(row)
            tables["ticket_custom_field_changes"].extend(cf_rows)
        tables["ticket_updates"].extend(updates)
        last = t["updates"][-1][0]
        tables["tickets"].append({
            "id": t["id"],
            "display_id": f"#HFS{t['id']:08d}",
            "subject": t["updates"][0][2].get("msg", ""),
            "status_id": t["status"],
            "priority_id": t["priority"],
            "category_id": t["category"],
            "assignee_id": t["assignee"],
            "contact_id": t["contact"],
            "tags": ",".join(TAGS.get(t["id"], [])),
            "due_date": t["due"],
            "created_at": t["created"],
            "last_modified": last,
            "last_updated_at": last,
            "last_user_reply_at": None,
            "last_staff_reply_at": None,
            "messages_count": sum(1 for u in t["updates"] if "msg" in u[2]),
            "attachments_count": 0,
            "time_spent": t["time_spent"],
            "sla_breaches": t.get("sla_breaches", 0),
            "unresponded": False,
            "source": "email",
            "is_deleted": bool(t.get("deleted", False)),
            "deleted_at": ts(6, "11:00") if t.get("deleted") else None,
        })
        tables["ticket_tags"].extend({"ticket_id": t["id"], "tag": tag} for tag in TAGS.get(t["id"], []))
        for fid, value in t.get("cf_values", {}).items():
            tables["ticket_custom_field_values"].append({
                "ticket_id": t["id"],
                "field_id": fid,
                "field_name": _FIELDS[fid]["name"],
                "type": _FIELDS[fid]["type"],
                "value": value,
                "value_id": _CHOICE_IDS.get((fid, value)),
            })
    tables["statuses"] = STATUSES
    tables["priorities"] = PRIORITIES
    tables["categories"] = CATEGORIES
    tables["staff"] = STAFF
    tables["contacts"] = [
        {**c, "created_at": ts(1, "00:00"), "updated_at": ts(1, "00:00"), "tickets_count": 0, "pending_tickets_count": 0}
        for c in CONTACTS
    ]
    tables["ticket_custom_fields"] = CUSTOM_FIELDS
    tables["ticket_custom_field_choices"] = CUSTOM_FIELD_CHOICES
    return tables


# column types of the raw tables (the contract of the dlt source)
_T, _B, _TS, _D, _BOOL = "text", "bigint", "timestamp", "date", "bool"
_CHANGE_COLUMNS = {
    f"{k}_change__{p}": (_B if p in ("old", "new") else _T)
    for k in ("status", "priority", "assignee", "category")
    for p in ("old", "new", "old_name", "new_name")
}
COLUMNS: dict[str, dict[str, str]] = {
    "tickets": {
        "id": _B, "display_id": _T, "subject": _T, "status_id": _B, "priority_id": _B,
        "category_id": _B, "assignee_id": _B, "contact_id": _B, "tags": _T, "due_date": _D,
        "created_at": _TS, "last_modified": _TS, "last_updated_at": _TS,
        "last_user_reply_at": _TS, "last_staff_reply_at": _TS, "messages_count": _B,
        "attachments_count": _B, "time_spent": _B, "sla_breaches": _B, "unresponded": _BOOL,
        "source": _T, "is_deleted": _BOOL, "deleted_at": _TS,
    },
    "ticket_updates": {
        "ticket_id": _B, "update_index": _B, "update_id": _B, "timestamp": _TS,
        "by__id": _B, "by__type": _T, "by__name": _T, "by__email": _T,
        "message__text": _T, "message__html": _T, "message__subject": _T,
        "message__message_type": _T, "message__cc_list": _T, "message__bcc_list": _T,
        **_CHANGE_COLUMNS,
        "due_date_change__old": _D, "due_date_change__new": _D, "time_spent": _B,
        "satisfaction_survey__rating": _B, "satisfaction_survey__comment": _T,
    },
    "ticket_custom_field_changes": {
        "ticket_id": _B, "update_id": _B, "update_index": _B, "timestamp": _TS,
        "field_id": _B, "field_name": _T, "from_value": _T, "to_value": _T,
    },
    "ticket_custom_field_values": {
        "ticket_id": _B, "field_id": _B, "field_name": _T, "type": _T, "value": _T, "value_id": _B,
    },
    "ticket_tags": {"ticket_id": _B, "tag": _T},
    "ticket_attachments": {"ticket_id": _B, "update_id": _B, "update_index": _B, "id": _B, "filename": _T},
    "statuses": {"id": _B, "name": _T, "color": _T, "order": _B, "default": _BOOL, "behavior": _T},
    "priorities": {"id": _B, "name": _T, "order": _B, "default": _BOOL},
    "categories": {"id": _B, "name": _T, "description": _T, "public": _BOOL},
    "staff": {"id": _B, "name": _T, "email": _T, "active": _BOOL, "is_account_admin": _BOOL, "role__id": _B, "role__name": _T},
    "contacts": {"id": _B, "name": _T, "email": _T, "created_at": _TS, "updated_at": _TS, "tickets_count": _B, "pending_tickets_count": _B},
    "ticket_custom_fields": {"id": _B, "name": _T, "type": _T, "required": _BOOL},
    "ticket_custom_field_choices": {"field_id": _B, "id": _B, "text": _T},
}


def resources(tables: dict[str, list[dict[str, Any]]]) -> list[Any]:
    """One dlt resource per raw table, with the contract's column types."""
    out = []
    for name, rows in tables.items():
        columns = {c: {"data_type": t, "nullable": True} for c, t in COLUMNS[name].items()}
        out.append(dlt.resource(rows, name=name, columns=columns, write_disposition="replace"))
    return out


def load(pipeline: dlt.Pipeline, tickets: Optional[list[dict[str, Any]]] = None) -> None:
    info = pipeline.run(resources(raw_tables(tickets)))
    info.raise_on_failed_jobs()


# The reporting settings the model tests build with: the default calendar (UTC, all
# hours, so business minutes equal calendar minutes), SLA targets, and a status that
# waits on the contact (named in another case: matched case-insensitively).
def settings() -> Any:
    from happyfox_sync.reporting_settings import make_settings

    return make_settings(
        waiting_on_contact_statuses=["on hold"],
        sla_first_response_minutes={"default": 60, "High": 30},
        sla_resolution_minutes={"default": 7200, "high": 30},
    )
