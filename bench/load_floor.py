"""DuckDB's own share of a sync's load: its packages replayed into a fresh file, without dlt.

Usage: python bench/load_floor.py WORKDIR [--threads N] [--reopen] [--memory-limit SIZE]

WORKDIR is a ``bench/sync_worker.py --side ours`` work directory after a sync (the
``throughput-*`` directories ``bench/run.py --keep`` leaves, or ``sync_worker.py``'s own).
dlt keeps every loaded package's files; this replays them in load order into a new
DuckDB file with the same tables: each Parquet file inserted as dlt's copy job does
(``INSERT ... BY NAME SELECT * FROM read_parquet``), into the staging table where the
package merges that table, then each merge job's SQL in one transaction. The process
CPU it prints is what DuckDB itself needs for that load (inserts, merges, commits and
the final checkpoint): the part of a sync no change to this source or to dlt's
Python can remove. ``--reopen`` opens and closes the database around every job, as
dlt's connection pool does when no other job holds it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import duckdb

DATASET = "happyfox"
STAGING = f"{DATASET}_staging"


def _packages(workdir: Path) -> list[Path]:
    loaded = next(workdir.glob("dlt_data/pipelines/*/load/loaded"), None)
    if loaded is None:
        raise SystemExit(f"{workdir} holds no loaded dlt packages (dlt_data/pipelines/*/load/loaded)")
    return sorted(path / "completed_jobs" for path in loaded.iterdir() if (path / "completed_jobs").is_dir())


def _empty_copy(source: Path, target: Path) -> None:
    """``target``: the sync's dataset and staging tables, empty, column for column."""
    for stale in (target, target.with_name(target.name + ".wal")):
        stale.unlink(missing_ok=True)
    with duckdb.connect(str(target)) as connection:
        connection.execute(f"ATTACH '{source}' AS synced (READ_ONLY)")
        for schema in (DATASET, STAGING):
            connection.execute(f"CREATE SCHEMA {schema}")
            tables = connection.execute(
                "select table_name from information_schema.tables where table_catalog = 'synced' and table_schema = ?",
                [schema],
            ).fetchall()
            for (table,) in tables:
                connection.execute(f'CREATE TABLE {schema}."{table}" AS SELECT * FROM synced.{schema}."{table}" LIMIT 0')
        connection.execute("DETACH synced")


def replay(workdir: Path, target: Path, config: dict[str, object], reopen: bool) -> dict[str, object]:
    _empty_copy(workdir / "ours.duckdb", target)
    cpu: Counter[str] = Counter()
    started, wall = time.process_time(), time.perf_counter()
    kept = None if reopen else duckdb.connect(str(target), config=config)

    def connection() -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(target), config=config) if kept is None else kept.cursor()

    packages = _packages(workdir)
    for jobs in packages:
        files = sorted(jobs.iterdir())
        merged = {path.name.split(".")[0] for path in files if path.suffix == ".sql"}
        for path in files:
            table = path.name.split(".")[0]
            if path.suffix != ".parquet" or table.startswith("_dlt"):
                continue
            schema = STAGING if table in merged else DATASET
            with connection() as job:
                step = time.process_time()
                job.execute(f"INSERT INTO {schema}.\"{table}\" BY NAME SELECT * FROM read_parquet('{path}', union_by_name=true)")
                cpu["inserts"] += time.process_time() - step
        for path in files:
            if path.suffix != ".sql":
                continue
            with connection() as job:
                step = time.process_time()
                job.execute("BEGIN")
                for statement in filter(str.strip, path.read_text().splitlines()):
                    job.execute(statement)
                job.execute("COMMIT")
                cpu["merges and commits"] += time.process_time() - step
        with connection() as job:
            for table in merged:  # dlt empties a staging table before the next package uses it
                job.execute(f'DELETE FROM {STAGING}."{table}"')
    if kept is not None:
        step = time.process_time()
        kept.close()
        cpu["final checkpoint"] += time.process_time() - step
    total = time.process_time() - started
    cpu["opening and closing"] = total - sum(cpu.values())
    return {
        "packages": len(packages),
        "cpu_seconds": round(total, 2),
        "wall_seconds": round(time.perf_counter() - wall, 2),
        "cpu_by_part": {part: round(seconds, 2) for part, seconds in cpu.items()},
        "database_mb": round(target.stat().st_size / 2**20),
        "config": config,
        "reopen": reopen,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: DuckDB's, one per core)")
    parser.add_argument("--memory-limit", default="128MB", help="DuckDB memory_limit (default: the command's)")
    parser.add_argument("--reopen", action="store_true", help="open and close the database around every job")
    parser.add_argument("--target", type=Path, default=None, help="the replay's DuckDB file (default: WORKDIR/floor.duckdb)")
    args = parser.parse_args()
    config: dict[str, object] = {"memory_limit": args.memory_limit}
    if args.threads:
        config["threads"] = args.threads
    figures = replay(args.workdir, args.target or args.workdir / "floor.duckdb", config, args.reopen)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
