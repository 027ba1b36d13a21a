"""`happyfox-sync` as a user runs it: into DuckDB, PostgreSQL and Parquet files, demo, lock, errors."""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb
import psycopg2
import pyarrow.parquet as pq
import pytest

from tests.pipeline.cli import environment, run, start
from tests.support import truth
from tests.support.harness import helpdesk, running

TICKETS = 80
MODELS = {"ticket_status_history", "ticket_metrics", "daily_backlog", "agent_daily_activity",
          "ticket_custom_field_history", "ticket_custom_fields_current", "ticket_tags_current"}


def test_default_run_loads_duckdb_file_and_builds_the_models(tmp_path: Path) -> None:
    with running(helpdesk(TICKETS)) as simulator:
        result = run([], tmp_path, environment(tmp_path, simulator))
        desk = simulator.helpdesk
    assert result.code == 0, result.output
    assert "tickets" in result.stdout and "GETs:" in result.stdout
    database = tmp_path / "happyfox_sync.duckdb"
    with duckdb.connect(str(database), read_only=True) as connection:
        ids = {row[0] for row in connection.execute("select id from happyfox.tickets").fetchall()}
        updates = connection.execute("select count(*) from happyfox.ticket_updates").fetchall()[0][0]
        views = {row[0] for row in connection.execute(
            "select table_name from information_schema.tables where table_schema = 'happyfox_reporting'"
        ).fetchall()}
        metrics = connection.execute("select count(*) from happyfox_reporting.ticket_metrics").fetchall()[0][0]
    assert ids == truth.ids(desk.tickets)
    assert updates == sum(len(t["updates"]) for t in desk.tickets)
    assert MODELS <= views
    assert metrics == TICKETS


def test_postgres_destination_loads_the_same_tables_and_models(tmp_path: Path, postgres_dsn: str) -> None:
    with running(helpdesk(TICKETS)) as simulator:
        env = environment(tmp_path, simulator, DESTINATION__POSTGRES__CREDENTIALS=postgres_dsn)
        result = run(["--destination", "postgres", "--dataset-name", "hf_cli"], tmp_path, env)
        desk = simulator.helpdesk
    assert result.code == 0, result.output
    with psycopg2.connect(postgres_dsn) as connection, connection.cursor() as cursor:
        cursor.execute("select id from hf_cli.tickets")
        ids = {row[0] for row in cursor.fetchall()}
        cursor.execute("select count(*) from hf_cli.ticket_updates")
        updates = cursor.fetchone()[0]
        cursor.execute("select count(*) from hf_cli_reporting.ticket_metrics")
        metrics = cursor.fetchone()[0]
    assert ids == truth.ids(desk.tickets)
    assert updates == sum(len(t["updates"]) for t in desk.tickets)
    assert metrics == TICKETS


def test_filesystem_destination_writes_parquet_files(tmp_path: Path) -> None:
    bucket = tmp_path / "bucket"
    with running(helpdesk(TICKETS)) as simulator:
        env = environment(tmp_path, simulator, DESTINATION__FILESYSTEM__BUCKET_URL=bucket.as_uri())
        result = run(["--destination", "filesystem"], tmp_path, env)
        desk = simulator.helpdesk
    assert result.code == 0, result.output
    ticket_files = sorted((bucket / "happyfox" / "tickets").glob("*.parquet"))
    assert ticket_files
    ids = {value for path in ticket_files for value in pq.read_table(path, columns=["id"]).column("id").to_pylist()}
    assert ids == truth.ids(desk.tickets)
    update_rows = sum(pq.read_metadata(path).num_rows for path in (bucket / "happyfox" / "ticket_updates").glob("*.parquet"))
    assert update_rows == sum(len(t["updates"]) for t in desk.tickets)
    assert "models skipped" in result.stderr


