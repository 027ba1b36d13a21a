"""The ``q`` search language of ``tickets/``: tokenising, validating, compiling to a filter.

Grammar, as documented (``+`` in a URL arrives here as a space)::

    q      := term (space term)*
    term   := key ":" value ("," value)*      -- e.g. status:"In Progress","New"
            | word                            -- free text
    key    := bare-word | "quoted name"       -- quoted for custom fields with spaces
    value  := "quoted" | bare-word

Terms are ANDed; the comma-separated values of one term are ORed. A space after
the colon is tolerated (the docs' own ``contact: "james@example.com"`` has one).
An unknown key is a 400 ``{"error": {"q": "..."}}``.

Date terms compare at **day granularity** in the configured search time zone: the
date ``D`` stands for the local day ``[D 00:00, D+1 00:00)``, converted to UTC
bounds once, then compared with the tickets' UTC timestamp strings (which sort
lexicographically). So with UTC, a ticket modified ``2024-03-05 23:59:59`` matches
``last-modified-on-or-before:"2024/03/05"`` but not ``-before:"2024/03/05"``.

Documented readings of the open points (also in the README):

* ``status`` / ``priority`` names and custom field names/values match
  case-insensitively; ``tag`` and ``assignee``/``group`` keywords are
  case-sensitive, as documented.
* ``tag:"a","b"`` matches tickets having *any* of the tags.
* ``contact`` keywords match a case-insensitive substring of the contact's name,
  email or a phone number; free-text words must each appear (case-insensitively)
  in the subject or first message.
* ``assignee`` keywords match the agent's email, username (email local part),
  first name or last name exactly.
* a multiple-choice custom field matches when any given option is selected.
* ``last-closed-*`` uses the latest update whose status change entered a
  completed-behaviour status; a ticket with no such update never matches.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .errors import keyed_error
from .model import JSON, format_timestamp
from .store_base import StoreBase

Predicate = Callable[[JSON], bool]

DATE_FIELDS: dict[str, str] = {
    "created": "created_at",
    "last-modified": "last_modified",
    "last-staff-replied": "last_staff_reply_at",
    "last-contact-replied": "last_user_reply_at",
}
DATE_OPERATORS = ("on-or-before", "on-or-after", "before", "after", "on")
CLOSED_OPERATORS = ("on-or-before", "on-or-after")
DATE_TERM = re.compile(r"^(created|last-modified|last-staff-replied|last-contact-replied|last-closed)-(.+)$")
DUE_WORDS = ("today", "yesterday", "tomorrow", "overdue", "next 7 days")


@dataclass(frozen=True)
class Term:
    """One parsed term; ``key`` is ``None`` for free text (then ``values`` holds the word)."""

    key: str | None
    values: tuple[str, ...]


def tokenize(query: str) -> list[Term]:
    """Split a decoded ``q`` into terms; raises the API's 400 on an unclosed quote."""
    terms: list[Term] = []
    i, end = 0, len(query)
    while i < end:
        if query[i].isspace():
            i += 1
            continue
        key, i = _atom(query, i, stops=":")
        if i < end and query[i] == ":":
            i += 1
            while i < end and query[i].isspace():
                i += 1
            values: list[str] = []
            while i < end:
                value, i = _atom(query, i, stops=",")
                values.append(value)
                if i < end and query[i] == ",":
                    i += 1
                    continue
                break
            terms.append(Term(key, tuple(values)))
        elif key:
            terms.append(Term(None, (key,)))
    return terms


def _atom(query: str, i: int, *, stops: str) -> tuple[str, int]:
    """Read a quoted string or a bare word (ending at whitespace or a stop character)."""
    if query[i] == '"':
        close = query.find('"', i + 1)
        if close < 0:
            raise keyed_error("q", "Unbalanced double quote in search query.")
        return query[i + 1 : close], close + 1
    start = i
    while i < len(query) and not query[i].isspace() and query[i] not in stops:
        i += 1
    return query[start:i], i


@dataclass(frozen=True)
class SearchContext:
    """What compiling needs besides the query: the store (reference data) and the day cut."""

    store: StoreBase
    zone: ZoneInfo
    today: date


def compile_query(query: str, context: SearchContext) -> list[Predicate]:
    """All predicates a ticket must pass for ``q`` (an empty list matches everything)."""
    return [_compile_term(term, context) for term in tokenize(query) if term.key is not None or term.values[0]]


def uses_today(query: str) -> bool:
    """Whether the result of ``q`` depends on the current date (``duedate`` terms)."""
    return "duedate" in query.lower()


