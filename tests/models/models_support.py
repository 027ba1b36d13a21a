"""Helpers of the model tests (kept out of conftest.py so test modules can import them
without clashing with other test directories' conftest modules)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import dlt
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials
from dlt.destinations.impl.postgres.configuration import PostgresCredentials

import fixture_helpdesk


def make_pipeline(kind: str, workdir: Path, name: str, postgres_dsn: str | None = None, dataset: str = "happyfox") -> dlt.Pipeline:
    if kind == "duckdb":
        creds = DuckDbCredentials(str(workdir / f"{name}.duckdb"))
        creds.session_timezone = "Asia/Tokyo"
        destination = dlt.destinations.duckdb(credentials=creds)
    else:
        assert postgres_dsn
        creds = PostgresCredentials(postgres_dsn)
        creds.session_timezone = "America/Los_Angeles"
        destination = dlt.destinations.postgres(credentials=creds)
    return dlt.pipeline(
        pipeline_name=name,
        pipelines_dir=str(workdir / "pipelines"),
        destination=destination,
        dataset_name=dataset,
        dev_mode=False,
    )


def loaded_pipeline(
    kind: str, workdir: Path, name: str, dsn: str | None, dataset: str = "happyfox", tickets: list[dict[str, Any]] | None = None
) -> dlt.Pipeline:
    """The fixture helpdesk (or `tickets` in its notation) loaded into `dataset`."""
    pipeline = make_pipeline(kind, workdir, name, dsn, dataset)
    if kind == "postgres":
        # one database for the session: start from an empty raw dataset
        with pipeline.sql_client() as c:
            for ds in (dataset, f"{dataset}_reporting"):
                with c.with_alternative_dataset_name(ds):
                    if c.has_dataset():
                        c.drop_dataset()
    fixture_helpdesk.load(pipeline, tickets)
    return pipeline


def normalize(value: Any) -> Any:
    """Make values from DuckDB and psycopg2 comparable: timestamps in UTC, numbers exact."""
    if isinstance(value, dt.datetime):
        assert value.tzinfo is not None, "model timestamps must stay time zone aware"
        return value.astimezone(dt.timezone.utc)
    return value


def query(pipeline: dlt.Pipeline, sql: str, *args: Any, reporting_dataset: str = "happyfox_reporting") -> list[dict[str, Any]]:
    """Rows of `sql`, where {reporting} and {raw} name the datasets."""
    with pipeline.sql_client() as c:
        with c.with_alternative_dataset_name(reporting_dataset):
            reporting = c.fully_qualified_dataset_name()
        raw = c.fully_qualified_dataset_name()
        with c.execute_query(sql.format(reporting=reporting, raw=raw), *args) as cur:
            names = [d[0] for d in cur.description]
            return [dict(zip(names, map(normalize, row))) for row in cur.fetchall()]


def model_rows(
    pipeline: dlt.Pipeline, model: str, order_by: str, where: str = "", reporting_dataset: str = "happyfox_reporting"
) -> list[dict[str, Any]]:
    return query(
        pipeline, f"SELECT * FROM {{reporting}}.{model} {where} ORDER BY {order_by}", reporting_dataset=reporting_dataset
    )
