"""POST endpoints: each write changes the truth, stamps last_modified and appends the right update."""

from __future__ import annotations

import pytest

from tests.simulator.sim_helpdesk import ids

STAMP = "2024-03-10 12:00:00"  # the fixed clock of the test simulators
ADA = {"id": 1, "name": "Ada Lovelace", "email": "ada@acme.test", "type": "staff"}
JAMES = {"id": 1, "name": "James Doe", "email": "james@example.com", "type": "user"}


def message(**fields):
    base = {
        "text": "",
        "html": "",
        "subject": "",
        "cc_list": "",
        "bcc_list": "",
        "attachments": [],
        "customer_updated": False,
        "forward_list": None,
        "message_type": None,
    }
    return {**base, **fields}


def update(update_id, **fields):
    base = {
        "timestamp": STAMP,
        "by": ADA,
        "message": None,
        "status_change": None,
        "priority_change": None,
        "assignee_change": None,
        "category_change": None,
        "due_date_change": None,
        "custom_field_change": None,
        "time_spent": None,
        "satisfaction_survey": None,
        "update_id": update_id,
    }
    return {**base, **fields}


@pytest.fixture
def sim(builder, start_sim):
    builder.ticket(1, created_at="2024-03-01 09:00:00")
    builder.ticket(2, created_at="2024-03-02 09:00:00", category=2, assignee=1)
    return start_sim(builder.build())


def test_staff_update_applies_every_field_and_appends_one_update(sim, api):
    client = api(sim)
    response = client.post(
        "ticket/1/staff_update/",
        json={
            "staff": 1,
            "plaintext": "Fixed it",
            "cc": "a@x.com",
            "status": 2,
            "priority": 3,
            "assignee": 2,
            "due_date": "20/03/2024",
            "time_spent": 15,
            "tags": "urgent, vip",
            "t-cf-1": "Widget",
        },
    )
    assert response.status_code == 200, response.text
    ticket = response.json()
    assert ticket["updates"][-1] == update(
        3,
        message=message(text="Fixed it", html="<p>Fixed it</p>", cc_list="a@x.com"),
        status_change={"old": 1, "new": 2, "old_name": "New", "new_name": "In Progress"},
        priority_change={"old": 2, "new": 3, "old_name": "Medium", "new_name": "High"},
        assignee_change={"old": None, "new": 2, "old_name": None, "new_name": "Grace Hopper"},
        due_date_change={"old": None, "new": "2024-03-20"},
        time_spent=15,
    )
    assert (ticket["status"]["name"], ticket["priority"]["name"], ticket["assigned_to"]["id"]) == ("In Progress", "High", 2)
    assert (ticket["due_date"], ticket["tags"], ticket["time_spent"]) == ("2024-03-20", "urgent,vip", 15)
    assert ticket["custom_fields"][0]["value"] == "Widget"
    assert (ticket["last_modified"], ticket["last_updated_at"], ticket["last_staff_reply_at"]) == (STAMP, STAMP, STAMP)
    assert (ticket["messages_count"], ticket["unresponded"]) == (2, False)
    detail = client.get("ticket/1/", params={"show_cf_changes": "true"}).json()
    assert detail["updates"][-1]["custom_field_change"] == [{"id": "1", "name": "Product", "from": "", "to": "Widget"}]


def test_assignee_null_unassigns(sim, api):
    ticket = api(sim).post("ticket/2/staff_update/", json={"staff": 1, "assignee": None}).json()
    assert ticket["assigned_to"] is None
    assert ticket["updates"][-1]["assignee_change"] == {"old": 1, "new": None, "old_name": "Ada Lovelace", "new_name": None}


def test_a_private_note_is_not_a_reply(sim, api):
    ticket = api(sim).post("ticket/1/staff_pvtnote/", json={"staff": 1, "html": "<b>internal</b>"}).json()
    assert ticket["updates"][-1] == update(3, message=message(text="internal", html="<b>internal</b>", message_type="p"))
    assert ticket["last_modified"] == STAMP
    assert ticket["last_updated_at"] == "2024-03-01 09:00:00"
    assert ticket["last_staff_reply_at"] is None
    assert (ticket["messages_count"], ticket["unresponded"]) == (2, True)


