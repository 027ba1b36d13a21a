"""Business hours, holidays, DST nights, local days and SLAs, against values worked out by
hand from fixture_business_hours.py (New York, Mon-Fri 09:00-17:00, 2024-07-04 off), on
DuckDB and PostgreSQL; plus local days of the main fixture in zones far from UTC."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Callable

import pytest

import fixture_helpdesk
from models_support import model_rows, query
from happyfox_sync.models import build_models, load_models
from happyfox_sync.reporting_settings import make_settings
from happyfox_sync.reporting_tables import TABLES as SETTINGS_TABLES

U = dt.timezone.utc
D = dt.date


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=U)


def m(n: float | None) -> Decimal | None:
    return None if n is None else Decimal(str(n)).quantize(Decimal("0.01"))


@pytest.fixture
def bh(destination: str, business_pipelines: Callable[[str], Any]) -> Callable[..., list[dict[str, Any]]]:
    pipeline = business_pipelines(destination)
    return lambda model, order_by, where="": model_rows(pipeline, model, order_by, where, reporting_dataset="hf_business_reporting")


def by_ticket(rows: list[dict[str, Any]], column: str) -> dict[int, Any]:
    return {r["ticket_id"]: r[column] for r in rows}


METRICS: dict[str, dict[int, Any]] = {
    # 101 across a weekend; 102 created on a holiday; 103 created and answered outside
    # hours; 104/105 across the spring-forward / fall-back weekends (a smart rule's
    # acknowledgement on 104 is no response); 106 breached
    "first_response_minutes": {101: m(3960), 102: m(1410), 103: m(120), 104: m(3900), 105: m(4020), 106: m(1500), 107: None, 108: None},
    "first_response_business_minutes": {101: m(120), 102: m(30), 103: m(0), 104: m(120), 105: m(120), 106: m(540), 107: None, 108: None},
    "resolution_minutes": {101: m(4020), 102: m(1440), 103: m(120), 104: m(3930), 105: m(4050), 106: m(2940), 107: None, 108: None},
    "resolution_business_minutes": {101: m(180), 102: m(60), 103: m(0), 104: m(150), 105: m(150), 106: m(1020), 107: None, 108: None},
    "full_resolution_minutes": {101: m(4020), 102: m(1440), 103: m(120), 104: m(3930), 105: m(4050), 106: m(2940), 107: None, 108: None},
    "full_resolution_business_minutes": {101: m(180), 102: m(60), 103: m(0), 104: m(150), 105: m(150), 106: m(1020), 107: None, 108: None},
    # 101 was On Hold (waiting on the contact) from the reply to the resolution
    "contact_wait_minutes": {101: m(60), 102: m(0), 103: m(0), 104: m(0), 105: m(0), 106: m(0), 107: m(0), 108: m(0)},
    "agent_wait_minutes": {101: m(3960), 102: m(1440), 103: m(120), 104: m(3930), 105: m(4050), 106: m(2940), 107: m(0), 108: m(0)},
    # local (New York) days: 103 was answered and resolved on 03-06 in UTC, 03-05 locally
    "created_day": {101: D(2024, 3, 1), 102: D(2024, 7, 4), 103: D(2024, 3, 5), 104: D(2024, 3, 8), 105: D(2024, 11, 1), 106: D(2024, 3, 4), 107: D(2024, 11, 8), 108: D(2024, 11, 7)},
    "resolved_day": {101: D(2024, 3, 4), 102: D(2024, 7, 5), 103: D(2024, 3, 5), 104: D(2024, 3, 11), 105: D(2024, 11, 4), 106: D(2024, 3, 6), 107: None, 108: None},
    "is_resolved_same_day": {101: False, 102: False, 103: True, 104: False, 105: False, 106: False, 107: False, 108: False},
    "is_one_touch": {101: False, 102: True, 103: True, 104: True, 105: True, 106: True, 107: False, 108: False},
}


@pytest.mark.parametrize("column", sorted(METRICS))
def test_ticket_metrics_in_business_hours(bh, column):
    assert by_ticket(bh("ticket_metrics", "ticket_id"), column) == METRICS[column]


def test_replies_count_business_minutes_and_local_days(bh):
    got = [
        (r["ticket_id"], r["update_index"], r["reply_number"], r["is_first_reply"], r["answered_update_index"],
         r["answered_at"], r["reply_minutes"], r["reply_business_minutes"], r["replied_day"], r["responder_id"])
        for r in bh("ticket_replies", "ticket_id, update_index")
    ]
    assert got == [
        (101, 1, 1, True, 0, at("2024-03-01 21:00"), m(3960), m(120), D(2024, 3, 4), 100),
        (101, 3, 2, False, 2, at("2024-03-04 15:30"), m(30), m(30), D(2024, 3, 4), 100),
        (102, 1, 1, True, 0, at("2024-07-04 14:00"), m(1410), m(30), D(2024, 7, 5), 101),
        (103, 1, 1, True, 0, at("2024-03-05 23:00"), m(120), m(0), D(2024, 3, 5), 102),
        # update 1 is the smart rule's acknowledgement: not a reply
        (104, 2, 1, True, 0, at("2024-03-08 21:00"), m(3900), m(120), D(2024, 3, 11), 100),
        (105, 1, 1, True, 0, at("2024-11-01 20:00"), m(4020), m(120), D(2024, 11, 4), 100),
        (106, 1, 1, True, 0, at("2024-03-04 14:00"), m(1500), m(540), D(2024, 3, 5), 102),
    ]


def test_sla_met_breached_and_running(bh):
    got = [
        (r["ticket_id"], r["metric"], r["priority_name"], r["target_minutes"], r["elapsed_business_minutes"],
         r["is_running"], r["is_breached"], r["breached_at"], r["sla_breaches"])
        for r in bh("ticket_sla", "ticket_id, metric")
    ]
    assert got == [
        # met exactly at the target: not breached
        (101, "first_response", "Medium", m(120), m(120), False, False, None, 0),
        (101, "resolution", "Medium", m(960), m(180), False, False, None, 0),
        # Urgent has its own first-response target, and the default resolution target
        (102, "first_response", "Urgent", m(30), m(30), False, False, None, 1),
        (102, "resolution", "Urgent", m(960), m(60), False, False, None, 1),
        (103, "first_response", "Medium", m(120), m(0), False, False, None, 0),
        (103, "resolution", "Medium", m(960), m(0), False, False, None, 0),
        (104, "first_response", "Medium", m(120), m(120), False, False, None, 0),
        (104, "resolution", "Medium", m(960), m(150), False, False, None, 0),
        (105, "first_response", "Medium", m(120), m(120), False, False, None, 0),
        (105, "resolution", "Medium", m(960), m(150), False, False, None, 0),
        # breached: 2 business hours after Mon 09:00 EST; 960 business minutes end Tue 17:00 EST
        (106, "first_response", "Medium", m(120), m(540), False, True, at("2024-03-04 16:00"), 2),
        (106, "resolution", "Medium", m(960), m(1020), False, True, at("2024-03-05 22:00"), 2),
        # running, not yet late at the latest event (Fri 2024-11-08 18:00 EST)
        (107, "first_response", "Medium", m(120), m(30), True, False, None, 0),
        (107, "resolution", "Medium", m(960), m(30), True, False, None, 0),
        # running and late: breached Thu 11:00 EST; resolution exactly at its target
        (108, "first_response", "Medium", m(120), m(960), True, True, at("2024-11-07 16:00"), 0),
        (108, "resolution", "Medium", m(960), m(960), True, False, None, 0),
    ]


def test_sla_running_clock_stops_at_the_latest_event(bh):
    rows = bh("ticket_sla", "ticket_id, metric", "WHERE is_running")
    assert {r["measured_until"] for r in rows} == {at("2024-11-08 23:00")}
    assert {r["stopped_at"] for r in rows} == {None}


def test_daily_backlog_cuts_days_in_the_reporting_zone(bh):
    # 103 was resolved 03-06 01:00 UTC = 03-05 20:00 EST; 106 on 03-06 10:00 EST
    rows = bh("daily_backlog", "day", "WHERE tickets_resolved > 0 AND day BETWEEN '2024-03-04' AND '2024-03-06'")
    assert [(r["day"], r["tickets_resolved"]) for r in rows] == [(D(2024, 3, 4), 1), (D(2024, 3, 5), 1), (D(2024, 3, 6), 1)]


def test_agent_activity_by_local_day(bh):
    rows = bh("agent_daily_activity", "activity_date", "WHERE staff_id = 102")
    got = [
        (r["activity_date"], r["public_replies"], r["tickets_touched"], r["tickets_resolved"], r["first_responses"],
         r["median_first_response_minutes"], r["median_first_response_business_minutes"])
        for r in rows
    ]
    # Carol answered 106 (10:00 EST) and 103 (20:00 EST, 03-06 in UTC) on 03-05
    assert got == [
        (D(2024, 3, 5), 2, 2, 1, 2, m(810), m(270)),
        (D(2024, 3, 6), 0, 1, 1, 0, None, None),
    ]


def test_smart_rule_is_no_ones_activity(bh):
    assert bh("agent_daily_activity", "1", "WHERE staff_id = 900") == []
    assert by_ticket(bh("ticket_metrics", "ticket_id", "WHERE ticket_id = 104"), "staff_reply_count") == {104: 1}


def test_calendar_tables_hold_the_settings(bh):
    settings = bh("settings_reporting", "1")
    assert [(r["timezone"], r["business_hours"], r["holidays"], r["waiting_on_contact_statuses"]) for r in settings] == [
        ("America/New_York", "mon-fri 09:00-17:00", "2024-07-04", "On Hold")
    ]
    days = {r["day"]: r for r in bh("settings_local_days", "day", "WHERE day IN ('2024-03-10', '2024-07-04', '2024-07-05', '2024-11-03')")}
    assert {d: (r["business_minutes"], r["is_holiday"]) for d, r in days.items()} == {
        D(2024, 3, 10): (m(0), False), D(2024, 7, 4): (m(0), True), D(2024, 7, 5): (m(480), False), D(2024, 11, 3): (m(0), False),
    }
    # the spring-forward Sunday is 23 hours long, the fall-back Sunday 25
    assert days[D(2024, 3, 10)]["day_end"] - days[D(2024, 3, 10)]["day_start"] == dt.timedelta(hours=23)
    assert days[D(2024, 11, 3)]["day_end"] - days[D(2024, 11, 3)]["day_start"] == dt.timedelta(hours=25)


def _sorted(rows):
    return sorted(rows, key=lambda r: [(v is None, str(v)) for v in r.values()])


# (the business-hours helpdesk has no custom fields: those models are skipped there)
@pytest.mark.parametrize(
    # this fixture has no tags, so ticket_tags_current is not built here
    "model", [m.name for m in load_models() if "custom_field" not in m.name and m.name != "ticket_tags_current"]
    + sorted(SETTINGS_TABLES)
)
def test_business_hours_duckdb_and_postgres_identical(business_pipelines, model):
    duck = _sorted(model_rows(business_pipelines("duckdb"), model, "1", reporting_dataset="hf_business_reporting"))
    pg = _sorted(model_rows(business_pipelines("postgres"), model, "1", reporting_dataset="hf_business_reporting"))
    assert duck == pg
    for a, b in zip(duck, pg):
        assert {k: type(v) for k, v in a.items()} == {k: type(v) for k, v in b.items()}


# --- the main fixture in zones far from UTC ------------------------------------------


@pytest.fixture
def zoned(pipeline):
    """Builds the main fixture's models in `hf_<zone>` with only the time zone changed."""
    built: dict[str, str] = {}

    def rows(zone: str, model: str, order_by: str, where: str = "") -> list[dict[str, Any]]:
        dataset = "hf_" + zone.split("/")[-1].lower()
        if zone not in built:
            build_models(pipeline, reporting_dataset=dataset, reporting_settings=make_settings(timezone=zone))
            built[zone] = dataset
        return model_rows(pipeline, model, order_by, where, reporting_dataset=dataset)

    return rows


