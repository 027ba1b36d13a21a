"""The seeded helpdesk generator: determinism, API shapes, history consistency, realism."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from happyfox_simulator.generator import generate_helpdesk
from happyfox_simulator.model import Helpdesk, parse_timestamp

NOW = datetime(2025, 6, 1, 12, 0)
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

UPDATE_KEYS = {
    "timestamp", "by", "message", "status_change", "priority_change", "assignee_change", "category_change",
    "due_date_change", "custom_field_change", "time_spent", "satisfaction_survey",
}
MESSAGE_KEYS = {"text", "html", "subject", "cc_list", "bcc_list", "attachments", "customer_updated",
                "forward_list", "message_type"}
TICKET_KEYS = {
    "id", "display_id", "subject", "status", "priority", "category", "user", "assigned_to", "custom_fields", "tags",
    "due_date", "created_at", "last_modified", "last_updated_at", "last_user_reply_at", "last_staff_reply_at",
    "messages_count", "attachments_count", "time_spent", "sla_breaches", "unresponded", "source",
    "merged_tickets", "merged_to", "visible_only_staff", "subscribers", "first_message", "updates",
}
CF_DEFINITION_KEYS = {"id", "name", "type", "required", "compulsory_on_completed", "choices", "categories",
                      "visible_to_staff_only", "depends_on_choice", "compulsory_on_move"}


@pytest.fixture(scope="module")
def desk() -> Helpdesk:
    return generate_helpdesk(400, seed=7, now=NOW)


def _dump(helpdesk: Helpdesk) -> str:
    return json.dumps(
        [helpdesk.now.isoformat(), helpdesk.categories, helpdesk.category_prefixes, helpdesk.statuses,
         helpdesk.priorities, helpdesk.staff, helpdesk.contact_groups, helpdesk.ticket_custom_fields,
         helpdesk.user_custom_fields, helpdesk.contacts, helpdesk.tickets, helpdesk.next_update_id,
         helpdesk.next_attachment_id],
        ensure_ascii=False, sort_keys=False,
    )


def _updates(desk: Helpdesk):
    for ticket in desk.tickets:
        for update in ticket["updates"]:
            yield ticket, update


def _is_system(update: dict) -> bool:
    return update["by"].get("name") == "The system" and "type" not in update["by"]


def _cf_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


# -- determinism and sizes ---------------------------------------------------------------


def test_same_arguments_give_identical_output():
    assert _dump(generate_helpdesk(150, seed=3, now=NOW)) == _dump(generate_helpdesk(150, seed=3, now=NOW))


def test_same_arguments_with_contacts_give_identical_output():
    first = generate_helpdesk(60, seed=3, now=NOW, contacts=200)
    assert _dump(first) == _dump(generate_helpdesk(60, seed=3, now=NOW, contacts=200))


def test_output_does_not_depend_on_hash_randomisation():
    script = ("import hashlib, sys; from datetime import datetime; sys.path.insert(0, {tests!r});"
              "from test_generator import _dump; from happyfox_simulator.generator import generate_helpdesk;"
              "print(hashlib.sha256(_dump(generate_helpdesk(80, seed=5, now=datetime(2025, 6, 1))).encode()).hexdigest())"
              ).format(tests=os.path.dirname(__file__))
    digests = set()
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        digests.add(run.stdout.strip())
    assert len(digests) == 1


def test_different_seed_gives_different_output():
    assert _dump(generate_helpdesk(150, seed=3, now=NOW)) != _dump(generate_helpdesk(150, seed=4, now=NOW))


def test_single_ticket_helpdesk():
    desk = generate_helpdesk(1, seed=0, now=NOW)
    assert [t["id"] for t in desk.tickets] == [1]
    assert len(desk.contacts) == 1
    assert desk.contacts[0]["tickets_count"] == 1
    assert desk.tickets[0]["user"] is desk.contacts[0]


def test_thousand_tickets_have_ids_one_to_n():
    desk = generate_helpdesk(1000, seed=1, now=NOW)
    assert [t["id"] for t in desk.tickets] == list(range(1, 1001))


def test_contacts_argument_sets_the_contact_count():
    assert len(generate_helpdesk(50, seed=1, now=NOW, contacts=80).contacts) == 80


def test_now_with_seconds_bounds_every_timestamp():
    now = datetime(2025, 6, 1, 12, 0, 30, 900_000)
    desk = generate_helpdesk(120, seed=9, now=now)
    assert max(t["last_modified"] for t in desk.tickets) <= "2025-06-01 12:00:30"


def test_zero_tickets_is_rejected():
    with pytest.raises(ValueError):
        generate_helpdesk(0)


def test_default_now_is_current_minute():
    before = datetime.now(timezone.utc).replace(tzinfo=None, second=0, microsecond=0)
    desk = generate_helpdesk(2, seed=0)
    assert before <= desk.now <= before + timedelta(minutes=1)
    assert desk.now.second == 0 and desk.now.microsecond == 0


def test_now_is_kept_on_the_helpdesk(desk):
    assert desk.now == NOW


# -- reference lists -----------------------------------------------------------------------


def test_categories_have_the_reference_shape(desk):
    assert 4 <= len(desk.categories) <= 6
    for category in desk.categories:
        assert set(category) == {"id", "name", "description", "public", "prepopulate_cc", "time_spent_mandatory"}
    assert set(desk.category_prefixes) == {c["id"] for c in desk.categories}


def test_statuses_have_pending_and_completed_behaviours(desk):
    assert {s["behavior"] for s in desk.statuses} == {"pending", "completed"}
    assert [s["default"] for s in desk.statuses].count(True) == 1
    for status in desk.statuses:
        assert set(status) == {"id", "name", "color", "order", "default", "behavior"}


def test_priorities_have_the_reference_shape(desk):
    assert [p["default"] for p in desk.priorities].count(True) == 1
    for priority in desk.priorities:
        assert set(priority) == {"id", "name", "order", "default"}


def test_staff_have_the_reference_shape_and_some_are_inactive(desk):
    for member in desk.staff:
        assert set(member) == {"id", "name", "email", "active", "is_account_admin", "role", "categories",
                               "permissions"}
        assert set(member["role"]) == {"id", "name"}
    assert any(not m["active"] for m in desk.staff)
    assert any(m["is_account_admin"] for m in desk.staff)


def test_contact_groups_have_the_reference_shape(desk):
    for group in desk.contact_groups:
        assert set(group) == {"id", "name", "description", "tagged_domains"}
    assert any(g["tagged_domains"] for g in desk.contact_groups)


def test_custom_field_definitions_cover_every_type(desk):
    for fields in (desk.ticket_custom_fields, desk.user_custom_fields):
        assert {f["type"] for f in fields} == {"text", "number", "date", "choice", "multiple_choice"}
        for definition in fields:
            assert set(definition) == CF_DEFINITION_KEYS
            if definition["type"] in ("choice", "multiple_choice"):
                for choice in definition["choices"]:
                    assert set(choice) == {"id", "text", "dependant_fields"}
            else:
                assert definition["choices"] is None


def test_ticket_custom_fields_have_categories_and_a_dependant_field(desk):
    assert all(f["categories"] for f in desk.ticket_custom_fields)
    dependant = [f for f in desk.ticket_custom_fields if f["depends_on_choice"] is not None]
    assert dependant
    choices = {c["id"]: c for f in desk.ticket_custom_fields for c in f["choices"] or []}
    for field in dependant:
        assert field["id"] in choices[field["depends_on_choice"]]["dependant_fields"]


# -- contacts -------------------------------------------------------------------------------


def test_contacts_have_the_api_shape(desk):
    for contact in desk.contacts:
        assert set(contact) == {"id", "name", "email", "phones", "primary_phone", "contact_groups",
                                "custom_fields", "tickets_count", "pending_tickets_count", "created_at",
                                "updated_at"}
        for group in contact["contact_groups"]:
            assert set(group) == {"id", "name", "description", "tagged_domains", "access_all_tickets_in_group"}
        for field in contact["custom_fields"]:
            assert {"id", "name", "value", "value_id", "type"} <= set(field)


def test_contact_ticket_counts_match_the_tickets(desk):
    total, pending = Counter(), Counter()
    for ticket in desk.tickets:
        total[ticket["user"]["id"]] += 1
        if ticket["status"]["behavior"] == "pending":
            pending[ticket["user"]["id"]] += 1
    for contact in desk.contacts:
        assert contact["tickets_count"] == total[contact["id"]]
        assert contact["pending_tickets_count"] == pending[contact["id"]]


def test_some_contacts_have_pending_tickets(desk):
    assert any(c["pending_tickets_count"] for c in desk.contacts)


def test_contact_ids_are_unique_and_sequential(desk):
    assert [c["id"] for c in desk.contacts] == list(range(1, len(desk.contacts) + 1))


def test_contact_emails_are_unique(desk):
    emails = [c["email"].lower() for c in desk.contacts if c["email"]]
    assert len(emails) == len(set(emails))


def test_some_contacts_have_no_email(desk):
    assert any(c["email"] is None for c in desk.contacts)


def test_some_contacts_have_null_timestamps(desk):
    assert any(c["created_at"] is None for c in desk.contacts)
    assert any(c["created_at"] is not None and c["updated_at"] is None for c in desk.contacts)


def test_contacts_are_created_before_their_first_ticket(desk):
    first: dict[int, str] = {}
    for ticket in desk.tickets:
        first.setdefault(ticket["user"]["id"], ticket["created_at"])
    for contact in desk.contacts:
        if contact["created_at"] is not None and contact["id"] in first:
            assert contact["created_at"] <= first[contact["id"]]
        if contact["created_at"] is not None and contact["updated_at"] is not None:
            assert contact["created_at"] <= contact["updated_at"] <= "2025-06-01 12:00:00"


def test_contacts_have_unicode_and_emoji_names(desk):
    names = [c["name"] for c in desk.contacts]
    assert any(any(ord(ch) > 0x2000 and ch.isalpha() for ch in n) for n in names)  # CJK, Hangul...
    assert any(any(ord(ch) >= 0x1F300 for ch in n) for n in names)  # emoji


def test_contacts_have_groups_phones_and_custom_values(desk):
    assert any(c["contact_groups"] for c in desk.contacts)
    assert any(c["phones"] and c["primary_phone"] is c["phones"][0] for c in desk.contacts)
    assert any(c["primary_phone"] is None for c in desk.contacts)
    values = {f["type"] for c in desk.contacts for f in c["custom_fields"] if f["value"] is not None}
    assert values == {"text", "number", "date", "choice", "multiple_choice"}


def test_some_contacts_have_no_ticket(desk):
    assert any(c["tickets_count"] == 0 for c in desk.contacts)


# -- tickets: shape and references ------------------------------------------------------------


def test_tickets_have_every_documented_field(desk):
    for ticket in desk.tickets:
        assert set(ticket) == TICKET_KEYS


def test_tickets_reference_the_very_reference_objects(desk):
    statuses = {id(s) for s in desk.statuses}
    priorities = {id(p) for p in desk.priorities}
    categories = {id(c) for c in desk.categories}
    staff = {id(s) for s in desk.staff}
    contacts = {id(c) for c in desk.contacts}
    for ticket in desk.tickets:
        assert id(ticket["status"]) in statuses
        assert id(ticket["priority"]) in priorities
        assert id(ticket["category"]) in categories
        assert id(ticket["user"]) in contacts
        assert ticket["assigned_to"] is None or id(ticket["assigned_to"]) in staff


def test_display_id_uses_the_final_category_prefix(desk):
    for ticket in desk.tickets:
        prefix = desk.category_prefixes[ticket["category"]["id"]]
        assert ticket["display_id"] == f"#{prefix}{ticket['id']:08d}"


def test_tickets_are_created_in_id_order(desk):
    created = [t["created_at"] for t in desk.tickets]
    assert created == sorted(created)


def test_tags_are_one_comma_separated_string(desk):
    tags = [t["tags"] for t in desk.tickets]
    assert all(isinstance(t, str) and " ," not in t and not t.startswith(",") for t in tags)
    assert "" in tags
    assert any("," in t for t in tags)


def test_ticket_custom_fields_list_the_category_fields(desk):
    for ticket in desk.tickets:
        cat = ticket["category"]["id"]
        expected = sorted(
            (next(c["order"] for c in f["categories"] if c["category"] == cat), f["id"])
            for f in desk.ticket_custom_fields if any(c["category"] == cat for c in f["categories"])
        )
        assert [f["id"] for f in ticket["custom_fields"]] == [fid for _, fid in expected]


def test_custom_field_values_match_their_choices(desk):
    choices = {f["id"]: {c["id"]: c["text"] for c in f["choices"] or []} for f in desk.ticket_custom_fields}
    for ticket in desk.tickets:
        for field in ticket["custom_fields"]:
            if field["value"] is None:
                assert field["value_id"] is None
            elif field["type"] == "choice":
                assert choices[field["id"]][field["value_id"]] == field["value"]
            elif field["type"] == "multiple_choice":
                assert [choices[field["id"]][i] for i in field["value_id"]] == field["value"]
            elif field["type"] == "number":
                assert isinstance(field["value"], int)
            elif field["type"] == "date":
                assert DATE_RE.match(field["value"])


# -- updates: shape ----------------------------------------------------------------------------


def test_updates_have_the_documented_keys(desk):
    for _, update in _updates(desk):
        if _is_system(update):
            assert set(update) == UPDATE_KEYS
        else:
            assert set(update) == UPDATE_KEYS | {"update_id"}
            assert set(update["by"]) == {"id", "name", "email", "type"}
            assert update["by"]["type"] in ("staff", "user")
        if update["message"] is not None:
            assert set(update["message"]) == MESSAGE_KEYS


def test_system_updates_have_no_update_id_and_a_system_author(desk):
    system = [u for _, u in _updates(desk) if _is_system(u)]
    assert system
    for update in system:
        assert "update_id" not in update
        assert set(update["by"]) == {"name", "email", "avatar"}
        assert update["by"]["avatar"] is None


def test_update_ids_are_unique_and_increase_with_time(desk):
    numbered = sorted((u["update_id"], u["timestamp"]) for _, u in _updates(desk) if "update_id" in u)
    ids = [i for i, _ in numbered]
    assert ids == list(range(1, len(ids) + 1))
    stamps = [ts for _, ts in numbered]
    assert stamps == sorted(stamps)
    assert desk.next_update_id == len(ids) + 1


def test_attachment_ids_are_unique_and_next_id_is_past_them(desk):
    ids = [a["id"] for _, u in _updates(desk) if u["message"] for a in u["message"]["attachments"]]
    assert ids and sorted(ids) == list(range(1, len(ids) + 1))
    assert desk.next_attachment_id == len(ids) + 1


def test_attachments_have_id_filename_and_https_url(desk):
    for _, update in _updates(desk):
        if update["message"]:
            for attachment in update["message"]["attachments"]:
                assert set(attachment) == {"id", "filename", "url"}
                assert attachment["url"].startswith("https://")


# -- timestamps --------------------------------------------------------------------------------


def test_timestamps_have_the_api_format(desk):
    for ticket in desk.tickets:
        for key in ("created_at", "last_modified", "last_updated_at", "last_user_reply_at"):
            assert TS_RE.match(ticket[key])
        assert ticket["last_staff_reply_at"] is None or TS_RE.match(ticket["last_staff_reply_at"])
        assert ticket["due_date"] is None or DATE_RE.match(ticket["due_date"])
        for update in ticket["updates"]:
            assert TS_RE.match(update["timestamp"])


def test_updates_are_chronological_between_creation_and_last_modified(desk):
    now = "2025-06-01 12:00:00"
    for ticket in desk.tickets:
        stamps = [u["timestamp"] for u in ticket["updates"]]
        assert stamps == sorted(stamps)
        assert ticket["created_at"] == stamps[0]
        assert ticket["last_modified"] == stamps[-1] <= now
        for key in ("last_updated_at", "last_user_reply_at", "last_staff_reply_at"):
            assert ticket[key] is None or ticket["created_at"] <= ticket[key] <= ticket["last_modified"]


def test_recent_tickets_are_spread_before_now(desk):
    first = parse_timestamp(desk.tickets[0]["created_at"])
    assert timedelta(days=30) < NOW - first < timedelta(days=150)


def test_history_length_grows_with_the_ticket_count():
    small = generate_helpdesk(20, seed=2, now=NOW)
    large = generate_helpdesk(1000, seed=2, now=NOW)
    small_span = NOW - parse_timestamp(small.tickets[0]["created_at"])
    large_span = NOW - parse_timestamp(large.tickets[0]["created_at"])
    assert timedelta(days=5) < small_span < timedelta(days=25)
    assert timedelta(days=120) < large_span < timedelta(days=150)


def test_recent_days_see_modifications(desk):
    recent = [t for t in desk.tickets if t["last_modified"] >= "2025-05-31 12:00:00"]
    assert 2 <= len(recent) <= 40


# -- history consistency ------------------------------------------------------------------------


def _chain(desk, key, initial, current):
    """Check each ticket's ``key`` changes chain from ``initial(ticket)`` to ``current(ticket)``."""
    changed = 0
    for ticket in desk.tickets:
        value = initial(ticket)
        for update in ticket["updates"]:
            change = update[key]
            if change is not None:
                assert change["old"] == value, (ticket["id"], key)
                assert change["new"] != change["old"]
                value = change["new"]
                changed += 1
        if initial(ticket) is not None or changed:
            assert value == current(ticket), (ticket["id"], key)
    assert changed


