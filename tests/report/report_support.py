"""Warehouses the report tests read: a simulated helpdesk synced by the real source into
DuckDB and into the tests' real PostgreSQL server, with the models built.

The sessions run in odd time zones (DuckDB Asia/Tokyo, PostgreSQL America/Los_Angeles),
so a figure cut at the session's midnight instead of UTC's would differ from the SQL
the tests compute.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dlt
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials
from dlt.destinations.impl.postgres.configuration import PostgresCredentials

from happyfox_simulator import Helpdesk
from tests.support.harness import NOW, Warehouse, client_for, helpdesk, running

TICKETS = 400
AS_OF = NOW.date()
"""The report's last day in these tests: the day the generated history ends."""


@dataclass
class ReportWarehouse(Warehouse):
    """The harness' warehouse on DuckDB or PostgreSQL, in a session time zone that is not UTC."""

    kind: str = "duckdb"
    dsn: str | None = None

    def pipeline(self) -> dlt.Pipeline:
        if self.kind == "duckdb":
            credentials: Any = DuckDbCredentials(str(self.database))
            credentials.session_timezone = "Asia/Tokyo"
            destination: Any = dlt.destinations.duckdb(credentials=credentials)
        else:
            credentials = PostgresCredentials(self.dsn)
            credentials.session_timezone = "America/Los_Angeles"
            destination = dlt.destinations.postgres(credentials=credentials)
        return dlt.pipeline(
            pipeline_name=self.name,
            pipelines_dir=str(self.folder / "pipelines"),
            destination=destination,
            dataset_name=self.dataset,
        )


def empty_helpdesk() -> Helpdesk:
    """An account with its staff, statuses and fields set up and no ticket yet."""
    return dataclasses.replace(helpdesk(1), tickets=[])


def synced(kind: str, folder: Path, desk: Helpdesk, name: str, dsn: str | None = None) -> dlt.Pipeline:
    """The helpdesk synced with the real source through the real simulator."""
    warehouse = ReportWarehouse(folder=folder, name=f"{name}_db", dataset=name, kind=kind, dsn=dsn)
    with running(desk) as simulator:
        with client_for(simulator) as client:
            return warehouse.sync(client)


def sql_figure(pipeline: dlt.Pipeline, sql: str) -> Any:
    """One value of a query over the reporting dataset, written {r}.model, in SQL both
    DuckDB and PostgreSQL understand."""
    with pipeline.sql_client() as client:
        with client.with_alternative_dataset_name(f"{pipeline.dataset_name}_reporting"):
            reporting = client.fully_qualified_dataset_name()
        return client.execute_sql(sql.format(r=reporting))[0][0]


def day(days_before_as_of: int) -> str:
    return f"DATE '{(AS_OF - dt.timedelta(days=days_before_as_of)).isoformat()}'"
