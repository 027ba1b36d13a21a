"""Time `write_report` over a synthetic 100,000-ticket helpdesk on DuckDB and print the page's size.

Usage: python bench/report_speed.py [--tickets 100000] [--repeat 3] [--seed 7] [--views] [--workdir DIR]

The raw tables are generated as `bench/models_speed.py` does (seeded, a year of history,
about 1% deleted; tags added here, a few per ticket) and loaded with a real dlt pipeline
into a DuckDB file; the models are built once, as tables (`materialize_models = true`)
or, with --views, as the default views, which every report query then computes anew.
Each repeat is a fresh process-level state except for the inlined JavaScript bundle,
which is made once per process (the first run pays ~1.5 s for it; a scheduled
`happyfox-sync report` is one process, so the first figure is what cron sees).
Targets: built in at most 10 s, at most 5 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import dlt  # noqa: E402

from happyfox_sync.models import build_models  # noqa: E402
from happyfox_sync.report import write_report  # noqa: E402
from happyfox_sync.report.page import bundle_cache_dir  # noqa: E402
from models_speed import generate  # noqa: E402

TAGS = ["vip", "billing", "bug", "refund", "outage", "onboarding", "api", "mobile", "escalated", "churn-risk",
        "feature-request", "security", "sso", "invoice", "login", "performance", "export", "p1", "follow-up", "how-to"]


def tag_table(tickets: int, seed: int) -> pa.Table:
    rnd = random.Random(seed)
    ids, tags = [], []
    for tid in range(1, tickets + 1):
        for tag in rnd.sample(TAGS, rnd.choice((0, 1, 1, 2, 3))):
            ids.append(tid)
            tags.append(tag)
    return pa.table({"ticket_id": pa.array(ids, pa.int64()), "tag": pa.array(tags, pa.string())})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--views", action="store_true", help="models as views (default: tables)")
    ap.add_argument("--workdir", default=None, help="default: a temporary directory, removed afterwards")
    ap.add_argument("--reuse", action="store_true", help="keep the warehouse a previous run left in --workdir")
    ap.add_argument("--cold", action="store_true", help="drop the cached JavaScript bundle first (a machine's first report)")
    args = ap.parse_args(argv)

    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="hf-report-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "bench.duckdb"
    pipeline = dlt.pipeline(
        pipeline_name="hf_report_bench",
        pipelines_dir=str(workdir / "pipelines"),
        destination=dlt.destinations.duckdb(str(db)),
        dataset_name="happyfox",
    )
    try:
        if not (args.reuse and db.exists()):
            load(pipeline, db, args)
        if args.cold:
            for cached in bundle_cache_dir().glob("vega-bundle-*.js"):
                cached.unlink()
        # the generated history runs through 2024: report its last 90 days
        as_of = dt.date(2024, 12, 31)
        runs, sizes = [], []
        for i in range(args.repeat):
            out = workdir / f"report_{i}.html"
            started = time.perf_counter()
            result = write_report(pipeline, out, as_of=as_of)
            runs.append(time.perf_counter() - started)
            sizes.append(result.bytes)
            print(f"report {i + 1}: {runs[-1]:.2f}s, {result.bytes / 1e6:.2f} MB, {result.charts} charts,"
                  f" {result.empty_panels} without data")
        print(f"report over {args.tickets:,} tickets ({'views' if args.views else 'tables'}"
              f"{', bundle not cached' if args.cold else ''}): first {runs[0]:.2f}s, median"
              f" {statistics.median(runs):.2f}s of {args.repeat}; {max(sizes) / 1e6:.2f} MB (targets <= 10 s, <= 5 MB)")
        return 0
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


def load(pipeline: dlt.Pipeline, db: Path, args: argparse.Namespace) -> None:
    """Generates and loads the raw tables and builds the models."""
    t0 = time.perf_counter()
    tables = generate(args.tickets, args.seed)
    tables["ticket_tags"] = tag_table(args.tickets, args.seed)
    print(f"generated {tables['tickets'].num_rows:,} tickets, {tables['ticket_updates'].num_rows:,} updates,"
          f" {tables['ticket_tags'].num_rows:,} tags in {time.perf_counter() - t0:.1f}s")
    if db.exists():
        db.unlink()
    pipeline.run(
        [dlt.resource(tbl, name=name, write_disposition="replace") for name, tbl in tables.items()]
    ).raise_on_failed_jobs()
    t1 = time.perf_counter()
    build_models(pipeline, materialize=not args.views)
    print(f"models built as {'views' if args.views else 'tables'} in {time.perf_counter() - t1:.1f}s")


if __name__ == "__main__":
    sys.exit(main())
