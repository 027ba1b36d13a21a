"""Issue item 7: bad and surprising input loads, or stops the run naming the ticket and
field; nothing is silently dropped, and a malformed page is fetched again, never skipped.

Surprises are made in the simulator's records directly (the API would send them as
they are) and the ticket's ``last_modified`` is moved, as HappyFox would, so an
incremental run picks it up.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
import pytest

from happyfox_simulator import Simulator
from happyfox_simulator.model import format_timestamp
from happyfox_sync.source.pages import MalformedPageError
from tests.reliability.rel_support import CliWarehouse, assert_only_gets, cli_environment, figures, run_cli
from tests.support.compare import TICKET_TABLES, assert_warehouse_equals_truth
from tests.support.harness import Warehouse, _valid_value, client_for, helpdesk, running

FINAL = {"contacts_sweep_hours": 0}


def _touch(simulator: Simulator, ticket: dict[str, Any], **changes: Any) -> None:
    """Change a ticket record as HappyFox would show it, moving its last_modified."""
    ticket.update(changes)
    ticket["last_modified"] = format_timestamp(datetime.now(timezone.utc))
    simulator.store.invalidate()


def _synced(tmp_path: Path, simulator: Simulator) -> Warehouse:
    warehouse = Warehouse(tmp_path)
    with client_for(simulator) as client:
        warehouse.sync(client)
    return warehouse


def _sync(warehouse: Warehouse, simulator: Simulator, **options: Any) -> None:
    with client_for(simulator) as client:
        warehouse.sync(client, **options)


def test_fields_happyfox_adds_load_as_new_columns_next_to_the_contract(tmp_path: Path) -> None:
    desk = helpdesk(40, seed=71)
    ticket, other = desk.tickets[3], desk.tickets[8]
    ticket["sentiment"] = "frustrated 😤"
    ticket["sla"] = {"policy": "Gold", "hours_left": 4}
    other["watchers"] = [3, 5]
    ticket["updates"][0]["channel"] = "whatsapp"
    desk.contacts[0]["twitter"] = "@ann"
    with running(desk) as simulator:
        warehouse = _synced(tmp_path, simulator)
        rows = assert_warehouse_equals_truth(warehouse, simulator)
    assert warehouse.query(f"select sentiment, sla__policy, sla__hours_left from tickets where id = {ticket['id']}") == [("frustrated 😤", "Gold", 4)]
    assert warehouse.count("tickets where sentiment is not null") == 1
    assert json.loads(warehouse.query(f"select watchers from tickets where id = {other['id']}")[0][0]) == [3, 5]
    assert warehouse.query(f"select channel from ticket_updates where ticket_id = {ticket['id']} and update_index = 0") == [("whatsapp",)]
    assert warehouse.query(f"select twitter from contacts where id = {desk.contacts[0]['id']}") == [("@ann",)]
    figures("bad input/new fields", new_columns=5, rows_compared=rows)


def test_a_custom_field_value_that_turns_from_text_into_a_list_loads_as_the_documented_joined_text(tmp_path: Path) -> None:
    with running(helpdesk(40, seed=72)) as simulator:
        warehouse = _synced(tmp_path, simulator)
        ticket = next(t for t in simulator.helpdesk.tickets if any(isinstance(f["value"], str) for f in t["custom_fields"]))
        field = next(f for f in ticket["custom_fields"] if isinstance(f["value"], str))
        field["value"], field["value_id"] = ["Web App", "Public API ⚙"], [1, 3]
        _touch(simulator, ticket)
        _sync(warehouse, simulator, **FINAL)
        rows = assert_warehouse_equals_truth(warehouse, simulator)
    assert warehouse.query(
        f"select value, value_id from ticket_custom_field_values where ticket_id = {ticket['id']} and field_id = {field['id']}"
    ) == [("Web App, Public API ⚙", "1, 3")]
    figures("bad input/custom field type change", rows_compared=rows)


def test_a_field_that_changes_type_loads_into_a_dlt_variant_column_and_nothing_is_dropped(tmp_path: Path) -> None:
    with running(helpdesk(40, seed=73)) as simulator:
        warehouse = _synced(tmp_path, simulator)
        a, b, c, d = simulator.helpdesk.tickets[1:5]
        _touch(simulator, a, time_spent="1h 20m")
        _touch(simulator, b, sla_breaches=[1, 2])
        _touch(simulator, c, source={"id": 3, "name": "email"})
        d["updates"][-1]["time_spent"] = "ten minutes"
        _touch(simulator, d)
        _sync(warehouse, simulator, **FINAL)
        changed = [a["id"], b["id"], c["id"], d["id"]]
        rows = assert_warehouse_equals_truth(warehouse, simulator, tables=TICKET_TABLES, exclude_tickets=changed)
    assert warehouse.query(f"select time_spent, time_spent__v_text from tickets where id = {a['id']}") == [(None, "1h 20m")]
    assert json.loads(warehouse.query(f"select sla_breaches__v_json from tickets where id = {b['id']}")[0][0]) == [1, 2]
    assert warehouse.query(f"select source, source__id, source__name from tickets where id = {c['id']}") == [(None, 3, "email")]
    last = len(d["updates"]) - 1
    assert warehouse.query(
        f"select time_spent, time_spent__v_text from ticket_updates where ticket_id = {d['id']} and update_index = {last}"
    ) == [(None, "ten minutes")]
    figures("bad input/type changes", variant_columns=3, flattened_object=1, rows_compared=rows)


def test_nulls_where_values_were_replace_the_old_values(tmp_path: Path) -> None:
    with running(helpdesk(40, seed=74)) as simulator:
        warehouse = _synced(tmp_path, simulator)
        desk = simulator.helpdesk
        tagged = next(t for t in desk.tickets if t["tags"])
        assigned = next(t for t in desk.tickets if t["assigned_to"] and t["due_date"] and t is not tagged)
        valued = next(t for t in desk.tickets if any(f["value"] is not None for f in t["custom_fields"]) and t not in (tagged, assigned))
        _touch(simulator, tagged, tags="", subject=None, first_message=None)
        _touch(simulator, assigned, assigned_to=None, due_date=None, last_staff_reply_at=None)
        for field in valued["custom_fields"]:
            field["value"] = field["value_id"] = None
        valued["user"]["email"] = None
        valued["user"]["custom_fields"][0]["value"] = None
        _touch(simulator, valued)
        _sync(warehouse, simulator, **FINAL)
        rows = assert_warehouse_equals_truth(warehouse, simulator)
    assert warehouse.query(f"select subject, first_message from tickets where id = {tagged['id']}") == [(None, None)]
    assert warehouse.count(f"ticket_tags where ticket_id = {tagged['id']}") == 0
    assert warehouse.query(f"select assignee_id, due_date, last_staff_reply_at from tickets where id = {assigned['id']}") == [(None, None, None)]
    assert warehouse.count(f"ticket_custom_field_values where ticket_id = {valued['id']} and value is not null") == 0
    figures("bad input/nulls", nulled_fields=9, rows_compared=rows)


def _new_ticket(desk: Any, **payload: Any) -> dict[str, Any]:
    category = next(c for c in desk.categories if c.get("public", True))
    data = {"category": category["id"], "text": "Help, please", **payload}
    for field in desk.ticket_custom_fields:
        if field.get("required") and any(link.get("category") == category["id"] for link in field.get("categories") or ()):
            data[f"t-cf-{field['id']}"] = _valid_value(field)
    return data


UNICODE = "Zürich ✓ 日本語 עברית العربية 👩🏽‍💻 🇫🇷 e\u0301 \u200b𝔘𝔫𝔦𝔠𝔬𝔡𝔢"


def test_50_kb_bodies_unicode_and_emoji_load_byte_for_byte(tmp_path: Path) -> None:
    big = ("Le système a planté 💥 — " * 2200)[:50_000]
    with running(helpdesk(30, seed=75)) as simulator:
        warehouse = _synced(tmp_path, simulator)
        store, desk = simulator.store, simulator.helpdesk
        staff = desk.staff[0]["id"]
        created = store.create_ticket(_new_ticket(desk, subject=f"🔥 {UNICODE}", text=big, name=f"Zoë 🦊 {UNICODE[:10]}", email="zoe@example.com"))
        replied = desk.tickets[2]
        store.staff_update(replied["id"], staff=staff, html=f"<p>{big}</p>", time_spent=3)
        store.update_tags(replied["id"], add="clé,日本,🔥,naïve café", staff_id=staff)
        _sync(warehouse, simulator, **FINAL)
        rows = assert_warehouse_equals_truth(warehouse, simulator)
    assert warehouse.query(f"select subject, length(first_message) from tickets where id = {created['id']}") == [(f"🔥 {UNICODE}", 50_000)]
    assert warehouse.query(f"select message__text from ticket_updates where ticket_id = {created['id']} and update_index = 0") == [(big,)]
    assert {tag for (tag,) in warehouse.query(f"select tag from ticket_tags where ticket_id = {replied['id']}")} >= {"clé", "日本", "🔥", "naïve café"}
    figures("bad input/50 KB and unicode", body_chars=len(big), rows_compared=rows)


def test_a_custom_field_and_a_status_created_mid_run_load_and_the_next_run_equals_the_truth(tmp_path: Path) -> None:
    with running(helpdesk(160, seed=76)) as simulator:
        desk, store = simulator.helpdesk, simulator.store
        staff = desk.staff[0]["id"]
        changed: list[int] = []

        def add_field_and_status(page: int) -> None:
            if changed:
                return
            desk.statuses.append({"id": 90, "name": "Waiting on vendor ⏳", "color": "#123456", "order": 7, "default": False, "behavior": "pending"})
            desk.ticket_custom_fields.append({
                "id": 91, "name": "Escalation reason", "type": "text", "required": False, "compulsory_on_completed": False,
                "choices": None, "categories": [{"category": c["id"], "order": 9} for c in desk.categories],
                "visible_to_staff_only": False,
            })
            store.invalidate()
            for ticket in desk.tickets[:4]:
                store.update_custom_fields(ticket["id"], {"staff": staff, "t-cf-91": "Legal review 🔒"})
                store.staff_update(ticket["id"], staff=staff, status=90, plaintext="waiting", time_spent=2)
                changed.append(ticket["id"])

        simulator.on_list_page = add_field_and_status
        warehouse = Warehouse(tmp_path)
        _sync(warehouse, simulator)
        simulator.on_list_page = None
        loaded_in_run_1 = warehouse.query(f"select id, status_id from tickets where id in ({', '.join(map(str, changed))})")
        values_in_run_1 = warehouse.query("select ticket_id, value from ticket_custom_field_values where field_id = 91")
        _sync(warehouse, simulator, **FINAL)
        rows = assert_warehouse_equals_truth(warehouse, simulator)
    assert sorted(loaded_in_run_1) == [(ticket_id, 90) for ticket_id in sorted(changed)]
    assert sorted(values_in_run_1) == [(ticket_id, "Legal review 🔒") for ticket_id in sorted(changed)]
    assert warehouse.query("select name from statuses where id = 90") == [("Waiting on vendor ⏳",)]
    figures("bad input/new field and status mid-run", tickets_changed=len(changed), rows_compared=rows)


class CorruptingTransport(httpx.HTTPTransport):
    """Replaces the body of chosen ``tickets/`` answers (status 200 kept), like a broken proxy."""

    def __init__(self, mangle: Callable[[dict[str, Any]], bytes], page: int, times: int | None = 1) -> None:
        super().__init__()
        self.mangle, self.page, self.times = mangle, page, times
        self.corrupted = 0
        self.requests: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        split = urlsplit(str(request.url))
        query = parse_qs(split.query)
        if not split.path.endswith("/tickets/") or query.get("size") != ["50"] or "minify_response" in query:
            return response
        if int(query["page"][0]) != self.page:
            return response
        self.requests.append(self.page)
        if self.times is not None and self.corrupted >= self.times:
            return response
        self.corrupted += 1
        response.read()
        body = self.mangle(orjson.loads(response.content))
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"}, request=request)


MALFORMATIONS: dict[str, tuple[int, Callable[[dict[str, Any]], bytes]]] = {
    "an HTML page": (2, lambda body: b"<html><body>Service Temporarily Unavailable</body></html>"),
    "an error object": (2, lambda body: orjson.dumps({"error": "Temporarily unavailable"})),
    "data null": (2, lambda body: orjson.dumps({"page_info": body["page_info"], "data": None})),
    "data missing its items": (2, lambda body: orjson.dumps({"page_info": body["page_info"], "data": body["data"][:10]})),
    "page 1 without page_info": (1, lambda body: orjson.dumps({"data": body["data"]})),
    "page 1 claiming a total of 0": (1, lambda body: orjson.dumps({"page_info": {**body["page_info"], "last_index": 0, "page_count": 0}, "data": body["data"]})),
}


@pytest.mark.parametrize("malformation", list(MALFORMATIONS))
def test_a_malformed_page_is_fetched_again_and_never_skipped(tmp_path: Path, malformation: str) -> None:
    page, mangle = MALFORMATIONS[malformation]
    transport = CorruptingTransport(mangle, page)
    with running(helpdesk(160, seed=77)) as simulator:
        warehouse = Warehouse(tmp_path)
        with client_for(simulator, transport=transport) as client:
            warehouse.sync(client)
        rows = assert_warehouse_equals_truth(warehouse, simulator)
    assert transport.corrupted == 1
    assert len(transport.requests) >= 2  # the corrupted page was asked for again
    figures(f"bad input/malformed page: {malformation}", corrupted=transport.corrupted, rows_compared=rows)


def test_a_page_that_stays_malformed_stops_the_run_naming_it_and_the_next_run_loads_everything(tmp_path: Path) -> None:
    transport = CorruptingTransport(MALFORMATIONS["data null"][1], page=2, times=None)
    with running(helpdesk(160, seed=78)) as simulator:
        warehouse = Warehouse(tmp_path)
        with client_for(simulator, transport=transport) as client:
            with pytest.raises(Exception) as failure:
                warehouse.sync(client)
        chain = [failure.value]
        while chain[-1].__cause__ is not None or chain[-1].__context__ is not None:
            chain.append(chain[-1].__cause__ or chain[-1].__context__)
        stops = [error for error in chain if isinstance(error, MalformedPageError)]
        assert warehouse.loads == []  # nothing of the stopped run was loaded
        _sync(warehouse, simulator)
        rows = assert_warehouse_equals_truth(warehouse, simulator)
    assert len(stops) == 1
    assert "tickets/ page 2" in str(stops[0]) and "stopping instead of skipping" in str(stops[0])
    figures("bad input/page malformed every time", attempts=transport.corrupted, rows_compared=rows)


def test_an_unreadable_timestamp_stops_the_command_with_one_line_naming_the_ticket_and_field(tmp_path: Path) -> None:
    desk = helpdesk(40, seed=79)
    ticket = desk.tickets[7]
    good = ticket["created_at"]
    ticket["created_at"] = "yesterday at noon"
    with running(desk) as simulator:
        env = cli_environment(tmp_path, simulator)
        stopped = run_cli(["--no-models"], tmp_path, env)
        ticket["created_at"] = good
        simulator.store.invalidate()
        fixed = run_cli(["--no-models"], tmp_path, env)
        assert fixed.code == 0, fixed.output[-2000:]
        assert_only_gets(simulator)
        rows = assert_warehouse_equals_truth(CliWarehouse(tmp_path), simulator)
    errors = [line for line in stopped.stderr.splitlines() if "error" in line.lower()]
    assert stopped.code == 1, stopped.output[-2000:]
    assert len(errors) == 1, stopped.stderr
    assert f"ticket {ticket['id']}" in errors[0] and "'created_at'" in errors[0] and "yesterday at noon" in errors[0]
    figures("bad input/unreadable timestamp", message=errors[0][:140], rows_compared=rows)
