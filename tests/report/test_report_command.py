"""`happyfox-sync report` and the page every sync can write, run as a user runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pipeline.cli import environment, run
from tests.support.harness import helpdesk, running

TICKETS = 80


@pytest.fixture(scope="module")
def synced_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder where `happyfox-sync` has synced a helpdesk into the default DuckDB file."""
    folder = tmp_path_factory.mktemp("cli-report")
    with running(helpdesk(TICKETS)) as simulator:
        result = run([], folder, environment(folder, simulator))
    assert result.code == 0, result.output
    return folder


def test_report_writes_happyfox_report_html_in_the_working_directory(synced_folder: Path) -> None:
    result = run(["report"], synced_folder, environment(synced_folder))
    page = synced_folder / "happyfox_report.html"
    assert result.code == 0, result.output
    assert f"report written to {page}" in result.stdout
    text = page.read_text(encoding="utf-8")
    assert "Last 90 days:" in text and 'data-panel="backlog"' in text


def test_output_and_days_options_choose_the_file_and_the_window(synced_folder: Path, tmp_path: Path) -> None:
    page = tmp_path / "team" / "helpdesk.html"
    page.parent.mkdir()
    result = run(["report", "--output", str(page), "--days", "30"], synced_folder, environment(synced_folder))
    assert result.code == 0, result.output
    assert "Last 30 days:" in page.read_text(encoding="utf-8")
    assert [p.name for p in page.parent.iterdir()] == ["helpdesk.html"], "no temporary file left behind"


@pytest.mark.parametrize("days", ["0", "-3", "100000"])
def test_days_out_of_range_exits_2_with_one_line(synced_folder: Path, days: str) -> None:
    result = run(["report", "--days", days], synced_folder, environment(synced_folder))
    assert result.code == 2
    assert result.stderr.strip().splitlines() == [
        f"happyfox-sync: error: days must be a whole number from 1 to 3660, not {int(days)}"
    ]


def test_output_in_a_missing_folder_exits_2_naming_it(synced_folder: Path, tmp_path: Path) -> None:
    result = run(["report", "-o", str(tmp_path / "nowhere" / "r.html")], synced_folder, environment(synced_folder))
    assert result.code == 2
    assert result.stderr.strip() == (
        f"happyfox-sync: error: report path '{tmp_path / 'nowhere' / 'r.html'}': folder '{tmp_path / 'nowhere'}' does not exist"
    )


def test_report_before_any_sync_exits_2_and_says_to_sync_first(tmp_path: Path) -> None:
    result = run(["report"], tmp_path, environment(tmp_path))
    assert result.code == 2
    assert result.stderr.strip() == f"happyfox-sync: error: no warehouse at {tmp_path / 'happyfox_sync.duckdb'}: run happyfox-sync first"
    assert not (tmp_path / "happyfox_report.html").exists()


def test_report_path_setting_makes_every_successful_sync_write_the_page(tmp_path: Path) -> None:
    page = tmp_path / "shared" / "helpdesk.html"
    page.parent.mkdir()
    with running(helpdesk(TICKETS)) as simulator:
        env = environment(tmp_path, simulator, HAPPYFOX_SYNC__REPORT_PATH=page, HAPPYFOX_SYNC__REPORT_DAYS=14)
        first = run([], tmp_path, env)
        assert first.code == 0, first.output
        written = page.stat().st_mtime_ns
        second = run([], tmp_path, env)
    assert second.code == 0, second.output
    assert f"report: {page}" in first.stdout and f"report: {page}" in second.stdout
    assert page.stat().st_mtime_ns > written, "the second sync wrote a fresh page"
    assert "Last 14 days:" in page.read_text(encoding="utf-8")


def test_a_report_path_in_a_missing_folder_fails_before_the_sync_starts(tmp_path: Path) -> None:
    with running(helpdesk(TICKETS)) as simulator:
        env = environment(tmp_path, simulator, HAPPYFOX_SYNC__REPORT_PATH=tmp_path / "gone" / "r.html")
        result = run([], tmp_path, env)
        gets = simulator.stats.total_gets
    assert result.code == 2
    assert result.stderr.strip().startswith("happyfox-sync: error: [happyfox_sync] report_path: report path ")
    assert not (tmp_path / "happyfox_sync.duckdb").exists(), "nothing was synced"
    assert gets == 0, "not one GET was spent"


def test_report_reads_a_postgres_warehouse(tmp_path: Path, postgres_dsn: str) -> None:
    with running(helpdesk(TICKETS)) as simulator:
        env = environment(tmp_path, simulator, DESTINATION__POSTGRES__CREDENTIALS=postgres_dsn)
        synced = run(["--destination", "postgres", "--dataset-name", "hf_cli_report"], tmp_path, env)
    assert synced.code == 0, synced.output
    env = environment(tmp_path, DESTINATION__POSTGRES__CREDENTIALS=postgres_dsn)
    result = run(["report", "--destination", "postgres", "--dataset-name", "hf_cli_report"], tmp_path, env)
    assert result.code == 0, result.output
    text = (tmp_path / "happyfox_report.html").read_text(encoding="utf-8")
    assert "hf_cli_report_reporting (postgres)" in text
    assert postgres_dsn not in text and "postgres:postgres" not in text, "no credentials on the page"


def test_the_demo_writes_a_report_and_prints_its_path(tmp_path: Path) -> None:
    result = run(["--demo", "--demo-tickets", "120"], tmp_path, environment(tmp_path), timeout=300)
    assert result.code == 0, result.output
    page = tmp_path / "happyfox_demo_report.html"
    assert f"report: {page}" in result.stdout
    assert 'data-panel="agents"' in page.read_text(encoding="utf-8")


def test_a_report_days_setting_that_is_not_a_number_exits_2_naming_it(synced_folder: Path) -> None:
    result = run(["report"], synced_folder, environment(synced_folder, HAPPYFOX_SYNC__REPORT_DAYS="ninety"))
    assert result.code == 2
    assert result.stderr.strip() == (
        "happyfox-sync: error: [happyfox_sync] report_days must be a whole number of days, not 'ninety'"
    )
