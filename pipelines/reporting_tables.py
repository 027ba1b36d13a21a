"""The reporting settings as tables in the reporting dataset, written before the models build.

Business-minute arithmetic has to cost O(1) per pair of instants on every SQL engine, so
the calendar is computed here, once, in Python with zoneinfo (DST-correct), and stored as
**segments**: the time line from a day before the first ticket to a year after the latest
event, cut at every UTC midnight, every local midnight and every start and end of business
time. Each segment lies within one UTC day and one local day, is wholly business time or
wholly not, and carries the business seconds before it. Then, for an instant t,

    F(t) = business_seconds_before + (t - segment_start if is_business else 0)

found by an equi-join on the UTC day (as a number, `utc_day_number` = epoch seconds //
86400, cheaper to compute per row than a time zone cast) plus a range check among that
day's few segments,
and the business time between two instants is F(b) - F(a). The same join gives t's local
day. `settings_business_calendar_index` inverts F (the instant an SLA target is reached)
with an equi-join on whole business days.

Tables (all rewritten on every build, inside the models' transaction where the
destination has one; rows are deleted and inserted, the tables are never dropped):

- `settings_reporting`: one row with the settings in force and the calendar's range.
- `settings_business_calendar`: the segments above.
- `settings_business_calendar_index`: business segments by business day number.
- `settings_local_days`: every local day of the range with its UTC bounds and business minutes.
- `settings_sla_targets`: one row per SLA metric and priority name (or `default`).
- `settings_waiting_on_contact_statuses`: the statuses in which a ticket waits on the contact.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional, Sequence

import sqlglot

from .reporting_settings import SLA_METRICS, ReportingSettings

logger = logging.getLogger(__name__)

UTC = dt.timezone.utc
EPOCH_DAY = dt.date(1970, 1, 1)
INDEX_BUCKET_SECONDS = 86_400
"""Width of a bucket of `settings_business_calendar_index`: one business day of seconds."""
CALENDAR_DAYS_AFTER_DATA = 366
"""The calendar runs this many days past the latest event, so views read after later loads
(and SLA deadlines ahead) still fall inside it."""
_INSERT_BATCH = 500

_TS = "TIMESTAMP WITH TIME ZONE"
TABLES: dict[str, list[tuple[str, str]]] = {
    "settings_reporting": [
        ("timezone", "VARCHAR"), ("business_hours", "VARCHAR"), ("holidays", "VARCHAR"),
        ("waiting_on_contact_statuses", "VARCHAR"), ("backlog_days", "BIGINT"),
        ("calendar_from", "DATE"), ("calendar_to", "DATE"),
    ],
    "settings_business_calendar": [
        ("utc_day", "DATE"), ("utc_day_number", "BIGINT"), ("local_day", "DATE"), ("segment_start", _TS),
        ("segment_end", _TS), ("is_business", "BOOLEAN"), ("business_seconds_before", "BIGINT"),
    ],
    "settings_business_calendar_index": [
        ("bucket", "BIGINT"), ("segment_start", _TS),
        ("business_seconds_before", "BIGINT"), ("business_seconds_after", "BIGINT"),
    ],
    "settings_local_days": [
        ("day", "DATE"), ("day_start", _TS), ("day_end", _TS), ("iso_weekday", "BIGINT"),
        ("is_holiday", "BOOLEAN"), ("business_minutes", "DECIMAL(18, 2)"),
    ],
    "settings_sla_targets": [
        ("metric", "VARCHAR"), ("priority_name", "VARCHAR"), ("priority_key", "VARCHAR"),
        ("is_default", "BOOLEAN"), ("target_minutes", "DECIMAL(18, 2)"),
    ],
    "settings_waiting_on_contact_statuses": [("status_name", "VARCHAR"), ("status_key", "VARCHAR")],
}
"""Every settings table and its columns (DuckDB types, translated for the destination)."""


@dataclass(frozen=True)
class Segment:
    utc_day: dt.date
    local_day: dt.date
    start: dt.datetime
    end: dt.datetime
    is_business: bool
    business_seconds_before: int


def _local_instant(day: dt.date, minutes: int, settings: ReportingSettings) -> dt.datetime:
    """The UTC instant of `minutes` after local midnight of `day` (1440 = next midnight).

    A local time skipped by a spring-forward night maps as zoneinfo maps it (with the
    offset before the change), so the mapping stays monotonic.
    """
    day = day + dt.timedelta(days=minutes // 1440)
    minutes %= 1440
    local = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=settings.zone)
    return local.astimezone(UTC)


def business_intervals(settings: ReportingSettings, first_day: dt.date, last_day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """Merged UTC intervals of business time whose local days lie in [first_day, last_day]."""
    holidays = set(settings.holidays)
    raw: list[tuple[dt.datetime, dt.datetime]] = []
    day = first_day - dt.timedelta(days=1)  # a shift across midnight from the day before
    while day <= last_day:
        for part in settings.parts:
            if day.weekday() not in part.weekdays:
                continue
            end = part.end if part.end > part.start else part.end + 1440
            raw.append((_local_instant(day, part.start, settings), _local_instant(day, end, settings)))
        day += dt.timedelta(days=1)
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for start, end in sorted(raw):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    # a holiday is a whole local day without business time
    for holiday in sorted(holidays):
        cut_start, cut_end = _local_instant(holiday, 0, settings), _local_instant(holiday, 1440, settings)
        kept: list[tuple[dt.datetime, dt.datetime]] = []
        for start, end in merged:
            if end <= cut_start or start >= cut_end:
                kept.append((start, end))
                continue
            if start < cut_start:
                kept.append((start, cut_start))
            if end > cut_end:
                kept.append((cut_end, end))
        merged = kept
    lo, hi = _local_instant(first_day, 0, settings), _local_instant(last_day, 1440, settings)
    return [(max(s, lo), min(e, hi)) for s, e in merged if e > lo and s < hi]


def build_calendar(settings: ReportingSettings, first_day: dt.date, last_day: dt.date) -> list[Segment]:
    """The segments of the local days [first_day, last_day] (see the module docstring)."""
    lo, hi = _local_instant(first_day, 0, settings), _local_instant(last_day, 1440, settings)
    business = business_intervals(settings, first_day, last_day)
    cuts = {lo, hi}
    day = first_day
    while day <= last_day + dt.timedelta(days=1):
        cuts.add(_local_instant(day, 0, settings))
        day += dt.timedelta(days=1)
    utc_midnight = dt.datetime.combine(lo.date(), dt.time(0), tzinfo=UTC)
    while utc_midnight < hi:
        cuts.add(utc_midnight)
        utc_midnight += dt.timedelta(days=1)
    for start, end in business:
        cuts.update((start, end))
    points = sorted(c for c in cuts if lo <= c <= hi)
    segments: list[Segment] = []
    seconds = 0
    b = 0
    for start, end in zip(points, points[1:]):
        while b < len(business) and business[b][1] <= start:
            b += 1
        is_business = b < len(business) and business[b][0] <= start and end <= business[b][1]
        segments.append(Segment(start.date(), start.astimezone(settings.zone).date(), start, end, is_business, seconds))
        if is_business:
            seconds += int((end - start).total_seconds())
    return segments


def index_rows(segments: Iterable[Segment]) -> list[tuple[int, dt.datetime, int, int]]:
    """(bucket, segment_start, seconds before, seconds after) for every business segment and
    every bucket (`INDEX_BUCKET_SECONDS` of business time) its business seconds reach into."""
    rows = []
    for s in segments:
        if not s.is_business:
            continue
        after = s.business_seconds_before + int((s.end - s.start).total_seconds())
        for bucket in range(s.business_seconds_before // INDEX_BUCKET_SECONDS, after // INDEX_BUCKET_SECONDS + 1):
            rows.append((bucket, s.start, s.business_seconds_before, after))
    return rows


def local_day_rows(settings: ReportingSettings, segments: Sequence[Segment]) -> list[tuple[Any, ...]]:
    days: dict[dt.date, list[Any]] = {}
    holidays = set(settings.holidays)
    for s in segments:
        row = days.setdefault(s.local_day, [s.local_day, s.start, s.end, s.local_day.isoweekday(), s.local_day in holidays, 0])
        row[2] = s.end
        if s.is_business:
            row[5] += int((s.end - s.start).total_seconds())
    return [(d, start, end, wd, hol, round(secs / 60, 2)) for d, start, end, wd, hol, secs in days.values()]


def sla_rows(settings: ReportingSettings) -> list[tuple[Any, ...]]:
    rows = []
    for metric in SLA_METRICS:
        for name, minutes in (settings.sla_targets(metric) or {}).items():
            is_default = name.lower() == "default"
            rows.append((metric, None if is_default else name, None if is_default else name.lower(), is_default, round(minutes, 2)))
    return rows


@dataclass
class ReportingTables:
    """The rows of every settings table, computed before the models' transaction opens."""

    settings: ReportingSettings
    first_day: dt.date
    last_day: dt.date
    rows: dict[str, list[tuple[Any, ...]]]

    def write(self, client: Any, dialect: str, resolve: Callable[[str, str], str]) -> None:
        """Creates the tables if missing and replaces their rows (call inside the transaction)."""
        for table, columns in TABLES.items():
            name = resolve("reporting", table)
            ddl = f"CREATE TABLE IF NOT EXISTS hf_settings_table ({', '.join(f'{c} {t}' for c, t in columns)})"
            ddl = sqlglot.transpile(ddl, read="duckdb", write=dialect)[0].replace("hf_settings_table", name, 1)
            client.execute_sql(ddl)
            client.execute_sql(f"DELETE FROM {name} WHERE 1 = 1")  # (BigQuery wants a WHERE)
            rows = self.rows[table]
            for i in range(0, len(rows), _INSERT_BATCH):
                batch = rows[i : i + _INSERT_BATCH]
                values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(batch))
                client.execute_sql(f"INSERT INTO {name} VALUES {values}", *[_param(v) for row in batch for v in row])
        logger.info(
            "reporting calendar: %s, %s, %d segments from %s to %s",
            self.settings.timezone, self.settings.business_hours,
            len(self.rows["settings_business_calendar"]), self.first_day, self.last_day,
        )


