"""A helpdesk with no tickets yet, or a window without any, gets "no data" panels, not an error."""

from __future__ import annotations

import datetime as dt

import pytest

from happyfox_sync.models import ModelsError, build_models
from happyfox_sync.report import write_report
from tests.report.browser import open_report, screenshot_path
from tests.report.report_support import AS_OF, empty_helpdesk, synced

PANELS = ["backlog", "first_response_weekly", "resolution_weekly", "sla_by_priority", "satisfaction",
          "by_category", "by_tag", "by_custom_field", "agents"]


@pytest.fixture(scope="module")
def empty_warehouse(tmp_path_factory):
    pipeline = synced("duckdb", tmp_path_factory.mktemp("empty"), empty_helpdesk(), "hf_empty")
    with pytest.raises(ModelsError, match="raw tables missing"):
        build_models(pipeline)  # dlt created no tickets table: no model can be built yet
    return pipeline


def test_a_helpdesk_without_tickets_renders_every_panel_as_no_data(empty_warehouse, tmp_path, browser, request):
    path = tmp_path / "report.html"
    result = write_report(empty_warehouse, path, as_of=AS_OF)
    assert (result.charts, result.empty_panels) == (0, 8)
    opened = open_report(browser, path, screenshot=screenshot_path(request.node.name))
    assert opened.errors == []
    assert opened.no_data == PANELS
    assert opened.marks == {}
    assert all(tile == {"value": "", "text": "–"} for tile in opened.tiles.values()), opened.tiles
    assert "No data yet: the reporting models are not built yet" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", ["duckdb", "postgres"])
def test_a_window_before_the_first_ticket_has_no_data_panels_and_zero_counts(kind, warehouses, tmp_path, browser):
    path = tmp_path / "report.html"
    result = write_report(warehouses(kind), path, days=30, as_of=dt.date(2020, 1, 31))
    assert (result.charts, result.empty_panels) == (0, 8)
    opened = open_report(browser, path)
    assert opened.errors == []
    assert opened.no_data == PANELS
    assert {key: opened.tiles[key]["value"] for key in ("created_7", "created_30", "resolved_7", "resolved_30")} == {
        "created_7": "0", "created_30": "0", "resolved_7": "0", "resolved_30": "0",
    }
    assert opened.tiles["median_first_response"]["value"] == ""
    assert opened.tiles["satisfaction"]["value"] == ""
