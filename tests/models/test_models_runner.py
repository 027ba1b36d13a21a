"""The runner: placeholders, dependency order, translation, idempotent rebuilds,
materialised tables, column changes, transactions, and destinations without SQL."""

from __future__ import annotations

from pathlib import Path

import dlt
import pytest
import sqlglot

import fixture_helpdesk
from models_support import loaded_pipeline, model_rows, query
from happyfox_sync.reporting_tables import TABLES as SETTINGS_TABLES
from happyfox_sync.models import (
    ModelsError,
    SqlDestinationRequired,
    build_models,
    load_models,
    render_models,
)

MODELS = [m.name for m in load_models()]
SETTINGS = fixture_helpdesk.settings()


def _objects(pipeline, dataset):
    """{name: 'VIEW' | 'BASE TABLE'} of the models in `dataset` (the runner's own `_hf_*` record
    and the settings tables left out)."""
    got = query(
        pipeline,
        "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = %s",
        dataset,
    )
    return {
        r["table_name"]: r["table_type"]
        for r in got
        if not r["table_name"].startswith("_hf_") and r["table_name"] not in SETTINGS_TABLES
    }


def _all_rows(pipeline, dataset):
    return {m: _sorted(model_rows(pipeline, m, "1", reporting_dataset=dataset)) for m in MODELS}


def _sorted(rows):
    return sorted(rows, key=lambda r: [(v is None, str(v)) for v in r.values()])


# --- loading and translating -------------------------------------------------------


def test_models_in_dependency_order():
    order = [m.name for m in load_models()]
    for model in load_models():
        for dep in model.depends_on:
            assert order.index(dep) < order.index(model.name), (dep, model.name)
    assert order.index("int_ticket_updates") < order.index("ticket_status_history")
    assert order.index("ticket_status_history") < order.index("ticket_metrics")
    assert order.index("ticket_replies") < order.index("agent_daily_activity")
    assert order.index("ticket_metrics") < order.index("ticket_sla")


def test_cycle_and_unknown_dependency_are_errors(tmp_path: Path):
    (tmp_path / "a.sql").write_text("SELECT * FROM {{ reporting }}.b")
    (tmp_path / "b.sql").write_text("SELECT * FROM {{ reporting }}.a")
    with pytest.raises(ModelsError, match="cycle"):
        load_models(tmp_path)
    (tmp_path / "b.sql").write_text("SELECT * FROM {{ reporting }}.nope")
    with pytest.raises(ModelsError, match="nope"):
        load_models(tmp_path)


def test_one_select_per_file(tmp_path: Path):
    (tmp_path / "a.sql").write_text("SELECT 1; SELECT 2")
    with pytest.raises(ModelsError, match="exactly one SELECT"):
        render_models("duckdb", sql_dir=tmp_path)


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "bigquery", "snowflake", "redshift", "databricks"])
def test_every_model_translates(dialect):
    for name, sql in render_models(dialect).items():
        assert "{{" not in sql and "hf_sentinel" not in sql and "hf_token" not in sql, name
        # the translation parses back in the target dialect
        sqlglot.parse_one(sql, read=dialect)
        assert '"happyfox"' in sql or "`happyfox`" in sql, name


def test_placeholders_become_qualified_names():
    sql = render_models("postgres", raw_dataset="raw ds", reporting_dataset="rep ds")["ticket_metrics"]
    assert '"raw ds"."tickets"' in sql
    assert '"rep ds"."int_ticket_updates"' in sql


def test_bigquery_has_no_epoch_extract():
    sql = render_models("bigquery")["ticket_metrics"]
    assert "EPOCH" not in sql.upper() and "UNIX_MICROS" in sql


# --- building -------------------------------------------------------------------


def test_rebuild_is_idempotent(pipeline):
    before = _all_rows(pipeline, "happyfox_reporting")
    objects_before = _objects(pipeline, "happyfox_reporting")
    for _ in range(2):
        builds = build_models(pipeline, reporting_settings=SETTINGS)
        assert [b.name for b in builds] == MODELS
        assert {b.kind for b in builds} == {"view"}
        assert all(b.rows is None and b.skipped is None for b in builds)
    assert _objects(pipeline, "happyfox_reporting") == objects_before
    assert {v for v in objects_before.values()} == {"VIEW"}
    assert _all_rows(pipeline, "happyfox_reporting") == before


def test_materialize_gives_tables_with_the_same_rows(pipeline):
    views = _all_rows(pipeline, "happyfox_reporting")
    builds = build_models(pipeline, reporting_settings=SETTINGS, reporting_dataset="hf_tables", materialize=True)
    assert {b.kind for b in builds} == {"table"}
    assert set(_objects(pipeline, "hf_tables").values()) == {"BASE TABLE"}
    tables = _all_rows(pipeline, "hf_tables")
    for m in MODELS:
        assert tables[m] == views[m], m
    assert {b.name: b.rows for b in builds} == {m: len(views[m]) for m in MODELS}
    # and back to views in the same dataset, then to tables again
    build_models(pipeline, reporting_settings=SETTINGS, reporting_dataset="hf_tables")
    assert set(_objects(pipeline, "hf_tables").values()) == {"VIEW"}
    build_models(pipeline, reporting_settings=SETTINGS, reporting_dataset="hf_tables", materialize=True)
    assert set(_objects(pipeline, "hf_tables").values()) == {"BASE TABLE"}


def test_odd_reporting_dataset_name(pipeline):
    name = 'Odd "name"-reporting.x'
    build_models(pipeline, reporting_settings=SETTINGS, reporting_dataset=name)
    got = model_rows(pipeline, "ticket_metrics", "ticket_id", reporting_dataset=name)
    assert [r["ticket_id"] for r in got] == [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13]


