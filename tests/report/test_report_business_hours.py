"""With business-hours columns in ticket_metrics and a ticket_sla model (added by the
reporting settings), the report uses them: durations in business hours, SLA tiles and
chart. The models are the real ones built with Mon-Fri 09:00-17:00 business hours, with a
stand-in ticket_sla (a 4-hour / 24-hour target), into a reporting dataset of their own."""

from __future__ import annotations

import shutil

import pytest

from happyfox_sync.models import SQL_DIR, build_models
from happyfox_sync.reporting_settings import make_settings
from happyfox_sync.report import build_figures, write_report
from tests.report.browser import open_report
from tests.report.report_support import AS_OF, day

REPORTING = "hf_report_business"
SLA = """
SELECT ticket_id, 'first_response' AS metric, COALESCE(first_response_business_minutes > 240, FALSE) AS is_breached
FROM {{ reporting }}.ticket_metrics
UNION ALL
SELECT ticket_id, 'resolution' AS metric, COALESCE(resolution_business_minutes > 1440, FALSE) AS is_breached
FROM {{ reporting }}.ticket_metrics
"""


@pytest.fixture
def business_pipeline(pipeline, tmp_path_factory):
    models = tmp_path_factory.mktemp("business-models")
    for path in SQL_DIR.glob("*.sql"):
        shutil.copy(path, models / path.name)
    (models / "ticket_sla.sql").write_text(SLA, encoding="utf-8")
    # business hours that differ from calendar time, so the tiles show which columns they read
    build_models(pipeline, reporting_dataset=REPORTING, sql_dir=models,
                 reporting_settings=make_settings(business_hours="mon-fri 09:00-17:00"))
    return pipeline


def _in_business_dataset(pipeline, sql):
    with pipeline.sql_client() as client:
        with client.with_alternative_dataset_name(REPORTING):
            reporting = client.fully_qualified_dataset_name()
        return client.execute_sql(sql.format(r=reporting))[0][0]


def test_durations_are_read_in_business_hours_when_the_columns_exist(business_pipeline, tmp_path, browser):
    path = tmp_path / "report.html"
    write_report(business_pipeline, path, reporting_dataset=REPORTING, as_of=AS_OF)
    opened = open_report(browser, path)
    median = _in_business_dataset(
        business_pipeline,
        "SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY first_response_business_minutes) FROM {r}.ticket_metrics"
        f" WHERE CAST(created_at AT TIME ZONE 'UTC' AS DATE) BETWEEN {day(29)} AND {day(0)}",
    )
    assert opened.tiles["median_first_response"]["value"] == str(round(float(median), 2))
    page = path.read_text(encoding="utf-8")
    assert "business hours are not configured" not in page
    assert "in hours (business hours)" in page


def test_sla_tile_and_chart_come_from_ticket_sla(business_pipeline, tmp_path, browser):
    path = tmp_path / "report.html"
    write_report(business_pipeline, path, reporting_dataset=REPORTING, as_of=AS_OF)
    opened = open_report(browser, path)
    targets, breached = (
        _in_business_dataset(
            business_pipeline,
            f"SELECT {what} FROM {{r}}.ticket_sla AS s JOIN {{r}}.ticket_metrics AS m ON m.ticket_id = s.ticket_id"
            f" WHERE CAST(m.created_at AT TIME ZONE 'UTC' AS DATE) BETWEEN {day(29)} AND {day(0)}",
        )
        for what in ("COUNT(*)", "COUNT(CASE WHEN s.is_breached THEN 1 END)")
    )
    assert 0 < breached < targets
    assert opened.tiles["sla_attainment"]["value"] == str(round(100.0 * (targets - breached) / targets, 2))
    assert opened.no_data == []
    assert opened.marks["chart-sla_by_priority"] > 0
    assert opened.errors == []


def test_sla_chart_has_one_bar_per_priority_and_metric(business_pipeline):
    figures = build_figures(business_pipeline, reporting_dataset=REPORTING, as_of=AS_OF)
    sla = next(s for s in figures.charts if s.key == "sla_by_priority")
    priorities = _in_business_dataset(
        business_pipeline,
        "SELECT COUNT(DISTINCT COALESCE(priority_name, '(no priority)')) FROM {r}.ticket_metrics"
        f" WHERE CAST(created_at AT TIME ZONE 'UTC' AS DATE) BETWEEN {day(89)} AND {day(0)}",
    )
    assert len(sla.rows) == 2 * priorities
    assert {r["metric"] for r in sla.rows} == {"first response", "resolution"}
