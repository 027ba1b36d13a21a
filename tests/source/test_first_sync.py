"""A first sync of a generated helpdesk loads exactly what the simulator holds."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from tests.support import truth
from tests.support.harness import Warehouse, client_for, helpdesk, running

CONTRACT_TABLES = {
    "tickets",
    "ticket_updates",
    "ticket_custom_field_changes",
    "ticket_custom_field_values",
    "ticket_tags",
    "ticket_attachments",
    "contacts",
    "contact_custom_field_values",
    "contact_group_members",
    "contact_groups",
    "staff",
    "categories",
    "statuses",
    "priorities",
    "ticket_custom_fields",
    "ticket_custom_field_choices",
    "contact_custom_fields",
    "contact_custom_field_choices",
}

TICKETS = 240


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory):
    desk = helpdesk(TICKETS)
    with running(desk) as simulator:
        warehouse = Warehouse(tmp_path_factory.mktemp("first"))
        with client_for(simulator) as client:
            warehouse.sync(client)
            gets = dict(client.stats.gets_by_endpoint)
        yield warehouse, simulator.helpdesk, gets


def test_no_table_outside_the_contract(synced) -> None:
    warehouse, _, _ = synced
    assert warehouse.tables() == CONTRACT_TABLES


def test_every_ticket_is_loaded_with_its_dimension_ids(synced) -> None:
    warehouse, desk, _ = synced
    rows = warehouse.query(
        "select id, display_id, subject, status_id, priority_id, category_id, assignee_id, contact_id, "
        "last_modified from tickets"
    )
    assert len(rows) == TICKETS
    assert set(rows) == truth.tickets(desk)


def test_every_update_is_one_row_keyed_by_ticket_and_position(synced) -> None:
    warehouse, desk, _ = synced
    rows = warehouse.query(
        "select ticket_id, update_index, update_id, timestamp, by__type, message__message_type, "
        "status_change__new from ticket_updates"
    )
    expected = truth.updates(desk)
    assert len(rows) == len(expected)
    assert set(rows) == expected


def test_system_updates_load_without_an_update_id(synced) -> None:
    warehouse, desk, _ = synced
    system_updates = sum(1 for t in desk.tickets for u in t["updates"] if "update_id" not in u)
    assert system_updates > 0
    assert warehouse.count("ticket_updates where update_id is null") == system_updates


def test_custom_field_history_comes_from_the_detail_endpoint(synced) -> None:
    warehouse, desk, gets = synced
    rows = warehouse.query("select ticket_id, update_index, field_id, from_value, to_value from ticket_custom_field_changes")
    expected = truth.custom_field_changes(desk)
    assert len(expected) > 0
    assert sorted(rows) == sorted(expected)
    assert gets["ticket/<id>/"] == TICKETS


def test_current_custom_field_values_tags_and_attachments_match(synced) -> None:
    warehouse, desk, _ = synced
    assert set(warehouse.query("select ticket_id, field_id, value from ticket_custom_field_values")) == truth.custom_field_values(desk)
    assert set(warehouse.query("select ticket_id, tag from ticket_tags")) == truth.tags(desk)
    assert set(warehouse.query("select ticket_id, update_index, id, filename from ticket_attachments")) == truth.attachments(desk)


def test_attachment_urls_are_not_kept(synced) -> None:
    warehouse, _, _ = synced
    columns = {name for (name,) in warehouse.query(
        "select column_name from information_schema.columns where table_name = 'ticket_attachments'"
    )}
    assert not any("url" in column for column in columns)


def test_contacts_and_group_memberships_match(synced) -> None:
    warehouse, desk, _ = synced
    assert set(warehouse.query("select id, name, email from contacts")) == truth.contacts(desk)
    assert set(warehouse.query("select contact_group_id, contact_id from contact_group_members")) == truth.group_members(desk)


def test_reference_lists_match(synced) -> None:
    warehouse, desk, _ = synced
    assert {r for (r,) in warehouse.query("select id from staff")} == truth.ids(desk.staff)
    assert {r for (r,) in warehouse.query("select id from statuses")} == truth.ids(desk.statuses)
    assert {r for (r,) in warehouse.query("select id from categories")} == truth.ids(desk.categories)
    assert {r for (r,) in warehouse.query("select id from priorities")} == truth.ids(desk.priorities)
    assert {r for (r,) in warehouse.query("select id from ticket_custom_fields")} == truth.ids(desk.ticket_custom_fields)
    assert {r for (r,) in warehouse.query("select id from contact_custom_fields")} == truth.ids(desk.user_custom_fields)
    choices = {(f["id"], c["id"]) for f in desk.ticket_custom_fields for c in f.get("choices") or ()}
    assert set(warehouse.query("select field_id, id from ticket_custom_field_choices")) == choices


def test_timestamps_load_as_utc_timestamps_and_dates_as_dates(synced) -> None:
    warehouse, desk, _ = synced
    ticket = next(t for t in desk.tickets if t.get("due_date"))
    created, due = warehouse.query(f"select created_at, due_date from tickets where id = {ticket['id']}")[0]
    assert created == datetime.strptime(ticket["created_at"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    assert due == date.fromisoformat(ticket["due_date"])


def test_first_sync_costs_pages_details_and_one_get_per_reference_list(synced) -> None:
    _, desk, gets = synced
    for endpoint in ("staff/", "categories/", "statuses/", "priorities/", "ticket_custom_fields/", "user_custom_fields/", "contact_groups/"):
        assert gets[endpoint] == 1
    contact_pages = -(-len(desk.contacts) // 50)
    assert gets["users/"] == contact_pages


def test_a_missing_priorities_endpoint_falls_back_to_priorities_seen_on_tickets(tmp_path: Path) -> None:
    desk = helpdesk(30)
    with running(desk, priorities_endpoint=False) as simulator, client_for(simulator) as client:
        warehouse = Warehouse(tmp_path)
        warehouse.sync(client)
        seen = {t["priority"]["id"] for t in simulator.helpdesk.tickets}
    assert {r for (r,) in warehouse.query("select id from priorities")} == seen
