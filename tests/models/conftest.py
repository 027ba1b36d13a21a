"""Fixtures of the model tests: the fixture helpdesk loaded by a real dlt pipeline into
DuckDB and into a real PostgreSQL server, with the models built as views.

The sessions run in deliberately odd time zones (DuckDB: Asia/Tokyo, PostgreSQL:
America/Los_Angeles) so that any model that cut days in the session's time zone instead
of UTC would fail.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import dlt  # noqa: E402

import fixture_business_hours  # noqa: E402
import fixture_helpdesk  # noqa: E402
from models_support import loaded_pipeline, model_rows  # noqa: E402
from happyfox_sync.models import build_models  # noqa: E402
from tests.support.postgres import postgres_dsn, postgres_server  # noqa: E402,F401

DESTINATIONS = ["duckdb", "postgres"]


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
            build_models(pipeline, reporting_settings=fixture_helpdesk.settings())
            cache[kind] = pipeline
        return cache[kind]

    return get


@pytest.fixture(scope="session")
def business_pipelines(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], dlt.Pipeline]:
    """The business-hours helpdesk (fixture_business_hours.py) per destination, with its
    New York settings, in the dataset `hf_business` (models in `hf_business_reporting`)."""
    cache: dict[str, dlt.Pipeline] = {}

    def get(kind: str) -> dlt.Pipeline:
        if kind not in cache:
            dsn = request.getfixturevalue("postgres_dsn") if kind == "postgres" else None
            pipeline = loaded_pipeline(
                kind, tmp_path_factory.mktemp(f"bh_{kind}"), "hf_bh", dsn, "hf_business", fixture_business_hours.TICKETS
            )
            build_models(pipeline, reporting_settings=fixture_business_hours.settings())
            cache[kind] = pipeline
        return cache[kind]

    return get


@pytest.fixture(params=DESTINATIONS)
def destination(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def pipeline(destination: str, pipelines_by_destination: Callable[[str], dlt.Pipeline]) -> dlt.Pipeline:
    return pipelines_by_destination(destination)


@pytest.fixture
def rows(pipeline: dlt.Pipeline) -> Iterator[Callable[..., list[dict[str, Any]]]]:
    yield lambda model, order_by, where="": model_rows(pipeline, model, order_by, where)
