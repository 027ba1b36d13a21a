"""Injected faults, each seen by a real client as the failure it stands for."""

from __future__ import annotations

import json
import time

import httpx
import pytest


@pytest.mark.parametrize(("kind", "reason"), [("500", "Internal Server Error"), ("502", "Bad Gateway"), ("503", "Service Unavailable")])
def test_5xx_faults_answer_that_status_with_an_html_body(kind, reason, builder, start_sim, api):
    sim = start_sim(builder.build(), fault_rate=1.0, fault_kinds=(kind,))
    response = api(sim).get("staff/")
    assert response.status_code == int(kind)
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert f"<h1>{kind} {reason}</h1>".encode() in response.content
    assert sim.stats.faults_injected == {kind: 1}


def test_reset_closes_the_connection_without_a_response(builder, start_sim, api):
    sim = start_sim(builder.build(), fault_rate=1.0, fault_kinds=("reset",))
    with pytest.raises(httpx.ReadError):
        api(sim).get("staff/")
    assert sim.stats.faults_injected == {"reset": 1}
    assert sim.stats.responses_by_status == {}


def test_truncated_sends_200_with_half_the_json_and_a_matching_content_length(builder, start_sim, api):
    sim = start_sim(builder.build(), fault_rate=1.0, fault_kinds=("truncated",))
    client = api(sim)
    response = client.get("staff/")
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.content)
    sim.config.fault_rate = 0.0
    whole = client.get("staff/").content
    assert whole.startswith(response.content) and len(response.content) == len(whole) // 2
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_stall_outlasts_a_short_read_timeout_and_then_answers(builder, start_sim, api):
    sim = start_sim(builder.build(), fault_rate=1.0, fault_kinds=("stall",), stall_seconds=0.6)
    with pytest.raises(httpx.ReadTimeout):
        api(sim, timeout=0.2).get("staff/")
    started = time.monotonic()
    assert api(sim, timeout=5).get("staff/").status_code == 200
    assert time.monotonic() - started >= 0.6


def test_faults_hit_only_admitted_gets(builder, start_sim, api):
    builder.ticket(1)
    sim = start_sim(builder.build(), fault_rate=1.0, fault_kinds=("500",))
    client = api(sim)
    assert client.post("ticket/1/update_tags/", json={"add": "x", "staff_id": 1}).status_code == 200
    assert httpx.get(sim.api_url + "staff/").status_code == 401
    assert sim.stats.faults_injected == {}


def test_the_same_seed_faults_the_same_requests(builder, start_sim, api):
    def run() -> list[int]:
        sim = start_sim(builder.build(), fault_rate=0.5, fault_kinds=("500", "503"), fault_seed=3)
        client = api(sim)
        return [client.get("staff/").status_code for _ in range(12)]

    assert run() == run() == [500, 503, 200, 500, 200, 500, 503, 200, 200, 500, 500, 200]
