"""The charts' rows are the models' figures; the custom field setting picks the field;
whatever text the helpdesk holds is shown as text, never run as markup."""

from __future__ import annotations

import datetime as dt

from happyfox_sync.report import build_figures, write_report
from happyfox_sync.report.figures import Figures, Series, Tile, Window
from happyfox_sync.report.page import render
from tests.report.report_support import AS_OF, day, sql_figure


def _chart(figures: Figures, key: str) -> Series:
    return next(s for s in figures.charts if s.key == key)


def test_backlog_rows_are_daily_backlog_summed_per_day(pipeline):
    backlog = _chart(build_figures(pipeline, days=30, as_of=AS_OF), "backlog")
    open_days = {r["day"]: r["tickets"] for r in backlog.rows if r["measure"] == "Open at end of day"}
    assert len(open_days) == 30
    total_open = sql_figure(
        pipeline, f"SELECT SUM(tickets_open_at_end_of_day) FROM {{r}}.daily_backlog WHERE day BETWEEN {day(29)} AND {day(0)}"
    )
    assert sum(open_days.values()) == int(total_open)
    last = sql_figure(pipeline, f"SELECT SUM(tickets_open_at_end_of_day) FROM {{r}}.daily_backlog WHERE day = {day(0)}")
    assert open_days[AS_OF.isoformat()] == int(last)


def test_category_bars_count_tickets_created_in_the_window_by_current_category(pipeline):
    bars = _chart(build_figures(pipeline, as_of=AS_OF), "by_category").rows
    for bar in bars:
        expected = sql_figure(
            pipeline,
            "SELECT COUNT(*) FROM {r}.ticket_metrics WHERE COALESCE(category_name, '(no category)') = "
            f"'{bar['name']}' AND CAST(created_at AT TIME ZONE 'UTC' AS DATE) BETWEEN {day(89)} AND {day(0)}",
        )
        assert bar["tickets"] == int(expected), bar
    assert [b["tickets"] for b in bars] == sorted((b["tickets"] for b in bars), reverse=True)


def test_the_custom_field_setting_charts_that_field_by_name(pipeline):
    name = sql_figure(
        pipeline, "SELECT MIN(field_name) FROM {r}.ticket_custom_fields_current WHERE field_type <> 'choice' AND value IS NOT NULL"
    )
    chart = _chart(build_figures(pipeline, as_of=AS_OF, custom_field=name.upper()), "by_custom_field")
    assert chart.title == f"Tickets by {name}"
    top = chart.rows[0]
    expected = sql_figure(
        pipeline,
        "SELECT COUNT(DISTINCT c.ticket_id) FROM {r}.ticket_custom_fields_current AS c"
        " JOIN {r}.ticket_metrics AS m ON m.ticket_id = c.ticket_id"
        f" WHERE c.field_name = '{name}' AND c.value = '{top['name'].replace(chr(39), chr(39) * 2)}'"
        f" AND CAST(m.created_at AT TIME ZONE 'UTC' AS DATE) BETWEEN {day(89)} AND {day(0)}",
    )
    assert top["tickets"] == int(expected)


def test_without_the_setting_the_first_choice_field_is_charted(pipeline):
    first_choice = sql_figure(
        pipeline,
        "SELECT field_name FROM {r}.ticket_custom_fields_current WHERE field_type = 'choice'"
        " ORDER BY field_id LIMIT 1",
    )
    assert _chart(build_figures(pipeline, as_of=AS_OF), "by_custom_field").title == f"Tickets by {first_choice}"


def test_a_custom_field_that_has_no_values_says_so_naming_the_setting(pipeline):
    chart = _chart(build_figures(pipeline, as_of=AS_OF, custom_field="No such field"), "by_custom_field")
    assert chart.rows == []
    assert chart.no_data == (
        "custom field 'No such field' (setting report_custom_field) has no values on tickets created in this window"
    )


def test_helpdesk_text_is_shown_as_text_and_never_run(browser, tmp_path):
    hostile = "</script><img src=x onerror=\"document.title='pwned'\">"
    tag = Series("by_tag", "Tickets by tag", "counts", "def-tag", rows=[{"name": hostile, "tickets": 3}])
    figures = Figures(
        window=Window(dt.date(2026, 3, 2), 90),
        tiles=[Tile("open_now", "Open now", 1, "count", "note", "def-open")],
        charts=[tag], agents=[{"staff_id": 1, "name": hostile, "replies": 1, "resolved": 0, "first_responses": 1,
                              "median_first_response_minutes": 5.0}],
        agents_no_data="", duration_basis="calendar time", notes=[],
    )
    path = tmp_path / "hostile.html"
    path.write_text(render(figures, title="Report", source="x", generated_at=dt.datetime(2026, 3, 2)), encoding="utf-8")
    context = browser.new_context()
    page = context.new_page()
    page.goto(path.resolve().as_uri())
    page.wait_for_function("document.querySelector('.chart').dataset.rendered === 'true'", timeout=30_000)
    images, title, cell = page.evaluate(
        "[document.querySelectorAll('img').length, document.title, document.querySelector('table.agents td').textContent]"
    )
    labels = page.evaluate("Array.from(document.querySelectorAll('.chart svg text')).map(t => t.textContent)")
    context.close()
    assert (images, title, cell) == (0, "Report", hostile)
    assert any(label.startswith("</script><img") for label in labels), labels


def test_no_temporary_file_is_left_and_the_page_replaces_the_previous_one(pipeline, tmp_path):
    path = tmp_path / "report.html"
    path.write_text("an older page", encoding="utf-8")
    write_report(pipeline, path, days=7, as_of=AS_OF)
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    assert "Last 7 days:" in path.read_text(encoding="utf-8")


def test_a_tile_keeps_its_exact_figure_beside_the_rounded_text():
    tile = Tile("median_resolution", "Median resolution", 12345.67, "minutes", "note", "def-resolution-time")
    figures = Figures(window=Window(dt.date(2026, 3, 2), 90), tiles=[tile], charts=[], agents=[],
                      agents_no_data="none", duration_basis="calendar time", notes=[])
    page = render(figures, title="Report", source="x", generated_at=dt.datetime(2026, 3, 2))
    assert 'data-tile="median_resolution" data-value="12345.67"' in page
    assert '<div class="value">8.6 d</div>' in page


def test_a_destination_without_sql_is_refused_with_one_line(tmp_path):
    import dlt
    import pytest

    from happyfox_sync.report import ReportError

    pipeline = dlt.pipeline(
        pipeline_name="hf_files", pipelines_dir=str(tmp_path / "p"),
        destination=dlt.destinations.filesystem(bucket_url=(tmp_path / "files").as_uri()), dataset_name="happyfox",
    )
    with pytest.raises(ReportError, match=r"^the report needs a SQL destination .*'filesystem', which has no SQL engine"):
        write_report(pipeline, tmp_path / "r.html")
    assert not (tmp_path / "r.html").exists()
