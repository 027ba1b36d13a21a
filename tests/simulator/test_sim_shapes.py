"""Response shapes: minify_response in both styles, fields=, reference lists, contacts, groups."""

from __future__ import annotations

import pytest

PAGE_OF_3 = {"count": 3, "last_index": 3, "page_count": 1, "start_index": 1, "end_index": 3}


@pytest.fixture
def three(builder):
    builder.many(3)
    return builder.build()


def test_minify_response_gives_id_objects_by_default(three, start_sim, api):
    body = api(start_sim(three)).get("tickets/", params={"status": "_all", "minify_response": "true"}).json()
    assert body == {"page_info": PAGE_OF_3, "data": [{"id": 3}, {"id": 2}, {"id": 1}]}


def test_minify_response_gives_bare_ids_in_the_ids_style(three, start_sim, api):
    client = api(start_sim(three, minify_style="ids"))
    body = client.get("tickets/", params={"status": "_all", "minify_response": "true"}).json()
    assert body == {"page_info": PAGE_OF_3, "data": [3, 2, 1]}


def test_fields_returns_only_the_named_top_level_fields(three, start_sim, api):
    client = api(start_sim(three))
    params = {"status": "_all", "fields": "id,last_user_reply_at,no_such_field"}
    body = client.get("tickets/", params=params).json()
    assert body["page_info"] == PAGE_OF_3
    assert body["data"] == [
        {"id": 3, "last_user_reply_at": "2024-03-01 00:02:00"},
        {"id": 2, "last_user_reply_at": "2024-03-01 00:01:00"},
        {"id": 1, "last_user_reply_at": "2024-03-01 00:00:00"},
    ]


def test_priorities_endpoint_can_be_switched_off(three, start_sim, api):
    sim = start_sim(three)
    client = api(sim)
    assert [p["name"] for p in client.get("priorities/").json()] == ["Low", "Medium", "High"]
    sim.config.priorities_endpoint = False
    response = client.get("priorities/")
    assert (response.status_code, response.json()) == (404, {"error": "Page not found"})


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("staff/", ["Ada Lovelace", "Grace Hopper"]),
        ("categories/", ["Support", "Billing", "Internal"]),
        ("statuses/", ["New", "In Progress", "On Hold", "Closed"]),
        ("ticket_custom_fields/", ["Product", "City", "Platforms", "Root cause"]),
        ("user_custom_fields/", ["Company"]),
    ],
)
def test_reference_lists_are_bare_arrays(path, names, three, start_sim, api):
    body = api(start_sim(three)).get(path).json()
    assert [item["name"] for item in body] == names


def test_contact_groups_list_and_detail(three, start_sim, api):
    client = api(start_sim(three))
    assert client.get("contact_groups/").json() == [
        {"id": 1, "name": "VIP", "description": "Important", "tagged_domains": ["example.com"]}
    ]
    assert client.get("contact_group/1/").json() == {
        "id": 1,
        "name": "VIP",
        "description": "Important",
        "tagged_domains": ["example.com"],
        "contacts": [{"id": 1, "name": "James Doe", "email": "james@example.com", "access_all_tickets_in_group": True}],
    }
    assert client.get("contact_group/9/").status_code == 404


def test_a_contact_by_id_or_email(three, start_sim, api):
    client = api(start_sim(three))
    assert client.get("user/2/").json()["email"] == "mia@example.org"
    assert client.get("user/MIA@example.org/").json()["id"] == 2
    assert client.get("user/nobody@example.org/").status_code == 404


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("name:james", [1]),
        ("email:example", [1, 2]),
        ("name:mia email:example.org", [2]),
        ("name:mia email:example.com", []),
        ('updated_since:"2024/01/02"', [1, 2]),
    ],
)
def test_contact_search_terms_must_all_match(q, expected, three, start_sim, api):
    body = api(start_sim(three)).get("users/", params={"q": q}).json()
    assert [c["id"] for c in body["data"]] == expected
    assert body["page_info"]["last_index"] == len(expected)


def test_unknown_contact_search_field_is_a_400(three, start_sim, api):
    response = api(start_sim(three)).get("users/", params={"q": "shoe_size:9"})
    assert response.json() == {"error": {"q": "Unknown search field 'shoe_size'."}}


def test_unknown_paths_are_404_and_wrong_methods_405(three, start_sim, api):
    client = api(start_sim(three))
    assert client.get("nothing/").status_code == 404
    assert client.post("staff/", json={}).status_code == 405
    assert client.delete("ticket/1/").status_code == 405


def test_the_date_header_tells_the_simulated_clock(three, start_sim, api):
    response = api(start_sim(three)).get("staff/")
    assert response.headers["Date"] == "Sun, 10 Mar 2024 12:00:00 GMT"
