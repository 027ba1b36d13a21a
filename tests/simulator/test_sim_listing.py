"""What ``tickets/`` lists and in which order: status/category filters, ``sort``, ``q`` order."""

from __future__ import annotations

import pytest

from tests.simulator.sim_helpdesk import HelpdeskBuilder, ids


@pytest.fixture
def mixed() -> HelpdeskBuilder:
    """Five tickets whose orders differ by every sort key used below.

    id  created              last_updated         last_modified        status       category
    1   2024-03-01 10:00     2024-03-05 10:00     2024-03-09 10:00     New          Support
    2   2024-03-02 10:00     2024-03-08 10:00     2024-03-08 10:00     In Progress  Billing
    3   2024-03-03 10:00     2024-03-04 10:00     2024-03-04 10:00     Closed       Support
    4   2024-03-04 10:00     2024-03-08 10:00     2024-03-08 11:00     On Hold      Support
    5   2024-03-05 10:00     2024-03-06 10:00     2024-03-06 10:00     New          Billing
    """
    builder = HelpdeskBuilder()
    rows = [
        (1, "2024-03-01 10:00:00", "2024-03-05 10:00:00", "2024-03-09 10:00:00", "New", 1),
        (2, "2024-03-02 10:00:00", "2024-03-08 10:00:00", "2024-03-08 10:00:00", "In Progress", 2),
        (3, "2024-03-03 10:00:00", "2024-03-04 10:00:00", "2024-03-04 10:00:00", "Closed", 1),
        (4, "2024-03-04 10:00:00", "2024-03-08 10:00:00", "2024-03-08 11:00:00", "On Hold", 1),
        (5, "2024-03-05 10:00:00", "2024-03-06 10:00:00", "2024-03-06 10:00:00", "New", 2),
    ]
    for ticket_id, created, updated, modified, status, category in rows:
        builder.ticket(
            ticket_id,
            created_at=created,
            last_user_reply_at=updated,
            last_modified=modified,
            status=status,
            category=category,
        )
    return builder


def test_default_order_is_last_updated_descending_with_ties_by_id_descending(mixed, start_sim, api):
    client = api(start_sim(mixed.build()))
    assert ids(client.get("tickets/", params={"status": "_all"})) == [4, 2, 5, 1, 3]


def test_without_status_only_pending_behaviour_tickets_are_listed(mixed, start_sim, api):
    client = api(start_sim(mixed.build()))
    assert ids(client.get("tickets/")) == [4, 2, 5, 1]
    assert ids(client.get("tickets/", params={"status": "_pending"})) == [4, 2, 5, 1]


def test_status_id_and_category_filters(mixed, start_sim, api):
    client = api(start_sim(mixed.build()))
    assert ids(client.get("tickets/", params={"status": "1"})) == [5, 1]
    assert ids(client.get("tickets/", params={"status": "_all", "category": "2"})) == [2, 5]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("createa", [1, 2, 3, 4, 5]),
        ("created", [5, 4, 3, 2, 1]),
        ("ticketa", [1, 2, 3, 4, 5]),
        ("ticketd", [5, 4, 3, 2, 1]),
        ("last_modified_d", [1, 4, 2, 5, 3]),
        ("last_modified_a", [3, 5, 2, 4, 1]),
        ("updated", [4, 2, 5, 1, 3]),
        ("updatea", [3, 1, 5, 2, 4]),
        ("statusa", [1, 5, 2, 4, 3]),
        ("statusd", [3, 4, 2, 5, 1]),
    ],
)
def test_sort_orders_the_list_when_there_is_no_q(sort, expected, mixed, start_sim, api):
    client = api(start_sim(mixed.build()))
    assert ids(client.get("tickets/", params={"status": "_all", "sort": sort})) == expected


def test_sort_is_ignored_when_q_is_given(mixed, start_sim, api):
    client = api(start_sim(mixed.build()))
    q = 'created-on-or-after:"2024/03/01"'
    for sort in ("createa", "ticketa", "last_modified_a", "no-such-sort"):
        response = client.get("tickets/", params={"status": "_all", "q": q, "sort": sort})
        assert ids(response) == [4, 2, 5, 1, 3], sort


def test_an_unknown_sort_without_q_is_a_keyed_400(mixed, start_sim, api):
    client = api(start_sim(mixed.build()))
    response = client.get("tickets/", params={"status": "_all", "sort": "colour"})
    assert response.status_code == 400
    assert list(response.json()["error"]) == ["sort"]


def test_list_items_carry_the_same_fields_as_detail_including_updates(mixed, start_sim, api):
    client = api(start_sim(mixed.build()))
    item = client.get("tickets/", params={"status": "_all", "size": 1}).json()["data"][0]
    detail = client.get(f"ticket/{item['id']}/").json()
    assert item == detail
    assert len(item["updates"]) == 1
