"""The simulator serves each reading of HappyFox's public pages behind its own switch.

Each switch has a test with it on and one with it off (the default): the readings
themselves are in ``happyfox_simulator/readings.py`` and its README.
"""

from __future__ import annotations

import time

import httpx
import pytest

from happyfox_simulator.generator import generate_helpdesk
from happyfox_simulator.readings import deactivate_staff
from tests.simulator.sim_helpdesk import NOW, HelpdeskBuilder, helpdesk_with, ids

LISTED = {"status": "_all"}


# -- list items without updates (include_updates) ----------------------------------------


def test_list_items_carry_updates_by_default(start_sim, api) -> None:
    sim = start_sim(helpdesk_with(3))
    items = api(sim).get("tickets/", params=LISTED).json()["data"]
    assert [len(item["updates"]) for item in items] == [1, 1, 1]


def test_on_request_list_items_lack_updates_without_include_updates(start_sim, api) -> None:
    sim = start_sim(helpdesk_with(3), list_updates="on_request")
    items = api(sim).get("tickets/", params=LISTED).json()["data"]
    assert ["updates" in item for item in items] == [False, False, False]
    assert [item["id"] for item in items] == [3, 2, 1]


def test_on_request_list_items_carry_updates_with_include_updates_1(start_sim, api) -> None:
    sim = start_sim(helpdesk_with(3), list_updates="on_request")
    items = api(sim).get("tickets/", params={**LISTED, "include_updates": "1"}).json()["data"]
    assert [len(item["updates"]) for item in items] == [1, 1, 1]


def test_on_request_include_updates_0_leaves_updates_out(start_sim, api) -> None:
    sim = start_sim(helpdesk_with(2), list_updates="on_request")
    items = api(sim).get("tickets/", params={**LISTED, "include_updates": "0"}).json()["data"]
    assert ["updates" in item for item in items] == [False, False]


def test_never_list_items_lack_updates_even_with_include_updates_1(start_sim, api) -> None:
    sim = start_sim(helpdesk_with(2), list_updates="never")
    items = api(sim).get("tickets/", params={**LISTED, "include_updates": "1"}).json()["data"]
    assert ["updates" in item for item in items] == [False, False]


def test_the_detail_carries_updates_whatever_the_list_reading(start_sim, api) -> None:
    sim = start_sim(helpdesk_with(2), list_updates="never", list_omits=("custom_fields", "tags", "user"))
    detail = api(sim).get("ticket/1/").json()
    assert (len(detail["updates"]), detail["custom_fields"][0]["id"], detail["tags"], detail["user"]["id"]) == (1, 1, "", 1)


def test_list_items_lack_the_omitted_child_keys(start_sim, api) -> None:
    sim = start_sim(helpdesk_with(2), list_omits=("custom_fields", "tags", "user"))
    item = api(sim).get("tickets/", params=LISTED).json()["data"][0]
    assert {"custom_fields", "tags", "user"} & set(item) == set()
    assert (item["id"], len(item["updates"])) == (2, 1)


def test_list_items_keep_every_child_key_by_default(start_sim, api) -> None:
    sim = start_sim(helpdesk_with(1))
    item = api(sim).get("tickets/", params=LISTED).json()["data"][0]
    assert {"custom_fields", "tags", "user", "updates"} <= set(item)


def test_an_unknown_list_reading_is_refused() -> None:
    from happyfox_simulator import SimulatorConfig

    with pytest.raises(ValueError, match="list_updates"):
        SimulatorConfig(list_updates="sometimes").validate()
    with pytest.raises(ValueError, match="list_omits"):
        SimulatorConfig(list_omits=("status",)).validate()


# -- throttling as 503 with the wait in the body ----------------------------------------


def _over_the_limit(sim, api, **options) -> httpx.Response:
    client = api(sim, **options)
    assert client.get("staff/").status_code == 200
    return client.get("staff/")


def test_throttling_is_a_429_by_default(start_sim, api) -> None:
    sim = start_sim(helpdesk_with(1), get_limit=1, lockout_seconds=37)
    response = _over_the_limit(sim, api)
    assert (response.status_code, response.json()) == (429, {"error": "Rate limit exceeded. Try again later."})


@pytest.mark.parametrize(
    ("reading", "content_type", "body"),
    [
        ("503_message", "application/json", b'{"error":"Too many requests: you have been throttled. Please retry after 37 seconds."}'),
        ("503_field", "application/json", b'{"error":"Request throttled","retry_after":37}'),
        ("503_text", "text/plain; charset=utf-8", b"Too many requests: you have been throttled. Please retry after 37 seconds."),
    ],
)
def test_throttling_as_503_says_how_long_to_wait_in_the_body(start_sim, api, reading, content_type, body) -> None:
    sim = start_sim(helpdesk_with(1), get_limit=1, lockout_seconds=37, throttle_response=reading)
    response = _over_the_limit(sim, api)
    assert (response.status_code, response.headers["Content-Type"], response.content) == (503, content_type, body)
    assert "Retry-After" not in response.headers


