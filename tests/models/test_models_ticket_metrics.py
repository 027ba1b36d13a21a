"""ticket_metrics, metric by metric, against values worked out by hand from the
histories in fixture_helpdesk.py (ticket 8 is deleted and must be absent)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

U = dt.timezone.utc
TICKETS = [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13]


def at(day: int, hh: int, mm: int) -> dt.datetime:
    return dt.datetime(2024, 3, 3 + day, hh, mm, tzinfo=U)


def minutes(n: int | None) -> Decimal | None:
    return None if n is None else Decimal(n).quantize(Decimal("0.01"))


EXPECTED: dict[str, dict[int, object]] = {
    "created_at": {
        1: at(1, 9, 0), 2: at(1, 10, 0), 3: at(1, 11, 0), 4: at(1, 12, 0), 5: at(2, 8, 0),
        6: at(2, 9, 0), 7: at(2, 10, 0), 9: at(3, 2, 0), 10: at(3, 9, 0), 11: at(4, 9, 0),
        12: at(4, 10, 0), 13: at(5, 10, 0),
    },
    # first public staff reply: T3's private note at 11:15 does not count; T13's opening
    # message by staff does not count; T6 has none
    "first_staff_reply_at": {
        1: at(1, 9, 30), 2: at(2, 10, 0), 3: at(1, 11, 45), 4: at(1, 12, 30), 5: at(2, 8, 20),
        6: None, 7: at(2, 10, 30), 9: at(4, 8, 0), 10: at(3, 9, 10), 11: at(4, 9, 5),
        12: at(4, 10, 30), 13: at(5, 10, 20),
    },
    "first_staff_reply_by_id": {
        1: 100, 2: 101, 3: 101, 4: 102, 5: 100, 6: None, 7: 101, 9: 102, 10: 100, 11: 101,
        12: 100, 13: 101,
    },
    "first_response_minutes": {
        1: minutes(30), 2: minutes(1440), 3: minutes(45), 4: minutes(30), 5: minutes(20),
        6: None, 7: minutes(30), 9: minutes(1800), 10: minutes(10), 11: minutes(5),
        12: minutes(30), 13: minutes(20),
    },
    "first_resolved_at": {
        1: at(1, 10, 0), 2: None, 3: at(1, 11, 45), 4: at(3, 10, 0), 5: None, 6: None,
        7: at(4, 9, 0), 9: None, 10: at(4, 10, 0), 11: at(4, 9, 5), 12: at(4, 10, 30), 13: None,
    },
    # T11's system move Resolved -> Closed is not a new resolution
    "last_resolved_at": {
        1: at(3, 12, 0), 2: None, 3: at(1, 11, 45), 4: at(3, 10, 0), 5: None, 6: None,
        7: at(4, 9, 0), 9: None, 10: at(4, 10, 0), 11: at(4, 9, 5), 12: at(4, 10, 30), 13: None,
    },
    # creation to last resolution, only while resolved (T12 was reopened: null)
    "resolution_minutes": {
        1: minutes(3060), 2: None, 3: minutes(45), 4: minutes(2760), 5: None, 6: None,
        7: minutes(2820), 9: None, 10: minutes(1500), 11: minutes(5), 12: None, 13: None,
    },
    "is_resolved": {
        1: True, 2: False, 3: True, 4: True, 5: False, 6: False, 7: True, 9: False, 10: True,
        11: True, 12: False, 13: False,
    },
    "reopen_count": {1: 2, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0, 9: 0, 10: 0, 11: 0, 12: 1, 13: 0},
    "staff_reply_count": {1: 3, 2: 1, 3: 1, 4: 2, 5: 1, 6: 0, 7: 1, 9: 1, 10: 2, 11: 1, 12: 1, 13: 1},
    # the opening message is not a contact reply; ratings without a message are not replies
    "contact_reply_count": {1: 2, 2: 0, 3: 0, 4: 0, 5: 1, 6: 1, 7: 0, 9: 0, 10: 0, 11: 0, 12: 1, 13: 0},
    "private_note_count": {1: 0, 2: 0, 3: 1, 4: 0, 5: 0, 6: 0, 7: 0, 9: 1, 10: 1, 11: 0, 12: 0, 13: 0},
    # T2: system assigns Alice, Alice unassigns, Carol assigns Bob
    "assignee_change_count": {1: 0, 2: 3, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0, 9: 0, 10: 0, 11: 0, 12: 0, 13: 0},
    "distinct_assignee_count": {1: 1, 2: 2, 3: 1, 4: 1, 5: 1, 6: 0, 7: 1, 9: 1, 10: 1, 11: 1, 12: 1, 13: 1},
    # the ticket's total; T6's is null -> 0
    "time_spent_minutes": {1: 30, 2: 0, 3: 15, 4: 0, 5: 0, 6: 0, 7: 0, 9: 0, 10: 60, 11: 0, 12: 0, 13: 0},
    "is_one_touch_resolution": {
        1: False, 2: False, 3: True, 4: False, 5: False, 6: False, 7: True, 9: False, 10: False,
        11: True, 12: False, 13: False,
    },
    # T3 rated 5 then 3
    "latest_satisfaction_rating": {
        1: 4, 2: None, 3: 3, 4: None, 5: None, 6: None, 7: None, 9: None, 10: None, 11: None,
        12: None, 13: None,
    },
    "due_date": {
        1: None, 2: None, 3: dt.date(2024, 3, 4), 4: dt.date(2024, 3, 5), 5: dt.date(2024, 3, 6),
        6: None, 7: dt.date(2024, 3, 30), 9: None, 10: None, 11: None, 12: dt.date(2024, 3, 7),
        13: None,
    },
    # T3 resolved on its due day: not overdue; T4 resolved the day after: overdue;
    # T5 and T12 are still open and today is after their due dates (the clock)
    "was_overdue": {
        1: False, 2: False, 3: False, 4: True, 5: True, 6: False, 7: False, 9: False, 10: False,
        11: False, 12: True, 13: False,
    },
    "status_name": {
        1: "Closed", 2: "In Progress", 3: "Resolved", 4: "Resolved", 5: "On Hold", 6: "New",
        7: "Resolved", 9: "In Progress", 10: "Resolved", 11: "Closed", 12: "New", 13: "New",
    },
    "status_behavior": {
        1: "completed", 2: "pending", 3: "completed", 4: "completed", 5: "pending", 6: "pending",
        7: "completed", 9: "pending", 10: "completed", 11: "completed", 12: "pending", 13: "pending",
    },
    "priority_name": {
        1: "Medium", 2: "Low", 3: "High", 4: "Medium", 5: "High", 6: "Low", 7: "Medium",
        9: "High", 10: "Medium", 11: "Medium", 12: "Low", 13: "Low",
    },
    "category_name": {
        1: "Support", 2: "Support", 3: "Billing", 4: "Support", 5: "Billing", 6: "Support",
        7: "Support", 9: "Billing", 10: "Billing", 11: "Support", 12: "Billing", 13: "Support",
    },
    "assignee_name": {
        1: "Alice", 2: "Bob", 3: "Bob", 4: "Carol", 5: "Alice", 6: None, 7: "Bob", 9: "Carol",
        10: "Alice", 11: "Bob", 12: "Alice", 13: "Bob",
    },
    "contact_name": {
        1: "Dan", 2: "Eve", 3: "Fay", 4: "Gus", 5: "Dan", 6: "Eve", 7: "Fay", 9: "Dan",
        10: "Eve", 11: "Gus", 12: "Dan", 13: "Gus",
    },
}


def test_one_row_per_live_ticket(rows):
    assert [r["ticket_id"] for r in rows("ticket_metrics", "ticket_id")] == TICKETS


@pytest.mark.parametrize("metric", sorted(EXPECTED))
def test_metric(rows, metric):
    got = {r["ticket_id"]: r[metric] for r in rows("ticket_metrics", "ticket_id")}
    assert got == EXPECTED[metric]


def test_ids_and_types(rows):
    r = {x["ticket_id"]: x for x in rows("ticket_metrics", "ticket_id")}
    assert r[9]["status_id"] == 2 and r[9]["priority_id"] == 3 and r[9]["category_id"] == 20
    assert r[6]["assignee_id"] is None and r[6]["contact_id"] == 501
    assert r[1]["display_id"] == "#HFS00000001"
    for x in r.values():
        assert type(x["reopen_count"]) is int
        assert type(x["is_resolved"]) is bool
