"""Paging of ``tickets/`` and ``users/``: the page_info numbers for every page, size rules."""

from __future__ import annotations

import pytest

from tests.simulator.sim_helpdesk import helpdesk_with, ids


def info(count: int, last_index: int, page_count: int, start_index: int, end_index: int) -> dict[str, int]:
    return {
        "count": count,
        "last_index": last_index,
        "page_count": page_count,
        "start_index": start_index,
        "end_index": end_index,
    }


# items -> [(page, page_info, first id, last id)]; tickets are ordered id descending.
PAGE_MATH = {
    0: [(1, info(0, 0, 0, 0, 0), None, None), (2, info(0, 0, 0, 0, 0), None, None)],
    1: [(1, info(1, 1, 1, 1, 1), 1, 1), (2, info(0, 1, 1, 0, 0), None, None)],
    50: [(1, info(50, 50, 1, 1, 50), 50, 1), (2, info(0, 50, 1, 0, 0), None, None)],
    51: [
        (1, info(50, 51, 2, 1, 50), 51, 2),
        (2, info(1, 51, 2, 51, 51), 1, 1),
        (3, info(0, 51, 2, 0, 0), None, None),
    ],
    101: [
        (1, info(50, 101, 3, 1, 50), 101, 52),
        (2, info(50, 101, 3, 51, 100), 51, 2),
        (3, info(1, 101, 3, 101, 101), 1, 1),
        (4, info(0, 101, 3, 0, 0), None, None),
    ],
}


@pytest.mark.parametrize("items", sorted(PAGE_MATH))
def test_page_info_for_every_page_including_past_the_end(items, start_sim, api):
    client = api(start_sim(helpdesk_with(items)))
    for page, expected, first, last in PAGE_MATH[items]:
        response = client.get("tickets/", params={"status": "_all", "size": 50, "page": page})
        body = response.json()
        assert body["page_info"] == expected, (items, page)
        got = ids(response)
        assert (got[0] if got else None, got[-1] if got else None) == (first, last)
        assert len(got) == expected["count"]


def test_size_above_50_is_capped_to_50(start_sim, api):
    client = api(start_sim(helpdesk_with(101)))
    body = client.get("tickets/", params={"status": "_all", "size": 80}).json()
    assert body["page_info"] == info(50, 101, 3, 1, 50)
    assert len(body["data"]) == 50


def test_default_size_is_10(start_sim, api):
    client = api(start_sim(helpdesk_with(101)))
    response = client.get("tickets/", params={"status": "_all"})
    assert response.json()["page_info"] == info(10, 101, 11, 1, 10)
    assert ids(response) == list(range(101, 91, -1))


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "x"}, {"size": "0"}, {"size": "-5"}])
def test_non_positive_or_non_numeric_paging_is_a_keyed_400(params, start_sim, api):
    client = api(start_sim(helpdesk_with(3)))
    response = client.get("tickets/", params={"status": "_all", **params})
    assert response.status_code == 400
    (field,) = params
    assert list(response.json()["error"]) == [field]


def test_users_are_paged_like_tickets_in_id_order(start_sim, api):
    client = api(start_sim(helpdesk_with(0)))
    first = client.get("users/", params={"size": 2}).json()
    second = client.get("users/", params={"size": 2, "page": 2}).json()
    assert first["page_info"] == info(2, 3, 2, 1, 2)
    assert [c["id"] for c in first["data"]] == [1, 2]
    assert second["page_info"] == info(1, 3, 2, 3, 3)
    assert [c["id"] for c in second["data"]] == [3]
