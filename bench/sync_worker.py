"""One sync in its own process, so ``bench/run.py`` can measure its CPU time and memory.

Usage: python bench/sync_worker.py --side ours|baseline --base-url URL --workdir DIR
       [--history on|off] [--budget N] [--concurrency N] [--profile FILE]

``ours`` runs the ``happyfox-sync`` command itself (``happyfox_sync.cli.main``,
configured through ``SOURCES__HAPPYFOX__*`` like a scheduled job, ``--no-models``: the
models are benchmarked apart), with the repository's ``.dlt/config.toml`` in force
(checkpoints of 2,000 tickets, ...). ``baseline`` runs ``bench/baseline_rest_api.py``
with dlt's defaults except the loader file format: Parquet, as ours (dlt's default
INSERT statements made DuckDB's load of the baseline take gigabytes). Both keep their pipeline state and DuckDB file in ``--workdir``, so
a second call with the same directory is an incremental run.

The last line printed is JSON: wall seconds and the CPU seconds of the sync itself
(``time.process_time`` around the run, imports excluded), and the rows loaded. With
``--profile FILE`` the run is profiled with cProfile into FILE.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _ours(args: argparse.Namespace, workdir: Path) -> tuple[Path, str]:
    os.environ.update({
        "SOURCES__HAPPYFOX__BASE_URL": args.base_url,
        "SOURCES__HAPPYFOX__API_KEY": args.api_key,
        "SOURCES__HAPPYFOX__AUTH_CODE": args.auth_code,
        "SOURCES__HAPPYFOX__MAX_GETS_PER_MINUTE": str(args.budget),
        "SOURCES__HAPPYFOX__CUSTOM_FIELD_HISTORY": "true" if args.history == "on" else "false",
        "DESTINATION__DUCKDB__CREDENTIALS": str(workdir / "ours.duckdb"),
    })
    if args.concurrency:
        os.environ["SOURCES__HAPPYFOX__MAX_CONCURRENCY"] = str(args.concurrency)
    experiments = set(filter(None, (args.experiments or "").split(",")))
    gen0 = _experiment_value(experiments, "gc")
    if gen0:
        import gc
        gc.freeze()
        gc.set_threshold(int(gen0), 10, 10)
    if "gc-default" in experiments:  # the collector as CPython sets it (before pipelines/gc_tuning.py)
        import contextlib

        import happyfox_sync.run

        happyfox_sync.run.fewer_collections = contextlib.nullcontext  # type: ignore[assignment]
    if "rows" in experiments:
        os.environ["SOURCES__HAPPYFOX__ARROW_TABLES"] = "false"  # the row-dict path of before issue 16
    if "no-compression" in experiments:
        os.environ["DATA_WRITER__DISABLE_COMPRESSION"] = "true"
    checkpoint = _experiment_value(experiments, "checkpoint")
    if checkpoint:
        os.environ["SOURCES__HAPPYFOX__CHECKPOINT_TICKETS"] = checkpoint
    merged_pages = _experiment_value(experiments, "batch")
    if merged_pages:
        _larger_batches(int(merged_pages))
    arrow_batch = _experiment_value(experiments, "arrow-batch")
    if arrow_batch:  # tickets per extracted item (sources.happyfox.BATCH_TICKETS)
        import happyfox_sync.source as source

        source.BATCH_TICKETS = int(arrow_batch)
    memory_limit = _experiment_value(experiments, "duckdb-memory")
    if "duckdb-connection" in experiments or memory_limit:
        _duckdb_destination(workdir / "ours.duckdb", "duckdb-connection" in experiments, memory_limit)
    if "step-cpu" in experiments:
        _time_steps()
    from happyfox_sync.cli import main

    code = main(["sync", "--no-models", "-q", "--pipeline-name", "bench_ours"])
    for connection in KEPT_CONNECTIONS:
        connection.close()  # so the row count below can open the file with its own settings
    if code != 0:
        raise SystemExit(f"happyfox-sync exited with {code}")
    return workdir / "ours.duckdb", "happyfox"


def _experiment_value(experiments: set[str], name: str) -> str | None:
    """The value of a ``name=VALUE`` experiment, or None when it was not asked for."""
    return next((item.partition("=")[2] for item in experiments if item.startswith(f"{name}=")), None)


STEP_CPU: dict[str, float] = {}


def _time_steps() -> None:
    """Experiment: the process CPU (every thread, DuckDB's too) spent in each of dlt's steps."""
    import atexit

    from dlt.pipeline.pipeline import Pipeline

    for step in ("extract", "normalize", "load"):
        original = getattr(Pipeline, step)

        def timed(self: Any, *args: Any, _original: Any = original, _step: str = step, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return _original(self, *args, **kwargs)
            finally:
                STEP_CPU[_step] = STEP_CPU.get(_step, 0.0) + time.process_time() - started

        setattr(Pipeline, step, timed)
    atexit.register(lambda: print(json.dumps({"step_cpu_seconds": {k: round(v, 2) for k, v in STEP_CPU.items()}}), file=sys.stderr))


def _larger_batches(tickets: int) -> None:
    """Experiment: the tickets resource yields its tables every ``tickets`` tickets, not every page.

    dlt pays a fixed price per item it extracts (table schema computed and validated
    for Arrow items, buffer bookkeeping for rows); a page of 50 tickets becomes ~9
    items. ``TicketSync.tickets`` is wrapped to merge consecutive page batches.
    """
    from happyfox_sync.source import ticket_sync

    pages_of = ticket_sync.TicketSync.tickets

    def merged(self: Any) -> Any:
        pending: list[Any] = []
        for batch in pages_of(self):
            pending.extend(batch)
            if len(pending) >= tickets:
                yield pending
                pending = []
        if pending:
            yield pending

    ticket_sync.TicketSync.tickets = merged  # type: ignore[method-assign]


KEPT_CONNECTIONS: list[Any] = []


def _duckdb_destination(database: Path, keep_connection: bool, memory_limit: str | None) -> None:
    """Experiments on how the sync command opens DuckDB.

    ``keep_connection``: load through one connection the command keeps open. dlt's DuckDB
    connection pool closes the database when its last borrowed connection is returned
    and opens it again for the next job (a checkpoint and a catalog read each time); a
    connection passed in as credentials is never closed by dlt.
    ``memory_limit``: DuckDB's ``memory_limit`` (default 80% of RAM): its buffer pool keeps
    the database's pages, so without a limit the process grows with the warehouse.
    """
    import dlt
    import duckdb
    from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

    import happyfox_sync.run as command

    if keep_connection:
        config = {"memory_limit": memory_limit} if memory_limit else {}
        credentials: Any = duckdb.connect(str(database), config=config)
        KEPT_CONNECTIONS.append(credentials)
    else:
        credentials = DuckDbCredentials(str(database))
        credentials.global_config = {"memory_limit": memory_limit}

    def make_pipeline(args: argparse.Namespace, pipeline_name: str, dataset_name: str) -> Any:
        return dlt.pipeline(pipeline_name=pipeline_name, destination=dlt.destinations.duckdb(credentials),
                            dataset_name=dataset_name)

    command.make_pipeline = make_pipeline  # type: ignore[assignment]


def _baseline(args: argparse.Namespace, workdir: Path) -> tuple[Path, str]:
    import dlt

    from baseline_rest_api import happyfox_rest_api_source

    pipeline = dlt.pipeline(
        pipeline_name="bench_rest_api",
        pipelines_dir=str(workdir / "pipelines"),
        destination=dlt.destinations.duckdb(str(workdir / "baseline.duckdb")),
        dataset_name="happyfox_rest_api",
    )
    source = happyfox_rest_api_source(
        args.base_url, args.api_key, args.auth_code, custom_field_history=args.history == "on"
    )
    # Parquet, like ours: with dlt's default (INSERT statements) DuckDB's load of this
    # source peaked at 3.5 GB for 2,000 tickets and 22 GB for 10,000 with history on.
    pipeline.run(source, loader_file_format="parquet")
    return workdir / "baseline.duckdb", "happyfox_rest_api"


def _row_counts(database: Path, dataset: str) -> dict[str, Any]:
    import duckdb

    with duckdb.connect(str(database)) as connection:
        tables = [name for (name,) in connection.execute(
            "select table_name from information_schema.tables where table_schema = ? and table_name not like '_dlt%'",
            [dataset],
        ).fetchall()]
        return {name: connection.execute(f'select count(*) from "{dataset}"."{name}"').fetchone()[0] for name in tables}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=("ours", "baseline"), required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--api-key", default="sim-api-key")
    parser.add_argument("--auth-code", default="sim-auth-code")
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--history", choices=("on", "off"), default="on")
    parser.add_argument("--budget", type=int, default=400, help="ours: max_gets_per_minute")
    parser.add_argument("--concurrency", type=int, default=None, help="ours: max_concurrency")
    parser.add_argument("--experiments", default="",
                        help="ours, comma-separated what-ifs: rows (dicts, not Arrow tables), gc-default, gc=N (gen-0 threshold), batch=N, arrow-batch=N, step-cpu, no-compression, checkpoint=N, "
                        "duckdb-connection, duckdb-memory=SIZE")
    parser.add_argument("--profile", default=None, help="write a cProfile of the run here")
    args = parser.parse_args()

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["DLT_DATA_DIR"] = str(workdir / "dlt_data")
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    os.chdir(ROOT)  # the repository's .dlt/config.toml applies, as for a real run

    run = _ours if args.side == "ours" else _baseline
    import dlt  # noqa: F401  (imported before the clock starts, as by any long-lived job)

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    database, dataset = run(args, workdir)
    if profiler is not None:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if profiler is not None:
        profiler.dump_stats(args.profile)
    rows = _row_counts(database, dataset)
    print(json.dumps({"wall_seconds": wall, "cpu_seconds": cpu, "rows": rows}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
