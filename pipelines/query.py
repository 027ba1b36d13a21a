"""`happyfox-sync query "SQL"`: ad hoc SQL on the warehouse, with nothing else installed.

On the default DuckDB warehouse it opens the published read copy read-only, so it
never waits for a running sync and never blocks one; on any other SQL destination it
goes through the pipeline's dlt SQL client.
"""

from __future__ import annotations

import sys
from typing import Any, Sequence

import duckdb
from rich.console import Console
from rich.table import Table

from .errors import ExitCode, SyncError
from .run import DEFAULT_DATASET, DEFAULT_PIPELINE, RunOptions, make_pipeline, published_duckdb_file


def run_query(options: RunOptions, sql: str) -> tuple[list[str], list[Sequence[Any]]]:
    """The column names and rows of ``sql`` on the warehouse of ``options``' pipeline."""
    pipeline_name = options.pipeline_name or DEFAULT_PIPELINE
    files = published_duckdb_file(options.destination, pipeline_name)
    if files is not None:
        if not files.published.exists():
            raise SyncError(f"no warehouse at {files.published}: run happyfox-sync first", ExitCode.CONFIG)
        with duckdb.connect(str(files.published), read_only=True) as connection:
            cursor = connection.execute(sql)
            columns = [column[0] for column in cursor.description or []]
            return columns, cursor.fetchall()
    pipeline = make_pipeline(options, pipeline_name, options.dataset_name or DEFAULT_DATASET)
    with pipeline.sql_client() as client:
        with client.execute_query(sql) as cursor:
            columns = [column[0] for column in cursor.description or []]
            return columns, list(cursor.fetchall())


def print_query(options: RunOptions, sql: str) -> None:
    columns, rows = run_query(options, sql)
    table = Table(*columns, show_lines=False)
    for row in rows:
        table.add_row(*("" if value is None else str(value) for value in row))
    Console(file=sys.stdout, width=max(120, Console().width)).print(table)
    print(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")
