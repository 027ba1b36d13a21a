"""The figures of the report: headline tiles, chart series and the agent table.

Every figure is one query over the reporting models (see `sql/README.md` for the
definitions the page links to). Days are UTC days, like the models'. The report's
window is the `days` UTC days ending with `as_of` (today by default); the tiles use the
last 7 and 30 days of it.

Where other work adds business-hours columns to `ticket_metrics` or an SLA model
(`ticket_sla`), the report uses them; without them durations are calendar time and
the SLA panels say that no SLA targets are configured.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Optional

from .reader import ModelReader, day_literal

TOP_N = 15
"""Bars shown in the category, tag and custom field charts (the largest ones)."""


@dataclass(frozen=True)
class Window:
    """The `days` UTC days ending with `as_of` (both ends included)."""

    as_of: dt.date
    days: int

    @property
    def start(self) -> dt.date:
        return self.as_of - dt.timedelta(days=self.days - 1)

    def last(self, days: int) -> tuple[str, str]:
        """SQL literals of the first and last day of the last `days` days."""
        return day_literal(self.as_of - dt.timedelta(days=days - 1)), day_literal(self.as_of)

    def bounds(self) -> tuple[str, str]:
        return day_literal(self.start), day_literal(self.as_of)


@dataclass
class Tile:
    key: str
    label: str
    value: Optional[float]
    """The figure in its own unit (tickets, minutes, percent, rating); None = no data."""
    unit: str
    """'count', 'minutes', 'percent' or 'rating': how the page shows the value."""
    note: str
    definition: str
    """Anchor of the definition on the page."""


@dataclass
class Series:
    """The rows one chart draws, or why it has none."""

    key: str
    title: str
    counts: str
    """One line: what the chart counts."""
    definition: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    no_data: str = ""
    """Why there is nothing to draw ('' when rows is not empty)."""
    options: dict[str, Any] = field(default_factory=dict)
    """Chart details decided by the data (axis titles, orders)."""


@dataclass
class Figures:
    window: Window
    tiles: list[Tile]
    charts: list[Series]
    agents: list[dict[str, Any]]
    agents_no_data: str
    duration_basis: str
    """'business hours' or 'calendar time': what the duration figures measure."""
    notes: list[str]


NO_MODELS = "the reporting models are not built yet (no tickets loaded, or models switched off)"


class Durations:
    """Which duration columns of ticket_metrics to read: business minutes when present."""

    def __init__(self, reader: ModelReader) -> None:
        business = reader.has("ticket_metrics", "first_response_business_minutes", "resolution_business_minutes")
        self.business = business
        self.first_response = "first_response_business_minutes" if business else "first_response_minutes"
        self.resolution = "resolution_business_minutes" if business else "resolution_minutes"
        self.basis = "business hours" if business else "calendar time"
        self.suffix = "" if business else " (calendar time: business hours are not configured)"


def _created_day(alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return f"CAST({prefix}created_at AT TIME ZONE 'UTC' AS DATE)"


def _resolved_day(alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return f"CAST({prefix}last_resolved_at AT TIME ZONE 'UTC' AS DATE)"


def _sla_ready(reader: ModelReader) -> bool:
    """True when SLA targets are configured: the ticket_sla model exists and holds rows
    (without `[happyfox_sync.reporting.sla]` targets it exists but is empty)."""
    if not (reader.has("ticket_sla", "ticket_id", "metric", "is_breached") and reader.has("ticket_metrics")):
        return False
    found = reader.rows("SELECT COUNT(*) AS n FROM {{ reporting }}.ticket_sla", "SLA rows")
    return bool(found) and int(next(iter(found[0].values())) or 0) > 0


def _number(value: Any) -> Optional[float]:
    return None if value is None else round(float(value), 2)


# ---------------------------------------------------------------------------
# Tiles
# ---------------------------------------------------------------------------


def tiles(reader: ModelReader, window: Window, durations: Durations) -> list[Tile]:
    """The headline numbers, each one query over the models."""
    s7, end = window.last(7)
    s30, _ = window.last(30)
    have_metrics = reader.has("ticket_metrics")
    m: dict[str, Any] = {}
    if have_metrics:
        m = reader.rows(
            f"""
            SELECT
                COUNT(CASE WHEN NOT is_resolved THEN 1 END) AS open_now,
                COUNT(CASE WHEN created_day BETWEEN {s7} AND {end} THEN 1 END) AS created_7,
                COUNT(CASE WHEN created_day BETWEEN {s30} AND {end} THEN 1 END) AS created_30,
                MEDIAN(CASE WHEN created_day BETWEEN {s30} AND {end} THEN first_response END) AS first_response_30,
                MEDIAN(CASE WHEN is_resolved AND resolved_day BETWEEN {s30} AND {end} THEN resolution END) AS resolution_30,
                AVG(CASE WHEN resolved_day BETWEEN {s30} AND {end}
                         THEN CAST(latest_satisfaction_rating AS DOUBLE) END) AS satisfaction_30,
                COUNT(CASE WHEN resolved_day BETWEEN {s30} AND {end}
                           AND latest_satisfaction_rating IS NOT NULL THEN 1 END) AS ratings_30
            FROM (
                SELECT
                    is_resolved,
                    {_created_day()} AS created_day,
                    {_resolved_day()} AS resolved_day,
                    {durations.first_response} AS first_response,
                    {durations.resolution} AS resolution,
                    latest_satisfaction_rating
                FROM {{{{ reporting }}}}.ticket_metrics
            ) AS t
            """,
            "tiles: ticket_metrics",
        )[0]
    resolved: dict[str, Any] = {}
    if reader.has("ticket_status_history"):
        resolved = reader.rows(
            f"""
            SELECT
                COUNT(DISTINCT CASE WHEN resolved_day BETWEEN {s7} AND {end} THEN ticket_id END) AS resolved_7,
                COUNT(DISTINCT CASE WHEN resolved_day BETWEEN {s30} AND {end} THEN ticket_id END) AS resolved_30
            FROM (
                SELECT ticket_id, CAST(valid_from AT TIME ZONE 'UTC' AS DATE) AS resolved_day
                FROM {{{{ reporting }}}}.ticket_status_history
                WHERE is_resolution
            ) AS r
            """,
            "tiles: ticket_status_history",
        )[0]
    sla: dict[str, Any] = {}
    if _sla_ready(reader):
        sla = reader.rows(
            f"""
            SELECT
                COUNT(*) AS targets,
                COUNT(CASE WHEN s.is_breached THEN 1 END) AS breached
            FROM {{{{ reporting }}}}.ticket_sla AS s
            JOIN {{{{ reporting }}}}.ticket_metrics AS m ON m.ticket_id = s.ticket_id
            WHERE {_created_day('m')} BETWEEN {s30} AND {end}
            """,
            "tiles: ticket_sla",
        )[0]
    attainment = None
    if sla.get("targets"):
        attainment = round(100.0 * (sla["targets"] - sla["breached"]) / sla["targets"], 2)
    ratings = int(m.get("ratings_30") or 0)
    basis = durations.basis
    return [
        Tile("open_now", "Open now", m.get("open_now"), "count",
             "tickets in a pending status at the last sync", "def-open"),
        Tile("created_7", "Created, last 7 days", m.get("created_7"), "count",
             "tickets created", "def-created"),
        Tile("created_30", "Created, last 30 days", m.get("created_30"), "count",
             "tickets created", "def-created"),
        Tile("resolved_7", "Resolved, last 7 days", resolved.get("resolved_7"), "count",
             "distinct tickets resolved", "def-resolution"),
        Tile("resolved_30", "Resolved, last 30 days", resolved.get("resolved_30"), "count",
             "distinct tickets resolved", "def-resolution"),
        Tile("median_first_response", "Median first response", _number(m.get("first_response_30")), "minutes",
             f"{basis}; tickets created in the last 30 days", "def-first-response"),
        Tile("median_resolution", "Median resolution", _number(m.get("resolution_30")), "minutes",
             f"{basis}; tickets resolved in the last 30 days", "def-resolution-time"),
        Tile("sla_attainment", "SLA attainment", attainment, "percent",
             "SLA targets met, tickets created in the last 30 days" if _sla_ready(reader)
             else "no SLA targets configured", "def-sla"),
        Tile("satisfaction", "Satisfaction", _number(m.get("satisfaction_30")) if ratings else None, "rating",
             f"average latest rating, tickets resolved in the last 30 days ({ratings:,} rated)", "def-satisfaction"),
    ]


# ---------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------


def backlog(reader: ModelReader, window: Window) -> Series:
    series = Series(
        "backlog", "Backlog over time",
        "Per UTC day: tickets open at the end of the day, tickets created and tickets resolved that day.",
        "def-backlog",
    )
    if not reader.has("daily_backlog"):
        series.no_data = NO_MODELS
        return series
    start, end = window.bounds()
    rows = reader.rows(
        f"""
        SELECT
            day,
            SUM(tickets_open_at_end_of_day) AS open_at_end_of_day,
            SUM(tickets_created) AS created,
            SUM(tickets_resolved) AS resolved
        FROM {{{{ reporting }}}}.daily_backlog
        WHERE day BETWEEN {start} AND {end}
        GROUP BY day
        ORDER BY day
        """,
        "chart: backlog",
    )
    if not rows:
        series.no_data = "no ticket history in this window"
        return series
    # daily_backlog has no row for a day without any measure: those days are zeros,
    # between the first and the last day it has (it never runs past the data)
    by_day = {_as_date(r["day"]): r for r in rows}
    first, last = min(by_day), max(by_day)
    measures = (("open_at_end_of_day", "Open at end of day"), ("created", "Created"), ("resolved", "Resolved"))
    day = first
    while day <= last:
        row = by_day.get(day, {})
        for column, label in measures:
            series.rows.append({"day": day.isoformat(), "measure": label, "tickets": int(row.get(column) or 0)})
        day += dt.timedelta(days=1)
    series.options["measures"] = [label for _, label in measures]
    return series


def weekly_durations(reader: ModelReader, window: Window, durations: Durations, which: str) -> Series:
    """Median and 90th percentile per week of first response (by creation week) or resolution."""
    first_response = which == "first_response"
    column = durations.first_response if first_response else durations.resolution
    series = Series(
        f"{which}_weekly",
        ("First response" if first_response else "Resolution") + " by week",
        (
            "Per week of creation: median and 90th percentile time to the first public staff reply"
            if first_response
            else "Per week of the last resolution: median and 90th percentile time from creation to resolution"
        )
        + f", in hours ({durations.basis}).",
        "def-first-response" if first_response else "def-resolution-time",
    )
    if not reader.has("ticket_metrics"):
        series.no_data = NO_MODELS
        return series
    start, end = window.bounds()
    day = _created_day() if first_response else _resolved_day()
    resolved_only = "" if first_response else "AND is_resolved"
    rows = reader.rows(
        f"""
        SELECT
            CAST(DATE_TRUNC('week', {day}) AS DATE) AS week,
            MEDIAN({column}) AS median_minutes,
            QUANTILE_CONT({column}, 0.9) AS p90_minutes,
            COUNT({column}) AS tickets
        FROM {{{{ reporting }}}}.ticket_metrics
        WHERE {day} BETWEEN {start} AND {end} AND {column} IS NOT NULL {resolved_only}
        GROUP BY CAST(DATE_TRUNC('week', {day}) AS DATE)
        ORDER BY week
        """,
        f"chart: {which}",
    )
    for r in rows:
        week = _as_date(r["week"]).isoformat()
        for stat, col in (("Median", "median_minutes"), ("90th percentile", "p90_minutes")):
            series.rows.append({
                "week": week, "statistic": stat, "hours": round(float(r[col]) / 60, 2), "tickets": int(r["tickets"]),
            })
    if not rows:
        series.no_data = ("no first responses" if first_response else "no resolutions") + " in this window"
    return series


def sla_by_priority(reader: ModelReader, window: Window) -> Series:
    series = Series(
        "sla_by_priority", "SLA attainment by priority",
        "Share of SLA targets met (first response and resolution) of tickets created in the window, by current priority.",
        "def-sla",
    )
    if not _sla_ready(reader):
        series.no_data = (
            "no SLA targets configured (the ticket_sla model comes with the [happyfox_sync.reporting] settings)"
            if reader.has("ticket_metrics") else NO_MODELS
        )
        return series
    start, end = window.bounds()
    rows = reader.rows(
        f"""
        SELECT
            m.priority_id,
            COALESCE(m.priority_name, '(no priority)') AS priority,
            s.metric,
            COUNT(*) AS targets,
            COUNT(CASE WHEN s.is_breached THEN 1 END) AS breached
        FROM {{{{ reporting }}}}.ticket_sla AS s
        JOIN {{{{ reporting }}}}.ticket_metrics AS m ON m.ticket_id = s.ticket_id
        WHERE {_created_day('m')} BETWEEN {start} AND {end}
        GROUP BY m.priority_id, COALESCE(m.priority_name, '(no priority)'), s.metric
        ORDER BY m.priority_id, s.metric
        """,
        "chart: sla",
    )
    order: list[str] = []
    for r in rows:
        if r["priority"] not in order:
            order.append(r["priority"])
        met = int(r["targets"]) - int(r["breached"])
        series.rows.append({
            "priority": r["priority"], "metric": str(r["metric"]).replace("_", " "),
            "attainment": round(100.0 * met / int(r["targets"]), 2), "met": met, "targets": int(r["targets"]),
        })
    series.options["order"] = order
    if not rows:
        series.no_data = "no SLA targets for tickets created in this window"
    return series


def satisfaction(reader: ModelReader, window: Window) -> Series:
    series = Series(
        "satisfaction", "Satisfaction over time",
        "Per week of the last resolution: average latest satisfaction rating of the tickets that have one.",
        "def-satisfaction",
    )
    if not reader.has("ticket_metrics"):
        series.no_data = NO_MODELS
        return series
    start, end = window.bounds()
    day = _resolved_day()
    rows = reader.rows(
        f"""
        SELECT
            CAST(DATE_TRUNC('week', {day}) AS DATE) AS week,
            AVG(CAST(latest_satisfaction_rating AS DOUBLE)) AS rating,
            COUNT(*) AS ratings
        FROM {{{{ reporting }}}}.ticket_metrics
        WHERE {day} BETWEEN {start} AND {end} AND latest_satisfaction_rating IS NOT NULL
        GROUP BY CAST(DATE_TRUNC('week', {day}) AS DATE)
        ORDER BY week
        """,
        "chart: satisfaction",
    )
    series.rows = [
        {"week": _as_date(r["week"]).isoformat(), "rating": round(float(r["rating"]), 2), "ratings": int(r["ratings"])}
        for r in rows
    ]
    if not rows:
        series.no_data = "no satisfaction ratings on tickets resolved in this window"
    return series


def by_category(reader: ModelReader, window: Window) -> Series:
    series = Series(
        "by_category", "Tickets by category",
        f"Tickets created in the window, by current category (the {TOP_N} largest).", "def-category",
    )
    if not reader.has("ticket_metrics"):
        series.no_data = NO_MODELS
        return series
    start, end = window.bounds()
    rows = reader.rows(
        f"""
        SELECT COALESCE(category_name, '(no category)') AS name, COUNT(*) AS tickets
        FROM {{{{ reporting }}}}.ticket_metrics
        WHERE {_created_day()} BETWEEN {start} AND {end}
        GROUP BY COALESCE(category_name, '(no category)')
        ORDER BY tickets DESC, name
        LIMIT {TOP_N}
        """,
        "chart: category",
    )
    series.rows = [{"name": r["name"], "tickets": int(r["tickets"])} for r in rows]
    if not rows:
        series.no_data = "no tickets created in this window"
    return series


def by_tag(reader: ModelReader, window: Window) -> Series:
    series = Series(
        "by_tag", "Tickets by tag",
        f"Tickets created in the window carrying each tag now (the {TOP_N} most used; a ticket counts once per tag).",
        "def-tag",
    )
    if not reader.has("ticket_metrics"):
        series.no_data = NO_MODELS
        return series
    if not reader.has("ticket_tags_current"):
        series.no_data = "no ticket has a tag yet"
        return series
    start, end = window.bounds()
    rows = reader.rows(
        f"""
        SELECT g.tag AS name, COUNT(DISTINCT g.ticket_id) AS tickets
        FROM {{{{ reporting }}}}.ticket_tags_current AS g
        JOIN {{{{ reporting }}}}.ticket_metrics AS m ON m.ticket_id = g.ticket_id
        WHERE {_created_day('m')} BETWEEN {start} AND {end}
        GROUP BY g.tag
        ORDER BY tickets DESC, name
        LIMIT {TOP_N}
        """,
        "chart: tag",
    )
    series.rows = [{"name": r["name"], "tickets": int(r["tickets"])} for r in rows]
    if not rows:
        series.no_data = "no tagged tickets created in this window"
    return series


def by_custom_field(reader: ModelReader, window: Window, custom_field: Optional[str]) -> Series:
    """Tickets by the values of one custom field: the one named in the settings, else the
    first choice field (lowest id) with values in the window."""
    series = Series(
        "by_custom_field", "Tickets by custom field",
        f"Tickets created in the window, by the current value of one custom field (the {TOP_N} most common values).",
        "def-custom-field",
    )
    if not reader.has("ticket_metrics"):
        series.no_data = NO_MODELS
        return series
    if not reader.has("ticket_custom_fields_current"):
        series.no_data = "no ticket has a custom field value yet"
        return series
    start, end = window.bounds()
    rows = reader.rows(
        f"""
        SELECT c.field_id, c.field_name, c.field_type, c.value, COUNT(DISTINCT c.ticket_id) AS tickets
        FROM {{{{ reporting }}}}.ticket_custom_fields_current AS c
        JOIN {{{{ reporting }}}}.ticket_metrics AS m ON m.ticket_id = c.ticket_id
        WHERE {_created_day('m')} BETWEEN {start} AND {end} AND c.value IS NOT NULL
        GROUP BY c.field_id, c.field_name, c.field_type, c.value
        """,
        "chart: custom field",
    )
    fields: dict[int, dict[str, Any]] = {}
    for r in rows:
        if r["field_id"] is None:
            continue
        fields.setdefault(int(r["field_id"]), {"name": r["field_name"], "type": r["field_type"], "rows": []})["rows"].append(r)
    chosen: Optional[int] = None
    if custom_field:
        wanted = custom_field.strip().casefold()
        chosen = next(
            (fid for fid, f in sorted(fields.items()) if str(f["name"] or "").casefold() == wanted or str(fid) == wanted),
            None,
        )
        if chosen is None:
            series.no_data = f"custom field {custom_field!r} (setting report_custom_field) has no values on tickets created in this window"
            return series
    else:
        choice = [fid for fid, f in sorted(fields.items()) if f["type"] == "choice"]
        chosen = choice[0] if choice else (min(fields) if fields else None)
    if chosen is None:
        series.no_data = "no custom field values on tickets created in this window"
        return series
    field_def = fields[chosen]
    counts: dict[str, int] = {}
    for r in field_def["rows"]:
        # a multiple choice value is the chosen options, comma-separated: count each option
        values = [v.strip() for v in str(r["value"]).split(",")] if field_def["type"] == "multiple_choice" else [str(r["value"])]
        for v in values:
            if v:
                counts[v] = counts.get(v, 0) + int(r["tickets"])
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_N]
    series.rows = [{"name": name, "tickets": n} for name, n in top]
    series.title = f"Tickets by {field_def['name']}"
    series.options["field"] = field_def["name"]
    return series


# ---------------------------------------------------------------------------
# Agent table
# ---------------------------------------------------------------------------


def agents(reader: ModelReader, window: Window, durations: Durations) -> tuple[list[dict[str, Any]], str]:
    """Per staff member active in the window: public replies, resolutions, first responses
    and their median (tickets whose first public staff reply was theirs, in the window)."""
    if not (reader.has("agent_daily_activity") and reader.has("ticket_metrics")):
        return [], NO_MODELS
    start, end = window.bounds()
    rows = reader.rows(
        f"""
        WITH activity AS (
            SELECT
                staff_id,
                MAX(staff_name) AS staff_name,
                SUM(public_replies) AS replies,
                SUM(tickets_resolved) AS resolved,
                SUM(first_responses) AS first_responses
            FROM {{{{ reporting }}}}.agent_daily_activity
            WHERE activity_date BETWEEN {start} AND {end}
            GROUP BY staff_id
        ),
        first_response AS (
            SELECT first_staff_reply_by_id AS staff_id, MEDIAN({durations.first_response}) AS median_minutes
            FROM {{{{ reporting }}}}.ticket_metrics
            WHERE first_staff_reply_by_id IS NOT NULL
              AND CAST(first_staff_reply_at AT TIME ZONE 'UTC' AS DATE) BETWEEN {start} AND {end}
            GROUP BY first_staff_reply_by_id
        )
        SELECT a.staff_id, a.staff_name, a.replies, a.resolved, a.first_responses, f.median_minutes
        FROM activity AS a
        LEFT JOIN first_response AS f ON f.staff_id = a.staff_id
        ORDER BY a.replies DESC, a.resolved DESC, a.staff_name
        """,
        "agent table",
    )
    out = [
        {
            "staff_id": r["staff_id"],
            "name": r["staff_name"] or f"staff {r['staff_id']}",
            "replies": int(r["replies"] or 0),
            "resolved": int(r["resolved"] or 0),
            "first_responses": int(r["first_responses"] or 0),
            "median_first_response_minutes": _number(r["median_minutes"]),
        }
        for r in rows
    ]
    return out, "" if out else "no staff activity in this window"


def collect(reader: ModelReader, window: Window, custom_field: Optional[str] = None) -> Figures:
    """Every figure of the page."""
    durations = Durations(reader)
    notes = []
    if not reader.has("ticket_metrics"):
        notes.append(f"No data yet: {NO_MODELS}.")
    elif not durations.business:
        notes.append("Durations are calendar time: business hours are not configured.")
    agent_rows, agents_no_data = agents(reader, window, durations)
    return Figures(
        window=window,
        tiles=tiles(reader, window, durations),
        charts=[
            backlog(reader, window),
            weekly_durations(reader, window, durations, "first_response"),
            weekly_durations(reader, window, durations, "resolution"),
            sla_by_priority(reader, window),
            satisfaction(reader, window),
            by_category(reader, window),
            by_tag(reader, window),
            by_custom_field(reader, window, custom_field),
        ],
        agents=agent_rows,
        agents_no_data=agents_no_data,
        duration_basis=durations.basis,
        notes=notes,
    )


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
