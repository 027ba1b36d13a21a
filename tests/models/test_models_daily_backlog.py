"""daily_backlog against a table worked out by hand from the fixture histories.

Days are UTC days; the sessions run in Asia/Tokyo (DuckDB) and America/Los_Angeles
(PostgreSQL), where T9's creation at 02:00 UTC on 2024-03-06 falls on another day.
The last day is 2024-03-08, the latest day in the data of live tickets: the deleted
ticket's update on 2024-03-09 does not count, and nothing runs up to today.
"""

from __future__ import annotations

import datetime as dt

D1, D2, D3, D4, D5 = (dt.date(2024, 3, n) for n in (4, 5, 6, 7, 8))
SUP, BIL = 10, 20
LOW, MED, HIGH = 1, 2, 3
NEW, PROG, HOLD, RES, CLOSED = 1, 2, 3, 4, 5

# (day, category, priority, status): (open at end of day, created, resolved)
EXPECTED = {
    # D1: T2 open New; T4 open In Progress; created T1, T4 (Support/Medium/New), T2
    # (Support/Low/New), T3 (Billing/High/New); resolved T1 and T3
    (D1, SUP, LOW, NEW): (1, 1, 0),
    (D1, SUP, MED, PROG): (1, 0, 0),
    (D1, SUP, MED, NEW): (0, 2, 0),
    (D1, BIL, HIGH, NEW): (0, 1, 0),
    (D1, SUP, MED, RES): (0, 0, 1),
    (D1, BIL, HIGH, RES): (0, 0, 1),
    # D2: T1 reopened and resolved again within the day
    (D2, SUP, LOW, PROG): (1, 0, 0),  # T2
    (D2, SUP, MED, PROG): (1, 0, 0),  # T4
    (D2, BIL, HIGH, HOLD): (1, 0, 0),  # T5
    (D2, SUP, LOW, NEW): (1, 1, 0),  # T6
    (D2, SUP, MED, NEW): (1, 1, 0),  # T7
    (D2, BIL, HIGH, NEW): (0, 1, 0),  # T5 created New
    (D2, SUP, MED, RES): (0, 0, 1),  # T1
    # D3: T9 created in Support/Low, moved to Billing the same day
    (D3, SUP, LOW, PROG): (1, 0, 0),  # T2
    (D3, BIL, HIGH, HOLD): (1, 0, 0),  # T5
    (D3, SUP, LOW, NEW): (1, 1, 0),  # T6 open; T9 created
    (D3, SUP, MED, NEW): (1, 0, 0),  # T7
    (D3, BIL, LOW, NEW): (1, 0, 0),  # T9 after the move
    (D3, BIL, MED, NEW): (1, 1, 0),  # T10
    (D3, SUP, MED, CLOSED): (0, 0, 1),  # T1
    (D3, SUP, MED, RES): (0, 0, 1),  # T4
    # D4
    (D4, SUP, LOW, PROG): (1, 0, 0),  # T2
    (D4, BIL, HIGH, HOLD): (1, 0, 0),  # T5
    (D4, SUP, LOW, NEW): (1, 0, 0),  # T6
    (D4, BIL, HIGH, PROG): (1, 0, 0),  # T9 priority raised, in progress
    (D4, SUP, MED, NEW): (0, 1, 0),  # T11 created
    (D4, BIL, LOW, NEW): (0, 1, 0),  # T12 created
    (D4, SUP, MED, RES): (0, 0, 2),  # T7, T11
    (D4, BIL, MED, RES): (0, 0, 1),  # T10
    (D4, BIL, LOW, RES): (0, 0, 1),  # T12
    # D5: T11 closed by the system (not a resolution); T12 reopened
    (D5, SUP, LOW, PROG): (1, 0, 0),  # T2
    (D5, BIL, HIGH, HOLD): (1, 0, 0),  # T5
    (D5, SUP, LOW, NEW): (2, 1, 0),  # T6, T13 open; T13 created
    (D5, BIL, HIGH, PROG): (1, 0, 0),  # T9
    (D5, BIL, LOW, NEW): (1, 0, 0),  # T12
}


def test_backlog(rows):
    got = {
        (r["day"], r["category_id"], r["priority_id"], r["status_id"]):
            (r["tickets_open_at_end_of_day"], r["tickets_created"], r["tickets_resolved"])
        for r in rows("daily_backlog", "day, category_id, priority_id, status_id")
    }
    assert got == EXPECTED


def test_one_row_per_combination(rows):
    keys = [(r["day"], r["category_id"], r["priority_id"], r["status_id"])
            for r in rows("daily_backlog", "day, category_id, priority_id, status_id")]
    assert len(keys) == len(set(keys)) == 35


def test_days_run_to_the_latest_day_in_the_data(rows):
    days = sorted({r["day"] for r in rows("daily_backlog", "day")})
    assert days == [D1, D2, D3, D4, D5]


def test_names(rows):
    r = rows("daily_backlog", "day", "WHERE status_id = 3")[0]
    assert (r["category_name"], r["priority_name"], r["status_name"], r["status_behavior"]) == (
        "Billing", "High", "On Hold", "pending")


def test_open_only_in_pending_statuses(rows):
    for r in rows("daily_backlog", "day", "WHERE tickets_open_at_end_of_day > 0"):
        assert r["status_behavior"] == "pending"


def test_backlog_agrees_with_the_other_models(pipeline):
    from models_support import query

    last = query(pipeline, "SELECT SUM(tickets_open_at_end_of_day) AS n FROM {reporting}.daily_backlog"
                           " WHERE day = (SELECT MAX(day) FROM {reporting}.daily_backlog)")[0]["n"]
    open_now = query(pipeline, "SELECT COUNT(*) AS n FROM {reporting}.ticket_metrics WHERE NOT is_resolved")[0]["n"]
    assert last == open_now == 6
    created = query(pipeline, "SELECT SUM(tickets_created) AS n FROM {reporting}.daily_backlog")[0]["n"]
    assert created == 12
    resolved = query(pipeline, "SELECT SUM(tickets_resolved) AS n FROM {reporting}.daily_backlog")[0]["n"]
    resolutions = query(pipeline, "SELECT COUNT(*) AS n FROM {reporting}.ticket_status_history WHERE is_resolution")[0]["n"]
    assert resolved == resolutions == 9
