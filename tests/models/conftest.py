"""Fixtures of the model tests: the fixture helpdesk loaded by a real dlt pipeline into
DuckDB and into a real PostgreSQL server, with the models built as views.

The sessions run in deliberately odd time zones (DuckDB: Asia/Tokyo, PostgreSQL:
America/Los_Angeles) so that any model that cut days in the session's time zone instead
of UTC would fail.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import dlt  # noqa: E402
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials  # noqa: E402
from dlt.destinations.impl.postgres.configuration import PostgresCredentials  # noqa: E402

import fixture_helpdesk  # noqa: E402
from pipelines.models import build_models  # noqa: E402
from tests.support.postgres import postgres_dsn, postgres_server  # noqa: E402,F401

DESTINATIONS = ["duckdb", "postgres"]


def make_pipeline(kind: str, workdir: Path, name: str, postgres_dsn: str | None = None) -> dlt.Pipeline:
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
        dataset_name="happyfox",
        dev_mode=False,
    )


def loaded_pipeline(kind: str, workdir: Path, name: str, dsn: str | None) -> dlt.Pipeline:
    pipeline = make_pipeline(kind, workdir, name, dsn)
    if kind == "postgres":
        # one database for the session: start from an empty raw dataset
        with pipeline.sql_client() as c:
            for ds in ("happyfox", "happyfox_reporting"):
                with c.with_alternative_dataset_name(ds):
                    if c.has_dataset():
                        c.drop_dataset()
    fixture_helpdesk.load(pipeline)
    return pipeline


@pytest.fixture(scope="session")
def pipelines_by_destination(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], dlt.Pipeline]:
    """Loads the fixture helpdesk once per destination (lazily) and builds the views."""
    cache: dict[str, dlt.Pipeline] = {}

    def get(kind: str) -> dlt.Pipeline:
        if kind not in cache:
            dsn = request.getfixturevalue("postgres_dsn") if kind == "postgres" else None
            pipeline = loaded_pipeline(kind, tmp_path_factory.mktemp(kind), "hf_models", dsn)
            build_models(pipeline)
            cache[kind] = pipeline
        return cache[kind]

    return get


@pytest.fixture(params=DESTINATIONS)
def destination(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def pipeline(destination: str, pipelines_by_destination: Callable[[str], dlt.Pipeline]) -> dlt.Pipeline:
    return pipelines_by_destination(destination)


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


@pytest.fixture
def rows(pipeline: dlt.Pipeline) -> Iterator[Callable[..., list[dict[str, Any]]]]:
    yield lambda model, order_by, where="": model_rows(pipeline, model, order_by, where)
