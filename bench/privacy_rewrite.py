"""What switching privacy on later costs: seconds of database work, zero GETs.

Usage: python bench/privacy_rewrite.py [--tickets 10000] [--workdir DIR]

Generates a helpdesk (the simulator's seeded generator, message bodies included),
syncs it from the simulator into a DuckDB file with every value kept, then applies
``message_bodies=drop`` + ``contact_pii=hash`` to the loaded rows exactly as the next
run would (:func:`rewrite_loaded_rows`: UPDATEs, mapping tables, staging emptied, file
compacted) and prints the seconds, the rows touched, the file size before and after,
and the simulator's GET count during the rewrite (which must be 0).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import dlt  # noqa: E402

from happyfox_simulator import Simulator, SimulatorConfig  # noqa: E402
from happyfox_simulator.generator import generate_helpdesk  # noqa: E402
from happyfox_sync.source import HappyFoxClient, backfill_in_progress, happyfox_source  # noqa: E402
from happyfox_sync.source.privacy import policy_from_settings  # noqa: E402
from happyfox_sync.source.privacy_warehouse import rewrite_loaded_rows  # noqa: E402

KEY = "00112233445566778899aabbccddeeff"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", default=None, help="default: a temporary directory, removed afterwards")
    args = parser.parse_args(argv)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="hf-privacy-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "bench.duckdb"
    try:
        desk = generate_helpdesk(args.tickets, seed=args.seed)
        config = SimulatorConfig(get_limit=1_000_000, post_limit=1_000_000)
        with Simulator(desk, config) as simulator:
            pipeline = dlt.pipeline(
                pipeline_name="privacy_bench",
                pipelines_dir=str(workdir / "pipelines"),
                destination=dlt.destinations.duckdb(str(database)),
                dataset_name="happyfox",
            )
            client = HappyFoxClient(
                simulator.base_url, simulator.api_key, simulator.auth_code, max_gets_per_minute=60_000, max_concurrency=8
            )
            started = time.perf_counter()
            pipeline.run(happyfox_source(client=client, custom_field_history=False), loader_file_format="parquet")
            while backfill_in_progress(pipeline):
                pipeline.run(happyfox_source(client=client, custom_field_history=False).with_resources("tickets"),
                             loader_file_format="parquet")
            synced = time.perf_counter() - started
            size_before = database.stat().st_size
            gets_before = simulator.stats.total_gets
            started = time.perf_counter()
            report = rewrite_loaded_rows(pipeline, policy_from_settings("drop", "hash", KEY))
            rewrite = time.perf_counter() - started
            gets = simulator.stats.total_gets - gets_before
        size_after = database.stat().st_size
        print(f"tickets: {args.tickets:,}; first sync (kept everything): {synced:.1f} s")
        print(f"rewrite to message_bodies=drop + contact_pii=hash: {rewrite:.2f} s, {gets} GETs")
        print(f"  {report.render()}")
        print(f"DuckDB file: {size_before / 1e6:.1f} MB before, {size_after / 1e6:.1f} MB after (compacted)")
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