def _param(value: Any) -> Any:
    # timestamps go as ISO text with an offset: every driver binds text, and the typed
    # column converts it to the same instant
    if isinstance(value, dt.datetime):
        return value.astimezone(UTC).isoformat(sep=" ")
    return value


def _as_utc(value: Any) -> Optional[dt.datetime]:
    if not isinstance(value, dt.datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def data_range(client: Any, resolve: Callable[[str, str], str], missing_raw: Iterable[str]) -> tuple[Optional[dt.datetime], Optional[dt.datetime]]:
    """The first ticket's creation and the latest creation or update in the raw tables."""
    missing = set(missing_raw)
    instants: list[dt.datetime] = []
    first: Optional[dt.datetime] = None
    if "tickets" not in missing:
        row = client.execute_sql(f"SELECT MIN(created_at), MAX(created_at) FROM {resolve('raw', 'tickets')}")[0]
        first = _as_utc(row[0])
        instants += [t for t in (_as_utc(row[1]),) if t]
    if "ticket_updates" not in missing:
        row = client.execute_sql(f"SELECT MIN(timestamp), MAX(timestamp) FROM {resolve('raw', 'ticket_updates')}")[0]
        low = _as_utc(row[0])
        if low and (first is None or low < first):
            first = low
        instants += [t for t in (_as_utc(row[1]),) if t]
    return first, (max(instants) if instants else first)


def prepare_reporting_tables(
    client: Any,
    settings: ReportingSettings,
    resolve: Callable[[str, str], str],
    missing_raw: Iterable[str] = (),
    today: Optional[dt.date] = None,
) -> ReportingTables:
    """Computes the settings tables for the data in the raw dataset (read-only queries)."""
    first, last = data_range(client, resolve, missing_raw)
    zone = settings.zone
    if first is None or last is None:
        first_day = last_day = today or dt.datetime.now(tz=zone).date()
    else:
        first_day, last_day = first.astimezone(zone).date(), last.astimezone(zone).date()
    first_day -= dt.timedelta(days=1)
    last_day += dt.timedelta(days=CALENDAR_DAYS_AFTER_DATA)
    segments = build_calendar(settings, first_day, last_day)
    rows = {
        "settings_reporting": [(
            settings.timezone, settings.business_hours, ",".join(d.isoformat() for d in settings.holidays),
            ",".join(settings.waiting_on_contact_statuses), settings.backlog_days, first_day, last_day,
        )],
        "settings_business_calendar": [
            (s.utc_day, (s.utc_day - EPOCH_DAY).days, s.local_day, s.start, s.end, s.is_business, s.business_seconds_before)
            for s in segments
        ],
        "settings_business_calendar_index": index_rows(segments),
        "settings_local_days": local_day_rows(settings, segments),
        "settings_sla_targets": sla_rows(settings),
        "settings_waiting_on_contact_statuses": [(n, n.lower()) for n in settings.waiting_on_contact_statuses],
    }
    return ReportingTables(settings, first_day, last_day, rows)
