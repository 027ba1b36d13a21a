"""The sync is right under every reading of HappyFox's public pages (each switch on and off).

Each test syncs the real source from the simulator into DuckDB and ends with the
whole-warehouse comparison against the simulator's own records, plus the GETs the
reading cost. The readings are listed in ``happyfox_simulator/readings.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from happyfox_simulator.generator import generate_helpdesk
from happyfox_simulator.readings import deactivate_staff
from tests.support.compare import assert_warehouse_equals_truth
from tests.support.harness import NOW, HelpdeskUser, Warehouse, client_for, helpdesk, running

TICKETS = 120
REFERENCE_ENDPOINTS = ("staff/", "categories/", "statuses/", "priorities/", "ticket_custom_fields/",
                       "user_custom_fields/", "contact_groups/")


def _edit(simulator: Any) -> set[int]:
    """A staff reply, a contact reply, a private note, a tag change and a new ticket; their ids."""
    desk = simulator.helpdesk
    user = HelpdeskUser(simulator)
    try:
        staff = user.staff_id()
        a, b, c, d = (t["id"] for t in desk.tickets[:4])
        user.post(f"ticket/{a}/staff_update/", {"staff": staff, "plaintext": "On it.", "time_spent": 5})
        user.post(f"ticket/{b}/user_reply/", {"user": desk.tickets[1]["user"]["id"], "text": "Any news?"})
        user.post(f"ticket/{c}/staff_pvtnote/", {"staff": staff, "plaintext": "internal", "time_spent": 5})
        user.post(f"ticket/{d}/update_tags/", {"add": "reading", "remove": "", "staff_id": staff})
        created = user.create_ticket("After the first run")
    finally:
        user.close()
    return {a, b, c, d, created["id"]}


def _sync(warehouse: Warehouse, simulator: Any, **options: Any) -> dict[str, int]:
    with client_for(simulator) as client:
        warehouse.sync(client, **options)
        return dict(client.stats.gets_by_endpoint)


# -- list items without updates (include_updates) ---------------------------------------


@pytest.mark.parametrize("list_updates", ["always", "on_request", "never"])
@pytest.mark.parametrize("history", [True, False], ids=["history_on", "history_off"])
def test_an_incremental_run_after_edits_holds_every_update_whatever_lists_carry(
    tmp_path: Path, list_updates: str, history: bool
) -> None:
    desk = helpdesk(TICKETS)
    with running(desk, list_updates=list_updates) as simulator:
        warehouse = Warehouse(tmp_path)
        first = _sync(warehouse, simulator, custom_field_history=history)
        changed = _edit(simulator)
        later = _sync(warehouse, simulator, custom_field_history=history)
        assert_warehouse_equals_truth(
            warehouse, simulator, tables=None if history else [
                name for name in ("tickets", "ticket_updates", "ticket_custom_field_values", "ticket_tags",
                                  "ticket_attachments", "contacts", "staff")
            ]
        )
    # Details: one per ticket with history on (the reading costs nothing more); with it
    # off, none where lists carry updates (include_updates=1 honoured), one per emitted
    # ticket where they never do.
    details_expected = (TICKETS, len(changed)) if history or list_updates == "never" else (0, 0)
    assert (first.get("ticket/<id>/", 0), later.get("ticket/<id>/", 0)) == details_expected
    assert warehouse.count("ticket_updates") == sum(len(t["updates"]) for t in simulator.helpdesk.tickets)


@pytest.mark.parametrize("omitted", [("custom_fields",), ("tags",), ("user",), ("custom_fields", "tags", "user")])
def test_list_items_lacking_child_keys_are_read_in_detail_and_lose_nothing(tmp_path: Path, omitted: tuple[str, ...]) -> None:
    desk = helpdesk(TICKETS)
    with running(desk, list_omits=omitted) as simulator:
        warehouse = Warehouse(tmp_path)
        first = _sync(warehouse, simulator, custom_field_history=False)
        changed = _edit(simulator)
        later = _sync(warehouse, simulator, custom_field_history=False)
        assert_warehouse_equals_truth(warehouse, simulator, tables=[
            "tickets", "ticket_updates", "ticket_custom_field_values", "ticket_tags", "contacts",
            "contact_custom_field_values", "contact_group_members",
        ])
    assert (first.get("ticket/<id>/", 0), later.get("ticket/<id>/", 0)) == (TICKETS, len(changed))


def test_complete_list_items_cost_no_detail_with_history_off(tmp_path: Path) -> None:
    with running(helpdesk(TICKETS)) as simulator:
        gets = _sync(Warehouse(tmp_path), simulator, custom_field_history=False)
    assert "ticket/<id>/" not in gets
    assert {endpoint: gets[endpoint] for endpoint in REFERENCE_ENDPOINTS} == dict.fromkeys(REFERENCE_ENDPOINTS, 1)


def test_a_child_list_missing_even_from_the_detail_keeps_the_rows_already_loaded(tmp_path: Path) -> None:
    desk = helpdesk(TICKETS)
    with running(desk) as simulator:
        warehouse = Warehouse(tmp_path)
        _sync(warehouse, simulator)
        ticket = simulator.helpdesk.tickets[0]
        loaded = warehouse.query(f"select update_index, update_id from ticket_updates where ticket_id = {ticket['id']} order by 1")
        tags = warehouse.query(f"select tag from ticket_tags where ticket_id = {ticket['id']} order by 1")
        _edit(simulator)
        simulator.config.list_updates = "never"
        simulator.config.list_omits = ("tags",)
        simulator.config.detail_omits = ("updates", "tags")
        _sync(warehouse, simulator)
        after = warehouse.query(f"select update_index, update_id from ticket_updates where ticket_id = {ticket['id']} order by 1")
        tags_after = warehouse.query(f"select tag from ticket_tags where ticket_id = {ticket['id']} order by 1")
        modified = warehouse.query(f"select last_modified from tickets where id = {ticket['id']}")
    assert (after, tags_after) == (loaded, tags)
    assert len(ticket["updates"]) == len(loaded) + 1  # the new reply is not there yet: not sent, not invented
    assert modified[0][0].strftime("%Y-%m-%d %H:%M:%S") == ticket["last_modified"]


# -- update authors ----------------------------------------------------------------------


def test_smart_rule_updates_and_null_authors_load_with_their_author_columns(tmp_path: Path) -> None:
    desk = generate_helpdesk(TICKETS, seed=3, now=NOW, smart_rule_rate=0.5, null_author_rate=1.0)
    with running(desk) as simulator:
        warehouse = Warehouse(tmp_path)
        _sync(warehouse, simulator)
        assert_warehouse_equals_truth(warehouse, simulator)
    nulled = sum(1 for t in desk.tickets for u in t["updates"] if u["by"] is None)
    smart = sum(1 for t in desk.tickets for u in t["updates"] if (u["by"] or {}).get("type") == "smartrule")
    rows = warehouse.query(
        "select count(*) filter (where by__id is null and by__type is null and by__name is null and by__email is null),"
        " count(*) filter (where by__type = 'smartrule' and by__id is not null and message__text is not null)"
        " from ticket_updates"
    )
    assert rows == [(nulled, smart)]
    assert nulled > 0 and smart > 0


def test_without_the_author_readings_every_update_has_a_staff_user_or_system_author(tmp_path: Path) -> None:
    with running(helpdesk(TICKETS)) as simulator:
        warehouse = Warehouse(tmp_path)
        _sync(warehouse, simulator)
    kinds = warehouse.query("select distinct coalesce(by__type, case when by__name is null then 'null' else 'system' end) from ticket_updates order by 1")
    assert kinds == [("staff",), ("system",), ("user",)]


# -- throttling as 503, redirects, paging limits ------------------------------------------


@pytest.mark.parametrize("reading", ["429", "503_message", "503_field", "503_text"])
def test_a_throttled_sync_waits_it_out_and_loads_everything(tmp_path: Path, reading: str) -> None:
    desk = helpdesk(40)
    with running(desk, get_limit=6, window_seconds=60.0, lockout_seconds=0.3, throttle_response=reading) as simulator:
        warehouse = Warehouse(tmp_path)
        with client_for(simulator, rate_limit_lockout_seconds=0.3) as client:
            warehouse.sync(client, custom_field_history=False)
            throttled = client.stats.rate_limited
        assert_warehouse_equals_truth(warehouse, simulator, tables=["tickets", "ticket_updates", "staff", "priorities"])
        status = 429 if reading == "429" else 503
        assert simulator.stats.responses_by_status[status] == throttled >= 1
    assert client.stats.retries == {}


def test_a_sync_against_a_server_that_redirects_unslashed_paths_never_meets_a_redirect(tmp_path: Path) -> None:
    with running(helpdesk(TICKETS), redirect_unslashed=True) as simulator:
        warehouse = Warehouse(tmp_path)
        _sync(warehouse, simulator)
        _edit(simulator)
        _sync(warehouse, simulator, reconcile=True)
        assert_warehouse_equals_truth(warehouse, simulator)
        assert 301 not in simulator.stats.responses_by_status


@pytest.mark.parametrize("min_page_size", [1, 10])
def test_paging_is_right_whether_small_sizes_are_honoured_or_raised_to_10(tmp_path: Path, min_page_size: int) -> None:
    with running(helpdesk(TICKETS), min_page_size=min_page_size) as simulator:
        warehouse = Warehouse(tmp_path)
        _sync(warehouse, simulator, checkpoint_tickets=30)
        _edit(simulator)
        _sync(warehouse, simulator, reconcile=True)
        assert_warehouse_equals_truth(warehouse, simulator)


# -- priorities/ and deactivated staff ----------------------------------------------------


@pytest.mark.parametrize("served", [True, False], ids=["served", "404"])
def test_priorities_come_from_their_endpoint_or_from_the_tickets(tmp_path: Path, served: bool) -> None:
    desk = helpdesk(TICKETS)
    with running(desk, priorities_endpoint=served) as simulator:
        warehouse = Warehouse(tmp_path)
        _sync(warehouse, simulator)
    loaded = set(warehouse.query('select id, name, "order", "default" from priorities'))
    listed = {(p["id"], p["name"], p["order"], p["default"]) for p in desk.priorities}
    seen = {(t["priority"]["id"], t["priority"]["name"], t["priority"]["order"], t["priority"]["default"]) for t in desk.tickets}
    assert loaded == (listed if served else seen)


@pytest.mark.parametrize("listed", [True, False], ids=["listed", "unlisted"])
def test_an_agent_deactivated_between_runs_stays_in_staff_with_past_activity(tmp_path: Path, listed: bool) -> None:
    desk = helpdesk(TICKETS)
    with running(desk, inactive_staff_listed=listed) as simulator:
        warehouse = Warehouse(tmp_path)
        _sync(warehouse, simulator)
        busiest = max(
            (s for s in simulator.helpdesk.staff if s["active"]),
            key=lambda s: sum(1 for t in desk.tickets for u in t["updates"] if (u["by"] or {}).get("id") == s["id"]
                              and (u["by"] or {}).get("type") == "staff"),
        )
        authored = warehouse.count(f"ticket_updates where by__id = {busiest['id']} and by__type = 'staff'")
        deactivate_staff(simulator.store, busiest["id"])
        _sync(warehouse, simulator)
        row = warehouse.query(f"select id, name, active from staff where id = {busiest['id']}")
        after = warehouse.count(f"ticket_updates where by__id = {busiest['id']} and by__type = 'staff'")
    assert row == [(busiest["id"], busiest["name"], False)]
    assert after == authored > 0


def test_only_an_absent_key_or_a_null_list_counts_as_missing() -> None:
    from happyfox_sync.source.list_items import missing_keys

    complete = {"id": 1, "updates": [], "custom_fields": [], "tags": "", "user": {"id": 2}}
    assert missing_keys(complete) == []
    assert missing_keys({**complete, "tags": None, "user": None}) == []
    assert missing_keys({**complete, "updates": None, "custom_fields": None}) == ["updates", "custom_fields"]
    assert missing_keys({"id": 1}) == ["updates", "custom_fields", "tags", "user"]