def test_status_history_is_consistent(desk):
    default = next(s["id"] for s in desk.statuses if s["default"])
    names = {s["id"]: s["name"] for s in desk.statuses}
    _chain(desk, "status_change", lambda t: default, lambda t: t["status"]["id"])
    for _, update in _updates(desk):
        if update["status_change"]:
            change = update["status_change"]
            assert (names[change["old"]], names[change["new"]]) == (change["old_name"], change["new_name"])


def test_priority_history_is_consistent(desk):
    for ticket in desk.tickets:
        changes = [u["priority_change"] for u in ticket["updates"] if u["priority_change"]]
        for before, after in zip(changes, changes[1:]):
            assert after["old"] == before["new"]
        if changes:
            assert ticket["priority"]["id"] == changes[-1]["new"]
    assert any(u["priority_change"] for _, u in _updates(desk))


def test_assignee_history_is_consistent(desk):
    names = {s["id"]: s["name"] for s in desk.staff}
    for ticket in desk.tickets:
        current = None
        for update in ticket["updates"]:
            change = update["assignee_change"]
            if change:
                assert change["old"] == current
                assert change["old_name"] == names.get(change["old"])
                assert change["new_name"] == names.get(change["new"])
                current = change["new"]
        assert (ticket["assigned_to"] or {}).get("id") == current


