"""A contact embedded in a ticket without its lists never erases what the warehouse holds."""

from __future__ import annotations

from pathlib import Path

from tests.support import truth
from tests.support.harness import HelpdeskUser, Warehouse, client_for, helpdesk, running


def _contact_values(warehouse: Warehouse) -> set[tuple[int, int, str | None]]:
    return set(warehouse.query("select contact_id, field_id, value from contact_custom_field_values"))


def _truth_contact_values(desk) -> set[tuple[int, int, str | None]]:
    return {(c["id"], f["id"], truth.text(f.get("value"))) for c in desk.contacts for f in c.get("custom_fields") or ()}


def _edit_tickets_of_contacts_with_lists(simulator, user: HelpdeskUser) -> set[int]:
    """A staff reply on one ticket of each of five contacts that have field values and groups."""
    desk = simulator.helpdesk
    chosen: dict[int, int] = {}
    for ticket in desk.tickets:
        contact = ticket["user"]
        if contact.get("custom_fields") and contact.get("contact_groups") and contact["id"] not in chosen:
            chosen[contact["id"]] = ticket["id"]
        if len(chosen) == 5:
            break
    for ticket_id in chosen.values():
        user.post(f"ticket/{ticket_id}/staff_update/", {"staff": user.staff_id(), "plaintext": "On it.", "time_spent": 1})
    return set(chosen)


def test_a_bare_embedded_contact_keeps_its_stored_field_values_and_groups(tmp_path: Path) -> None:
    desk = helpdesk(120)
    with running(desk) as simulator:
        warehouse = Warehouse(tmp_path)
        with client_for(simulator) as client:
            warehouse.sync(client)
        user = HelpdeskUser(simulator)
        edited = _edit_tickets_of_contacts_with_lists(simulator, user)
        user.close()
        simulator.config.embedded_contact = "bare"
        with client_for(simulator) as client:
            warehouse.sync(client, contacts_sweep_hours=1000)
    assert len(edited) == 5
    assert _contact_values(warehouse) == _truth_contact_values(desk)
    assert set(warehouse.query("select contact_group_id, contact_id from contact_group_members")) == truth.group_members(desk)


def test_the_sweep_still_loads_the_lists_of_a_contact_a_ticket_embedded_bare(tmp_path: Path) -> None:
    desk = helpdesk(120)
    with running(desk, embedded_contact="bare") as simulator:
        warehouse = Warehouse(tmp_path)
        with client_for(simulator) as client:
            warehouse.sync(client)
    assert _contact_values(warehouse) == _truth_contact_values(desk)
    assert set(warehouse.query("select contact_group_id, contact_id from contact_group_members")) == truth.group_members(desk)
    assert set(warehouse.query("select id, name, email from contacts")) == truth.contacts(desk)
