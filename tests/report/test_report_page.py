"""The report in a real browser: it draws every chart, logs no error, asks the network for
nothing, and each headline tile shows the figure SQL computes over the models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from happyfox_sync.report import write_report
from tests.report.browser import PHONE, open_report, screenshot_path
from tests.report.report_support import AS_OF, day, sql_figure

R7, R30 = f"BETWEEN {day(6)} AND {day(0)}", f"BETWEEN {day(29)} AND {day(0)}"
CREATED = "CAST(created_at AT TIME ZONE 'UTC' AS DATE)"
RESOLVED = "CAST(last_resolved_at AT TIME ZONE 'UTC' AS DATE)"

# each headline tile, computed independently of the report, in SQL both engines run
TILE_SQL = {
    "open_now": "SELECT COUNT(*) FROM {r}.ticket_metrics WHERE NOT is_resolved",
    "created_7": f"SELECT COUNT(*) FROM {{r}}.ticket_metrics WHERE {CREATED} {R7}",
    "created_30": f"SELECT COUNT(*) FROM {{r}}.ticket_metrics WHERE {CREATED} {R30}",
    "resolved_7": "SELECT COUNT(DISTINCT ticket_id) FROM {r}.ticket_status_history"
                  f" WHERE is_resolution AND CAST(valid_from AT TIME ZONE 'UTC' AS DATE) {R7}",
    "resolved_30": "SELECT COUNT(DISTINCT ticket_id) FROM {r}.ticket_status_history"
                   f" WHERE is_resolution AND CAST(valid_from AT TIME ZONE 'UTC' AS DATE) {R30}",
    "median_first_response": "SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY first_response_minutes)"
                             f" FROM {{r}}.ticket_metrics WHERE {CREATED} {R30}",
    "median_resolution": "SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY resolution_minutes)"
                         f" FROM {{r}}.ticket_metrics WHERE is_resolved AND {RESOLVED} {R30}",
    "satisfaction": "SELECT AVG(latest_satisfaction_rating) FROM {r}.ticket_metrics"
                    f" WHERE latest_satisfaction_rating IS NOT NULL AND {RESOLVED} {R30}",
}


def _expected(value: Any, key: str) -> str:
    if value is None:
        return ""
    if key.startswith(("open", "created", "resolved_")):
        return str(int(value))
    return str(round(float(value), 2))


@pytest.fixture
def report(pipeline: Any, tmp_path: Path) -> Path:
    path = tmp_path / "report.html"
    write_report(pipeline, path, as_of=AS_OF)
    return path


def test_every_headline_tile_equals_the_figure_sql_computes_over_the_models(pipeline, report, browser):
    opened = open_report(browser, report)
    for key, sql in TILE_SQL.items():
        expected = _expected(sql_figure(pipeline, sql), key)
        assert expected not in ("", "0"), f"the test helpdesk must give {key} a figure"
        assert opened.tiles[key]["value"] == expected, key


def test_counts_are_shown_with_thousands_separators_and_durations_in_hours(pipeline, report, browser):
    opened = open_report(browser, report)
    open_now = int(sql_figure(pipeline, TILE_SQL["open_now"]))
    assert opened.tiles["open_now"]["text"] == f"{open_now:,}"
    first_response = float(sql_figure(pipeline, TILE_SQL["median_first_response"]))
    assert 60 <= first_response < 48 * 60, "the test helpdesk answers within hours"
    assert opened.tiles["median_first_response"]["text"] == f"{first_response / 60:.1f} h"


def test_every_chart_draws_marks_and_the_console_stays_clean(report, browser, request):
    opened = open_report(browser, report, screenshot=screenshot_path(request.node.name))
    assert opened.errors == []
    assert opened.charts_expected == 7, "every chart but SLA (not configured) has data"
    assert set(opened.marks) == {
        "chart-backlog", "chart-first_response_weekly", "chart-resolution_weekly", "chart-satisfaction",
        "chart-by_category", "chart-by_tag", "chart-by_custom_field",
    }
    assert all(count > 0 for count in opened.marks.values()), opened.marks
    assert opened.screenshot is not None and opened.screenshot.stat().st_size > 50_000


def test_opening_the_file_requests_nothing_but_the_file(report, browser):
    opened = open_report(browser, report)
    assert opened.requests == [report.resolve().as_uri()]


def test_the_page_loads_no_script_style_font_or_image_and_links_only_within_itself(report, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(report.resolve().as_uri())
    page.wait_for_function("document.querySelectorAll('.chart[data-rendered]').length === 7", timeout=30_000)
    loaded = page.evaluate("Array.from(document.querySelectorAll('[src], link[href]')).map(e => e.outerHTML)")
    links = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))")
    context.close()
    assert loaded == []
    assert links and all(href.startswith("#def-") for href in links), links


def test_the_page_is_under_five_megabytes(report):
    assert report.stat().st_size < 5 * 1024 * 1024


def test_sla_panel_says_no_targets_are_configured_without_the_sla_model(report, browser):
    opened = open_report(browser, report)
    assert opened.no_data == ["sla_by_priority"]
    assert opened.tiles["sla_attainment"] == {"value": "", "text": "–"}
    assert "no SLA targets configured" in report.read_text(encoding="utf-8")


def test_phone_width_needs_no_sideways_scrolling_and_still_draws_every_chart(report, browser, request):
    opened = open_report(browser, report, viewport=PHONE, screenshot=screenshot_path(request.node.name))
    assert opened.scroll_width <= PHONE["width"]
    assert opened.errors == []
    assert len(opened.marks) == 7 and all(count > 0 for count in opened.marks.values())


def test_the_page_prints_to_pdf_with_every_chart(report, browser, tmp_path):
    context = browser.new_context()
    page = context.new_page()
    page.goto(report.resolve().as_uri())
    page.wait_for_function("document.querySelectorAll('.chart[data-rendered]').length === 7", timeout=30_000)
    page.emulate_media(media="print")
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=False)
    drawn = page.evaluate("document.querySelectorAll('.chart svg g.role-mark > *').length")
    context.close()
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000
    assert drawn > 0


def test_hovering_a_bar_shows_its_figures_in_a_tooltip(report, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(report.resolve().as_uri())
    page.wait_for_function("document.querySelectorAll('.chart[data-rendered]').length === 7", timeout=30_000)
    page.hover("#chart-by_category svg g.role-mark > path >> nth=0")
    page.wait_for_selector("#vg-tooltip-element.visible", timeout=5_000)
    tooltip = page.inner_text("#vg-tooltip-element")
    context.close()
    assert "name" in tooltip and "tickets" in tooltip
