"""What the DuckDB read copy costs: seconds and disk per run, at 100,000 tickets.

Usage: python bench/publish_cost.py [--tickets 100000] [--repeat 3] [--workdir DIR]

Generates a helpdesk (the simulator's seeded generator, message bodies included, so
the file is as big as a real sync's), serves it from the simulator, runs the real
`happyfox-sync` command into a DuckDB file with custom-field history off, and reads the
publish step's own log line. Then it publishes again `--repeat` times (a no-change run's
publish, with the working file warm in the page cache as it is right after a run) and
prints the median, the file size and the share of the run the publish took.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from happyfox_simulator import Simulator, SimulatorConfig  # noqa: E402
from happyfox_simulator.generator import generate_helpdesk  # noqa: E402
from happyfox_sync.duckdb_files import WarehouseFiles  # noqa: E402

PUBLISHED_RE = re.compile(r"published (?P<name>\S+) \((?P<mb>[\d.]+) MB\) in (?P<seconds>[\d.]+) s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", default=None, help="default: a temporary directory, removed afterwards")
    args = parser.parse_args(argv)
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="hf-publish-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        desk = generate_helpdesk(args.tickets, seed=args.seed)
        with Simulator(desk, SimulatorConfig(get_limit=10_000_000, post_limit=10_000_000)) as simulator:
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith(("SOURCES__", "DESTINATION__", "HAPPYFOX_SYNC__"))},
                "DLT_DATA_DIR": str(workdir / "dlt-data"),
                "RUNTIME__DLTHUB_TELEMETRY": "false",
                "SOURCES__HAPPYFOX__BASE_URL": simulator.base_url,
                "SOURCES__HAPPYFOX__API_KEY": simulator.api_key,
                "SOURCES__HAPPYFOX__AUTH_CODE": simulator.auth_code,
                "SOURCES__HAPPYFOX__MAX_GETS_PER_MINUTE": "10000000",
                "SOURCES__HAPPYFOX__MAX_CONCURRENCY": "4",  # a real budget sets it; this one would ask for thousands
                "SOURCES__HAPPYFOX__CUSTOM_FIELD_HISTORY": "false",
                "SOURCES__HAPPYFOX__CHECKPOINT_TICKETS": str(max(2000, args.tickets)),
            }
            started = time.perf_counter()
            run = subprocess.run([sys.executable, "-m", "happyfox_sync"], cwd=workdir, env=env,
                                 capture_output=True, text=True)
            run_seconds = time.perf_counter() - started
        if run.returncode != 0:
            print(run.stdout[-2000:], run.stderr[-4000:], sep="\n")
            return 1
        match = PUBLISHED_RE.search(run.stderr)
        assert match, "the run did not log its publish step"
        files = WarehouseFiles(workdir / "happyfox_sync.duckdb")
        again = [files.publish() for _ in range(args.repeat)]
        size_mb = files.published.stat().st_size / 1e6
        publish_in_run = float(match["seconds"])
        print(f"tickets: {args.tickets:,}; sync run (command, history off): {run_seconds:.1f} s wall")
        print(f"DuckDB file: {size_mb:,.0f} MB, kept twice (working + published): {2 * size_mb:,.0f} MB on disk")
        print(f"publish in the run: {publish_in_run:.2f} s ({publish_in_run / run_seconds:.1%} of the run)")
        print(f"publish again, median of {args.repeat}: {statistics.median(again):.2f} s "
              f"({size_mb / statistics.median(again):,.0f} MB/s)")
        return 0
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