def test_demo_runs_with_no_account_and_no_configuration(tmp_path: Path) -> None:
    result = run(["--demo"], tmp_path, environment(tmp_path), timeout=300)
    assert result.code == 0, result.output
    # the demo's own reporting settings: a New York team, weekdays 09:00-17:00, SLA targets
    assert "headline numbers (business hours: mon-fri 09:00-17:00, America/New_York):" in result.stdout
    assert re.search(r"tickets\s+3,000", result.stdout)
    assert re.search(r"median first response \(business\)\s+[\d,.]+", result.stdout)
    assert re.search(r"first-response SLA breached\s+[\d,]+", result.stdout)
    with duckdb.connect(str(tmp_path / "happyfox_demo.duckdb"), read_only=True) as connection:
        assert connection.execute("select count(*) from happyfox_reporting.ticket_metrics").fetchall() == [(3000,)]
        assert connection.execute("select timezone, business_hours from happyfox_reporting.settings_reporting").fetchall() == [
            ("America/New_York", "mon-fri 09:00-17:00")
        ]
        assert connection.execute("select count(*) from happyfox_reporting.ticket_sla").fetchall() == [(6000,)]


def test_a_second_run_of_the_same_pipeline_refuses_to_start(tmp_path: Path) -> None:
    with running(helpdesk(TICKETS), latency_seconds=0.1) as simulator:
        env = environment(tmp_path, simulator, SOURCES__HAPPYFOX__MAX_CONCURRENCY="1")
        first = start([], tmp_path, env)
        try:
            deadline = time.monotonic() + 60
            while simulator.stats.total_gets < 3 and time.monotonic() < deadline:
                time.sleep(0.1)
            second = run([], tmp_path, env)
        finally:
            first_out, first_err = first.communicate(timeout=240)
    assert second.code == 7
    assert second.stderr.strip().splitlines()[-1].startswith(
        "happyfox-sync: error: another run of pipeline 'happyfox_sync' is still running"
    )
    assert first.returncode == 0, first_out + first_err


def test_bad_credentials_exit_3_with_one_line_and_no_secret(tmp_path: Path) -> None:
    key, code = "wrong-key-5b8e1f", "wrong-code-c93d02"
    with running(helpdesk(5)) as simulator:
        env = environment(tmp_path, simulator, SOURCES__HAPPYFOX__API_KEY=key, SOURCES__HAPPYFOX__AUTH_CODE=code)
        result = run(["-v"], tmp_path, env)
        base_url = simulator.base_url
    assert result.code == 3
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"happyfox-sync: error: HappyFox at {base_url} rejected the API key / auth code pair")
    assert key not in result.output and code not in result.output


def test_missing_credentials_name_the_settings_to_set(tmp_path: Path) -> None:
    env = environment(tmp_path, None, SOURCES__HAPPYFOX__ACCOUNT="acme")
    result = run([], tmp_path, env)
    assert result.code == 2
    assert "sources.happyfox.api_key" in result.stderr and "SOURCES__HAPPYFOX__API_KEY" in result.stderr


def test_plain_http_to_a_remote_host_is_refused(tmp_path: Path) -> None:
    env = environment(tmp_path, None, SOURCES__HAPPYFOX__BASE_URL="http://help.example.com",
                      SOURCES__HAPPYFOX__API_KEY="k", SOURCES__HAPPYFOX__AUTH_CODE="c")
    result = run([], tmp_path, env)
    assert result.code == 2
    assert "http://help.example.com" in result.stderr


@pytest.mark.parametrize("history", ["true", "false"])
def test_estimate_is_within_10_percent_of_the_gets_of_the_run_that_follows(tmp_path: Path, history: str) -> None:
    with running(helpdesk(600)) as simulator:
        env = environment(tmp_path, simulator, SOURCES__HAPPYFOX__CUSTOM_FIELD_HISTORY=history)
        estimate = run(["--estimate"], tmp_path, env)
        assert estimate.code == 0, estimate.output
        predicted = int(re.search(r"estimate \(backfill\): (\d+) GETs", estimate.stdout).group(1))
        probes = int(re.search(r"the estimate itself used (\d+) GETs", estimate.stdout).group(1))
        assert simulator.stats.total_gets == probes
        simulator.stats.reset()
        result = run([], tmp_path, env)
        assert result.code == 0, result.output
        actual = simulator.stats.total_gets
    assert abs(predicted - actual) <= 0.1 * actual, (predicted, actual)


