"""Later runs read only what changed, and what changed is exactly what they load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support import truth
from tests.support.harness import HelpdeskUser, Warehouse, client_for, helpdesk, running

REFERENCE_LIST_GETS = 7


@pytest.fixture
def synced_once(tmp_path: Path):
    desk = helpdesk(150)
    with running(desk) as simulator:
        warehouse = Warehouse(tmp_path)
        with client_for(simulator) as client:
            warehouse.sync(client)
        user = HelpdeskUser(simulator)
        yield simulator, warehouse, user
        user.close()


def _choice_field(desk: Any) -> tuple[int, int]:
    field = next(f for f in desk.ticket_custom_fields if f["type"] == "choice" and f.get("choices"))
    return field["id"], field["choices"][-1]["id"]


def test_a_run_with_nothing_changed_loads_no_ticket_and_costs_at_most_12_gets(synced_once) -> None:
    simulator, warehouse, _ = synced_once
    with client_for(simulator) as client:
        warehouse.sync(client)
        gets = client.stats.total_gets
    assert warehouse.loads[-1].get("tickets", 0) == 0
    assert warehouse.loads[-1].get("ticket_updates", 0) == 0
    assert gets == REFERENCE_LIST_GETS + 1
    assert gets <= 12


def test_edits_made_through_the_api_reload_exactly_the_edited_tickets(synced_once) -> None:
    simulator, warehouse, user = synced_once
    desk = simulator.helpdesk
    staff = user.staff_id()
    field_id, choice_id = _choice_field(desk)
    completed = next(s["id"] for s in desk.statuses if s["behavior"] == "completed")
    a, b, c, d, e = (t["id"] for t in desk.tickets[:5])
    other_category = next(cat["id"] for cat in desk.categories if cat["id"] != desk.tickets[4]["category"]["id"])
    user.post(f"ticket/{a}/staff_update/", {"staff": staff, "plaintext": "Fixed.", "status": completed})
    user.post(f"ticket/{b}/user_reply/", {"user": desk.tickets[1]["user"]["id"], "text": "Still broken"})
    user.post(f"ticket/{c}/update_tags/", {"add": "vip", "remove": "", "staff_id": staff})
    user.post(f"ticket/{d}/update_custom_fields/", {"staff": staff, f"t-cf-{field_id}": choice_id})
    user.post(f"ticket/{e}/move/", {"staff_id": staff, "target_category_id": other_category})
    created = user.create_ticket()

    with client_for(simulator) as client:
        warehouse.sync(client)
        gets = dict(client.stats.gets_by_endpoint)

    changed = {a, b, c, d, e, created["id"]}
    assert warehouse.loads[-1]["tickets"] == len(changed)
    assert gets == {
        **{endpoint: 1 for endpoint in ("staff/", "categories/", "statuses/", "priorities/", "ticket_custom_fields/", "user_custom_fields/", "contact_groups/")},
        "tickets/": 1,
        "ticket/<id>/": len(changed),
    }
    assert set(warehouse.query("select id, display_id, subject, status_id, priority_id, category_id, assignee_id, contact_id, last_modified from tickets")) == truth.tickets(desk)
    assert set(warehouse.query("select ticket_id, update_index, update_id, timestamp, by__type, message__message_type, status_change__new from ticket_updates")) == truth.updates(desk)
    assert set(warehouse.query("select ticket_id, tag from ticket_tags")) == truth.tags(desk)
    assert set(warehouse.query("select ticket_id, field_id, value from ticket_custom_field_values")) == truth.custom_field_values(desk)
    history = warehouse.query(f"select field_id, to_value from ticket_custom_field_changes where ticket_id = {d} order by update_index desc limit 1")
    choice_text = next(ch["text"] for f in desk.ticket_custom_fields if f["id"] == field_id for ch in f["choices"] if ch["id"] == choice_id)
    assert history == [(field_id, choice_text)]


def test_a_tag_removed_since_the_last_run_disappears(synced_once) -> None:
    simulator, warehouse, user = synced_once
    desk = simulator.helpdesk
    ticket = next(t for t in desk.tickets if t["tags"])
    user.post(f"ticket/{ticket['id']}/update_tags/", {"remove": ticket["tags"], "staff_id": user.staff_id()})
    with client_for(simulator) as client:
        warehouse.sync(client)
    assert warehouse.query(f"select tag from ticket_tags where ticket_id = {ticket['id']}") == []


def test_custom_field_history_off_costs_no_detail_gets_and_keeps_the_history_loaded(synced_once) -> None:
    simulator, warehouse, user = synced_once
    before = warehouse.count("ticket_custom_field_changes")
    ticket = simulator.helpdesk.tickets[7]
    user.post(f"ticket/{ticket['id']}/staff_pvtnote/", {"staff": user.staff_id(), "plaintext": "internal"})
    with client_for(simulator) as client:
        warehouse.sync(client, custom_field_history=False)
        gets = dict(client.stats.gets_by_endpoint)
    assert "ticket/<id>/" not in gets
    assert warehouse.count("ticket_custom_field_changes") == before
    assert warehouse.query(f"select message__message_type from ticket_updates where ticket_id = {ticket['id']} order by update_index desc limit 1") == [("p",)]


def test_a_fresh_machine_restores_the_state_from_the_destination(synced_once) -> None:
    import shutil

    simulator, warehouse, _ = synced_once
    shutil.rmtree(warehouse.folder / "pipelines")
    with client_for(simulator) as client:
        warehouse.sync(client)
        gets = client.stats.total_gets
    assert warehouse.loads[-1].get("tickets", 0) == 0
    assert gets == REFERENCE_LIST_GETS + 1