def test_category_history_is_consistent(desk):
    for ticket in desk.tickets:
        changes = [u["category_change"] for u in ticket["updates"] if u["category_change"]]
        for before, after in zip(changes, changes[1:]):
            assert after["old"] == before["new"]
        if changes:
            assert ticket["category"]["id"] == changes[-1]["new"]


def test_due_date_history_is_consistent(desk):
    for ticket in desk.tickets:
        current = None
        for update in ticket["updates"]:
            change = update["due_date_change"]
            if change:
                assert set(change) == {"old", "new"}
                assert change["old"] == current
                current = change["new"]
        assert ticket["due_date"] == current


def test_custom_field_values_match_the_change_history(desk):
    for ticket in desk.tickets:
        last: dict[str, str] = {}
        for update in ticket["updates"]:
            for change in update["custom_field_change"] or []:
                assert set(change) == {"id", "name", "from", "to"}
                assert isinstance(change["id"], str)
                assert change["from"] == last.get(change["id"], "")
                last[change["id"]] = change["to"]
        for field in ticket["custom_fields"]:
            assert _cf_text(field["value"]) == last.get(str(field["id"]), "")


def test_derived_reply_fields_match_the_history(desk):
    for ticket in desk.tickets:
        updates = ticket["updates"]
        user = [u["timestamp"] for u in updates[1:] if u["message"] and u["by"].get("type") == "user"]
        staff = [u["timestamp"] for u in updates[1:]
                 if u["message"] and u["by"].get("type") == "staff" and u["message"]["message_type"] is None]
        assert ticket["last_user_reply_at"] == (user[-1] if user else ticket["created_at"])
        assert ticket["last_staff_reply_at"] == (staff[-1] if staff else None)
        assert ticket["last_updated_at"] == max(ticket["last_user_reply_at"], ticket["last_staff_reply_at"] or "")
        assert ticket["unresponded"] == (not staff)


