"""The `[happyfox_sync.reporting]` settings: how the support team's week is cut.

Support leads judge their team in their own time zone, in business hours, against SLA
targets. These settings say how, and reach SQL as small tables in the reporting dataset
(`reporting_tables.py`), so the models stay plain SQL:

    [happyfox_sync.reporting]
    timezone = "Europe/Berlin"                       # IANA name, default "UTC"
    business_hours = "mon-thu 08:00-18:00; fri 08:00-14:00"   # default all hours
    holidays = ["2024-12-25", "2024-12-26"]           # local dates with no business time
    waiting_on_contact_statuses = ["Awaiting customer"]
    backlog_days = 730                                # daily_backlog covers the last N days
    [happyfox_sync.reporting.sla]
    first_response_minutes = {default = 480, Urgent = 60}
    resolution_minutes = {default = 2880}

Environment variables (`HAPPYFOX_SYNC__REPORTING__TIMEZONE`,
`HAPPYFOX_SYNC__REPORTING__SLA__FIRST_RESPONSE_MINUTES`, ...) carry lists and tables as
JSON. Every value is checked when read: a bad one raises ReportingSettingsError, a
ConfigurationError, so the sync command stops with exit code 2 and one line naming the key.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import zoneinfo
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from happyfox_sync.source.helpers.errors import ConfigurationError

SECTION = "happyfox_sync.reporting"
"""The dlt config section of these settings (env prefix HAPPYFOX_SYNC__REPORTING__)."""

DEFAULT_TIMEZONE = "UTC"
DEFAULT_BUSINESS_HOURS = "mon-sun 00:00-24:00"
DEFAULT_BACKLOG_DAYS = 730
SLA_METRICS = ("first_response", "resolution")
"""The SLA metrics; each has a `sla.<metric>_minutes` setting."""

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ReportingSettingsError(ConfigurationError):
    """A `[happyfox_sync.reporting]` setting is malformed; the message names the key."""


@dataclass(frozen=True)
class BusinessHoursPart:
    """One part of `business_hours`: these weekdays, from `start` to `end` local time.

    Times are minutes after local midnight; `end` may be 1440 (24:00). An `end` before
    `start` is a shift across midnight: it ends on the next day.
    """

    weekdays: frozenset[int]
    """0 = Monday ... 6 = Sunday (date.weekday())."""
    start: int
    end: int


@dataclass(frozen=True)
class ReportingSettings:
    """The checked reporting settings; the defaults are a UTC, all-hours team without SLAs."""

    timezone: str = DEFAULT_TIMEZONE
    business_hours: str = DEFAULT_BUSINESS_HOURS
    holidays: tuple[dt.date, ...] = ()
    waiting_on_contact_statuses: tuple[str, ...] = ()
    sla_first_response_minutes: Optional[Mapping[str, float]] = None
    sla_resolution_minutes: Optional[Mapping[str, float]] = None
    backlog_days: int = DEFAULT_BACKLOG_DAYS
    """daily_backlog covers the last this many days of the data; 0 means every day."""
    parts: tuple[BusinessHoursPart, ...] = field(default=(), compare=False)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def sla_targets(self, metric: str) -> Optional[Mapping[str, float]]:
        return {"first_response": self.sla_first_response_minutes, "resolution": self.sla_resolution_minutes}[metric]


def _key(name: str) -> str:
    return f"{SECTION}.{name}"


def parse_timezone(value: Any, key: str = "timezone") -> str:
    if not isinstance(value, str) or not value.strip():
        raise ReportingSettingsError(f"{_key(key)}: expected an IANA time zone name such as 'Europe/Berlin', got {value!r}")
    name = value.strip()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ReportingSettingsError(f"{_key(key)}: unknown time zone {name!r} (use an IANA name such as 'Europe/Berlin')") from None
    return name


def _parse_time(text: str, key: str, part: str) -> int:
    match = _TIME_RE.match(text)
    if not match:
        raise ReportingSettingsError(f"{_key(key)}: {part!r}: {text!r} is not a time in HH:MM form")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes != 0):
        raise ReportingSettingsError(f"{_key(key)}: {part!r}: {text!r} is not a time between 00:00 and 24:00")
    return hours * 60 + minutes


def _parse_days(text: str, key: str, part: str) -> frozenset[int]:
    days: set[int] = set()
    for item in text.split(","):
        item = item.strip().lower()
        first, _, last = item.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ReportingSettingsError(
                f"{_key(key)}: {part!r}: {item!r} is not a weekday or a range of weekdays (mon, tue, ..., sun; e.g. mon-fri)"
            )
        a = WEEKDAYS.index(first)
        b = WEEKDAYS.index(last) if last else a
        days.update((a + i) % 7 for i in range((b - a) % 7 + 1))  # fri-mon wraps over the weekend
    return frozenset(days)


def parse_business_hours(value: Any, key: str = "business_hours") -> tuple[BusinessHoursPart, ...]:
    """Parses `"mon-thu 08:00-18:00; fri 08:00-14:00"` into parts."""
    if not isinstance(value, str) or not value.strip():
        raise ReportingSettingsError(f"{_key(key)}: expected text such as 'mon-fri 09:00-17:00', got {value!r}")
    parts = []
    for raw in value.split(";"):
        part = raw.strip()
        if not part:
            continue
        pieces = part.split()
        if len(pieces) != 2 or pieces[1].count("-") != 1:
            raise ReportingSettingsError(f"{_key(key)}: {part!r} is not of the form 'mon-fri 09:00-17:00'")
        days = _parse_days(pieces[0], key, part)
        start_text, end_text = pieces[1].split("-")
        start, end = _parse_time(start_text, key, part), _parse_time(end_text, key, part)
        if start == end or start == 1440:
            raise ReportingSettingsError(f"{_key(key)}: {part!r}: the hours {pieces[1]!r} are empty")
        parts.append(BusinessHoursPart(days, start, end))
    if not parts:
        raise ReportingSettingsError(f"{_key(key)}: no business hours in {value!r}")
    return tuple(parts)


def _json_or_value(value: Any, key: str, expected: str) -> Any:
    """TOML gives lists and tables; an environment variable gives JSON text."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise ReportingSettingsError(f"{_key(key)}: expected {expected} (TOML, or JSON in an environment variable), got {value!r}") from None
    return value