def test_a_503_throttle_lasts_the_lockout_like_a_429(start_sim, api) -> None:
    sim = start_sim(helpdesk_with(1), get_limit=1, lockout_seconds=0.4, throttle_response="503_field")
    client = api(sim)
    assert [client.get("staff/").status_code for _ in range(3)] == [200, 503, 503]
    time.sleep(0.5)
    assert client.get("staff/").status_code == 200


# -- 301 for a path without its trailing slash -------------------------------------------


def test_a_path_without_its_slash_is_answered_directly_by_default(start_sim, api) -> None:
    sim = start_sim(helpdesk_with(1))
    response = api(sim).get("ticket/1")
    assert (response.status_code, response.json()["id"]) == (200, 1)


def test_with_redirects_a_path_without_its_slash_answers_301_to_the_slashed_path(start_sim, api) -> None:
    sim = start_sim(helpdesk_with(1), redirect_unslashed=True)
    response = api(sim).get("tickets", params={"status": "_all", "page": "2"})
    assert response.status_code == 301
    assert response.headers["Location"] == f"{sim.base_url}/api/1.1/json/tickets/?status=_all&page=2"
    assert sim.stats.responses_by_status[301] == 1


def test_with_redirects_a_slashed_path_is_served(start_sim, api) -> None:
    sim = start_sim(helpdesk_with(1), redirect_unslashed=True)
    assert ids(api(sim).get("tickets/", params=LISTED)) == [1]


def test_with_redirects_an_unknown_path_stays_a_404(start_sim, api) -> None:
    sim = start_sim(helpdesk_with(1), redirect_unslashed=True)
    assert api(sim).get("nothing_here").status_code == 404


# -- size below 10 -----------------------------------------------------------------------


def test_a_size_below_10_is_honoured_by_default(start_sim, api) -> None:
    sim = start_sim(helpdesk_with(12))
    body = api(sim).get("tickets/", params={**LISTED, "size": "3"}).json()
    assert (len(body["data"]), body["page_info"]["page_count"]) == (3, 4)


def test_with_a_minimum_a_size_below_10_is_raised_to_10(start_sim, api) -> None:
    sim = start_sim(helpdesk_with(12), min_page_size=10)
    body = api(sim).get("tickets/", params={**LISTED, "size": "3", "page": "2"}).json()
    assert (len(body["data"]), body["page_info"]) == (
        2,
        {"count": 2, "last_index": 12, "page_count": 2, "start_index": 11, "end_index": 12},
    )


def test_with_a_minimum_contacts_pages_are_raised_too(start_sim, api) -> None:
    sim = start_sim(helpdesk_with(1), min_page_size=10)
    body = api(sim).get("users/", params={"size": "1"}).json()
    assert (body["page_info"]["count"], body["page_info"]["page_count"]) == (3, 1)


# -- priorities/ ---------------------------------------------------------------------------


def test_priorities_are_served_by_default(start_sim, api) -> None:
    sim = start_sim(helpdesk_with(1))
    assert [p["name"] for p in api(sim).get("priorities/").json()] == ["Low", "Medium", "High"]


def test_priorities_switched_off_are_a_404(start_sim, api) -> None:
    sim = start_sim(helpdesk_with(1), priorities_endpoint=False)
    response = api(sim).get("priorities/")
    assert (response.status_code, response.json()) == (404, {"error": "Page not found"})


# -- deactivated staff ---------------------------------------------------------------------


def test_deactivated_staff_stay_listed_by_default(start_sim, api) -> None:
    sim = start_sim(helpdesk_with(1))
    deactivate_staff(sim.store, 2)
    assert [(s["id"], s["active"]) for s in api(sim).get("staff/").json()] == [(1, True), (2, False)]


def test_staff_can_be_listed_without_deactivated_agents(start_sim, api) -> None:
    sim = start_sim(helpdesk_with(1), inactive_staff_listed=False)
    deactivate_staff(sim.store, 2)
    assert [(s["id"], s["active"]) for s in api(sim).get("staff/").json()] == [(1, True)]


def test_a_deactivated_assignee_shows_inactive_on_the_ticket_and_keeps_past_updates(start_sim, api) -> None:
    builder = HelpdeskBuilder()
    builder.ticket(1, assignee=2)
    sim = start_sim(builder.build())
    deactivate_staff(sim.store, 2)
    detail = api(sim).get("ticket/1/").json()
    assert (detail["assigned_to"]["id"], detail["assigned_to"]["active"], len(detail["updates"])) == (2, False, 1)


