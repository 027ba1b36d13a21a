"""What each reading of ``tickets/`` list items costs in GETs: a first sync and an incremental run.

HappyFox's current reference says list items carry ``updates``; an older page has an
``include_updates`` (0/1) list parameter. The sync sends ``include_updates=1`` and reads
in detail every item still lacking a child list, so the cost depends on the reading and
on custom-field history (which reads every changed ticket in detail anyway). For each
``list_updates`` reading of the simulator and history on/off this prints the GETs of a
first sync of ``--tickets`` tickets and of an incremental run after ``--edits`` staff
replies, by endpoint::

    python bench/readings_cost.py                 # 1,000 tickets, 50 edits, ~1 min
    python bench/readings_cost.py --tickets 5000
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
from datetime import datetime
from pathlib import Path

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")

import dlt  # noqa: E402

from happyfox_simulator import Simulator, SimulatorConfig  # noqa: E402
from happyfox_simulator.generator import generate_helpdesk  # noqa: E402
from happyfox_sync.source import HappyFoxClient, backfill_in_progress, happyfox_source  # noqa: E402

NOW = datetime(2026, 3, 2, 9, 30, 0)


def _run(client: HappyFoxClient, folder: Path, history: bool) -> None:
    pipeline = dlt.pipeline("readings_cost", pipelines_dir=str(folder / "pipelines"),
                            destination=dlt.destinations.duckdb(str(folder / "cost.duckdb")), dataset_name="happyfox")
    pipeline.run(happyfox_source(client=client, custom_field_history=history), loader_file_format="parquet")
    while backfill_in_progress(pipeline):
        pipeline.run(happyfox_source(client=client, custom_field_history=history).with_resources("tickets"),
                     loader_file_format="parquet")


def _gets(client: HappyFoxClient) -> dict[str, int]:
    return dict(client.stats.gets_by_endpoint)


def measure(tickets: int, edits: int, reading: str, history: bool) -> tuple[dict[str, int], dict[str, int]]:
    """GETs by endpoint of a first sync and of an incremental run after ``edits`` replies."""
    desk = generate_helpdesk(tickets, seed=11, now=NOW)
    config = SimulatorConfig(get_limit=1_000_000, list_updates=reading)
    with Simulator(desk, config) as sim, tempfile.TemporaryDirectory() as tmp:
        options = {"max_gets_per_minute": 600_000, "max_concurrency": 6}
        with HappyFoxClient(sim.base_url, sim.api_key, sim.auth_code, **options) as client:
            _run(client, Path(tmp), history)
            first = _gets(client)
        staff = next(s["id"] for s in desk.staff if s["active"])
        for ticket in list(sim.helpdesk.tickets[:edits]):
            sim.store.staff_private_note(ticket["id"], staff=staff, plaintext="bench edit", time_spent=1)
        with HappyFoxClient(sim.base_url, sim.api_key, sim.auth_code, **options) as client:
            _run(client, Path(tmp), history)
            later = _gets(client)
    return first, later


def _summary(gets: dict[str, int]) -> str:
    lists = gets.get("tickets/", 0)
    details = gets.get("ticket/<id>/", 0)
    return f"{sum(gets.values()):>6} GETs ({lists} ticket pages, {details} details)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=50)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    print(f"{args.tickets} tickets, then {args.edits} edits")
    print(f"{'list_updates':<12} {'history':<8} {'first sync':<40} incremental")
    for history in (True, False):
        for reading in ("always", "on_request", "never"):
            first, later = measure(args.tickets, args.edits, reading, history)
            print(f"{reading:<12} {'on' if history else 'off':<8} {_summary(first):<40} {_summary(later)}", flush=True)


if __name__ == "__main__":
    main()