def parse_holidays(value: Any, key: str = "holidays") -> tuple[dt.date, ...]:
    if value is None:
        return ()
    items = _json_or_value(value, key, "a list of YYYY-MM-DD dates")
    if not isinstance(items, (list, tuple)):
        raise ReportingSettingsError(f"{_key(key)}: expected a list of YYYY-MM-DD dates, got {value!r}")
    days: set[dt.date] = set()
    for item in items:
        if isinstance(item, dt.date) and not isinstance(item, dt.datetime):
            days.add(item)
            continue
        try:
            if not isinstance(item, str) or not _DATE_RE.match(item.strip()):
                raise ValueError(item)
            days.add(dt.date.fromisoformat(item.strip()))
        except ValueError:
            raise ReportingSettingsError(f"{_key(key)}: {item!r} is not a date in YYYY-MM-DD form") from None
    return tuple(sorted(days))


def parse_status_names(value: Any, key: str = "waiting_on_contact_statuses") -> tuple[str, ...]:
    if value is None:
        return ()
    items = _json_or_value(value, key, "a list of status names")
    if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) and i.strip() for i in items):
        raise ReportingSettingsError(f"{_key(key)}: expected a list of status names such as [\"Awaiting customer\"], got {value!r}")
    return tuple(dict.fromkeys(i.strip() for i in items))


def parse_sla_targets(value: Any, key: str) -> Optional[dict[str, float]]:
    """`{"default": 480, "Urgent": 60}`: business minutes by priority name; None: no SLA."""
    if value is None:
        return None
    table = _json_or_value(value, key, 'a table of minutes by priority name, e.g. {"default": 480, "Urgent": 60}')
    if not isinstance(table, Mapping) or not table:
        raise ReportingSettingsError(f"{_key(key)}: expected a table of minutes by priority name, e.g. {{\"default\": 480, \"Urgent\": 60}}, got {value!r}")
    targets: dict[str, float] = {}
    for name, minutes in table.items():
        number: Optional[float] = None
        if isinstance(minutes, (int, float)) and not isinstance(minutes, bool):
            number = float(minutes)
        if number is None or not math.isfinite(number) or number < 0:
            raise ReportingSettingsError(f"{_key(key)}: the target for {name!r} must be a number of business minutes >= 0, got {minutes!r}")
        label = str(name).strip()
        if label.lower() in {k.lower() for k in targets}:
            raise ReportingSettingsError(f"{_key(key)}: priority {label!r} is given twice")
        targets[label] = number
    return targets


def parse_backlog_days(value: Any, key: str = "backlog_days") -> int:
    if value is None:
        return DEFAULT_BACKLOG_DAYS
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ReportingSettingsError(f"{_key(key)}: expected a whole number of days >= 0 (0: every day), got {value!r}")
    return value


def make_settings(
    timezone: Any = None,
    business_hours: Any = None,
    holidays: Any = None,
    waiting_on_contact_statuses: Any = None,
    sla_first_response_minutes: Any = None,
    sla_resolution_minutes: Any = None,
    backlog_days: Any = None,
) -> ReportingSettings:
    """Checks raw values (as TOML or the environment give them) into ReportingSettings."""
    hours_text = DEFAULT_BUSINESS_HOURS if business_hours is None else business_hours
    parts = parse_business_hours(hours_text)
    return ReportingSettings(
        timezone=DEFAULT_TIMEZONE if timezone is None else parse_timezone(timezone),
        business_hours=str(hours_text).strip(),
        holidays=parse_holidays(holidays),
        waiting_on_contact_statuses=parse_status_names(waiting_on_contact_statuses),
        sla_first_response_minutes=parse_sla_targets(sla_first_response_minutes, "sla.first_response_minutes"),
        sla_resolution_minutes=parse_sla_targets(sla_resolution_minutes, "sla.resolution_minutes"),
        backlog_days=parse_backlog_days(backlog_days),
        parts=parts,
    )


def load_reporting_settings() -> ReportingSettings:
    """Reads and checks `[happyfox_sync.reporting]` from dlt's configuration."""
    import dlt

    def get(name: str) -> Any:
        return dlt.config.get(_key(name))

    return make_settings(
        timezone=get("timezone"),
        business_hours=get("business_hours"),
        holidays=get("holidays"),
        waiting_on_contact_statuses=get("waiting_on_contact_statuses"),
        sla_first_response_minutes=get("sla.first_response_minutes"),
        sla_resolution_minutes=get("sla.resolution_minutes"),
        backlog_days=get("backlog_days"),
    )