def test_a_contact_reply_moves_the_contact_reply_times(sim, api):
    ticket = api(sim).post("ticket/1/user_reply/", json={"user": 1, "text": "Any news?"}).json()
    assert ticket["updates"][-1] == update(3, by=JAMES, message=message(text="Any news?", html="<p>Any news?</p>"))
    assert (ticket["last_user_reply_at"], ticket["last_updated_at"], ticket["last_modified"]) == (STAMP, STAMP, STAMP)
    assert ticket["messages_count"] == 2


def test_update_tags_removes_then_adds_and_without_staff_is_a_system_update(sim, api):
    client = api(sim)
    client.post("ticket/1/update_tags/", json={"add": "a, b", "staff_id": 1})
    ticket = client.post("ticket/1/update_tags/", json={"add": "c", "remove": "a"}).json()
    assert ticket["tags"] == "b,c"
    assert ticket["updates"][-2] == update(3)
    assert ticket["updates"][-1] == {
        **{k: v for k, v in update(None).items() if k != "update_id"},
        "by": {"name": "The system", "email": "notifications@acme.test", "avatar": None},
    }


def test_update_custom_fields_stores_choice_labels_and_reports_the_change(sim, api):
    client = api(sim)
    response = client.post("ticket/1/update_custom_fields/", json={"staff": 1, "t-cf-2": 2, "t-cf-3": [10, 11]})
    fields = {f["id"]: (f["value"], f["value_id"]) for f in response.json()["custom_fields"]}
    assert fields[2] == ("Mumbai", 2)
    assert fields[3] == (["Web", "iOS"], [10, 11])
    detail = client.get("ticket/1/", params={"show_cf_changes": "true"}).json()
    assert detail["updates"][-1] == update(
        3,
        custom_field_change=[
            {"id": "2", "name": "City", "from": "", "to": "Mumbai"},
            {"id": "3", "name": "Platforms", "from": "", "to": "Web, iOS"},
        ],
    )


def test_move_changes_category_and_display_id_prefix(sim, api):
    client = api(sim)
    response = client.post("ticket/1/move/", json={"staff_id": 1, "target_category_id": 2, "assign_to": 2})
    assert response.json() == {"status_code": 200, "message": "moved ticket to Billing"}
    ticket = client.get("ticket/1/").json()
    assert (ticket["display_id"], ticket["category"]["id"], ticket["assigned_to"]["id"]) == ("#BIL00000001", 2, 2)
    assert ticket["updates"][-1]["category_change"] == {"old": 1, "new": 2, "old_name": "Support", "new_name": "Billing"}


def test_a_deleted_ticket_vanishes_from_lists_and_detail_404s(sim, api):
    client = api(sim)
    assert client.post("ticket/1/delete/", json={"staff_id": 1}).json() == {"deleted_ticket": "#SUP00000001"}
    listed = client.get("tickets/", params={"status": "_all"})
    assert ids(listed) == [2]
    assert listed.json()["page_info"]["last_index"] == 1
    assert client.get("ticket/1/").status_code == 404
    assert sim.store.deleted_tickets == {1: "#SUP00000001"}
    assert sim.store.contact(1)["tickets_count"] == 1


def test_a_write_bumps_last_modified_and_a_reply_moves_the_ticket_to_the_front(sim, api):
    client = api(sim)
    assert ids(client.get("tickets/", params={"status": "_all"})) == [2, 1]
    client.post("ticket/1/update_tags/", json={"add": "x", "staff_id": 1})
    assert ids(client.get("tickets/", params={"status": "_all"})) == [2, 1]
    assert ids(client.get("tickets/", params={"status": "_all", "sort": "last_modified_d"})) == [1, 2]
    client.post("ticket/1/staff_update/", json={"staff": 1, "plaintext": "hi"})
    assert ids(client.get("tickets/", params={"status": "_all"})) == [1, 2]


