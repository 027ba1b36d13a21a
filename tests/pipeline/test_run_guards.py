"""Settings that would make a run loop forever, leak connections or override a user's choice."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import dlt
import duckdb
import pytest

from happyfox_sync.source import happyfox_source
from tests.pipeline.cli import REPO, environment, start
from tests.support.harness import helpdesk, running


@pytest.mark.parametrize("value", ["0", "-5"])
def test_checkpoint_tickets_below_one_exits_2_with_one_line(tmp_path: Path, value: str) -> None:
    with running(helpdesk(30)) as simulator:
        env = environment(tmp_path, simulator, SOURCES__HAPPYFOX__CHECKPOINT_TICKETS=value)
        process = start(["--no-models"], tmp_path, env)
        try:
            stdout, stderr = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            pytest.fail(f"checkpoint_tickets = {value}: the run never ended")
    errors = [line for line in stderr.splitlines() if "error" in line.lower()]
    assert process.returncode == 2, stdout + stderr
    assert errors == [f"happyfox-sync: error: sources.happyfox.checkpoint_tickets must be at least 1, got {value}"]


def _open_connections(simulator) -> int:
    deadline = time.monotonic() + 3.0
    while simulator.open_connections() and time.monotonic() < deadline:
        time.sleep(0.05)
    return simulator.open_connections()


def test_a_source_that_made_its_own_client_closes_it_when_the_run_ends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with running(helpdesk(30)) as simulator:
        monkeypatch.setenv("SOURCES__HAPPYFOX__BASE_URL", simulator.base_url)
        monkeypatch.setenv("SOURCES__HAPPYFOX__API_KEY", simulator.api_key)
        monkeypatch.setenv("SOURCES__HAPPYFOX__AUTH_CODE", simulator.auth_code)
        monkeypatch.setenv("SOURCES__HAPPYFOX__MAX_GETS_PER_MINUTE", "60000")
        pipeline = dlt.pipeline(
            pipeline_name="own_client",
            pipelines_dir=str(tmp_path / "pipelines"),
            destination=dlt.destinations.duckdb(str(tmp_path / "own.duckdb")),
            dataset_name="happyfox",
        )
        pipeline.run(happyfox_source())
        left_open = _open_connections(simulator)
        gets = simulator.stats.total_gets
    assert gets > 0
    assert left_open == 0


def test_the_sync_command_closes_its_client_at_the_end_of_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from happyfox_sync.run import RunOptions, run_sync

    with running(helpdesk(30)) as simulator:
        for name, value in environment(tmp_path, simulator).items():
            if name.startswith("SOURCES__HAPPYFOX__"):
                monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        run_sync(RunOptions(no_models=True, quiet=True), pipeline_name="closing_run")
        left_open = _open_connections(simulator)
    assert left_open == 0


MEMORY_PROBE = """
import sys
from happyfox_sync.cli import apply_runtime_defaults
from happyfox_sync.run import RunOptions, make_pipeline
apply_runtime_defaults()
pipeline = make_pipeline(RunOptions(), "happyfox_sync", "happyfox")
with pipeline.sql_client() as client:
    print(pipeline.destination_client().config.credentials.database)
    print(client.execute_sql("select current_setting('memory_limit')")[0][0])