def test_counts_and_time_spent_match_the_history(desk):
    for ticket in desk.tickets:
        messages = [u["message"] for u in ticket["updates"] if u["message"]]
        assert ticket["messages_count"] == len(messages)
        assert ticket["attachments_count"] == sum(len(m["attachments"]) for m in messages)
        spent = [u["time_spent"] for u in ticket["updates"] if u["time_spent"]]
        assert ticket["time_spent"] == (sum(spent) if spent else None)
        assert ticket["first_message"] == ticket["updates"][0]["message"]["text"]


def test_staff_only_act_while_employed(desk):
    staff = {s["id"]: s for s in desk.staff}
    inactive_last = {}
    for _, update in _updates(desk):
        if update["by"].get("type") == "staff" and not staff[update["by"]["id"]]["active"]:
            inactive_last[update["by"]["id"]] = max(inactive_last.get(update["by"]["id"], ""), update["timestamp"])
    # Whoever left did so before the end: their last action is not in the final days.
    assert all(ts < "2025-05-31 12:00:00" for ts in inactive_last.values())


# -- realism: each feature occurs -------------------------------------------------------------


def test_private_notes_occur(desk):
    assert any(u["message"] and u["message"]["message_type"] == "p" for _, u in _updates(desk))


def test_staff_replies_and_contact_replies_occur(desk):
    kinds = Counter(u["by"].get("type") for t in desk.tickets for u in t["updates"][1:] if u["message"])
    assert kinds["staff"] and kinds["user"]