def test_full_refresh_drops_the_state_and_reloads_everything(tmp_path: Path) -> None:
    with running(helpdesk(TICKETS)) as simulator:
        env = environment(tmp_path, simulator)
        assert run([], tmp_path, env).code == 0
        simulator.stats.reset()
        incremental = run([], tmp_path, env)
        incremental_details = simulator.stats.gets_by_endpoint.get("ticket/<id>/", 0)
        simulator.stats.reset()
        refreshed = run(["--full-refresh"], tmp_path, env)
        refreshed_details = simulator.stats.gets_by_endpoint.get("ticket/<id>/", 0)
    assert incremental.code == 0 and refreshed.code == 0, refreshed.output
    assert incremental_details == 0
    assert refreshed_details == TICKETS
    with duckdb.connect(str(tmp_path / "happyfox_sync.duckdb"), read_only=True) as connection:
        assert connection.execute("select count(*), count(distinct id) from happyfox.tickets").fetchall() == [(TICKETS, TICKETS)]


def test_resources_option_loads_only_the_named_resources(tmp_path: Path) -> None:
    with running(helpdesk(TICKETS)) as simulator:
        result = run(["--resources", "staff,statuses", "--no-models"], tmp_path, environment(tmp_path, simulator))
        gets = dict(simulator.stats.gets_by_endpoint)
    assert result.code == 0, result.output
    assert gets == {"staff/": 1, "statuses/": 1}
    bad = run(["--resources", "staff,nonsense"], tmp_path, environment(tmp_path, None))
    assert bad.code == 2 and "unknown resource(s) nonsense" in bad.stderr


def test_incremental_estimate_is_within_10_percent_of_the_run_that_follows(tmp_path: Path) -> None:
    from tests.support.harness import HelpdeskUser

    with running(helpdesk(300)) as simulator:
        env = environment(tmp_path, simulator)
        assert run([], tmp_path, env).code == 0
        user = HelpdeskUser(simulator)
        for ticket in simulator.helpdesk.tickets[:30]:
            user.post(f"ticket/{ticket['id']}/staff_pvtnote/", {"staff": user.staff_id(), "plaintext": "checked", "time_spent": 5})
        user.close()
        estimate = run(["--estimate"], tmp_path, env)
        predicted = int(re.search(r"estimate \(incremental\): (\d+) GETs", estimate.stdout).group(1))
        simulator.stats.reset()
        assert run([], tmp_path, env).code == 0
        actual = simulator.stats.total_gets
    assert actual == 7 + 1 + 30
    assert abs(predicted - actual) <= 0.1 * actual, (predicted, actual)


def test_a_run_after_an_interrupted_one_loads_what_was_left_and_still_syncs_new_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dlt

    from happyfox_sync.source import happyfox_source
    from tests.support.harness import HelpdeskUser, client_for

    with running(helpdesk(TICKETS)) as simulator:
        env = environment(tmp_path, simulator)
        monkeypatch.chdir(tmp_path)  # as the scheduled command would have been, in its own folder
        interrupted = dlt.pipeline(
            pipeline_name="happyfox_sync",
            pipelines_dir=str(tmp_path / "dlt-data" / "pipelines"),
            destination="duckdb",
            dataset_name="happyfox",
        )
        with client_for(simulator) as client:
            interrupted.extract(happyfox_source(client=client))  # stopped before normalise and load
        assert interrupted.has_pending_data
        user = HelpdeskUser(simulator)
        edited = simulator.helpdesk.tickets[3]["id"]
        user.post(f"ticket/{edited}/update_tags/", {"add": "after-crash", "staff_id": user.staff_id()})
        user.close()
        result = run([], tmp_path, env)
        desk = simulator.helpdesk
    assert result.code == 0, result.output
    with duckdb.connect(str(tmp_path / "happyfox_sync.duckdb"), read_only=True) as connection:
        ids = {row[0] for row in connection.execute("select id from happyfox.tickets").fetchall()}
        tags = connection.execute(f"select tag from happyfox.ticket_tags where ticket_id = {edited} and tag = 'after-crash'").fetchall()
    assert ids == truth.ids(desk.tickets)
    assert tags == [("after-crash",)]


def test_the_duckdb_file_is_written_in_the_directory_the_command_runs_in(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    with running(helpdesk(10)) as simulator:
        env = environment(tmp_path, simulator)  # one dlt data dir: the same pipeline both times
        assert run(["--no-models"], first, env).code == 0
        assert run(["--no-models"], second, env).code == 0
    assert (first / "happyfox_sync.duckdb").exists()
    assert (second / "happyfox_sync.duckdb").exists()
