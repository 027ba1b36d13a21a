"""`happyfox-sync`: the scheduled job that keeps a warehouse copy of a HappyFox helpdesk.

One invocation is one run: it takes the pipeline's lock, loads every selected
resource (a first sync commits in checkpoints so an interrupted backfill resumes),
builds the SQL reporting models, and prints a summary. Everything not on the command
line is configured the dlt way (`.dlt/config.toml`, `.dlt/secrets.toml`, environment).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any, Sequence

import dlt
from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.pipeline.exceptions import PipelineStepFailed

from happyfox_sync.source import (
    HappyFoxClient,
    TicketSyncProgress,
    backfill_in_progress,
    happyfox_source,
    make_client,
)
from happyfox_sync.source.helpers import errors as client_errors
from happyfox_sync.source.settings import DEFAULT_START_DATE, REFERENCE_ENDPOINTS

from .progress import ProgressReporter
from .reporting_settings import load_reporting_settings
from .run_lock import AlreadyRunningError, RunLock
from .summary import RunSummary

logger = logging.getLogger("happyfox_sync")

DEFAULT_PIPELINE = "happyfox_sync"
DEFAULT_DATASET = "happyfox"
RESOURCES = ("tickets", "contacts", "deleted_tickets", *REFERENCE_ENDPOINTS)


class ExitCode:
    OK = 0
    FAILED = 1
    CONFIG = 2
    AUTH = 3
    UNREACHABLE = 4
    RATE_LIMIT = 5
    DESTINATION = 6
    ALREADY_RUNNING = 7


class SyncError(Exception):
    """A failure with a one-line explanation and an exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="happyfox-sync",
        description="Sync a HappyFox helpdesk into DuckDB or any dlt destination and build reporting models.",
        epilog="Credentials and every other setting: .dlt/secrets.toml, .dlt/config.toml or "
        "SOURCES__HAPPYFOX__* environment variables (see README).",
    )
    parser.add_argument("command", nargs="?", choices=("sync", "models"), default="sync",
                        help="sync (default): load and build models; models: only (re)build the models")
    parser.add_argument("--destination", default=None, help="dlt destination name (default duckdb)")
    parser.add_argument("--dataset-name", default=None, help=f"raw dataset (default {DEFAULT_DATASET})")
    parser.add_argument("--pipeline-name", default=None, help=f"pipeline name (default {DEFAULT_PIPELINE})")
    parser.add_argument("--resources", default=None,
                        help=f"comma-separated subset of: {', '.join(RESOURCES)}")
    parser.add_argument("--start-date", default=None, help="first-run backfill start, YYYY-MM-DD")
    parser.add_argument("--full-refresh", action="store_true",
                        help="drop this source's tables and state, then reload everything")
    parser.add_argument("--max-gets-per-minute", type=int, default=None,
                        help="GET budget of this run (default 400 of the account's 500)")
    parser.add_argument("--reconcile", action="store_true",
                        help="look for tickets deleted in HappyFox now (default: when the last check is over reconcile_hours old)")
    parser.add_argument("--estimate", action="store_true",
                        help="print how many GETs and how long the run would take; load nothing")
    parser.add_argument("--no-models", action="store_true", help="skip building the SQL reporting models")
    parser.add_argument("--materialize-models", action="store_true", help="build models as tables, not views")
    parser.add_argument("--demo", action="store_true",
                        help="sync a bundled simulated helpdesk into happyfox_demo.duckdb (no account needed)")
    parser.add_argument("--demo-tickets", type=int, default=3000, help=argparse.SUPPRESS)
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true", help="only errors")
    verbosity.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return parser


def configure_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("happyfox_sync")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def parse_resources(text: str | None) -> list[str] | None:
    if not text:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in RESOURCES]
    if unknown:
        raise SyncError(f"unknown resource(s) {', '.join(unknown)}; choose from {', '.join(RESOURCES)}", ExitCode.CONFIG)
    return names


