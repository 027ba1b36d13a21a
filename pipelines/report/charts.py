"""Vega-Lite specifications of the report's charts, built with altair.

Each chart is drawn by Vega-Lite in the browser from a few dozen aggregated rows, so
the page stays small however big the helpdesk is. Colours are the Okabe-Ito palette,
which stays distinguishable with the common colour-vision deficiencies, and series
also differ by line dash or position, never by colour alone. Widths follow the page
(`width: "container"`), so a chart fits a laptop or a phone. Days are UTC days in the
data and are drawn with UTC time units, so a viewer's time zone never shifts a day.
"""

from __future__ import annotations

from typing import Any, Callable

import altair as alt

from .figures import Series

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
"""Okabe & Ito's colour-blind-safe palette; blue first (bars of a single series)."""

HEIGHT = 240
DASHES = [[1, 0], [6, 3], [2, 2]]


def _base(series: Series) -> alt.Chart:
    return alt.Chart(alt.Data(values=series.rows)).properties(width="container", height=HEIGHT)


def _config(chart: alt.TopLevelMixin) -> dict[str, Any]:
    spec = chart.configure_range(category=OKABE_ITO).configure_view(stroke=None).configure_axis(
        labelFontSize=11, titleFontSize=12, gridColor="#e6e6e6"
    ).configure_legend(orient="bottom", title=None, labelFontSize=12).to_dict()
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return spec


def backlog(series: Series) -> alt.TopLevelMixin:
    measures = series.options.get("measures")
    return _base(series).mark_line(strokeWidth=2).encode(
        x=alt.X("day:T", timeUnit="utcyearmonthdate", title="day (UTC)", axis=alt.Axis(format="%b %d", labelOverlap=True)),
        y=alt.Y("tickets:Q", title="tickets"),
        color=alt.Color("measure:N", scale=alt.Scale(domain=measures)),
        strokeDash=alt.StrokeDash("measure:N", scale=alt.Scale(domain=measures, range=DASHES)),
        tooltip=[alt.Tooltip("day:T", timeUnit="utcyearmonthdate", format="%Y-%m-%d"), "measure:N", "tickets:Q"],
    )


def weekly(series: Series) -> alt.TopLevelMixin:
    order = ["Median", "90th percentile"]
    return _base(series).mark_line(strokeWidth=2, point=True).encode(
        x=alt.X("week:T", timeUnit="utcyearmonthdate", title="week starting (UTC)", axis=alt.Axis(format="%b %d", labelOverlap=True)),
        y=alt.Y("hours:Q", title="hours"),
        color=alt.Color("statistic:N", scale=alt.Scale(domain=order)),
        strokeDash=alt.StrokeDash("statistic:N", scale=alt.Scale(domain=order, range=DASHES[:2])),
        tooltip=[alt.Tooltip("week:T", timeUnit="utcyearmonthdate", format="%Y-%m-%d", title="week of"), "statistic:N",
                 alt.Tooltip("hours:Q", format=".1f"), alt.Tooltip("tickets:Q", title="tickets")],
    )


def sla(series: Series) -> alt.TopLevelMixin:
    return _base(series).mark_bar().encode(
        x=alt.X("priority:N", sort=series.options.get("order"), title="priority", axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("metric:N"),
        y=alt.Y("attainment:Q", title="% of targets met", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("metric:N"),
        tooltip=["priority:N", "metric:N", alt.Tooltip("attainment:Q", format=".1f", title="% met"),
                 "met:Q", "targets:Q"],
    )


def satisfaction(series: Series) -> alt.TopLevelMixin:
    return _base(series).mark_line(color=OKABE_ITO[2], strokeWidth=2, point=alt.OverlayMarkDef(color=OKABE_ITO[2])).encode(
        x=alt.X("week:T", timeUnit="utcyearmonthdate", title="week starting (UTC)", axis=alt.Axis(format="%b %d", labelOverlap=True)),
        y=alt.Y("rating:Q", title="average rating", scale=alt.Scale(zero=True)),
        tooltip=[alt.Tooltip("week:T", timeUnit="utcyearmonthdate", format="%Y-%m-%d", title="week of"),
                 alt.Tooltip("rating:Q", format=".2f"), alt.Tooltip("ratings:Q", title="ratings")],
    )


def bars(series: Series) -> alt.TopLevelMixin:
    height = max(HEIGHT // 2, 22 * len(series.rows))
    return alt.Chart(alt.Data(values=series.rows)).properties(width="container", height=height).mark_bar(
        color=OKABE_ITO[0]
    ).encode(
        y=alt.Y("name:N", sort="-x", title=None, axis=alt.Axis(labelLimit=180)),
        x=alt.X("tickets:Q", title="tickets"),
        tooltip=[alt.Tooltip("name:N", title=series.options.get("field", "name")), "tickets:Q"],
    )


BUILDERS: dict[str, Callable[[Series], alt.TopLevelMixin]] = {
    "backlog": backlog,
    "first_response_weekly": weekly,
    "resolution_weekly": weekly,
    "sla_by_priority": sla,
    "satisfaction": satisfaction,
    "by_category": bars,
    "by_tag": bars,
    "by_custom_field": bars,
}


def spec(series: Series) -> dict[str, Any]:
    """The Vega-Lite specification (a JSON-able dict) of one chart with rows."""
    return _config(BUILDERS[series.key](series))
