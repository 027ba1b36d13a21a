"""Fixtures of the report tests: synced warehouses on both engines, and one Chromium."""

from __future__ import annotations

from typing import Callable, Iterator

import dlt
import pytest

from happyfox_sync.models import build_models
from tests.report.browser import CHROMIUM_ARGS, chromium_path
from tests.report.report_support import TICKETS, synced
from tests.support.harness import helpdesk
from tests.support.postgres import postgres_dsn, postgres_server  # noqa: F401


@pytest.fixture(scope="session")
def warehouses(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], dlt.Pipeline]:
    """The same simulated helpdesk synced into DuckDB or PostgreSQL (lazily), models built."""
    cache: dict[str, dlt.Pipeline] = {}

    def get(kind: str) -> dlt.Pipeline:
        if kind not in cache:
            dsn = request.getfixturevalue("postgres_dsn") if kind == "postgres" else None
            pipeline = synced(kind, tmp_path_factory.mktemp(f"report-{kind}"), helpdesk(TICKETS, seed=5), "hf_report", dsn)
            build_models(pipeline)
            cache[kind] = pipeline
        return cache[kind]

    return get


@pytest.fixture(params=["duckdb", "postgres"])
def pipeline(request: pytest.FixtureRequest, warehouses: Callable[[str], dlt.Pipeline]) -> dlt.Pipeline:
    return warehouses(str(request.param))


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