def test_create_ticket_for_a_new_contact(sim, api):
    client = api(sim)
    response = client.post(
        "tickets/",
        json={"subject": "Broken", "category": 1, "text": "It broke", "name": "Zoe", "email": "zoe@new.test", "t-cf-1": "Gizmo"},
    )
    ticket = response.json()
    assert (ticket["id"], ticket["display_id"], ticket["status"]["name"], ticket["priority"]["name"]) == (
        3, "#SUP00000003", "New", "Medium",
    )
    assert (ticket["user"]["id"], ticket["user"]["name"], ticket["user"]["email"]) == (4, "Zoe", "zoe@new.test")
    assert (ticket["created_at"], ticket["last_modified"], ticket["first_message"]) == (STAMP, STAMP, "It broke")
    assert ticket["updates"][0]["by"] == {"id": 4, "name": "Zoe", "email": "zoe@new.test", "type": "user"}
    assert client.get("user/zoe@new.test/").json()["tickets_count"] == 1


def test_batch_create_reports_success_and_errors_per_item(sim, api):
    body = [
        {"subject": "One", "category": 1, "text": "x", "client": 2},
        {"subject": "Two", "text": "x", "client": 2},
    ]
    assert api(sim).post("tickets/", json=body).json() == [
        {"display_id": "#SUP00000003", "id": 3, "success": True},
        {"success": False, "error": [{"field": "category", "errors": ["This field is required."]}]},
    ]


def test_validation_errors_use_the_documented_shapes(sim, api):
    client = api(sim)
    no_staff = client.post("ticket/1/staff_update/", json={"plaintext": "x"})
    assert (no_staff.status_code, no_staff.json()) == (400, {"error": {"staff": "This field is required."}})
    no_category = client.post("tickets/", json={"subject": "x", "text": "y", "client": 1})
    assert no_category.json() == {"error": [{"field": "category", "errors": ["This field is required."]}]}
    closing = client.post("ticket/2/staff_update/", json={"staff": 1, "status": 4})
    assert closing.json() == {
        "error": {"t-cf-4": "This field should be filled before marking this ticket as completed"}
    }
    assert client.post("ticket/2/staff_update/", json={"staff": 1, "status": 4, "t-cf-4": "Bug"}).status_code == 200


def test_writes_to_an_unknown_ticket_are_404(sim, api):
    assert api(sim).post("ticket/99/staff_update/", json={"staff": 1}).status_code == 404


def test_form_encoded_bodies_are_accepted(sim, api):
    response = api(sim).post("ticket/1/staff_update/", data={"staff": "1", "status": "3", "plaintext": "form"})
    assert response.status_code == 200
    assert response.json()["status"]["name"] == "On Hold"


def test_store_methods_are_the_same_writes_as_the_endpoints(sim, api):
    sim.store.staff_update(1, staff=1, plaintext="from python")
    ticket = api(sim).get("ticket/1/").json()
    assert ticket["updates"][-1] == update(3, message=message(text="from python", html="<p>from python</p>"))


def test_contacts_are_created_updated_when_matched_by_email_and_edited(sim, api):
    client = api(sim)
    created = client.post("users/", json={"name": "Ann", "email": "ann@x.test", "phone": "+44 1"}).json()
    assert (created["id"], created["primary_phone"]["number"], created["created_at"]) == (4, "+44 1", STAMP)
    matched = client.post("users/", json={"name": "Ann B", "email": "ANN@x.test"}).json()
    assert (matched["id"], matched["name"]) == (4, "Ann B")
    edited = client.post("user/4/", json={"c-cf-1": "Acme"}).json()
    assert edited["custom_fields"][0]["value"] == "Acme"
    assert client.post("users/", json={"email": "nobody@x.test"}).json() == {
        "error": [{"field": "name", "errors": ["This field is required."]}]
    }


def test_chunked_request_bodies_are_read(sim, api):
    def body():
        yield b'{"staff": 1, '
        yield b'"plaintext": "in chunks"}'

    response = api(sim).post("ticket/1/staff_pvtnote/", content=body(), headers={"Content-Type": "application/json"})
    assert response.request.headers["Transfer-Encoding"] == "chunked"
    assert response.json()["updates"][-1]["message"]["text"] == "in chunks"
