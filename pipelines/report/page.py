"""The HTML page: tiles, chart panels, the agent table and the definitions, in one file.

The page needs nothing at view time: Vega, Vega-Lite and vega-embed come inlined as
one JavaScript bundle made by `vl-convert-python` (the same Vega-Lite version altair
writes its specifications for), the charts' data is in the page, and the styles are
inline. No font, image or script is fetched, so it opens offline, from a shared folder
or a static web server alike.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import importlib.metadata
import json
import os
from pathlib import Path
from typing import Any, Optional

import altair as alt
import vl_convert

from . import charts
from .figures import Figures, Series, Tile

DEFINITIONS: list[tuple[str, str, str]] = [
    ("def-open", "Open",
     "A ticket is open while its current status is pending (any status whose behaviour is not"
     " <code>completed</code>): <code>ticket_metrics</code> rows with <code>is_resolved</code> false."),
    ("def-created", "Created",
     "A ticket counts on the UTC day of its <code>ticket_metrics.created_at</code>. Deleted tickets are"
     " left out of every model."),
    ("def-resolution", "Resolution",
     "Entering a completed status from a pending one (or a ticket created in a completed status); moving"
     " between two completed statuses is not a new resolution. Counted as distinct tickets with a"
     " resolution (<code>ticket_status_history.is_resolution</code>) on a UTC day of the period."),
    ("def-first-response", "First response time",
     "From the ticket's creation to its first public staff reply: a message by staff that is neither a"
     " private note nor the opening message (<code>ticket_metrics.first_response_minutes</code>, or"
     " <code>first_response_business_minutes</code> when business hours are configured). Tickets without"
     " a reply yet are not counted."),
    ("def-resolution-time", "Resolution time",
     "From creation to the last resolution, only while the ticket is resolved"
     " (<code>ticket_metrics.resolution_minutes</code>, or <code>resolution_business_minutes</code> when"
     " business hours are configured); counted on the UTC day of <code>last_resolved_at</code>."),
    ("def-sla", "SLA attainment",
     "The share of SLA targets (rows of <code>ticket_sla</code>: one per ticket and metric,"
     " <code>first_response</code> or <code>resolution</code>) that are not breached"
     " (<code>is_breached</code>), for tickets created in the period."),
    ("def-satisfaction", "Satisfaction",
     "<code>ticket_metrics.latest_satisfaction_rating</code>: the rating of the ticket's latest update"
     " that carries one, averaged over the tickets whose last resolution falls in the period."),
    ("def-backlog", "Backlog",
     "<code>daily_backlog</code> summed over category, priority and status:"
     " <code>tickets_open_at_end_of_day</code> (tickets whose state after the day's last event, replayed"
     " from the history, is a pending status), <code>tickets_created</code> and"
     " <code>tickets_resolved</code> (distinct tickets resolved that day)."),
    ("def-category", "Category", "The ticket's current category, <code>ticket_metrics.category_name</code>."),
    ("def-tag", "Tag", "The tags a ticket carries now, <code>ticket_tags_current.tag</code>."),
    ("def-custom-field", "Custom field",
     "The current value of one ticket custom field, <code>ticket_custom_fields_current.value</code>; a"
     " multiple choice value counts once for each option chosen. The field is"
     " <code>[happyfox_sync] report_custom_field</code>, else the first choice field."),
    ("def-agent", "Agent activity",
     "<code>agent_daily_activity</code> summed over the days of the period: public replies, tickets"
     " resolved, first responses. The median first response is over the tickets whose first public"
     " staff reply was theirs, made in the period."),
]

CSS = """
:root { --ink:#1d2430; --muted:#5b6575; --line:#dde2ea; --panel:#fff; --bg:#f4f6f9; --accent:#0072B2; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",Arial,sans-serif;
       color:var(--ink); background:var(--bg); }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 0 16px; }