def _compile_term(term: Term, context: SearchContext) -> Predicate:
    if term.key is None:
        return _free_text(term.values[0])
    key = term.key.strip()
    lowered = key.lower()
    values = [v.strip() for v in term.values]
    if not values or not any(values):
        raise keyed_error("q", f"Search term '{key}' needs a value.")
    date_match = DATE_TERM.match(lowered)
    if date_match:
        return _date_term(date_match.group(1), date_match.group(2), values, context)
    simple = _SYSTEM_TERMS.get(lowered)
    if simple is not None:
        return simple(values, context)
    custom = _custom_field_term(key, values, context)
    if custom is not None:
        return custom
    raise keyed_error("q", f"Unknown search field '{key}'.")


# -- date terms -------------------------------------------------------------------------


def day_start_utc(day: date, zone: ZoneInfo) -> str:
    """The UTC timestamp string of local midnight starting ``day`` in ``zone``."""
    local = datetime(day.year, day.month, day.day, tzinfo=zone)
    return format_timestamp(local.astimezone(UTC))


def _parse_search_date(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y/%m/%d").date()
    except ValueError:
        raise keyed_error("q", f"Invalid date '{text}': use yyyy/mm/dd.") from None


def _date_term(field: str, operator: str, values: list[str], context: SearchContext) -> Predicate:
    allowed = CLOSED_OPERATORS if field == "last-closed" else DATE_OPERATORS
    if operator not in allowed:
        raise keyed_error("q", f"Unknown search field '{field}-{operator}'.")
    if len(values) != 1:
        raise keyed_error("q", f"Search field '{field}-{operator}' takes one date.")
    day = _parse_search_date(values[0])
    start = day_start_utc(day, context.zone)
    next_start = day_start_utc(day + timedelta(days=1), context.zone)
    if field == "last-closed":
        last_closed = context.store.last_closed_at

        def read(ticket: JSON) -> str | None:
            return last_closed(ticket)

    else:
        column = DATE_FIELDS[field]

        def read(ticket: JSON) -> str | None:
            return ticket.get(column)

    tests: dict[str, Callable[[str], bool]] = {
        "on": lambda ts: start <= ts < next_start,
        "on-or-before": lambda ts: ts < next_start,
        "before": lambda ts: ts < start,
        "on-or-after": lambda ts: ts >= start,
        "after": lambda ts: ts >= next_start,
    }
    test = tests[operator]

    def predicate(ticket: JSON) -> bool:
        stamp = read(ticket)
        return stamp is not None and test(stamp)

    return predicate


# -- system terms -----------------------------------------------------------------------


def _bool_value(key: str, values: list[str]) -> bool:
    if len(values) == 1 and values[0].lower() in ("true", "false"):
        return values[0].lower() == "true"
    raise keyed_error("q", f"Search field '{key}' takes true or false.")


def _status(values: list[str], context: SearchContext) -> Predicate:
    names = {v.lower() for v in values}
    return lambda t: str((t.get("status") or {}).get("name", "")).lower() in names


def _priority(values: list[str], context: SearchContext) -> Predicate:
    names = {v.lower() for v in values}
    return lambda t: str((t.get("priority") or {}).get("name", "")).lower() in names


def _tag(values: list[str], context: SearchContext) -> Predicate:
    wanted = set(values)

    def predicate(ticket: JSON) -> bool:
        tags = ticket.get("tags") or ""
        return any(tag.strip() in wanted for tag in tags.split(","))

    return predicate


def _id(values: list[str], context: SearchContext) -> Predicate:
    numbers = {int(v) for v in values if v.isdigit()}
    display = {v.lstrip("#").upper() for v in values if not v.isdigit()}
    return lambda t: t["id"] in numbers or str(t.get("display_id", "")).lstrip("#").upper() in display


def _unresponded(values: list[str], context: SearchContext) -> Predicate:
    wanted = _bool_value("unresponded", values)
    return lambda t: bool(t.get("unresponded")) == wanted


def _breached(values: list[str], context: SearchContext) -> Predicate:
    wanted = _bool_value("breached", values)
    return lambda t: ((t.get("sla_breaches") or 0) > 0) == wanted


def _has_attachments(values: list[str], context: SearchContext) -> Predicate:
    wanted = _bool_value("has_attachments", values)
    return lambda t: ((t.get("attachments_count") or 0) > 0) == wanted


def _duedate(values: list[str], context: SearchContext) -> Predicate:
    today = context.today
    ranges: list[tuple[str, str]] = []
    for value in values:
        word = value.lower()
        if word not in DUE_WORDS:
            raise keyed_error("q", f"Invalid duedate '{value}': use one of {', '.join(DUE_WORDS)}.")
        if word == "overdue":
            ranges.append(("", today.isoformat()))
        elif word == "next 7 days":
            ranges.append((today.isoformat(), (today + timedelta(days=7)).isoformat()))
        else:
            offset = {"today": 0, "yesterday": -1, "tomorrow": 1}[word]
            day = today + timedelta(days=offset)
            ranges.append((day.isoformat(), (day + timedelta(days=1)).isoformat()))

    def predicate(ticket: JSON) -> bool:
        due = ticket.get("due_date")
        return due is not None and any(low <= due < high for low, high in ranges)

    return predicate


def _staff_keys(staff: JSON) -> set[str]:
    name = str(staff.get("name") or "")
    parts = name.split()
    email = str(staff.get("email") or "")
    keys = {email, email.split("@")[0]}
    if parts:
        keys.update({parts[0], " ".join(parts[1:]) if len(parts) > 1 else parts[0]})
    return {k for k in keys if k}


def _assignee(values: list[str], context: SearchContext) -> Predicate:
    wanted = set(values)

    def predicate(ticket: JSON) -> bool:
        staff = ticket.get("assigned_to")
        if staff is None:
            return "none" in wanted
        return "any" in wanted or bool(_staff_keys(staff) & wanted)

    return predicate


def _group(values: list[str], context: SearchContext) -> Predicate:
    wanted = set(values)

    def predicate(ticket: JSON) -> bool:
        groups = (ticket.get("user") or {}).get("contact_groups") or []
        if not groups:
            return "none" in wanted
        return "any" in wanted or any(g.get("name") in wanted for g in groups)

    return predicate


def _contact(values: list[str], context: SearchContext) -> Predicate:
    keywords = [v.lower() for v in values if v]

    def predicate(ticket: JSON) -> bool:
        contact = ticket.get("user") or {}
        lookup = [str(contact.get("name") or ""), str(contact.get("email") or "")]
        lookup += [str(p.get("number") or "") for p in contact.get("phones") or []]
        haystack = "\n".join(lookup).lower()
        return any(keyword in haystack for keyword in keywords)

    return predicate


def _free_text(word: str) -> Predicate:
    needle = word.lower()
    return lambda t: needle in str(t.get("subject") or "").lower() or needle in str(t.get("first_message") or "").lower()


_SYSTEM_TERMS: dict[str, Callable[[list[str], SearchContext], Predicate]] = {
    "status": _status,
    "priority": _priority,
    "tag": _tag,
    "id": _id,
    "unresponded": _unresponded,
    "breached": _breached,
    "has_attachments": _has_attachments,
    "duedate": _duedate,
    "assignee": _assignee,
    "group": _group,
    "contact": _contact,
}


# -- custom fields ------------------------------------------------------------------------


def _normalise_cf_value(value: str, kind: str) -> str:
    """Search values for date fields come as mm/dd/yyyy; compare them as yyyy-mm-dd."""
    if kind == "date":
        for pattern in ("%m/%d/%Y", "%Y-%m-%d", "%Y/%m/%d"):
            try:
                return datetime.strptime(value, pattern).date().isoformat()
            except ValueError:
                continue
    return value.lower()


def _stored_values(value: Any, kind: str) -> set[str]:
    if value is None:
        return set()
    items = value if isinstance(value, list) else [value]
    found = set()
    for item in items:
        if isinstance(item, float) and item.is_integer():
            item = int(item)
        found.add(_normalise_cf_value(str(item), kind))
    return found


def _numbers_equal(left: str, right: str) -> bool:
    try:
        return float(left) == float(right)
    except ValueError:
        return False


def _custom_field_term(key: str, values: list[str], context: SearchContext) -> Predicate | None:
    """A ``"Field Name":"value"`` term on a ticket field, else a contact field; ``None`` if neither."""
    lowered = key.lower()
    store = context.store
    for definitions, on_contact in (
        (store.helpdesk.ticket_custom_fields, False),
        (store.helpdesk.user_custom_fields, True),
    ):
        definition = next((d for d in definitions if str(d.get("name", "")).lower() == lowered), None)
        if definition is None:
            continue
        field_id = definition["id"]
        kind = str(definition.get("type") or "text").lower()
        wanted = {_normalise_cf_value(v, kind) for v in values}

        def predicate(ticket: JSON, field_id: int = field_id, kind: str = kind, on_contact: bool = on_contact) -> bool:
            holder = (ticket.get("user") or {}) if on_contact else ticket
            entry = next((e for e in holder.get("custom_fields") or [] if e.get("id") == field_id), None)
            if entry is None:
                return False
            stored = _stored_values(entry.get("value"), kind)
            if kind == "number":
                return any(_numbers_equal(s, w) for s in stored for w in wanted)
            return bool(stored & wanted)

        return predicate
    return None