def parse_start_date(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise SyncError(f"--start-date {text!r} is not a date in YYYY-MM-DD form", ExitCode.CONFIG) from None


def explain(error: BaseException) -> SyncError:
    """Map any failure to one line and an exit code, looking through dlt's wrappers."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    for cause in seen:
        if isinstance(cause, SyncError):
            return cause
        if isinstance(cause, client_errors.AuthenticationError):
            return SyncError(str(cause), ExitCode.AUTH)
        if isinstance(cause, client_errors.ConnectionFailedError):
            return SyncError(str(cause), ExitCode.UNREACHABLE)
        if isinstance(cause, client_errors.RateLimitLockoutError):
            return SyncError(str(cause), ExitCode.RATE_LIMIT)
        if isinstance(cause, client_errors.ConfigurationError):
            return SyncError(str(cause), ExitCode.CONFIG)
        if isinstance(cause, AlreadyRunningError):
            return SyncError(str(cause), ExitCode.ALREADY_RUNNING)
        if isinstance(cause, ConfigFieldMissingException):
            keys = ", ".join(f"sources.happyfox.{name}" for name in cause.fields)
            env = ", ".join(f"SOURCES__HAPPYFOX__{name.upper()}" for name in cause.fields)
            return SyncError(
                f"missing configuration: {keys} (set in .dlt/secrets.toml or as {env})", ExitCode.CONFIG
            )
        if isinstance(cause, client_errors.HappyFoxError):
            return SyncError(str(cause), ExitCode.FAILED)
    # The deepest exception says what went wrong, but generator plumbing (StopIteration,
    # GeneratorExit) can sit below the real error in dlt's chains: skip it.
    meaningful = [cause for cause in seen if not isinstance(cause, (StopIteration, GeneratorExit))]
    root = meaningful[-1] if meaningful else seen[-1]
    for cause in seen:
        if isinstance(cause, PipelineStepFailed) and cause.step in ("load", "sync"):
            return SyncError(f"destination error during {cause.step}: {_first_line(root)}", ExitCode.DESTINATION)
    return SyncError(f"{type(root).__name__}: {_first_line(root)}", ExitCode.FAILED)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def make_pipeline(args: argparse.Namespace, pipeline_name: str, dataset_name: str) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name=pipeline_name,
        destination=resolve_destination(args.destination, pipeline_name),
        dataset_name=dataset_name,
        progress="log" if args.verbose else None,
    )


def resolve_destination(name: str | None, pipeline_name: str) -> Any:
    """The destination; DuckDB without configured credentials means ``<pipeline>.duckdb`` here.

    dlt otherwise keeps writing to the folder the pipeline first ran in, so a run from
    another directory would update a file the user is not looking at.
    """
    name = name or "duckdb"
    if name != "duckdb" or dlt.config.get("destination.duckdb.credentials") is not None:
        return name
    return dlt.destinations.duckdb(str(Path.cwd() / f"{pipeline_name}.duckdb"))


def run_sync(
    args: argparse.Namespace,
    *,
    client: HappyFoxClient | None = None,
    pipeline_name: str | None = None,
    dataset_name: str | None = None,
    refresh: bool | None = None,
) -> RunSummary:
    """Load, checkpoint by checkpoint, then build the models; return the summary."""
    pipeline_name = pipeline_name or args.pipeline_name or DEFAULT_PIPELINE
    dataset_name = dataset_name or args.dataset_name or DEFAULT_DATASET
    resources = parse_resources(args.resources)
    start_date = parse_start_date(args.start_date)
    if not args.no_models and _models_enabled():
        load_reporting_settings()  # a bad [happyfox_sync.reporting] setting stops the run before any GET (exit 2)
    pipeline = make_pipeline(args, pipeline_name, dataset_name)
    with RunLock(Path(pipeline.working_dir).parent, pipeline_name):
        if client is None:
            overrides: dict[str, Any] = {}
            if args.max_gets_per_minute is not None:
                overrides["max_gets_per_minute"] = args.max_gets_per_minute
            client = make_client(**overrides)
        if args.estimate:
            print_estimate(args, pipeline, client, resources, start_date)
            return RunSummary(pipeline_name, str(pipeline.destination.destination_name), dataset_name)
        return _load(args, pipeline, client, resources, start_date, refresh)


def _source_kwargs(args: argparse.Namespace, start_date: str | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"start_date": start_date} if start_date else {}
    if getattr(args, "reconcile", False):
        kwargs["reconcile"] = True
    return kwargs


def _load(
    args: argparse.Namespace,
    pipeline: dlt.Pipeline,
    client: HappyFoxClient,
    resources: list[str] | None,
    start_date: str | None,
    refresh: bool | None,
) -> RunSummary:
    summary = RunSummary(pipeline.pipeline_name, str(pipeline.destination.destination_name), pipeline.dataset_name)
    progress = TicketSyncProgress()
    checkpoint = dlt.config.get("sources.happyfox.checkpoint_tickets", int)
    cf_history = dlt.config.get("sources.happyfox.custom_field_history", bool)
    interval = dlt.config.get("happyfox_sync.progress_interval_seconds", float) or 30.0
    reporter = ProgressReporter(client, progress, cf_history is not False, interval=interval, enabled=not args.quiet).start()
    started = time.monotonic()
    try:
        source = happyfox_source(client=client, progress=progress, checkpoint_tickets=checkpoint, **_source_kwargs(args, start_date))
        if resources:
            source = source.with_resources(*resources)
        full_refresh = args.full_refresh if refresh is None else refresh
        file_format = _file_format(pipeline)
        if pipeline.has_pending_data:
            if full_refresh:
                pipeline.drop_pending_packages()
            else:
                # An interrupted run left extracted or normalised packages: load them first,
                # since dlt's run() would load only those and extract nothing new.
                logger.info("loading what an interrupted run left behind before syncing")
                pipeline.run(loader_file_format=file_format)
                summary.add_load(_row_counts(pipeline))
        info = pipeline.run(source, refresh="drop_sources" if full_refresh else None, loader_file_format=file_format)
        summary.add_load(_row_counts(pipeline))
        logger.debug("load: %s", info)
        while backfill_in_progress(pipeline) and (not resources or "tickets" in resources):
            logger.info("checkpoint committed: %d tickets listed so far; continuing the backfill", progress.tickets_listed)
            source = happyfox_source(client=client, progress=progress, checkpoint_tickets=checkpoint, **_source_kwargs(args, start_date))
            pipeline.run(source.with_resources("tickets"), loader_file_format=file_format)
            summary.add_load(_row_counts(pipeline))
    finally:
        reporter.stop()
    if not args.no_models and _models_enabled():
        summary.models = build_reporting_models(pipeline, materialize=args.materialize_models)
    summary.finish(client, time.monotonic() - started)
    return summary


def _file_format(pipeline: dlt.Pipeline) -> str | None:
    """Parquet where the destination takes it: DuckDB loads it ~20x faster than INSERTs."""
    formats = pipeline.destination.capabilities().supported_loader_file_formats
    return "parquet" if "parquet" in formats else None


def _row_counts(pipeline: dlt.Pipeline) -> dict[str, int]:
    trace = pipeline.last_trace
    info = trace.last_normalize_info if trace is not None else None
    return dict(info.row_counts) if info is not None else {}


def _models_enabled() -> bool:
    return dlt.config.get("happyfox_sync.models", bool) is not False


def build_reporting_models(pipeline: dlt.Pipeline, materialize: bool = False) -> list[Any]:
    """Build the SQL models, or say plainly why a destination cannot hold them."""
    from .models import build_models

    if pipeline.destination.destination_name == "filesystem":
        logger.warning("models skipped: the filesystem destination has no SQL engine to hold views")
        return []
    reporting = dlt.config.get("happyfox_sync.reporting_dataset", str)
    materialize = materialize or bool(dlt.config.get("happyfox_sync.materialize_models", bool))
    return build_models(pipeline, reporting_dataset=reporting, materialize=materialize)


def print_estimate(
    args: argparse.Namespace,
    pipeline: dlt.Pipeline,
    client: HappyFoxClient,
    resources: list[str] | None,
    start_date: str | None,
) -> None:
    from .estimate import estimate_run

    try:
        pipeline.sync_destination()
    except Exception as error:  # a destination that does not exist yet has no state: a first run
        logger.debug("no destination state to restore: %s", _first_line(error))
    sources_state = pipeline.state.get("sources", {}).get("happyfox", {}).get("resources", {})
    config_start = dlt.config.get("sources.happyfox.start_date", str) or DEFAULT_START_DATE
    sweep_hours = dlt.config.get("sources.happyfox.contacts_sweep_hours", float)
    cf_history = dlt.config.get("sources.happyfox.custom_field_history", bool)
    estimate = estimate_run(
        client,
        {} if args.full_refresh else sources_state.get("tickets", {}),
        {} if args.full_refresh else sources_state.get("contacts", {}),
        start_date=date.fromisoformat(start_date or config_start),
        custom_field_history=cf_history is not False,
        contacts_sweep_hours=24.0 if sweep_hours is None else sweep_hours,
        resources=set(resources) if resources else None,
    )
    print(estimate.render(client.max_gets_per_minute))


def run_models_command(args: argparse.Namespace) -> None:
    pipeline_name = args.pipeline_name or DEFAULT_PIPELINE
    pipeline = make_pipeline(args, pipeline_name, args.dataset_name or DEFAULT_DATASET)
    with RunLock(Path(pipeline.working_dir).parent, pipeline_name):
        built = build_reporting_models(pipeline, materialize=args.materialize_models)
    print(f"happyfox-sync: built {len(built)} models: {', '.join(getattr(m, 'name', str(m)) for m in built)}")


RUNTIME_DEFAULTS = {
    # dlt gzips its intermediate files by default; they live for seconds on local disk,
    # and not compressing them saves ~10% of a sync's CPU (bench/README.md).
    "DATA_WRITER__DISABLE_COMPRESSION": "true",
    # DuckDB's buffer defaults to 80% of RAM and grows with the warehouse; a sync needs
    # little of it (loads spill to disk), so a scheduled job stays small beside others.
    "DESTINATION__DUCKDB__CREDENTIALS__GLOBAL_CONFIG": '{"memory_limit": "256MB"}',
}


def apply_runtime_defaults() -> None:
    """Defaults that any configuration (env var or .dlt/*.toml) the user sets overrides."""
    configured = dlt.config.get("data_writer.disable_compression", bool)
    for name, value in RUNTIME_DEFAULTS.items():
        if name == "DATA_WRITER__DISABLE_COMPRESSION" and configured is not None:
            continue
        os.environ.setdefault(name, value)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose, args.quiet)
    apply_runtime_defaults()
    try:
        if args.command == "models":
            run_models_command(args)
        elif args.demo:
            from .demo import run_demo

            run_demo(args)
        else:
            summary = run_sync(args)
            if not args.estimate and not args.quiet:
                print(summary.render())
    except KeyboardInterrupt:
        print("happyfox-sync: interrupted; the next run resumes from the last committed checkpoint", file=sys.stderr)
        return ExitCode.FAILED
    except Exception as error:  # every failure ends in one line and a documented exit code
        failure = explain(error)
        logger.debug("failure detail", exc_info=error)
        print(f"happyfox-sync: error: {failure}", file=sys.stderr)
        return failure.code
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
