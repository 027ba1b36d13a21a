"""ticket_status_history against the status intervals written out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

U = dt.timezone.utc


def at(day: int, hh: int, mm: int) -> dt.datetime:
    return dt.datetime(2024, 3, 3 + day, hh, mm, tzinfo=U)


NEW, PROG, HOLD, RES, CLOSED = 1, 2, 3, 4, 5
# (ticket, sequence, status, valid_from, valid_to, minutes_in_status)
EXPECTED = [
    (1, 1, NEW, at(1, 9, 0), at(1, 9, 30), 30),
    (1, 2, PROG, at(1, 9, 30), at(1, 10, 0), 30),
    (1, 3, RES, at(1, 10, 0), at(2, 8, 0), 1320),
    (1, 4, NEW, at(2, 8, 0), at(2, 9, 0), 60),
    (1, 5, RES, at(2, 9, 0), at(3, 11, 0), 1560),
    (1, 6, PROG, at(3, 11, 0), at(3, 12, 0), 60),
    (1, 7, CLOSED, at(3, 12, 0), None, None),
    (2, 1, NEW, at(1, 10, 0), at(2, 9, 0), 1380),
    (2, 2, PROG, at(2, 9, 0), None, None),
    (3, 1, NEW, at(1, 11, 0), at(1, 11, 45), 45),
    (3, 2, RES, at(1, 11, 45), None, None),
    (4, 1, NEW, at(1, 12, 0), at(1, 12, 30), 30),
    (4, 2, PROG, at(1, 12, 30), at(3, 10, 0), 2730),
    (4, 3, RES, at(3, 10, 0), None, None),
    (5, 1, NEW, at(2, 8, 0), at(2, 8, 20), 20),
    (5, 2, HOLD, at(2, 8, 20), None, None),
    # never changed status: the current status since creation
    (6, 1, NEW, at(2, 9, 0), None, None),
    (7, 1, NEW, at(2, 10, 0), at(4, 9, 0), 2820),
    (7, 2, RES, at(4, 9, 0), None, None),
    (9, 1, NEW, at(3, 2, 0), at(4, 8, 0), 1800),
    (9, 2, PROG, at(4, 8, 0), None, None),
    (10, 1, NEW, at(3, 9, 0), at(4, 10, 0), 1500),
    (10, 2, RES, at(4, 10, 0), None, None),
    (11, 1, NEW, at(4, 9, 0), at(4, 9, 5), 5),
    (11, 2, RES, at(4, 9, 5), at(5, 9, 5), 1440),
    (11, 3, CLOSED, at(5, 9, 5), None, None),
    (12, 1, NEW, at(4, 10, 0), at(4, 10, 30), 30),
    (12, 2, RES, at(4, 10, 30), at(5, 8, 0), 1290),
    (12, 3, NEW, at(5, 8, 0), None, None),
    (13, 1, NEW, at(5, 10, 0), None, None),
]
NAMES = {1: ("New", "pending"), 2: ("In Progress", "pending"), 3: ("On Hold", "pending"),
         4: ("Resolved", "completed"), 5: ("Closed", "completed")}


def test_intervals(rows):
    got = [
        (r["ticket_id"], r["status_sequence"], r["status_id"], r["valid_from"], r["valid_to"],
         r["minutes_in_status"])
        for r in rows("ticket_status_history", "ticket_id, status_sequence")
    ]
    want = [e[:5] + (None if e[5] is None else Decimal(e[5]).quantize(Decimal("0.01")),) for e in EXPECTED]
    assert got == want


def test_names_and_behavior(rows):
    for r in rows("ticket_status_history", "ticket_id, status_sequence"):
        assert (r["status_name"], r["status_behavior"]) == NAMES[r["status_id"]]


def test_current_interval_is_open(rows):
    current = [(r["ticket_id"], r["status_id"]) for r in
               rows("ticket_status_history", "ticket_id", "WHERE is_current")]
    assert current == [(1, 5), (2, 2), (3, 4), (4, 4), (5, 3), (6, 1), (7, 4), (9, 2), (10, 4),
                       (11, 5), (12, 1), (13, 1)]


def test_resolutions_and_reopens(rows):
    res = [(r["ticket_id"], r["status_sequence"]) for r in
           rows("ticket_status_history", "ticket_id, status_sequence", "WHERE is_resolution")]
    assert res == [(1, 3), (1, 5), (1, 7), (3, 2), (4, 3), (7, 2), (10, 2), (11, 2), (12, 2)]
    reopens = [(r["ticket_id"], r["status_sequence"]) for r in
               rows("ticket_status_history", "ticket_id, status_sequence", "WHERE is_reopen")]
    assert reopens == [(1, 4), (1, 6), (12, 3)]


def test_who_changed(rows):
    got = {(r["ticket_id"], r["status_sequence"]): (r["changed_by_type"], r["changed_by_id"], r["changed_in_update_index"])
           for r in rows("ticket_status_history", "ticket_id, status_sequence")}
    assert got[(1, 1)] == (None, None, None)  # the status at creation
    assert got[(1, 4)] == ("user", 500, 3)  # the contact's reply reopened it
    assert got[(11, 3)] == (None, None, 2)  # closed by the system
    assert got[(10, 2)] == ("staff", 102, 3)