"""


def _memory_limit_in_a_run(workdir: Path, secrets_toml: str | None = None, **env: str) -> str:
    """DuckDB's memory limit in a pipeline the command makes in ``workdir`` (credentials,
    ``global_config`` included, are secrets to dlt: they live in ``.dlt/secrets.toml``)."""
    if secrets_toml is not None:
        (workdir / ".dlt").mkdir(exist_ok=True)
        (workdir / ".dlt" / "secrets.toml").write_text(secrets_toml)
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE],
        cwd=workdir,
        env={**environment(workdir), **env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    database, limit = result.stdout.strip().splitlines()[-2:]
    assert database == str(workdir / "happyfox_sync.sync.duckdb")  # a DuckDB setting never moves the warehouse
    return limit


def _as_duckdb_shows(limit: str) -> str:
    with duckdb.connect(config={"memory_limit": limit}) as connection:
        return str(connection.execute("select current_setting('memory_limit')").fetchone()[0])


def test_duckdb_memory_limit_defaults_to_256mb_where_the_user_set_nothing(tmp_path: Path) -> None:
    assert _memory_limit_in_a_run(tmp_path) == _as_duckdb_shows("256MB")


def _memory_limits_of_a_sync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The ``memory_limit`` of every DuckDB connection a sync with its models opens, in order."""
    from dlt.destinations.impl.duckdb.configuration import DuckDbConnectionPool

    from happyfox_sync.run import RunOptions, run_sync

    applied: list[str | None] = []
    apply = DuckDbConnectionPool._apply_config

    def recording(connection, scope, config):  # type: ignore[no-untyped-def]
        if scope == "GLOBAL":
            applied.append(config.get("memory_limit"))
        return apply(connection, scope, config)

    monkeypatch.setattr(DuckDbConnectionPool, "_apply_config", staticmethod(recording))
    with running(helpdesk(30)) as simulator:
        for name, value in environment(tmp_path, simulator).items():
            if name.startswith("SOURCES__HAPPYFOX__"):
                monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        run_sync(RunOptions(quiet=True), pipeline_name="memory_phases")
    return applied


def test_duckdb_loads_under_128mb_and_the_models_after_the_load_get_256mb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DESTINATION__DUCKDB__CREDENTIALS__GLOBAL_CONFIG", raising=False)
    limits = _memory_limits_of_a_sync(tmp_path, monkeypatch)
    phases = [limit for index, limit in enumerate(limits) if index == 0 or limits[index - 1] != limit]
    assert phases == ["128MB", "256MB"]


def test_a_limit_the_user_set_holds_for_the_load_and_the_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS__GLOBAL_CONFIG", json.dumps({"memory_limit": "1GB"}))
    limits = _memory_limits_of_a_sync(tmp_path, monkeypatch)
    assert len(limits) > 2 and set(limits) == {"1GB"}


def test_a_global_config_in_secrets_toml_wins_over_the_memory_default(tmp_path: Path) -> None:
    toml = '[destination.duckdb.credentials]\nglobal_config = {memory_limit = "1GB"}\n'
    assert _memory_limit_in_a_run(tmp_path, toml) == _as_duckdb_shows("1GB")


def test_a_pipeline_scoped_global_config_wins_over_the_memory_default(tmp_path: Path) -> None:
    toml = '[happyfox_sync.destination.duckdb.credentials]\nglobal_config = {memory_limit = "1GB"}\n'
    assert _memory_limit_in_a_run(tmp_path, toml) == _as_duckdb_shows("1GB")


def test_a_global_config_in_the_environment_wins_over_the_memory_default(tmp_path: Path) -> None:
    value = json.dumps({"memory_limit": "1GB"})
    assert _memory_limit_in_a_run(tmp_path, DESTINATION__DUCKDB__CREDENTIALS__GLOBAL_CONFIG=value) == _as_duckdb_shows("1GB")


def test_a_checkpoint_that_neither_moved_the_backfill_nor_listed_a_ticket_stops_the_loop() -> None:
    from happyfox_sync.errors import SyncError
    from happyfox_sync.run import _require_progress

    assert _require_progress(("2021-01-01", 2000), ("2021-03-01", 4100)) == ("2021-03-01", 4100)
    with pytest.raises(SyncError) as stopped:
        _require_progress(("2021-03-01", 4100), ("2021-03-01", 4100))
    assert stopped.value.code == 1
    assert str(stopped.value) == (
        "the backfill made no progress in a checkpoint (its next window still starts on 2021-03-01); "
        "stopping, the next run resumes there"
    )