def test_reopenings_occur(desk):
    behavior = {s["id"]: s["behavior"] for s in desk.statuses}
    assert any(u["status_change"] and behavior[u["status_change"]["old"]] == "completed"
               and behavior[u["status_change"]["new"]] == "pending" for _, u in _updates(desk))


def test_unassignments_occur(desk):
    assert any(u["assignee_change"] and u["assignee_change"]["old"] is not None
               and u["assignee_change"]["new"] is None for _, u in _updates(desk))


def test_category_moves_occur(desk):
    assert any(u["category_change"] for _, u in _updates(desk))


def test_due_date_changes_occur(desk):
    changes = [u["due_date_change"] for _, u in _updates(desk) if u["due_date_change"]]
    assert any(c["old"] is None for c in changes)
    assert any(c["old"] is not None and c["new"] is not None for c in changes)
    assert any(c["new"] is None for c in changes)


def test_custom_field_changes_occur_for_every_type(desk):
    types = {f["id"]: f["type"] for f in desk.ticket_custom_fields}
    changed = {types[int(c["id"])] for _, u in _updates(desk) for c in u["custom_field_change"] or []}
    assert changed == {"text", "number", "date", "choice", "multiple_choice"}


def test_time_spent_occurs(desk):
    assert any(t["time_spent"] for t in desk.tickets)


