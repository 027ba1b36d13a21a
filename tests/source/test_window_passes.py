"""A window is complete only when one pass over it saw every ticket it holds."""

from __future__ import annotations

from datetime import date
from typing import Any

from happyfox_sync.source.ticket_search import WindowRead, read_window
from happyfox_sync.source.windows import Window
from tests.support.harness import client_for, helpdesk, running

WINDOW = Window(date(2000, 1, 1), date(2026, 3, 3))
"""Closed, and holding every generated ticket (they end on 2026-03-02)."""


def _search_order(desk: Any) -> list[dict[str, Any]]:
    return sorted(desk.tickets, key=lambda t: (t["last_updated_at"], t["id"]), reverse=True)


def _tie_across_page_two(desk: Any) -> tuple[int, int, int]:
    """Make search positions 51 and 52 tie; return (first ticket, tie's higher id, lower id)."""
    order = _search_order(desk)
    upper, lower = order[50], order[51]
    lower["last_updated_at"] = upper["last_updated_at"]
    lower["last_modified"] = max(lower["last_modified"], upper["last_updated_at"])
    high, low = max(upper["id"], lower["id"]), min(upper["id"], lower["id"])
    return order[0]["id"], high, low


def test_a_ticket_missed_by_every_pass_leaves_the_window_incomplete_though_all_passes_together_reach_the_total() -> None:
    desk = helpdesk(80)
    leaver, tie_high, tie_low = _tie_across_page_two(desk)
    with running(desk, search_tie_order="alternating") as simulator, client_for(simulator) as client:
        staff = next(s["id"] for s in desk.staff if s.get("active"))
        moved: list[int] = []

        def leave_during_pass_one(page: int) -> None:
            if page == 1 and not moved:
                moved.append(leaver)
                simulator.store.staff_update(leaver, staff=staff, plaintext="Moved on.", time_spent=1)

        simulator.on_list_page = leave_during_pass_one
        found = WindowRead(WINDOW)
        listed = [ticket["id"] for page in read_window(client, WINDOW, found, max_passes=3) for ticket in page]

    assert moved == [leaver]
    assert (found.passes, found.total) == (3, 79)
    assert tie_high in listed and tie_low not in listed
    assert found.complete is False


def test_a_window_whose_single_pass_saw_every_ticket_is_complete_after_one_pass() -> None:
    desk = helpdesk(80)
    _tie_across_page_two(desk)
    with running(desk) as simulator, client_for(simulator) as client:
        found = WindowRead(WINDOW)
        listed = [ticket["id"] for page in read_window(client, WINDOW, found, max_passes=3) for ticket in page]
    assert (found.passes, found.total, found.complete) == (1, 80, True)
    assert sorted(listed) == sorted(t["id"] for t in desk.tickets)