def test_generated_helpdesks_have_deactivated_staff_with_past_updates() -> None:
    desk = generate_helpdesk(200, seed=3, now=NOW)
    inactive = {s["id"] for s in desk.staff if not s["active"]}
    authored = {(u.get("by") or {}).get("id") for t in desk.tickets for u in t["updates"] if (u.get("by") or {}).get("type") == "staff"}
    assert inactive and inactive <= authored


# -- update authors: smart rules and null by ---------------------------------------------


def _authors(desk) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ticket in desk.tickets:
        for entry in ticket["updates"]:
            by = entry.get("by")
            kind = "null" if by is None else by.get("type", "system")
            counts[kind] = counts.get(kind, 0) + 1
    return counts


def test_generated_helpdesks_have_no_smart_rule_or_null_authors_by_default() -> None:
    assert set(_authors(generate_helpdesk(100, seed=5, now=NOW))) == {"staff", "user", "system"}


def test_the_author_switches_leave_every_other_update_as_it_was() -> None:
    plain = generate_helpdesk(100, seed=5, now=NOW)
    switched = generate_helpdesk(100, seed=5, now=NOW, smart_rule_rate=0.5, null_author_rate=0.5)
    kept = [[(u["timestamp"], u.get("update_id")) for u in t["updates"] if (u.get("by") or {}).get("type") != "smartrule"]
            for t in switched.tickets]
    assert kept == [[(u["timestamp"], u.get("update_id")) for u in t["updates"]] for t in plain.tickets]


def _acknowledgement(ticket) -> tuple[int, dict]:
    return next((i, u) for i, u in enumerate(ticket["updates"]) if (u.get("by") or {}).get("type") == "smartrule")


def test_smart_rule_acknowledgements_follow_the_opening_message() -> None:
    desk = generate_helpdesk(100, seed=5, now=NOW, smart_rule_rate=1.0)
    for ticket in desk.tickets:
        index, ack = _acknowledgement(ticket)
        stamps = [u["timestamp"] for u in ticket["updates"]]
        assert index >= 1 and stamps == sorted(stamps)
        assert ack["by"] == {"id": ack["by"]["id"], "name": ack["by"]["name"], "email": None, "type": "smartrule"}
        assert ack["message"]["message_type"] is None and ack["message"]["text"].startswith("Thanks for contacting us")
    numbered = [u["update_id"] for t in desk.tickets for u in t["updates"] if "update_id" in u]
    assert len(set(numbered)) == len(numbered)


def test_a_smart_rule_message_is_no_reply_on_the_ticket() -> None:
    plain = generate_helpdesk(60, seed=5, now=NOW)
    switched = generate_helpdesk(60, seed=5, now=NOW, smart_rule_rate=1.0)
    for before, after in zip(plain.tickets, switched.tickets, strict=True):
        assert (after["last_staff_reply_at"], after["last_updated_at"], after["unresponded"]) == (
            before["last_staff_reply_at"], before["last_updated_at"], before["unresponded"])
        assert after["messages_count"] == before["messages_count"] + 1
        assert after["last_modified"] == max(before["last_modified"], _acknowledgement(after)[1]["timestamp"])


def test_null_authors_replace_the_by_of_system_updates_only() -> None:
    desk = generate_helpdesk(100, seed=5, now=NOW, null_author_rate=1.0)
    nulled = [u for t in desk.tickets for u in t["updates"] if u["by"] is None]
    assert nulled and all("update_id" not in u and u["message"] is None for u in nulled)
    assert "system" not in _authors(desk)


def test_null_authors_are_served_as_null(start_sim, api) -> None:
    desk = generate_helpdesk(40, seed=5, now=NOW, null_author_rate=1.0)
    ticket = next(t for t in desk.tickets if any(u["by"] is None for u in t["updates"]))
    sim = start_sim(desk)
    served = api(sim).get(f"ticket/{ticket['id']}/").json()["updates"]
    assert [u["by"] is None for u in served] == [u["by"] is None for u in ticket["updates"]]


def test_each_reading_has_a_command_line_option() -> None:
    from happyfox_simulator.__main__ import _parser, config_from_args

    args = _parser().parse_args([
        "--list-updates", "on_request", "--list-omits", "tags,user", "--throttle-response", "503_text",
        "--redirect-unslashed", "--min-page-size", "10", "--hide-inactive-staff", "--no-priorities",
        "--smart-rule-rate", "0.3", "--null-author-rate", "0.2",
    ])
    config = config_from_args(args)
    config.validate()
    assert (config.list_updates, config.list_omits, config.throttle_response, config.redirect_unslashed,
            config.min_page_size, config.inactive_staff_listed, config.priorities_endpoint) == (
        "on_request", ("tags", "user"), "503_text", True, 10, False, False)
    assert (args.smart_rule_rate, args.null_author_rate) == (0.3, 0.2)