def test_satisfaction_surveys_occur_with_the_chosen_shape(desk):
    surveys = [u for _, u in _updates(desk) if u["satisfaction_survey"]]
    assert surveys
    for update in surveys:
        survey = update["satisfaction_survey"]
        assert set(survey) == {"rating", "comment"}
        assert survey["rating"] in (1, 2, 3, 4, 5)
        assert update["by"]["type"] == "user" and update["message"] is None
    assert any(u["satisfaction_survey"]["comment"] is None for u in surveys)
    assert any(u["satisfaction_survey"]["comment"] for u in surveys)


def test_attachments_occur(desk):
    assert any(t["attachments_count"] for t in desk.tickets)


def test_html_bodies_and_large_bodies_occur(desk):
    messages = [u["message"] for _, u in _updates(desk) if u["message"]]
    assert any("<ul>" in m["html"] or "<table" in m["html"] or "<img" in m["html"] for m in messages)
    assert any(len(m["text"]) >= 45_000 for m in messages)


def test_merged_tickets_are_consistent(desk):
    by_id = {t["id"]: t for t in desk.tickets}
    merged = [t for t in desk.tickets if t["merged_to"] is not None]
    assert merged
    for ticket in merged:
        primary = by_id[ticket["merged_to"]]
        assert ticket["id"] in primary["merged_tickets"]
        assert primary["user"] is ticket["user"]
        assert ticket["status"]["behavior"] == "completed"
    for ticket in desk.tickets:
        for child in ticket["merged_tickets"]:
            assert by_id[child]["merged_to"] == ticket["id"]


