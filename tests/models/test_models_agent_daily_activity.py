"""agent_daily_activity against values worked out by hand from the fixture histories.

Alice = 100, Bob = 101, Carol = 102. Days are UTC: T10's private note at 16:00 UTC on
2024-03-06 belongs to that day although the DuckDB session runs in Asia/Tokyo. The
deleted ticket 8 (Alice's reply on 2024-03-04 and her update on 2024-03-09) is left out.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

D1, D2, D3, D4, D5 = (dt.date(2024, 3, n) for n in (4, 5, 6, 7, 8))


def m(x: int | None) -> Decimal | None:
    return None if x is None else Decimal(x).quantize(Decimal("0.01"))


# (staff, day): (public_replies, private_notes, tickets_touched, tickets_resolved,
#                time_spent_minutes, first_responses, median_first_response_minutes)
EXPECTED = {
    # T1 reply (10 min) + resolution; T2 unassignment
    (100, D1): (1, 0, 2, 1, 10, 1, m(30)),
    # T1 reply (5 min) + resolution; T5 first reply (20 min)
    (100, D2): (2, 0, 2, 1, 5, 1, m(20)),
    # T1 reply (15) + close; T10 first reply (20) and private note (25)
    (100, D3): (2, 1, 2, 1, 60, 1, m(10)),
    # T12 first reply + resolution
    (100, D4): (1, 0, 1, 1, 0, 1, m(30)),
    # T3 private note (5) then reply + resolution (10)
    (101, D1): (1, 1, 1, 1, 15, 1, m(45)),
    # first replies on T2 (1440 min) and T7 (30 min): median 735
    (101, D2): (2, 0, 2, 0, 0, 2, m(735)),
    # T7 custom field edit only
    (101, D3): (0, 0, 1, 0, 0, 0, None),
    # T7 resolution (no message); T11 reply + resolution
    (101, D4): (1, 0, 2, 2, 0, 1, m(5)),
    # T13 opening message (a touch, not a reply) and a reply
    (101, D5): (1, 0, 1, 0, 0, 1, m(20)),
    # T4 first reply
    (102, D1): (1, 0, 1, 0, 0, 1, m(30)),
    # T2 reassignment + status change
    (102, D2): (0, 0, 1, 0, 0, 0, None),
    # T4 reply + resolution (not a first response); T9 private note
    (102, D3): (1, 1, 2, 1, 0, 0, None),
    # T9 first reply (1800 min); T10 reply + resolution (15 min)
    (102, D4): (2, 0, 2, 1, 15, 1, m(1800)),
}
COLUMNS = ["public_replies", "private_notes", "tickets_touched", "tickets_resolved",
           "time_spent_minutes", "first_responses", "median_first_response_minutes"]


def _got(rows):
    return {(r["staff_id"], r["activity_date"]): tuple(r[c] for c in COLUMNS)
            for r in rows("agent_daily_activity", "staff_id, activity_date")}


def test_rows(rows):
    assert set(_got(rows)) == set(EXPECTED)


def test_activity(rows):
    assert _got(rows) == EXPECTED


def test_staff_names(rows):
    names = {r["staff_id"]: r["staff_name"] for r in rows("agent_daily_activity", "staff_id")}
    assert names == {100: "Alice", 101: "Bob", 102: "Carol"}