def test_created_day_in_los_angeles(zoned):
    got = by_ticket(zoned("America/Los_Angeles", "ticket_metrics", "ticket_id"), "created_day")
    # T9 was created 03-06 02:00 UTC = 03-05 18:00 PST; T5 at 08:00 UTC = 00:00 PST, the same day
    assert got == {1: D(2024, 3, 4), 2: D(2024, 3, 4), 3: D(2024, 3, 4), 4: D(2024, 3, 4), 5: D(2024, 3, 5),
                   6: D(2024, 3, 5), 7: D(2024, 3, 5), 9: D(2024, 3, 5), 10: D(2024, 3, 6), 11: D(2024, 3, 7),
                   12: D(2024, 3, 7), 13: D(2024, 3, 8)}


def test_update_day_in_kolkata(zoned):
    # T6's second message at 03-05 18:30 UTC is 03-06 00:00 in Asia/Kolkata (UTC+05:30)
    rows = zoned("Asia/Kolkata", "int_ticket_updates", "update_index", "WHERE ticket_id = 6")
    assert [(r["update_index"], r["updated_date"]) for r in rows] == [(0, D(2024, 3, 5)), (1, D(2024, 3, 5)), (2, D(2024, 3, 6))]


def test_zone_does_not_change_calendar_minutes(zoned, rows):
    utc = by_ticket(rows("ticket_metrics", "ticket_id"), "first_response_minutes")
    assert by_ticket(zoned("Asia/Kolkata", "ticket_metrics", "ticket_id"), "first_response_business_minutes") == utc


def test_backlog_days_bounds_daily_backlog(pipeline, rows):
    build_models(pipeline, reporting_dataset="hf_backlog2", reporting_settings=make_settings(backlog_days=2))
    bounded = model_rows(pipeline, "daily_backlog", "day, category_id, priority_id, status_id", reporting_dataset="hf_backlog2")
    full = rows("daily_backlog", "day, category_id, priority_id, status_id", "WHERE day >= '2024-03-07'")
    assert {r["day"] for r in bounded} == {D(2024, 3, 7), D(2024, 3, 8)}
    # the open counts at the window's start carry everything before it
    assert bounded == full
    assert fixture_helpdesk.settings().backlog_days == 730
