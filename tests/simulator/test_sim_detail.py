"""``ticket/<id>/``: custom field changes only on request, expiring attachment URLs, 404s."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.simulator.sim_helpdesk import NOW

CHANGE = [{"id": "1", "name": "Product", "from": "", "to": "Widget"}]


def test_custom_field_change_is_filled_only_on_detail_with_show_cf_changes(builder, start_sim, api):
    builder.ticket(1, product="Widget")
    client = api(start_sim(builder.build()))
    assert client.get("ticket/1/").json()["updates"][0]["custom_field_change"] is None
    shown = client.get("ticket/1/", params={"show_cf_changes": "true"}).json()
    assert shown["updates"][0]["custom_field_change"] == CHANGE


def test_list_items_never_show_custom_field_changes(builder, start_sim, api):
    builder.ticket(1, product="Widget")
    client = api(start_sim(builder.build()))
    for params in ({}, {"show_cf_changes": "true"}):
        item = client.get("tickets/", params={"status": "_all", **params}).json()["data"][0]
        assert item["updates"][0]["custom_field_change"] is None


def test_the_store_keeps_the_real_change_while_responses_blank_it(builder, start_sim, api):
    builder.ticket(1, product="Widget")
    sim = start_sim(builder.build())
    api(sim).get("ticket/1/")
    assert sim.store.ticket(1)["updates"][0]["custom_field_change"] == CHANGE


def test_unknown_ticket_is_404_with_a_json_error(builder, start_sim, api):
    client = api(start_sim(builder.build()))
    response = client.get("ticket/999/")
    assert response.status_code == 404
    assert response.json() == {"error": "Ticket not found"}


def attachment_urls(body: dict) -> list[str]:
    return [a["url"] for u in body["updates"] if u["message"] for a in u["message"]["attachments"]]


def test_attachment_urls_are_fresh_per_response_and_expire_five_minutes_later(builder, start_sim, api):
    builder.ticket(1, attachments=2)
    sim = start_sim(builder.build())
    client = api(sim)
    first = attachment_urls(client.get("ticket/1/").json())
    second = attachment_urls(client.get("ticket/1/").json())
    listed = attachment_urls(client.get("tickets/", params={"status": "_all"}).json()["data"][0])
    assert len(set(first + second + listed)) == 6
    expires = int(parse_qs(urlsplit(first[0]).query)["Expires"][0])
    assert expires == 1710072300  # NOW (2024-03-10 12:00:00 UTC) + 5 minutes


def test_attachment_url_downloads_until_it_expires(builder, start_sim, api):
    builder.ticket(1, attachments=1)
    clock = {"now": NOW}
    sim = start_sim(builder.build(), clock=lambda: clock["now"])
    (url,) = attachment_urls(api(sim).get("ticket/1/").json())
    assert httpx.get(url).status_code == 200
    clock["now"] = NOW + timedelta(minutes=5, seconds=1)
    expired = httpx.get(url)
    assert expired.status_code == 403
    assert b"Request has expired" in expired.content
