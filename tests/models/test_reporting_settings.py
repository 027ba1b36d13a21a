"""[happyfox_sync.reporting]: parsing, defaults, and one clear line naming the key for
every kind of bad value (exit code 2 from the command)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from happyfox_sync.reporting_settings import (
    BusinessHoursPart,
    ReportingSettingsError,
    load_reporting_settings,
    make_settings,
)
from happyfox_sync.source.helpers.errors import ConfigurationError
from tests.pipeline.cli import environment, run


def test_defaults_are_utc_all_hours_no_sla():
    s = make_settings()
    assert (s.timezone, s.business_hours, s.holidays, s.waiting_on_contact_statuses) == ("UTC", "mon-sun 00:00-24:00", (), ())
    assert (s.sla_first_response_minutes, s.sla_resolution_minutes, s.backlog_days) == (None, None, 730)
    assert s.parts == (BusinessHoursPart(frozenset(range(7)), 0, 1440),)


def test_business_hours_with_several_parts_ranges_and_lists():
    s = make_settings(business_hours="mon-thu 08:00-18:00; fri 08:00-14:00; sat,sun 10:00-12:00")
    assert s.parts == (
        BusinessHoursPart(frozenset({0, 1, 2, 3}), 480, 1080),
        BusinessHoursPart(frozenset({4}), 480, 840),
        BusinessHoursPart(frozenset({5, 6}), 600, 720),
    )


def test_weekday_range_wraps_over_the_weekend_and_a_shift_may_cross_midnight():
    (part,) = make_settings(business_hours="fri-mon 22:00-06:00").parts
    assert part == BusinessHoursPart(frozenset({4, 5, 6, 0}), 1320, 360)


def test_lists_and_tables_from_toml_or_json():
    s = make_settings(
        holidays=["2024-12-25", dt.date(2024, 12, 26)],
        waiting_on_contact_statuses='["Awaiting customer"]',
        sla_first_response_minutes='{"default": 480, "Urgent": 60}',
        sla_resolution_minutes={"default": 2880.5},
    )
    assert s.holidays == (dt.date(2024, 12, 25), dt.date(2024, 12, 26))
    assert s.waiting_on_contact_statuses == ("Awaiting customer",)
    assert s.sla_first_response_minutes == {"default": 480.0, "Urgent": 60.0}
    assert s.sla_resolution_minutes == {"default": 2880.5}


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("HAPPYFOX_SYNC__REPORTING__TIMEZONE", "Asia/Kolkata")
    monkeypatch.setenv("HAPPYFOX_SYNC__REPORTING__BUSINESS_HOURS", "mon-fri 09:00-17:00")
    monkeypatch.setenv("HAPPYFOX_SYNC__REPORTING__HOLIDAYS", '["2024-01-26"]')
    monkeypatch.setenv("HAPPYFOX_SYNC__REPORTING__SLA__FIRST_RESPONSE_MINUTES", '{"default": 240}')
    monkeypatch.setenv("HAPPYFOX_SYNC__REPORTING__BACKLOG_DAYS", "90")
    s = load_reporting_settings()
    assert (s.timezone, s.business_hours, s.holidays) == ("Asia/Kolkata", "mon-fri 09:00-17:00", (dt.date(2024, 1, 26),))
    assert (s.sla_first_response_minutes, s.sla_resolution_minutes, s.backlog_days) == ({"default": 240.0}, None, 90)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(timezone="Mars/Olympus"), "happyfox_sync.reporting.timezone: unknown time zone 'Mars/Olympus'"),
        (dict(business_hours="weekdays 9-5"), "happyfox_sync.reporting.business_hours: 'weekdays 9-5': 'weekdays' is not a weekday"),
        (dict(business_hours="mon-fri 09:00-25:00"), "happyfox_sync.reporting.business_hours: 'mon-fri 09:00-25:00': '25:00' is not a time"),
        (dict(business_hours="mon-fri 09:00"), "happyfox_sync.reporting.business_hours: 'mon-fri 09:00' is not of the form"),
        (dict(business_hours="mon 09:00-09:00"), "happyfox_sync.reporting.business_hours: 'mon 09:00-09:00': the hours '09:00-09:00' are empty"),
        (dict(holidays=["2024-02-30"]), "happyfox_sync.reporting.holidays: '2024-02-30' is not a date in YYYY-MM-DD form"),
        (dict(holidays="christmas"), "happyfox_sync.reporting.holidays: expected a list of YYYY-MM-DD dates"),
        (dict(waiting_on_contact_statuses=[3]), "happyfox_sync.reporting.waiting_on_contact_statuses: expected a list of status names"),
        (dict(sla_first_response_minutes={"default": "soon"}), "happyfox_sync.reporting.sla.first_response_minutes: the target for 'default' must be a number"),
        (dict(sla_resolution_minutes={"default": -5}), "happyfox_sync.reporting.sla.resolution_minutes: the target for 'default' must be a number"),
        (dict(sla_resolution_minutes="480"), "happyfox_sync.reporting.sla.resolution_minutes: expected a table of minutes by priority name"),
        (dict(backlog_days="a year"), "happyfox_sync.reporting.backlog_days: expected a whole number of days"),
    ],
)
def test_bad_setting_names_the_key(kwargs, message):
    with pytest.raises(ReportingSettingsError) as error:
        make_settings(**kwargs)
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)
    assert isinstance(error.value, ConfigurationError)


def test_sync_with_a_bad_setting_exits_2_with_one_line_before_any_request(tmp_path: Path):
    env = environment(tmp_path, None, SOURCES__HAPPYFOX__BASE_URL="https://help.example.com",
                      SOURCES__HAPPYFOX__API_KEY="k", SOURCES__HAPPYFOX__AUTH_CODE="c",
                      HAPPYFOX_SYNC__REPORTING__TIMEZONE="Mars/Olympus")
    result = run([], tmp_path, env)
    assert result.code == 2
    assert result.stderr.strip().splitlines() == [
        "happyfox-sync: error: happyfox_sync.reporting.timezone: unknown time zone 'Mars/Olympus' (use an IANA name such as 'Europe/Berlin')"
    ]


def test_models_command_with_a_bad_setting_exits_2_naming_the_key(tmp_path: Path):
    env = environment(tmp_path, None, HAPPYFOX_SYNC__REPORTING__SLA__RESOLUTION_MINUTES='{"default": "two days"}')
    result = run(["models"], tmp_path, env)
    assert result.code == 2
    assert result.stderr.strip().splitlines() == [
        "happyfox-sync: error: happyfox_sync.reporting.sla.resolution_minutes: the target for 'default' must be a number"
        " of business minutes >= 0, got 'two days'"
    ]
