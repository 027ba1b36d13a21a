"""The business calendar built in Python: DST nights, holidays, shifts across midnight,
local days, and the inverse index, checked segment by segment."""

from __future__ import annotations

import datetime as dt

from happyfox_sync.reporting_settings import make_settings
from happyfox_sync.reporting_tables import build_calendar, index_rows, local_day_rows

U = dt.timezone.utc


def minutes_by_day(settings, first, last):
    return {row[0]: row[5] for row in local_day_rows(settings, build_calendar(settings, first, last))}


def test_dst_sundays_have_23_and_25_business_hours():
    s = make_settings(timezone="America/New_York", business_hours="sun 00:00-24:00")
    assert minutes_by_day(s, dt.date(2024, 3, 10), dt.date(2024, 3, 10)) == {dt.date(2024, 3, 10): 1380}
    assert minutes_by_day(s, dt.date(2024, 11, 3), dt.date(2024, 11, 3)) == {dt.date(2024, 11, 3): 1500}


def test_business_hours_follow_local_time_across_dst():
    s = make_settings(timezone="Europe/Berlin", business_hours="mon-fri 09:00-17:00")
    segments = build_calendar(s, dt.date(2024, 3, 29), dt.date(2024, 4, 1))  # CET -> CEST on 03-31
    business = [(x.start, x.end) for x in segments if x.is_business]
    assert business == [
        (dt.datetime(2024, 3, 29, 8, 0, tzinfo=U), dt.datetime(2024, 3, 29, 16, 0, tzinfo=U)),
        (dt.datetime(2024, 4, 1, 7, 0, tzinfo=U), dt.datetime(2024, 4, 1, 15, 0, tzinfo=U)),
    ]


def test_holiday_has_no_business_time():
    s = make_settings(business_hours="mon-fri 09:00-17:00", holidays=["2024-12-25"])
    assert minutes_by_day(s, dt.date(2024, 12, 24), dt.date(2024, 12, 26)) == {
        dt.date(2024, 12, 24): 480, dt.date(2024, 12, 25): 0, dt.date(2024, 12, 26): 480,
    }


def test_night_shift_counts_on_the_days_it_covers():
    s = make_settings(business_hours="mon 22:00-06:00")
    assert minutes_by_day(s, dt.date(2024, 3, 4), dt.date(2024, 3, 5)) == {dt.date(2024, 3, 4): 120, dt.date(2024, 3, 5): 360}


def test_segments_tile_the_range_within_one_utc_and_one_local_day():
    s = make_settings(timezone="Asia/Kolkata", business_hours="mon-fri 09:30-18:00")
    segments = build_calendar(s, dt.date(2024, 3, 1), dt.date(2024, 3, 10))
    for a, b in zip(segments, segments[1:]):
        assert a.end == b.start
        assert b.business_seconds_before == a.business_seconds_before + (int((a.end - a.start).total_seconds()) if a.is_business else 0)
    for x in segments:
        assert x.start.date() == (x.end - dt.timedelta(microseconds=1)).date() == x.utc_day
        assert x.start.astimezone(s.zone).date() == x.local_day
    assert segments[-1].business_seconds_before == 6 * 510 * 60  # Mon 03-04 .. Fri 03-08 and Fri 03-01


def test_index_covers_every_business_second_by_day_bucket():
    s = make_settings(business_hours="mon-fri 09:00-17:00")
    segments = build_calendar(s, dt.date(2024, 3, 4), dt.date(2024, 3, 15))
    rows = index_rows(segments)
    for x in (1, 28_800, 28_801, 86_400, 86_401, 288_000):
        bucket = x // 86_400
        hits = [r for r in rows if r[0] == bucket and r[2] < x <= r[3]]
        assert len(hits) == 1, x