def _write(directory: Path, **models: str) -> Path:
    directory.mkdir(exist_ok=True)
    for f in directory.glob("*.sql"):
        f.unlink()
    for name, sql in models.items():
        (directory / f"{name}.sql").write_text(sql)
    return directory


def test_model_whose_columns_change_rebuilds(pipeline, tmp_path: Path):
    # a view another view depends on changes its columns: Postgres cannot CREATE OR
    # REPLACE that; the runner drops dependants first and recreates both
    d = _write(
        tmp_path / "m",
        base="SELECT id AS ticket_id, status_id FROM {{ raw }}.tickets",
        top="SELECT ticket_id, status_id FROM {{ reporting }}.base",
    )
    build_models(pipeline, reporting_settings=SETTINGS, reporting_dataset="hf_changing", sql_dir=d)
    _write(
        d,
        base="SELECT id AS ticket_id, CAST(subject AS VARCHAR) AS status_id, priority_id FROM {{ raw }}.tickets",
        top="SELECT ticket_id, priority_id FROM {{ reporting }}.base",
    )
    build_models(pipeline, reporting_settings=SETTINGS, reporting_dataset="hf_changing", sql_dir=d)
    got = model_rows(pipeline, "base", "ticket_id", "WHERE ticket_id = 9", reporting_dataset="hf_changing")
    assert got == [{"ticket_id": 9, "status_id": "Refund please", "priority_id": 3}]
    got = model_rows(pipeline, "top", "ticket_id", "WHERE ticket_id = 9", reporting_dataset="hf_changing")
    assert got == [{"ticket_id": 9, "priority_id": 3}]


def test_failed_build_leaves_previous_build(pipeline, tmp_path: Path):
    d = _write(tmp_path / "m", good="SELECT COUNT(*) AS n FROM {{ raw }}.tickets")
    build_models(pipeline, reporting_settings=SETTINGS, reporting_dataset="hf_atomic", sql_dir=d)
    _write(
        d,
        good="SELECT COUNT(*) AS n, 1 AS extra FROM {{ raw }}.tickets",
        later="SELECT no_such_column FROM {{ reporting }}.good",
    )
    with pytest.raises(ModelsError, match="later"):
        build_models(pipeline, reporting_settings=SETTINGS, reporting_dataset="hf_atomic", sql_dir=d)
    # the whole build ran in one transaction: the old `good` is still there, unchanged
    assert model_rows(pipeline, "good", "1", reporting_dataset="hf_atomic") == [{"n": 13}]
    assert set(_objects(pipeline, "hf_atomic")) == {"good"}


def test_missing_raw_table_skips_its_models(pipeline, tmp_path: Path):
    # dlt creates no table for a resource without rows (an account without custom field
    # changes): the models reading it and their dependants are skipped, the rest built,
    # and an old version of a skipped model is dropped
    d = _write(tmp_path / "m", ok="SELECT COUNT(*) AS n FROM {{ raw }}.tickets",
               lacking="SELECT COUNT(*) AS n FROM {{ raw }}.tickets")
    build_models(pipeline, reporting_settings=SETTINGS, reporting_dataset="hf_missing", sql_dir=d)
    assert set(_objects(pipeline, "hf_missing")) == {"ok", "lacking"}
    _write(
        d,
        ok="SELECT COUNT(*) AS n FROM {{ raw }}.tickets",
        lacking="SELECT * FROM {{ raw }}.no_such_table",
        above="SELECT * FROM {{ reporting }}.lacking",
    )
    builds = {b.name: b for b in build_models(pipeline, reporting_settings=SETTINGS, reporting_dataset="hf_missing", sql_dir=d)}
    assert builds["ok"].skipped is None
    assert "no_such_table" in builds["lacking"].skipped
    assert "lacking" in builds["above"].skipped
    assert set(_objects(pipeline, "hf_missing")) == {"ok"}


def test_all_raw_tables_missing_is_an_error(pipeline, tmp_path: Path):
    d = _write(tmp_path / "m", x="SELECT * FROM {{ raw }}.no_such_table")
    with pytest.raises(ModelsError, match="raw tables missing.*no_such_table"):
        build_models(pipeline, reporting_settings=SETTINGS, reporting_dataset="hf_missing2", sql_dir=d)


def test_reporting_dataset_must_differ(pipeline):
    with pytest.raises(ModelsError, match="differ"):
        build_models(pipeline, reporting_settings=SETTINGS, reporting_dataset="happyfox")


def test_filesystem_destination_is_refused(tmp_path: Path):
    pipeline = dlt.pipeline(
        pipeline_name="hf_fs",
        pipelines_dir=str(tmp_path / "pipelines"),
        destination=dlt.destinations.filesystem(bucket_url=(tmp_path / "bucket").as_uri()),
        dataset_name="happyfox",
    )
    with pytest.raises(SqlDestinationRequired, match="need a SQL destination"):
        build_models(pipeline, reporting_settings=SETTINGS)


def test_default_reporting_dataset_follows_the_pipeline(tmp_path: Path):
    pipeline = loaded_pipeline("duckdb", tmp_path, "hf_other_ds", None)
    pipeline.dataset_name  # happyfox
    builds = build_models(pipeline, reporting_settings=SETTINGS)
    assert len(builds) == len(MODELS)
    assert set(_objects(pipeline, "happyfox_reporting")) == set(MODELS)


def test_session_time_zones_are_not_utc(pipeline, destination):
    # the fixture sessions run off UTC on purpose (see conftest.py)
    setting = "SELECT current_setting('TimeZone') AS tz"
    tz = query(pipeline, setting)[0]["tz"]
    assert tz == {"duckdb": "Asia/Tokyo", "postgres": "America/Los_Angeles"}[destination]
