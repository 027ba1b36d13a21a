"""The report on the command line: `happyfox-sync report`, the page every sync can write
(`[happyfox_sync] report_path`), and the demo's page.

On the default DuckDB warehouse the report opens the published read copy read-only, so
it never waits for a running sync and never blocks one; on any other SQL destination it
reads through the pipeline's dlt SQL client, like `happyfox-sync query`.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

import dlt
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

from happyfox_sync.errors import ExitCode, SyncError
from happyfox_sync.run import DEFAULT_DATASET, DEFAULT_PIPELINE, RunOptions, published_duckdb_file, resolve_destination

from . import DEFAULT_DAYS, DEFAULT_REPORT_PATH, ReportError, ReportResult, check_days, check_output, write_report

logger = logging.getLogger("happyfox_sync")


@dataclass(frozen=True)
class ReportSettings:
    """What to write: the file, the window and the custom field to chart."""

    output: Path
    days: int = DEFAULT_DAYS
    custom_field: Optional[str] = None

    @classmethod
    def resolve(cls, output: Optional[str], days: Optional[int]) -> "ReportSettings":
        """Command-line values over `[happyfox_sync]` report settings over the defaults."""
        custom_field = dlt.config.get("happyfox_sync.report_custom_field", str)
        try:
            return cls(
                output=check_output(output or DEFAULT_REPORT_PATH),
                days=check_days(days if days is not None else _configured_days()),
                custom_field=custom_field or None,
            )
        except ReportError as ex:
            raise SyncError(str(ex), ExitCode.CONFIG) from None

    @classmethod
    def after_sync(cls) -> Optional["ReportSettings"]:
        """The page every successful sync writes, when `[happyfox_sync] report_path` is set."""
        path = dlt.config.get("happyfox_sync.report_path", str)
        if not path:
            return None
        try:
            check_output(path)
        except ReportError as ex:
            raise SyncError(f"[happyfox_sync] report_path: {ex}", ExitCode.CONFIG) from None
        return cls.resolve(path, None)


def _configured_days() -> int:
    """`[happyfox_sync] report_days`, as a whole number, else the default."""
    value = dlt.config.get("happyfox_sync.report_days")
    if value is None or value == "":
        return DEFAULT_DAYS
    try:
        return int(str(value).strip())
    except ValueError:
        raise ReportError(f"[happyfox_sync] report_days must be a whole number of days, not {value!r}") from None


def add_report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", "-o", default=None, metavar="PATH",
                        help=f"the HTML file to write (default ./{DEFAULT_REPORT_PATH})")
    parser.add_argument("--days", type=int, default=None, metavar="N",
                        help=f"the last N UTC days (default [happyfox_sync] report_days, else {DEFAULT_DAYS})")


@contextmanager
def report_pipeline(options: RunOptions) -> Iterator[dlt.Pipeline]:
    """A pipeline to read the warehouse of `options`' pipeline without touching its state.

    It has a working folder of its own (a temporary one), so reading never changes the
    sync pipeline's local state, and on the default DuckDB warehouse its destination is
    the published read copy, opened read-only.
    """
    pipeline_name = options.pipeline_name or DEFAULT_PIPELINE
    dataset_name = options.dataset_name or DEFAULT_DATASET
    files = published_duckdb_file(options.destination, pipeline_name)
    destination: Any
    if files is not None:
        if not files.published.exists():
            raise SyncError(f"no warehouse at {files.published}: run happyfox-sync first", ExitCode.CONFIG)
        credentials = DuckDbCredentials(str(files.published))
        credentials.read_only = True
        destination = dlt.destinations.duckdb(credentials=credentials)
    else:
        destination = resolve_destination(options.destination, pipeline_name)
    with tempfile.TemporaryDirectory(prefix="happyfox-report-") as folder:
        yield dlt.pipeline(
            pipeline_name=f"{pipeline_name}_report",
            pipelines_dir=folder,
            destination=destination,
            dataset_name=dataset_name,
        )


def write_for(options: RunOptions, settings: ReportSettings) -> ReportResult:
    """Writes the report of `options`' warehouse."""
    reporting = dlt.config.get("happyfox_sync.reporting_dataset", str)
    with report_pipeline(options) as pipeline:
        try:
            return write_report(
                pipeline, settings.output, settings.days, reporting_dataset=reporting, custom_field=settings.custom_field
            )
        except ReportError as ex:
            raise SyncError(str(ex), ExitCode.CONFIG) from None


def run_report_command(options: RunOptions, output: Optional[str], days: Optional[int]) -> ReportResult:
    """`happyfox-sync report`: write the page and say where it is."""
    result = write_for(options, ReportSettings.resolve(output, days))
    if not options.quiet:
        print(
            f"happyfox-sync: report written to {result.path} ({result.bytes / 1024:,.0f} kB, {result.charts} charts,"
            f" {result.empty_panels} without data, {result.seconds:.1f}s)"
        )
    return result
