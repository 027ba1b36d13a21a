"""Run the real source against the real simulator into a real DuckDB file.

Tests read like: make a helpdesk, start a simulator, sync, compare with the truth.
Everything here is plumbing for that; the expectations live in the tests and in
:mod:`tests.support.truth`.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

import dlt
import duckdb

from happyfox_simulator import Helpdesk, Simulator, SimulatorConfig
from happyfox_simulator.generator import generate_helpdesk
from happyfox_sync.file_format import loader_file_format
from happyfox_sync.source import HappyFoxClient, TicketSyncProgress, backfill_in_progress, happyfox_source

NOW = datetime(2026, 3, 2, 9, 30, 0)
"""Generated helpdesks end here; writes made by tests happen at the real clock, later."""

FAST_CLIENT: dict[str, Any] = {
    "max_gets_per_minute": 60_000,
    "max_concurrency": 6,
    "retry_backoff_seconds": 0.01,
    "retry_backoff_max_seconds": 0.05,
}


def helpdesk(tickets: int, seed: int = 3) -> Helpdesk:
    return generate_helpdesk(tickets, seed=seed, now=NOW)


@contextmanager
def running(desk: Helpdesk, **config: Any) -> Iterator[Simulator]:
    config.setdefault("get_limit", 1_000_000)
    config.setdefault("post_limit", 1_000_000)
    with Simulator(desk, SimulatorConfig(**config)) as simulator:
        yield simulator


def client_for(simulator: Simulator, **options: Any) -> HappyFoxClient:
    settings = {**FAST_CLIENT, **options}
    return HappyFoxClient(simulator.base_url, simulator.api_key, simulator.auth_code, **settings)


@dataclass
class Warehouse:
    """A dlt pipeline into a DuckDB file of the test's own."""

    folder: Path
    name: str = "hf_test"
    dataset: str = "happyfox"
    loads: list[dict[str, int]] = field(default_factory=list)

    @property
    def database(self) -> Path:
        return self.folder / f"{self.name}.duckdb"

    def pipeline(self) -> dlt.Pipeline:
        return dlt.pipeline(
            pipeline_name=self.name,
            pipelines_dir=str(self.folder / "pipelines"),
            destination=dlt.destinations.duckdb(str(self.database)),
            dataset_name=self.dataset,
        )

    def sync(self, client: HappyFoxClient, *, resources: tuple[str, ...] = (), **source_options: Any) -> dlt.Pipeline:
        """One run as the sync command does it: checkpoint after checkpoint until done,
        in the command's file format for the destination (Parquet on DuckDB)."""
        pipeline = self.pipeline()
        file_format = loader_file_format(pipeline)
        if pipeline.has_pending_data:
            # what an interrupted run left behind; dlt's run() with data would load only this
            pipeline.run(loader_file_format=file_format)
        progress = TicketSyncProgress()
        source = happyfox_source(client=client, progress=progress, **source_options)
        if resources:
            source = source.with_resources(*resources)
        pipeline.run(source, loader_file_format=file_format)
        self.loads.append(dict(pipeline.last_trace.last_normalize_info.row_counts))
        while backfill_in_progress(pipeline):
            source = happyfox_source(client=client, progress=progress, **source_options)
            pipeline.run(source.with_resources("tickets"), loader_file_format=file_format)
            self.loads.append(dict(pipeline.last_trace.last_normalize_info.row_counts))
        return pipeline

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.database), read_only=True) as connection:
            connection.execute(f"set search_path = '{self.dataset}'")
            return connection.execute(sql).fetchall()

    def count(self, table: str) -> int:
        return int(self.query(f"select count(*) from {table}")[0][0])

    def tables(self) -> set[str]:
        rows = self.query(
            f"select table_name from information_schema.tables where table_schema = '{self.dataset}'"
        )
        return {name for (name,) in rows if not name.startswith("_dlt")}


class HelpdeskUser:
    """Changes the simulated helpdesk the real way: POSTs to its write endpoints."""

    def __init__(self, simulator: Simulator) -> None:
        import httpx

        self._http = httpx.Client(
            base_url=simulator.api_url, auth=(simulator.api_key, simulator.auth_code), timeout=10.0
        )
        self.desk = simulator.helpdesk

    def post(self, path: str, payload: Any) -> Any:
        response = self._http.post(path, json=payload)
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text}"
        return response.json()

    def create_ticket(self, subject: str = "New one", **extra: Any) -> Any:
        """A ticket in the first public category, with every required custom field filled."""
        category = next(c for c in self.desk.categories if c.get("public", True))
        payload: dict[str, Any] = {
            "category": category["id"],
            "subject": subject,
            "text": "Help, please",
            "name": "Ann Example",
            "email": "ann@example.com",
        }
        for definition in self.desk.ticket_custom_fields:
            applies = any(link.get("category") == category["id"] for link in definition.get("categories") or ())
            if definition.get("required") and applies:
                payload[f"t-cf-{definition['id']}"] = _valid_value(definition)
        payload.update(extra)
        return self.post("tickets/", payload)

    def staff_id(self) -> int:
        return next(s["id"] for s in self.desk.staff if s.get("active"))

    def contact_id(self) -> int:
        return self.desk.contacts[0]["id"]

    def close(self) -> None:
        self._http.close()


def _valid_value(field: dict[str, Any]) -> Any:
    kind = field["type"]
    if kind == "choice":
        return field["choices"][0]["id"]
    if kind == "multiple_choice":
        return [field["choices"][0]["id"]]
    if kind == "number":
        return 3
    if kind == "date":
        return "2026-01-15"
    return "filled in"