header { padding-top: 20px; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.05rem; margin: 0 0 2px; }
.meta { color: var(--muted); margin: 0 0 4px; }
.note { color: var(--muted); font-size: .85rem; margin: 0; }
.notice { background:#fff7e0; border:1px solid #e6c66a; border-radius:6px; padding:6px 10px; margin:8px 0; }
.tiles { display:grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 170px), 1fr)); gap:10px; margin:16px 0; }
.tile { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:10px 12px; }
.tile .label { font-size:.8rem; color:var(--muted); text-transform: uppercase; letter-spacing:.03em; }
.tile .value { font-size:1.7rem; font-weight:650; margin: 2px 0; font-variant-numeric: tabular-nums; }
.tile.empty .value { color: var(--muted); }
.tile a, .panel a { color: var(--accent); }
.panels { display:grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 460px), 1fr)); gap:12px; }
.panel { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:12px 14px; min-width:0; }
.panel.wide { grid-column: 1 / -1; }
.counts { color:var(--muted); font-size:.85rem; margin:0 0 8px; }
.chart { width:100%; min-height: 120px; }
.chart svg { max-width:100%; height:auto; }
.no-data { display:flex; align-items:center; justify-content:center; min-height:120px; color:var(--muted);
           border:1px dashed var(--line); border-radius:6px; text-align:center; padding:12px; }
