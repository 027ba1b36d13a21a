"""The ``q`` search of ``tickets/``: day-granular date terms in the search zone, field terms, errors."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.simulator.sim_helpdesk import HelpdeskBuilder, ids

# Four tickets around the 2024-03-05 boundary (UTC); search results come id descending
# because their last_updated_at ties (all 2024-03-01 09:00:00).
BOUNDARY = {
    1: "2024-03-04 12:00:00",
    2: "2024-03-05 00:00:00",
    3: "2024-03-05 23:59:59",
    4: "2024-03-06 00:00:00",
}

# operator -> ids matching date 2024/03/05, per search zone
EXPECTED = {
    "UTC": {"on": [3, 2], "on-or-before": [3, 2, 1], "before": [1], "on-or-after": [4, 3, 2], "after": [4]},
    # PST (UTC-8): the local 5th is 08:00 on the 5th .. 08:00 on the 6th, UTC.
    "America/Los_Angeles": {"on": [4, 3], "on-or-before": [4, 3, 2, 1], "before": [2, 1], "on-or-after": [4, 3], "after": []},
    # UTC+14: the local 5th is 10:00 on the 4th .. 10:00 on the 5th, UTC.
    "Pacific/Kiritimati": {"on": [2, 1], "on-or-before": [2, 1], "before": [], "on-or-after": [4, 3, 2, 1], "after": [4, 3]},
}

DATE_FIELDS = {
    "last-modified": "last_modified",
    "created": "created_at",
    "last-staff-replied": "last_staff_reply_at",
    "last-contact-replied": "last_user_reply_at",
}


def boundary_helpdesk(column: str):
    builder = HelpdeskBuilder()
    for ticket_id, stamp in BOUNDARY.items():
        fields = {"last_updated_at": "2024-03-01 09:00:00", column: stamp}
        if column == "created_at":
            fields["last_user_reply_at"] = "2024-03-01 09:00:00"
        builder.ticket(ticket_id, **fields)
    return builder.build()


def search(client, q: str, **params):
    return client.get("tickets/", params={"status": "_all", "size": 50, "q": q, **params})


@pytest.mark.parametrize("zone", sorted(EXPECTED))
@pytest.mark.parametrize("operator", ["on", "on-or-before", "before", "on-or-after", "after"])
def test_last_modified_terms_cut_days_in_the_search_zone(zone, operator, start_sim, api):
    client = api(start_sim(boundary_helpdesk("last_modified"), search_timezone=zone))
    assert ids(search(client, f'last-modified-{operator}:"2024/03/05"')) == EXPECTED[zone][operator]


def test_a_ticket_modified_at_235959_is_on_or_before_that_day_but_not_before_it(start_sim, api):
    client = api(start_sim(boundary_helpdesk("last_modified")))
    assert 3 in ids(search(client, 'last-modified-on-or-before:"2024/03/05"'))
    assert 3 not in ids(search(client, 'last-modified-before:"2024/03/05"'))


@pytest.mark.parametrize("term", sorted(DATE_FIELDS))
def test_every_date_family_compares_its_own_timestamp_by_utc_day(term, start_sim, api):
    client = api(start_sim(boundary_helpdesk(DATE_FIELDS[term])))
    assert ids(search(client, f'{term}-on:"2024/03/05"')) == [3, 2]
    assert ids(search(client, f'{term}-after:"2024/03/05"')) == [4]


def test_tickets_without_a_staff_reply_never_match_staff_reply_terms(builder, start_sim, api):
    builder.ticket(1, last_staff_reply_at="2024-03-02 10:00:00")
    builder.ticket(2, last_staff_reply_at=None)
    client = api(start_sim(builder.build()))
    assert ids(search(client, 'last-staff-replied-before:"2024/03/09"')) == [1]


def test_last_closed_terms_use_the_time_the_ticket_entered_a_completed_status(builder, start_sim, api):
    builder.ticket(1)
    builder.ticket(2)
    sim = start_sim(builder.build(), clock=lambda: datetime(2024, 3, 7, 10, 0, 0))
    sim.store.staff_update(1, staff=1, status=4)
    client = api(sim)
    assert ids(search(client, 'last-closed-on-or-after:"2024/03/07"')) == [1]
    assert ids(search(client, 'last-closed-on-or-before:"2024/03/06"')) == []
    assert ids(search(client, 'last-closed-on-or-before:"2024/03/07"')) == [1]


def test_status_names_in_quotes_with_spaces_and_commas(builder, start_sim, api):
    builder.ticket(1, status="New")
    builder.ticket(2, status="In Progress")
    builder.ticket(3, status="Closed")
    client = api(start_sim(builder.build()))
    assert ids(search(client, 'status:"In Progress","New"')) == [2, 1]
    assert ids(search(client, 'status:"closed"')) == [3]


def test_terms_joined_with_a_literal_plus_are_combined(builder, start_sim, api):
    builder.ticket(1, status="New", tags="routine_checks")
    builder.ticket(2, status="In Progress", tags="routine_checks")
    builder.ticket(3, status="In Progress")
    client = api(start_sim(builder.build()))
    response = client.get('tickets/?status=_all&q=tag:"routine_checks"+status:"In+Progress","Closed"')
    assert ids(response) == [2]


def test_tag_matches_any_given_tag_case_sensitively(builder, start_sim, api):
    builder.ticket(1, tags="vip,billing")
    builder.ticket(2, tags="VIP")
    builder.ticket(3, tags="other")
    client = api(start_sim(builder.build()))
    assert ids(search(client, 'tag:"vip"')) == [1]
    assert ids(search(client, 'tag:"VIP","other"')) == [3, 2]


def test_id_term_takes_numbers_and_display_ids_without_hash(builder, start_sim, api):
    for ticket_id in (1, 2, 3):
        builder.ticket(ticket_id, category=2 if ticket_id == 3 else 1)
    client = api(start_sim(builder.build()))
    assert ids(search(client, "id:1,BIL00000003")) == [3, 1]


def test_priority_names(builder, start_sim, api):
    builder.ticket(1, priority="High")
    builder.ticket(2, priority="Low")
    client = api(start_sim(builder.build()))
    assert ids(search(client, 'priority:"HIGH"')) == [1]


def test_contact_and_custom_field_terms(builder, start_sim, api):
    builder.ticket(1, contact=1, product="Widget")
    builder.ticket(2, contact=2, product="Gadget")
    client = api(start_sim(builder.build()))
    assert ids(search(client, 'contact:"mia@example"')) == [2]
    assert ids(search(client, '"Product":"widget"')) == [1]


def test_unknown_search_field_is_a_keyed_400(start_sim, api, builder):
    client = api(start_sim(builder.build()))
    response = search(client, 'colour:"red"')
    assert response.status_code == 400
    assert response.json() == {"error": {"q": "Unknown search field 'colour'."}}


@pytest.mark.parametrize("q", ['last-modified-on-or-after:"2024-03-05"', 'last-closed-on:"2024/03/05"'])
def test_badly_formed_or_undocumented_date_terms_are_400(q, start_sim, api, builder):
    client = api(start_sim(builder.build()))
    response = search(client, q)
    assert response.status_code == 400
    assert list(response.json()["error"]) == ["q"]


def test_alternating_tie_order_reverses_tied_tickets_on_every_second_request_of_a_query(start_sim, api):
    builder = HelpdeskBuilder()
    for ticket_id in (1, 2, 3):
        builder.ticket(ticket_id, last_updated_at="2024-03-01 09:00:00", last_modified="2024-03-01 09:00:00")
    builder.ticket(4, last_updated_at="2024-03-02 09:00:00", last_modified="2024-03-02 09:00:00")
    client = api(start_sim(builder.build(), search_tie_order="alternating"))
    params = {"status": "_all", "q": 'last-modified-on-or-after:"2024/01/01"'}
    orders = [ids(client.get("tickets/", params=params)) for _ in range(3)]
    assert orders == [[4, 3, 2, 1], [4, 1, 2, 3], [4, 3, 2, 1]]
    assert ids(client.get("tickets/", params={"status": "_all"})) == [4, 3, 2, 1]  # no q: ties by id, always