def test_open_and_closed_tickets_both_exist(desk):
    behaviours = Counter(t["status"]["behavior"] for t in desk.tickets)
    assert behaviours["pending"] and behaviours["completed"]
    assert any(t["assigned_to"] is None for t in desk.tickets)


def test_tickets_assigned_to_inactive_staff_exist():
    desk = generate_helpdesk(1000, seed=1, now=NOW)
    assert any(t["assigned_to"] and not t["assigned_to"]["active"] for t in desk.tickets)


def test_old_tickets_are_modified_recently(desk):
    old_but_recent = [t for t in desk.tickets
                      if parse_timestamp(t["last_modified"]) - parse_timestamp(t["created_at"]) > timedelta(days=15)]
    assert old_but_recent


def test_forwards_and_cc_lists_occur(desk):
    messages = [u["message"] for _, u in _updates(desk) if u["message"]]
    assert any(m["forward_list"] for m in messages)
    assert any(m["cc_list"] for m in messages)


def test_sla_breaches_and_sources_vary(desk):
    assert {t["sla_breaches"] for t in desk.tickets} >= {0, 1}
    assert len({t["source"] for t in desk.tickets}) >= 4


def test_dependant_field_is_only_set_while_its_parent_choice_is_picked(desk):
    dependant = {str(f["id"]): f["depends_on_choice"] for f in desk.ticket_custom_fields if f["depends_on_choice"]}
    choice_text = {c["id"]: c["text"] for f in desk.ticket_custom_fields for c in f["choices"] or []}
    set_count = 0
    for ticket in desk.tickets:
        current: dict[str, str] = {}
        for update in ticket["updates"]:
            for change in update["custom_field_change"] or []:
                current[change["name"]] = change["to"]
            for change in update["custom_field_change"] or []:
                if change["id"] in dependant and change["to"]:
                    assert choice_text[dependant[change["id"]]] in current.values()
                    set_count += 1
    assert set_count
