"""Rebuilds never leave a reader without a view, drop what the runner built from files
now gone, and `python -m happyfox_sync.models` is the command's own models step."""

from __future__ import annotations

import shutil
from pathlib import Path

import dlt
import pytest

import fixture_helpdesk
from models_support import model_rows, query
from happyfox_sync.reporting_tables import TABLES as SETTINGS_TABLES
from happyfox_sync.models import SQL_DIR, ModelsError, build_models, load_models
from happyfox_sync.models import main as models_main
from happyfox_sync.run import resolve_destination
from happyfox_sync.run_lock import RunLock

MODELS = [m.name for m in load_models()]


class duckdb_without_ddl_transactions(dlt.destinations.duckdb):  # noqa: N801 - a dlt destination factory's name
    """A real DuckDB that declares no transactional DDL, as BigQuery, Databricks or ClickHouse do."""

    def _raw_capabilities(self):  # type: ignore[no-untyped-def]
        caps = super()._raw_capabilities()
        caps.supports_ddl_transactions = False
        return caps


@pytest.fixture(scope="module")
def no_ddl_transactions(tmp_path_factory: pytest.TempPathFactory) -> dlt.Pipeline:
    folder = tmp_path_factory.mktemp("no_ddl_tx")
    pipeline = dlt.pipeline(
        pipeline_name="hf_no_ddl_tx",
        pipelines_dir=str(folder / "pipelines"),
        destination=duckdb_without_ddl_transactions(str(folder / "hf.duckdb")),
        dataset_name="happyfox",
    )
    fixture_helpdesk.load(pipeline)
    return pipeline


def _objects(pipeline: dlt.Pipeline, dataset: str) -> dict[str, str]:
    rows = query(pipeline, "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = %s", dataset)
    # the reporting settings tables (reporting_tables.py) are data the build writes, not models
    return {r["table_name"]: r["table_type"] for r in rows if r["table_name"] not in SETTINGS_TABLES}


def _all_rows(pipeline: dlt.Pipeline, dataset: str) -> dict[str, list[dict]]:
    return {
        name: sorted(model_rows(pipeline, name, "1", reporting_dataset=dataset), key=lambda r: [(v is None, str(v)) for v in r.values()])
        for name in MODELS
    }


def _write(directory: Path, **models: str) -> Path:
    directory.mkdir(exist_ok=True)
    for path in directory.glob("*.sql"):
        path.unlink()
    for name, sql in models.items():
        (directory / f"{name}.sql").write_text(sql)
    return directory


def test_a_failed_rebuild_without_transactional_ddl_leaves_every_previous_view_answering(no_ddl_transactions, tmp_path: Path) -> None:
    pipeline = no_ddl_transactions
    build_models(pipeline, reporting_dataset="hf_swap")
    before = _all_rows(pipeline, "hf_swap")
    broken = tmp_path / "sql"
    shutil.copytree(SQL_DIR, broken, ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    (broken / "ticket_status_history.sql").write_text("SELECT no_such_column FROM {{ raw }}.tickets")
    with pytest.raises(ModelsError, match="ticket_status_history"):
        build_models(pipeline, reporting_dataset="hf_swap", sql_dir=broken)
    assert _all_rows(pipeline, "hf_swap") == before


def test_a_rebuild_without_transactional_ddl_replaces_views_in_place(no_ddl_transactions, tmp_path: Path) -> None:
    pipeline = no_ddl_transactions
    d = _write(tmp_path / "m", base="SELECT COUNT(*) AS n FROM {{ raw }}.tickets", top="SELECT n FROM {{ reporting }}.base")
    build_models(pipeline, reporting_dataset="hf_replace", sql_dir=d)
    _write(d, base="SELECT COUNT(*) AS n, 2 AS m FROM {{ raw }}.tickets", top="SELECT n, m FROM {{ reporting }}.base")
    build_models(pipeline, reporting_dataset="hf_replace", sql_dir=d)
    assert model_rows(pipeline, "top", "1", reporting_dataset="hf_replace") == [{"n": 13, "m": 2}]
    assert {k: v for k, v in _objects(pipeline, "hf_replace").items() if not k.startswith("_hf_")} == {"base": "VIEW", "top": "VIEW"}


def test_a_view_whose_model_file_is_gone_is_dropped_and_a_users_own_view_is_kept(pipeline, tmp_path: Path) -> None:
    d = _write(tmp_path / "m", kept="SELECT COUNT(*) AS n FROM {{ raw }}.tickets", gone="SELECT COUNT(*) AS n FROM {{ raw }}.tickets")
    build_models(pipeline, reporting_dataset="hf_obsolete", sql_dir=d)
    with pipeline.sql_client() as client, client.with_alternative_dataset_name("hf_obsolete"):
        client.execute_sql(f"CREATE VIEW {client.make_qualified_table_name('mine')} AS SELECT 1 AS one")
    _write(d, kept="SELECT COUNT(*) AS n FROM {{ raw }}.tickets")
    build_models(pipeline, reporting_dataset="hf_obsolete", sql_dir=d)
    objects = {k: v for k, v in _objects(pipeline, "hf_obsolete").items() if not k.startswith("_hf_")}
    assert objects == {"kept": "VIEW", "mine": "VIEW"}


def test_a_materialized_model_whose_file_is_gone_is_dropped_too(pipeline, tmp_path: Path) -> None:
    d = _write(tmp_path / "m", kept="SELECT COUNT(*) AS n FROM {{ raw }}.tickets", gone="SELECT 1 AS one FROM {{ raw }}.tickets")
    build_models(pipeline, reporting_dataset="hf_obsolete_t", sql_dir=d, materialize=True)
    _write(d, kept="SELECT COUNT(*) AS n FROM {{ raw }}.tickets")
    build_models(pipeline, reporting_dataset="hf_obsolete_t", sql_dir=d, materialize=True)
    assert {k for k in _objects(pipeline, "hf_obsolete_t") if not k.startswith("_hf_")} == {"kept"}


def _command_pipeline(folder: Path, monkeypatch: pytest.MonkeyPatch) -> dlt.Pipeline:
    """The pipeline `happyfox-sync` runs in ``folder``: its name, dataset and DuckDB working file."""
    monkeypatch.chdir(folder)
    pipeline = dlt.pipeline(
        pipeline_name="happyfox_sync",
        pipelines_dir=str(folder / "pipelines"),
        destination=resolve_destination(None, "happyfox_sync"),
        dataset_name="happyfox",
    )
    fixture_helpdesk.load(pipeline)
    return pipeline


def _published_objects(folder: Path) -> set[str]:
    import duckdb

    with duckdb.connect(str(folder / "happyfox_sync.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            "select table_name from information_schema.tables where table_schema = 'happyfox_reporting'"
        ).fetchall()
    return {name for (name,) in rows}


def test_python_m_models_builds_the_command_pipeline_by_default_and_publishes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _command_pipeline(tmp_path, monkeypatch)
    assert models_main(["--pipelines-dir", str(tmp_path / "pipelines")]) == 0
    assert set(MODELS) <= _published_objects(tmp_path)
    assert "ticket_metrics: view in" in capsys.readouterr().out


def test_python_m_models_refuses_to_run_beside_a_sync_of_the_same_pipeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline = _command_pipeline(tmp_path, monkeypatch)
    with RunLock(tmp_path / "pipelines", "happyfox_sync"):
        code = models_main(["--pipelines-dir", str(tmp_path / "pipelines")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 7
    assert len(err) == 1 and err[0].startswith("error: another run of pipeline 'happyfox_sync' is still running")
    assert not set(MODELS) & set(_objects(pipeline, "happyfox_reporting"))