.table-wrap { overflow-x:auto; }
table { border-collapse: collapse; width:100%; font-variant-numeric: tabular-nums; }
th, td { padding:6px 8px; border-bottom:1px solid var(--line); text-align:right; white-space:nowrap; }
th:first-child, td:first-child { text-align:left; }
th { font-size:.8rem; color:var(--muted); font-weight:600; }
dl.definitions dt { font-weight:600; margin-top:8px; }
dl.definitions dd { margin:0 0 4px; color:var(--muted); overflow-wrap:anywhere; }
code { overflow-wrap:anywhere; }
footer { color:var(--muted); font-size:.8rem; padding-bottom:24px; }
@media (max-width: 560px) { .tile .value { font-size:1.35rem; } h1 { font-size:1.25rem; } }
@media print {
  body { background:#fff; font-size:11pt; }
  header, main, footer { max-width:none; padding:0; }
  .tiles { grid-template-columns: repeat(5, 1fr); }
  .panels { display:block; }
  .panel, .tile { break-inside: avoid; page-break-inside: avoid; border-color:#bbb; }
  .panel { margin-bottom: 10px; }
  a { color: inherit; text-decoration: none; }
  .vg-tooltip, #vg-tooltip-element { display:none !important; }
}
"""

EMBED_JS = """
const specs = JSON.parse(document.getElementById("report-specs").textContent);
for (const [id, spec] of Object.entries(specs)) {
  const element = document.getElementById(id);
  vegaEmbed(element, spec, {renderer: "svg", actions: false}).then(function () {
    element.dataset.rendered = "true";
  }).catch(function (error) {
    element.textContent = "This chart could not be drawn: " + error;
    console.error(error);
  });
}
"""


def bundle_cache_dir() -> Path:
    """Where the JavaScript bundle is kept between runs: $HAPPYFOX_SYNC_CACHE_DIR, else the
    user's cache folder ($XDG_CACHE_HOME or ~/.cache)/happyfox-sync."""
    configured = os.environ.get("HAPPYFOX_SYNC_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "happyfox-sync"


@functools.lru_cache(maxsize=1)
def javascript_bundle() -> str:
    """Vega + Vega-Lite + vega-embed as one script, for the Vega-Lite version altair targets.

    vl-convert bundles the libraries anew on its first call in a process (1.5 s on an
    idle machine, several seconds on a busy one), so the result is cached on disk, keyed
    by the vl-convert and Vega-Lite versions: a scheduled report pays it once per machine
    and upgrade. A cache that cannot be read or written is simply not used.
    """
    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    versions = vl_convert.get_vegalite_versions()
    vl_version = wanted if wanted in versions else versions[-1]
    cache = bundle_cache_dir() / f"vega-bundle-vlconvert{importlib.metadata.version('vl-convert-python')}-vl{vl_version}.js"
    try:
        bundle = cache.read_text(encoding="utf-8")
        if bundle.rstrip().endswith(BUNDLE_END):
            return bundle
    except OSError:
        pass
    bundle = vl_convert.javascript_bundle(vl_version=vl_version).replace("</script", "<\\/script")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
        tmp.write_text(bundle, encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:
        pass
    return bundle


BUNDLE_END = "window.vegaLite=__default1;"
"""How vl-convert's bundle ends; a cached file that does not was cut short and is rebuilt."""


def format_value(tile: Tile) -> str:
    """The figure as a person reads it."""
    v = tile.value
    if v is None:
        return "–"
    if tile.unit == "count":
        return f"{int(v):,}"
    if tile.unit == "percent":
        return f"{v:.1f}%"
    if tile.unit == "rating":
        return f"{v:.2f}"
    if v < 60:
        return f"{v:.0f} min"
    if v < 48 * 60:
        return f"{v / 60:.1f} h"
    return f"{v / 1440:.1f} d"


def _tile(tile: Tile) -> str:
    # the figure itself, machine-readable (tests and scrapers compare it with SQL)
    value = "" if tile.value is None else (str(int(tile.value)) if tile.unit == "count" else str(round(float(tile.value), 2)))
    note = tile.note if tile.value is not None else f"no data: {tile.note}"
    return (
        f'<div class="tile{" empty" if tile.value is None else ""}" data-tile="{tile.key}" data-value="{value}"'
        f' data-unit="{tile.unit}">'
        f'<div class="label">{html.escape(tile.label)}</div>'
        f'<div class="value">{html.escape(format_value(tile))}</div>'
        f'<p class="note">{html.escape(note)} · <a href="#{tile.definition}">definition</a></p></div>'
    )


def _panel(series: Series, wide: bool = False) -> str:
    body = (
        f'<div class="chart" id="chart-{series.key}" role="img" aria-label="{html.escape(series.title)}"></div>'
        if series.rows
        else f'<div class="no-data" data-no-data="{series.key}">No data: {html.escape(series.no_data)}</div>'
    )
    return (
        f'<section class="panel{" wide" if wide else ""}" data-panel="{series.key}">'
        f"<h2>{html.escape(series.title)}</h2>"
        f'<p class="counts">{html.escape(series.counts)} <a href="#{series.definition}">Definition</a></p>'
        f"{body}</section>"
    )


def _minutes(value: Optional[float]) -> str:
    return format_value(Tile("", "", value, "minutes", "", "")) if value is not None else "–"


def _agents(figures: Figures) -> str:
    head = (
        '<section class="panel wide" data-panel="agents"><h2>Agents</h2>'
        f'<p class="counts">Per staff member active in the period: public replies, tickets resolved, first'
        f" responses and their median ({html.escape(figures.duration_basis)})."
        ' <a href="#def-agent">Definition</a></p>'
    )
    if not figures.agents:
        return head + f'<div class="no-data" data-no-data="agents">No data: {html.escape(figures.agents_no_data)}</div></section>'
    rows = "".join(
        f'<tr data-staff-id="{html.escape(str(a["staff_id"]))}"><td>{html.escape(str(a["name"]))}</td>'
        f'<td>{a["replies"]:,}</td><td>{a["resolved"]:,}</td><td>{a["first_responses"]:,}</td>'
        f'<td>{_minutes(a["median_first_response_minutes"])}</td></tr>'
        for a in figures.agents
    )
    return (
        head + '<div class="table-wrap"><table class="agents"><thead><tr><th>Agent</th><th>Public replies</th>'
        "<th>Resolved</th><th>First responses</th><th>Median first response</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div></section>"
    )


def _json_for_script(value: Any) -> str:
    """JSON that cannot close the <script> element it sits in."""
    return json.dumps(value, separators=(",", ":"), default=str).replace("</", "<\\/")


def render(figures: Figures, *, title: str, source: str, generated_at: dt.datetime) -> str:
    """The whole page as one string."""
    window = figures.window
    specs = {f"chart-{s.key}": charts.spec(s) for s in figures.charts if s.rows}
    notices = "".join(f'<p class="notice">{html.escape(n)}</p>' for n in figures.notes)
    panels = "".join(_panel(s, wide=s.key == "backlog") for s in figures.charts)
    definitions = "".join(f'<dt id="{a}">{html.escape(name)}</dt><dd>{text}</dd>' for a, name, text in DEFINITIONS)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{CSS}</style>
</head>
<body>
<header>
<h1>{html.escape(title)}</h1>
<p class="meta">Last {window.days} days: {window.start.isoformat()} to {window.as_of.isoformat()} (UTC days).
Figures from the reporting models in {html.escape(source)}.</p>
{notices}
</header>
<main>
<section class="tiles" aria-label="headline numbers">{''.join(_tile(t) for t in figures.tiles)}</section>
<div class="panels">{panels}{_agents(figures)}</div>
<section class="panel wide" id="definitions"><h2>Definitions</h2>
<p class="counts">As in the models' documentation (sql/README.md). Days are UTC days; deleted tickets are left out.</p>
<dl class="definitions">{definitions}</dl></section>
</main>
<footer><p>Generated {generated_at.strftime('%Y-%m-%d %H:%M')} UTC by happyfox-sync report.</p></footer>
<script type="application/json" id="report-specs">{_json_for_script(specs)}</script>
<script type="module">{javascript_bundle()}</script>
<script type="module">{EMBED_JS}</script>
</body>
</html>
"""
