"""ticket_replies, ticket_sla and the new ticket_metrics columns on the main fixture
(UTC, all hours: business minutes equal calendar minutes), against values worked out by
hand from fixture_helpdesk.py and its settings() (first response: 60, High 30;
resolution: 7200, high 30; On Hold waits on the contact)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

U = dt.timezone.utc


def at(day: int, hh: int, mm: int) -> dt.datetime:
    return dt.datetime(2024, 3, 3 + day, hh, mm, tzinfo=U)


def m(n: int | None) -> Decimal | None:
    return None if n is None else Decimal(n).quantize(Decimal("0.01"))


def day(n: int) -> dt.date:
    return dt.date(2024, 3, 3 + n)


def test_replies(rows):
    got = [
        (r["ticket_id"], r["update_index"], r["reply_number"], r["is_first_reply"], r["responder_id"],
         r["responder_name"], r["replied_at"], r["answered_update_index"], r["answered_at"], r["reply_minutes"],
         r["reply_business_minutes"])
        for r in rows("ticket_replies", "ticket_id, update_index")
    ]
    assert got == [
        (1, 1, 1, True, 100, "Alice", at(1, 9, 30), 0, at(1, 9, 0), m(30), m(30)),
        (1, 4, 2, False, 100, "Alice", at(2, 9, 0), 3, at(2, 8, 0), m(60), m(60)),
        (1, 6, 3, False, 100, "Alice", at(3, 12, 0), 5, at(3, 11, 0), m(60), m(60)),
        (2, 4, 1, True, 101, "Bob", at(2, 10, 0), 0, at(1, 10, 0), m(1440), m(1440)),
        (3, 2, 1, True, 101, "Bob", at(1, 11, 45), 0, at(1, 11, 0), m(45), m(45)),
        (4, 1, 1, True, 102, "Carol", at(1, 12, 30), 0, at(1, 12, 0), m(30), m(30)),
        # a follow-up with no contact message since the previous reply answers nothing
        (4, 2, 2, False, 102, "Carol", at(3, 10, 0), None, None, None, None),
        # T5's message with a null author is no reply
        (5, 1, 1, True, 100, "Alice", at(2, 8, 20), 0, at(2, 8, 0), m(20), m(20)),
        (7, 1, 1, True, 101, "Bob", at(2, 10, 30), 0, at(2, 10, 0), m(30), m(30)),
        (9, 2, 1, True, 102, "Carol", at(4, 8, 0), 0, at(3, 2, 0), m(1800), m(1800)),
        (10, 1, 1, True, 100, "Alice", at(3, 9, 10), 0, at(3, 9, 0), m(10), m(10)),
        (10, 3, 2, False, 102, "Carol", at(4, 10, 0), None, None, None, None),
        (11, 1, 1, True, 101, "Bob", at(4, 9, 5), 0, at(4, 9, 0), m(5), m(5)),
        (12, 1, 1, True, 100, "Alice", at(4, 10, 30), 0, at(4, 10, 0), m(30), m(30)),
        # T13's opening message by staff is no reply; its follow-up answers the creation
        (13, 1, 1, True, 101, "Bob", at(5, 10, 20), 0, at(5, 10, 0), m(20), m(20)),
    ]


def test_smart_rule_acknowledgement_is_not_a_response(rows):
    t6 = rows("ticket_metrics", "ticket_id", "WHERE ticket_id = 6")[0]
    assert (t6["first_staff_reply_at"], t6["staff_reply_count"], t6["contact_reply_count"]) == (None, 0, 1)
    assert rows("ticket_replies", "1", "WHERE ticket_id = 6") == []


def test_first_reply_time_is_the_first_response_time(rows):
    firsts = {r["ticket_id"]: r["reply_minutes"] for r in rows("ticket_replies", "ticket_id", "WHERE is_first_reply")}
    metrics = {r["ticket_id"]: r["first_response_minutes"] for r in rows("ticket_metrics", "ticket_id", "WHERE first_response_minutes IS NOT NULL")}
    assert firsts == metrics


SLA = [
    # (ticket, metric, priority at creation, target, elapsed, running, breached, breached_at)
    (1, "first_response", "Medium", 60, 30, False, False, None),
    (1, "resolution", "Medium", 7200, 3060, False, False, None),
    (2, "first_response", "Low", 60, 1440, False, True, at(1, 11, 0)),
    (2, "resolution", "Low", 7200, 5780, True, False, None),
    (3, "first_response", "High", 30, 45, False, True, at(1, 11, 30)),
    (3, "resolution", "High", 30, 45, False, True, at(1, 11, 30)),
    (4, "first_response", "Medium", 60, 30, False, False, None),
    (4, "resolution", "Medium", 7200, 2760, False, False, None),
    (5, "first_response", "High", 30, 20, False, False, None),
    (5, "resolution", "High", 30, 4460, True, True, at(2, 8, 30)),
    (6, "first_response", "Low", 60, 4400, True, True, at(2, 10, 0)),
    (6, "resolution", "Low", 7200, 4400, True, False, None),
    (7, "first_response", "Medium", 60, 30, False, False, None),
    (7, "resolution", "Medium", 7200, 2820, False, False, None),
    # T9 was Low when created (raised to High later): the Low (default) target applies
    (9, "first_response", "Low", 60, 1800, False, True, at(3, 3, 0)),
    (9, "resolution", "Low", 7200, 3380, True, False, None),
    (10, "first_response", "Medium", 60, 10, False, False, None),
    (10, "resolution", "Medium", 7200, 1500, False, False, None),
    (11, "first_response", "Medium", 60, 5, False, False, None),
    (11, "resolution", "Medium", 7200, 5, False, False, None),
    (12, "first_response", "Low", 60, 30, False, False, None),
    # reopened: the resolution clock runs again from creation
    (12, "resolution", "Low", 7200, 1460, True, False, None),
    (13, "first_response", "Low", 60, 20, False, False, None),
    (13, "resolution", "Low", 7200, 20, True, False, None),
]


def test_sla_rows(rows):
    got = [
        (r["ticket_id"], r["metric"], r["priority_name"], r["target_minutes"], r["elapsed_business_minutes"],
         r["is_running"], r["is_breached"], r["breached_at"])
        for r in rows("ticket_sla", "ticket_id, metric")
    ]
    assert got == [(t, mt, p, m(tg), m(el), run, br, ba) for t, mt, p, tg, el, run, br, ba in SLA]


def test_sla_carries_happyfox_breach_count(rows):
    assert {r["ticket_id"]: r["sla_breaches"] for r in rows("ticket_sla", "ticket_id", "WHERE metric = 'resolution'")} == {
        1: 0, 2: 0, 3: 1, 4: 0, 5: 0, 6: 0, 7: 0, 9: 0, 10: 0, 11: 0, 12: 0, 13: 0
    }


NEW_METRICS = {
    "agent_wait_minutes": {1: 180, 2: 1380, 3: 45, 4: 2760, 5: 20, 6: 0, 7: 2820, 9: 1800, 10: 1500, 11: 5, 12: 30, 13: 0},
    # T5 is still On Hold: a current interval has no duration yet
    "contact_wait_minutes": {t: 0 for t in (1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13)},
    # T2: the system assigned Alice (the first assignment), Alice unassigned, Carol assigned Bob
    "handoff_count": {1: 0, 2: 1, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0, 9: 0, 10: 0, 11: 0, 12: 0, 13: 0},
    "is_one_touch": {1: False, 2: False, 3: True, 4: False, 5: False, 6: False, 7: True, 9: False, 10: False, 11: True, 12: False, 13: False},
    "created_day": {1: day(1), 2: day(1), 3: day(1), 4: day(1), 5: day(2), 6: day(2), 7: day(2), 9: day(3), 10: day(3), 11: day(4), 12: day(4), 13: day(5)},
    "resolved_day": {1: day(3), 2: None, 3: day(1), 4: day(3), 5: None, 6: None, 7: day(4), 9: None, 10: day(4), 11: day(4), 12: None, 13: None},
    "is_resolved_same_day": {1: False, 2: False, 3: True, 4: False, 5: False, 6: False, 7: False, 9: False, 10: False, 11: True, 12: False, 13: False},
}


@pytest.mark.parametrize("column", sorted(NEW_METRICS))
def test_new_metric(rows, column):
    expected = {t: (m(v) if column.endswith("_minutes") else v) for t, v in NEW_METRICS[column].items()}
    assert {r["ticket_id"]: r[column] for r in rows("ticket_metrics", "ticket_id")} == expected


@pytest.mark.parametrize(
    "business, calendar",
    [("first_response_business_minutes", "first_response_minutes"), ("resolution_business_minutes", "resolution_minutes"),
     ("full_resolution_business_minutes", "resolution_minutes"), ("full_resolution_minutes", "resolution_minutes")],
)
def test_all_hours_business_minutes_equal_calendar_minutes(rows, business, calendar):
    got = rows("ticket_metrics", "ticket_id")
    assert [r[business] for r in got] == [r[calendar] for r in got]
    assert any(r[business] is not None for r in got)
